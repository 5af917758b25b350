package copy_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/copy"
	"github.com/zcopy/zcopy/internal/testfd"
)

// mmapSizes adds to sizes a file of two windows and a bit, so that a
// second mapping starts at an offset.
var mmapSizes = append(slices.Clip(sizes), 4<<20+4097)

// TestMmapMethod copies files with the mmap method alone, from the start
// and from an offset that is not a page's, and checks the bytes, the
// report, the progress counter and the offsets.
func TestMmapMethod(t *testing.T) {
	for _, dst := range []sink{dstFile, dstPipe, dstNull, dstAppend, dstUnixStream} {
		for _, n := range mmapSizes {
			for _, skip := range []int{0, 5} {
				if skip > n {
					continue
				}
				t.Run(dst.name+"/"+sizeName(n)+"/skip="+itoa(skip), func(t *testing.T) {
					data := payload(n)
					src := fileWith(t, data, unix.O_RDONLY)
					if _, err := src.Seek(int64(skip), io.SeekStart); err != nil {
						t.Fatal(err)
					}
					out, result := dst.open(t, n-skip)
					var progress atomic.Int64
					r, err := copy.Copy(out, src, copy.Options{Force: copy.Mmap, Progress: &progress})
					if err != nil {
						t.Fatalf("Copy(Force: mmap) error: %v (report: %v)", err, r)
					}
					if result != nil {
						sameBytes(t, "destination", result(), append(slices.Clip(dst.prefix), data[skip:]...))
					}
					if got := r.BytesBy(copy.Mmap); got != int64(n-skip) {
						t.Errorf("mmap moved %d bytes; want %d (report %v)", got, n-skip, r)
					}
					if ms := r.Methods(); !slices.Equal(ms, []copy.Method{copy.Mmap}) {
						t.Errorf("methods %v; want [mmap]", ms)
					}
					if read, written := r.UserBytes(); read != 0 || written != int64(n-skip) {
						t.Errorf("UserBytes() = %d, %d; want 0, %d", read, written, n-skip)
					}
					if got := progress.Load(); got != int64(n-skip) {
						t.Errorf("progress counter = %d; want %d", got, n-skip)
					}
					if off := offset(t, src); off != int64(n) {
						t.Errorf("source offset = %d; want %d", off, n)
					}
				})
			}
		}
	}
}

// forcedCase is one forced method on one pair: ok says whether the kernel
// takes it (then the method named moved every byte) or refuses it.
type forcedCase struct {
	src   source
	dst   sink
	force copy.Method
	ok    bool
	ran   copy.Method // the method the report shows, when ok
}

var forcedCases = []forcedCase{
	{srcFile, dstFile, copy.CopyFileRange, true, copy.CopyFileRange},
	{srcFile, dstFile, copy.Sendfile, true, copy.Sendfile},
	{srcFile, dstFile, copy.Splice, true, copy.SplicePipe},
	{srcFile, dstFile, copy.Mmap, true, copy.Mmap},
	{srcFile, dstFile, copy.ReadWrite, true, copy.ReadWrite},
	{srcFile, dstPipe, copy.CopyFileRange, false, 0},
	{srcFile, dstPipe, copy.Sendfile, true, copy.Sendfile},
	{srcFile, dstPipe, copy.Splice, true, copy.Splice},
	{srcFile, dstPipe, copy.Mmap, true, copy.Mmap},
	{srcFile, dstPipe, copy.ReadWrite, true, copy.ReadWrite},
	{srcFile, dstNull, copy.CopyFileRange, false, 0},
	{srcFile, dstNull, copy.Sendfile, true, copy.Sendfile},
	{srcFile, dstAppend, copy.CopyFileRange, false, 0}, // PITFALLS 1
	{srcFile, dstAppend, copy.Sendfile, false, 0},
	{srcFile, dstAppend, copy.Splice, false, 0},
	{srcFile, dstAppend, copy.Mmap, true, copy.Mmap},
	{srcFile, dstUnixStream, copy.Splice, true, copy.SplicePipe},
	{srcPipe, dstFile, copy.CopyFileRange, false, 0},
	{srcPipe, dstFile, copy.Sendfile, false, 0},
	{srcPipe, dstFile, copy.Splice, true, copy.Splice},
	{srcPipe, dstFile, copy.Mmap, false, 0},
	{srcPipe, dstPipe, copy.Splice, true, copy.Splice},
	{srcPipe, dstPipe, copy.ReadWrite, true, copy.ReadWrite},
	{srcPipe, dstAppend, copy.Splice, false, 0},
	{srcUnixStream, dstFile, copy.Mmap, false, 0},
	{srcUnixStream, dstAppend, copy.Splice, false, 0},
}

// TestForcedMethod checks that a forced method is the only one that runs:
// where the kernel takes it, it moves every byte; where it refuses, the
// copy ends with a *RefusedError that names the method and the pair, and
// nothing falls back.
func TestForcedMethod(t *testing.T) {
	const n = 70000
	for _, c := range forcedCases {
		t.Run(c.src.name+"-to-"+c.dst.name+"/"+c.force.String(), func(t *testing.T) {
			data := payload(n)
			src := c.src.open(t, data)
			dst, result := c.dst.open(t, n)
			opt := copy.Options{Force: c.force}
			if c.src.limit {
				opt.Limit = n
			}
			r, err := copy.Copy(dst, src, opt)
			if c.ok {
				if err != nil {
					t.Fatalf("Copy error: %v (report %v)", err, r)
				}
				if got := r.BytesBy(c.ran); got != n {
					t.Errorf("%s moved %d bytes; want %d (report %v)", c.ran, got, n, r)
				}
				if ms := r.Methods(); !slices.Equal(ms, []copy.Method{c.ran}) {
					t.Errorf("methods %v; want [%v]", ms, c.ran)
				}
				if result != nil {
					sameBytes(t, "destination", result(), append(slices.Clip(c.dst.prefix), data...))
				}
				return
			}
			var re *copy.RefusedError
			if !errors.As(err, &re) {
				t.Fatalf("Copy error %v (%T); want a *copy.RefusedError (report %v)", err, err, r)
			}
			if re.Method != c.force || re.Src.Kind != r.Src.Kind || re.Dst.Kind != r.Dst.Kind {
				t.Errorf("RefusedError %+v; want method %v and the pair %v", re, c.force, r)
			}
			// A file takes back what an internal pipe held when the
			// destination refused splice; from a stream, that was
			// drained through user space so that no byte is lost.
			_, written := r.UserBytes()
			if c.src.name == "file" {
				written = 0
			}
			if r.Bytes() != written {
				t.Errorf("a refused method moved %d bytes (report %v)", r.Bytes(), r)
			}
			if c.src.name == "file" {
				if off := offset(t, src); off != 0 {
					t.Errorf("source offset %d after a refusal; want 0", off)
				}
			}
			for _, m := range r.Methods() {
				if m != c.force && !(c.force == copy.Splice && m == copy.SplicePipe) {
					t.Errorf("method %v ran after a forced %v", m, c.force)
				}
			}
		})
	}
}

// shrinkCase sets up a copy of a file that another goroutine truncates to
// cut bytes while the engine is blocked on a slow pipe: the reader takes
// half a MiB, truncates, then drains. The writer cannot be past 1.5 MiB
// (what the reader took and the pipe holds) when the file is cut at 3 MiB
// (a page boundary inside the first window) or 100 bytes further.
const (
	shrinkSize = 16 << 20
	shrinkCut  = 3 << 20
)

func shrinkRun(t *testing.T, cut int, run func(src, dst *os.File) error) {
	t.Helper()
	data := payload(shrinkSize)
	p := filepath.Join(t.TempDir(), "shrinking")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	src := testfd.Open(t, p, unix.O_RDONLY)
	r, w := testfd.Pipe(t, 0)
	errc := make(chan error, 1)
	go func() {
		errc <- run(src, w)
		w.Close()
	}()
	got := make([]byte, 512<<10)
	if _, err := io.ReadFull(r, got); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, int64(cut)); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, rest...)
	err = <-errc
	if !errors.Is(err, copy.ErrShrank) {
		t.Errorf("error %v; want ErrShrank", err)
	}
	if copy.IsWrite(err) {
		t.Errorf("error %v is a write error; want a read error (the source shrank)", err)
	}
	if len(got) < cut {
		t.Fatalf("the reader got %d bytes; want the %d before the new end", len(got), cut)
	}
	sameBytes(t, "destination", got[:cut], data[:cut])
	// The kernel zeroes the tail of the page that holds the new end; a
	// write under way may take those zeros, and nothing further.
	page := os.Getpagesize()
	if past := got[cut:]; cut%page == 0 && len(past) > 0 || len(past) >= page || !allZero(past) {
		t.Errorf("%d bytes past the new end (%q...); want none on a page boundary, else only zeros of its page", len(past), past[:min(len(past), 16)])
	}
}

func allZero(p []byte) bool {
	for _, b := range p {
		if b != 0 {
			return false
		}
	}
	return true
}

// TestMmapShrinkWrite truncates the file while write(2) reads the mapping:
// the kernel stops the write short, then fails it with EFAULT; no signal.
func TestMmapShrinkWrite(t *testing.T) {
	for _, cut := range []int{shrinkCut, shrinkCut + 100} {
		t.Run(itoa(cut), func(t *testing.T) { shrinkRun(t, cut, mmapCopy) })
	}
}

func mmapCopy(src, dst *os.File) error {
	_, err := copy.Copy(dst, src, copy.Options{Force: copy.Mmap})
	return err
}

// TestMappedShrink truncates the file while user space reads the mapping
// (copy into a buffer, as cat's formatting does): SIGBUS, which Mapped
// turns into ErrShrank instead of a crash.
func TestMappedShrink(t *testing.T) {
	for _, cut := range []int{shrinkCut, shrinkCut + 100} {
		t.Run(itoa(cut), func(t *testing.T) { shrinkRun(t, cut, mappedCopy) })
	}
}

// mappedCopy writes what it is given a page at a time, so that no byte it
// has read is lost when the next page faults.
func mappedCopy(src, dst *os.File) error {
	buf := make([]byte, os.Getpagesize())
	_, err := copy.Mapped(src, func(p []byte) error {
		for len(p) > 0 {
			n := copyBytes(buf, p)
			if _, err := dst.Write(buf[:n]); err != nil {
				return err
			}
			p = p[n:]
		}
		return nil
	})
	return err
}

// copyBytes is the builtin copy, which the package name hides here; a
// loop over the bytes touches every page of src from user space.
func copyBytes(dst, src []byte) int {
	n := min(len(dst), len(src))
	for i := 0; i < n; i++ {
		dst[i] = src[i]
	}
	return n
}

// TestMapped visits whole files and leaves the offset at the end.
func TestMapped(t *testing.T) {
	for _, n := range mmapSizes {
		t.Run(sizeName(n), func(t *testing.T) {
			data := payload(n)
			src := fileWith(t, data, unix.O_RDONLY)
			var got []byte
			visited, err := copy.Mapped(src, func(p []byte) error {
				got = append(got, p...)
				return nil
			})
			if err != nil || visited != int64(n) {
				t.Fatalf("Mapped = %d, %v; want %d, nil", visited, err, n)
			}
			sameBytes(t, "visited", got, data)
			if off := offset(t, src); off != int64(n) {
				t.Errorf("offset = %d; want %d", off, n)
			}
		})
	}
	t.Run("pipe", func(t *testing.T) {
		r, _ := testfd.Pipe(t, 0)
		_, err := copy.Mapped(r, func([]byte) error { return nil })
		var re *copy.RefusedError
		if !errors.As(err, &re) || re.Method != copy.Mmap {
			t.Errorf("Mapped(pipe) error %v; want a *RefusedError for mmap", err)
		}
	})
}

// TestProgressCounter checks that the counter ends at the bytes written,
// whatever method wrote them.
func TestProgressCounter(t *testing.T) {
	const n = 3<<20 + 7
	for _, c := range forcedCases {
		if !c.ok {
			continue
		}
		t.Run(c.src.name+"-to-"+c.dst.name+"/"+c.force.String(), func(t *testing.T) {
			src := c.src.open(t, payload(n))
			dst, result := c.dst.open(t, n)
			var progress atomic.Int64
			opt := copy.Options{Force: c.force, Progress: &progress}
			if c.src.limit {
				opt.Limit = n
			}
			if _, err := copy.Copy(dst, src, opt); err != nil {
				t.Fatal(err)
			}
			if result != nil {
				result()
			}
			if got := progress.Load(); got != n {
				t.Errorf("progress counter = %d; want %d", got, n)
			}
		})
	}
}
