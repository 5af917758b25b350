package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// stage is one process of a measured pipeline.
type stage struct {
	label  string // names the process in peak-RSS results
	argv   []string
	stdin  *os.File // nil: /dev/null
	stdout *os.File // nil: captured in out
	extra  []*os.File
	dir    string
	cpu    int // the CPU the process is pinned to, or -1
	out    bytes.Buffer
	errb   bytes.Buffer
}

func newStage(label string, argv ...string) *stage {
	return &stage{label: label, argv: argv, cpu: -1}
}

// sample is one measured run: its wall time (or the time per operation a
// helper reported) and the peak RSS of each process, in KiB, from the
// rusage wait4(2) returned for it.
type sample struct {
	d   time.Duration
	rss map[string]int64
	ru  map[string]usage
}

// usage is what wait4(2) said of one process: CPU time (user + system),
// voluntary and involuntary context switches, peak RSS in KiB.
type usage struct {
	cpu           time.Duration
	nvcsw, nivcsw int64
	maxrss        int64
}

// pipe returns a blocking pipe: os.Pipe would make it nonblocking, and the
// commands must get the descriptors a shell gives them.
func pipe() (r, w *os.File, err error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return nil, nil, err
	}
	return os.NewFile(uintptr(p[0]), "|r"), os.NewFile(uintptr(p[1]), "|w"), nil
}

// chain connects the stages stdout -> stdin with pipes and returns the
// parent's ends, to be closed once the stages have started.
func chain(stages ...*stage) ([]*os.File, error) {
	var ends []*os.File
	for i := 0; i+1 < len(stages); i++ {
		r, w, err := pipe()
		if err != nil {
			closeAll(ends)
			return nil, err
		}
		stages[i].stdout, stages[i+1].stdin = w, r
		ends = append(ends, r, w)
	}
	return ends, nil
}

func closeAll(fs []*os.File) {
	for _, f := range fs {
		f.Close()
	}
}

// runStages starts every stage, closes the parent's ends of their pipes,
// and waits for all of them. The wall time runs from the first start to
// the last exit. A stage that fails is an error: a wrong result must not
// be timed.
func runStages(stages []*stage, parentEnds []*os.File) (sample, error) {
	defer closeAll(parentEnds)
	cmds := make([]*exec.Cmd, len(stages))
	for i, s := range stages {
		c := exec.Command(s.argv[0], s.argv[1:]...)
		if s.stdin != nil {
			c.Stdin = s.stdin
		}
		if s.stdout != nil {
			c.Stdout = s.stdout
		} else {
			c.Stdout = &s.out
		}
		c.Stderr = &s.errb
		c.ExtraFiles = s.extra
		c.Dir = s.dir
		cmds[i] = c
	}
	start := time.Now()
	for i, c := range cmds {
		if err := startOn(c, stages[i].cpu); err != nil {
			for _, d := range cmds[:i] {
				_ = d.Process.Kill()
				_ = d.Wait()
			}
			return sample{}, fmt.Errorf("%s: %v", stages[i].label, err)
		}
	}
	closeAll(parentEnds)
	parentEnds = nil
	var firstErr error
	for i, c := range cmds {
		if err := c.Wait(); err != nil && firstErr == nil {
			firstErr = fmt.Errorf("%s: %v: %s", strings.Join(stages[i].argv, " "), err,
				strings.TrimSpace(stages[i].errb.String()))
		}
	}
	smp := sample{d: time.Since(start), rss: map[string]int64{}, ru: map[string]usage{}}
	for i, c := range cmds {
		if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
			// ru_maxrss is in KiB on Linux (getrusage(2)).
			l := stages[i].label
			smp.rss[l] = max(smp.rss[l], ru.Maxrss)
			smp.ru[l] = usage{
				cpu:   time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
				nvcsw: ru.Nvcsw, nivcsw: ru.Nivcsw, maxrss: ru.Maxrss,
			}
		}
	}
	return smp, firstErr
}

// startOn starts c pinned to cpu (-1: wherever the kernel likes). The
// affinity is set on this thread just for the fork: the child inherits it
// (sched_setaffinity(2)), and the harness's other work is not pinned.
func startOn(c *exec.Cmd, cpu int) error {
	if cpu < 0 {
		return c.Start()
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var old, set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return err
	}
	set.Set(cpu)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return err
	}
	defer unix.SchedSetaffinity(0, &old)
	return c.Start()
}

// drained is the byte count a drain stage printed.
func drained(s *stage) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s.out.String()), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("drain printed %q", s.out.String())
	}
	return n, nil
}

// expect checks that every drain stage consumed want bytes.
func expect(want int64, drains ...*stage) error {
	for _, d := range drains {
		n, err := drained(d)
		if err != nil {
			return err
		}
		if n != want {
			return fmt.Errorf("wrong output: the consumer got %d bytes, want %d", n, want)
		}
	}
	return nil
}

// runChain connects the stages stdout -> stdin with pipes, runs them, and
// checks that the last one, a drain, consumed want bytes.
func runChain(want int64, stages ...*stage) (sample, error) {
	ends, err := chain(stages...)
	if err != nil {
		return sample{}, err
	}
	s, err := runStages(stages, ends)
	if err == nil {
		err = expect(want, stages[len(stages)-1])
	}
	return s, err
}

// variant is one side of a comparison; run performs and checks one run.
type variant struct {
	name string
	run  func() (sample, error)
}

// measure runs each variant once untimed (to warm caches and catch
// failures), then at least reps times: more when a round is quick, up to
// three times reps or until a round would pass budget, since medians of a
// shared machine settle with more runs. The order rotates from one round to
// the next (AB, BA, ... ; ABC, BCA, CAB, ...), so that a slow spell does not
// fall on one variant only and no variant always runs after the same one.
// It returns the samples of each variant, in the order of vs.
func measure(reps int, budget time.Duration, vs ...variant) ([][]sample, error) {
	start := time.Now()
	for _, v := range vs {
		if _, err := v.run(); err != nil {
			return nil, fmt.Errorf("%s: %v", v.name, err)
		}
	}
	if round := time.Since(start); round > 0 {
		reps = max(reps, min(3*reps, int(budget/round)))
	}
	out := make([][]sample, len(vs))
	for r := 0; r < reps; r++ {
		for k := range vs {
			i := (k + r) % len(vs)
			s, err := vs[i].run()
			if err != nil {
				return nil, fmt.Errorf("%s: %v", vs[i].name, err)
			}
			out[i] = append(out[i], s)
		}
	}
	return out, nil
}

// stats of a set of values: the median and the spread.
type stats struct{ med, lo, hi float64 }

func statsOf(xs []float64) stats {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return stats{}
	}
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return stats{med: med, lo: s[0], hi: s[n-1]}
}

func seconds(ss []sample) []float64 {
	xs := make([]float64, len(ss))
	for i, s := range ss {
		xs[i] = s.d.Seconds()
	}
	return xs
}

// ratios pairs the i-th runs of two variants, which ran next to each
// other, and returns slow/fast for each pair.
func ratios(fast, slow []sample) []float64 {
	n := min(len(fast), len(slow))
	xs := make([]float64, n)
	for i := 0; i < n; i++ {
		xs[i] = slow[i].d.Seconds() / fast[i].d.Seconds()
	}
	return xs
}

// sh runs a setup command (not measured) and returns its error with its
// output.
func sh(argv ...string) error {
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
