package copy_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/testfd"
)

// Descriptors of every kind for the engine tests. Everything a helper opens
// is closed by t.Cleanup, and every goroutine it starts is waited for, after
// the descriptors that could keep it blocked are closed.

// payload returns n bytes of noise that differ for each n, so that a byte
// lost, repeated or reordered anywhere shows.
func payload(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 0x7a636f7079))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// sameBytes reports the first difference between got and want.
func sameBytes(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	t.Errorf("%s: got %d bytes, want %d; first difference at byte %d", what, len(got), len(want), i)
}

// fileWith writes data to a new file and opens it with flag.
func fileWith(t testing.TB, data []byte, flag int) *os.File {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return testfd.Open(t, p, flag)
}

// feed writes data to w in another goroutine, then closes w. The wait is
// registered to run after r is closed, which unblocks a writer that the
// test left behind (EPIPE).
func feed(t testing.TB, r, w *os.File, data []byte, chunk int) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer w.Close()
		for len(data) > 0 {
			n := min(chunk, len(data))
			if _, err := w.Write(data[:n]); err != nil {
				return
			}
			data = data[n:]
		}
	}()
	t.Cleanup(func() { r.Close(); <-done })
}

// collect reads r to EOF (or, for a pty master, to the EIO that follows the
// slave's last close) in another goroutine. wait closes w, the end the
// engine wrote to, and returns what r got.
func collect(t testing.TB, r, w *os.File) (wait func() []byte) {
	t.Helper()
	var got []byte
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64<<10)
		for {
			n, err := r.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { w.Close(); <-done })
	return func() []byte {
		w.Close()
		<-done
		return got
	}
}

// A source yields data then EOF. limit is set where nothing tells the
// reader it has all (a pty): Copy must then be given Options.Limit.
type source struct {
	name  string
	open  func(t *testing.T, data []byte) *os.File
	limit bool
}

// A sink receives what the engine writes. result, called after Copy,
// returns everything the sink holds (a prefix included).
type sink struct {
	name   string
	prefix []byte
	open   func(t *testing.T, n int) (dst *os.File, result func() []byte)
}

var (
	srcFile = source{name: "file", open: func(t *testing.T, data []byte) *os.File {
		return fileWith(t, data, unix.O_RDONLY)
	}}
	srcPipe = source{name: "pipe", open: func(t *testing.T, data []byte) *os.File {
		r, w := testfd.Pipe(t, 0)
		feed(t, r, w, data, 64<<10)
		return r
	}}
	srcNonblockPipe = source{name: "nonblock-pipe", open: func(t *testing.T, data []byte) *os.File {
		r, w := testfd.Pipe(t, unix.O_NONBLOCK)
		feed(t, r, w, data, 64<<10)
		return r
	}}
	srcUnixStream = source{name: "unix-stream", open: func(t *testing.T, data []byte) *os.File {
		a, b := testfd.SocketPair(t, unix.SOCK_STREAM)
		feed(t, a, b, data, 64<<10)
		return a
	}}
	srcTCP = source{name: "tcp", open: func(t *testing.T, data []byte) *os.File {
		c, s := testfd.TCPPair(t)
		feed(t, c, s, data, 64<<10)
		return c
	}}
	// A datagram source ends with an empty datagram, which read(2) returns
	// as 0: the end of the stream for the engine.
	srcUnixDgram = source{name: "unix-dgram", open: func(t *testing.T, data []byte) *os.File {
		a, b := testfd.SocketPair(t, unix.SOCK_DGRAM)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for len(data) > 0 {
				n := min(32<<10, len(data))
				if _, err := b.Write(data[:n]); err != nil {
					return
				}
				data = data[n:]
			}
			b.Write(nil)
		}()
		t.Cleanup(func() { b.Close(); a.Close(); <-done })
		return a
	}}
	// A pty source: the master is kept open to the end, since its close
	// hangs the slave up and flushes what the slave has not read yet.
	srcPTY = source{name: "pty", limit: true, open: func(t *testing.T, data []byte) *os.File {
		m, s := testfd.Pty(t, 0)
		testfd.SetTermios(t, s, testfd.MakeRaw)
		done := make(chan struct{})
		go func() {
			defer close(done)
			m.Write(data)
		}()
		t.Cleanup(func() { s.Close(); m.Close(); <-done })
		return s
	}}

	dstFile = sink{name: "file", open: func(t *testing.T, n int) (*os.File, func() []byte) {
		p := filepath.Join(t.TempDir(), "out")
		f := testfd.Open(t, p, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC)
		return f, func() []byte { return readFile(t, p) }
	}}
	dstAppend = sink{name: "append-file", prefix: []byte("already there\n"), open: func(t *testing.T, n int) (*os.File, func() []byte) {
		p := filepath.Join(t.TempDir(), "out")
		if err := os.WriteFile(p, []byte("already there\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		f := testfd.Open(t, p, unix.O_WRONLY|unix.O_APPEND)
		return f, func() []byte { return readFile(t, p) }
	}}
	dstPipe = sink{name: "pipe", open: func(t *testing.T, n int) (*os.File, func() []byte) {
		r, w := testfd.Pipe(t, 0)
		return w, collect(t, r, w)
	}}
	dstNonblockPipe = sink{name: "nonblock-pipe", open: func(t *testing.T, n int) (*os.File, func() []byte) {
		r, w := testfd.Pipe(t, unix.O_NONBLOCK)
		return w, collect(t, r, w)
	}}
	dstUnixStream = sink{name: "unix-stream", open: func(t *testing.T, n int) (*os.File, func() []byte) {
		a, b := testfd.SocketPair(t, unix.SOCK_STREAM)
		return a, collect(t, b, a)
	}}
	dstNonblockUnixStream = sink{name: "nonblock-unix-stream", open: func(t *testing.T, n int) (*os.File, func() []byte) {
		a, b := testfd.SocketPair(t, unix.SOCK_STREAM|unix.SOCK_NONBLOCK)
		return a, collect(t, b, a)
	}}
	dstTCP = sink{name: "tcp", open: func(t *testing.T, n int) (*os.File, func() []byte) {
		c, s := testfd.TCPPair(t)
		return c, collect(t, s, c)
	}}
	dstPTY = sink{name: "pty", open: func(t *testing.T, n int) (*os.File, func() []byte) {
		m, s := testfd.Pty(t, 0)
		testfd.SetTermios(t, s, testfd.MakeRaw)
		return s, collect(t, m, s)
	}}
	// A datagram sink reads until it has n bytes; closing the peer of a
	// datagram socket does not end its reader, shutdown(SHUT_RD) does.
	dstUnixDgram = sink{name: "unix-dgram", open: func(t *testing.T, n int) (*os.File, func() []byte) {
		a, b := testfd.SocketPair(t, unix.SOCK_DGRAM)
		var got []byte
		done := make(chan struct{})
		go func() {
			defer close(done)
			buf := make([]byte, 256<<10)
			for len(got) < n {
				m, err := b.Read(buf)
				if err != nil || m == 0 {
					return
				}
				got = append(got, buf[:m]...)
			}
		}()
		stop := func() {
			a.Close()
			testfd.Shutdown(b, unix.SHUT_RD)
			<-done
		}
		t.Cleanup(stop)
		return a, func() []byte { stop(); return got }
	}}
	dstNull = sink{name: "dev-null", open: func(t *testing.T, n int) (*os.File, func() []byte) {
		return testfd.Open(t, "/dev/null", unix.O_WRONLY), nil
	}}
	dstFull = sink{name: "dev-full", open: func(t *testing.T, n int) (*os.File, func() []byte) {
		return testfd.Open(t, "/dev/full", unix.O_WRONLY), nil
	}}
)

func readFile(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// offset returns the file offset of f (lseek SEEK_CUR).
func offset(t testing.TB, f *os.File) int64 {
	t.Helper()
	off, err := unix.Seek(testfd.Fd(t, f), 0, io.SeekCurrent)
	if err != nil {
		t.Fatal(err)
	}
	return off
}

func sizeName(n int) string { return fmt.Sprintf("size=%d", n) }
