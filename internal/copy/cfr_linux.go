package copy

import (
	"sync"

	"golang.org/x/sys/unix"
)

// maxCopyFileRange is the count asked of one copy_file_range(2) call. The
// kernel caps each call at MAX_RW_COUNT (0x7ffff000); 1 GiB rounds, as Go's
// internal/poll uses, keep a huge copy interruptible between calls.
const maxCopyFileRange = 1 << 30

var cfrCall = directCall{name: "copy_file_range", call: copyFileRange, max: maxCopyFileRange, refused: cfrRefused}

// cfrUsable reports whether the running kernel's copy_file_range can be
// trusted: before Linux 5.3 it could fail or corrupt in several ways
// (copy_file_range(2), VERSIONS; Go issue 42400), so zcopy leaves it alone.
var cfrUsable = sync.OnceValue(func() bool {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return false
	}
	major, minor := kernelRelease(unix.ByteSliceToString(u.Release[:]))
	return major > 5 || (major == 5 && minor >= 3)
})

// kernelRelease reads the major and minor numbers of a release string such
// as "6.18.44-fc-v595"; what it cannot read is 0.
func kernelRelease(s string) (major, minor int) {
	var n [2]int
	for i, field := 0, 0; i < len(s) && field < 2; i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			n[field] = n[field]*10 + int(c-'0')
		case c == '.':
			field++
		default:
			return n[0], n[1]
		}
	}
	return n[0], n[1]
}

// copyFileRangeMethod copies between regular files inside the kernel (and,
// on filesystems that can, by sharing extents).
func copyFileRangeMethod(dst, src *file, remain int64) (written int64, handled bool, err error) {
	if !cfrUsable() {
		return 0, false, &refusal{unix.ENOSYS}
	}
	return cfrCall.pump(dst, src, remain)
}
