package copy

import (
	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/fdkind"
)

// fromFile feeds every output straight from the regular file src, each at
// its own explicit offset (copy_file_range, sendfile or splice with an
// offset, pread for write(2)), so that src is read once per output but
// never through user space, and nothing is buffered.
//
// The outputs take turns, chunk bytes at a time, so that none gets more
// than a pipe's worth ahead of the others: a reader alternating between two
// outputs is never left waiting while zcopy fills the other. A chunk is no
// more than the smallest output pipe's capacity (1 MiB for sockets and
// terminals); between regular files and devices, it is as large as one
// copy_file_range call.
//
// The offsets start at src's current offset, and src's offset ends after
// the last byte that any output got, as if tee had read it (PITFALLS 10).
func (f *fan) fromFile() error {
	s := f.src
	off0, err := unix.Seek(s.fd, 0, unix.SEEK_CUR)
	if err != nil {
		return newError(Read, "lseek", err)
	}
	// As tee(1) does; a failure only costs readahead.
	_ = unix.Fadvise(s.fd, off0, 0, unix.FADV_SEQUENTIAL)
	defer func() {
		end := off0
		for _, o := range f.outs {
			end = max(end, o.pos)
		}
		if end != off0 {
			unix.Seek(s.fd, end, unix.SEEK_SET)
		}
	}()
	chunk := int64(maxCopyFileRange)
	for _, o := range f.outs {
		o.pos = off0
		if o.broken != nil {
			continue
		}
		o.methods = filePlan(s.info, o.info)
		if m := f.opt.Force; m != None {
			if o.methods = forcedFilePlans[m]; o.methods == nil {
				f.refuse(o, m, ErrNotApplicable)
				continue
			}
		}
		o.begin(o.methods[0])
		switch o.info.Kind {
		case fdkind.Pipe:
			if c := growPipe(o.fd); c > 0 {
				chunk = min(chunk, int64(c))
			}
		case fdkind.Socket, fdkind.TTY:
			// Read by processes too, which may alternate.
			chunk = min(chunk, pipeSize)
		}
	}
	start := off0
	for f.running() {
		target := start + chunk
		fed, eof := false, false
		for _, o := range f.outs {
			if !o.live || o.broken != nil {
				continue
			}
			fed = true
			atEnd, err := f.feedFile(o, target)
			if err != nil {
				return err
			}
			if atEnd {
				// The outputs after this one get no more than it got.
				target, eof = min(target, o.pos), true
			}
			if f.stop {
				return nil
			}
		}
		f.fileProgress(off0)
		if !fed {
			// Only outputs that could not be described are left: they
			// fail if there is a byte for them, as tee's would.
			var b [1]byte
			n, err := pread(s, b[:], start)
			if err != nil {
				return newError(Read, "read", err)
			}
			if n > 0 {
				f.failBroken()
			}
			return nil
		}
		if eof {
			return nil
		}
		start = target
	}
	return nil
}

// forcedFilePlans are the plans of a forced method: fileCall splices a
// file at an offset straight into a pipe, and has no mmap.
var forcedFilePlans = [...][]Method{
	CopyFileRange: {CopyFileRange},
	Sendfile:      {Sendfile},
	Splice:        {Splice},
	ReadWrite:     {ReadWrite},
	Mmap:          nil,
}

// fileProgress sets the progress counter to the furthest output's
// position past off0.
func (f *fan) fileProgress(off0 int64) {
	if f.opt.Progress == nil {
		return
	}
	end := off0
	for _, o := range f.outs {
		end = max(end, o.pos)
	}
	f.opt.Progress.Store(end - off0)
}

// filePlan is plan without SplicePipe: a file is spliced at an offset
// straight into a pipe, and sockets take sendfile.
func filePlan(src, dst fdkind.Info) []Method {
	ms := plan(src, dst)
	out := make([]Method, 0, len(ms))
	for _, m := range ms {
		if m != SplicePipe {
			out = append(out, m)
		}
	}
	return out
}

// feedFile gives o the bytes of src from o.pos up to target, going down
// o's methods when the kernel refuses one. It reports whether src ended
// before target; an error is a failure to read src.
func (f *fan) feedFile(o *output, target int64) (eof bool, err error) {
	for o.pos < target {
		m := o.methods[o.mi]
		n, side, err := f.fileCall(m, o, target-o.pos)
		if n > 0 {
			o.pos += int64(n)
			o.step.Bytes += int64(n)
			f.failBroken()
			continue
		}
		if err == nil {
			if fileAtEOF(f.src, o.pos) {
				return true, nil
			}
			// 0 bytes before the end: PITFALLS 3, the next method.
			err = errNoData
		}
		if (err == errNoData || refusedBy(m, err)) && f.forced() {
			f.refuse(o, f.opt.Force, err)
			return false, nil
		}
		if (err == errNoData || refusedBy(m, err)) && o.mi < len(o.methods)-1 {
			o.refuse(err)
			o.mi++
			o.begin(o.methods[o.mi])
			continue
		}
		if err == errNoData {
			err = unix.EIO
		}
		name := m.String()
		if m == ReadWrite {
			name = "write"
			if side == Read {
				name = "read"
			}
		}
		if side == Read {
			return false, newError(Read, name, err)
		}
		f.fail(o, newError(Write, name, err))
		return false, nil
	}
	return false, nil
}

// fileCall moves up to max bytes of src at o.pos to o with method m. The
// side tells whose fault an error is.
func (f *fan) fileCall(m Method, o *output, max int64) (int, Side, error) {
	s := f.src
	var (
		n   int
		err error
	)
	switch m {
	case CopyFileRange:
		n, err = pcopyFileRange(o.file, s, o.pos, int(min(max, maxCopyFileRange)))
	case Sendfile:
		n, err = psendfile(o.file, s, o.pos, int(min(max, maxSendfile)))
	case Splice:
		off := o.pos
		n, err = fanSplice(o.file, s, &off, int(min(max, maxSplice)))
	default:
		buf := f.buffer()
		r, err := pread(s, buf[:min(max, int64(len(buf)))], o.pos)
		if err != nil {
			return 0, Read, err
		}
		if r == 0 {
			return 0, 0, nil
		}
		o.step.Calls++ // the pread
		w, err := writeAll(o.file, buf[:r])
		return w, Write, err
	}
	if err != nil {
		return n, sideOf(err, s, o.file), err
	}
	return n, 0, nil
}

// fileAtEOF reports whether off is at or past the end of the regular file
// src, by its size now (it may have grown since the fan-out began).
func fileAtEOF(src *file, off int64) bool {
	var st unix.Stat_t
	if err := unix.Fstat(src.fd, &st); err != nil {
		return true
	}
	return off >= st.Size
}
