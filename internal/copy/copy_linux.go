package copy

import (
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"

	"github.com/zcopy/zcopy/internal/fdkind"
)

type methodFunc func(dst, src *file, remain int64) (written int64, handled bool, err error)

// The methods are variables so that tests can put faults in their way.
var (
	cfrFn        methodFunc = copyFileRangeMethod
	sendfileFn   methodFunc = sendfileMethod
	spliceFn     methodFunc = spliceMethod
	splicePipeFn methodFunc = splicePipeMethod
	mmapFn       methodFunc = mmapMethod
	readWriteFn  methodFunc = readWriteMethod
)

func (m Method) fn() methodFunc {
	switch m {
	case CopyFileRange:
		return cfrFn
	case Sendfile:
		return sendfileFn
	case Splice:
		return spliceFn
	case SplicePipe:
		return splicePipeFn
	case Mmap:
		return mmapFn
	case ReadWrite:
		return readWriteFn
	}
	return nil
}

// defaultPipeSize is a pipe's capacity when nobody grew it (pipe(7)).
const defaultPipeSize = 64 << 10

func copyFiles(dst, src *os.File, opt Options) (*Report, error) {
	defer runtime.KeepAlive(dst)
	defer runtime.KeepAlive(src)
	s, err := newFile(src, opt.Src)
	if err != nil {
		return &Report{}, &Error{Side: Read, Err: err}
	}
	d, err := newFile(dst, opt.Dst)
	if err != nil {
		return &Report{Src: s.info}, &Error{Side: Write, Err: err}
	}
	return run(d, s, opt)
}

// run drives the plan: each method in turn until one finishes the copy;
// a refused method hands over at the exact byte where it stopped.
func run(d, s *file, opt Options) (*Report, error) {
	r := &Report{Src: s.info, Dst: d.info}
	d.progress = opt.Progress
	methods := opt.Methods
	switch {
	case len(methods) > 0:
	case opt.Force != None:
		if methods = forcedPlan(s.info, d.info, opt.Force); methods == nil {
			r.Steps = []Step{{Method: opt.Force, Refused: ErrNotApplicable}}
			return r, &RefusedError{Method: opt.Force, Src: s.info, Dst: d.info, Err: ErrNotApplicable}
		}
	default:
		methods = plan(s.info, d.info)
	}
	remain := int64(math.MaxInt64)
	if opt.Limit > 0 {
		remain = opt.Limit
	}
	// mmap writes in windows of several MiB: a grown pipe serves it as
	// it serves splice.
	if methods[0] != ReadWrite && !small(s.info, remain) {
		if s.info.Kind == fdkind.Pipe {
			growPipe(s.fd)
		}
		if d.info.Kind == fdkind.Pipe {
			growPipe(d.fd)
		}
	}
	r.Steps = make([]Step, 0, len(methods))
	for i, m := range methods {
		fn := m.fn()
		if fn == nil {
			continue
		}
		r.Steps = append(r.Steps, Step{Method: m})
		st := &r.Steps[len(r.Steps)-1]
		s.step, d.step = st, st
		w, handled, err := fn(d, s, remain)
		st.Bytes += w
		remain -= w
		var rf *refusal
		if errors.As(err, &rf) {
			st.Refused = rf.err
			if remain <= 0 {
				// Refused just as it reached the limit: done.
				return r, nil
			}
			if i < len(methods)-1 {
				continue
			}
			// The last method was refused: nothing else can try.
			if opt.Force != None {
				return r, &RefusedError{Method: opt.Force, Src: s.info, Dst: d.info, Err: rf.err}
			}
			return r, &Error{Side: sideOf(rf.err, s, d), Err: os.NewSyscallError(m.syscallName(), rf.err)}
		}
		if err != nil || handled || remain <= 0 {
			return r, err
		}
	}
	// Only Options.Methods can get here: none of them is a copying method.
	return r, &Error{Side: Read, Err: fmt.Errorf("copy: no method of %v can copy", methods)}
}

// syscallName names the system call behind m, for errors.
func (m Method) syscallName() string {
	switch m {
	case SplicePipe:
		return "splice"
	case ReadWrite:
		return "read"
	case Reflink:
		return "ioctl_ficlone"
	case Mmap:
		return "mmap"
	}
	return m.String()
}

// small reports whether a source is known to hold no more than a default
// pipe's worth, so that growing pipes would cost more than it saves.
func small(src fdkind.Info, remain int64) bool {
	return remain <= defaultPipeSize || (src.SizeTrusted() && src.Size <= defaultPipeSize)
}

func mappedFile(src *os.File, visit func(p []byte) error) (int64, error) {
	defer runtime.KeepAlive(src)
	s, err := newFile(src, nil)
	if err != nil {
		return 0, &Error{Side: Read, Err: err}
	}
	return mapped(s, visit)
}
