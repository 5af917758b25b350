package tests

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/testfd"
)

// teeCase is one command line run by ztee and by GNU tee on descriptors
// made alike for each.
type teeCase struct {
	name  string
	args  []string // options and operands, before the prepared operands
	ops   []string // kinds of prepared operands (newTeeOperand)
	data  []byte
	src   func(t testing.TB, data []byte) *srcEnd // default: a pipe
	dst   func(t testing.TB) *dstEnd              // default: a pipe
	shell string                                  // redirections for sh -c 'exec "$0" "$@" SHELL'
	// files are paths, relative to the working directory, whose content
	// must be the same after both runs ("" for "must not exist").
	files []string
	// partial: the outputs may have got only part of the data (the tee
	// exited on an error): only status and messages are compared.
	partial bool
}

// TestZteeMatchesGNU runs error cases, option spellings and odd
// descriptors through ztee and GNU tee: same status (or signal), same
// messages with the program's name, same bytes on every output.
func TestZteeMatchesGNU(t *testing.T) {
	data := randomData(300001)
	dirSrc := func(t testing.TB, _ []byte) *srcEnd {
		f, err := os.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return &srcEnd{File: f}
	}
	cases := []teeCase{
		{name: "no-operand", data: data},
		{name: "missing-dir", args: []string{"nodir/f"}, ops: []string{"file"}, data: data},
		{name: "missing-dir-quoted", args: []string{"no dir/f", "x$y/f"}, ops: []string{"file"}, data: data},
		{name: "operand-is-dir", args: []string{"."}, ops: []string{"file"}, data: data},
		{name: "socket-operand", ops: []string{"socket", "file"}, data: data},
		{name: "dash-is-a-file", ops: []string{"dash"}, data: data, files: []string{"-"}},
		{name: "devfull", ops: []string{"devfull", "file", "devfull"}, data: data},
		{name: "devfull-empty", ops: []string{"devfull"}},
		{name: "devfull-p", args: []string{"-p"}, ops: []string{"devfull", "procsubst"}, data: data},
		{name: "devfull-warn", args: []string{"--output-error=warn"}, ops: []string{"file", "devfull"}, data: data},
		{name: "devfull-warn-nopipe", args: []string{"--output-error=warn-nopipe"}, ops: []string{"devfull", "file"}, data: data},
		{name: "devfull-exit", args: []string{"--output-error=exit"}, ops: []string{"file", "devfull", "devfull"}, data: data, partial: true},
		{name: "devfull-exit-nopipe", args: []string{"--output-error=exit-nopipe"}, ops: []string{"devfull", "file"}, data: data, partial: true},
		{name: "stdout-devfull", dst: dstFull.Open, ops: []string{"file"}, data: data},
		{name: "stdout-devfull-exit", args: []string{"--output-error=exit"}, dst: dstFull.Open, ops: []string{"file"}, data: data, partial: true},
		{name: "stdin-dir", src: dirSrc, ops: []string{"file"}},
		{name: "append", args: []string{"-a"}, ops: []string{"append-file", "procsubst", "append-file"}, data: data},
		{name: "append-long", args: []string{"--app"}, ops: []string{"append-file"}, data: data},
		{name: "append-after-operand", ops: []string{"append-file"}, args: []string{"-a"}, data: data},
		{name: "double-dash", args: []string{"--", "-a"}, ops: []string{"file"}, data: data, files: []string{"-a"}},
		{name: "output-error-operand", args: []string{"--output-error", "warn"}, data: data, files: []string{"warn"}},
		{name: "output-error-abbrev", args: []string{"--output=exit-n"}, ops: []string{"devfull", "file"}, data: data, partial: true},
		{name: "ignore-interrupts", args: []string{"-i", "--ignore-int"}, ops: []string{"file"}, data: data},
		{name: "bundle", args: []string{"-aip"}, ops: []string{"append-file"}, data: data},
		{name: "bad-option", args: []string{"-x"}, data: data},
		{name: "bad-long-option", args: []string{"--foo"}, data: data},
		{name: "append-with-arg", args: []string{"--append=1"}, data: data},
		{name: "p-with-arg", args: []string{"-pwarn"}, data: data},
		{name: "output-error-bad", args: []string{"--output-error=foo"}, data: data},
		{name: "output-error-empty", args: []string{"--output-error="}, data: data},
		{name: "output-error-ambiguous-w", args: []string{"--output-error=w"}, data: data},
		{name: "output-error-ambiguous-e", args: []string{"--output-error=e"}, data: data},
		{name: "output-error-sigpipe", args: []string{"--output-error=sigpipe"}, data: data},
		{name: "help-then-bad", args: []string{"--help", "--output-error=foo"}, data: data},
	}
	ztee, tee := bin(t, "ztee"), gnu(t, "tee")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			z, zops, zdir := runTeeCase(t, ztee, c)
			g, gops, gdir := runTeeCase(t, tee, c)
			if z.Signal != g.Signal || z.Code != g.Code {
				t.Errorf("ztee: status %d signal %v; GNU tee: status %d signal %v", z.Code, z.Signal, g.Code, g.Signal)
			}
			zs, gs := teeNormalize(z.Stderr, ztee, zops), teeNormalize(g.Stderr, tee, gops)
			if c.name == "help-then-bad" {
				// The texts differ by design; both print help.
				zs, gs = "", ""
				if !bytes.HasPrefix(z.Out, []byte("Usage: ")) {
					t.Errorf("ztee --help printed %q", head(z.Out, 40))
				}
			}
			if zs != gs {
				t.Errorf("stderr:\nztee:     %q\nGNU tee:  %q", zs, gs)
			}
			if c.partial || c.name == "help-then-bad" {
				return
			}
			if d := diffBytes(z.Out, g.Out); d != "" {
				t.Errorf("stdout: ztee wrote %s", d)
			}
			for i := range zops {
				if z.OpErrs[i] != nil || g.OpErrs[i] != nil {
					t.Errorf("operand %d (%s): reading back: ztee's %v, GNU's %v", i, zops[i].kind, z.OpErrs[i], g.OpErrs[i])
				}
				if d := diffBytes(z.Ops[i], g.Ops[i]); d != "" {
					t.Errorf("operand %d (%s): ztee wrote %s", i, zops[i].kind, d)
				}
			}
			for _, f := range c.files {
				zb, zerr := os.ReadFile(filepath.Join(zdir, f))
				gb, gerr := os.ReadFile(filepath.Join(gdir, f))
				if (zerr == nil) != (gerr == nil) || !bytes.Equal(zb, gb) {
					t.Errorf("file %s: ztee left %d bytes (%v), GNU tee %d bytes (%v)", f, len(zb), zerr, len(gb), gerr)
				}
			}
		})
	}
}

// runTeeCase runs c with the tee prog in a new working directory.
func runTeeCase(t *testing.T, prog string, c teeCase) (teeResult, []*teeOperand, string) {
	t.Helper()
	dir := t.TempDir()
	var ops []*teeOperand
	for _, k := range c.ops {
		ops = append(ops, newTeeOperand(t, k, dir))
	}
	open := c.src
	if open == nil {
		open = srcPipe.Open
	}
	dst := dstPipe.Open
	if c.dst != nil {
		dst = c.dst
	}
	argv := append([]string{prog}, c.args...)
	if c.shell != "" {
		argv = append([]string{"/bin/sh", "-c", `exec "$0" "$@" ` + c.shell, prog}, c.args...)
	}
	return runTee(t, argv, open(t, c.data), dst(t), ops, dir), ops, dir
}

// TestZteeClosedStd: the Go runtime opens /dev/null (read-write) in place
// of a standard descriptor that is closed when the program starts (Go 1.22,
// runtime/fds_unix.go), before any code of zcopy runs. So where GNU tee
// reports "read error: Bad file descriptor" for a closed stdin, or "'standard
// output': Bad file descriptor" for a closed stdout, ztee reads or writes
// /dev/null, as ztee(1) says under BUGS. This test pins that behaviour, so
// that a change of the runtime shows.
func TestZteeClosedStd(t *testing.T) {
	ztee := bin(t, "ztee")
	data := randomData(100000)
	for _, c := range []struct {
		shell string
		data  []byte
		want  []byte // what FILE gets
	}{
		{"<&-", data, nil},
		{">&-", data, data},
		{">&-", nil, nil},
	} {
		t.Run(fmt.Sprintf("%s/size=%d", c.shell, len(c.data)), func(t *testing.T) {
			r, ops, _ := runTeeCase(t, ztee, teeCase{shell: c.shell, ops: []string{"file"}, data: c.data})
			if r.Code != 0 || r.Stderr != "" || r.Signal != 0 {
				t.Errorf("status %d signal %v stderr %q; want 0 and nothing", r.Code, r.Signal, r.Stderr)
			}
			if d := diffBytes(r.Ops[0], c.want); d != "" {
				t.Errorf("FILE (%s): %s", ops[0].kind, d)
			}
		})
	}
}

// closingReader is a stdout pipe whose reader takes n bytes and goes away.
func closingReader(t testing.TB, n int) *dstEnd {
	r, w := testfd.Pipe(t, 0)
	return &dstEnd{File: w, collect: func() ([]byte, error) {
		b := make([]byte, n)
		k, err := io.ReadFull(r, b)
		r.Close()
		return b[:k], err
	}}
}

// TestZteeEarlyReader: the reader of stdout, or of a process substitution,
// goes away after 1000 bytes of a stream larger than any pipe holds. Each
// --output-error mode must do what GNU tee does (die of SIGPIPE, say
// "Broken pipe" or not, exit or go on), and the outputs that remain must
// get every byte.
func TestZteeEarlyReader(t *testing.T) {
	ztee, tee := bin(t, "ztee"), gnu(t, "tee")
	data := randomData(8<<20 + 3)
	modes := []struct {
		args []string
		// complete: the other output gets every byte.
		complete bool
	}{
		{nil, false},
		{[]string{"-p"}, true},
		{[]string{"--output-error"}, true},
		{[]string{"--output-error=warn"}, true},
		{[]string{"--output-error=warn-nopipe"}, true},
		{[]string{"--output-error=exit"}, false},
		{[]string{"--output-error=exit-nopipe"}, true},
	}
	for _, sk := range []srcKind{srcPipe, srcFile, srcUnixSocket} {
		for _, which := range []string{"stdout", "procsubst"} {
			for _, m := range modes {
				name := fmt.Sprintf("%s/closing-%s/%s", sk.Name, which, strings.Join(append([]string{"default"}, m.args...)[min(len(m.args), 1):], ","))
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					var res [2]teeResult
					var stderr [2]string
					for i, prog := range []string{ztee, tee} {
						dir := t.TempDir()
						var dst *dstEnd
						var ops []*teeOperand
						complete := 1 // which output must be complete
						if which == "stdout" {
							dst = closingReader(t, 1000)
							ops = []*teeOperand{newTeeOperand(t, "file", dir)}
						} else {
							dst = dstPipe.Open(t)
							cr := closingReader(t, 1000)
							ops = []*teeOperand{{kind: "procsubst", dstEnd: cr}}
							complete = 0
						}
						res[i] = runTee(t, append([]string{prog}, m.args...), sk.Open(t, data), dst, ops, dir)
						stderr[i] = teeNormalize(res[i].Stderr, prog, ops)
						if !m.complete {
							continue
						}
						got := res[i].Out
						if complete == 1 {
							got = res[i].Ops[0]
						}
						if d := diffBytes(got, data); d != "" {
							t.Errorf("%s: the output that stayed got %s", prog, d)
						}
					}
					z, g := res[0], res[1]
					if z.Signal != g.Signal || z.Code != g.Code || stderr[0] != stderr[1] {
						t.Errorf("ztee: status %d signal %v stderr %q; GNU tee: status %d signal %v stderr %q",
							z.Code, z.Signal, stderr[0], g.Code, g.Signal, stderr[1])
					}
					if len(m.args) == 0 && z.Signal != syscall.SIGPIPE {
						t.Errorf("ztee: status %d signal %v; want death by SIGPIPE", z.Code, z.Signal)
					}
				})
			}
		}
	}
}

// TestZteeInterrupt: SIGINT ends tee, unless -i; with -i every byte still
// arrives. The signal is sent once the first line has come through, so
// that the tee is surely past its start-up.
func TestZteeInterrupt(t *testing.T) {
	ztee, tee := bin(t, "ztee"), gnu(t, "tee")
	for _, prog := range []string{ztee, tee} {
		for _, ignore := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/i=%v", filepath.Base(prog), ignore), func(t *testing.T) {
				t.Parallel()
				in, feed := testfd.Pipe(t, 0)
				outR, out := testfd.Pipe(t, 0)
				cmd := exec.Command(prog)
				if ignore {
					cmd.Args = append(cmd.Args, "-i")
				}
				file := filepath.Join(t.TempDir(), "f")
				cmd.Args = append(cmd.Args, file)
				cmd.Stdin, cmd.Stdout = in, out
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				in.Close()
				out.Close()
				if _, err := feed.Write([]byte("first\n")); err != nil {
					t.Fatal(err)
				}
				first := make([]byte, 6)
				if _, err := io.ReadFull(outR, first); err != nil {
					t.Fatal(err)
				}
				if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
					t.Fatal(err)
				}
				rest := make(chan []byte, 1)
				go func() { b, _ := io.ReadAll(outR); rest <- b }()
				// Give the signal time to arrive before the end of
				// the input does: a tee that does not ignore it must
				// not be let off by an EOF that came first, and one
				// that ignores it must be shown to have received it.
				time.Sleep(50 * time.Millisecond)
				feed.Write([]byte("second\n"))
				feed.Close()
				code, sig := exitStatus(t, cmd.Wait())
				got := append(first, <-rest...)
				if !ignore {
					if sig != syscall.SIGINT {
						t.Errorf("without -i: status %d signal %v; want death by SIGINT", code, sig)
					}
					return
				}
				if code != 0 || sig != 0 || string(got) != "first\nsecond\n" {
					t.Errorf("with -i: status %d signal %v, stdout %q; want 0 and both lines", code, sig, got)
				}
				if b, _ := os.ReadFile(file); string(b) != "first\nsecond\n" {
					t.Errorf("with -i: FILE holds %q", b)
				}
			})
		}
	}
}

// TestZteeStdinOffset: with stdin a regular file, the outputs start at
// its offset and, as after GNU tee, the offset it shares with the parent
// ends at the end of the file.
func TestZteeStdinOffset(t *testing.T) {
	ztee, tee := bin(t, "ztee"), gnu(t, "tee")
	data := randomData(1<<20 + 5)
	for _, prog := range []string{ztee, tee} {
		t.Run(filepath.Base(prog), func(t *testing.T) {
			src := srcFile.Open(t, data)
			if _, err := src.File.Seek(5, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			// A second descriptor of the same open file description:
			// it sees the child's offset.
			dupfd, err := unix.Dup(int(src.File.Fd()))
			if err != nil {
				t.Fatal(err)
			}
			defer unix.Close(dupfd)
			dir := t.TempDir()
			op := newTeeOperand(t, "file", dir)
			r := runTee(t, []string{prog}, src, dstPipe.Open(t), []*teeOperand{op}, dir)
			if r.Code != 0 || r.Stderr != "" {
				t.Fatalf("status %d, stderr %q", r.Code, r.Stderr)
			}
			if d := diffBytes(r.Out, data[5:]); d != "" {
				t.Errorf("stdout: %s", d)
			}
			if d := diffBytes(r.Ops[0], data[5:]); d != "" {
				t.Errorf("FILE: %s", d)
			}
			off, err := unix.Seek(dupfd, 0, io.SeekCurrent)
			if err != nil || off != int64(len(data)) {
				t.Errorf("stdin's offset after the run: %d, %v; want %d", off, err, len(data))
			}
		})
	}
}

// TestZteeHelpVersion: --help is GNU tee's text with ztee's --debug line
// and its own last line; --version names zcopy.
func TestZteeHelpVersion(t *testing.T) {
	ztee, tee := bin(t, "ztee"), gnu(t, "tee")
	z, err := exec.Command(ztee, "--help").Output()
	if err != nil {
		t.Fatal(err)
	}
	g, err := exec.Command(tee, "--help").Output()
	if err != nil {
		t.Fatal(err)
	}
	zs := normalizeUsage(string(z), ztee)
	gs := normalizeUsage(string(g), tee)
	// ztee adds options of its own (--debug, -g, --method, each with its
	// continuation lines) and ends on its man page; GNU ends on three
	// lines of links to gnu.org.
	zl, gl := strings.Split(zs, "\n"), strings.Split(gs, "\n")
	var zkeep []string
	own := false
	for _, l := range zl {
		switch {
		case strings.HasPrefix(l, "      --debug"), strings.HasPrefix(l, "  -g, --progress"),
			strings.HasPrefix(l, "      --method"):
			own = true
			continue
		case own && strings.HasPrefix(l, "                              "):
			continue
		}
		own = false
		zkeep = append(zkeep, l)
	}
	gi := len(gl)
	for i, l := range gl {
		if strings.HasPrefix(l, "GNU coreutils online help") {
			gi = i
			break
		}
	}
	zi := len(zkeep)
	for i, l := range zkeep {
		if strings.HasPrefix(l, "Full documentation: man ztee") {
			zi = i
			break
		}
	}
	if zi == len(zkeep) || gi == len(gl) {
		t.Fatalf("help texts not understood:\n%s\n%s", z, g)
	}
	if a, b := strings.Join(zkeep[:zi], "\n"), strings.Join(gl[:gi], "\n"); a != b {
		t.Errorf("ztee --help differs from GNU tee's:\n%s\n----\n%s", a, b)
	}
	v, err := exec.Command(ztee, "--version").Output()
	if err != nil || string(v) != "ztee (zcopy) 0.1.0\n" {
		t.Errorf("ztee --version: %q, %v", v, err)
	}
}

// normalizeUsage replaces the program's path in "Usage: PROG".
func normalizeUsage(s, prog string) string {
	return strings.ReplaceAll(s, "Usage: "+prog+" ", "Usage: PROG ")
}
