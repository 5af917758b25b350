package copy

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/fdkind"
)

func TestLooksSparse(t *testing.T) {
	for _, tc := range []struct {
		blocks, size int64
		want         bool
	}{
		{0, 0, false},          // empty
		{0, 511, false},        // inline data, or not yet allocated
		{0, 512, true},         // a hole
		{8, 4096, false},       // one full block
		{8, 4097, false},       // the tail block is partial
		{8, 8192, true},        // half a hole
		{2048, 1 << 20, false}, // dense
		{8, 4 << 30, true},
		{0, 0, false}, // procfs: st_size and st_blocks 0
	} {
		if got := looksSparse(tc.blocks, tc.size); got != tc.want {
			t.Errorf("looksSparse(blocks=%d, size=%d) = %v; want %v", tc.blocks, tc.size, got, tc.want)
		}
	}
}

func TestAllZero(t *testing.T) {
	for _, n := range []int{0, 1, 42, 1025, 4096, 4097, bufSize} {
		b := make([]byte, n)
		if !allZero(b) {
			t.Errorf("allZero(%d zeros) = false", n)
		}
		for _, i := range []int{0, n / 2, n - 1} {
			if n == 0 {
				continue
			}
			b[i] = 1
			if allZero(b) {
				t.Errorf("allZero(%d bytes, byte %d set) = true", n, i)
			}
			b[i] = 0
		}
	}
}

// openCopyEnd opens path as the copy's end.
func openCopyEnd(t testing.TB, path string, flag int) *file {
	t.Helper()
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	fl, err := newFile(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fl
}

// copyEnds writes content to the file src, creates the file dst, and opens
// both as the ends of a copy whose calls count in a step of method m.
func copyEnds(t testing.TB, src, dst string, content []byte, m Method) (s, d *file, st *Step) {
	t.Helper()
	if err := os.WriteFile(src, content, 0o644); err != nil {
		t.Fatal(err)
	}
	s = openCopyEnd(t, src, os.O_RDONLY)
	d = openCopyEnd(t, dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	st = &Step{Method: m}
	s.step, d.step = st, st
	return s, d, st
}

func TestNextData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	l := layout{8 << 20, []piece{{0, noise(4096, 1)}, {1 << 20, noise(5000, 2)}, {3 << 20, noise(70000, 3)}}}
	writeLayout(t, path, l)
	want := dataExtents(t, path)
	if len(want) < 2 {
		t.Skipf("the filesystem of %s reports no holes (%v): nothing to walk", path, want)
	}
	src := openCopyEnd(t, path, os.O_RDONLY)
	var got []extent
	for off := int64(0); ; {
		e, ok, err := nextData(src, off, l.size)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		got = append(got, e)
		off = e.end
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("extents by nextData = %v; want %v", got, want)
	}
	// A size below the file's: the walk stops there, the last extent cut.
	cut := want[1].off + 100
	e, ok, err := nextData(src, want[1].off, cut)
	if err != nil || !ok || e != (extent{want[1].off, cut}) {
		t.Errorf("nextData(%d, size %d) = %v, %v, %v; want [%d %d) true", want[1].off, cut, e, ok, err, want[1].off, cut)
	}
	// In the final hole, ENXIO means done.
	if _, ok, err := nextData(src, want[len(want)-1].end, l.size); ok || err != nil {
		t.Errorf("nextData in the final hole = %v, %v; want false, nil", ok, err)
	}
}

// TestNextDataBounded feeds nextData the answers of a filesystem that lies
// or of a file that changes under it: every walk must advance and end.
func TestNextDataBounded(t *testing.T) {
	const size = 1 << 20
	for _, tc := range []struct {
		name string
		seek func(off int64, whence int) (int64, error)
	}{
		{"data-before-offset", func(off int64, whence int) (int64, error) {
			if whence == unix.SEEK_DATA {
				return 0, nil
			}
			return off + 1, nil
		}},
		{"hole-at-data", func(off int64, whence int) (int64, error) { return off, nil }},
		{"hole-before-data", func(off int64, whence int) (int64, error) {
			if whence == unix.SEEK_DATA {
				return off, nil
			}
			return 0, nil
		}},
		{"grows-forever", func(off int64, whence int) (int64, error) {
			if whence == unix.SEEK_DATA {
				return off, nil
			}
			return math.MaxInt64, nil
		}},
		{"shrank-after-seek-data", func(off int64, whence int) (int64, error) {
			if whence == unix.SEEK_DATA {
				return off, nil
			}
			return 0, unix.ENXIO
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setSeek(t, func(f *file, off int64, whence int) (int64, error) { return tc.seek(off, whence) })
			steps := 0
			for off := int64(0); ; steps++ {
				if steps > size {
					t.Fatalf("the walk did not end after %d extents", steps)
				}
				e, ok, err := nextData(&file{}, off, size)
				if err != nil || !ok {
					break
				}
				if e.off < off || e.end <= e.off || e.end > size {
					t.Fatalf("nextData(%d) = [%d %d); want a non-empty extent in [%d %d)", off, e.off, e.end, off, size)
				}
				off = e.end
			}
		})
	}
}

func setSeek(t testing.TB, fn func(f *file, off int64, whence int) (int64, error)) {
	old := seekFn
	seekFn = fn
	t.Cleanup(func() { seekFn = old })
}

// TestZeroScan copies data with zero blocks in it through zeroScan and
// checks both the bytes and where the holes are.
func TestZeroScan(t *testing.T) {
	const blk = 4096
	pagesize := os.Getpagesize()
	for _, tc := range []struct {
		name string
		// pattern: one letter per blk bytes: d data, z zeros; the
		// last block is cut to tail bytes when tail > 0.
		pattern string
		tail    int
	}{
		{"size=1", "d", 1},
		{"size=42/zeros", "z", 42},
		{"size=1025", "d", 1025},
		{fmt.Sprintf("size=%d", pagesize+1), "dd", 1},
		{"size=32769", "dzzzzzzzd", 1},
		{"zeros-between", "dzzd", 0},
		{"zeros-at-end", "ddzz", 0},
		{"zeros-at-start", "zzzd", 0},
		{"all-zeros", "zzzzzzzzzz", 0},
		{"across-buffers", "d" + string(bytes.Repeat([]byte("z"), bufSize/blk+3)) + "d", 0},
		{"alternating", "dzdzdzdzdzdz", 17},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var content []byte
			for i, c := range tc.pattern {
				n := blk
				if i == len(tc.pattern)-1 && tc.tail > 0 {
					n = tc.tail
				}
				if c == 'd' {
					content = append(content, noise(n, int64(i))...)
				} else {
					content = append(content, make([]byte, n)...)
				}
			}
			dir := t.TempDir()
			src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
			s, d, _ := copyEnds(t, src, dst, content, ReadWrite)
			data, holes, err := zeroScan(d, s, 0, math.MaxInt64, blk, true)
			if err != nil {
				t.Fatal(err)
			}
			if data+holes != int64(len(content)) {
				t.Errorf("zeroScan = %d data + %d holes; want %d in all", data, holes, len(content))
			}
			var wantData int64
			for i, c := range tc.pattern {
				if c == 'd' {
					wantData += int64(min(blk, len(content)-i*blk))
				}
			}
			if data != wantData {
				t.Errorf("zeroScan wrote %d bytes; want the %d of the data blocks", data, wantData)
			}
			if err := unix.Ftruncate(d.fd, int64(len(content))); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(dst)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, content) {
				t.Fatalf("the copy differs from the source")
			}
			syncPath(t, dst)
			if magic := fsMagic(t, dir); magic == fdkind.MagicExt4 || magic == fdkind.MagicTmpfs || magic == fdkind.MagicXFS || magic == fdkind.MagicBtrfs {
				var es []string
				for _, e := range dataExtents(t, dst) {
					for off := e.off; off < e.end; off += blk {
						es = append(es, fmt.Sprint(off/blk))
					}
				}
				var want []string
				for i, c := range tc.pattern {
					if c == 'd' {
						want = append(want, fmt.Sprint(i))
					}
				}
				if fmt.Sprint(es) != fmt.Sprint(want) {
					t.Errorf("data blocks of the copy = %v; want %v", es, want)
				}
			}
		})
	}
}
