package tests

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/zcopy/zcopy/internal/cli"
)

// teeSizes: nothing, one byte, past a page, past a grown pipe's capacity.
var teeSizes = []int{0, 1, 4097, 1<<20 + 1}

// TestZteeKinds runs ztee FILE on every pairing of stdin kind and stdout
// kind, at every size: stdout and FILE must both get the input byte for
// byte, the status and messages must be GNU tee's on the same descriptors,
// and --debug must describe both outputs and account for every byte, by
// the promised method.
func TestZteeKinds(t *testing.T) {
	ztee := bin(t, "ztee")
	tee := gnu(t, "tee")
	eachKindPair(t, teeSizes, "-and-file", func(t *testing.T, sk srcKind, dk dstKind, size int) {
		data := sk.Data(size)
		dir := t.TempDir()
		src, dst := sk.Open(t, data), dk.Open(t)
		op := newTeeOperand(t, "file", dir)
		z := runTee(t, []string{ztee, "--debug"}, src, dst, []*teeOperand{op}, dir)
		debug, rest := splitDebug(z.Stderr)
		checkTeeRun(t, "ztee", z, rest, data, dst, []*teeOperand{op})
		checkTeeDebug(t, debug, sk, dk, len(data), dst, op)

		// GNU tee 9.1 fails with EAGAIN on nonblocking descriptors:
		// nothing to compare with.
		if sk.Nonblock || dk.Nonblock {
			return
		}
		src, dst = sk.Open(t, data), dk.Open(t)
		gop := newTeeOperand(t, "file", dir)
		g := runTee(t, []string{tee}, src, dst, []*teeOperand{gop}, dir)
		checkTeeRun(t, "tee", g, g.Stderr, data, dst, []*teeOperand{gop})
		if d := diffBytes(z.Out, g.Out); d != "" && !dst.Discard && !dst.Full {
			t.Errorf("ztee and GNU tee differ on stdout: ztee wrote %s", d)
		}
		if z.Code != g.Code || normalize(rest, ztee) != normalize(g.Stderr, tee) {
			t.Errorf("ztee: status %d, stderr %q; GNU tee: status %d, stderr %q", z.Code, rest, g.Code, g.Stderr)
		}
	})
}

// checkTeeRun checks a run against its input: stdout and every operand got
// it all, status 0 and nothing on stderr; or, for each /dev/full output, a
// message "PROG: NAME: No space left on device" and status 1, unless there
// was nothing to write.
func checkTeeRun(t *testing.T, who string, r teeResult, stderr string, data []byte, dst *dstEnd, ops []*teeOperand) {
	t.Helper()
	if r.Signal != 0 {
		t.Fatalf("%s killed by %v; stderr %q", who, r.Signal, r.Stderr)
	}
	var want []string
	if dst.Full && len(data) > 0 {
		want = append(want, ": 'standard output': No space left on device")
	}
	for _, o := range ops {
		if o.Full && len(data) > 0 {
			want = append(want, ": "+o.arg+": No space left on device")
		}
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if stderr == "" {
		lines = nil
	}
	ok := len(lines) == len(want)
	for i := range want {
		ok = ok && strings.HasSuffix(lines[i], want[i])
	}
	if wantCode := min(len(want), 1); !ok || r.Code != wantCode {
		t.Errorf("%s: status %d, stderr %q; want %d and messages ending in %q", who, r.Code, stderr, wantCode, want)
	}
	if r.FedErr != nil {
		t.Errorf("%s: feeding the source: %v", who, r.FedErr)
	}
	if r.OutErr != nil {
		t.Errorf("%s: reading stdout back: %v", who, r.OutErr)
	}
	if !dst.Discard && !dst.Full {
		if d := diffBytes(r.Out, data); d != "" {
			t.Errorf("%s wrote to stdout %s", who, d)
		}
	}
	for i, o := range ops {
		if r.OpErrs[i] != nil {
			t.Errorf("%s: reading operand %d (%s) back: %v", who, i, o.kind, r.OpErrs[i])
		}
		if o.Discard || o.Full {
			continue
		}
		if d := diffBytes(r.Ops[i], data); d != "" {
			t.Errorf("%s wrote to operand %d (%s) %s", who, i, o.kind, d)
		}
	}
}

// teeMethods are the methods the design promises for stdout and for a
// regular FILE operand, when there is enough data for the choice to
// matter. From a pipe, pipe outputs get tee(2) and the last output that
// is not a pipe consumes stdin with splice(2); non-pipe outputs before it
// get tee(2) through an internal pipe; outputs that refuse splice get
// read/write, and with them the others get tee(2). From a regular file,
// each output is fed with the call that suits it.
func teeMethods(src, dst string) (stdout, file string) {
	pipeIn := src == "pipe" || src == "fifo" || src == "nonblock-pipe" || src == "unix-socket" || src == "tcp-socket"
	switch {
	case pipeIn:
		switch dst {
		case "pty", "append-file":
			return "read/write", "tee"
		case "devfull":
			// The round in which /dev/full fails may tee to FILE.
			return "", ""
		}
		return "tee", "splice"
	case src == "file":
		switch dst {
		case "pipe", "fifo", "nonblock-pipe":
			return "splice", "copy_file_range"
		case "file":
			return "copy_file_range", "copy_file_range"
		case "unix-socket", "tcp-socket", "devnull":
			return "sendfile", "copy_file_range"
		case "pty", "append-file":
			return "read/write", "copy_file_range"
		}
		return "", "copy_file_range"
	}
	return "read/write", "read/write"
}

var teeStdoutName = regexp.QuoteMeta("'standard output'")

// checkTeeDebug checks ztee's --debug lines: one per output, stdout first,
// naming and describing each, accounting for every byte.
func checkTeeDebug(t *testing.T, lines []string, sk srcKind, dk dstKind, size int, dst *dstEnd, op *teeOperand) {
	t.Helper()
	if len(lines) != 2 {
		t.Fatalf("--debug printed %d lines, want 2: %q", len(lines), lines)
	}
	so, fo := parseDebug(t, lines[0]), parseDebug(t, lines[1])
	if !regexp.MustCompile("^" + teeStdoutName + "$").MatchString(so.name) {
		t.Errorf("--debug names stdout %q", so.name)
	}
	if fo.name != cli.QuoteIfNeeded(op.arg) {
		t.Errorf("--debug names the operand %q, want %q", fo.name, op.arg)
	}
	for _, d := range []debugLine{so, fo} {
		if !regexp.MustCompile(sk.Desc).MatchString(d.src) {
			t.Errorf("--debug describes the %s source as %q, want %s", sk.Name, d.src, sk.Desc)
		}
	}
	if !regexp.MustCompile(dk.Desc).MatchString(so.dst) {
		t.Errorf("--debug describes the %s stdout as %q, want %s", dk.Name, so.dst, dk.Desc)
	}
	if !regexp.MustCompile(`^file\([a-z0-9]+\)$`).MatchString(fo.dst) {
		t.Errorf("--debug describes the FILE operand as %q", fo.dst)
	}
	if fo.bytes() != int64(size) {
		t.Errorf("--debug accounts for %d bytes to FILE, want %d: %s", fo.bytes(), size, lines[1])
	}
	if !dst.Full && so.bytes() != int64(size) {
		t.Errorf("--debug accounts for %d bytes to stdout, want %d: %s", so.bytes(), size, lines[0])
	}
	if size < 1<<20 {
		return
	}
	wantOut, wantFile := teeMethods(sk.Name, dk.Name)
	if wantOut != "" {
		so.checkAllBy(t, wantOut)
	}
	if wantFile != "" {
		fo.checkAllBy(t, wantFile)
	}
}

// TestZteeOperandKinds gives ztee up to 12 FILE operands of every kind at
// once, which it opens itself (process substitutions as /dev/fd/N), on
// stdin of the main kinds: every output gets every byte, and status and
// messages are GNU tee's.
func TestZteeOperandKinds(t *testing.T) {
	ztee := bin(t, "ztee")
	tee := gnu(t, "tee")
	kinds := []string{"file", "fifo", "procsubst", "devnull", "pty", "dash", "existing-file", "procsubst", "fifo", "file", "procsubst", "devfull"}
	for _, sk := range []srcKind{srcPipe, srcFile, srcUnixSocket, srcPty} {
		for _, size := range []int{0, 1<<20 + 1} {
			for _, appending := range []bool{false, true} {
				name := fmt.Sprintf("%s/operands=%d/size=%d", sk.Name, len(kinds), size)
				if appending {
					name += "/append"
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					data := sk.Data(size)
					var res [2]teeResult
					var ops [2][]*teeOperand
					var stderr [2]string
					for i, prog := range []string{ztee, tee} {
						dir := t.TempDir()
						argv := []string{prog}
						if appending {
							argv = append(argv, "-a")
						}
						for _, k := range kinds {
							if appending && k == "existing-file" {
								k = "append-file"
							}
							ops[i] = append(ops[i], newTeeOperand(t, k, dir))
						}
						dst := dstPipe.Open(t)
						res[i] = runTee(t, argv, sk.Open(t, data), dst, ops[i], dir)
						stderr[i] = teeNormalize(res[i].Stderr, prog, ops[i])
						checkTeeRun(t, []string{"ztee", "tee"}[i], res[i], res[i].Stderr, data, dst, ops[i])
					}
					if res[0].Code != res[1].Code || stderr[0] != stderr[1] {
						t.Errorf("ztee: status %d, stderr %q; GNU tee: status %d, stderr %q", res[0].Code, stderr[0], res[1].Code, stderr[1])
					}
				})
			}
		}
	}
}
