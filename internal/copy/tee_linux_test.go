package copy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/fdkind"
	"github.com/zcopy/zcopy/internal/testfd"
)

// fanRun fans src out to dsts, checks that every output got exactly the
// input and that zero-copy outputs got it without read/write, and returns
// the report.
func fanRun(t *testing.T, src *fanSrc, dsts []*fanDst) *FanoutReport {
	t.Helper()
	files := make([]*os.File, len(dsts))
	for i, d := range dsts {
		files[i] = d.F
	}
	var mu sync.Mutex
	failed := map[int]error{}
	rep, err := Fanout(src.F, files, FanoutOptions{OnError: func(i int, err error) bool {
		mu.Lock()
		defer mu.Unlock()
		if _, dup := failed[i]; dup {
			t.Errorf("OnError(%d) called twice", i)
		}
		failed[i] = err
		return true
	}})
	if err != nil {
		t.Fatalf("Fanout: %v", err)
	}
	rest, err := src.finish()
	if err != nil {
		t.Fatalf("feeding the source: %v", err)
	}
	if rest > 0 && len(failed) < len(dsts) {
		t.Errorf("the fan-out left %d bytes of its input", rest)
	}
	want := src.Want
	for i, d := range dsts {
		got, err := d.result()
		if err != nil {
			t.Errorf("output %d (%s): reading it: %v", i, d.Kind, err)
		}
		o := rep.Outputs[i]
		switch {
		case d.Full && len(want) > 0:
			if !isErrno(o.Err, unix.ENOSPC) || !IsWrite(o.Err) || !isErrno(failed[i], unix.ENOSPC) {
				t.Errorf("output %d (%s): Err = %v, OnError got %v; want a write error ENOSPC", i, d.Kind, o.Err, failed[i])
			}
			continue
		case o.Err != nil || failed[i] != nil:
			t.Errorf("output %d (%s): Err = %v, OnError got %v; want none", i, d.Kind, o.Err, failed[i])
		}
		if o.Bytes() != int64(len(want)) {
			t.Errorf("output %d (%s): report %q says %d bytes; want %d", i, d.Kind, o.String(), o.Bytes(), len(want))
		}
		if d.ZeroCopy && !src.tty && o.BytesBy(ReadWrite) != 0 {
			t.Errorf("output %d (%s): %q: %d bytes through read/write; want 0", i, d.Kind, o.String(), o.BytesBy(ReadWrite))
		}
		if d.Discard {
			continue
		}
		if !bytes.Equal(got, append(d.Prefix[:len(d.Prefix):len(d.Prefix)], want...)) {
			t.Errorf("output %d (%s): got %d bytes, %s; want %d bytes", i, d.Kind, len(got), firstDiff(got, append(d.Prefix, want...)), len(d.Prefix)+len(want))
		}
	}
	return rep
}

// firstDiff describes where a and b part.
func firstDiff(a, b []byte) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("first difference at byte %d", i)
		}
	}
	return fmt.Sprintf("equal for %d bytes", min(len(a), len(b)))
}

var fanSizes = []int{0, 1, 42, 1025, 4097, 32769, 1<<20 + 3}

// TestFanoutPairs feeds every output kind from every source kind, one
// output at a time and with stdout-like company (a pipe first).
func TestFanoutPairs(t *testing.T) {
	for _, sk := range fanSrcKinds {
		for _, dk := range fanDstKinds {
			for _, n := range fanSizes {
				if (sk == "tty" || dk == "tty" || dk == "slow-pipe") && n > 40000 {
					continue // keep the slow kinds quick
				}
				t.Run(fmt.Sprintf("%s-to-%s/size=%d", sk, dk, n), func(t *testing.T) {
					src := newFanSrc(t, sk, fanData(n, int64(n)))
					d := newFanDst(t, dk, len(src.Want))
					rep := fanRun(t, src, []*fanDst{d})
					checkMethods(t, sk, rep.Outputs[0], d, len(src.Want))
				})
				t.Run(fmt.Sprintf("%s-to-pipe+%s/size=%d", sk, dk, n), func(t *testing.T) {
					src := newFanSrc(t, sk, fanData(n, int64(n)+1))
					p := newFanDst(t, "pipe", len(src.Want))
					d := newFanDst(t, dk, len(src.Want))
					fanRun(t, src, []*fanDst{p, d})
				})
			}
		}
	}
}

// checkMethods asserts which mechanism fed a lone output.
func checkMethods(t *testing.T, srcKind string, o OutputReport, d *fanDst, n int) {
	t.Helper()
	if n == 0 || d.Full {
		return
	}
	var want []Method
	switch {
	case srcKind == "tty", !d.ZeroCopy:
		want = []Method{ReadWrite}
	case srcKind == "file" || srcKind == "file-offset":
		switch d.Kind {
		case "file":
			want = []Method{CopyFileRange, Sendfile}
		case "socket", "devnull":
			want = []Method{Sendfile}
		default:
			want = []Method{Splice}
		}
	default:
		// A lone output consumes its input.
		want = []Method{Splice}
	}
	var moved int64
	for _, m := range want {
		moved += o.BytesBy(m)
	}
	if moved != int64(n) {
		t.Errorf("%q: %d bytes by %v; want all %d", o.String(), moved, want, n)
	}
}

// TestFanoutMany gives up to 12 outputs of mixed kinds the same input.
func TestFanoutMany(t *testing.T) {
	kinds := []string{"pipe", "file", "slow-pipe", "socket", "devnull", "append", "fifo", "pipe", "file", "nonblock-pipe", "tty", "socket"}
	for _, sk := range []string{"pipe", "file", "socket"} {
		for _, n := range []int{0, 4097, 3<<20 + 5} {
			t.Run(fmt.Sprintf("%s/outputs=12/size=%d", sk, n), func(t *testing.T) {
				src := newFanSrc(t, sk, fanData(n, 7))
				var dsts []*fanDst
				for _, k := range kinds {
					dsts = append(dsts, newFanDst(t, k, len(src.Want)))
				}
				fanRun(t, src, dsts)
			})
		}
	}
}

// TestFanoutPipeMethods: from a pipe, pipe outputs get tee, a file output
// takes the consumer's splice, and nothing crosses user space.
func TestFanoutPipeMethods(t *testing.T) {
	n := 2<<20 + 17
	src := newFanSrc(t, "pipe", fanData(n, 3))
	p1, p2 := newFanDst(t, "pipe", n), newFanDst(t, "pipe", n)
	f1, f2 := newFanDst(t, "file", n), newFanDst(t, "file", n)
	rep := fanRun(t, src, []*fanDst{p1, f1, p2, f2})
	for i, want := range []Method{Tee, Tee, Tee, Splice} {
		o := rep.Outputs[i]
		if o.BytesBy(want) != int64(n) {
			t.Errorf("output %d: %q; want all %d bytes by %v", i, o.String(), n, want)
		}
	}
	// With pipes alone, the last consumes.
	src = newFanSrc(t, "pipe", fanData(n, 4))
	p1, p2 = newFanDst(t, "pipe", n), newFanDst(t, "pipe", n)
	rep = fanRun(t, src, []*fanDst{p1, p2})
	if o := rep.Outputs[0]; o.BytesBy(Tee) != int64(n) {
		t.Errorf("output 0: %q; want all by tee", o.String())
	}
	if o := rep.Outputs[1]; o.BytesBy(Splice) != int64(n) {
		t.Errorf("output 1: %q; want all by splice", o.String())
	}
}

// TestFanoutShortTee makes every tee(2) duplicate a random, small, page
// unaligned part of what it could, so that outputs get ahead of each other
// by odd amounts: each must still get every byte once, in order.
func TestFanoutShortTee(t *testing.T) {
	rnd := rand.New(rand.NewSource(1))
	old := teeFn
	teeFn = func(dst, src *file, max int) (int, error) {
		return old(dst, src, min(max, 1+rnd.Intn(20000)))
	}
	t.Cleanup(func() { teeFn = old })
	for _, sk := range []string{"pipe", "socket"} {
		for _, n := range []int{1, 4097, 1<<20 + 3} {
			t.Run(fmt.Sprintf("%s/size=%d", sk, n), func(t *testing.T) {
				src := newFanSrc(t, sk, fanData(n, int64(n)))
				var dsts []*fanDst
				for _, k := range []string{"pipe", "slow-pipe", "file", "socket", "pipe", "append", "file"} {
					dsts = append(dsts, newFanDst(t, k, len(src.Want)))
				}
				fanRun(t, src, dsts)
			})
		}
	}
}

// refuseAfter makes fSpliceFn refuse (EINVAL) to write to the descriptor
// fd once it has taken after bytes, as a destination that stops taking
// splice part way would.
func refuseAfter(t *testing.T, fd int, after int) {
	old := fSpliceFn
	taken := 0
	fSpliceFn = func(dst, src *file, off *int64, max int) (int, error) {
		if dst.fd == fd {
			if taken >= after {
				return 0, unix.EINVAL
			}
			max = min(max, after-taken)
			n, err := old(dst, src, off, max)
			taken += n
			return n, err
		}
		return old(dst, src, off, max)
	}
	t.Cleanup(func() { fSpliceFn = old })
}

// TestFanoutRefusedMidway: an output whose splice is refused after some
// bytes goes on with write(2) from the exact byte, the others stay on
// tee/splice, and the report tells the story.
func TestFanoutRefusedMidway(t *testing.T) {
	n := 1<<20 + 4097
	for _, tc := range []struct {
		name   string
		target int // which output refuses
		after  int
	}{
		{"consumer-at-start", 2, 0},
		{"consumer-midway", 2, 70001},
		{"teepipe-at-start", 1, 0},
		{"teepipe-midway", 1, 300001},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := newFanSrc(t, "pipe", fanData(n, 5))
			dsts := []*fanDst{newFanDst(t, "pipe", n), newFanDst(t, "file", n), newFanDst(t, "file", n)}
			refuseAfter(t, int(dsts[tc.target].F.Fd()), tc.after)
			dsts[tc.target].ZeroCopy = false
			rep := fanRun(t, src, dsts)
			o := rep.Outputs[tc.target]
			if o.BytesBy(ReadWrite) != int64(n-tc.after) {
				t.Errorf("%q: want %d bytes by read/write", o.String(), n-tc.after)
			}
			refused := false
			for _, s := range o.Steps {
				refused = refused || errors.Is(s.Refused, unix.EINVAL)
			}
			if !refused {
				t.Errorf("%q: want a step refused with EINVAL", o.String())
			}
			if p := rep.Outputs[0]; p.BytesBy(Tee) != int64(n) {
				t.Errorf("output 0: %q: want every byte by tee", p.String())
			}
		})
	}
}

// TestFanoutTeeRefused: an output pipe that tee(2) refuses takes write(2).
func TestFanoutTeeRefused(t *testing.T) {
	n := 300001
	src := newFanSrc(t, "pipe", fanData(n, 6))
	dsts := []*fanDst{newFanDst(t, "pipe", n), newFanDst(t, "pipe", n), newFanDst(t, "file", n)}
	fd := int(dsts[1].F.Fd())
	old := teeFn
	calls := 0
	teeFn = func(dst, src *file, max int) (int, error) {
		if dst.fd == fd {
			calls++
			if calls > 3 {
				return 0, unix.EINVAL
			}
			max = min(max, 1000)
		}
		return old(dst, src, max)
	}
	t.Cleanup(func() { teeFn = old })
	dsts[1].ZeroCopy = false
	rep := fanRun(t, src, dsts)
	if o := rep.Outputs[1]; o.BytesBy(ReadWrite) != int64(n-3000) || o.BytesBy(Tee) != 3000 {
		t.Errorf("%q: want tee, refused, then read/write", o.String())
	}
}

// TestFanoutEarlyReader: an output whose reader goes away early fails with
// EPIPE once, and the others still get every byte.
func TestFanoutEarlyReader(t *testing.T) {
	for _, sk := range []string{"pipe", "file", "socket", "tty"} {
		for _, when := range []string{"at-start", "after-1000"} {
			for _, pos := range []int{0, 1, 2} {
				if when == "after-1000" && (sk == "socket" || sk == "tty") {
					// A pipe's capacity counts buffers, and a buffer
					// spliced from a socket holds a whole skb: the
					// pipe may take all of the input at once. A tty
					// input is small.
					continue
				}
				t.Run(fmt.Sprintf("%s/closing=%d/%s", sk, pos, when), func(t *testing.T) {
					testEarlyReader(t, sk, pos, when == "at-start")
				})
			}
		}
	}
}

func testEarlyReader(t *testing.T, sk string, pos int, atStart bool) {
	// More than the closing reader's pipe holds (1 MiB when grown, in
	// page-sized buffers) after its reader has read 1000 bytes: a write
	// must meet the closed end.
	n := 3<<20 + 1
	if sk == "tty" {
		n = 30000
	}
	src := newFanSrc(t, sk, fanData(n, 8))
	n = len(src.Want)
	r, w := testfd.Pipe(t, 0)
	if atStart {
		r.Close()
	} else {
		go func() {
			buf := make([]byte, 1000)
			io.ReadFull(r, buf)
			r.Close()
		}()
	}
	others := []*fanDst{newFanDst(t, "pipe", n), newFanDst(t, "file", n)}
	files := []*os.File{others[0].F, others[1].F}
	files = append(files[:pos], append([]*os.File{w}, files[pos:]...)...)
	var errs []error
	rep, err := Fanout(src.F, files, FanoutOptions{OnError: func(i int, err error) bool {
		if i != pos {
			t.Errorf("OnError(%d, %v); want only output %d to fail", i, err, pos)
		}
		errs = append(errs, err)
		return true
	}})
	if err != nil {
		t.Fatal(err)
	}
	src.finish()
	if len(errs) != 1 || !isErrno(errs[0], unix.EPIPE) || !IsWrite(errs[0]) {
		t.Errorf("OnError got %v; want one write error EPIPE", errs)
	}
	if !isErrno(rep.Outputs[pos].Err, unix.EPIPE) {
		t.Errorf("output %d: Err = %v; want EPIPE", pos, rep.Outputs[pos].Err)
	}
	for i, d := range others {
		got, _ := d.result()
		if !bytes.Equal(got, src.Want) {
			t.Errorf("other output %d (%s): %d bytes, %s", i, d.Kind, len(got), firstDiff(got, src.Want))
		}
	}
}

// TestFanoutStop: OnError returning false ends the fan-out at once.
func TestFanoutStop(t *testing.T) {
	for _, sk := range []string{"pipe", "file"} {
		t.Run(sk, func(t *testing.T) {
			n := 4 << 20
			src := newFanSrc(t, sk, fanData(n, 9))
			full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer full.Close()
			out := newFanDst(t, "file", n)
			calls := 0
			_, err = Fanout(src.F, []*os.File{full, out.F}, FanoutOptions{OnError: func(i int, err error) bool {
				calls++
				return false
			}})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := out.result()
			if calls != 1 || len(got) >= n {
				t.Errorf("OnError called %d times, other output got %d of %d bytes; want 1 call and an early stop", calls, len(got), n)
			}
			src.finish()
		})
	}
}

// TestFanoutFileOffset: from a regular file, the outputs start at stdin's
// offset and stdin's offset ends at the end, as after tee(1).
func TestFanoutFileOffset(t *testing.T) {
	n := 100000
	src := newFanSrc(t, "file-offset", fanData(n, 10))
	start, _ := src.F.Seek(0, io.SeekCurrent)
	fanRun(t, src, []*fanDst{newFanDst(t, "pipe", n), newFanDst(t, "file", n)})
	end, err := src.F.Seek(0, io.SeekCurrent)
	if err != nil || end != start+int64(n) {
		t.Errorf("stdin offset = %d, %v; want %d", end, err, start+int64(n))
	}
}

// TestFanoutBroken: an output that cannot be described (a closed
// descriptor) fails only when there is a byte for it, as tee's stdout does.
func TestFanoutBroken(t *testing.T) {
	for _, sk := range []string{"pipe", "file", "tty"} {
		for _, n := range []int{0, 5000} {
			t.Run(fmt.Sprintf("%s/size=%d", sk, n), func(t *testing.T) {
				src := newFanSrc(t, sk, fanData(n, 11))
				r, w := testfd.Pipe(t, 0)
				r.Close()
				w.Close() // Fanout gets a closed *os.File
				out := newFanDst(t, "file", len(src.Want))
				rep, err := Fanout(src.F, []*os.File{w, out.F}, FanoutOptions{})
				if err != nil {
					t.Fatal(err)
				}
				src.finish()
				got, _ := out.result()
				if !bytes.Equal(got, src.Want) {
					t.Errorf("other output: %d bytes; want %d", len(got), len(src.Want))
				}
				if e := rep.Outputs[0].Err; (e != nil) != (len(src.Want) > 0) {
					t.Errorf("closed output: Err = %v with %d bytes of input", e, len(src.Want))
				}
			})
		}
	}
}

// TestFanoutNonblockingSpin: a nonblocking input and a full blocking output
// must not spin: tee(2) returns EAGAIN and the fan-out polls both ends.
func TestFanoutNonblockingSpin(t *testing.T) {
	src := newFanSrc(t, "nonblock-pipe", fanData(1<<20, 12))
	d := newFanDst(t, "slow-pipe", 1<<20)
	e := newFanDst(t, "file", 1<<20)
	rep := fanRun(t, src, []*fanDst{d, e})
	// A spinning loop shows as calls by the hundred thousand.
	for i, o := range rep.Outputs {
		for _, s := range o.Steps {
			if s.Calls > 20000 {
				t.Errorf("output %d: %q: %d calls; the loop spins", i, o.String(), s.Calls)
			}
		}
	}
}

// TestFanoutTCP feeds TCP sockets from a pipe and a file, and reads one.
func TestFanoutTCP(t *testing.T) {
	n := 1<<20 + 7
	for _, sk := range []string{"pipe", "file", "tcp"} {
		t.Run(sk, func(t *testing.T) {
			var src *fanSrc
			if sk == "tcp" {
				a, b := testfd.TCPPair(t)
				src = &fanSrc{F: a, Want: fanData(n, 13), done: make(chan error, 1)}
				go func() {
					_, err := b.Write(src.Want)
					b.Close()
					src.done <- err
				}()
			} else {
				src = newFanSrc(t, sk, fanData(n, 13))
			}
			a, b := testfd.TCPPair(t)
			d := &fanDst{Kind: "tcp", F: a, ZeroCopy: true}
			ch := make(chan collectedBytes, 1)
			go func() {
				got, err := io.ReadAll(b)
				ch <- collectedBytes{got, err}
			}()
			d.result = func() ([]byte, error) { a.Close(); c := <-ch; return c.b, c.err }
			rep := fanRun(t, src, []*fanDst{newFanDst(t, "pipe", n), d})
			if sk == "tcp" && rep.Src.Kind != fdkind.Socket {
				t.Errorf("source described as %v", rep.Src.Kind)
			}
		})
	}
}

// TestFanoutSocketRefused: a socket that will not splice into the internal
// pipe after all: every output takes read/write from the socket, from the
// first byte.
func TestFanoutSocketRefused(t *testing.T) {
	n := 1<<20 + 9
	src := newFanSrc(t, "socket", fanData(n, 14))
	sock := int(src.F.Fd())
	old := fSpliceFn
	fSpliceFn = func(dst, s *file, off *int64, max int) (int, error) {
		if s.fd == sock {
			return 0, unix.EINVAL
		}
		return old(dst, s, off, max)
	}
	t.Cleanup(func() { fSpliceFn = old })
	dsts := []*fanDst{newFanDst(t, "pipe", n), newFanDst(t, "file", n)}
	for _, d := range dsts {
		d.ZeroCopy = false
	}
	rep := fanRun(t, src, dsts)
	for i, o := range rep.Outputs {
		if o.BytesBy(ReadWrite) != int64(n) {
			t.Errorf("output %d: %q; want every byte by read/write", i, o.String())
		}
	}
}

// TestFanoutFileAcrossFilesystems: copy_file_range refused between
// filesystems of different types (EXDEV from Linux 5.19) hands over to
// sendfile for that output alone.
func TestFanoutFileAcrossFilesystems(t *testing.T) {
	shm := "/dev/shm"
	if st, err := os.Stat(shm); err != nil || !st.IsDir() {
		t.Skip("no /dev/shm (tmpfs) to write to")
	}
	n := 3<<20 + 1
	src := newFanSrc(t, "file", fanData(n, 15))
	info, err := fdkind.Of(src.F)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.CreateTemp(shm, "fanout-")
	if err != nil {
		t.Skipf("cannot write to %s: %v", shm, err)
	}
	t.Cleanup(func() { os.Remove(f.Name()); f.Close() })
	shmInfo, _ := fdkind.Of(f)
	if shmInfo.FSMagic == info.FSMagic {
		t.Skipf("%s is on the same filesystem type as %s", shm, os.TempDir())
	}
	d := &fanDst{Kind: "tmpfs-file", F: f, ZeroCopy: true, result: func() ([]byte, error) { return os.ReadFile(f.Name()) }}
	local := newFanDst(t, "file", n)
	rep := fanRun(t, src, []*fanDst{d, local})
	if o := rep.Outputs[0]; o.BytesBy(CopyFileRange)+o.BytesBy(Sendfile) != int64(n) {
		t.Errorf("tmpfs output: %q; want copy_file_range or sendfile", o.String())
	}
	if o := rep.Outputs[1]; o.BytesBy(CopyFileRange) != int64(n) {
		t.Errorf("same-filesystem output: %q; want every byte by copy_file_range", o.String())
	}
}
