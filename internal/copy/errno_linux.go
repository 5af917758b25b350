package copy

import (
	"os"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/fdkind"
)

// cfrRefused is the copy_file_range(2) policy.
func cfrRefused(err error) bool {
	switch err {
	case unix.ENOSYS:
		// Before Linux 4.5 there is no copy_file_range; under some
		// seccomp profiles it is hidden the same way.
		return true
	case unix.EXDEV:
		// Before 5.3, and again from 5.19, across filesystems of
		// different types (copy_file_range(2), VERSIONS).
		return true
	case unix.EINVAL:
		// Not regular files, overlapping ranges, or flags the
		// filesystem does not take.
		return true
	case unix.EBADF:
		// An O_APPEND destination (PITFALLS 1).
		return true
	case unix.EOPNOTSUPP:
		// NFS and other filesystems without support (Go issue 40731).
		return true
	case unix.EPERM:
		// Seccomp filters that answer EPERM rather than ENOSYS
		// (Go issue 40893). A real EPERM shows again on the fallback.
		return true
	case unix.EIO:
		// CIFS (Go issue 42334). A real EIO shows again on the fallback.
		return true
	case unix.EFBIG:
		// Seen at EOF on 6.17 (PITFALLS 2). A real EFBIG shows again
		// on the fallback.
		return true
	case unix.ENOMEM:
		// The copy between filesystems goes through
		// do_splice_direct, whose internal pipe counts against
		// pipe-user-pages-hard: a user past it gets ENOMEM where
		// read/write needs no pipe (fs/splice.c). A real ENOMEM
		// shows again on the fallback.
		return true
	}
	return false
}

// sendfileRefused is the sendfile(2) policy.
func sendfileRefused(err error) bool {
	switch err {
	case unix.EINVAL:
		// An O_APPEND destination, a source without mmap-like reads,
		// or a destination without splice_write.
		return true
	case unix.ENOSYS, unix.EOPNOTSUPP:
		return true
	case unix.ENOMEM:
		// sendfile is do_splice_direct, whose internal pipe counts
		// against pipe-user-pages-hard (see cfrRefused).
		return true
	}
	return false
}

// spliceRefused is the splice(2) policy. A failed splice consumes nothing,
// so falling back after it is always safe.
func spliceRefused(err error) bool {
	switch err {
	case unix.EINVAL:
		// Neither side a pipe, an O_APPEND destination, a tty on some
		// kernels (PITFALLS 4), /dev/full, a datagram socket.
		return true
	case unix.ENOSYS, unix.EOPNOTSUPP:
		return true
	}
	return false
}

// refusedBy says whether err from method m means "not for this pair".
func refusedBy(m Method, err error) bool {
	switch m {
	case CopyFileRange:
		return cfrRefused(err)
	case Sendfile:
		return sendfileRefused(err)
	case Splice:
		return spliceRefused(err)
	}
	return false
}

// sideOf says which end an errno from a call that both reads and writes
// (splice, sendfile, copy_file_range) belongs to.
func sideOf(err error, src, dst *file) Side {
	switch err {
	case unix.EPIPE, unix.ENOSPC, unix.EDQUOT, unix.EFBIG, unix.EROFS, unix.ETXTBSY:
		return Write
	case unix.ECONNRESET, unix.ENOTCONN:
		if dst.info.Kind == fdkind.Socket && src.info.Kind != fdkind.Socket {
			return Write
		}
	case unix.EBADF:
		if !dst.info.Writable {
			return Write
		}
	}
	return Read
}

func newError(side Side, op string, err error) *Error {
	return &Error{Side: side, Err: os.NewSyscallError(op, err)}
}
