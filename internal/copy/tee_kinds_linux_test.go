package copy

// Descriptors of every kind for the fan-out tests: a source fed by a
// goroutine, and outputs drained by goroutines, each a real descriptor.

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/testfd"
)

// fanData returns n bytes that differ from seed to seed and from offset to
// offset, so that a byte lost, repeated or moved shows.
func fanData(n int, seed int64) []byte {
	r := rand.New(rand.NewSource(seed))
	b := make([]byte, n)
	r.Read(b)
	return b
}

// fanLines returns about n bytes of 80-column text lines, for terminals in
// canonical mode (no control characters, lines under the 4 KiB line limit).
func fanLines(n int, seed int64) []byte {
	r := rand.New(rand.NewSource(seed))
	var b bytes.Buffer
	for b.Len() < n {
		for i := 0; i < 79; i++ {
			b.WriteByte(byte('a' + r.Intn(26)))
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// fanSrc is a fan-out's input: F is given to Fanout, Want is what reading
// F to its end yields.
type fanSrc struct {
	F    *os.File
	Want []byte
	done chan error
	tty  bool
}

// wait returns the feeder's error (nil for sources without a feeder).
func (s *fanSrc) wait() error {
	if s.done == nil {
		return nil
	}
	return <-s.done
}

// finish reads what the fan-out left of the input (it stops early when
// every output failed), so that the feeder can end, and returns how much
// that was and the feeder's error.
func (s *fanSrc) finish() (rest int64, err error) {
	if !s.tty {
		rest, _ = io.Copy(io.Discard, s.F)
		return rest, s.wait()
	}
	// A terminal gives its end of file once: read without blocking
	// until the feeder is done.
	fd := int(s.F.Fd())
	unix.SetNonblock(fd, true)
	buf := make([]byte, 4096)
	for {
		n, err := unix.Read(fd, buf)
		if n > 0 {
			rest += int64(n)
			continue
		}
		if err == unix.EAGAIN {
			select {
			case err := <-s.done:
				return rest, err
			case <-time.After(time.Millisecond):
			}
			continue
		}
		if err != nil {
			return rest, err
		}
	}
}

// The source kinds.
var fanSrcKinds = []string{"pipe", "nonblock-pipe", "file", "file-offset", "socket", "tty"}

// newFanSrc makes a source of kind holding data (a tty gets text lines of
// about len(data) bytes instead).
func newFanSrc(t *testing.T, kind string, data []byte) *fanSrc {
	t.Helper()
	s := &fanSrc{Want: data}
	feed := func(w io.WriteCloser, data []byte) {
		s.done = make(chan error, 1)
		go func() {
			_, err := w.Write(data)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			s.done <- err
		}()
	}
	switch kind {
	case "pipe", "nonblock-pipe":
		r, w := testfd.Pipe(t, 0)
		if kind == "nonblock-pipe" {
			if err := unix.SetNonblock(int(r.Fd()), true); err != nil {
				t.Fatal(err)
			}
		}
		s.F = r
		feed(w, data)
	case "file", "file-offset":
		path := filepath.Join(t.TempDir(), "src")
		prefix := []byte{}
		if kind == "file-offset" {
			prefix = fanData(1000, 99)
		}
		if err := os.WriteFile(path, append(prefix, data...), 0o666); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Seek(int64(len(prefix)), io.SeekStart); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		s.F = f
	case "socket":
		a, b := testfd.SocketPair(t, unix.SOCK_STREAM)
		s.F = a
		feed(b, data)
	case "tty":
		// Canonical without echo: the reader's read(2) ends at VEOF.
		master, slave := testfd.Pty(t, 0)
		testfd.SetTermios(t, slave, func(tio *unix.Termios) { tio.Lflag &^= unix.ECHO | unix.ECHONL })
		s.F, s.tty = slave, true
		s.Want = fanLines(len(data), int64(len(data)))
		s.done = make(chan error, 1)
		go func() {
			_, err := master.Write(s.Want)
			if err == nil {
				// VEOF at the start of a line: the reader's
				// read(2) returns 0.
				_, err = master.Write([]byte{4})
			}
			s.done <- err
		}()
	default:
		t.Fatalf("no source kind %q", kind)
	}
	return s
}

// fanDst is a fan-out's output: F is given to Fanout; result, once the
// fan-out has returned, closes what must be closed and returns what
// reached the output.
type fanDst struct {
	Kind   string
	F      *os.File
	Prefix []byte // what the output held before (O_APPEND file)
	// ZeroCopy: from a pipe or a file, every byte must come without
	// read/write. Discard: the bytes are not kept (/dev/null). Full:
	// writes fail with ENOSPC (/dev/full).
	ZeroCopy, Discard, Full bool
	result                  func() ([]byte, error)
}

// The output kinds; "slow-pipe" has a 4 KiB capacity and a reader that
// dawdles, so that tee(2) comes back short.
var fanDstKinds = []string{"pipe", "slow-pipe", "nonblock-pipe", "fifo", "file", "append", "socket", "devnull", "devfull", "tty"}

func newFanDst(t *testing.T, kind string, want int) *fanDst {
	t.Helper()
	d := &fanDst{Kind: kind, ZeroCopy: true}
	drain := func(r io.ReadCloser, w io.Closer, slow bool) {
		ch := make(chan collectedBytes, 1)
		go func() {
			var b bytes.Buffer
			buf := make([]byte, 64<<10)
			if slow {
				buf = buf[:3000]
			}
			rnd := rand.New(rand.NewSource(int64(want)))
			for {
				n, err := r.Read(buf)
				b.Write(buf[:n])
				if err != nil {
					if err == io.EOF {
						err = nil
					}
					r.Close()
					ch <- collectedBytes{b.Bytes(), err}
					return
				}
				if slow && rnd.Intn(8) == 0 {
					time.Sleep(50 * time.Microsecond)
				}
			}
		}()
		d.result = func() ([]byte, error) {
			w.Close()
			c := <-ch
			return c.b, c.err
		}
	}
	switch kind {
	case "pipe", "slow-pipe", "nonblock-pipe":
		r, w := testfd.Pipe(t, 0)
		if kind == "slow-pipe" {
			if _, err := unix.FcntlInt(w.Fd(), unix.F_SETPIPE_SZ, 4096); err != nil {
				t.Fatal(err)
			}
		}
		if kind == "nonblock-pipe" {
			if err := unix.SetNonblock(int(w.Fd()), true); err != nil {
				t.Fatal(err)
			}
		}
		d.F = w
		drain(r, w, kind == "slow-pipe")
	case "fifo":
		r, w := testfd.FIFO(t)
		d.F = w
		drain(r, w, false)
	case "file", "append":
		path := filepath.Join(t.TempDir(), "out")
		flag := os.O_RDWR | os.O_CREATE | os.O_TRUNC
		if kind == "append" {
			d.Prefix = []byte("already there\n")
			if err := os.WriteFile(path, d.Prefix, 0o666); err != nil {
				t.Fatal(err)
			}
			flag = os.O_WRONLY | os.O_APPEND
			d.ZeroCopy = false
		}
		f, err := os.OpenFile(path, flag, 0o666)
		if err != nil {
			t.Fatal(err)
		}
		d.F = f
		d.result = func() ([]byte, error) {
			f.Close()
			return os.ReadFile(path)
		}
	case "socket":
		a, b := testfd.SocketPair(t, unix.SOCK_STREAM)
		d.F = a
		drain(b, a, false)
	case "devnull", "devfull":
		f, err := os.OpenFile("/dev/"+kind[3:], os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		d.F = f
		d.Discard, d.Full = kind == "devnull", kind == "devfull"
		d.ZeroCopy = kind == "devnull"
		d.result = func() ([]byte, error) { f.Close(); return nil, nil }
	case "tty":
		master, slave := testfd.Pty(t, 0)
		testfd.SetTermios(t, slave, testfd.MakeRaw)
		d.F = slave
		d.ZeroCopy = false
		ch := make(chan collectedBytes, 1)
		go func() {
			b := make([]byte, want)
			n, err := io.ReadFull(master, b)
			ch <- collectedBytes{b[:n], err}
		}()
		d.result = func() ([]byte, error) {
			c := <-ch
			slave.Close()
			return c.b, c.err
		}
	default:
		t.Fatalf("no output kind %q", kind)
	}
	return d
}

type collectedBytes struct {
	b   []byte
	err error
}

// isErrno reports whether err wraps errno e.
func isErrno(err error, e unix.Errno) bool { return errors.Is(err, e) }
