package copy_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/copy"
	"github.com/zcopy/zcopy/internal/fdkind"
	"github.com/zcopy/zcopy/internal/testfd"
)

// sizes are the sizes every pair is copied at: nothing, one byte, less than
// a block, a page plus one (a second page with one byte in it), past GNU
// cat's 32 KiB splice threshold, and past a 1 MiB pipe.
var sizes = []int{0, 1, 42, 1025, os.Getpagesize() + 1, 32769, 1<<20 + 1}

// A pair is a source and a sink, and the methods the plan and the kernel
// must pick for them: every method but the last refused before any byte,
// the last one moved everything.
type pair struct {
	src     source
	dst     sink
	methods []copy.Method
}

var (
	zSplice     = []copy.Method{copy.Splice}
	zSendfile   = []copy.Method{copy.Sendfile}
	zCFR        = []copy.Method{copy.CopyFileRange}
	zSplicePipe = []copy.Method{copy.SplicePipe}
	zRW         = []copy.Method{copy.ReadWrite}
)

var pairs = []pair{
	{srcFile, dstFile, zCFR},
	{srcFile, dstAppend, zRW}, // PITFALLS 1
	{srcFile, dstPipe, zSplice},
	{srcFile, dstNonblockPipe, zSplice},
	{srcFile, dstUnixStream, zSendfile},
	{srcFile, dstTCP, zSendfile},
	{srcFile, dstPTY, zRW}, // PITFALLS 4
	{srcFile, dstNull, zSendfile},
	{srcFile, dstUnixDgram, zRW}, // PITFALLS 6

	{srcPipe, dstFile, zSplice},
	{srcPipe, dstAppend, zRW},
	{srcPipe, dstPipe, zSplice},
	{srcPipe, dstNonblockPipe, zSplice},
	{srcPipe, dstUnixStream, zSplice},
	{srcPipe, dstTCP, zSplice},
	{srcPipe, dstPTY, zRW},
	{srcPipe, dstNull, zSplice},

	{srcNonblockPipe, dstFile, zSplice},
	{srcNonblockPipe, dstAppend, zRW},
	{srcNonblockPipe, dstPipe, zSplice},
	{srcNonblockPipe, dstNonblockPipe, zSplice},
	{srcNonblockPipe, dstTCP, zSplice},
	{srcNonblockPipe, dstPTY, zRW},

	{srcUnixStream, dstFile, zSplicePipe},
	{srcUnixStream, dstAppend, zRW},
	{srcUnixStream, dstPipe, zSplice},
	{srcUnixStream, dstUnixStream, zSplicePipe},
	{srcUnixStream, dstNull, zSplicePipe},
	{srcTCP, dstFile, zSplicePipe},
	{srcTCP, dstPipe, zSplice},
	{srcTCP, dstTCP, zSplicePipe},
	{srcTCP, dstPTY, zRW},

	{srcUnixDgram, dstFile, zRW},
	{srcUnixDgram, dstPipe, zRW},

	{srcPTY, dstFile, zRW},
	{srcPTY, dstPipe, zRW},
}

func TestCopyPairs(t *testing.T) {
	for _, p := range pairs {
		for _, n := range sizes {
			if p.src.limit && n == 0 {
				continue // Limit 0 means "no limit": nothing would end the copy
			}
			t.Run(p.src.name+"-to-"+p.dst.name+"/"+sizeName(n), func(t *testing.T) {
				data := payload(n)
				src := p.src.open(t, data)
				dst, result := p.dst.open(t, n)
				var opt copy.Options
				if p.src.limit {
					opt.Limit = int64(n)
				}
				r, err := copy.Copy(dst, src, opt)
				if err != nil {
					t.Fatalf("Copy error: %v (report: %v)", err, r)
				}
				if result != nil {
					sameBytes(t, "destination", result(), append(slices.Clip(p.dst.prefix), data...))
				}
				checkReport(t, r, p.methods, int64(n))
			})
		}
	}
}

// checkReport asserts that the methods ran in this order, that all but the
// last were refused before moving anything, and that the last moved n bytes.
func checkReport(t *testing.T, r *copy.Report, methods []copy.Method, n int64) {
	t.Helper()
	if got := r.Methods(); !slices.Equal(got, methods) {
		t.Errorf("Methods() = %v; want %v (%v)", got, methods, r)
		return
	}
	for i, s := range r.Steps {
		last := i == len(r.Steps)-1
		if !last && (s.Refused == nil || s.Bytes != 0) {
			t.Errorf("step %d = %+v; want refused with 0 bytes (%v)", i, s, r)
		}
		if last && s.Refused != nil {
			t.Errorf("last step %v refused: %v (%v)", s.Method, s.Refused, r)
		}
	}
	last := methods[len(methods)-1]
	if got := r.BytesBy(last); got != n {
		t.Errorf("BytesBy(%v) = %d; want %d (%v)", last, got, n, r)
	}
	if got := r.Bytes(); got != n {
		t.Errorf("Bytes() = %d; want %d (%v)", got, n, r)
	}
	for _, s := range r.Steps {
		if s.ViaUser != 0 && s.Method != copy.SplicePipe {
			t.Errorf("%v: ViaUser = %d; only splice-via-pipe drains through user space", s.Method, s.ViaUser)
		}
	}
}

// TestCopyDevFull: /dev/full refuses splice and sendfile (EINVAL), and the
// write(2) fallback reports ENOSPC as a write error (PITFALLS 7).
func TestCopyDevFull(t *testing.T) {
	tests := []struct {
		src     source
		methods []copy.Method
	}{
		{srcFile, []copy.Method{copy.Sendfile, copy.ReadWrite}},
		{srcPipe, []copy.Method{copy.Splice, copy.ReadWrite}},
		// The socket's bytes are in the internal pipe when /dev/full
		// refuses them: the pipe is drained with write(2), which fails.
		{srcUnixStream, []copy.Method{copy.SplicePipe}},
	}
	for _, tt := range tests {
		for _, n := range []int{0, 1, 32769} {
			t.Run(tt.src.name+"-to-dev-full/"+sizeName(n), func(t *testing.T) {
				src := tt.src.open(t, payload(n))
				dst, _ := dstFull.open(t, n)
				r, err := copy.Copy(dst, src, copy.Options{})
				if n == 0 {
					// Nothing to write, nothing to fail: GNU cat
					// of an empty file to /dev/full succeeds.
					if err != nil || r.Bytes() != 0 {
						t.Fatalf("Copy = %v, %v; want 0 bytes, no error", r, err)
					}
					return
				}
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("Copy error = %v; want ENOSPC (%v)", err, r)
				}
				var ce *copy.Error
				if !errors.As(err, &ce) || ce.Side != copy.Write || !copy.IsWrite(err) {
					t.Errorf("Copy error = %#v; want a Write-side *copy.Error", err)
				}
				var se *os.SyscallError
				if !errors.As(err, &se) || se.Syscall != "write" {
					t.Errorf("Copy error = %v; want an *os.SyscallError of write", err)
				}
				if got := r.Methods(); !slices.Equal(got, tt.methods) {
					t.Errorf("Methods() = %v; want %v (%v)", got, tt.methods, r)
				}
				if len(r.Steps) == 2 && !errors.Is(r.Steps[0].Refused, syscall.EINVAL) {
					t.Errorf("%v refused with %v; want EINVAL", r.Steps[0].Method, r.Steps[0].Refused)
				}
				if r.Bytes() != 0 {
					t.Errorf("Bytes() = %d; want 0", r.Bytes())
				}
			})
		}
	}
}

// TestCopyBrokenPipe: a reader that went away is a write error (EPIPE),
// and the process is not killed: the Go runtime ignores SIGPIPE for
// descriptors other than 1 and 2 (PITFALLS 8 is the command's business).
func TestCopyBrokenPipe(t *testing.T) {
	for _, src := range []source{srcFile, srcPipe, srcUnixStream} {
		t.Run(src.name+"-to-pipe", func(t *testing.T) {
			s := src.open(t, payload(32769))
			r, w := testfd.Pipe(t, 0)
			r.Close()
			rep, err := copy.Copy(w, s, copy.Options{})
			if !errors.Is(err, syscall.EPIPE) || !copy.IsWrite(err) {
				t.Fatalf("Copy error = %v; want a write error EPIPE (%v)", err, rep)
			}
		})
	}
}

// TestCopyProcfs: procfs files say st_size 0 and hold data (PITFALLS 3); the
// plan reads them with read(2) and everything arrives.
func TestCopyProcfs(t *testing.T) {
	for _, path := range []string{"/proc/self/cmdline", "/proc/filesystems", "/proc/self/environ"} {
		want, err := os.ReadFile(path)
		if err != nil || len(want) == 0 {
			t.Fatalf("ReadFile(%s) = %d bytes, %v", path, len(want), err)
		}
		for _, dst := range []sink{dstFile, dstPipe, dstUnixStream} {
			t.Run(strings.ReplaceAll(path[1:], "/", "-")+"-to-"+dst.name, func(t *testing.T) {
				src := testfd.Open(t, path, unix.O_RDONLY)
				info, err := fdkind.Of(src)
				if err != nil {
					t.Fatal(err)
				}
				if info.SizeTrusted() || info.Size != 0 {
					t.Fatalf("%s: Size %d, SizeTrusted %v: not the lying procfs file this test needs", path, info.Size, info.SizeTrusted())
				}
				d, result := dst.open(t, len(want))
				r, err := copy.Copy(d, src, copy.Options{})
				if err != nil {
					t.Fatal(err)
				}
				sameBytes(t, path, result(), want)
				checkReport(t, r, zRW, int64(len(want)))
			})
		}
	}
	// Forced through the zero-copy methods, a procfs source must still
	// arrive whole: a first call that returns 0 means "unsupported", not
	// "empty", and read(2) takes over.
	for _, methods := range [][]copy.Method{
		{copy.Splice, copy.ReadWrite},
		{copy.Sendfile, copy.ReadWrite},
	} {
		t.Run("proc-filesystems-to-pipe/methods="+methods[0].String(), func(t *testing.T) {
			want, _ := os.ReadFile("/proc/filesystems")
			src := testfd.Open(t, "/proc/filesystems", unix.O_RDONLY)
			d, result := dstPipe.open(t, len(want))
			r, err := copy.Copy(d, src, copy.Options{Methods: methods})
			if err != nil {
				t.Fatal(err)
			}
			sameBytes(t, "/proc/filesystems", result(), want)
			if r.Bytes() != int64(len(want)) {
				t.Errorf("Bytes() = %d; want %d (%v)", r.Bytes(), len(want), r)
			}
			// The kernel splices procfs here, but its final 0 is no
			// proof of EOF: read(2) has the last word.
			if !slices.Equal(r.Methods(), methods) || !errors.Is(r.Steps[0].Refused, copy.ErrNoData) {
				t.Errorf("Report = %v; want %v handing over to read/write at its first 0", r, methods[0])
			}
		})
	}
}

// TestCopySysfs: sysfs files say st_size 4096 whatever they hold.
func TestCopySysfs(t *testing.T) {
	path := testfd.SysfsFile(t)
	want, _ := os.ReadFile(path)
	src := testfd.Open(t, path, unix.O_RDONLY)
	d, result := dstPipe.open(t, len(want))
	r, err := copy.Copy(d, src, copy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sameBytes(t, path, result(), want)
	checkReport(t, r, zRW, int64(len(want)))
}

// TestCopyLimit: Limit stops the copy after exactly that many bytes, with
// every method, and leaves the rest of the source where it was.
func TestCopyLimit(t *testing.T) {
	const n = 100000
	data := payload(n)
	for _, tt := range []struct {
		src     source
		dst     sink
		methods []copy.Method
	}{
		{srcFile, dstFile, zCFR},
		{srcFile, dstPipe, zSplice},
		{srcFile, dstUnixStream, zSendfile},
		{srcFile, dstAppend, zRW},
		{srcPipe, dstFile, zSplice},
		{srcUnixStream, dstFile, zSplicePipe},
	} {
		for _, limit := range []int{1, 4097, n / 2, n - 1, n, n + 1, 10 * n} {
			name := tt.src.name + "-to-" + tt.dst.name + "/" + sizeName(n) + "/limit=" + itoa(limit)
			t.Run(name, func(t *testing.T) {
				src := tt.src.open(t, data)
				dst, result := tt.dst.open(t, min(limit, n))
				r, err := copy.Copy(dst, src, copy.Options{Limit: int64(limit)})
				if err != nil {
					t.Fatal(err)
				}
				got := min(limit, n)
				sameBytes(t, "destination", result(), append(slices.Clip(tt.dst.prefix), data[:got]...))
				checkReport(t, r, tt.methods, int64(got))
				if tt.src.name == "file" {
					if off := offset(t, src); off != int64(got) {
						t.Errorf("source offset = %d; want %d", off, got)
					}
				}
			})
		}
	}
}

// TestCopyDevZero: /dev/zero never ends; Limit ends the copy.
func TestCopyDevZero(t *testing.T) {
	for _, dst := range []sink{dstFile, dstPipe} {
		t.Run("dev-zero-to-"+dst.name, func(t *testing.T) {
			const n = 300001
			src := testfd.Open(t, "/dev/zero", unix.O_RDONLY)
			d, result := dst.open(t, n)
			r, err := copy.Copy(d, src, copy.Options{Limit: n})
			if err != nil {
				t.Fatal(err)
			}
			sameBytes(t, "destination", result(), make([]byte, n))
			checkReport(t, r, zRW, n)
		})
	}
}

// TestCopyReadError: a directory reads as EISDIR, a read error.
func TestCopyReadError(t *testing.T) {
	src := testfd.Open(t, t.TempDir(), unix.O_RDONLY|unix.O_DIRECTORY)
	dst, _ := dstPipe.open(t, 0)
	r, err := copy.Copy(dst, src, copy.Options{})
	var ce *copy.Error
	if !errors.As(err, &ce) || ce.Side != copy.Read || !errors.Is(err, syscall.EISDIR) {
		t.Fatalf("Copy error = %v; want a read error EISDIR (%v)", err, r)
	}
	if copy.IsWrite(err) {
		t.Errorf("IsWrite(%v) = true; want false", err)
	}
}

// TestCopyClosed: a closed *os.File is reported on its side.
func TestCopyClosed(t *testing.T) {
	open := testfd.Open(t, "/dev/null", unix.O_RDWR)
	closed, err := os.Open("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	if _, err := copy.Copy(open, closed, copy.Options{}); copy.IsWrite(err) || err == nil {
		t.Errorf("Copy(open, closed) error = %v; want a read-side error", err)
	}
	if _, err := copy.Copy(closed, open, copy.Options{}); !copy.IsWrite(err) {
		t.Errorf("Copy(closed, open) error = %v; want a write-side error", err)
	}
}

func itoa(n int) string { return sizeName(n)[len("size="):] }

// TestCopyBlockDevice: a block device reads like a file whose size is the
// device's (st_size says 0); splice and sendfile take it.
func TestCopyBlockDevice(t *testing.T) {
	const n = 1<<20 + 4096
	for _, tt := range []struct {
		dst     sink
		methods []copy.Method
	}{
		{dstPipe, zSplice},
		{dstFile, zSendfile},
		{dstUnixStream, zSendfile},
	} {
		t.Run("blockdev-to-"+tt.dst.name+"/"+sizeName(n), func(t *testing.T) {
			data := payload(n)
			src := testfd.LoopDevice(t, fileWith(t, data, unix.O_RDONLY))
			dst, result := tt.dst.open(t, n)
			r, err := copy.Copy(dst, src, copy.Options{})
			if err != nil {
				t.Fatalf("Copy error: %v (%v)", err, r)
			}
			sameBytes(t, "destination", result(), data)
			checkReport(t, r, tt.methods, n)
		})
	}
}
