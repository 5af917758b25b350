package copy

import (
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/fdkind"
)

// file is one end of a copy: a raw descriptor, what it is, and the step
// whose counters its system calls feed.
type file struct {
	fd   int
	info fdkind.Info
	step *Step
	// progress, on a destination, counts the bytes written to it
	// (Options.Progress); nil when nobody watches.
	progress *atomic.Int64
	// pos is the descriptor's file offset, when posKnown: set where the
	// engine seeks it itself, moved on by the wrappers below that read
	// at the current offset, so that the check for the end of a regular
	// file needs no lseek (a copy of a tree makes one a file).
	pos      int64
	posKnown bool
	pacer
}

// moved records that a call at src's current offset consumed n bytes.
func (f *file) moved(n int) {
	if f.posKnown && n > 0 {
		f.pos += int64(n)
	}
}

// newFile describes f, or takes known as its description when the caller
// has one already (Options.Src, Options.Dst). The descriptor is read through SyscallConn, which,
// unlike f.Fd, leaves a nonblocking descriptor nonblocking; the caller keeps
// f alive (and open) while the returned file is in use.
func newFile(f *os.File, known *fdkind.Info) (*file, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var fd int
	if err := rc.Control(func(u uintptr) { fd = int(u) }); err != nil {
		return nil, err
	}
	if known != nil {
		return &file{fd: fd, info: *known}, nil
	}
	info, err := fdkind.Stat(fd)
	if err != nil {
		return nil, os.NewSyscallError("fstat", err)
	}
	return &file{fd: fd, info: info}, nil
}

// wrote adds n bytes written to f to its progress counter.
func (f *file) wrote(n int) {
	if f.progress != nil && n > 0 {
		f.progress.Add(int64(n))
	}
}

func (f *file) count() {
	if f.step != nil {
		f.step.Calls++
	}
	f.pace()
}

// The wrappers below are the only places that compare raw errnos, besides the
// refusal policies. They retry EINTR, wait on EAGAIN (a nonblocking
// descriptor inherited from the parent: PITFALLS 5) and count the call.

// The zero-copy system calls, at the current offsets of both descriptors.
// They are variables so that tests can make the kernel refuse or fail a
// call at a chosen byte, return EINTR or a spurious EAGAIN.
var (
	spliceSys = func(rfd, wfd, n int) (int, error) {
		// int64 on the 64-bit ports, int on 386, arm, mips, mipsle.
		m, err := unix.Splice(rfd, nil, wfd, nil, n, unix.SPLICE_F_MOVE)
		return int(m), err
	}
	sendfileSys      = func(outfd, infd, n int) (int, error) { return unix.Sendfile(outfd, infd, nil, n) }
	copyFileRangeSys = func(rfd, wfd, n int) (int, error) { return unix.CopyFileRange(rfd, nil, wfd, nil, n, 0) }
)

// The calls of a fan-out, likewise.
var (
	teeFn     = tee
	fSpliceFn = fanSplice
)

func ignoringEINTR(fn func() error) error {
	for {
		err := fn()
		if err != unix.EINTR {
			return err
		}
	}
}

func ignoringEINTR2[T any](fn func() (T, error)) (T, error) {
	for {
		v, err := fn()
		if err != unix.EINTR {
			return v, err
		}
	}
}

// waitingEAGAIN makes call, counted on counted's step, until it returns
// something other than EINTR or EAGAIN, waiting after an EAGAIN until src
// is readable and dst writable (either may be nil: see waitIO).
func waitingEAGAIN(counted, src, dst *file, call func() (int, error)) (int, error) {
	for {
		counted.count()
		n, err := ignoringEINTR2(call)
		if err != unix.EAGAIN {
			return n, err
		}
		if err := waitIO(src, dst); err != nil {
			return 0, err
		}
	}
}

// splice moves up to max bytes from src to dst, one of which is a pipe, at
// both descriptors' current offsets. unix.Splice returns int64 on 64-bit
// ports and int on some 32-bit ones; callers never ask for more than an int
// holds, so it returns int, as internal/poll's splice does.
func splice(dst, src *file, max int) (int, error) {
	n, err := waitingEAGAIN(dst, src, dst, func() (int, error) { return spliceSys(src.fd, dst.fd, max) })
	src.moved(n)
	return n, err
}

func sendfile(dst, src *file, max int) (int, error) {
	n, err := waitingEAGAIN(dst, src, dst, func() (int, error) { return sendfileSys(dst.fd, src.fd, max) })
	src.moved(n)
	return n, err
}

func copyFileRange(dst, src *file, max int) (int, error) {
	dst.count()
	// Regular files never return EAGAIN.
	n, err := ignoringEINTR2(func() (int, error) { return copyFileRangeSys(src.fd, dst.fd, max) })
	src.moved(n)
	return n, err
}

func read(src *file, p []byte) (int, error) {
	n, err := waitingEAGAIN(src, src, nil, func() (int, error) { return unix.Read(src.fd, p) })
	if n < 0 {
		n = 0
	}
	src.moved(n)
	return n, err
}

// writeAll writes all of p, waiting when dst is nonblocking and full.
func writeAll(dst *file, p []byte) (int, error) {
	written := 0
	for written < len(p) {
		dst.count()
		n, err := ignoringEINTR2(func() (int, error) { return unix.Write(dst.fd, p[written:]) })
		if n > 0 {
			written += n
		}
		switch {
		case err == unix.EAGAIN:
			if err := waitIO(nil, dst); err != nil {
				return written, err
			}
		case err != nil:
			return written, err
		case n == 0:
			// write(2) returning 0 for a nonzero count is what a full
			// device without an error looks like; do not spin on it.
			return written, unix.ENOSPC
		}
	}
	return written, nil
}

// waitIO blocks until src (if not nil) is readable and dst (if not nil) is
// writable. Both are polled whatever their own O_NONBLOCK says: splice(2)
// applies either side's O_NONBLOCK to the whole call (SPLICE_F_NONBLOCK),
// so a nonblocking source makes a full blocking destination pipe return
// EAGAIN too, and a nonblocking destination an empty blocking source pipe.
// Polling only the nonblocking side, which is ready, would spin. It never
// spins: a ready descriptor leaves the poll set, and poll(2) waits for the
// others.
func waitIO(src, dst *file) error {
	var fds [2]unix.PollFd
	set := fds[:0]
	if src != nil {
		set = append(set, unix.PollFd{Fd: int32(src.fd), Events: unix.POLLIN})
	}
	if dst != nil {
		set = append(set, unix.PollFd{Fd: int32(dst.fd), Events: unix.POLLOUT})
	}
	for len(set) > 0 {
		_, err := unix.Poll(set, -1)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		rest := set[:0]
		for _, p := range set {
			if p.Revents == 0 {
				rest = append(rest, unix.PollFd{Fd: p.Fd, Events: p.Events})
			}
		}
		set = rest
	}
	return nil
}

// atEOF reports whether a source that just returned 0 bytes from a
// zero-copy call is really at its end. Pipes and sockets do not lie; a regular
// file is at its end when its offset has reached a size that can be trusted.
// Everything else (procfs, sysfs, FUSE: PITFALLS 3) may return 0 from a
// zero-copy call and still have data for read(2).
func atEOF(src *file) bool {
	switch src.info.Kind {
	case fdkind.Pipe, fdkind.Socket:
		return true
	}
	if !src.info.SizeTrusted() {
		return false
	}
	if src.posKnown {
		return src.pos >= src.info.Size
	}
	off, err := unix.Seek(src.fd, 0, unix.SEEK_CUR)
	return err == nil && off >= src.info.Size
}

// The calls below take an explicit source offset and leave the source's
// file offset alone (a fan-out from a regular file feeds each output from
// its own offset); like the ones above they retry EINTR, wait on EAGAIN
// and count the call on dst's step.

// fanSplice is splice(2) with an optional source offset, which it
// advances.
func fanSplice(dst, src *file, off *int64, max int) (int, error) {
	return waitingEAGAIN(dst, src, dst, func() (int, error) {
		n, err := unix.Splice(src.fd, off, dst.fd, nil, max, unix.SPLICE_F_MOVE)
		return int(n), err
	})
}

func psendfile(dst, src *file, off int64, max int) (int, error) {
	return waitingEAGAIN(dst, nil, dst, func() (int, error) {
		o := off
		return unix.Sendfile(dst.fd, src.fd, &o, max)
	})
}

func pcopyFileRange(dst, src *file, off int64, max int) (int, error) {
	dst.count()
	// Regular files never return EAGAIN.
	return ignoringEINTR2(func() (int, error) {
		o := off
		return unix.CopyFileRange(src.fd, &o, dst.fd, nil, max, 0)
	})
}

func pread(src *file, p []byte, off int64) (int, error) {
	n, err := ignoringEINTR2(func() (int, error) { return unix.Pread(src.fd, p, off) })
	if n < 0 {
		n = 0
	}
	return n, err
}
