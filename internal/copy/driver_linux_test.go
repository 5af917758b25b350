package copy_test

import (
	"errors"
	"slices"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/copy"
)

// TestCopyEmptyMethods: an empty (not nil) Options.Methods is no plan at
// all; the engine plans itself rather than index an empty list.
func TestCopyEmptyMethods(t *testing.T) {
	data := payload(5000)
	src := srcFile.open(t, data)
	dst, result := dstPipe.open(t, len(data))
	r, err := copy.Copy(dst, src, copy.Options{Methods: []copy.Method{}})
	if err != nil {
		t.Fatal(err)
	}
	sameBytes(t, "destination", result(), data)
	checkReport(t, r, zSplice, int64(len(data)))
}

// TestCopyRefusedAtLimit: a method refused just as it reached the limit
// ends the copy; no other method is started for nothing.
func TestCopyRefusedAtLimit(t *testing.T) {
	const limit = 1000
	t.Run("unix-stream-to-append-file/methods=splice-via-pipe/limit=1000", func(t *testing.T) {
		// splice-via-pipe takes 1000 bytes into its pipe, the O_APPEND
		// file refuses splice, and the pipe is drained through user space.
		data := payload(100000)
		src := srcUnixStream.open(t, data)
		dst, result := dstAppend.open(t, limit)
		r, err := copy.Copy(dst, src, copy.Options{Limit: limit, Methods: []copy.Method{copy.SplicePipe, copy.ReadWrite}})
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "destination", result(), append(slices.Clip(dstAppend.prefix), data[:limit]...))
		checkSteps(t, r, []wantStep{{copy.SplicePipe, limit, syscall.EINVAL}})
	})
	t.Run("file-to-file/refused-at-limit", func(t *testing.T) {
		real := *copy.CfrFn
		copy.SetMethod(t, copy.CfrFn, func(dst, src *copy.File, remain int64) (int64, bool, error) {
			w, _, err := real(dst, src, remain)
			if err != nil {
				return w, true, err
			}
			return w, true, copy.Refusal(unix.EINVAL)
		})
		data := payload(100000)
		src := srcFile.open(t, data)
		dst, result := dstFile.open(t, limit)
		r, err := copy.Copy(dst, src, copy.Options{Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "destination", result(), data[:limit])
		checkSteps(t, r, []wantStep{{copy.CopyFileRange, limit, unix.EINVAL}})
	})
}

// TestReportString: what --debug prints names the kinds, the methods, the
// bytes and the refusals.
func TestReportString(t *testing.T) {
	data := payload(5000)
	copy.SetSys(t, copy.SpliceSys, func(a, b, n int) (int, error) { return 0, unix.EINVAL })
	src := srcFile.open(t, data)
	dst, result := dstPipe.open(t, len(data))
	r, err := copy.Copy(dst, src, copy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sameBytes(t, "destination", result(), data)
	s := r.String()
	for _, want := range []string{"file(", "-> pipe:", "splice refused (EINVAL)", "sendfile 5000 bytes in 2 calls"} {
		if !strings.Contains(s, want) {
			t.Errorf("String() = %q; want it to contain %q", s, want)
		}
	}
	if !errors.Is(r.Steps[0].Refused, unix.EINVAL) {
		t.Errorf("Steps[0].Refused = %v; want EINVAL", r.Steps[0].Refused)
	}
}
