package copy

import "os"

// ReflinkMode says whether CopyFile may share the source's extents with
// the destination instead of copying them (cp --reflink=WHEN). It is not
// called Reflink: that name is the Method.
type ReflinkMode uint8

// The reflink modes of GNU cp.
const (
	// ReflinkAuto clones (FICLONE) where the filesystem can and copies
	// otherwise; GNU cp's default since 9.0.
	ReflinkAuto ReflinkMode = iota
	// ReflinkAlways clones or fails; nothing else moves data.
	ReflinkAlways
	// ReflinkNever never shares extents: no FICLONE, and no
	// copy_file_range either, which may share extents silently on btrfs,
	// xfs and NFS (PITFALLS 2), as GNU cp avoids it for --reflink=never.
	ReflinkNever
)

// Sparse says what CopyFile does with holes (cp --sparse=WHEN).
type Sparse uint8

// The sparse modes of GNU cp.
const (
	// SparseAuto keeps the source's holes as holes when the source looks
	// sparse (fewer blocks than its size needs), finding them with
	// SEEK_DATA/SEEK_HOLE.
	SparseAuto Sparse = iota
	// SparseAlways also turns every block-sized run of zeros into a hole.
	// Finding zeros means reading the data, so the data crosses user space.
	SparseAlways
	// SparseNever fills the source's holes with written zeros: the
	// destination has every block allocated.
	SparseNever
)

// FileOptions tune CopyFile. The zero value is GNU cp's default:
// --reflink=auto --sparse=auto.
type FileOptions struct {
	Reflink ReflinkMode
	Sparse  Sparse
	// Force, when not None, is the one method that moves the data
	// (--method), as Options.Force: no clone is tried, holes written as
	// zeros (SparseNever) take the same method, and a refusal ends the
	// copy with a *RefusedError. SparseAlways reads the data to find
	// zeros, which only ReadWrite does: with another method it is refused.
	Force Method
}

// The words of FileReport's fields, as GNU cp --debug prints them.
const (
	DebugYes         = "yes"
	DebugNo          = "no"
	DebugUnknown     = "unknown"
	DebugUnsupported = "unsupported"
	DebugAvoided     = "avoided"
	SparseSeekHole   = "SEEK_HOLE"
	SparseZeros      = "zeros"
	SparseSeekZeros  = "SEEK_HOLE + zeros"
)

// FileReport is the Report of one CopyFile, with the three facts GNU cp
// --debug prints about a regular file.
type FileReport struct {
	Report
	// Reflinked is true when FICLONE shared every extent and nothing else
	// ran.
	Reflinked bool
	// Holes is the number of bytes of the destination left as holes:
	// the source's holes, and runs of zeros with SparseAlways.
	Holes int64
	// CopyOffload is DebugYes when copy_file_range moved data,
	// DebugUnsupported when the kernel refused it, DebugAvoided when the
	// options ruled it out (ReflinkNever, SparseAlways), DebugUnknown
	// otherwise (a clone, an empty file, a procfs file).
	CopyOffload string
	// ReflinkStatus is DebugYes after a clone, DebugUnsupported when the
	// kernel refused FICLONE, DebugNo with ReflinkNever, DebugUnknown when
	// FICLONE failed with a real error.
	ReflinkStatus string
	// Sparse is how holes were looked for: SparseSeekHole, SparseZeros,
	// SparseSeekZeros, DebugNo (the source did not look sparse) or
	// DebugUnknown (a clone).
	Sparse string

	stepsBuf [3]Step
}

// Debug renders r as GNU cp --debug does:
// "copy offload: yes, reflink: unsupported, sparse detection: SEEK_HOLE".
func (r *FileReport) Debug() string {
	return "copy offload: " + r.CopyOffload + ", reflink: " + r.ReflinkStatus +
		", sparse detection: " + r.Sparse
}

// CopyFile copies the content of the regular file src, from offset 0, into
// dst, an open, empty (just created or truncated) file opened for writing,
// at offset 0. It does not close either file or touch metadata.
//
// The data moves with the cheapest mechanism the kernel accepts: FICLONE
// (unless ReflinkNever), else copy_file_range over the source's data
// extents, else sendfile, else read/write, each taking over from the exact
// byte where the one before stopped. Holes are kept as opt.Sparse says and
// the destination ends with the source's size. A source whose size cannot
// be trusted (procfs, sysfs) is read to its end, and so is one that is not
// a regular file (a FIFO by splice, a device by read/write), which cp
// copies as a regular file without -R. A destination that is not
// a regular file (/dev/null, a FIFO) or is O_APPEND gets the bytes in order,
// holes written as zeros.
//
// The report's Steps say what moved the data, also on error. Errors are
// *Error values that tell a failed read from a failed write; a clone that
// failed with ReflinkAlways, or with an errno that is not a refusal (EIO,
// ENOMEM, ENOSPC, EDQUOT), is a Write error from the "ioctl_ficlone" call.
func CopyFile(dst, src *os.File, opt FileOptions) (*FileReport, error) {
	return copyFile(dst, src, opt)
}
