package copy

// Fan-out from a pipe: every output gets the stream's bytes in order, none
// skipped, none twice, while the pages are duplicated (tee) or moved
// (splice) and never copied to user space, except for the outputs that
// refuse them.
//
// tee(2) duplicates the pages at the head of a pipe into another pipe
// without consuming them; it always starts at the head, it may duplicate
// fewer bytes than asked (the output has no more room), and it returns 0
// when the input is empty and has no writer (PITFALLS 14).
//
// State. in is the pipe everything is read from: an internal pipe that
// splice(2) fills from the source (stdin's pipe, or a stream socket) each
// time it is empty. Consuming the source at once, rather than teeing from
// it and consuming it only when every output has the bytes, lets the
// writer on the other side refill it while the outputs take in's bytes
// (make bench: ztee rows). Without an output that takes pages from a pipe,
// in is the source itself, read with read(2). base counts the bytes
// consumed from in, so in holds the stream's bytes [base, base+len(in)).
// Each output o has pos(o), the bytes it has been given, and a mode:
//
//	tee      o is a pipe; tee(in, o) gives it in's head.
//	teepipe  o is not a pipe; tee(in, tmp), then splice(tmp, o) until
//	         tmp, an internal pipe, is empty.
//	consume  splice(in, o) moves in's head into o: pos(o) == base. At most
//	         one output, the last non-pipe (else pipe) that takes splice,
//	         and none while an output is in write mode.
//	write    o refuses splice (O_APPEND, terminal, /dev/full, the pipe in
//	         itself): it takes write(2) of what read(2) consumes from in.
//
// Invariant: base <= pos(o) for every output.
//
//	loop:
//		if in is internal and empty:
//			splice(source, in)                 // 0: end of input
//		for each tee or teepipe output o with pos(o) == base:
//			n = tee(in, o or tmp, max)         // in's head: [base, base+n)
//			if n == 0: end of input
//			teepipe: splice(tmp, o) until tmp is empty
//			pos(o) += n
//		k = min(pos(o) - base) over tee and teepipe outputs  // all have these
//		if a consumer c: n = splice(in, c, k)
//		else:            n = read(in, buf, k)
//		                 for each write output o:
//		                         write(o, buf[pos(o)-base : n]) if pos(o) < base+n
//		base += n
//
// Hazards, and how the loop avoids them:
//
//   - An output that got less than the others (its pipe was full) is
//     ahead of base by less; the others are ahead of it. tee cannot skip
//     bytes, so only outputs at base are tee'd; the ones ahead wait
//     (without blocking anyone) until consumption reaches their pos.
//   - Consuming a byte that some output has not got would lose it: at
//     most k bytes are consumed, k the least that every output has.
//   - tmp is drained before each tee into it: zcopy is its only reader, so a
//     tee into a full tmp would wait for itself forever. An internal in is
//     refilled only when empty, and never tee'd, spliced or read when empty,
//     for the same reason (zcopy is its only writer).
//   - An output that is the source's own pipe ("ztee /dev/stdin" on a
//     pipe) is fed as tee(1) feeds it: its bytes come back as input.
//   - A tee blocks only while its output is full, and takes no more than
//     the output has room for. The slowest output sets the pace, as with
//     tee(1), and a reader that alternates between outputs (paste <(...)
//     <(...)) is never left without data while zcopy waits on another.
//   - EAGAIN from nonblocking descriptors: both ends are polled, since a
//     nonblocking in makes tee return EAGAIN also when the output, a
//     blocking one, is full; polling only in would spin.
//   - Memory: the bytes live in pipes (in, the outputs', one tmp) and, for
//     write outputs only, one 128 KiB buffer; nothing else is queued.
//
// stdin is read by zcopy alone: another reader of the same pipe takes bytes
// that the outputs then miss, as it would from tee(1).

import (
	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/fdkind"
)

// pipeFan is a fan-out through an internal pipe, or, with no output able
// to take pages from a pipe, from anything read(2) reads.
type pipeFan struct {
	*fan
	in *file // what the outputs are fed from
	// inp is in when in is an internal pipe, filled from src by splice;
	// inp.data is the number of bytes it holds. nil: in is src, read
	// with read(2).
	inp  *pipe
	inW  *file
	base int64
	tmp  *pipe // for teepipe outputs; empty between two uses
	cons *output
}

// fromPipe fans s out. With inp not nil, s is a pipe or a stream socket
// that splice moves into inp, which is fanned out; with inp nil, the
// outputs take write(2) of what read(2) gives.
func (f *fan) fromPipe(s *file, inp *pipe) error {
	p := &pipeFan{fan: f, in: s, inp: inp}
	if inp != nil {
		p.in = &file{fd: inp.r, info: pipeInfo}
		p.inW = &file{fd: inp.w, info: pipeInfo}
	}
	if s.info.Kind == fdkind.Pipe {
		// A larger stdin lets its writer run longer between two
		// refills (PITFALLS 13).
		growPipe(s.fd)
	}
	for _, o := range f.outs {
		switch {
		case o.broken != nil:
		case inp != nil && (f.opt.Force == Splice || f.opt.Force == None && plan(pipeInfo, o.info)[0] == Splice):
			// A forced splice is tried on every output: the kernel
			// has the last word.
			o.mode = teeMode(o)
			o.begin(Tee)
			if o.info.Kind == fdkind.Pipe {
				growPipe(o.fd)
			}
		case f.forced():
			f.refuse(o, f.opt.Force, ErrNotApplicable)
		default:
			o.mode = modeWrite
			o.begin(ReadWrite)
		}
	}
	defer func() {
		if p.tmp != nil {
			putPipe(p.tmp)
		}
	}()
	return p.run()
}

func teeMode(o *output) outMode {
	if o.info.Kind == fdkind.Pipe {
		return modeTee
	}
	return modeTeePipe
}

func (p *pipeFan) run() error {
	for p.running() {
		if p.inp != nil && p.inp.data == 0 {
			eof, err := p.refill()
			if err != nil || eof {
				return err
			}
		}
		p.elect()
		for _, o := range p.outs {
			if !o.live || o.pos != p.base || (o.mode != modeTee && o.mode != modeTeePipe) {
				continue
			}
			if p.dup(o) {
				return nil
			}
			if p.stop {
				return nil
			}
		}
		eof, err := p.consume()
		if err != nil || eof {
			return err
		}
	}
	return nil
}

// refill splices from the socket into the empty internal pipe. It
// reports the end of the input.
func (p *pipeFan) refill() (eof bool, err error) {
	n, err := fSpliceFn(p.inW, p.src, nil, p.inp.size)
	if err != nil {
		if spliceRefused(err) {
			// The source does not splice after all. The internal
			// pipe is empty, so every output is at base: all of them
			// take read/write from the source from here.
			p.in, p.inp, p.cons = p.src, nil, nil
			for _, o := range p.outs {
				if o.live && o.broken == nil && p.forced() {
					p.refuse(o, p.opt.Force, err)
				} else if o.live && o.broken == nil {
					o.refuse(err)
					o.mode = modeWrite
					o.begin(ReadWrite)
				}
			}
			return false, nil
		}
		return false, newError(Read, "splice", err)
	}
	p.inp.data = n
	return n == 0, nil
}

// elect makes an output the consumer, if none is and no output takes
// write(2): the last output at base that takes splice, a non-pipe rather
// than a pipe (a non-pipe consumer saves the trip through tmp).
func (p *pipeFan) elect() {
	if p.cons != nil || p.inp == nil {
		return
	}
	var last, lastPipe *output
	for _, o := range p.outs {
		if !o.live {
			continue
		}
		switch o.mode {
		case modeWrite:
			return
		case modeTee:
			if o.pos == p.base {
				lastPipe = o
			}
		case modeTeePipe:
			if o.pos == p.base {
				last = o
			}
		}
	}
	if last == nil {
		last = lastPipe
	}
	if last != nil {
		p.cons = last
		last.mode = modeConsume
		last.begin(Splice)
	}
}

// toWrite moves o, at or ahead of base, to write mode. The consumer, if
// any, goes back to tee: write outputs are fed from what read(2) consumes.
func (p *pipeFan) toWrite(o *output) {
	if p.cons == o {
		p.cons = nil
	}
	if p.forced() {
		// A forced splice does not fall back: o is dropped.
		p.fail(o, &RefusedError{Method: p.opt.Force, Src: p.src.info, Dst: o.info, Err: o.step.Refused})
		return
	}
	o.mode = modeWrite
	o.begin(ReadWrite)
	if c := p.cons; c != nil {
		p.cons = nil
		c.mode = teeMode(c)
		c.begin(Tee)
	}
}

// dup gives in's head to o, at base, with tee. It reports the end of the
// input.
func (p *pipeFan) dup(o *output) (eof bool) {
	if o.mode == modeTee {
		n, err := teeFn(o.file, p.in, maxSplice)
		switch {
		case err != nil && teeRefused(err):
			o.refuse(err)
			p.toWrite(o)
		case err != nil:
			p.fail(o, newError(Write, "tee", err))
		case n == 0:
			return true
		default:
			o.pos += int64(n)
			o.step.Bytes += int64(n)
			p.failBroken()
		}
		return false
	}
	if p.tmp == nil {
		tmp, err := getPipe()
		if err != nil {
			// pipe2 failed (EMFILE, ENFILE): PITFALLS 17.
			o.refuse(err)
			p.toWrite(o)
			return false
		}
		p.tmp = tmp
	}
	tw := &file{fd: p.tmp.w, info: pipeInfo, step: o.step}
	n, err := teeFn(tw, p.in, p.tmp.size)
	switch {
	case err != nil && teeRefused(err):
		o.refuse(err)
		p.toWrite(o)
		return false
	case err != nil:
		p.fail(o, newError(Write, "tee", err))
		return false
	case n == 0:
		return true
	}
	p.failBroken()
	p.tmp.data = n
	tr := &file{fd: p.tmp.r, info: pipeInfo, step: o.step}
	for p.tmp.data > 0 {
		m, err := fSpliceFn(o.file, tr, nil, p.tmp.data)
		if m > 0 {
			p.tmp.data -= m
			o.pos += int64(m)
			o.step.Bytes += int64(m)
			continue
		}
		if err == nil {
			err = unix.EIO // splice from a pipe holding data returned 0
		}
		if spliceRefused(err) {
			// What tmp holds is o's, and only o's: drain it
			// through user space, then o takes write(2).
			o.refuse(err)
			p.toWrite(o)
			if !o.live {
				p.dropTmp()
				return false
			}
			w, err := p.tmp.drain(o.file)
			o.pos += w
			o.step.Bytes += w
			o.step.ViaUser += w
			if err != nil {
				p.dropTmp()
				p.fail(o, newError(Write, "write", err))
			}
			return false
		}
		p.dropTmp()
		p.fail(o, newError(Write, "splice", err))
		return false
	}
	return false
}

// dropTmp destroys tmp, which holds bytes for an output that failed.
func (p *pipeFan) dropTmp() {
	putPipe(p.tmp)
	p.tmp = nil
}

// consume takes from in the bytes that every tee and teepipe output has:
// splice into the consumer, or read(2) for the write outputs. It reports
// the end of the input.
func (p *pipeFan) consume() (eof bool, err error) {
	k := int64(-1) // no bound
	for _, o := range p.outs {
		if o.live && (o.mode == modeTee || o.mode == modeTeePipe) {
			if d := o.pos - p.base; k < 0 || d < k {
				k = d
			}
		}
	}
	if k == 0 {
		return false, nil
	}
	if p.inp != nil && (k < 0 || k > int64(p.inp.data)) {
		k = int64(p.inp.data)
	}
	if c := p.cons; c != nil {
		max := maxSplice
		if k > 0 {
			max = int(k)
		}
		n, err := fSpliceFn(c.file, p.in, nil, max)
		switch {
		case n > 0:
			p.consumed(n)
			c.pos = p.base
			c.step.Bytes += int64(n)
			p.failBroken()
		case err == nil:
			return true, nil
		case spliceRefused(err):
			// A failed splice consumed nothing: c, at base, takes
			// write(2) from here.
			c.refuse(err)
			p.toWrite(c)
		default:
			p.cons = nil
			p.fail(c, newError(Write, "splice", err))
		}
		return false, nil
	}
	buf := p.buffer()
	if k > 0 && k < int64(len(buf)) {
		buf = buf[:k]
	}
	n, err := read(p.in, buf)
	if err != nil {
		return false, newError(Read, "read", err)
	}
	if n == 0 {
		return true, nil
	}
	p.failBroken()
	for _, o := range p.outs {
		if !o.live || o.mode != modeWrite {
			continue
		}
		lo := o.pos - p.base
		if lo >= int64(n) {
			continue
		}
		o.step.Calls++ // the read
		w, err := writeAll(o.file, buf[lo:n])
		o.pos += int64(w)
		o.step.Bytes += int64(w)
		if err != nil {
			p.fail(o, newError(Write, "write", err))
			if p.stop {
				break
			}
		}
	}
	p.consumed(n)
	return false, nil
}

func (p *pipeFan) consumed(n int) {
	p.base += int64(n)
	if p.opt.Progress != nil {
		p.opt.Progress.Add(int64(n))
	}
	if p.inp != nil {
		p.inp.data -= n
	}
}
