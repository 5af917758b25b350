package tree

import (
	"os"

	"github.com/zcopy/zcopy/internal/copy"
)

// dataReport is what --debug says about one file's data.
type dataReport struct {
	bytes   int64
	offload string // "yes", "no", "unsupported", "avoided", "unknown"
	reflink string
	sparse  string // "no", "zeros", "SEEK_HOLE", "SEEK_HOLE + zeros"
}

// copyData moves the whole content of the regular file src (at offset 0)
// into dst, an empty regular file open for writing. It is the one place
// where the tree hands a file's data to the engine. Errors are the
// engine's *copy.Error, which says whether reading or writing failed.
func copyData(dst, src *os.File, opt *Options) (dataReport, error) {
	r, err := copy.Copy(dst, src, copy.Options{})
	rep := dataReport{offload: "no", reflink: "no", sparse: "no"}
	if opt.Reflink != ReflinkNever {
		rep.reflink = "unsupported"
	}
	if r != nil {
		rep.bytes = r.Bytes()
		if r.BytesBy(copy.CopyFileRange) > 0 {
			rep.offload = "yes"
		}
		for _, s := range r.Steps {
			if s.Method == copy.CopyFileRange && s.Refused != nil && s.Bytes == 0 {
				rep.offload = "unsupported"
			}
		}
	}
	return rep, err
}
