package copy_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/copy"
	"github.com/zcopy/zcopy/internal/testfd"
	"github.com/zcopy/zcopy/internal/testfs"
)

// A sparse file of 4 GiB and a few KiB: sendfile moves at most 0x7ffff000
// bytes a call and every call's count is an int, so a copy that sized its
// calls wrongly would stop near 2 GiB or 4 GiB, or wrap. The data sits
// around those boundaries and at the end. The file lives on a tmpfs, which
// reads its holes as the shared zero page: 4 GiB cost no memory and about
// a second to read through a pipe on the machine these tests were written on.

const hugeSize = 4<<30 + 8193

// hugePieces are the data of the huge file; the rest is holes.
var hugePieces = []struct {
	off int64
	n   int
}{
	{0, 4096},
	{1<<30 - 100, 200},          // first 1 GiB call of copy_file_range, sendfile
	{0x7ffff000 - 100, 200},     // MAX_RW_COUNT
	{1<<31 - 100, 200},          // int32 overflow
	{1<<32 - 200, 200},          // up to the uint32 overflow
	{1 << 32, hugeSize - 1<<32}, // the last few KiB
}

// hugeTmpfs returns a directory on a tmpfs: a tmpfs of its own as root,
// else one in /dev/shm. Elsewhere (ext4: 11 s here) the first read of 4 GiB
// of holes fills the page cache with zeroed pages, too slow for a unit test.
func hugeTmpfs(t *testing.T) string {
	t.Helper()
	if os.Geteuid() == 0 {
		return testfs.Tmpfs(t, 1<<20)
	}
	var st unix.Statfs_t
	if err := unix.Statfs("/dev/shm", &st); err != nil || st.Type != unix.TMPFS_MAGIC {
		t.Skip("not root and /dev/shm is no tmpfs: 4 GiB of holes on another filesystem fill the page cache")
	}
	dir, err := os.MkdirTemp("/dev/shm", "zcopy-huge-")
	if err != nil {
		t.Skipf("not root and no directory in /dev/shm: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func hugeFile(t *testing.T, dir string) (path string, data [][]byte) {
	t.Helper()
	path = filepath.Join(dir, "huge")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(hugeSize); err != nil {
		t.Skipf("truncate to %d: %v", int64(hugeSize), err)
	}
	for i, p := range hugePieces {
		b := payload(p.n + i)[:p.n]
		if _, err := f.WriteAt(b, p.off); err != nil {
			t.Fatal(err)
		}
		data = append(data, b)
	}
	return path, data
}

// hugeChecker is an io.Writer that checks what it gets against the huge
// file's layout, at memory speed: zeros in the holes, the pieces where
// they are.
type hugeChecker struct {
	data [][]byte
	off  int64
	bad  int64 // first offset that differs, or -1
}

var zeros = make([]byte, 1<<20)

func (c *hugeChecker) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 && c.bad < 0 {
		// Find the piece at or after c.off.
		next, piece := int64(hugeSize), []byte(nil)
		for i, p := range hugePieces {
			if c.off < p.off+int64(p.n) {
				next, piece = p.off, c.data[i]
				break
			}
		}
		var m int
		if c.off < next { // a hole
			m = int(min(int64(len(b)), next-c.off, int64(len(zeros))))
			if !bytes.Equal(b[:m], zeros[:m]) {
				c.bad = c.off
			}
		} else {
			i := c.off - next
			m = int(min(int64(len(b)), int64(len(piece))-i))
			if !bytes.Equal(b[:m], piece[i:i+int64(m)]) {
				c.bad = c.off
			}
		}
		b = b[m:]
		c.off += int64(m)
	}
	if c.bad >= 0 {
		c.off += int64(len(b))
	}
	return n, nil
}

func TestHugeSparse(t *testing.T) {
	if testing.Short() {
		t.Skip("4 GiB through a pipe: not in -short")
	}
	path, data := hugeFile(t, hugeTmpfs(t))
	for _, tt := range []struct {
		name    string
		methods []copy.Method // nil: the plan
		want    copy.Method
	}{
		{"file-to-pipe", nil, copy.Splice},
		{"file-to-pipe/methods=sendfile", []copy.Method{copy.Sendfile}, copy.Sendfile},
	} {
		t.Run(tt.name+"/size="+fmt.Sprint(int64(hugeSize)), func(t *testing.T) {
			src := testfd.Open(t, path, unix.O_RDONLY)
			r, w := testfd.Pipe(t, 0)
			c := &hugeChecker{data: data, bad: -1}
			done := make(chan error, 1)
			go func() {
				_, err := io.CopyBuffer(c, r, make([]byte, 1<<20))
				done <- err
			}()
			rep, err := copy.Copy(w, src, copy.Options{Methods: tt.methods})
			w.Close()
			if rerr := <-done; rerr != nil {
				t.Fatal(rerr)
			}
			if err != nil {
				t.Fatalf("Copy error: %v (%v)", err, rep)
			}
			if c.off != hugeSize || c.bad >= 0 {
				t.Errorf("pipe got %d bytes, first difference at %d; want %d bytes, no difference", c.off, c.bad, int64(hugeSize))
			}
			checkReport(t, rep, []copy.Method{tt.want}, hugeSize)
			if off := offset(t, src); off != hugeSize {
				t.Errorf("source offset = %d; want %d", off, int64(hugeSize))
			}
		})
	}
	t.Run("file-to-dev-null/size="+fmt.Sprint(int64(hugeSize)), func(t *testing.T) {
		src := testfd.Open(t, path, unix.O_RDONLY)
		dst := testfd.Open(t, "/dev/null", unix.O_WRONLY)
		rep, err := copy.Copy(dst, src, copy.Options{})
		if err != nil {
			t.Fatalf("Copy error: %v (%v)", err, rep)
		}
		checkReport(t, rep, zSendfile, hugeSize)
		if off := offset(t, src); off != hugeSize {
			t.Errorf("source offset = %d; want %d", off, int64(hugeSize))
		}
	})
}

// TestHugeSparseFileToFile copies the huge file to a file on btrfs, where
// copy_file_range shares extents: 1 GiB rounds, the kernel's MAX_RW_COUNT
// cap and the tail at EOF must add up to the whole file. Only the data is
// read back (SEEK_DATA), so the test costs no 4 GiB of anything.
func TestHugeSparseFileToFile(t *testing.T) {
	dir := testfs.Btrfs(t)
	path, data := hugeFile(t, dir)
	src := testfd.Open(t, path, unix.O_RDONLY)
	out := filepath.Join(dir, "copy")
	dst := testfd.Open(t, out, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL)
	rep, err := copy.Copy(dst, src, copy.Options{})
	if err != nil {
		t.Fatalf("Copy error: %v (%v)", err, rep)
	}
	checkReport(t, rep, zCFR, hugeSize)
	if off := offset(t, src); off != hugeSize {
		t.Errorf("source offset = %d; want %d", off, int64(hugeSize))
	}
	if off := offset(t, dst); off != hugeSize {
		t.Errorf("destination offset = %d; want %d", off, int64(hugeSize))
	}
	f := testfd.Open(t, out, unix.O_RDONLY)
	if st, err := f.Stat(); err != nil || st.Size() != hugeSize {
		t.Fatalf("copy: size %v, %v; want %d", st.Size(), err, int64(hugeSize))
	}
	// Every piece is where it belongs...
	for i, p := range hugePieces {
		b := make([]byte, p.n)
		if _, err := f.ReadAt(b, p.off); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, data[i]) {
			t.Errorf("copy: bytes [%d, %d) differ", p.off, p.off+int64(p.n))
		}
	}
	// ...and the data extents hold nothing else: the rest is holes.
	fd := testfd.Fd(t, f)
	for off, extents := int64(0), 0; off < hugeSize; extents++ {
		if extents > 1000 {
			t.Fatal("more than 1000 data extents: SEEK_DATA loops")
		}
		d, err := unix.Seek(fd, off, unix.SEEK_DATA)
		if err == unix.ENXIO {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		h, err := unix.Seek(fd, d, unix.SEEK_HOLE)
		if err != nil {
			t.Fatal(err)
		}
		if h-d > 64<<20 {
			t.Fatalf("copy: a data extent of %d bytes at %d; want the holes kept", h-d, d)
		}
		b := make([]byte, h-d)
		if _, err := f.ReadAt(b, d); err != nil && err != io.EOF {
			t.Fatal(err)
		}
		c := &hugeChecker{data: data, off: d, bad: -1}
		c.Write(b)
		if c.bad >= 0 {
			t.Errorf("copy: data extent [%d, %d) differs at %d", d, h, c.bad)
		}
		off = h
	}
}
