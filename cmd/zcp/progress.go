package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/zcopy/zcopy/internal/tree"
)

// progress draws --progress on standard error: bytes copied out of the
// total found so far, the rate, the files done and the time left. A scan
// of the sources runs beside the copy to find the total. Diagnostics go
// through it too (it is the copy's standard error), so that a message
// never lands in the middle of the bar: the bar is cleared before it and
// drawn again at the next tick.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	bar   *progressbar.ProgressBar
	total atomic.Int64
	files atomic.Int64
	c     *tree.Copier
	stopC chan struct{}
	wg    sync.WaitGroup
}

// tick is how often the bar is drawn again.
const tick = 150 * time.Millisecond

// newProgress returns a progress bar on stderr, or nil when stderr is not
// a terminal: a bar in a log file or a pipe is only noise.
func newProgress(stderr *os.File) *progress {
	if !term.IsTerminal(int(stderr.Fd())) {
		return nil
	}
	p := &progress{w: stderr, stopC: make(chan struct{})}
	p.bar = progressbar.NewOptions64(1,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetWidth(25),
		progressbar.OptionFullWidth(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetDescription("0/0 files"),
	)
	return p
}

// Write writes a diagnostic above the bar.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bar.Clear()
	return p.w.Write(b)
}

// start follows the copy c of cfg's operands.
func (p *progress) start(c *tree.Copier, cfg *config) {
	p.c = c
	p.wg.Add(2)
	go func() {
		defer p.wg.Done()
		tree.Scan(cfg.opt, cfg.ops, p.stopC, func(bytes, files int64) {
			p.total.Store(bytes)
			p.files.Store(files)
		})
	}()
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-p.stopC:
				return
			case <-t.C:
				p.draw()
			}
		}
	}()
}

func (p *progress) draw() {
	bytes, files := p.c.Stats()
	total := p.total.Load()
	if total < bytes {
		total = bytes
	}
	if total < 1 {
		total = 1
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar.GetMax64() != total {
		p.bar.ChangeMax64(total)
	}
	p.bar.Describe(fmt.Sprintf("%d/%d files", files, p.files.Load()))
	p.bar.Set64(bytes)
}

// stop removes the bar once the copy is over.
func (p *progress) stop() {
	close(p.stopC)
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bar.Clear()
	p.bar.Exit()
}
