package copy

import (
	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/fdkind"
)

// maxSplice is the count asked of one splice(2) call when one side is a
// pipe. The kernel moves at most what the pipe holds or has room for, so a
// large count costs nothing and lets a grown pipe be used whole.
const maxSplice = 1 << 30

var spliceCall = directCall{name: "splice", call: splice, max: maxSplice, refused: spliceRefused}

// spliceMethod moves data when src or dst is a pipe.
func spliceMethod(dst, src *file, remain int64) (written int64, handled bool, err error) {
	return spliceCall.pump(dst, src, remain)
}

// splicePipeMethod moves data between two descriptors neither of which is
// a pipe (socket to file, socket to socket, ...) through an internal pipe:
// splice src into the pipe, then splice the pipe out to dst.
//
// Invariant: at the top of the loop the pipe is empty. Whatever the pipe
// holds has been consumed from src, so it must reach dst before the method
// returns, even when dst then refuses splice: the pipe is drained with
// read/write and the refusal handed to the driver after that.
func splicePipeMethod(dst, src *file, remain int64) (written int64, handled bool, err error) {
	p, err := getPipe()
	if err != nil {
		// pipe2 failed (EMFILE, ENFILE): PITFALLS 17, fall back.
		return 0, false, &refusal{err}
	}
	defer putPipe(p)
	in := &file{fd: p.w, info: pipeInfo, step: src.step}
	out := &file{fd: p.r, info: pipeInfo, step: dst.step}
	for remain > 0 {
		n, err := splice(in, src, int(min(remain, int64(p.size))))
		if err != nil {
			if spliceRefused(err) {
				return written, written > 0, &refusal{err}
			}
			return written, true, newError(Read, "splice", err)
		}
		if n == 0 {
			if !atEOF(src) {
				return written, written > 0, &refusal{errNoData}
			}
			return written, true, nil
		}
		p.data = n
		for p.data > 0 {
			m, err := splice(dst, out, p.data)
			if m > 0 {
				written += int64(m)
				remain -= int64(m)
				p.data -= m
				dst.wrote(m)
				continue
			}
			if err != nil && spliceRefused(err) && written == 0 && rewind(src, p.data) {
				// Nothing reached dst yet and src is a file: it
				// takes back what the pipe holds (putPipe destroys
				// the pipe), and the next method starts at byte 0
				// with nothing through user space.
				return 0, false, &refusal{err}
			}
			if err != nil && spliceRefused(err) {
				w, err2 := p.drain(dst)
				written += w
				dst.wrote(int(w))
				if dst.step != nil {
					dst.step.ViaUser += w
				}
				if err2 != nil {
					return written, true, newError(Write, "write", err2)
				}
				return written, true, &refusal{err}
			}
			if err == nil {
				err = unix.EIO // splice from a pipe holding data returned 0
			}
			return written, true, newError(Write, "splice", err)
		}
	}
	return written, true, nil
}

// rewind moves the offset of src back by n bytes, when src is a regular
// file, and reports whether it did.
func rewind(src *file, n int) bool {
	if src.info.Kind != fdkind.Regular {
		return false
	}
	_, err := seek(src, -int64(n), unix.SEEK_CUR)
	return err == nil
}
