package tests

// Descriptors of every kind, made for a child process: each helper returns
// the child's end as a real *os.File (give it to exec.Cmd.Stdin, Stdout or
// ExtraFiles, and the child gets that very descriptor, not a copy through a
// pipe) and keeps the test's end to feed or drain it.
//
// A run goes:
//
//	src := srcFile.Open(t, data)   // or any entry of sourceKinds()
//	dst := dstPipe.Open(t)         // or any entry of destKinds()
//	res := runKinds(t, []string{bin(t, "zcat")}, src, dst)
//	// res.Out is what reached dst, res.Code the exit status
//
// The descriptors come from testfd: close-on-exec, so that a child started
// by a parallel test never inherits another test's pipe end; wrapped with
// os.NewFile, which leaves them blocking or not: os.StartProcess calls Fd,
// and Fd switches back to blocking only the files Go made nonblocking
// itself, so a deliberately nonblocking end reaches the child nonblocking.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/testfd"
)

// srcEnd is a descriptor a child reads, and what it yields.
type srcEnd struct {
	File *os.File // the child's end
	Want []byte   // what reading File to EOF returns
	feed func() error
	// stop unblocks a feeder that the child will never drain: writes to
	// a pty master whose slave is closed block forever once the line
	// discipline is full (Linux 6.18), where a pipe or socket says EPIPE.
	stop func()
	done chan error
}

// Started closes the test's copy of the child's end (so that the feeder sees
// EPIPE or EIO if the child goes away early) and starts feeding. Call it once
// the child has started.
func (s *srcEnd) Started() {
	s.File.Close()
	s.done = make(chan error, 1)
	if s.feed == nil {
		s.done <- nil
		return
	}
	go func() { s.done <- s.feed() }()
}

// Wait returns the feeder's error; call it once the child has exited. A
// feeder fails when the child stops reading early (a write error on its
// output, SIGPIPE): only a successful child's feeder is expected to succeed.
func (s *srcEnd) Wait() error {
	if s.stop != nil {
		s.stop()
	}
	return <-s.done
}

// dstEnd is a descriptor a child writes, and what the test gets of it.
type dstEnd struct {
	File    *os.File // the child's end
	Prefix  []byte   // what the destination held before the child wrote (O_APPEND file)
	Discard bool     // the bytes are thrown away (/dev/null): Output says nothing
	Full    bool     // every write fails with ENOSPC (/dev/full)
	collect func() ([]byte, error)
	done    chan collected
	path    string
}

type collected struct {
	b   []byte
	err error
}

// Started closes the test's copy of the child's end, so that the reader of
// a pipe, socket or pty sees EOF when the child exits, and starts draining.
func (d *dstEnd) Started() {
	if d.File != nil {
		d.File.Close()
	}
	d.done = make(chan collected, 1)
	if d.collect == nil {
		d.done <- collected{}
		return
	}
	go func() {
		b, err := d.collect()
		d.done <- collected{b, err}
	}()
}

// Output returns what the child wrote, after Prefix; call it once the child
// has exited.
func (d *dstEnd) Output() ([]byte, error) {
	c := <-d.done
	if c.err != nil || d.path == "" {
		return c.b, c.err
	}
	b, err := os.ReadFile(d.path)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(b, d.Prefix) {
		return b, fmt.Errorf("%s lost what it held before: starts with %q, want %q", d.path, head(b, 32), head(d.Prefix, 32))
	}
	return b[len(d.Prefix):], nil
}

// srcKind makes sources of one kind.
type srcKind struct {
	Name string
	// Desc matches how --debug describes the kind (copy.Describe).
	Desc string
	// Data makes n bytes that this kind can carry: a pty in canonical
	// mode carries only lines of text, /proc/PID/environ only strings
	// ended by NUL.
	Data func(n int) []byte
	// OnlyEmpty is set for a kind that is empty by definition.
	OnlyEmpty bool
	// Nonblock is set when the child's end is O_NONBLOCK.
	Nonblock bool
	Open     func(t testing.TB, data []byte) *srcEnd
}

// dstKind makes destinations of one kind.
type dstKind struct {
	Name     string
	Desc     string
	Nonblock bool
	Open     func(t testing.TB) *dstEnd
}

var (
	srcFile = srcKind{Name: "file", Desc: `^file\([a-z0-9]+\)$`, Data: randomData, Open: openSrcFile}
	srcPipe = srcKind{Name: "pipe", Desc: `^pipe$`, Data: randomData,
		Open: func(t testing.TB, data []byte) *srcEnd { return openSrcPipe(t, data, 0) }}
	srcFIFO       = srcKind{Name: "fifo", Desc: `^pipe$`, Data: randomData, Open: openSrcFIFO}
	srcUnixSocket = srcKind{Name: "unix-socket", Desc: `^socket\(stream\)$`, Data: randomData,
		Open: func(t testing.TB, data []byte) *srcEnd { return openSrcSocket(t, data, unix.AF_UNIX) }}
	srcTCPSocket = srcKind{Name: "tcp-socket", Desc: `^socket\(stream\)$`, Data: randomData,
		Open: func(t testing.TB, data []byte) *srcEnd { return openSrcSocket(t, data, unix.AF_INET) }}
	srcPty    = srcKind{Name: "pty", Desc: `^tty$`, Data: textData, Open: openSrcPty}
	srcProcfs = srcKind{Name: "procfs", Desc: `^file\(proc\)$`, Data: environData, Open: openSrcProcfs}
	srcEmpty  = srcKind{Name: "empty-file", Desc: `^file\([a-z0-9]+\)$`, Data: randomData, OnlyEmpty: true, Open: openSrcFile}
	srcNBPipe = srcKind{Name: "nonblock-pipe", Desc: `^pipe\(nonblock\)$`, Data: randomData, Nonblock: true,
		Open: func(t testing.TB, data []byte) *srcEnd { return openSrcPipe(t, data, unix.O_NONBLOCK) }}

	dstFile = dstKind{Name: "file", Desc: `^file\([a-z0-9]+\)$`,
		Open: func(t testing.TB) *dstEnd { return openDstFile(t, false) }}
	dstPipe = dstKind{Name: "pipe", Desc: `^pipe$`,
		Open: func(t testing.TB) *dstEnd { return openDstPipe(t, 0) }}
	dstFIFO       = dstKind{Name: "fifo", Desc: `^pipe$`, Open: openDstFIFO}
	dstUnixSocket = dstKind{Name: "unix-socket", Desc: `^socket\(stream\)$`,
		Open: func(t testing.TB) *dstEnd { return openDstSocket(t, unix.AF_UNIX) }}
	dstTCPSocket = dstKind{Name: "tcp-socket", Desc: `^socket\(stream\)$`,
		Open: func(t testing.TB) *dstEnd { return openDstSocket(t, unix.AF_INET) }}
	dstPty    = dstKind{Name: "pty", Desc: `^tty$`, Open: openDstPty}
	dstNull   = dstKind{Name: "devnull", Desc: `^chardev$`, Open: func(t testing.TB) *dstEnd { return openDstDevice(t, "/dev/null") }}
	dstFull   = dstKind{Name: "devfull", Desc: `^chardev$`, Open: func(t testing.TB) *dstEnd { return openDstDevice(t, "/dev/full") }}
	dstAppend = dstKind{Name: "append-file", Desc: `^file\([a-z0-9]+,append\)$`,
		Open: func(t testing.TB) *dstEnd { return openDstFile(t, true) }}
	dstNBPipe = dstKind{Name: "nonblock-pipe", Desc: `^pipe\(nonblock\)$`, Nonblock: true,
		Open: func(t testing.TB) *dstEnd { return openDstPipe(t, unix.O_NONBLOCK) }}
)

// sourceKinds lists every kind of source.
func sourceKinds() []srcKind {
	return []srcKind{srcFile, srcPipe, srcFIFO, srcUnixSocket, srcTCPSocket, srcPty, srcProcfs, srcEmpty, srcNBPipe}
}

// destKinds lists every kind of destination.
func destKinds() []dstKind {
	return []dstKind{dstFile, dstPipe, dstFIFO, dstUnixSocket, dstTCPSocket, dstPty, dstNull, dstFull, dstAppend, dstNBPipe}
}

// eachKindPair runs f in a parallel subtest for every pairing of a source
// kind and a destination kind at every size (a kind that is empty by
// definition at size 0 only), named "SRC-to-DST<suffix>/size=N".
func eachKindPair(t *testing.T, sizes []int, suffix string, f func(t *testing.T, sk srcKind, dk dstKind, size int)) {
	for _, sk := range sourceKinds() {
		for _, dk := range destKinds() {
			for _, size := range sizes {
				if sk.OnlyEmpty && size != 0 {
					continue
				}
				t.Run(fmt.Sprintf("%s-to-%s%s/size=%d", sk.Name, dk.Name, suffix, size), func(t *testing.T) {
					t.Parallel()
					f(t, sk, dk, size)
				})
			}
		}
	}
}

// runResult is how a child ended and what it wrote.
type runResult struct {
	Out    []byte // what reached the destination (after its Prefix)
	Stderr string
	Code   int            // exit status; -1 when killed by a signal
	Signal syscall.Signal // the signal that killed the child, or 0
	OutErr error          // the destination could not be read back
	FedErr error          // the source's feeder failed
}

// runKinds runs argv with src as its stdin and dst as its stdout, and
// returns once the child has exited and both ends are drained.
func runKinds(t testing.TB, argv []string, src *srcEnd, dst *dstEnd) runResult {
	t.Helper()
	return runTee(t, argv, src, dst, nil, "").runResult
}

// exitStatus turns cmd.Wait's error into an exit status or a signal.
func exitStatus(t testing.TB, err error) (int, syscall.Signal) {
	t.Helper()
	if err == nil {
		return 0, 0
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("wait: %v", err)
	}
	ws := ee.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return -1, ws.Signal()
	}
	return ws.ExitStatus(), 0
}

// Data generators. The contents are pseudo-random but fixed by n, so that a
// failure repeats.

// randomData returns n bytes of every value.
func randomData(n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(int64(n))).Read(b)
	return b
}

// textData returns n bytes of printable lines of at most 80 bytes: what a
// pty in canonical mode passes through unchanged (no control characters, no
// line longer than the 4095 bytes of the line discipline's buffer).
func textData(n int) []byte {
	r := rand.New(rand.NewSource(int64(n)))
	b := make([]byte, n)
	col := 0
	for i := range b {
		if col == 80 || r.Intn(60) == 0 {
			b[i], col = '\n', 0
			continue
		}
		b[i] = byte(' ' + r.Intn('~'-' '+1))
		col++
	}
	return b
}

// environPiece bounds one environment string: the kernel takes at most
// MAX_ARG_STRLEN (32 pages) per string.
const environPiece = 64 << 10

// environData returns n bytes shaped like /proc/PID/environ: strings of
// non-NUL bytes, each ended by a NUL. Every string starts with 0xff, which
// no variable the C library or the dynamic loader looks at starts with.
func environData(n int) []byte {
	b := randomData(n)
	for i := range b {
		if b[i] == 0 {
			b[i] = 1
		}
		if i%environPiece == 0 {
			b[i] = 0xff
		}
		if i%environPiece == environPiece-1 || i == n-1 {
			b[i] = 0
		}
	}
	return b
}

// Sources.

// tempFile writes data to a new file and returns its path.
func tempFile(t testing.TB, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func openSrcFile(t testing.TB, data []byte) *srcEnd {
	t.Helper()
	f, err := os.Open(tempFile(t, data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return &srcEnd{File: f, Want: data}
}

// feeder writes data to w and closes it: the reader's EOF.
func feeder(w io.WriteCloser, data []byte) func() error {
	return func() error {
		_, err := w.Write(data)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		return err
	}
}

// drainer reads r to EOF and closes it.
func drainer(r io.ReadCloser) func() ([]byte, error) {
	return func() ([]byte, error) {
		b, err := io.ReadAll(r)
		r.Close()
		return b, err
	}
}

func openSrcPipe(t testing.TB, data []byte, flags int) *srcEnd {
	t.Helper()
	r, w := testfd.Pipe(t, flags)
	return &srcEnd{File: r, Want: data, feed: feeder(w, data)}
}

func openSrcFIFO(t testing.TB, data []byte) *srcEnd {
	t.Helper()
	r, w := testfd.FIFO(t)
	return &srcEnd{File: r, Want: data, feed: feeder(w, data)}
}

// newSocketPair returns two connected, blocking stream sockets: a
// socketpair(2) for AF_UNIX, a loopback connection for AF_INET.
func newSocketPair(t testing.TB, family int) (a, b *os.File) {
	t.Helper()
	switch family {
	case unix.AF_UNIX:
		return testfd.SocketPair(t, unix.SOCK_STREAM)
	case unix.AF_INET:
		return testfd.TCPPair(t)
	}
	t.Fatalf("newSocketPair: family %d", family)
	return nil, nil
}

func openSrcSocket(t testing.TB, data []byte, family int) *srcEnd {
	t.Helper()
	child, mine := newSocketPair(t, family)
	return &srcEnd{File: child, Want: data, feed: func() error {
		_, err := mine.Write(data)
		// shutdown(SHUT_WR) is the reader's EOF; the child's end
		// stays open until the child exits.
		if serr := testfd.Shutdown(mine, unix.SHUT_WR); err == nil {
			err = serr
		}
		return err
	}}
}

// newPty opens a pseudo-terminal: the master (the test's end) and the
// slave (the child's), neither of them a controlling terminal. The master
// is nonblocking, so that the test's reads and writes wait in Go's poller,
// and Close can end a write nobody will ever drain.
//
// Input and output processing are off on the slave (no CR/NL mapping, no
// echo, no signal characters, no flow control): the bytes pass unchanged.
// canonical keeps ICANON with only VEOF active, so that the test can end
// the child's input: a raw pty has no end-of-file, and closing the master
// hangs the slave up and may throw away input not yet read.
func newPty(t testing.TB, canonical bool) (master, slave *os.File) {
	t.Helper()
	master, slave = testfd.Pty(t, unix.O_NONBLOCK)
	testfd.SetTermios(t, slave, func(tio *unix.Termios) {
		tio.Iflag = 0
		tio.Oflag = 0
		tio.Cflag = tio.Cflag&^(unix.CSIZE|unix.PARENB) | unix.CS8 | unix.CREAD
		tio.Lflag = 0
		for i := range tio.Cc {
			tio.Cc[i] = 0 // _POSIX_VDISABLE on Linux
		}
		if canonical {
			tio.Lflag = unix.ICANON
			tio.Cc[unix.VEOF] = ctrlD
		} else {
			tio.Cc[unix.VMIN], tio.Cc[unix.VTIME] = 1, 0
		}
	})
	return master, slave
}

const ctrlD = 4

func openSrcPty(t testing.TB, data []byte) *srcEnd {
	t.Helper()
	if bytes.IndexByte(data, ctrlD) >= 0 {
		t.Fatal("pty source: data holds ^D, the end-of-file character")
	}
	master, slave := newPty(t, true)
	return &srcEnd{File: slave, Want: data, stop: func() { master.Close() }, feed: func() error {
		// A ^D ends a partial last line (the reader gets it without
		// the ^D); a ^D at the start of a line is the reader's EOF.
		tail := []byte{ctrlD}
		if len(data) > 0 && data[len(data)-1] != '\n' {
			tail = append(tail, ctrlD)
		}
		_, err := master.Write(append(append([]byte(nil), data...), tail...))
		return err
	}}
}

// parked starts a process that sleeps with env as its environment, for its
// /proc/PID/environ, and kills it at the end of the test.
func parked(t testing.TB, env []string) int {
	t.Helper()
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("sleep is not installed")
	}
	p, err := os.StartProcess(sleep, []string{"sleep", "3600"}, &os.ProcAttr{Env: env})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Kill(); p.Wait() })
	return p.Pid
}

// environEnv splits data from environData into the environment that
// makes it a process's /proc/PID/environ.
func environEnv(data []byte) []string {
	env := []string{} // not nil: a nil Env inherits the test's
	for rest := data; len(rest) > 0; {
		i := bytes.IndexByte(rest, 0)
		env = append(env, string(rest[:i]))
		rest = rest[i+1:]
	}
	return env
}

// openSrcProcfs serves data from /proc/PID/environ: a procfs file whose
// st_size is 0 and whose content the test chooses (data must come from
// environData). os.StartProcess returns after the exec, so the new
// environment is in place when the file is opened.
func openSrcProcfs(t testing.TB, data []byte) *srcEnd {
	t.Helper()
	if len(data) > 0 && data[len(data)-1] != 0 {
		t.Fatal("procfs source: data must end with a NUL")
	}
	pid := parked(t, environEnv(data))
	f, err := os.Open(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return &srcEnd{File: f, Want: data}
}

// Destinations.

// appendPrefix is what an O_APPEND destination holds before the child
// writes: the output must land after it.
var appendPrefix = []byte("held before the child wrote\n")

func openDstFile(t testing.TB, appending bool) *dstEnd {
	t.Helper()
	p := filepath.Join(t.TempDir(), "out")
	var prefix []byte
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if appending {
		prefix = appendPrefix
		if err := os.WriteFile(p, prefix, 0o644); err != nil {
			t.Fatal(err)
		}
		flags = os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(p, flags, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return &dstEnd{File: f, Prefix: prefix, path: p}
}

func openDstPipe(t testing.TB, flags int) *dstEnd {
	t.Helper()
	r, w := testfd.Pipe(t, flags)
	return &dstEnd{File: w, collect: drainer(r)}
}

func openDstFIFO(t testing.TB) *dstEnd {
	t.Helper()
	r, w := testfd.FIFO(t)
	return &dstEnd{File: w, collect: drainer(r)}
}

func openDstSocket(t testing.TB, family int) *dstEnd {
	t.Helper()
	child, mine := newSocketPair(t, family)
	return &dstEnd{File: child, collect: drainer(mine)}
}

func openDstPty(t testing.TB) *dstEnd {
	t.Helper()
	master, slave := newPty(t, false)
	return &dstEnd{File: slave, collect: ptyDrainer(master)}
}

// ptyDrainer reads a pty's master to EOF and closes it: once every slave
// descriptor is closed, the master returns what is left and then EIO.
func ptyDrainer(master *os.File) func() ([]byte, error) {
	return func() ([]byte, error) {
		var out bytes.Buffer
		_, err := out.ReadFrom(master)
		if errors.Is(err, syscall.EIO) {
			err = nil
		}
		master.Close()
		return out.Bytes(), err
	}
}

func openDstDevice(t testing.TB, name string) *dstEnd {
	t.Helper()
	f, err := os.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("%s: %v", name, err)
	}
	t.Cleanup(func() { f.Close() })
	return &dstEnd{File: f, Discard: true, Full: name == "/dev/full"}
}

// Comparing.

// diffBytes describes how got differs from want, briefly, or returns "".
func diffBytes(got, want []byte) string {
	if bytes.Equal(got, want) {
		return ""
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	return fmt.Sprintf("%d bytes, want %d; first difference at byte %d: got %q, want %q",
		len(got), len(want), i, head(got[min(i, len(got)):], 16), head(want[min(i, len(want)):], 16))
}

func head(b []byte, n int) []byte { return b[:min(n, len(b))] }
