package tree

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/zcopy/zcopy/internal/cli"
)

// An item is one step of the walk: a file to copy, a link or directory
// made, a diagnostic. The sequencer retires items in the order the walk
// queued them.
type item struct {
	c    *Copier
	done chan struct{} // closed when a worker has finished; nil if queued finished
	// commit, when not nil, runs on the sequencer once every earlier item
	// is retired: work that depends on earlier work (a hard link to a file
	// being copied, a directory's attributes after its contents).
	commit  func(*item)
	stdout  []byte
	stderr  []byte
	failed  bool
	file    bool  // counts as a file retired, for --progress
	bytes   int64 // data bytes copied, for --progress
	barrier chan struct{}
}

// printf adds a line (or lines) for standard output.
func (it *item) printf(format string, a ...any) {
	it.stdout = fmt.Appendf(it.stdout, format, a...)
}

// errorf adds a diagnostic, "prog: text\n", and marks the item failed.
func (it *item) errorf(format string, a ...any) {
	it.warnf(format, a...)
	it.failed = true
}

// warnf adds a diagnostic that does not change the exit status.
func (it *item) warnf(format string, a ...any) {
	it.stderr = fmt.Appendf(it.stderr, "%s: ", it.c.io.Prog)
	it.stderr = fmt.Appendf(it.stderr, format, a...)
	it.stderr = append(it.stderr, '\n')
}

// errnof adds a diagnostic followed by the errno's text, as GNU's
// error(0, errno, ...) does, and marks the item failed.
func (it *item) errnof(err error, format string, a ...any) {
	it.warnErrnof(err, format, a...)
	it.failed = true
}

// warnErrnof is errnof without changing the exit status.
func (it *item) warnErrnof(err error, format string, a ...any) {
	it.warnf(format+": %s", append(a, cli.Strerror(err))...)
}

// errnoIf is errnof when fail is set, warnErrnof otherwise.
func (it *item) errnoIf(fail bool, err error, format string, a ...any) {
	it.warnErrnof(err, format, a...)
	if fail {
		it.failed = true
	}
}

// A job is the work of one item, done by a worker.
type job struct {
	it  *item
	run func(*item)
}

// pool is the workers and the sequencer. The walk queues every item on
// seq, and the work of the items that have any on jobs. Neither queue
// waits on the other (workers never wait for the sequencer; the sequencer
// waits only for work already queued), so a full queue only slows the
// walk down.
type pool struct {
	c        *Copier
	seq      chan *item
	jobs     chan job
	workers  sync.WaitGroup
	seqDone  chan struct{}
	inline   bool
	files    atomic.Int64 // regular files retired, for --progress
	inflight inflight
}

// seqWindow is how many items may wait for the sequencer: enough to keep
// every worker busy while one large file holds the head of the queue,
// small enough that the queue's memory does not matter.
const seqWindow = 1024

func newPool(c *Copier, workers int) *pool {
	p := &pool{
		c:       c,
		seq:     make(chan *item, seqWindow),
		seqDone: make(chan struct{}),
		inline:  workers <= 1,
	}
	if !p.inline {
		p.jobs = make(chan job, workers)
		for i := 0; i < workers; i++ {
			p.workers.Add(1)
			go p.work()
		}
	}
	go p.sequence()
	return p
}

func (p *pool) work() {
	defer p.workers.Done()
	for j := range p.jobs {
		j.run(j.it)
		close(j.it.done)
	}
}

// sequence retires the items in walk order.
func (p *pool) sequence() {
	defer close(p.seqDone)
	c := p.c
	for it := range p.seq {
		if it.done != nil {
			select {
			case <-it.done:
			default:
				// Show what is done before waiting for a slow file.
				c.out.Flush()
				<-it.done
			}
		}
		if it.commit != nil {
			it.commit(it)
		}
		if len(it.stdout) > 0 {
			c.out.Write(it.stdout)
		}
		if len(it.stderr) > 0 {
			// Diagnostics follow everything printed before them, as
			// they would from a process that writes as it goes.
			c.out.Flush()
			c.io.Stderr.Write(it.stderr)
		}
		if it.failed {
			c.Fail()
		}
		if it.file {
			p.files.Add(1)
		}
		if it.barrier != nil {
			c.out.Flush()
			close(it.barrier)
		}
		if len(p.seq) == 0 {
			// Nothing else is ready: show what there is.
			c.out.Flush()
		}
	}
}

// add queues an item whose work is finished.
func (p *pool) add(it *item) {
	p.seq <- it
}

// run queues an item with work for a worker, or does the work at once
// when there are no workers.
func (p *pool) run(it *item, fn func(*item)) {
	if p.inline {
		fn(it)
		p.seq <- it
		return
	}
	it.done = make(chan struct{})
	p.seq <- it
	p.jobs <- job{it: it, run: fn}
}

// wait returns once every item queued so far is retired and printed.
func (p *pool) wait() {
	b := make(chan struct{})
	p.seq <- &item{c: p.c, barrier: b}
	<-b
}

// close waits for everything queued and stops the goroutines.
func (p *pool) close() {
	if p.jobs != nil {
		close(p.jobs)
	}
	close(p.seq)
	<-p.seqDone
	p.workers.Wait()
}

// newItem starts an item of the walk.
func (c *Copier) newItem() *item { return &item{c: c} }
