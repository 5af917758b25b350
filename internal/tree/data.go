package tree

import (
	"errors"
	"os"

	"github.com/zcopy/zcopy/internal/copy"
)

// dataReport is what --debug says about one file's data.
type dataReport struct {
	bytes   int64
	offload string // "yes", "no", "unsupported", "avoided", "unknown"
	reflink string
	sparse  string // "no", "zeros", "SEEK_HOLE", "SEEK_HOLE + zeros"
	// method names what moved the data ("mmap"), for --debug with a
	// forced --method; "" when nothing moved.
	method string
}

// copyData moves the whole content of the regular file src into dst, an
// empty file open for writing, both just opened (at offset 0) and
// described. It is the one place where the tree hands a file's data to
// the engine. Errors are the engine's *copy.Error, which says whether
// reading or writing failed.
func copyData(dst, src copy.Desc, opt *Options) (dataReport, error) {
	r, err := copy.CopyFileDesc(dst, src, copy.FileOptions{
		Reflink: [...]copy.ReflinkMode{
			ReflinkAuto:   copy.ReflinkAuto,
			ReflinkAlways: copy.ReflinkAlways,
			ReflinkNever:  copy.ReflinkNever,
		}[opt.Reflink],
		Sparse: [...]copy.Sparse{
			SparseAuto:   copy.SparseAuto,
			SparseAlways: copy.SparseAlways,
			SparseNever:  copy.SparseNever,
		}[opt.Sparse],
		Force: opt.Method,
	})
	rep := dataReport{offload: copy.DebugUnknown, reflink: copy.DebugUnknown, sparse: copy.DebugUnknown}
	if r != nil {
		rep = dataReport{bytes: r.Bytes(), offload: r.CopyOffload, reflink: r.ReflinkStatus, sparse: r.Sparse}
		for _, st := range r.Steps {
			if st.Bytes > 0 && opt.Method != copy.None {
				rep.method = st.Method.String()
			}
		}
	}
	return rep, err
}

// cloneFailed reports whether err is a failed FICLONE: cp says "failed to
// clone" for it, not "error writing".
func cloneFailed(err error) bool {
	var se *os.SyscallError
	return errors.As(err, &se) && se.Syscall == "ioctl_ficlone"
}
