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
)

// Shared offsets (PITFALLS 10): `{ head -c5 >/dev/null; zcat; } < f` must
// print f from byte 5, and afterwards both offsets must be where read(2) and
// write(2) would have left them, whichever method moved the bytes.
func TestSharedOffsets(t *testing.T) {
	const n, skip, pre = 100000, 5, 3
	data := payload(n)
	for _, tt := range []struct {
		dst     string // "file" or "pipe"
		methods []copy.Method
	}{
		{"file", nil},
		{"file", []copy.Method{copy.CopyFileRange}},
		{"file", []copy.Method{copy.Sendfile}},
		{"file", []copy.Method{copy.SplicePipe}},
		{"file", []copy.Method{copy.ReadWrite}},
		{"pipe", nil},
		{"pipe", []copy.Method{copy.Splice}},
		{"pipe", []copy.Method{copy.Sendfile}},
		{"pipe", []copy.Method{copy.ReadWrite}},
	} {
		for _, limit := range []int{0, 1, 4097, n - skip - 1} {
			mname := "plan"
			if tt.methods != nil {
				mname = tt.methods[0].String()
			}
			name := fmt.Sprintf("file-to-%s/methods=%s/src-at=%d/limit=%d", tt.dst, mname, skip, limit)
			t.Run(name, func(t *testing.T) {
				src := fileWith(t, data, unix.O_RDONLY)
				// What `head -c5` leaves behind.
				if m, err := unix.Read(testfd.Fd(t, src), make([]byte, skip)); m != skip || err != nil {
					t.Fatalf("read = %d, %v", m, err)
				}
				moved := n - skip
				if limit > 0 {
					moved = limit
				}
				want := data[skip : skip+moved]
				var got func() []byte
				var dst *dstFileAt
				opt := copy.Options{Limit: int64(limit), Methods: tt.methods}
				if tt.dst == "file" {
					dst = newDstFileAt(t, pre)
					if _, err := copy.Copy(dst.f, src, opt); err != nil {
						t.Fatal(err)
					}
					got = func() []byte { return dst.written(moved) }
				} else {
					r, w := testfd.Pipe(t, 0)
					got = collect(t, r, w)
					if _, err := copy.Copy(w, src, opt); err != nil {
						t.Fatal(err)
					}
				}
				sameBytes(t, "copied", got(), want)
				if off := offset(t, src); off != int64(skip+moved) {
					t.Errorf("source offset = %d; want %d", off, skip+moved)
				}
				if dst != nil {
					if off := offset(t, dst.f); off != int64(pre+moved) {
						t.Errorf("destination offset = %d; want %d", off, pre+moved)
					}
				}
			})
		}
	}
}

// TestSharedOffsetsPipeToFile: a destination file positioned part way is
// written at its offset, over what is there, and not truncated.
func TestSharedOffsetsPipeToFile(t *testing.T) {
	const n, pre = 50000, 3
	for _, methods := range [][]copy.Method{nil, {copy.ReadWrite}} {
		t.Run(fmt.Sprintf("pipe-to-file/methods=%v", methods), func(t *testing.T) {
			data := payload(n)
			src := srcPipe.open(t, data)
			dst := newDstFileAt(t, pre)
			if _, err := copy.Copy(dst.f, src, copy.Options{Methods: methods}); err != nil {
				t.Fatal(err)
			}
			sameBytes(t, "copied", dst.written(n), data)
			if off := offset(t, dst.f); off != pre+n {
				t.Errorf("destination offset = %d; want %d", off, pre+n)
			}
		})
	}
}

// dstFileAt is a destination file that holds old content, longer than
// anything the tests write, and whose offset is at pre.
type dstFileAt struct {
	t    *testing.T
	f    *os.File
	path string
	old  []byte
	pre  int
}

func newDstFileAt(t *testing.T, pre int) *dstFileAt {
	t.Helper()
	p := filepath.Join(t.TempDir(), "dst")
	old := bytes.Repeat([]byte("old content\n"), 20000)
	if err := os.WriteFile(p, old, 0o644); err != nil {
		t.Fatal(err)
	}
	f := testfd.Open(t, p, unix.O_WRONLY)
	if _, err := unix.Seek(testfd.Fd(t, f), int64(pre), io.SeekStart); err != nil {
		t.Fatal(err)
	}
	return &dstFileAt{t: t, f: f, path: p, old: old, pre: pre}
}

// written returns the n bytes written at the offset, after checking that
// the old content before and after them is still there.
func (d *dstFileAt) written(n int) []byte {
	d.t.Helper()
	b := readFile(d.t, d.path)
	if len(b) != len(d.old) || !bytes.Equal(b[:d.pre], d.old[:d.pre]) || !bytes.Equal(b[d.pre+n:], d.old[d.pre+n:]) {
		d.t.Errorf("destination: %d bytes; want %d, the old content kept outside [%d, %d)", len(b), len(d.old), d.pre, d.pre+n)
		return nil
	}
	return b[d.pre : d.pre+n]
}
