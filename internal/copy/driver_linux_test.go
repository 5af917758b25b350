package copy_test

import (
	"errors"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

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

// TestPipePoolNoLeak: the internal pipes that the pool drops at a garbage
// collection must be closed, not leaked.
func TestPipePoolNoLeak(t *testing.T) {
	before := countPipes(t)
	for i := 0; i < 40; i++ {
		data := payload(1000 + i)
		src := srcUnixStream.open(t, data)
		dst, result := dstFile.open(t, len(data))
		r, err := copy.Copy(dst, src, copy.Options{})
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "destination", result(), data)
		if i == 0 {
			checkReport(t, r, zSplicePipe, int64(len(data)))
		}
		// The pool keeps its items through one collection (the victim
		// cache) and drops them at the next.
		runtime.GC()
		runtime.GC()
	}
	// Finalizers run in their own goroutine after the collection.
	for i := 0; i < 100 && countPipes(t) > before+8; i++ {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if after := countPipes(t); after > before+8 {
		t.Errorf("%d pipe descriptors open before 40 copies through splice-via-pipe, %d after: the dropped pipes leak", before, after)
	}
}

// countPipes counts this process's descriptors that are pipes.
func countPipes(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		if l, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && strings.HasPrefix(l, "pipe:") {
			n++
		}
	}
	return n
}

// TestCopyNoUsableMethod: Options.Methods that holds no copying method is
// an error, not a copy that "succeeds" with nothing written.
func TestCopyNoUsableMethod(t *testing.T) {
	data := payload(5000)
	src := srcFile.open(t, data)
	dst, result := dstPipe.open(t, 0)
	_, err := copy.Copy(dst, src, copy.Options{Methods: []copy.Method{copy.Tee, copy.None}})
	if err == nil {
		t.Fatal("Copy with only Tee and None succeeded; want an error")
	}
	if got := result(); len(got) != 0 {
		t.Errorf("destination got %d bytes; want none", len(got))
	}
}

// TestLastMethodRefusedNamesSyscall: when the last method is refused, the
// error names the system call ("splice"), not the method.
func TestLastMethodRefusedNamesSyscall(t *testing.T) {
	src := srcFile.open(t, payload(100))
	dst, _ := dstAppend.open(t, 0)
	_, err := copy.Copy(dst, src, copy.Options{Methods: []copy.Method{copy.SplicePipe}})
	var se *os.SyscallError
	if !errors.As(err, &se) || se.Syscall != "splice" || !errors.Is(err, syscall.EINVAL) {
		t.Errorf("Copy to an O_APPEND file with splice-via-pipe only: error %v; want splice: EINVAL", err)
	}
}
