package copy

import "github.com/zcopy/zcopy/internal/fdkind"

// Desc is an open descriptor that its owner has described already, for
// CopyFileDesc: Info as fdkind.Known or fdkind.Stat made it, and Blocks,
// st_blocks from the same fstat (negative when unknown: the engine then
// asks fstat itself when it needs it).
type Desc struct {
	Fd     int
	Info   fdkind.Info
	Blocks int64
}

// CopyFileDesc is CopyFile for descriptors the caller has just opened and
// described, as a copy of a tree does for each of its files: src's data,
// from offset 0, into dst at offset 0, with both offsets at 0 on entry
// (as open(2) leaves them). Nothing is asked again of the kernel that
// the descriptions say (no fstat, F_GETFL, fstatfs, nor a first lseek), so
// a small file costs only the system calls that move its data. The caller
// keeps both descriptors open until CopyFileDesc returns, and closes them.
func CopyFileDesc(dst, src Desc, opt FileOptions) (*FileReport, error) {
	r := newFileReport()
	r.Src, r.Dst = src.Info, dst.Info
	// One allocation for the copy and its two ends.
	dc := &descCopy{d: file{fd: dst.Fd, info: dst.Info}, s: file{fd: src.Fd, info: src.Info}}
	dc.fileCopy = fileCopy{dst: &dc.d, src: &dc.s, opt: opt, r: r, srcBlocks: src.Blocks, atStart: true}
	return r, dc.copy()
}

type descCopy struct {
	fileCopy
	d, s file
}
