package copy

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/testfs"
)

// TestCopyFileHugeSparse copies a 4 GiB file holding a few KiB of data on
// every filesystem: the copy must stay sparse and equal. It takes
// milliseconds because only the data extents are visited; the time is
// logged, not asserted.
func TestCopyFileHugeSparse(t *testing.T) {
	const size int64 = 4 << 30
	l := layout{size, []piece{{0, noise(3000, 1)}, {1<<30 + 12345, noise(4096, 2)}, {size - 8192 - 7, noise(100, 3)}}}
	for _, fs := range filesystems(t) {
		src := filepath.Join(fs.dir, "huge")
		writeLayout(t, src, l)
		for _, opt := range []struct {
			name string
			o    FileOptions
		}{
			{"reflink=auto", FileOptions{}},
			{"reflink=never", FileOptions{Reflink: ReflinkNever}},
			{"reflink=never/sparse=always", FileOptions{Reflink: ReflinkNever, Sparse: SparseAlways}},
		} {
			t.Run("file-to-file/"+fs.name+"/size=4GiB/"+opt.name, func(t *testing.T) {
				dst := filepath.Join(fs.dir, "huge-copy")
				defer os.Remove(dst)
				start := time.Now()
				r, err := copyPath(t, dst, src, opt.o)
				elapsed := time.Since(start)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%v: %s; %s", elapsed, r.Debug(), r.String())
				sameContent(t, src, dst)
				if got := allocated(t, dst); got > 1<<20 {
					t.Errorf("%d bytes allocated for a copy of %d bytes of data; want it sparse", got, 3000+4096+100)
				}
				if !r.Reflinked && r.Holes < size-(1<<20) {
					t.Errorf("Holes = %d; want nearly all of %d", r.Holes, size)
				}
			})
		}
	}
}

// BenchmarkCopyFileHugeSparse is the 4 GiB sparse copy, for numbers.
func BenchmarkCopyFileHugeSparse(b *testing.B) {
	dir := b.TempDir()
	src := filepath.Join(dir, "huge")
	writeLayout(b, src, layout{4 << 30, []piece{{0, noise(3000, 1)}, {1 << 30, noise(4096, 2)}}})
	for i := 0; i < b.N; i++ {
		if _, err := copyPath(b, filepath.Join(dir, "copy"), src, FileOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReflink1GiB clones a 1 GiB file on btrfs and xfs.
func BenchmarkReflink1GiB(b *testing.B) {
	for _, fs := range []struct {
		name string
		make func(testing.TB) string
	}{{"btrfs", testfs.Btrfs}, {"xfs", testfs.XFS}} {
		b.Run(fs.name, func(b *testing.B) {
			dir := testfs.Loop(b, fs.name, 2<<30)
			src := filepath.Join(dir, "src")
			f, err := os.Create(src)
			if err != nil {
				b.Fatal(err)
			}
			chunk := noise(1<<20, 9)
			for i := 0; i < 1024; i++ {
				if _, err := f.Write(chunk); err != nil {
					b.Fatal(err)
				}
			}
			f.Sync()
			f.Close()
			b.SetBytes(1 << 30)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r, err := copyPath(b, filepath.Join(dir, "copy"), src, FileOptions{Reflink: ReflinkAlways})
				if err != nil || !r.Reflinked {
					b.Fatalf("%v, %+v", err, r)
				}
			}
		})
	}
}

// wantWriteErrno fails the test unless err is a Write-side *Error with
// errno in it.
func wantWriteErrno(t testing.TB, err error, errno syscall.Errno) {
	t.Helper()
	var ce *Error
	if !errors.As(err, &ce) || ce.Side != Write || !errors.Is(err, errno) {
		t.Fatalf("CopyFile: %v; want a Write error with %s", err, unix.ErrnoName(errno))
	}
}

// TestCopyFileENOSPC fills a 64 KiB tmpfs from every path: whatever method
// hits the full disk, the error is a write error with ENOSPC.
func TestCopyFileENOSPC(t *testing.T) {
	testfs.RequireRoot(t)
	full := testfs.Tmpfs(t, 64<<10)
	other := testfs.Tmpfs(t, 64<<20)
	for _, tc := range []struct {
		name string
		dir  string // where the source lives
		l    layout
		opt  FileOptions
	}{
		{"same-tmpfs/dense", full, layout{40 << 10, []piece{{0, noise(40<<10, 9)}}}, FileOptions{}},
		{"same-tmpfs/holes/sparse=never", full, layout{1 << 20, []piece{{0, noise(4096, 10)}}}, FileOptions{Sparse: SparseNever}},
		{"tmpdir-to-tmpfs/dense", t.TempDir(), layout{1 << 20, []piece{{0, noise(1<<20, 1)}}}, FileOptions{}},
		{"tmpfs-to-tmpfs/dense", other, layout{1 << 20, []piece{{0, noise(1<<20, 2)}}}, FileOptions{}},
		{"tmpfs-to-tmpfs/dense/reflink=never", other, layout{1 << 20, []piece{{0, noise(1<<20, 3)}}}, FileOptions{Reflink: ReflinkNever}},
		{"tmpfs-to-tmpfs/sparse=always", other, layout{1 << 20, []piece{{0, noise(1<<20, 4)}}}, FileOptions{Sparse: SparseAlways}},
		{"tmpfs-to-tmpfs/holes", other, layout{8 << 20, []piece{{0, noise(40000, 5)}, {4 << 20, noise(100000, 6)}}}, FileOptions{}},
		{"tmpfs-to-tmpfs/holes/sparse=never", other, layout{8 << 20, []piece{{0, noise(4000, 7)}, {4 << 20, noise(1000, 8)}}}, FileOptions{Sparse: SparseNever}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := filepath.Join(tc.dir, "src")
			writeLayout(t, src, tc.l)
			defer os.Remove(src)
			dst := filepath.Join(full, "dst")
			defer os.Remove(dst)
			r, err := copyPath(t, dst, src, tc.opt)
			wantWriteErrno(t, err, unix.ENOSPC)
			t.Logf("%v; %s", err, r.String())
		})
	}
}

// TestCopyFileCrossFilesystem copies between filesystems of different
// types, where FICLONE and copy_file_range refuse with EXDEV: the copy goes
// on in the kernel with sendfile.
func TestCopyFileCrossFilesystem(t *testing.T) {
	testfs.RequireRoot(t)
	dirs := map[string]string{"tmpdir": t.TempDir(), "tmpfs": testfs.Tmpfs(t, 64<<20), "btrfs": testfs.Btrfs(t), "xfs": testfs.XFS(t)}
	for _, p := range [][2]string{{"tmpfs", "tmpdir"}, {"tmpdir", "tmpfs"}, {"btrfs", "xfs"}, {"xfs", "tmpfs"}, {"tmpdir", "btrfs"}} {
		for _, lc := range layouts {
			t.Run(p[0]+"-to-"+p[1]+"/"+lc.name, func(t *testing.T) {
				src := filepath.Join(dirs[p[0]], "src")
				dst := filepath.Join(dirs[p[1]], "dst")
				defer os.Remove(dst)
				writeLayout(t, src, lc.l)
				r, err := copyPath(t, dst, src, FileOptions{})
				if err != nil {
					t.Fatal(err)
				}
				sameContent(t, src, dst)
				if r.Reflinked || r.BytesBy(ReadWrite) != 0 {
					t.Errorf("report %s; want no clone and no read/write", r.String())
				}
				if lc.holes && allocated(t, dst) >= lc.l.size {
					t.Errorf("the copy is not sparse")
				}
			})
		}
	}
}

// TestCopyFileProcfs copies files whose size says 0: read to their end with
// read(2), since zero-copy calls return 0 for them (PITFALLS 3).
func TestCopyFileProcfs(t *testing.T) {
	// /proc/kallsyms is megabytes long: many reads of the buffer.
	for _, path := range []string{"/proc/version", "/proc/filesystems", "/proc/self/mountinfo", "/sys/kernel/mm/transparent_hugepage/enabled", "/proc/kallsyms"} {
		for _, sm := range sparseModes {
			if path == "/proc/kallsyms" && sm.mode != SparseAuto {
				continue
			}
			t.Run(strings.TrimPrefix(path, "/")+"/sparse="+sm.name, func(t *testing.T) {
				want, err := os.ReadFile(path)
				if err != nil {
					t.Skip(err)
				}
				if len(want) == 0 {
					t.Skipf("%s is empty here", path)
				}
				dst := filepath.Join(t.TempDir(), "dst")
				r, err := copyPath(t, dst, path, FileOptions{Sparse: sm.mode})
				if err != nil {
					t.Fatal(err)
				}
				got, err := os.ReadFile(dst)
				if err != nil {
					t.Fatal(err)
				}
				// mountinfo changes as other tests mount: compare
				// the start, which holds the root mount.
				if path == "/proc/self/mountinfo" {
					n := bytes.IndexByte(want, '\n') + 1
					want, got = want[:n], got[:min(n, len(got))]
				}
				if !bytes.Equal(got, want) {
					t.Errorf("copy of %s = %q; want %q", path, got, want)
				}
				if r.BytesBy(ReadWrite) == 0 {
					t.Errorf("report %s; want read/write to have moved the data", r.String())
				}
			})
		}
	}
}

// refusingAfter returns a method that lets real move n bytes, then refuses
// with errno as the kernel would part way, unless n covers what it is
// asked for; calls counts its calls.
func refusingAfter(real methodFunc, n int64, errno syscall.Errno, calls *int) methodFunc {
	return func(dst, src *file, remain int64) (int64, bool, error) {
		*calls++
		if n >= remain {
			return real(dst, src, remain)
		}
		w, _, err := real(dst, src, n)
		if err != nil {
			return w, true, err
		}
		return w, w > 0, &refusal{errno}
	}
}

// TestCopyFileMidExtentRefusals makes copy_file_range, then sendfile, give
// up part way through an extent: the next method must carry on from the
// exact byte, and a method refused once is not asked again.
func TestCopyFileMidExtentRefusals(t *testing.T) {
	dir := t.TempDir()
	for _, lc := range layouts[1:] {
		for _, tc := range []struct {
			name          string
			cfrN, sfN     int64
			wantReadWrite bool
		}{
			{"cfr-refuses-at-start", 0, 1 << 40, false},
			{"cfr-refuses-after-1-byte", 1, 1 << 40, false},
			{"cfr-refuses-after-4097", 4097, 1 << 40, false},
			{"cfr-after-1000-sendfile-after-1000", 1000, 1000, true},
			{"both-refuse-at-start", 0, 0, true},
		} {
			t.Run("file-to-file/"+lc.name+"/"+tc.name, func(t *testing.T) {
				src := filepath.Join(dir, "src")
				dst := filepath.Join(dir, "dst")
				writeLayout(t, src, lc.l)
				var cfrCalls, sfCalls int
				oc, os_ := cfrFn, sendfileFn
				t.Cleanup(func() { cfrFn, sendfileFn = oc, os_ })
				cfrFn = refusingAfter(oc, tc.cfrN, unix.EXDEV, &cfrCalls)
				sendfileFn = refusingAfter(os_, tc.sfN, unix.EINVAL, &sfCalls)
				r, err := copyPath(t, dst, src, FileOptions{Reflink: ReflinkAuto})
				if err != nil {
					t.Fatal(err)
				}
				sameContent(t, src, dst)
				if cfrCalls != 1 {
					t.Errorf("copy_file_range asked %d times; want once: refused, it is not asked again", cfrCalls)
				}
				if got := r.BytesBy(CopyFileRange); got != min(tc.cfrN, lc.l.size) {
					t.Errorf("copy_file_range moved %d bytes; want %d", got, min(tc.cfrN, lc.l.size))
				}
				if got := r.BytesBy(ReadWrite) > 0; got != (tc.wantReadWrite && lc.l.size > tc.cfrN+tc.sfN) {
					t.Errorf("read/write ran: %v; report %s", got, r.String())
				}
				if r.Bytes()+r.Holes != lc.l.size {
					t.Errorf("Bytes %d + Holes %d; want %d", r.Bytes(), r.Holes, lc.l.size)
				}
				if r.CopyOffload != map[bool]string{true: "yes", false: "unsupported"}[tc.cfrN > 0] {
					t.Errorf("CopyOffload = %q after %d bytes then EXDEV", r.CopyOffload, tc.cfrN)
				}
			})
		}
	}
}

// TestCopyFileOtherDestinations gives CopyFile destinations that cannot
// hold holes or that it must not seek: the bytes still arrive in order.
func TestCopyFileOtherDestinations(t *testing.T) {
	dir := t.TempDir()
	l := layouts[3].l // holes inside and at the end
	src := filepath.Join(dir, "src")
	writeLayout(t, src, l)
	want, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	copyTo := func(t *testing.T, d *os.File) *FileReport {
		s, err := os.Open(src)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		r, err := CopyFile(d, s, FileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	t.Run("file-to-devnull", func(t *testing.T) {
		d, err := os.OpenFile("/dev/null", os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if r := copyTo(t, d); r.Bytes() != l.size || r.Holes != 0 {
			t.Errorf("report %s, holes %d; want %d bytes", r.String(), r.Holes, l.size)
		}
	})
	t.Run("file-to-pipe", func(t *testing.T) {
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer pr.Close()
		got := make(chan []byte)
		go func() { b, _ := io.ReadAll(pr); got <- b }()
		r := copyTo(t, pw)
		pw.Close()
		if !bytes.Equal(<-got, want) {
			t.Errorf("the pipe got other bytes than the file's")
		}
		if r.BytesBy(ReadWrite) != 0 {
			t.Errorf("report %s; want no read/write", r.String())
		}
	})
	t.Run("file-to-append-file", func(t *testing.T) {
		path := filepath.Join(dir, "append")
		if err := os.WriteFile(path, []byte("head"), 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		copyTo(t, d)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, append([]byte("head"), want...)) {
			t.Errorf("O_APPEND destination: the data did not follow what was there")
		}
	})
}

// TestCopyFileNoSeekData copies a sparse source as if its filesystem had
// no SEEK_DATA (EINVAL): GNU cp then looks for zeros instead.
func TestCopyFileNoSeekData(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	l := layouts[3].l
	writeLayout(t, src, l)
	for _, sm := range sparseModes {
		t.Run("sparse="+sm.name, func(t *testing.T) {
			setSeek(t, func(f *file, off int64, whence int) (int64, error) {
				if whence == unix.SEEK_DATA || whence == unix.SEEK_HOLE {
					return 0, unix.EINVAL
				}
				return seek(f, off, whence)
			})
			dst := filepath.Join(dir, "dst")
			r, err := copyPath(t, dst, src, FileOptions{Sparse: sm.mode})
			if err != nil {
				t.Fatal(err)
			}
			sameContent(t, src, dst)
			want := map[Sparse]string{SparseAuto: "zeros", SparseAlways: "zeros", SparseNever: "no"}[sm.mode]
			if r.Sparse != want {
				t.Errorf("Sparse = %q; want %q", r.Sparse, want)
			}
			if sparse := allocated(t, dst) < l.size; sparse != (sm.mode != SparseNever) {
				t.Errorf("copy sparse: %v; want %v", sparse, sm.mode != SparseNever)
			}
		})
	}
}

// TestCopyFileSourceShrinks truncates the source between two of its
// extents: the copy ends where the source's data now ends, as GNU cp's.
func TestCopyFileSourceShrinks(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	l := layouts[3].l
	writeLayout(t, src, l)
	es := dataExtents(t, src)
	if len(es) < 2 {
		t.Skipf("no holes on this filesystem: %v", es)
	}
	cut := es[1].off + 1000
	truncated := false
	setSeek(t, func(f *file, off int64, whence int) (int64, error) {
		if whence == unix.SEEK_DATA && off >= es[0].end && !truncated {
			truncated = true
			if err := os.Truncate(src, cut); err != nil {
				t.Fatal(err)
			}
		}
		return seek(f, off, whence)
	})
	dst := filepath.Join(dir, "dst")
	if _, err := copyPath(t, dst, src, FileOptions{}); err != nil {
		t.Fatal(err)
	}
	if !truncated {
		t.Fatal("the source was never truncated")
	}
	if st := statPath(t, dst); st.Size != cut {
		t.Errorf("size of the copy = %d; want %d, where the source's data ended", st.Size, cut)
	}
	sameContent(t, src, dst)
}
