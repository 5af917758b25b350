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

// A job is work for a worker: the items of one large file, or of a
// batch of small ones, each with its work, done in order. The items share
// one done channel, closed when all of them are done.
type job struct {
	items []*item
	runs  []func(*item)
	done  chan struct{}
}

// pool is the workers and the sequencer. The walk queues every item on
// seq, and the work of the items that have any on jobs. Neither queue
// waits on the other (workers never wait for the sequencer; the sequencer
// waits only for work already handed to a worker), so a full queue only
// slows the walk down.
//
// Handing work over costs a wake-up of the goroutine that takes it, a few
// microseconds, as much as a small file's copy: small files go to the
// workers in batches, and the sequencer, which waits for a batch as a
// whole, sleeps through the rest of it. The walk holds back a batch, and
// the items that follow it, until the batch is full and goes to a worker;
// before a large file, and when the walk has to wait for everything
// anyway (the end, a prompt), it copies the batch itself. An item whose
// work is done when nothing queued waits is retired by the walk at once.
// The goroutines start with the first work they get: a copy of one small
// file starts none.
type pool struct {
	c        *Copier
	seq      chan *item
	jobs     chan job
	workers  sync.WaitGroup
	nworkers int
	seqDone  chan struct{}
	inline   bool
	files    atomic.Int64 // regular files retired, for --progress
	inflight inflight
	lineOut  bool // standard output is a terminal: flush every message
	// pending counts the items on seq not yet retired. Only the walk
	// adds to it, and the sequencer takes an item off only once it is
	// retired: when the walk sees 0, the sequencer is idle and everything
	// queued is printed, so the walk may retire an item itself.
	pending atomic.Int64
	// batch is the small files not yet handed to a worker, batchBytes
	// their size, and held the items of the walk from the batch's first
	// on, batch and others, not yet queued on seq: the sequencer never
	// waits for work that no worker has.
	batch      job
	batchBytes int64
	held       []*item
}

// The limits of the work handed to a worker at once: files smaller than
// batchBelow go in batches of up to batchFiles items of the walk (files
// and what lies between them) or batchBytes bytes; larger files go alone.
// Measured on 2 shared CPUs with 10,000 files of 0-8 KiB on a fresh ext4
// (the tree of make bench), medians of 9-11 interleaved runs: batches of
// 8 to 256 files took the same time within the noise, 10-15 % less than
// one file at a time, with a third of the futex calls; copying the small
// files in the walk itself, with no hand-over at all, took 1.7 times as
// long (and was slower than cp -r): a Go program spends more CPU per
// system call than cp, and only the workers' parallelism makes up for it.
const (
	batchBelow = 1 << 20
	batchFiles = 32
	batchBytes = 1 << 20
)

// seqWindow is how many items may wait for the sequencer: enough to keep
// every worker busy while one large file holds the head of the queue,
// small enough that the queue's memory does not matter.
const seqWindow = 1024

func newPool(c *Copier, workers int) *pool {
	return &pool{
		c:        c,
		nworkers: workers,
		inline:   workers <= 1,
		lineOut:  c.opt.Verbose && isTerminal(c.io.Stdout),
	}
}

func (p *pool) work() {
	defer p.workers.Done()
	for j := range p.jobs {
		j.run()
	}
}

// hand gives a job to a worker, starting the workers the first time.
func (p *pool) hand(j job) {
	if p.jobs == nil {
		p.jobs = make(chan job, p.nworkers)
		for i := 0; i < p.nworkers; i++ {
			p.workers.Add(1)
			go p.work()
		}
	}
	p.jobs <- j
}

// sequence retires the items queued on seq, in walk order.
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
		p.retire(it)
		if it.barrier != nil {
			c.out.Flush()
			close(it.barrier)
		}
		if len(p.seq) == 0 {
			// Nothing else is ready: show what there is.
			c.out.Flush()
		}
		// Last: from here on the walk may retire items itself.
		p.pending.Add(-1)
	}
}

// retire runs an item's commit and prints its messages.
func (p *pool) retire(it *item) {
	c := p.c
	if it.commit != nil {
		it.commit(it)
	}
	if len(it.stdout) > 0 {
		c.out.Write(it.stdout)
		c.outPending = true
	}
	if len(it.stderr) > 0 {
		// Diagnostics follow everything printed before them, as
		// they would from a process that writes as it goes.
		c.out.Flush()
		c.outPending = false
		c.io.Stderr.Write(it.stderr)
	}
	if it.failed {
		c.Fail()
	}
	if it.file {
		p.files.Add(1)
	}
}

// add takes an item whose work is finished, in walk order: held back
// behind a batch, queued behind items that wait, or retired at once.
func (p *pool) add(it *item) {
	if p.batch.done != nil {
		p.hold(it)
		return
	}
	p.queueOrRetire(it)
}

// queueOrRetire queues an item for the sequencer, or retires it at once
// when nothing queued waits: it is then next in walk order. Messages
// retired here go to a terminal at once; otherwise they stay in the
// buffer, as stdio's for a pipe or a file, until it fills, a diagnostic
// comes, a large file is copied or waited for, or the copy ends.
func (p *pool) queueOrRetire(it *item) {
	if p.pending.Load() != 0 || (it.done != nil && !closed(it.done)) {
		p.queue(it)
		return
	}
	p.retire(it)
	if p.lineOut && len(it.stdout) > 0 {
		p.c.out.Flush()
	}
}

func closed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// queue puts an item on seq, starting the sequencer the first time.
func (p *pool) queue(it *item) {
	if p.seq == nil {
		p.seq = make(chan *item, seqWindow)
		p.seqDone = make(chan struct{})
		go p.sequence()
	}
	p.pending.Add(1)
	p.seq <- it
}

// hold keeps an item behind the batch; a full batch goes to a worker.
func (p *pool) hold(it *item) {
	p.held = append(p.held, it)
	if len(p.held) >= batchFiles || p.batchBytes >= batchBytes {
		p.dispatch()
	}
}

// run does an item's work, the copy of a regular file of size bytes: at
// once in the walk when there are no workers, else on a worker, in a
// batch when the file is small.
func (p *pool) run(it *item, size int64, fn func(*item)) {
	if p.inline {
		if size >= batchBelow && p.pending.Load() == 0 {
			// Show what is done before a slow file, as the
			// sequencer does.
			p.c.out.Flush()
		}
		fn(it)
		p.add(it)
		return
	}
	if size >= batchBelow {
		// The small files before it are copied first, here: a large
		// file is not worth the wait a batch's hand-over costs, and
		// racing it could let the large one take the space the
		// earlier ones need (cp copies in order).
		p.runBatch()
		done := make(chan struct{})
		it.done = done
		p.queue(it)
		p.hand(job{items: []*item{it}, runs: []func(*item){fn}, done: done})
		return
	}
	if p.batch.done == nil {
		p.batch = job{
			items: make([]*item, 0, batchFiles),
			runs:  make([]func(*item), 0, batchFiles),
			done:  make(chan struct{}),
		}
	}
	it.done = p.batch.done
	p.batch.items = append(p.batch.items, it)
	p.batch.runs = append(p.batch.runs, fn)
	p.batchBytes += size
	p.hold(it)
}

// dispatch hands the batch of small files to a worker and queues the
// items held behind it.
func (p *pool) dispatch() {
	if p.batch.done == nil {
		return
	}
	for _, it := range p.held {
		p.queue(it)
	}
	p.hand(p.batch)
	p.endBatch()
}

// runBatch copies the batch of small files in the walk, and retires or
// queues the items held behind it.
func (p *pool) runBatch() {
	if p.batch.done == nil {
		return
	}
	p.batch.run()
	for _, it := range p.held {
		p.queueOrRetire(it)
	}
	p.endBatch()
}

func (p *pool) endBatch() {
	clear(p.held)
	p.held = p.held[:0]
	p.batch = job{}
	p.batchBytes = 0
}

// run does the work of a job's items, in order, and says it is done.
func (j *job) run() {
	for i, it := range j.items {
		j.runs[i](it)
	}
	close(j.done)
}

// wait returns once every item queued so far is retired and printed.
func (p *pool) wait() {
	p.runBatch()
	if p.pending.Load() == 0 {
		p.c.out.Flush()
		return
	}
	b := make(chan struct{})
	p.queue(&item{c: p.c, barrier: b})
	<-b
}

// close waits for everything queued and stops the goroutines.
func (p *pool) close() {
	p.runBatch()
	if p.jobs != nil {
		close(p.jobs)
	}
	if p.seq != nil {
		close(p.seq)
		<-p.seqDone
	}
	p.workers.Wait()
}

// newItem starts an item of the walk.
func (c *Copier) newItem() *item { return &item{c: c} }
