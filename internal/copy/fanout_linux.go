package copy

import (
	"os"
	"runtime"

	"github.com/zcopy/zcopy/internal/fdkind"
)

// outMode is how an output of a fan-out from a pipe gets its bytes
// (see the comment at the top of tee_linux.go).
type outMode uint8

const (
	modeTee     outMode = iota + 1 // a pipe: tee(2) from the input
	modeTeePipe                    // not a pipe: tee(2) into an internal pipe, splice(2) out of it
	modeConsume                    // splice(2) from the input, consuming it
	modeWrite                      // write(2) of what the input gave read(2)
)

// output is one destination of a fan-out.
type output struct {
	*file
	i    int
	rep  *OutputReport
	live bool
	// broken is the error that describing the descriptor gave (a closed
	// stdout: EBADF). Like tee, which only finds out when it writes, the
	// output is dropped with it when the first byte is due, not before.
	broken error
	// pos is how far in the input the output has got: bytes of the stream
	// for a pipe input, the file offset for a regular file input.
	pos  int64
	mode outMode
	// methods and mi: the plan of an output fed from a regular file, and
	// the one in use.
	methods []Method
	mi      int
}

// begin starts a new step of o's report, unless o is already on method m.
func (o *output) begin(m Method) {
	if s := o.step; s != nil && s.Refused == nil {
		if s.Method == m {
			return
		}
		if s.Bytes == 0 && s.Calls == 0 {
			// Never used (a tee output elected consumer before its
			// first round): the report shows only what ran.
			s.Method = m
			return
		}
	}
	o.rep.Steps = append(o.rep.Steps, Step{Method: m})
	o.step = &o.rep.Steps[len(o.rep.Steps)-1]
}

// refuse records that o's current method was refused with err.
func (o *output) refuse(err error) {
	if o.step != nil {
		o.step.Refused = err
	}
}

// fan is the state of one fan-out.
type fan struct {
	src  *file
	outs []*output
	opt  FanoutOptions
	stop bool // OnError asked to stop
	buf  *[]byte
}

func fanout(src *os.File, dsts []*os.File, opt FanoutOptions) (*FanoutReport, error) {
	defer runtime.KeepAlive(src)
	defer runtime.KeepAlive(dsts)
	rep := &FanoutReport{Outputs: make([]OutputReport, len(dsts))}
	s, err := newFile(src, nil)
	if err != nil {
		return rep, &Error{Side: Read, Err: err}
	}
	rep.Src = s.info
	f := &fan{src: s, opt: opt}
	for i, d := range dsts {
		o := &output{i: i, rep: &rep.Outputs[i], live: true}
		o.rep.Src = s.info
		df, err := newFile(d, nil)
		if err != nil {
			df = &file{fd: -1}
			o.broken = err
		}
		o.file = df
		o.rep.Dst = df.info
		f.outs = append(f.outs, o)
	}
	defer func() {
		if f.buf != nil {
			putBuf(f.buf)
		}
	}()
	fromFile := s.info.Kind == fdkind.Regular && s.info.SizeTrusted()
	if m := opt.Force; m != None && m != ReadWrite && m != Splice && !fromFile {
		// copy_file_range and sendfile read only files, and mmap maps
		// only files.
		for _, o := range f.outs {
			f.refuse(o, m, ErrNotApplicable)
		}
		return rep, nil
	}
	// One route per source kind, each in its own file: a regular file
	// feeds every output from its own offset (fanout_file_linux.go);
	// a pipe or a stream socket is spliced into an internal pipe whose
	// pages are tee'd and spliced to the outputs, and anything else is
	// read(2) into a buffer and written (fanout_pipe_linux.go).
	switch {
	case fromFile:
		return rep, f.fromFile()
	case (s.info.Kind == fdkind.Pipe || streamSocket(s.info)) && f.anySpliceable():
		// splice reads pipes and stream sockets only (PITFALLS 6).
		p, err := getPipe()
		if err != nil {
			// pipe2 failed (EMFILE): PITFALLS 17, read/write.
			return rep, f.fromPipe(s, nil)
		}
		err = f.fromPipe(s, p)
		putPipe(p)
		return rep, err
	}
	// Terminals, character devices, datagram sockets, procfs files, and
	// sources whose outputs all refuse splice: read(2) into a buffer,
	// write(2) to every output.
	return rep, f.fromPipe(s, nil)
}

// anySpliceable reports whether some output could take pages from a pipe.
func (f *fan) anySpliceable() bool {
	for _, o := range f.outs {
		if o.broken == nil && (f.opt.Force == Splice || plan(pipeInfo, o.info)[0] == Splice) {
			return true
		}
	}
	return false
}

// fail drops o with err and tells opt.OnError.
func (f *fan) fail(o *output, err error) {
	if !o.live {
		return
	}
	o.live = false
	o.rep.Err = err
	if f.opt.OnError != nil && !f.opt.OnError(o.i, err) {
		f.stop = true
	}
}

// refuse drops o because the forced method m cannot serve it.
func (f *fan) refuse(o *output, m Method, err error) {
	o.refuse(err)
	f.fail(o, &RefusedError{Method: m, Src: f.src.info, Dst: o.info, Err: err})
}

// forced reports whether the outputs must not fall back to write(2).
func (f *fan) forced() bool { return f.opt.Force != None && f.opt.Force != ReadWrite }

// failBroken drops the outputs whose descriptor could not be described,
// once there is a byte for them.
func (f *fan) failBroken() {
	for _, o := range f.outs {
		if o.live && o.broken != nil {
			f.fail(o, &Error{Side: Write, Err: o.broken})
		}
	}
}

// running reports whether the fan-out goes on: some output is live and
// nobody asked to stop.
func (f *fan) running() bool {
	if f.stop {
		return false
	}
	for _, o := range f.outs {
		if o.live {
			return true
		}
	}
	return false
}

func (f *fan) buffer() []byte {
	if f.buf == nil {
		f.buf = getBuf()
	}
	return *f.buf
}
