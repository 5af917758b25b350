package tests

// FILE operands of every kind for ztee and GNU tee, and a runner that hands
// them to the child: by path (files, FIFOs, ptys, devices) or as an
// inherited descriptor named /dev/fd/N (what bash's process substitution
// makes).

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// teeOperand is a FILE operand of a tee run and what the test gets of it.
type teeOperand struct {
	kind    string
	arg     string   // the operand; for extra, set by runTee to /dev/fd/N
	extra   *os.File // the child's end, inherited, for /dev/fd/N operands
	path    string   // a file to read back after the run
	prefix  []byte   // what the file held before (-a)
	Discard bool     // /dev/null: nothing to read back
	Full    bool     // /dev/full: writes fail with ENOSPC
	collect func() ([]byte, error)
	done    chan collected
	exited  func() // once the child has exited
}

// newTeeOperand makes an operand of kind: "file" (tee creates it),
// "existing-file" (tee truncates it), "append-file" (holds appendPrefix,
// for -a), "dash" (the file "-" in dir, the child's working directory),
// "fifo", "procsubst" (a pipe as /dev/fd/N), "socket" (a socket as
// /dev/fd/N, which open(2) refuses), "devnull", "devfull", "pty".
func newTeeOperand(t testing.TB, kind, dir string) *teeOperand {
	t.Helper()
	o := &teeOperand{kind: kind}
	switch kind {
	case "file", "existing-file", "append-file":
		f, err := os.CreateTemp(dir, "out-")
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		o.path, o.arg = f.Name(), f.Name()
		switch kind {
		case "file":
			os.Remove(o.path) // tee creates it
		case "existing-file":
			// Truncated by tee (without -a).
			if err := os.WriteFile(o.path, []byte("stale content, longer than some inputs\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		case "append-file":
			o.prefix = appendPrefix
			if err := os.WriteFile(o.path, o.prefix, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	case "dash":
		o.arg, o.path = "-", filepath.Join(dir, "-")
	case "fifo":
		p := filepath.Join(t.TempDir(), "fifo")
		if err := unix.Mkfifo(p, 0o600); err != nil {
			t.Fatal(err)
		}
		// A reader is there before tee opens the FIFO, so its open
		// does not wait.
		rfd, err := unix.Open(p, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := unix.SetNonblock(rfd, false); err != nil {
			t.Fatal(err)
		}
		// And a writer is there until the child has exited: with no
		// writer, the reader would see its EOF before the child opens
		// the FIFO, and go away.
		wfd, err := unix.Open(p, unix.O_WRONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		r, w := os.NewFile(uintptr(rfd), p), os.NewFile(uintptr(wfd), p)
		t.Cleanup(func() { r.Close(); w.Close() })
		o.arg = p
		o.exited = func() { w.Close() }
		o.collect = drainer(r)
	case "procsubst":
		r, w := newPipe(t, false)
		o.extra = w
		o.collect = drainer(r)
	case "socket":
		child, mine := newSocketPair(t, unix.AF_UNIX)
		o.extra = child
		o.collect = drainer(mine)
	case "devnull", "devfull":
		o.arg = "/dev/" + kind[3:]
		o.Discard, o.Full = kind == "devnull", kind == "devfull"
	case "pty":
		master, slave := newPty(t)
		setTermios(t, slave, false)
		o.arg = slave.Name()
		// The test keeps a slave open until the child has exited:
		// with no slave open, the master reads EIO, the pty's EOF.
		o.exited = func() { slave.Close() }
		o.collect = func() ([]byte, error) {
			var out bytes.Buffer
			_, err := out.ReadFrom(master)
			if errors.Is(err, syscall.EIO) {
				err = nil
			}
			master.Close()
			return out.Bytes(), err
		}
	default:
		t.Fatalf("no operand kind %q", kind)
	}
	return o
}

// output returns what reached the operand, after its prefix.
func (o *teeOperand) output() ([]byte, error) {
	if o.done != nil {
		c := <-o.done
		if c.err != nil || o.path == "" {
			return c.b, c.err
		}
	}
	if o.path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(o.path)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(b, o.prefix) {
		return b, fmt.Errorf("%s lost what it held before", o.path)
	}
	return b[len(o.prefix):], nil
}

// teeResult is how a tee run ended: stdout and the operands' outputs.
type teeResult struct {
	runResult
	Ops    [][]byte
	OpErrs []error
}

// runTee runs argv (a tee and its options) with src as stdin (nil:
// /dev/null), out as stdout and the operands appended to argv, in dir.
func runTee(t testing.TB, argv []string, src *srcEnd, out *dstEnd, ops []*teeOperand, dir string) teeResult {
	t.Helper()
	args := append([]string(nil), argv...)
	var extra []*os.File
	for _, o := range ops {
		if o.extra != nil {
			extra = append(extra, o.extra)
			o.arg = fmt.Sprintf("/dev/fd/%d", 2+len(extra))
		}
		args = append(args, o.arg)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.ExtraFiles = extra
	if src != nil {
		cmd.Stdin = src.File
	}
	cmd.Stdout = out.File
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", args, err)
	}
	if src != nil {
		src.Started()
	}
	out.Started()
	for _, o := range ops {
		if o.extra != nil {
			o.extra.Close()
		}
		if o.collect != nil {
			o.done = make(chan collected, 1)
			go func(o *teeOperand) {
				b, err := o.collect()
				o.done <- collected{b, err}
			}(o)
		}
	}
	err := cmd.Wait()
	var r teeResult
	r.Code, r.Signal = exitStatus(t, err)
	for _, o := range ops {
		if o.exited != nil {
			o.exited()
		}
	}
	if src != nil {
		r.FedErr = src.Wait()
	}
	r.Out, r.OutErr = out.Output()
	r.Stderr = stderr.String()
	for _, o := range ops {
		b, err := o.output()
		r.Ops = append(r.Ops, b)
		r.OpErrs = append(r.OpErrs, err)
	}
	return r
}

// teeNormalize replaces a tee's path in its messages, and the operands'
// temporary paths, so that ztee's and GNU tee's can be compared.
func teeNormalize(s, prog string, ops []*teeOperand) string {
	s = strings.ReplaceAll(s, prog, "PROG")
	for i, o := range ops {
		if o.arg != "" && o.arg != "-" {
			s = string(bytes.ReplaceAll([]byte(s), []byte(o.arg), []byte(fmt.Sprintf("OPERAND%d", i))))
		}
	}
	return s
}
