// Package progress draws the --progress bar of zcat, ztee and zcp on a
// terminal: bytes done (of the total, when it is known), the rate, the time
// left, and a note of the command's own ("3/10 files").
//
// It is the project's own rather than schollz/progressbar, which zcp used
// first: that library and its dependencies (colorstring, regexp) run
// package initializers in every process that links them, about 0.12 ms of
// a 0.9 ms start-up here (GODEBUG=inittrace=1), paid by every `zcat f`
// with or without -g. This package has no init work at all, and does
// nothing until a command asks for a bar.
package progress

import (
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Tick is how often the bar is drawn again.
const Tick = 150 * time.Millisecond

// Poll returns how far the work is: bytes done, the total (0 or less when
// unknown), and a note to show after the numbers ("" for none).
type Poll func() (done, total int64, note string)

// Bar is a progress bar on a terminal. Its Write puts diagnostics above
// the bar, so that a message never lands in the middle of it.
type Bar struct {
	mu    sync.Mutex
	f     *os.File
	poll  Poll
	start time.Time
	drawn bool // the terminal's current line holds the bar
	stopC chan struct{}
	done  chan struct{}
	// now and width are the clock and the terminal's width; tests set them.
	now   func() time.Time
	width func() int
}

// New returns a bar drawn on f, or nil when f is not a terminal: a bar in a
// log file or a pipe is only noise.
func New(f *os.File) *Bar {
	if !IsTerminal(f) {
		return nil
	}
	return newBar(f)
}

func newBar(f *os.File) *Bar {
	b := &Bar{f: f, now: time.Now}
	b.width = func() int { return termWidth(f) }
	return b
}

// Start draws the bar every Tick from what poll says, until Stop.
func (b *Bar) Start(poll Poll) {
	b.poll = poll
	b.start = b.now()
	b.stopC = make(chan struct{})
	b.done = make(chan struct{})
	go func() {
		defer close(b.done)
		t := time.NewTicker(Tick)
		defer t.Stop()
		for {
			select {
			case <-b.stopC:
				return
			case <-t.C:
				b.Draw()
			}
		}
	}()
}

// Stop ends the drawing and clears the bar.
func (b *Bar) Stop() {
	if b.stopC != nil {
		close(b.stopC)
		<-b.done
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.clear()
}

// Write writes a diagnostic above the bar; the next tick draws it again.
func (b *Bar) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.clear()
	return b.f.Write(p)
}

func (b *Bar) clear() {
	if b.drawn {
		io.WriteString(b.f, "\r\x1b[K")
		b.drawn = false
	}
}

// Draw draws the bar once, now.
func (b *Bar) Draw() {
	done, total, note := b.poll()
	line := b.Line(done, total, note, b.now().Sub(b.start), b.width())
	b.mu.Lock()
	defer b.mu.Unlock()
	io.WriteString(b.f, "\r"+line+"\x1b[K")
	b.drawn = true
}

// Line renders the bar for done bytes of total (unknown when 0 or less)
// after elapsed, fitted to width columns:
//
//	 42% [==========>              ] 420.0 MiB / 1.0 GiB  210.0 MiB/s  3s left  2/9 files
//	420.0 MiB  210.0 MiB/s
func (b *Bar) Line(done, total int64, note string, elapsed time.Duration, width int) string {
	var rate float64
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(done) / s
	}
	var tail strings.Builder
	tail.WriteString(Size(done))
	if total > 0 {
		total = max(total, done)
		tail.WriteString(" / " + Size(total))
	}
	if rate > 0 {
		tail.WriteString("  " + Size(int64(rate)) + "/s")
	}
	if total > 0 && rate > 0 && done < total {
		left := time.Duration(float64(total-done) / rate * float64(time.Second))
		tail.WriteString("  " + Duration(left) + " left")
	}
	if note != "" {
		tail.WriteString("  " + note)
	}
	if total <= 0 {
		return fit(tail.String(), width)
	}
	pct := int(done * 100 / total)
	head := strconv.Itoa(pct) + "%"
	head = strings.Repeat(" ", 4-len(head)) + head
	// The bar takes what the numbers leave, 10 to 40 columns.
	room := width - 1 - len(head) - 3 - 1 - tail.Len()
	if room < 10 {
		return fit(head+" "+tail.String(), width)
	}
	n := min(room, 40)
	fill := int(int64(n) * done / total)
	bar := strings.Repeat("=", fill)
	if fill < n {
		bar += ">" + strings.Repeat(" ", n-fill-1)
	}
	return head + " [" + bar + "] " + tail.String()
}

// fit cuts s to width-1 columns, so that the terminal never wraps it.
func fit(s string, width int) string {
	if width > 1 && len(s) > width-1 {
		return s[:width-1]
	}
	return s
}

// Size renders a byte count with binary units: "512 B", "1.5 KiB", "3.0 GiB".
func Size(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	v := float64(n)
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	u := -1
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + units[u]
}

// Duration renders a time left in whole seconds, minutes and hours:
// "7s", "2m05s", "1h02m".
func Duration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return strconv.FormatInt(s, 10) + "s"
	case s < 3600:
		return strconv.FormatInt(s/60, 10) + "m" + pad2(s%60) + "s"
	}
	return strconv.FormatInt(s/3600, 10) + "h" + pad2(s/60%60) + "m"
}

func pad2(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}
