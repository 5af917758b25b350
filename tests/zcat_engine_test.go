package tests

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/testfd"
)

// sparseSize is past 4 GiB and past sendfile's 0x7ffff000 bytes a call
// (PITFALLS 12), and not a multiple of the page size.
const sparseSize = 4<<30 + 3*4096 + 123

// sparseTail is the real data at the end of the sparse file.
var sparseTail = randomData(5000)

// makeSparse makes a file of sparseSize bytes: a hole, then sparseTail.
func makeSparse(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sparse")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(sparseTail, sparseSize-int64(len(sparseTail))); err != nil {
		t.Skipf("cannot make a %d-byte sparse file here: %v", int64(sparseSize), err)
	}
	return p
}

// checkSparse reads r to EOF and checks that it is the sparse file's
// content: sparseSize bytes, zeros and then sparseTail.
func checkSparse(t *testing.T, r io.Reader) {
	t.Helper()
	buf := make([]byte, 1<<20)
	zeros := make([]byte, len(buf))
	tailAt := int64(sparseSize - len(sparseTail))
	var off int64
	for {
		n, err := io.ReadFull(r, buf)
		chunk := buf[:n]
		// The part of this chunk before the tail must be zeros.
		hole := chunk[:max(0, min(int64(n), tailAt-off))]
		if !bytes.Equal(hole, zeros[:len(hole)]) {
			i := bytes.IndexFunc(hole, func(r rune) bool { return r != 0 })
			t.Fatalf("byte %d is not 0 in the hole", off+int64(i))
		}
		if off+int64(n) > tailAt {
			from := max(0, tailAt-off)
			got := chunk[from:]
			want := sparseTail[off+from-tailAt:]
			if int64(len(want)) > int64(len(got)) {
				want = want[:len(got)]
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("the data after the hole differs at byte %d", off+from)
			}
		}
		off += int64(n)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if off != sparseSize {
		t.Fatalf("read %d bytes, want %d", off, int64(sparseSize))
	}
}

// TestZcatSparseOver4GiB copies a sparse file past 4 GiB into a pipe, a
// Unix socket (sendfile's per-call limit) and a file, and checks every
// byte that comes out. The hole is read as zeros: the page cache and the
// destination file take 4 GiB each for a moment.
func TestZcatSparseOver4GiB(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 12 GiB: not in -short mode")
	}
	zcat := bin(t, "zcat")
	src := makeSparse(t)

	drain := func(t *testing.T, dst *os.File, mine io.ReadCloser, method string) {
		cmd := exec.Command(zcat, "--debug", src)
		cmd.Stdout = dst
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		dst.Close()
		checkSparse(t, bufio.NewReaderSize(mine, 1<<20))
		if err := cmd.Wait(); err != nil {
			t.Fatalf("zcat: %v; stderr %q", err, stderr.String())
		}
		checkOnlyMethod(t, stderr.String(), method, sparseSize)
	}
	t.Run("file-to-pipe", func(t *testing.T) {
		r, w := testfd.Pipe(t, 0)
		drain(t, w, r, "splice")
	})
	t.Run("file-to-unix-socket", func(t *testing.T) {
		child, mine := testfd.SocketPair(t, unix.SOCK_STREAM)
		drain(t, child, mine, "sendfile")
	})
	t.Run("file-to-file", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out")
		f, err := os.Create(out)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(zcat, "--debug", src)
		cmd.Stdout = f
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err = cmd.Run()
		f.Close()
		if err != nil {
			t.Fatalf("zcat: %v; stderr %q", err, stderr.String())
		}
		g, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		defer g.Close()
		checkSparse(t, g)
		checkOnlyMethod(t, stderr.String(), "copy_file_range", sparseSize)
	})
}

// checkOnlyMethod checks that zcat's one --debug line says that method
// moved all size bytes.
func checkOnlyMethod(t *testing.T, stderr, method string, size int64) {
	t.Helper()
	debug, rest := splitDebug(stderr)
	if rest != "" || len(debug) != 1 {
		t.Fatalf("stderr %q: want one --debug line and nothing else", stderr)
	}
	d := parseDebug(t, debug[0])
	if d.bytes() != size {
		t.Errorf("--debug accounts for %d bytes, want %d: %s", d.bytes(), size, debug[0])
	}
	d.checkAllBy(t, method)
}

// TestZcatSharedOffset runs zcat in a shell group that shares its
// descriptors with other commands: zcat must read from where head left the
// input's offset, write at the output's offset, and leave both where it
// stopped (PITFALLS 10), as GNU cat does, whichever method moves the data.
func TestZcatSharedOffset(t *testing.T) {
	zcat := bin(t, "zcat")
	cat := gnu(t, "cat")
	sh := needTool(t, "sh")
	for _, size := range []int{10, 1<<20 + 1} {
		data := randomData(size)
		in := tempFile(t, data)
		// $0 is the cat to run, $1 the input, $2 the output file.
		scripts := []struct {
			name, script string
			toFile       bool
			want         []byte
		}{
			{"file-to-pipe", `{ head -c5 >/dev/null; "$0"; } < "$1"`, false, data[5:]},
			{"file-to-file", `{ head -c5 >/dev/null; "$0"; } < "$1" > "$2"`, true, data[5:]},
			{"operand-dash", `{ head -c5 >/dev/null; "$0" -; } < "$1"`, false, data[5:]},
			{"twice", `{ head -c5 >/dev/null; "$0"; "$0"; } < "$1"`, false, data[5:]},
			{"file-to-file-between-writes", `{ printf abc; "$0" "$1"; printf def; } > "$2"`, true,
				append(append([]byte("abc"), data...), "def"...)},
			{"stdin-to-file-between-writes", `{ printf abc; head -c3 >/dev/null; "$0"; printf def; } < "$1" > "$2"`, true,
				append(append([]byte("abc"), data[3:]...), "def"...)},
			{"file-to-append", `{ printf abc; "$0" "$1"; printf def; } >> "$2"`, true,
				append(append([]byte("abc"), data...), "def"...)},
		}
		for _, sc := range scripts {
			for _, prog := range []string{zcat, cat} {
				t.Run(fmt.Sprintf("%s/size=%d/%s", sc.name, size, filepath.Base(prog)), func(t *testing.T) {
					out := filepath.Join(t.TempDir(), "out")
					cmd := exec.Command(sh, "-c", sc.script, prog, in, out)
					var stdout, stderr bytes.Buffer
					cmd.Stdout, cmd.Stderr = &stdout, &stderr
					if err := cmd.Run(); err != nil || stderr.Len() > 0 {
						t.Fatalf("sh -c %q: %v; stderr %q", sc.script, err, stderr.String())
					}
					got := stdout.Bytes()
					if sc.toFile {
						var err error
						if got, err = os.ReadFile(out); err != nil {
							t.Fatal(err)
						}
					}
					if d := diffBytes(got, sc.want); d != "" {
						t.Errorf("sh -c %q wrote %s", sc.script, d)
					}
				})
			}
		}
	}
}

// TestZcatZeroCopy proves that zcat keeps the data in the kernel: under
// strace, the read/write family moves at most a few KiB of it, and the
// zero-copy calls move all of it.
func TestZcatZeroCopy(t *testing.T) {
	zcat := bin(t, "zcat")
	const size = 4<<20 + 1
	data := randomData(size)
	cases := []struct {
		name string
		src  srcKind
		dst  dstKind
	}{
		{"file-to-pipe", srcFile, dstPipe},
		{"pipe-to-pipe", srcPipe, dstPipe},
		{"file-to-file", srcFile, dstFile},
		{"file-to-unix-socket", srcFile, dstUnixSocket},
		{"tcp-socket-to-file", srcTCPSocket, dstFile},
		{"fifo-to-nonblock-pipe", srcFIFO, dstNBPipe},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			log := filepath.Join(t.TempDir(), "trace")
			src, dst := c.src.Open(t, data), c.dst.Open(t)
			r := runKinds(t, straced(t, log, zcat), src, dst)
			if r.Code != 0 || r.FedErr != nil || r.OutErr != nil {
				t.Fatalf("strace zcat: status %d, stderr %q, feeding %v, output %v", r.Code, r.Stderr, r.FedErr, r.OutErr)
			}
			if d := diffBytes(r.Out, data); d != "" {
				t.Fatalf("zcat under strace wrote %s", d)
			}
			checkZeroCopy(t, log, size)
		})
	}
}
