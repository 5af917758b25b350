package tests

import (
	"os"
	"path/filepath"
	"testing"
)

// TestZteeZeroCopy proves that ztee keeps the data in the kernel: under
// strace, with stdin a pipe (or a file, or a socket) and the outputs a
// file and a pipe (or pipes only), the read/write family moves at most a
// few KiB of the data, tee(2) duplicates it for the pipe outputs, and the
// zero-copy calls move all of it to every output.
func TestZteeZeroCopy(t *testing.T) {
	ztee := bin(t, "ztee")
	const size = 4<<20 + 1
	data := randomData(size)
	cases := []struct {
		name string
		src  srcKind
		op   string // the FILE operand's kind
		// tee: tee(2) must duplicate the data at least once.
		tee bool
	}{
		{"pipe-to-pipe-and-file", srcPipe, "file", true},
		{"pipe-to-pipe-and-procsubst", srcPipe, "procsubst", true},
		{"file-to-pipe-and-file", srcFile, "file", false},
		{"file-to-pipe-and-procsubst", srcFile, "procsubst", false},
		{"unix-socket-to-pipe-and-file", srcUnixSocket, "file", true},
		{"nonblock-pipe-to-pipe-and-fifo", srcNBPipe, "fifo", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			log := filepath.Join(dir, "trace")
			op := newTeeOperand(t, c.op, dir)
			r := runTee(t, straced(t, log, ztee), c.src.Open(t, data), dstPipe.Open(t), []*teeOperand{op}, dir)
			if r.Code != 0 || r.FedErr != nil || r.OutErr != nil || r.OpErrs[0] != nil {
				t.Fatalf("strace ztee: status %d, stderr %q, feeding %v, output %v, operand %v", r.Code, r.Stderr, r.FedErr, r.OutErr, r.OpErrs[0])
			}
			if d := diffBytes(r.Out, data); d != "" {
				t.Fatalf("stdout: %s", d)
			}
			if d := diffBytes(r.Ops[0], data); d != "" {
				t.Fatalf("FILE: %s", d)
			}
			// Each output gets every byte by one zero-copy call or
			// more (a non-pipe output fed through an internal pipe
			// counts twice, once in and once out).
			teed := checkZeroCopy(t, log, 2*size)
			if c.tee && teed < size {
				t.Errorf("tee(2) duplicated %d bytes, want at least %d", teed, size)
			}
			if c.tee {
				checkTeeFromOwnPipe(t, log)
			}
		})
	}
}

// checkTeeFromOwnPipe checks that every tee(2) of the run read a pipe that
// splice(2) had filled from the source: ztee moves stdin (or a socket)
// into a pipe of its own first, so that the writer can refill stdin while
// the outputs take the bytes, and tees from that pipe, never from stdin.
func checkTeeFromOwnPipe(t *testing.T, log string) {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	calls := parseTrace(t, b)
	filled := map[string]bool{} // pipes that a splice wrote into
	for _, c := range calls {
		if c.name == "splice" && c.ret > 0 && len(c.fds) == 2 {
			filled[c.fds[1]] = true
		}
	}
	n := 0
	for _, c := range calls {
		if c.name != "tee" || c.ret <= 0 {
			continue
		}
		n++
		if len(c.fds) != 2 || !filled[c.fds[0]] {
			t.Errorf("tee(%v) = %d: its input is not a pipe that splice filled", c.fds, c.ret)
			return
		}
	}
	if n == 0 {
		t.Errorf("no tee(2) moved data")
	}
}
