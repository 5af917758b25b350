package copy

import (
	"testing"

	"github.com/zcopy/zcopy/internal/fdkind"
)

// File is one end of a copy as the methods see it.
type File = file

// MethodFunc is the contract every method follows.
type MethodFunc = methodFunc

// The method hooks. Set them with SetMethod, which restores them.
var (
	CfrFn        = &cfrFn
	SendfileFn   = &sendfileFn
	SpliceFn     = &spliceFn
	SplicePipeFn = &splicePipeFn
	ReadWriteFn  = &readWriteFn
)

// SysFunc is a zero-copy system call at the current offsets: splice and
// copy_file_range take (in, out, n), sendfile takes (out, in, n).
type SysFunc = func(a, b, n int) (int, error)

// The system-call hooks. Set them with SetSys, which restores them.
var (
	SpliceSys        = &spliceSys
	SendfileSys      = &sendfileSys
	CopyFileRangeSys = &copyFileRangeSys
)

// SetMethod replaces the method hook *p with fn until the test ends.
func SetMethod(t testing.TB, p *MethodFunc, fn MethodFunc) {
	old := *p
	*p = fn
	t.Cleanup(func() { *p = old })
}

// SetSys replaces the system-call hook *p with fn until the test ends.
func SetSys(t testing.TB, p *SysFunc, fn SysFunc) {
	old := *p
	*p = fn
	t.Cleanup(func() { *p = old })
}

// Refusal makes the error a method returns to mean "the kernel refused me;
// carry on with the next method from this byte".
func Refusal(err error) error { return &refusal{err} }

// NewError makes the error a method returns for a failure of one side.
func NewError(side Side, op string, err error) error { return newError(side, op, err) }

// ErrNoData stands for "0 bytes at the start from a source that may have more".
var ErrNoData = errNoData

// The errno policies.
var (
	CfrRefused      = cfrRefused
	SendfileRefused = sendfileRefused
	SpliceRefused   = spliceRefused
)

// SideOf is sideOf on two descriptions.
func SideOf(err error, src, dst fdkind.Info) Side {
	return sideOf(err, &file{info: src}, &file{info: dst})
}
