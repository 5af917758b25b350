package main

import (
	"os"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/zcopy/zcopy/internal/progress"
	"github.com/zcopy/zcopy/internal/tree"
)

// bar draws --progress on standard error: bytes copied out of the total
// found so far, the rate, the files done and the time left. A scan of the
// sources runs beside the copy to find the total. Diagnostics go through
// the bar too (it is the copy's standard error), so that a message never
// lands in the middle of it.
type bar struct {
	*progress.Bar
	total atomic.Int64
	files atomic.Int64
	stopC chan struct{}
	wg    sync.WaitGroup
}

// newBar returns a progress bar on stderr, or nil when stderr is not a
// terminal.
func newBar(stderr *os.File) *bar {
	b := progress.New(stderr)
	if b == nil {
		return nil
	}
	return &bar{Bar: b, stopC: make(chan struct{})}
}

// start follows the copy c of cfg's operands.
func (p *bar) start(c *tree.Copier, cfg *config) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tree.Scan(cfg.opt, cfg.ops, p.stopC, func(bytes, files int64) {
			p.total.Store(bytes)
			p.files.Store(files)
		})
	}()
	p.Start(func() (done, total int64, note string) {
		bytes, files := c.Stats()
		total = max(p.total.Load(), bytes, 1)
		return bytes, total, strconv.FormatInt(files, 10) + "/" + strconv.FormatInt(p.files.Load(), 10) + " files"
	})
}

// stop removes the bar once the copy is over.
func (p *bar) stop() {
	close(p.stopC)
	p.wg.Wait()
	p.Stop()
}
