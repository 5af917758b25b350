package copy_test

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/copy"
	"github.com/zcopy/zcopy/internal/testfd"
)

// Faults put in the engine's way through its hooks: a method refused before
// any byte, refused after N bytes, failing with a real error after N bytes.
// Whatever happens, no byte may be lost or repeated, the Report must say
// which method moved what and why it gave up, and an error must name its
// side.

// sysFault wraps a real system call: the calls it matches move at most
// `after` bytes in all (their counts are capped so that they stop exactly
// there), then every matching call fails with errno, or returns 0 without
// an error when errno is 0 ("no data", as procfs answers).
type sysFault struct {
	real  copy.SysFunc
	match func(a, b int) bool // nil matches every call
	after int
	errno unix.Errno
	moved int
	fired int
}

func (f *sysFault) call(a, b, n int) (int, error) {
	if f.match != nil && !f.match(a, b) {
		return f.real(a, b, n)
	}
	if f.moved >= f.after {
		f.fired++
		if f.errno == 0 {
			return 0, nil
		}
		return 0, f.errno
	}
	m, err := f.real(a, b, min(n, f.after-f.moved))
	if m > 0 {
		f.moved += m
	}
	return m, err
}

// injectSys puts a sysFault on hook until the test ends.
func injectSys(t *testing.T, hook *copy.SysFunc, after int, errno unix.Errno, match func(a, b int) bool) *sysFault {
	f := &sysFault{real: *hook, match: match, after: after, errno: errno}
	copy.SetSys(t, hook, f.call)
	return f
}

// A wantStep is one Step of the Report: refused is an errno, ErrNoData or
// nil.
type wantStep struct {
	m       copy.Method
	bytes   int
	refused error
}

func (w wantStep) String() string {
	return fmt.Sprintf("{%v %d bytes, refused %v}", w.m, w.bytes, w.refused)
}

func checkSteps(t *testing.T, r *copy.Report, want []wantStep) {
	t.Helper()
	if len(r.Steps) != len(want) {
		t.Errorf("Steps = %+v; want %v (%v)", r.Steps, want, r)
		return
	}
	for i, w := range want {
		s := r.Steps[i]
		ok := s.Method == w.m && s.Bytes == int64(w.bytes)
		switch {
		case w.refused == nil:
			ok = ok && s.Refused == nil
		default:
			ok = ok && errors.Is(s.Refused, w.refused)
		}
		if !ok {
			t.Errorf("step %d = {%v %d bytes, refused %v}; want {%v %d bytes, refused %v} (%v)",
				i, s.Method, s.Bytes, s.Refused, w.m, w.bytes, w.refused, r)
		}
	}
}

func errnoLabel(e unix.Errno) string {
	if e == 0 {
		return "0"
	}
	return unix.ErrnoName(e)
}

// TestFaultRefused: the kernel refuses a method at byte 0 or at byte N; the
// next method in the plan carries on from exactly that byte.
func TestFaultRefused(t *testing.T) {
	const n = 200001
	type tc struct {
		src     source
		dst     sink
		hook    *copy.SysFunc
		hname   string
		after   int
		errno   unix.Errno
		steps   []wantStep
		matchIn bool // fault only the calls that read the source
	}
	var tests []tc
	for _, after := range []int{0, 1, 4097, 100000} {
		for _, e := range []unix.Errno{unix.EXDEV, unix.EINVAL, unix.ENOSYS, unix.EOPNOTSUPP, unix.EBADF, unix.EPERM, unix.EIO, unix.EFBIG, unix.ENOMEM} {
			tests = append(tests, tc{srcFile, dstFile, copy.CopyFileRangeSys, "copy_file_range", after, e, []wantStep{
				{copy.CopyFileRange, after, e}, {copy.Sendfile, n - after, nil}}, false})
		}
		for _, e := range []unix.Errno{unix.EINVAL, unix.ENOSYS, unix.EOPNOTSUPP} {
			tests = append(tests,
				tc{srcFile, dstUnixStream, copy.SendfileSys, "sendfile", after, e, []wantStep{
					{copy.Sendfile, after, e}, {copy.SplicePipe, n - after, nil}}, false},
				tc{srcFile, dstPipe, copy.SpliceSys, "splice", after, e, []wantStep{
					{copy.Splice, after, e}, {copy.Sendfile, n - after, nil}}, false},
				tc{srcPipe, dstFile, copy.SpliceSys, "splice", after, e, []wantStep{
					{copy.Splice, after, e}, {copy.ReadWrite, n - after, nil}}, false},
				tc{srcPipe, dstPipe, copy.SpliceSys, "splice", after, e, []wantStep{
					{copy.Splice, after, e}, {copy.ReadWrite, n - after, nil}}, false},
				tc{srcTCP, dstPipe, copy.SpliceSys, "splice", after, e, []wantStep{
					{copy.Splice, after, e}, {copy.ReadWrite, n - after, nil}}, false},
				// The first splice of splice-via-pipe, into the
				// internal pipe: a failed splice consumes nothing.
				tc{srcUnixStream, dstFile, copy.SpliceSys, "splice", after, e, []wantStep{
					{copy.SplicePipe, after, e}, {copy.ReadWrite, n - after, nil}}, true},
			)
		}
		// A zero-copy call that returns 0 where the source's trusted
		// size says there is more: handed over, never taken for EOF.
		tests = append(tests,
			tc{srcFile, dstFile, copy.CopyFileRangeSys, "copy_file_range", after, 0, []wantStep{
				{copy.CopyFileRange, after, copy.ErrNoData}, {copy.Sendfile, n - after, nil}}, false},
			tc{srcFile, dstNull, copy.SendfileSys, "sendfile", after, 0, []wantStep{
				{copy.Sendfile, after, copy.ErrNoData}, {copy.ReadWrite, n - after, nil}}, false},
			tc{srcFile, dstPipe, copy.SpliceSys, "splice", after, 0, []wantStep{
				{copy.Splice, after, copy.ErrNoData}, {copy.Sendfile, n - after, nil}}, false},
		)
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s-to-%s/%s=%s@%d", tt.src.name, tt.dst.name, tt.hname, errnoLabel(tt.errno), tt.after)
		t.Run(name, func(t *testing.T) {
			data := payload(n)
			src := tt.src.open(t, data)
			dst, result := tt.dst.open(t, n)
			var match func(a, b int) bool
			if tt.matchIn {
				sfd := testfd.Fd(t, src)
				match = func(in, out int) bool { return in == sfd }
			}
			f := injectSys(t, tt.hook, tt.after, tt.errno, match)
			r, err := copy.Copy(dst, src, copy.Options{})
			if err != nil {
				t.Fatalf("Copy error: %v (%v)", err, r)
			}
			if f.fired != 1 {
				t.Errorf("the fault fired %d times; want once (the method must hand over at once)", f.fired)
			}
			if result != nil {
				sameBytes(t, "destination", result(), data)
			}
			checkSteps(t, r, tt.steps)
			if tt.src.name == "file" {
				if off := offset(t, src); off != n {
					t.Errorf("source offset = %d; want %d", off, n)
				}
			}
			if tt.dst.name == "file" {
				if off := offset(t, dst); off != n {
					t.Errorf("destination offset = %d; want %d", off, n)
				}
			}
		})
	}
}

// TestFaultRealError: a real error after N bytes ends the copy: the N bytes
// are in the destination, nothing more, and the error says which side.
func TestFaultRealError(t *testing.T) {
	const n = 200001
	tests := []struct {
		src   source
		dst   sink
		hook  *copy.SysFunc
		hname string
		errno unix.Errno
		side  copy.Side
		m     copy.Method
		match string // "in": only calls reading the source; "out": only calls writing the destination
	}{
		{srcFile, dstFile, copy.CopyFileRangeSys, "copy_file_range", unix.ENOSPC, copy.Write, copy.CopyFileRange, ""},
		{srcFile, dstFile, copy.CopyFileRangeSys, "copy_file_range", unix.EDQUOT, copy.Write, copy.CopyFileRange, ""},
		{srcFile, dstFile, copy.CopyFileRangeSys, "copy_file_range", unix.EISDIR, copy.Read, copy.CopyFileRange, ""},
		{srcFile, dstUnixStream, copy.SendfileSys, "sendfile", unix.EIO, copy.Read, copy.Sendfile, ""},
		{srcFile, dstUnixStream, copy.SendfileSys, "sendfile", unix.EPIPE, copy.Write, copy.Sendfile, ""},
		{srcFile, dstUnixStream, copy.SendfileSys, "sendfile", unix.ECONNRESET, copy.Write, copy.Sendfile, ""},
		{srcFile, dstPipe, copy.SpliceSys, "splice", unix.EIO, copy.Read, copy.Splice, ""},
		{srcFile, dstPipe, copy.SpliceSys, "splice", unix.EPIPE, copy.Write, copy.Splice, ""},
		{srcPipe, dstFile, copy.SpliceSys, "splice", unix.ENOSPC, copy.Write, copy.Splice, ""},
		{srcPipe, dstFile, copy.SpliceSys, "splice", unix.EIO, copy.Read, copy.Splice, ""},
		{srcUnixStream, dstPipe, copy.SpliceSys, "splice", unix.ECONNRESET, copy.Read, copy.Splice, ""},
		// splice-via-pipe knows which of its two calls failed.
		{srcUnixStream, dstFile, copy.SpliceSys, "splice-in", unix.EIO, copy.Read, copy.SplicePipe, "in"},
		{srcUnixStream, dstFile, copy.SpliceSys, "splice-in", unix.ECONNRESET, copy.Read, copy.SplicePipe, "in"},
		{srcUnixStream, dstFile, copy.SpliceSys, "splice-out", unix.ENOSPC, copy.Write, copy.SplicePipe, "out"},
		{srcUnixStream, dstFile, copy.SpliceSys, "splice-out", unix.EIO, copy.Write, copy.SplicePipe, "out"},
	}
	for _, tt := range tests {
		for _, after := range []int{0, 1, 70000} {
			name := fmt.Sprintf("%s-to-%s/%s=%s@%d", tt.src.name, tt.dst.name, tt.hname, unix.ErrnoName(tt.errno), after)
			t.Run(name, func(t *testing.T) {
				data := payload(n)
				src := tt.src.open(t, data)
				dst, result := tt.dst.open(t, n)
				sfd, dfd := testfd.Fd(t, src), testfd.Fd(t, dst)
				var match func(a, b int) bool
				switch tt.match {
				case "in":
					match = func(in, out int) bool { return in == sfd }
				case "out":
					match = func(in, out int) bool { return out == dfd }
				}
				injectSys(t, tt.hook, after, tt.errno, match)
				r, err := copy.Copy(dst, src, copy.Options{})
				if !errors.Is(err, tt.errno) {
					t.Fatalf("Copy error = %v; want %s (%v)", err, unix.ErrnoName(tt.errno), r)
				}
				var ce *copy.Error
				if !errors.As(err, &ce) || ce.Side != tt.side {
					t.Errorf("Copy error = %#v; want a *copy.Error of side %v", err, tt.side)
				}
				var se *os.SyscallError
				if !errors.As(err, &se) {
					t.Errorf("Copy error = %v; want an *os.SyscallError inside", err)
				}
				checkSteps(t, r, []wantStep{{tt.m, after, nil}})
				if result != nil {
					sameBytes(t, "destination", result(), data[:after])
				}
			})
		}
	}
}

// TestFaultSplicePipeDrain: splice-via-pipe has taken bytes from the source
// into its pipe when the destination refuses splice: those bytes are no
// longer in the source, so the pipe is drained to the destination through
// user space (ViaUser) before read/write carries on. Nothing is lost.
func TestFaultSplicePipeDrain(t *testing.T) {
	const n = 300001
	for _, src := range []source{srcUnixStream, srcTCP} {
		for _, after := range []int{0, 1, 1000, 70000} {
			for _, e := range []unix.Errno{unix.EINVAL, unix.ENOSYS, unix.EOPNOTSUPP} {
				name := fmt.Sprintf("%s-to-file/splice-out=%s@%d", src.name, unix.ErrnoName(e), after)
				t.Run(name, func(t *testing.T) {
					data := payload(n)
					s := src.open(t, data)
					dst, result := dstFile.open(t, n)
					dfd := testfd.Fd(t, dst)
					injectSys(t, copy.SpliceSys, after, e, func(in, out int) bool { return out == dfd })
					r, err := copy.Copy(dst, s, copy.Options{})
					if err != nil {
						t.Fatalf("Copy error: %v (%v)", err, r)
					}
					sameBytes(t, "destination", result(), data)
					if got := r.Methods(); !slices.Equal(got, []copy.Method{copy.SplicePipe, copy.ReadWrite}) {
						t.Fatalf("Methods() = %v; want [splice-via-pipe read/write] (%v)", got, r)
					}
					sp := r.Steps[0]
					if !errors.Is(sp.Refused, e) {
						t.Errorf("splice-via-pipe refused with %v; want %s", sp.Refused, unix.ErrnoName(e))
					}
					if sp.Bytes-sp.ViaUser != int64(after) {
						t.Errorf("splice-via-pipe: %d bytes, %d via user space; want %d spliced", sp.Bytes, sp.ViaUser, after)
					}
					if sp.ViaUser <= 0 {
						t.Errorf("ViaUser = %d; the pipe held data when the destination refused", sp.ViaUser)
					}
					if r.Bytes() != n {
						t.Errorf("Bytes() = %d; want %d", r.Bytes(), n)
					}
				})
			}
		}
	}
}

// TestSplicePipeRealRefusals: the same hand-over with no fault injected: an
// O_APPEND file and a pty refuse splice (EINVAL) after the internal pipe was
// filled from the socket.
func TestSplicePipeRealRefusals(t *testing.T) {
	const n = 100001
	methods := []copy.Method{copy.SplicePipe, copy.ReadWrite}
	for _, dst := range []sink{dstAppend, dstPTY} {
		t.Run("unix-stream-to-"+dst.name+"/methods=splice-via-pipe", func(t *testing.T) {
			data := payload(n)
			s := srcUnixStream.open(t, data)
			d, result := dst.open(t, n)
			r, err := copy.Copy(d, s, copy.Options{Methods: methods})
			if err != nil {
				t.Fatalf("Copy error: %v (%v)", err, r)
			}
			sameBytes(t, "destination", result(), append(slices.Clip(dst.prefix), data...))
			if r.Bytes() != n {
				t.Errorf("Bytes() = %d; want %d (%v)", r.Bytes(), n, r)
			}
			if got := r.Methods(); !slices.Equal(got, methods) {
				t.Logf("the kernel took splice to a %s: %v", dst.name, r)
				return
			}
			if sp := r.Steps[0]; !errors.Is(sp.Refused, syscall.EINVAL) || sp.ViaUser != sp.Bytes || sp.Bytes == 0 {
				t.Errorf("splice-via-pipe step = %+v; want refused EINVAL after draining its pipe to user space", sp)
			}
		})
	}
}

// TestFaultPipeNotReused: after a failure that left data in the internal
// pipe, the next copy must not find those bytes in a pooled pipe.
func TestFaultPipeNotReused(t *testing.T) {
	const n = 200001
	for i := 0; i < 3; i++ {
		data := payload(n)
		s := srcUnixStream.open(t, data)
		dst, _ := dstFile.open(t, n)
		dfd := testfd.Fd(t, dst)
		f := injectSys(t, copy.SpliceSys, 1000, unix.ENOSPC, func(in, out int) bool { return out == dfd })
		if _, err := copy.Copy(dst, s, copy.Options{}); !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("Copy error = %v; want ENOSPC", err)
		}
		*f = sysFault{real: f.real, after: math.MaxInt} // the fault is gone
		clean := payload(n - 1)
		s2 := srcUnixStream.open(t, clean)
		dst2, result := dstFile.open(t, n)
		if _, err := copy.Copy(dst2, s2, copy.Options{}); err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "next copy", result(), clean)
	}
}

// TestFaultMethodHooks: the driver itself, with methods replaced: it hands
// over at exactly the byte a refused method reached, and stops at the first
// real error.
func TestFaultMethodHooks(t *testing.T) {
	const n, at = 200001, 12345
	real := *copy.CfrFn
	tests := []struct {
		name  string
		fn    copy.MethodFunc
		steps []wantStep
		err   error
	}{
		{"refused-before-any-byte", func(dst, src *copy.File, remain int64) (int64, bool, error) {
			return 0, false, copy.Refusal(unix.EXDEV)
		}, []wantStep{{copy.CopyFileRange, 0, unix.EXDEV}, {copy.Sendfile, n, nil}}, nil},
		{"unhandled-without-error", func(dst, src *copy.File, remain int64) (int64, bool, error) {
			return 0, false, nil
		}, []wantStep{{copy.CopyFileRange, 0, nil}, {copy.Sendfile, n, nil}}, nil},
		{"refused-after-N", func(dst, src *copy.File, remain int64) (int64, bool, error) {
			w, _, err := real(dst, src, min(remain, at))
			if err != nil {
				return w, true, err
			}
			return w, true, copy.Refusal(unix.EINVAL)
		}, []wantStep{{copy.CopyFileRange, at, unix.EINVAL}, {copy.Sendfile, n - at, nil}}, nil},
		{"real-error-after-N", func(dst, src *copy.File, remain int64) (int64, bool, error) {
			w, _, err := real(dst, src, min(remain, at))
			if err != nil {
				return w, true, err
			}
			return w, true, copy.NewError(copy.Read, "copy_file_range", unix.EIO)
		}, []wantStep{{copy.CopyFileRange, at, nil}}, unix.EIO},
	}
	for _, tt := range tests {
		t.Run("file-to-file/"+tt.name, func(t *testing.T) {
			copy.SetMethod(t, copy.CfrFn, tt.fn)
			data := payload(n)
			src := srcFile.open(t, data)
			dst, result := dstFile.open(t, n)
			r, err := copy.Copy(dst, src, copy.Options{})
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("Copy error = %v; want %v (%v)", err, tt.err, r)
			}
			checkSteps(t, r, tt.steps)
			want := data
			if tt.err != nil {
				want = data[:at]
			}
			sameBytes(t, "destination", result(), want)
		})
	}
	// The last method refused: nothing else can try, so the refusal is
	// the error, on the side its errno names.
	t.Run("file-to-pipe/last-method-refused", func(t *testing.T) {
		copy.SetMethod(t, copy.SpliceFn, func(dst, src *copy.File, remain int64) (int64, bool, error) {
			return 0, false, copy.Refusal(unix.EINVAL)
		})
		src := srcFile.open(t, payload(10))
		dst, _ := dstPipe.open(t, 10)
		r, err := copy.Copy(dst, src, copy.Options{Methods: []copy.Method{copy.Splice}})
		if !errors.Is(err, syscall.EINVAL) {
			t.Fatalf("Copy error = %v; want EINVAL (%v)", err, r)
		}
		var ce *copy.Error
		if !errors.As(err, &ce) {
			t.Errorf("Copy error = %#v; want a *copy.Error", err)
		}
		// --debug shows the refusal too.
		checkSteps(t, r, []wantStep{{copy.Splice, 0, unix.EINVAL}})
	})
}

// TestTransientErrors: EINTR is retried and a spurious EAGAIN on blocking
// descriptors waited for; neither reaches the caller or loses a byte.
func TestTransientErrors(t *testing.T) {
	const n = 300001
	for _, e := range []unix.Errno{unix.EINTR, unix.EAGAIN} {
		for _, tt := range []struct {
			src   source
			dst   sink
			hook  *copy.SysFunc
			hname string
			m     copy.Method
		}{
			{srcFile, dstPipe, copy.SpliceSys, "splice", copy.Splice},
			{srcPipe, dstFile, copy.SpliceSys, "splice", copy.Splice},
			{srcUnixStream, dstFile, copy.SpliceSys, "splice", copy.SplicePipe},
			{srcFile, dstUnixStream, copy.SendfileSys, "sendfile", copy.Sendfile},
			{srcFile, dstFile, copy.CopyFileRangeSys, "copy_file_range", copy.CopyFileRange},
		} {
			if e == unix.EAGAIN && tt.m == copy.CopyFileRange {
				continue // regular files never return EAGAIN
			}
			t.Run(fmt.Sprintf("%s-to-%s/%s=%s-every-other-call", tt.src.name, tt.dst.name, tt.hname, unix.ErrnoName(e)), func(t *testing.T) {
				data := payload(n)
				src := tt.src.open(t, data)
				dst, result := tt.dst.open(t, n)
				real := *tt.hook
				odd, injected := false, 0
				copy.SetSys(t, tt.hook, func(a, b, c int) (int, error) {
					odd = !odd
					if odd {
						injected++
						return -1, e
					}
					return real(a, b, c)
				})
				r, err := copy.Copy(dst, src, copy.Options{})
				if err != nil {
					t.Fatalf("Copy error: %v (%v)", err, r)
				}
				if injected == 0 {
					t.Fatal("no call was interrupted")
				}
				sameBytes(t, "destination", result(), data)
				checkReport(t, r, []copy.Method{tt.m}, n)
			})
		}
	}
}
