package copy

import (
	"runtime"
	"time"
)

// A long copy is one goroutine going from system call to system call and
// never through the scheduler. The runtime's monitor thread (sysmon) takes
// a P whose goroutine has run on the same scheduling tick for 10 ms
// (forcePreemptNS in runtime/proc.go) as "running too long"; a goroutine in
// a system call cannot be preempted, so from then on, at every tick of the
// monitor (20 µs while it finds work), it takes the P from under the
// blocked call and wakes a thread to run it, which finds nothing and sleeps
// again: futex and nanosleep calls, context switches and CPU migrations,
// 250-500 nanosleeps and up to 500 futex calls per 2 GiB spliced here
// (make bench, runtime counters; 70-150 of each with the yields). A
// Gosched now and then shows the scheduler a new tick; the monitor then
// finds nothing to do and backs off to sleeps of up to 10 ms. Gosched
// itself wakes at most one idle thread, once per yieldEvery.
const yieldEvery = 2 * time.Millisecond

// paceCalls is how many system calls of one end pass before it first
// looks at the clock, and from then on it looks at every call: a copy of a
// small file (zcp -r: a clone and two copy_file_range) never looks, and a
// slow stream (ztee to a file: three ends, one call each per MiB, at
// 1 GB/s) still looks within a few ms. A look costs a vDSO clock read.
const paceCalls = 4

// pacer is embedded in each end of a copy.
type pacer struct {
	calls int
	last  time.Time // of the last yield, or of the first look
}

// pace counts a system call and yields when yieldEvery has passed since
// the last yield.
func (p *pacer) pace() {
	if p.calls < paceCalls {
		p.calls++
		return
	}
	now := time.Now()
	switch {
	case p.last.IsZero():
		p.last = now
	case now.Sub(p.last) >= yieldEvery:
		runtime.Gosched()
		p.last = now
	}
}
