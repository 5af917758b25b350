package copy

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/fdkind"
	"github.com/zcopy/zcopy/internal/testfs"
)

// A layout describes a test file: its size and the data written into it.
// What is not written is a hole.
type layout struct {
	size   int64
	chunks []piece
}

type piece struct {
	off  int64
	data []byte
}

// noise returns n bytes without a zero byte, different for each seed.
func noise(n int, seed int64) []byte {
	r := rand.New(rand.NewSource(seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Intn(255) + 1)
	}
	return b
}

// The contents every filesystem and option is tried with.
var layouts = []struct {
	name string
	l    layout
	// holes: the source has holes that SEEK_HOLE finds.
	holes bool
	// zeros: the source has block-aligned runs of written zeros.
	zeros bool
}{
	{"empty", layout{}, false, false},
	{"size=42", layout{42, []piece{{0, noise(42, 1)}}}, false, false},
	{"size=1MiB+1", layout{1<<20 + 1, []piece{{0, noise(1<<20+1, 2)}}}, false, false},
	{"holes-inside-and-at-end", layout{8 << 20, []piece{{1 << 20, noise(5000, 3)}, {3<<20 + 100, noise(70000, 4)}}}, true, false},
	{"hole-then-data-to-end", layout{2 << 20, []piece{{2<<20 - 4097, noise(4097, 5)}}}, true, false},
	// SEEK_HOLE leaves the source's offset past the first extent: the
	// copy of that extent must seek back to 0.
	{"data-then-holes", layout{4 << 20, []piece{{0, noise(5000, 7)}, {2 << 20, noise(3000, 8)}}}, true, false},
	{"written-zeros", layout{2<<20 + 4097, []piece{{0, make([]byte, 1<<20)}, {1 << 20, noise(4097, 6)}, {1<<20 + 4097, make([]byte, 1<<20)}}}, false, true},
}

// writeLayout makes the file path as l says.
func writeLayout(t testing.TB, path string, l layout) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range l.chunks {
		if _, err := f.WriteAt(c.data, c.off); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Truncate(l.size); err != nil {
		t.Fatal(err)
	}
	// Written data has extents only once it reaches the disk: without
	// this, delayed allocation shows a dense file as one hole to
	// SEEK_DATA on some filesystems, and as no blocks to fstat.
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
}

// copyPath copies the file src to a new file dst with CopyFile.
func copyPath(t testing.TB, dst, src string, opt FileOptions) (*FileReport, error) {
	t.Helper()
	s, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	return CopyFile(d, s, opt)
}

// copyPathDesc copies the file src to a new file dst with CopyFileDesc, on
// descriptors described as a tree copy describes them: from the fstat and
// the open flags, without asking fstatfs.
func copyPathDesc(t testing.TB, dst, src string, opt FileOptions) (*FileReport, error) {
	t.Helper()
	desc := func(name string, flags int, magic int64) Desc {
		fd, err := unix.Open(name, flags|unix.O_CLOEXEC, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Close(fd) })
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			t.Fatal(err)
		}
		info, err := fdkind.Known(fd, &st, flags, magic)
		if err != nil {
			t.Fatal(err)
		}
		return Desc{Fd: fd, Info: info, Blocks: st.Blocks}
	}
	s := desc(src, unix.O_RDONLY, 0)
	d := desc(dst, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC, s.Info.FSMagic)
	return CopyFileDesc(d, s, opt)
}

// copyAPIs are the two ways into the engine's file copy.
var copyAPIs = []struct {
	name string
	copy func(t testing.TB, dst, src string, opt FileOptions) (*FileReport, error)
}{{"CopyFile", copyPath}, {"CopyFileDesc", copyPathDesc}}

// dataExtents lists the data extents of path as SEEK_DATA/SEEK_HOLE see
// them.
func dataExtents(t testing.TB, path string) []extent {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	var es []extent
	for off := int64(0); off < fi.Size(); {
		data, err := unix.Seek(int(f.Fd()), off, unix.SEEK_DATA)
		if err == unix.ENXIO {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		hole, err := unix.Seek(int(f.Fd()), data, unix.SEEK_HOLE)
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, extent{data, hole})
		off = hole
	}
	return es
}

// sameContent fails the test unless a and b have the same size and bytes.
// It reads only where either file has data: a hole in both reads as zeros
// in both, so a 4 GiB sparse file is compared in milliseconds.
func sameContent(t testing.TB, a, b string) {
	t.Helper()
	fa, err := os.Open(a)
	if err != nil {
		t.Fatal(err)
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		t.Fatal(err)
	}
	defer fb.Close()
	sa, _ := fa.Stat()
	sb, _ := fb.Stat()
	if sa.Size() != sb.Size() {
		t.Fatalf("size of %s = %d; want %d (the size of %s)", b, sb.Size(), sa.Size(), a)
	}
	ba, bb := make([]byte, 1<<20), make([]byte, 1<<20)
	for _, e := range append(dataExtents(t, a), dataExtents(t, b)...) {
		for off := e.off; off < e.end; {
			n := min(e.end-off, int64(len(ba)))
			if _, err := fa.ReadAt(ba[:n], off); err != nil {
				t.Fatal(err)
			}
			if _, err := fb.ReadAt(bb[:n], off); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(ba[:n], bb[:n]) {
				i := 0
				for ba[i] == bb[i] {
					i++
				}
				t.Fatalf("%s and %s differ at byte %d", a, b, off+int64(i))
			}
			off += n
		}
	}
}

func statPath(t testing.TB, path string) unix.Stat_t {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// allocated is the space a file takes on disk.
func allocated(t testing.TB, path string) int64 { return statPath(t, path).Blocks * 512 }

func fsMagic(t testing.TB, dir string) int64 {
	t.Helper()
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Type)
}

// filesystem is a directory on a filesystem the tests copy within.
type filesystem struct {
	name     string
	dir      string
	reflinks bool // FICLONE shares extents there
}

// filesystems mounts what the matrix runs on: the test's temporary
// directory (ext4 or overlayfs on the development machines and CI), a
// tmpfs, and loop-mounted btrfs and xfs (as root).
func filesystems(t *testing.T) []filesystem {
	tmp := t.TempDir()
	magic := fsMagic(t, tmp)
	fss := []filesystem{{"tmpdir(" + fdkind.Info{FSMagic: magic}.FSName() + ")", tmp, magic == fdkind.MagicBtrfs || magic == fdkind.MagicXFS}}
	if os.Geteuid() != 0 {
		t.Log("not root: only the temporary directory, no tmpfs, btrfs or xfs")
		return fss
	}
	return append(fss,
		filesystem{"tmpfs", testfs.Tmpfs(t, 256<<20), false},
		filesystem{"btrfs", testfs.Btrfs(t), true},
		filesystem{"xfs", testfs.XFS(t), true},
	)
}

var reflinkModes = []struct {
	name string
	mode ReflinkMode
}{{"auto", ReflinkAuto}, {"always", ReflinkAlways}, {"never", ReflinkNever}}

var sparseModes = []struct {
	name string
	mode Sparse
}{{"auto", SparseAuto}, {"always", SparseAlways}, {"never", SparseNever}}

// wantDebug is what GNU cp 9.2 and later print with --debug for a regular
// file, by its copy.c: a clone says nothing of offload and sparseness;
// --reflink=never and --sparse=always avoid copy_file_range (it may share
// extents; zeros must be looked at); an empty file gives copy_file_range
// nothing to do; SEEK_HOLE runs only on a source with fewer blocks than its
// size needs.
func wantDebug(reflinked bool, r ReflinkMode, s Sparse, size int64, holes bool) string {
	if reflinked {
		return "copy offload: unknown, reflink: yes, sparse detection: unknown"
	}
	reflink := map[ReflinkMode]string{ReflinkAuto: "unsupported", ReflinkAlways: "unsupported", ReflinkNever: "no"}[r]
	offload := "yes"
	switch {
	case r == ReflinkNever || s == SparseAlways:
		offload = "avoided"
	case size == 0:
		offload = "unknown"
	}
	sparse := "no"
	switch {
	case holes && s == SparseAlways:
		sparse = "SEEK_HOLE + zeros"
	case holes:
		sparse = "SEEK_HOLE"
	case s == SparseAlways:
		sparse = "zeros"
	}
	return fmt.Sprintf("copy offload: %s, reflink: %s, sparse detection: %s", offload, reflink, sparse)
}

// TestCopyFileMatrix copies every layout with every --reflink and --sparse
// on every filesystem within that filesystem, and checks the copy against
// the source, against what the options promise, and against GNU cp.
func TestCopyFileMatrix(t *testing.T) {
	gnuCP, _ := exec.LookPath("/usr/bin/cp")
	for _, fs := range filesystems(t) {
		for _, lc := range layouts {
			src := filepath.Join(fs.dir, "src-"+lc.name)
			writeLayout(t, src, lc.l)
			for _, rm := range reflinkModes {
				for _, sm := range sparseModes {
					for _, api := range copyAPIs {
						name := fmt.Sprintf("file-to-file/%s/%s/reflink=%s/sparse=%s/%s", fs.name, lc.name, rm.name, sm.name, api.name)
						t.Run(name, func(t *testing.T) {
							dst := filepath.Join(fs.dir, "dst")
							defer os.Remove(dst)
							r, err := api.copy(t, dst, src, FileOptions{Reflink: rm.mode, Sparse: sm.mode})
							checkMatrixCase(t, fs, lc.l, lc.holes, lc.zeros, rm.mode, sm.mode, src, dst, r, err)
							if t.Failed() || gnuCP == "" || err != nil || (rm.mode == ReflinkAlways && sm.mode != SparseAuto) {
								// GNU cp refuses --reflink=always with
								// another --sparse than auto.
								return
							}
							gnu := filepath.Join(fs.dir, "gnu")
							defer os.Remove(gnu)
							out, err := exec.Command(gnuCP, "--reflink="+rm.name, "--sparse="+sm.name, src, gnu).CombinedOutput()
							if err != nil {
								t.Fatalf("cp --reflink=%s --sparse=%s: %v\n%s", rm.name, sm.name, err, out)
							}
							syncPath(t, dst)
							syncPath(t, gnu)
							if zs, gs := allocated(t, dst) < lc.l.size, allocated(t, gnu) < lc.l.size; zs != gs {
								t.Errorf("copy sparse = %v (%d bytes allocated), GNU cp's = %v (%d); want the same",
									zs, allocated(t, dst), gs, allocated(t, gnu))
							}
							if zd, gd := dataExtents(t, dst), dataExtents(t, gnu); fmt.Sprint(zd) != fmt.Sprint(gd) {
								t.Errorf("data extents of the copy = %v; GNU cp's = %v", zd, gd)
							}
						})
					}
				}
			}
		}
	}
}

func syncPath(t testing.TB, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
}

func checkMatrixCase(t *testing.T, fs filesystem, l layout, holes, zeros bool, rm ReflinkMode, sm Sparse, src, dst string, r *FileReport, err error) {
	t.Helper()
	if rm == ReflinkAlways && !fs.reflinks {
		var ce *Error
		if !errors.As(err, &ce) || ce.Side != Write || !errors.Is(err, unix.EOPNOTSUPP) {
			t.Fatalf("CopyFile with ReflinkAlways on %s: %v; want a Write error with EOPNOTSUPP", fs.name, err)
		}
		if r.ReflinkStatus != DebugUnsupported || r.Bytes() != 0 {
			t.Errorf("report %+v; want reflink unsupported and no bytes", r)
		}
		if st := statPath(t, dst); st.Size != 0 {
			t.Errorf("size of the destination after a failed clone = %d; want 0", st.Size)
		}
		return
	}
	if err != nil {
		t.Fatalf("CopyFile: %v (report: %s)", err, r.Report.String())
	}
	t.Logf("%s; %s; holes %d", r.Debug(), r.String(), r.Holes)
	sameContent(t, src, dst)
	wantReflinked := fs.reflinks && rm != ReflinkNever
	if r.Reflinked != wantReflinked {
		t.Errorf("Reflinked = %v; want %v (report: %s)", r.Reflinked, wantReflinked, r.String())
	}
	if got, want := r.Debug(), wantDebug(wantReflinked, rm, sm, l.size, holes); got != want {
		t.Errorf("Debug() = %q; want %q (report: %s)", got, want, r.String())
	}
	// Extents are shared by a clone and only by a clone. Files under a
	// few KiB live inline in btrfs metadata: there is nothing to share.
	if fs.reflinks && l.size >= 64<<10 && !holes {
		if got := testfs.Shared(t, dst); got != wantReflinked {
			t.Errorf("filefrag -v shows shared extents: %v; want %v", got, wantReflinked)
		}
	}
	if wantReflinked {
		if r.BytesBy(Reflink) != l.size || len(r.Steps) != 1 {
			t.Errorf("report %s; want one reflink step of %d bytes", r.String(), l.size)
		}
		return
	}
	// The proof that data stayed in the kernel: no byte of the source
	// crossed user space, unless zeros had to be looked for.
	if sm != SparseAlways {
		if n := r.BytesBy(ReadWrite); n != 0 {
			t.Errorf("read/write moved %d bytes; want 0 (report: %s)", n, r.String())
		}
		for _, s := range r.Steps {
			if s.ViaUser != 0 {
				t.Errorf("%s moved %d bytes through user space; want 0", s.Method, s.ViaUser)
			}
		}
	}
	if rm == ReflinkNever && r.BytesBy(CopyFileRange) != 0 {
		t.Errorf("ReflinkNever: copy_file_range moved %d bytes; want 0", r.BytesBy(CopyFileRange))
	}
	syncPath(t, dst)
	switch {
	case sm == SparseNever:
		if got := allocated(t, dst); got < l.size {
			t.Errorf("SparseNever: %d bytes allocated; want the whole size, %d", got, l.size)
		}
		if r.Holes != 0 {
			t.Errorf("SparseNever: Holes = %d; want 0", r.Holes)
		}
	case holes || (zeros && sm == SparseAlways):
		if got := allocated(t, dst); got >= l.size {
			t.Errorf("%d bytes allocated for %d: the copy is not sparse", got, l.size)
		}
		if r.Holes == 0 || r.Holes+r.Bytes() != l.size {
			t.Errorf("Holes %d + Bytes %d; want holes making up the size, %d", r.Holes, r.Bytes(), l.size)
		}
	default:
		if r.Holes != 0 || r.Bytes() != l.size {
			t.Errorf("Holes %d, Bytes %d; want 0 and the size, %d", r.Holes, r.Bytes(), l.size)
		}
	}
	if !strings.HasPrefix(r.String(), "file(") {
		t.Errorf("String() = %q; want it to describe the files", r.String())
	}
}
