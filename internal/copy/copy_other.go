//go:build !linux

package copy

import (
	"io"
	"os"

	"github.com/zcopy/zcopy/internal/fdkind"
)

// On systems other than Linux, the engine is io.Copy and reports it so.
func copyFiles(dst, src *os.File, opt Options) (*Report, error) {
	r := &Report{Steps: []Step{{Method: ReadWrite}}}
	r.Src, _ = fdkind.Of(src)
	r.Dst, _ = fdkind.Of(dst)
	if opt.Force != None && opt.Force != ReadWrite {
		return &Report{Src: r.Src, Dst: r.Dst}, &RefusedError{Method: opt.Force, Src: r.Src, Dst: r.Dst, Err: ErrNotApplicable}
	}
	var rd io.Reader = src
	if opt.Limit > 0 {
		rd = io.LimitReader(src, opt.Limit)
	}
	n, err := io.Copy(struct{ io.Writer }{dst}, struct{ io.Reader }{rd})
	r.Steps[0].Bytes = n
	if err != nil {
		return r, &Error{Side: Read, Err: err}
	}
	return r, nil
}

func mappedFile(src *os.File, visit func(p []byte) error) (int64, error) {
	info, _ := fdkind.Of(src)
	return 0, &RefusedError{Method: Mmap, Src: info, Err: ErrNotApplicable}
}
