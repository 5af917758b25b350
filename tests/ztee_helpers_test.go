package tests

// FILE operands of every kind for ztee and GNU tee, and a runner that hands
// them to the child: by path (files, FIFOs, ptys, devices) or as an
// inherited descriptor named /dev/fd/N (what bash's process substitution
// makes).

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/testfd"
)

// teeOperand is a FILE operand of a tee run and what the test gets of it:
// its dstEnd is read back as stdout's is. dstEnd.File, when set, is the
// child's end, inherited and named /dev/fd/N; the other operands are opened
// by the child, by name.
type teeOperand struct {
	*dstEnd
	kind   string
	arg    string // the operand; for an inherited File, set by runTee to /dev/fd/N
	exited func() // once the child has exited
}

// newTeeOperand makes an operand of kind: "file" (tee creates it),
// "existing-file" (tee truncates it), "append-file" (holds appendPrefix,
// for -a), "dash" (the file "-" in dir, the child's working directory),
// "fifo", "procsubst" (a pipe as /dev/fd/N), "socket" (a socket as
// /dev/fd/N, which open(2) refuses), "devnull", "devfull", "pty".
func newTeeOperand(t testing.TB, kind, dir string) *teeOperand {
	t.Helper()
	o := &teeOperand{kind: kind, dstEnd: &dstEnd{}}
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
			o.Prefix = appendPrefix
			if err := os.WriteFile(o.path, o.Prefix, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	case "dash":
		o.arg, o.path = "-", filepath.Join(dir, "-")
	case "fifo":
		// A reader is there before tee opens the FIFO, so its open
		// does not wait; and a writer is there until the child has
		// exited: with no writer, the reader would see its EOF before
		// the child opens the FIFO, and go away.
		r, w := testfd.FIFO(t)
		o.arg = r.Name()
		o.exited = func() { w.Close() }
		o.collect = drainer(r)
	case "procsubst":
		o.dstEnd = openDstPipe(t, 0)
	case "socket":
		o.dstEnd = openDstSocket(t, unix.AF_UNIX)
	case "devnull", "devfull":
		o.arg = "/dev/" + kind[3:]
		o.Discard, o.Full = kind == "devnull", kind == "devfull"
	case "pty":
		master, slave := newPty(t, false)
		o.arg = slave.Name()
		// The test keeps a slave open until the child has exited:
		// with no slave open, the master reads EIO, the pty's EOF.
		o.exited = func() { slave.Close() }
		o.collect = ptyDrainer(master)
	default:
		t.Fatalf("no operand kind %q", kind)
	}
	return o
}

// teeResult is how a tee run ended: stdout and the operands' outputs.
type teeResult struct {
	runResult
	Ops    [][]byte
	OpErrs []error
}

// runTee runs argv (a command and its options) with src as stdin (nil:
// /dev/null), out as stdout and the operands appended to argv, in dir
// ("": the test's), and returns once the child has exited and every
// output is drained.
func runTee(t testing.TB, argv []string, src *srcEnd, out *dstEnd, ops []*teeOperand, dir string) teeResult {
	t.Helper()
	args := append([]string(nil), argv...)
	var extra []*os.File
	for _, o := range ops {
		if o.File != nil {
			extra = append(extra, o.File)
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
		o.Started()
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
		b, err := o.Output()
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
