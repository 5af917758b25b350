//go:build !linux

package copy

import (
	"errors"
	"os"

	"github.com/zcopy/zcopy/internal/fdkind"
)

// On systems other than Linux, a file is copied as a stream by the engine
// (io.Copy there): no clone, no holes kept.
func copyFile(dst, src *os.File, opt FileOptions) (*FileReport, error) {
	r := &FileReport{CopyOffload: DebugUnknown, ReflinkStatus: DebugUnsupported, Sparse: DebugNo}
	if opt.Reflink == ReflinkNever {
		r.ReflinkStatus = DebugNo
	}
	if opt.Reflink == ReflinkAlways {
		r.Src, _ = fdkind.Of(src)
		r.Dst, _ = fdkind.Of(dst)
		return r, &Error{Side: Write, Err: os.NewSyscallError("ioctl_ficlone", errors.ErrUnsupported)}
	}
	rep, err := Copy(dst, src, Options{})
	r.Report = *rep
	return r, err
}
