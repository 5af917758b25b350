package copy_test

import (
	"os"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/copy"
	"github.com/zcopy/zcopy/internal/testfd"
)

// Nonblocking descriptors inherited from a parent (PITFALLS 5): splice and
// tee return EAGAIN when either end is O_NONBLOCK, read and write when
// theirs is. The engine must wait in poll(2), never fail and never spin.
// The peers below are slow on purpose, so that the engine meets EAGAIN
// again and again; the proof that it waited is in the number of system
// calls it made (Step.Calls), which must stay in proportion to the peer's
// own calls. A spinning engine makes thousands. No assertion depends on
// time.

// slowWriter writes chunks of data to w, pausing before each, then closes w.
// It returns the number of writes it will make.
func slowWriter(t *testing.T, r, w *os.File, data []byte, chunk int) int {
	t.Helper()
	writes := (len(data) + chunk - 1) / chunk
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer w.Close()
		for len(data) > 0 {
			time.Sleep(time.Millisecond)
			n := min(chunk, len(data))
			if _, err := w.Write(data[:n]); err != nil {
				return
			}
			data = data[n:]
		}
	}()
	t.Cleanup(func() { r.Close(); <-done })
	return writes
}

// slowReader reads r in chunks, pausing before each read. wait closes w
// (the engine's end) and returns what r got and how many reads it made.
func slowReader(t *testing.T, r, w *os.File, chunk int) (wait func() ([]byte, int)) {
	t.Helper()
	var got []byte
	reads := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, chunk)
		for {
			time.Sleep(time.Millisecond)
			n, err := r.Read(buf)
			reads++
			got = append(got, buf[:n]...)
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { w.Close(); <-done })
	return func() ([]byte, int) {
		w.Close()
		<-done
		return got, reads
	}
}

func calls(r *copy.Report) int {
	n := 0
	for _, s := range r.Steps {
		n += s.Calls
	}
	return n
}

// TestNonblockSlowWriter: a pipe source that a slow writer fills a little
// at a time, nonblocking itself or copied to a nonblocking destination.
func TestNonblockSlowWriter(t *testing.T) {
	const chunk, n = 1000, 50*1000 + 7
	for _, tt := range []struct {
		srcFlags int
		dst      sink
		methods  []copy.Method
	}{
		{unix.O_NONBLOCK, dstFile, zSplice},
		{unix.O_NONBLOCK, dstPipe, zSplice},
		{unix.O_NONBLOCK, dstNonblockPipe, zSplice},
		{unix.O_NONBLOCK, dstUnixStream, zSplice},
		{unix.O_NONBLOCK, dstAppend, zRW},
		{unix.O_NONBLOCK, dstPTY, zRW},
		// A blocking, empty source: splice(2) returns EAGAIN because
		// the destination is nonblocking.
		{0, dstNonblockPipe, zSplice},
		{0, dstNonblockUnixStream, zSplice},
	} {
		name := "pipe-to-" + tt.dst.name + "/slow-writer"
		if tt.srcFlags != 0 {
			name = "nonblock-" + name
		}
		t.Run(name, func(t *testing.T) {
			data := payload(n)
			r, w := testfd.Pipe(t, tt.srcFlags)
			writes := slowWriter(t, r, w, data, chunk)
			dst, result := tt.dst.open(t, n)
			rep, err := copy.Copy(dst, r, copy.Options{})
			if err != nil {
				t.Fatalf("Copy error: %v (%v)", err, rep)
			}
			sameBytes(t, "destination", result(), append(slices.Clip(tt.dst.prefix), data...))
			checkReport(t, rep, tt.methods, n)
			// Per write: at most an EAGAIN, a call that moves the
			// chunk and, for read/write, the write; then EOF.
			if c, max := calls(rep), 3*writes+8; c > max {
				t.Errorf("%d system calls for %d writes of the peer; want at most %d: the engine spins on EAGAIN (%v)", c, writes, max, rep)
			}
		})
	}
}

// TestNonblockSlowReader: a destination that a slow reader drains; the
// source always has data. The pipes hold 2 MiB + 1 beyond what fits in
// the largest pipe the engine grows them to, so the destination fills.
func TestNonblockSlowReader(t *testing.T) {
	const chunk, n = 64 << 10, 2<<20 + 1
	for _, tt := range []struct {
		name     string
		src      func(t *testing.T, data []byte) *os.File
		dstFlags int
		dst      string // "pipe" or "unix-stream"
		methods  []copy.Method
	}{
		{"file-to-nonblock-pipe", func(t *testing.T, data []byte) *os.File {
			return fileWith(t, data, unix.O_RDONLY)
		}, unix.O_NONBLOCK, "pipe", zSplice},
		{"pipe-to-nonblock-pipe", srcPipe.open, unix.O_NONBLOCK, "pipe", zSplice},
		{"file-to-nonblock-unix-stream", func(t *testing.T, data []byte) *os.File {
			return fileWith(t, data, unix.O_RDONLY)
		}, unix.SOCK_NONBLOCK, "unix-stream", zSendfile},
		{"pipe-to-nonblock-unix-stream", srcPipe.open, unix.SOCK_NONBLOCK, "unix-stream", zSplice},
		// The destination is blocking, the source is not: splice(2)
		// still returns EAGAIN when the destination is full, since the
		// kernel applies one side's O_NONBLOCK to the whole call.
		{"nonblock-pipe-to-pipe", srcNonblockPipe.open, 0, "pipe", zSplice},
		{"nonblock-file-to-pipe", func(t *testing.T, data []byte) *os.File {
			return fileWith(t, data, unix.O_RDONLY|unix.O_NONBLOCK)
		}, 0, "pipe", zSplice},
		{"nonblock-file-to-unix-stream", func(t *testing.T, data []byte) *os.File {
			return fileWith(t, data, unix.O_RDONLY|unix.O_NONBLOCK)
		}, 0, "unix-stream", zSendfile},
		{"nonblock-unix-stream-to-pipe", func(t *testing.T, data []byte) *os.File {
			a, b := testfd.SocketPair(t, unix.SOCK_STREAM|unix.SOCK_NONBLOCK)
			feed(t, a, b, data, 64<<10)
			return a
		}, 0, "pipe", zSplice},
	} {
		t.Run(tt.name+"/slow-reader", func(t *testing.T) {
			data := payload(n)
			src := tt.src(t, data)
			var r, w *os.File
			if tt.dst == "pipe" {
				r, w = testfd.Pipe(t, tt.dstFlags)
			} else {
				w, r = testfd.SocketPair(t, unix.SOCK_STREAM|tt.dstFlags)
			}
			wait := slowReader(t, r, w, chunk)
			rep, err := copy.Copy(w, src, copy.Options{})
			if err != nil {
				t.Fatalf("Copy error: %v (%v)", err, rep)
			}
			got, reads := wait()
			sameBytes(t, "destination", got, data)
			checkReport(t, rep, tt.methods, n)
			// Each read of the peer makes room for one call that
			// moves data and one that meets EAGAIN again.
			if c, max := calls(rep), 3*reads+8; c > max {
				t.Errorf("%d system calls for %d reads of the peer; want at most %d: the engine spins on EAGAIN (%v)", c, reads, max, rep)
			}
		})
	}
}

// TestNonblockRestored: the engine never changes O_NONBLOCK (it belongs to
// an open file description other processes share).
func TestNonblockRestored(t *testing.T) {
	for _, flags := range []int{0, unix.O_NONBLOCK} {
		data := payload(70000)
		r, w := testfd.Pipe(t, flags)
		feed(t, r, w, data, 4096)
		dr, dw := testfd.Pipe(t, flags)
		result := collect(t, dr, dw)
		before := getfl(t, r) | getfl(t, dw)<<1
		if _, err := copy.Copy(dw, r, copy.Options{}); err != nil {
			t.Fatal(err)
		}
		if after := getfl(t, r) | getfl(t, dw)<<1; after != before {
			t.Errorf("flags %#x: O_NONBLOCK of src|dst<<1 was %b, is %b after Copy", flags, before, after)
		}
		sameBytes(t, "destination", result(), data)
	}
}

func getfl(t *testing.T, f *os.File) int {
	t.Helper()
	fl, err := unix.FcntlInt(uintptr(testfd.Fd(t, f)), unix.F_GETFL, 0)
	if err != nil {
		t.Fatal(err)
	}
	return fl & unix.O_NONBLOCK / unix.O_NONBLOCK
}
