package copy

import (
	"errors"
	"math"
	"os"
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/fdkind"
)

// fileCopy is one CopyFile: the two ends, the options, the report being
// built, and the methods still worth trying for data.
type fileCopy struct {
	dst, src *file
	opt      FileOptions
	r        *FileReport
	refused  uint64 // bit m: method m was refused earlier in this copy
	avoided  bool   // the options ruled copy_file_range out
	// srcBlocks is the source's st_blocks when the caller knew it, or -1.
	srcBlocks int64
	// atStart says that both offsets are still 0, as the caller opened
	// the files: the first seek to 0 can be left out.
	atStart bool
}

func newFileReport() *FileReport {
	r := &FileReport{CopyOffload: DebugUnknown, ReflinkStatus: DebugUnknown, Sparse: DebugUnknown}
	// Room for a refused clone, the copy and a fallback, without growing.
	r.Steps = r.stepsBuf[:0]
	return r
}

func copyFile(dst, src *os.File, opt FileOptions) (*FileReport, error) {
	defer runtime.KeepAlive(dst)
	defer runtime.KeepAlive(src)
	r := newFileReport()
	s, err := newFile(src, nil)
	if err != nil {
		return r, &Error{Side: Read, Err: err}
	}
	r.Src = s.info
	d, err := newFile(dst, nil)
	if err != nil {
		return r, &Error{Side: Write, Err: err}
	}
	r.Dst = d.info
	c := &fileCopy{dst: d, src: s, opt: opt, r: r, srcBlocks: -1}
	return r, c.copy()
}

// copy runs the copy and fills in the report's summary.
func (c *fileCopy) copy() error {
	err := c.run()
	c.summarize()
	return err
}

func (c *fileCopy) run() error {
	if f := c.opt.Force; f != None && f != ReadWrite && c.opt.Sparse == SparseAlways {
		return &RefusedError{Method: f, Src: c.src.info, Dst: c.dst.info, Err: ErrNotApplicable}
	}
	if c.opt.Reflink == ReflinkNever || c.opt.Force != None {
		c.r.ReflinkStatus = DebugNo
	} else if done, err := c.clone(); done || err != nil {
		return err
	}
	s, d := c.src, c.dst
	if d.info.Kind != fdkind.Regular || d.info.Append {
		// A destination that cannot have holes (a device, a FIFO) or
		// whose writes all go to its end gets the bytes in order.
		c.r.Sparse = DebugNo
		_, err := c.copyRange(0, -1, c.dataPlan())
		return err
	}
	if s.info.Kind == fdkind.Regular && s.info.SizeTrusted() && s.info.Size > 0 {
		sparse, err := c.srcLooksSparse()
		if err != nil {
			return err
		}
		if sparse {
			// SEEK_DATA and SEEK_HOLE move the source's offset.
			c.atStart = false
			e, ok, err := nextData(s, 0, s.info.Size)
			switch {
			case err == nil:
				return c.copyExtents(e, ok, s.info.Size)
			case err == unix.EINVAL || err == unix.EOPNOTSUPP:
				// No SEEK_DATA here: GNU cp then looks for
				// zeros, unless told to keep none.
				if c.opt.Sparse != SparseNever {
					return c.copyZeros()
				}
			default:
				return newError(Read, "lseek", err)
			}
		}
	}
	if c.opt.Sparse == SparseAlways {
		return c.copyZeros()
	}
	c.r.Sparse = DebugNo
	_, err := c.copyRange(0, -1, c.dataPlan())
	return err
}

// clone tries FICLONE. done is true when nothing else is to run: the
// clone worked, or it failed for good.
func (c *fileCopy) clone() (done bool, err error) {
	st := c.step(Reflink)
	w, _, err := reflinkFn(c.dst, c.src, math.MaxInt64)
	st.Bytes += w
	rf, ok := err.(*refusal) // what reflinkMethod returns; errors.As costs more
	if !ok && err != nil {
		ok = errors.As(err, &rf)
	}
	if ok {
		st.Refused = rf.err
		c.r.ReflinkStatus = DebugUnsupported
		if c.opt.Reflink == ReflinkAlways {
			return true, newError(Write, "ioctl_ficlone", rf.err)
		}
		return false, nil
	}
	if err != nil {
		return true, err
	}
	c.r.Reflinked = true
	c.r.ReflinkStatus = DebugYes
	return true, nil
}

// dataPlan is the engine's plan for the pair, without copy_file_range
// under ReflinkNever: it shares extents on btrfs, xfs and NFS whenever it
// can (PITFALLS 2), and GNU cp avoids it for --reflink=never.
func (c *fileCopy) dataPlan() []Method {
	if c.opt.Force != None {
		return forcedPlan(c.src.info, c.dst.info, c.opt.Force)
	}
	p := plan(c.src.info, c.dst.info)
	if c.opt.Reflink != ReflinkNever {
		return p
	}
	c.avoided = true
	if p[0] != CopyFileRange {
		return p
	}
	return p[1:]
}

// holePlan copies a source hole as the zeros it reads as (SparseNever):
// sendfile and read/write write every byte. copy_file_range would not: on
// btrfs and xfs it clones the hole as a hole.
var holePlan = []Method{Sendfile, ReadWrite}

// srcLooksSparse asks fstat for st_blocks, which fdkind.Info does not keep,
// unless the caller said it.
func (c *fileCopy) srcLooksSparse() (bool, error) {
	if c.srcBlocks >= 0 {
		return looksSparse(c.srcBlocks, c.src.info.Size), nil
	}
	var st unix.Stat_t
	if err := ignoringEINTR(func() error { return unix.Fstat(c.src.fd, &st) }); err != nil {
		return false, newError(Read, "fstat", err)
	}
	return looksSparse(st.Blocks, st.Size), nil
}

// copyExtents copies a source with holes, extent by extent, from its first
// data extent e (ok false: the file is one hole) to size. Data extents go
// through the engine's driver; holes are skipped (SparseAuto), skipped and
// punched (SparseAlways) or written (SparseNever). A source that shrinks
// while copied ends the copy where its data ended, as in GNU cp.
func (c *fileCopy) copyExtents(e extent, ok bool, size int64) error {
	c.r.Sparse = SparseSeekHole
	if c.opt.Sparse == SparseAlways {
		c.r.Sparse = SparseSeekZeros
		c.avoided = true
	}
	data := c.dataPlan()
	var pos int64 // everything below pos is in dst, or a hole there
	for ok {
		if e.off > pos {
			n, err := c.hole(pos, e.off)
			pos += n
			if err != nil || pos < e.off {
				return c.finish(pos, err)
			}
		}
		var n int64
		var err error
		if c.opt.Sparse == SparseAlways {
			n, err = c.zeros(e.off, e.end-e.off)
		} else {
			n, err = c.copyRange(e.off, e.end, data)
		}
		pos = e.off + n
		if err != nil || pos < e.end {
			return c.finish(pos, err)
		}
		e, ok, err = nextData(c.src, pos, size)
		if err != nil {
			return newError(Read, "lseek", err)
		}
	}
	if pos < size {
		// A source that shrank in its final hole (or while its last
		// extent was found) ends where it ends now, not at the size it
		// had at the start.
		var st unix.Stat_t
		if err := ignoringEINTR(func() error { return unix.Fstat(c.src.fd, &st) }); err != nil {
			return newError(Read, "fstat", err)
		}
		size = max(pos, min(size, st.Size))
	}
	n, err := c.hole(pos, size)
	return c.finish(pos+n, err)
}

// hole deals with the source hole [off, end) and returns how much of it is
// done: all of it, unless SparseNever met a source that shrank.
func (c *fileCopy) hole(off, end int64) (int64, error) {
	switch {
	case off >= end:
		return 0, nil
	case c.opt.Sparse == SparseNever:
		if c.opt.Force != None {
			return c.copyRange(off, end, c.dataPlan())
		}
		return c.copyRange(off, end, holePlan)
	case c.opt.Sparse == SparseAlways:
		if err := punchHole(c.dst, off, end-off); err != nil {
			return 0, newError(Write, "fallocate", err)
		}
	}
	c.r.Holes += end - off
	return end - off, nil
}

// finish gives dst its final size, size, unless err already ended the
// copy: a trailing hole, or zeros seeked over at the end, leave dst short.
func (c *fileCopy) finish(size int64, err error) error {
	if err != nil {
		return err
	}
	if err := ignoringEINTR(func() error { return unix.Ftruncate(c.dst.fd, size) }); err != nil {
		return newError(Write, "ftruncate", err)
	}
	return nil
}

// copyZeros copies a whole source looking for zeros (SparseAlways on a
// source without holes to find, or without SEEK_DATA).
func (c *fileCopy) copyZeros() error {
	c.r.Sparse = SparseZeros
	c.avoided = true
	n, err := c.zeros(0, math.MaxInt64)
	return c.finish(n, err)
}

// zeros copies [off, off+n) (or to EOF) with zeroScan and returns how far
// it got.
func (c *fileCopy) zeros(off, n int64) (int64, error) {
	if err := c.seekBoth(off); err != nil {
		return 0, err
	}
	st := c.step(ReadWrite)
	data, holes, err := zeroScan(c.dst, c.src, off, n, c.dst.info.Blksize, true)
	st.Bytes += data
	c.r.Holes += holes
	return data + holes, err
}

// copyRange copies [off, end) of src to the same range of dst with the
// engine's driver and methods, which hand over to one another at the exact
// byte, and returns how many bytes it copied: fewer than asked only when
// src ended first. end < 0 means to EOF.
func (c *fileCopy) copyRange(off, end int64, methods []Method) (int64, error) {
	var limit int64
	if end >= 0 {
		limit = end - off
		if limit <= 0 {
			return 0, nil
		}
	}
	if err := c.seekBoth(off); err != nil {
		return 0, err
	}
	if len(methods) == 0 {
		// forcedPlan found the forced method inapplicable.
		return 0, &RefusedError{Method: c.opt.Force, Src: c.src.info, Dst: c.dst.info, Err: ErrNotApplicable}
	}
	rep, err := run(c.dst, c.src, Options{Limit: limit, Methods: c.live(methods), Force: c.opt.Force})
	c.merge(rep.Steps)
	return rep.Bytes(), err
}

// live drops from methods those the kernel refused earlier in this copy:
// a pair that refused copy_file_range with EXDEV refuses it for every
// extent. The last method, read/write, always stays.
func (c *fileCopy) live(methods []Method) []Method {
	if c.refused == 0 {
		return methods
	}
	out := make([]Method, 0, len(methods))
	for i, m := range methods {
		if i == len(methods)-1 || c.refused&(1<<m) == 0 {
			out = append(out, m)
		}
	}
	return out
}

// merge adds the driver's steps to the report, one step per method.
func (c *fileCopy) merge(steps []Step) {
	for _, s := range steps {
		st := c.step(s.Method)
		st.Bytes += s.Bytes
		st.Calls += s.Calls
		st.ViaUser += s.ViaUser
		if s.Refused != nil {
			st.Refused = s.Refused
			c.refused |= 1 << s.Method
		}
	}
}

// step returns the report's step for m, adding it if m has not run yet,
// and makes both ends count their calls there. The pointer is good until
// the next step is added.
func (c *fileCopy) step(m Method) *Step {
	steps := c.r.Steps
	i := 0
	for i < len(steps) && steps[i].Method != m {
		i++
	}
	if i == len(steps) {
		c.r.Steps = append(c.r.Steps, Step{Method: m})
	}
	st := &c.r.Steps[i]
	c.src.step, c.dst.step = st, st
	return st
}

// seekBoth puts both offsets at off, where either end is a regular file
// (a pipe has no offset; a device's does not matter).
func (c *fileCopy) seekBoth(off int64) error {
	if c.atStart {
		c.atStart = false
		if off == 0 {
			c.src.pos, c.src.posKnown = 0, c.src.info.Kind == fdkind.Regular
			return nil
		}
	}
	if c.src.info.Kind == fdkind.Regular {
		c.src.posKnown = false
		if _, err := seekFn(c.src, off, unix.SEEK_SET); err != nil {
			return newError(Read, "lseek", err)
		}
		c.src.pos, c.src.posKnown = off, true
	}
	if c.dst.info.Kind == fdkind.Regular {
		if _, err := seekFn(c.dst, off, unix.SEEK_SET); err != nil {
			return newError(Write, "lseek", err)
		}
	}
	return nil
}

// summarize fills in what GNU cp --debug says about copy_file_range.
func (c *fileCopy) summarize() {
	r := c.r
	if r.Reflinked {
		return
	}
	for _, s := range r.Steps {
		if s.Method != CopyFileRange {
			continue
		}
		switch {
		case s.Bytes > 0:
			r.CopyOffload = DebugYes
		case s.Refused != nil && !errors.Is(s.Refused, errNoData):
			r.CopyOffload = DebugUnsupported
		}
		return
	}
	if c.avoided {
		r.CopyOffload = DebugAvoided
	}
}
