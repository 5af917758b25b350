package copy

// maxCopyFileRange is the count asked of one copy_file_range(2) call. The
// kernel caps each call at MAX_RW_COUNT (0x7ffff000); 1 GiB rounds, as Go's
// internal/poll uses, keep a huge copy interruptible between calls.
const maxCopyFileRange = 1 << 30

var cfrCall = directCall{name: "copy_file_range", call: copyFileRange, max: maxCopyFileRange, refused: cfrRefused}

// copyFileRangeMethod copies between regular files inside the kernel (and,
// on filesystems that can, by sharing extents).
func copyFileRangeMethod(dst, src *file, remain int64) (written int64, handled bool, err error) {
	return cfrCall.pump(dst, src, remain)
}
