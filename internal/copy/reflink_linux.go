package copy

import (
	"golang.org/x/sys/unix"
)

// reflinkFn is a variable so that tests can put faults in its way.
var reflinkFn methodFunc = reflinkMethod

// reflinkMethod makes dst share all of src's extents with one
// ioctl(FICLONE) (ioctl_ficlone(2)): constant time, no data moved, on
// filesystems that share extents (btrfs, xfs with reflink=1, bcachefs,
// NFS 4.2, overlayfs over those). The clone replaces dst's whole content
// and ignores both offsets, so remain cannot limit it: CopyFile alone
// calls it. written is the size dst has after the clone.
func reflinkMethod(dst, src *file, remain int64) (written int64, handled bool, err error) {
	if err := ficlone(dst, src); err != nil {
		if reflinkRefused(err) {
			return 0, false, &refusal{err}
		}
		return 0, true, newError(Write, "ioctl_ficlone", err)
	}
	var st unix.Stat_t
	if err := ignoringEINTR(func() error { return unix.Fstat(dst.fd, &st) }); err != nil {
		return 0, true, newError(Write, "fstat", err)
	}
	return st.Size, true, nil
}

// reflinkRefused is the FICLONE policy: which errnos mean "this pair cannot
// share extents, copy instead". The clone is all or nothing, so a refusal
// never leaves part of the data behind. GNU cp's handle_clone_fail is the
// reference: every errno falls back except the four that mean a clone the
// filesystem supports went wrong (PITFALLS 16).
func reflinkRefused(err error) bool {
	switch err {
	case unix.EOPNOTSUPP:
		// The filesystem cannot share extents (ext4, tmpfs), or xfs
		// made without reflink=1.
		return true
	case unix.EXDEV:
		// Source and destination on different mounts, even of the same
		// filesystem (before 5.18, also the same filesystem mounted
		// twice).
		return true
	case unix.EINVAL:
		// Not regular files, a filesystem whose block size does not
		// align the range, or a swap/DAX file on xfs.
		return true
	case unix.EBADF:
		// src not open for reading, dst not open for writing, dst
		// O_APPEND (PITFALLS 1), or a filesystem without remap support
		// on some kernels.
		return true
	case unix.ENOTTY:
		// A descriptor that takes no ioctls of this kind: a pipe, a
		// socket or a device as src or dst.
		return true
	case unix.EPERM:
		// dst is immutable or append-only (chattr +i, +a); the copy
		// that follows reports the real trouble if there is one.
		return true
	case unix.ETXTBSY:
		// One of the files is an active swap file.
		return true
	case unix.EACCES:
		// An LSM refused the clone; a plain copy may still be allowed.
		return true
	case unix.ENOSYS:
		// Kernels without the ioctl (before 4.5) or seccomp filters.
		return true
	case unix.EISDIR:
		// A directory: the copy that follows reports it properly.
		return true
	case unix.EIO, unix.ENOMEM, unix.ENOSPC, unix.EDQUOT:
		// The filesystem supports the clone and it failed: a real
		// error, as GNU cp's is_terminal_error says (PITFALLS 16).
		return false
	}
	// Filesystems answer FICLONE with oddball errnos of their own (GNU
	// cp: "systems may yield oddball errno values here"); a copy is the
	// safe reading of an errno nobody documented.
	return true
}

// ficlone clones src into dst, retrying EINTR (a clone of a large file
// with many extents is interruptible on btrfs).
func ficlone(dst, src *file) error {
	dst.count()
	return ignoringEINTR(func() error { return unix.IoctlFileClone(dst.fd, src.fd) })
}
