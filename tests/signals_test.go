package tests

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/zcopy/zcopy/internal/testfd"
)

// faultsInjected counts the signals and I/O faults the fault tests
// delivered (printed by TestZZFaultFigures, for the README).
var faultsInjected atomic.Int64

// streamPath is one data path of a command, set up so that it keeps
// moving bytes long enough to be signalled in the middle: a source of a
// GiB or more, or a pipe fed without end.
type streamPath struct {
	name   string
	cmd    string // zcat, ztee or zcp; GNU's is the same without the z
	method string // what moves the bytes on this path (for the record)
	// start sets up the run in dir and returns the operands, the
	// child's stdin and stdout (nil: /dev/null) and a progress
	// function: bytes moved so far.
	start func(t *testing.T, dir string) (args []string, stdin, stdout *os.File, progress func() int64)
}

// chunk is the chunk file of TestSignalsMidStream, written once for all
// its runs (and again when a -count run's cleanup removed it).
var chunk struct {
	sync.Mutex
	path string
}

// chunkFile returns a 64 MiB file of varied bytes: sixteen operands of it
// make the GiB that zcat moves.
func chunkFile(t *testing.T, dir string) string {
	t.Helper()
	chunk.Lock()
	defer chunk.Unlock()
	if chunk.path != "" {
		if _, err := os.Stat(chunk.path); err == nil {
			return chunk.path
		}
	}
	d, err := os.MkdirTemp("", "zcopy-chunk-")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(d, "chunk")
	if err := os.WriteFile(p, bytes.Repeat(randomData(1<<20), 64), 0o644); err != nil {
		t.Fatal(err)
	}
	chunk.path = p
	return p
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// counting drains r in the background and counts its bytes, at most a
// MiB a millisecond: zero-copy paths move a GiB in tens of milliseconds,
// and the process must still be running when the signal comes.
func counting(r *os.File) func() int64 {
	var n atomic.Int64
	go func() {
		buf := make([]byte, 1<<20)
		for {
			m, err := r.Read(buf)
			n.Add(int64(m))
			time.Sleep(time.Millisecond)
			if err != nil {
				r.Close()
				return
			}
		}
	}()
	return n.Load
}

// endlessPipe is a pipe fed until its reader goes away.
func endlessPipe(t *testing.T) *os.File {
	r, w := testfd.Pipe(t, 0)
	go endlessFeeder(w)()
	return r
}

func fileSize(p string) func() int64 {
	return func() int64 {
		st, err := os.Stat(p)
		if err != nil {
			return 0
		}
		return st.Size()
	}
}

func pipeOut(t *testing.T) (*os.File, func() int64) {
	r, w := testfd.Pipe(t, 0)
	return w, counting(r)
}

var streamPaths = []streamPath{
	{name: "zcat-file-to-pipe", cmd: "zcat", method: "splice", start: func(t *testing.T, dir string) ([]string, *os.File, *os.File, func() int64) {
		w, n := pipeOut(t)
		return repeat(chunkFile(t, dir), 16), nil, w, n
	}},
	{name: "zcat-file-to-file", cmd: "zcat", method: "copy_file_range", start: func(t *testing.T, dir string) ([]string, *os.File, *os.File, func() int64) {
		out := filepath.Join(dir, "out")
		f := testfd.Open(t, out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
		return repeat(chunkFile(t, dir), 16), nil, f, fileSize(out)
	}},
	{name: "zcat-file-to-socket", cmd: "zcat", method: "sendfile", start: func(t *testing.T, dir string) ([]string, *os.File, *os.File, func() int64) {
		a, b := testfd.SocketPair(t, syscall.SOCK_STREAM)
		return repeat(chunkFile(t, dir), 16), nil, a, counting(b)
	}},
	{name: "zcat-file-to-append", cmd: "zcat", method: "read/write", start: func(t *testing.T, dir string) ([]string, *os.File, *os.File, func() int64) {
		out := filepath.Join(dir, "out")
		f := testfd.Open(t, out, os.O_WRONLY|os.O_CREATE|os.O_APPEND)
		return repeat(chunkFile(t, dir), 16), nil, f, fileSize(out)
	}},
	{name: "zcat-pipe-to-pipe", cmd: "zcat", method: "splice", start: func(t *testing.T, dir string) ([]string, *os.File, *os.File, func() int64) {
		w, n := pipeOut(t)
		return nil, endlessPipe(t), w, n
	}},
	{name: "zcat-n-pipe-to-pipe", cmd: "zcat", method: "read/write (formatting)", start: func(t *testing.T, dir string) ([]string, *os.File, *os.File, func() int64) {
		w, n := pipeOut(t)
		return []string{"-n"}, endlessPipe(t), w, n
	}},
	{name: "ztee-pipe-to-pipe-and-file", cmd: "ztee", method: "tee(2), splice", start: func(t *testing.T, dir string) ([]string, *os.File, *os.File, func() int64) {
		w, n := pipeOut(t)
		return []string{filepath.Join(dir, "copy")}, endlessPipe(t), w, n
	}},
	{name: "zcp-file-to-file", cmd: "zcp", method: "copy_file_range", start: func(t *testing.T, dir string) ([]string, *os.File, *os.File, func() int64) {
		src := filepath.Join(dir, "sparse")
		f := testfd.Open(t, src, os.O_WRONLY|os.O_CREATE)
		// 8 GiB of holes: --sparse=never writes every byte, far more
		// than the test waits for.
		if err := f.Truncate(8 << 30); err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, "dst")
		return []string{"--sparse=never", src, dst}, nil, nil, fileSize(dst)
	}},
}

// signalled starts prog with args, waits for 4 MiB of progress, sends sig
// and requires the process to end by it within a few seconds, leaving no
// process of its group behind. ignored: the process must outlive sig; it
// is then ended by SIGTERM.
func signalled(t *testing.T, prog string, args []string, stdin, stdout *os.File, progress func() int64, sig syscall.Signal, ignored bool) {
	t.Helper()
	cmd := exec.Command(prog, args...)
	cmd.Stdin, cmd.Stdout = stdin, stdout
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []*os.File{stdin, stdout} {
		if f != nil {
			f.Close()
		}
	}
	pid := cmd.Process.Pid
	defer syscall.Kill(-pid, syscall.SIGKILL)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(20 * time.Second)
	for progress() < 4<<20 {
		select {
		case err := <-exited:
			t.Fatalf("%s ended before the signal (after %d bytes): %v; stderr %q", prog, progress(), err, stderr.String())
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s moved %d bytes in 20 s", prog, progress())
		}
	}
	faultsInjected.Add(1)
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	if ignored {
		select {
		case err := <-exited:
			t.Fatalf("%s ended on %v, which it ignores: %v", prog, sig, err)
		case <-time.After(300 * time.Millisecond):
		}
		before := progress()
		for end := time.Now().Add(5 * time.Second); progress() == before; time.Sleep(time.Millisecond) {
			if time.Now().After(end) {
				t.Errorf("%s stopped moving bytes after %v", prog, sig)
				break
			}
		}
		sig = syscall.SIGTERM
		faultsInjected.Add(1)
		cmd.Process.Signal(sig)
	}
	var err error
	select {
	case err = <-exited:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s still runs 10 s after %v", prog, sig)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || !ee.Sys().(syscall.WaitStatus).Signaled() || ee.Sys().(syscall.WaitStatus).Signal() != sig {
		t.Errorf("%s after %v: %v; want killed by %v (status %d in a shell); stderr %q", prog, sig, err, sig, 128+int(sig), stderr.String())
	}
	if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("%s after %v: processes of its group remain (kill: %v)", prog, sig, err)
	}
}

// TestSignalsMidStream sends SIGINT, SIGTERM and SIGHUP to each command in
// the middle of a long copy on each data path, and does the same to GNU's
// command: both end by the signal, promptly, with nothing left running.
func TestSignalsMidStream(t *testing.T) {
	t.Cleanup(func() {
		chunk.Lock()
		defer chunk.Unlock()
		if chunk.path != "" {
			os.RemoveAll(filepath.Dir(chunk.path))
		}
	})
	for _, p := range streamPaths {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			progs := []string{bin(t, p.cmd), gnu(t, p.cmd[1:])}
			for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
				for _, prog := range progs {
					dir := t.TempDir()
					args, stdin, stdout, progress := p.start(t, dir)
					signalled(t, prog, args, stdin, stdout, progress, sig, false)
				}
			}
		})
	}
}

// TestZteeIgnoresSIGINT: under -i, SIGINT changes nothing (ztee goes on
// copying, as GNU tee does); SIGTERM still ends it.
func TestZteeIgnoresSIGINT(t *testing.T) {
	for _, prog := range []string{bin(t, "ztee"), gnu(t, "tee")} {
		dir := t.TempDir()
		w, n := pipeOut(t)
		signalled(t, prog, []string{"-i", filepath.Join(dir, "copy")}, endlessPipe(t), w, n, syscall.SIGINT, true)
	}
}
