package tests

// --method and ZCOPY_METHOD: each forced method moves every byte by itself
// on the pairs the kernel gives it, and is an error naming the method and
// the pair on the others; mmap turns a file truncated under it into an
// error, never a crash.

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/zcopy/zcopy/internal/testfd"
)

// forcedMethods are --method's values, with the name --debug gives the
// method (splice between two non-pipes goes through an internal pipe).
var forcedMethods = []struct{ arg, debug string }{
	{"copy_file_range", "copy_file_range"},
	{"sendfile", "sendfile"},
	{"splice", "splice|splice-via-pipe"},
	{"mmap", "mmap"},
	{"readwrite", "read/write"},
}

// methodServes says whether the kernel takes method for a pair, by the
// rules of the system calls (copy_file_range(2), sendfile(2), splice(2),
// mmap(2)), and PITFALLS 1 for O_APPEND destinations.
func methodServes(method string, sk srcKind, dk dstKind) bool {
	srcFileKind := sk.Name == "file"
	appendDst := dk.Name == "append-file"
	switch method {
	case "copy_file_range":
		return srcFileKind && dk.Name == "file"
	case "sendfile":
		// To a pipe, sendfile splices from whatever splice reads: a
		// socket too (Linux 6.x), not a pipe.
		return srcFileKind && !appendDst || dk.Name == "pipe" && sk.Name == "unix-socket"
	case "splice":
		return !appendDst
	case "mmap":
		return srcFileKind
	}
	return true
}

// TestZcatForcedMethods runs zcat --method=M on pairs of kinds: where the
// kernel serves M, M alone moves every byte (--debug says so); where it
// does not, zcat says which method was refused for which pair and exits 1,
// without falling back.
func TestZcatForcedMethods(t *testing.T) {
	zcat := bin(t, "zcat")
	const size = 1<<20 + 1
	srcs := []srcKind{srcFile, srcPipe, srcUnixSocket}
	dsts := []dstKind{dstFile, dstPipe, dstUnixSocket, dstNull, dstAppend}
	for _, m := range forcedMethods {
		for _, sk := range srcs {
			for _, dk := range dsts {
				t.Run(fmt.Sprintf("%s/%s-to-%s", m.arg, sk.Name, dk.Name), func(t *testing.T) {
					t.Parallel()
					data := sk.Data(size)
					src, dst := sk.Open(t, data), dk.Open(t)
					r := runKinds(t, []string{zcat, "--debug", "--method=" + m.arg}, src, dst)
					debug, rest := splitDebug(r.Stderr)
					if r.Signal != 0 {
						t.Fatalf("killed by %v; stderr %q", r.Signal, r.Stderr)
					}
					if len(debug) != 1 {
						t.Fatalf("--debug printed %q; want one line", debug)
					}
					d := parseDebug(t, debug[0])
					if methodServes(m.arg, sk, dk) {
						if r.Code != 0 || rest != "" {
							t.Fatalf("status %d, stderr %q; want 0 and nothing", r.Code, r.Stderr)
						}
						if !dst.Discard {
							if diff := diffBytes(r.Out, data); diff != "" {
								t.Errorf("zcat --method=%s wrote %s", m.arg, diff)
							}
						}
						for _, s := range d.steps {
							if !regexp.MustCompile("^(" + m.debug + ")$").MatchString(s.method) {
								t.Errorf("step %q ran; want only %s: %s", s.method, m.debug, d.line)
							}
						}
						if d.bytes() != size {
							t.Errorf("--debug accounts for %d bytes; want %d: %s", d.bytes(), size, d.line)
						}
						return
					}
					want := regexp.MustCompile(`^.*zcat: -: ` + regexp.QuoteMeta(m.arg) + ` refused for \S+ -> \S+: .+\n$`)
					if r.Code != 1 || !want.MatchString(rest) {
						t.Errorf("status %d, stderr %q; want 1 and %q", r.Code, rest, want)
					}
					for _, s := range d.steps {
						if s.method == "read/write" {
							t.Errorf("read/write ran after a refused forced %s: %s", m.arg, d.line)
						}
					}
				})
			}
		}
	}
}

// methodRun runs a command with env added to the environment, on stdin
// from file in, and returns its stdout, stderr and status.
func methodRun(t *testing.T, env []string, in string, argv ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	if in != "" {
		f, err := os.Open(in)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd.Stdin = f
	}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	code, sig := exitStatus(t, cmd.Run())
	if sig != 0 {
		t.Fatalf("%v killed by %v", argv, sig)
	}
	return o.String(), e.String(), code
}

// TestMethodOptionAndEnv checks where the method comes from: --method wins
// over ZCOPY_METHOD, a unique prefix will do, and a bad value, in either,
// gets XARGMATCH's message naming the option or the variable, status 1.
func TestMethodOptionAndEnv(t *testing.T) {
	in := tempFile(t, randomData(100000))
	out := filepath.Join(t.TempDir(), "out")
	list := "Valid arguments are:\n  - ‘auto’\n  - ‘copy_file_range’\n  - ‘sendfile’\n  - ‘splice’\n  - ‘mmap’\n  - ‘readwrite’\n"
	teeList := strings.Replace(list, "  - ‘mmap’\n", "", 1)
	cases := []struct {
		name    string
		env     []string
		argv    []string
		code    int
		debug   string // a method --debug must name
		message string // stderr, after the program's name
	}{
		{"zcat-option", nil, []string{"zcat", "--debug", "--method=readwrite", in}, 0, "read/write", ""},
		{"zcat-prefix", nil, []string{"zcat", "--debug", "--method=mm", in}, 0, "mmap", ""},
		{"zcat-env", []string{"ZCOPY_METHOD=sendfile"}, []string{"zcat", "--debug", in}, 0, "sendfile", ""},
		{"zcat-option-wins", []string{"ZCOPY_METHOD=bogus"}, []string{"zcat", "--debug", "--method=auto", in}, 0, "splice", ""},
		{"zcat-bad-option", nil, []string{"zcat", "--method=bogus", in}, 1, "",
			": invalid argument ‘bogus’ for ‘--method’\n" + list + "Try 'PROG --help' for more information.\n"},
		{"zcat-ambiguous", nil, []string{"zcat", "--method=s", in}, 1, "",
			": ambiguous argument ‘s’ for ‘--method’\n" + list + "Try 'PROG --help' for more information.\n"},
		{"zcat-bad-env", []string{"ZCOPY_METHOD=bogus"}, []string{"zcat", in}, 1, "",
			": invalid argument ‘bogus’ for ‘ZCOPY_METHOD’\n" + list + "Try 'PROG --help' for more information.\n"},
		{"zcat-format-splice", nil, []string{"zcat", "-n", "--method=splice", in}, 1, "", ""},
		{"ztee-env", []string{"ZCOPY_METHOD=readwrite"}, []string{"ztee", "--debug", out}, 0, "read/write", ""},
		{"ztee-no-mmap", nil, []string{"ztee", "--method=mmap"}, 1, "",
			": invalid argument ‘mmap’ for ‘--method’\n" + teeList + "Try 'PROG --help' for more information.\n"},
		{"zcp-bad-env", []string{"ZCOPY_METHOD=nope"}, []string{"zcp", in, out}, 1, "",
			": invalid argument ‘nope’ for ‘ZCOPY_METHOD’\n" + list + "Try 'PROG --help' for more information.\n"},
		{"zcp-env", []string{"ZCOPY_METHOD=mmap"}, []string{"zcp", "--debug", in, out}, 0, "method: mmap", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			argv := append([]string{bin(t, c.argv[0])}, c.argv[1:]...)
			os.Remove(out)
			stdin := ""
			if c.argv[0] == "ztee" {
				stdin = in
			}
			stdout, stderr, code := methodRun(t, append([]string{"LC_ALL=C.UTF-8"}, c.env...), stdin, argv...)
			if code != c.code {
				t.Errorf("%v: status %d; want %d (stderr %q)", c.argv, code, c.code, stderr)
			}
			if c.debug != "" && !strings.Contains(stderr+stdout, c.debug) {
				t.Errorf("%v: --debug %q does not name %q", c.argv, stderr+stdout, c.debug)
			}
			want := argv[0] + strings.ReplaceAll(c.message, "PROG", argv[0])
			if c.message != "" && stderr != want {
				t.Errorf("%v: stderr\n%s\nwant\n%s", c.argv, stderr, want)
			}
			if c.code == 0 && c.debug == "" && stderr != "" {
				t.Errorf("%v: stderr %q", c.argv, stderr)
			}
		})
	}
}

// TestZteeForcedMethods: a forced method feeds the outputs it can and
// drops the others with an error naming it and the pair; nothing falls
// back to write(2).
func TestZteeForcedMethods(t *testing.T) {
	ztee := bin(t, "ztee")
	data := randomData(1<<20 + 3)
	cases := []struct {
		name, method string
		src          srcKind
		appendFile   bool // the FILE operand is opened with -a onto existing data
		fileOK       bool // the FILE operand gets the data
		stdoutOK     bool // stdout (a pipe) gets the data
	}{
		{"pipe/splice", "splice", srcPipe, false, true, true},
		{"pipe/splice-append", "splice", srcPipe, true, false, true},
		{"pipe/readwrite-append", "readwrite", srcPipe, true, true, true},
		{"pipe/sendfile", "sendfile", srcPipe, false, false, false},
		{"file/sendfile", "sendfile", srcFile, false, true, true},
		{"file/copy_file_range", "copy_file_range", srcFile, false, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := []string{ztee, "--method=" + c.method}
			var prefix []byte
			if c.appendFile {
				prefix = []byte("before\n")
				if err := os.WriteFile(out, prefix, 0o644); err != nil {
					t.Fatal(err)
				}
				args = append(args, "-a")
			}
			src, dst := c.src.Open(t, data), dstPipe.Open(t)
			r := runKinds(t, append(args, out), src, dst)
			if r.Signal != 0 {
				t.Fatalf("killed by %v", r.Signal)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			got = bytes.TrimPrefix(got, prefix)
			wantCode := 0
			if !c.fileOK || !c.stdoutOK {
				wantCode = 1
			}
			if r.Code != wantCode {
				t.Errorf("status %d; want %d (stderr %q)", r.Code, wantCode, r.Stderr)
			}
			for _, o := range []struct {
				name string
				ok   bool
				got  []byte
			}{{out, c.fileOK, got}, {"'standard output'", c.stdoutOK, r.Out}} {
				if o.ok {
					if d := diffBytes(o.got, data); d != "" {
						t.Errorf("%s: ztee wrote %s", o.name, d)
					}
					continue
				}
				want := o.name + ": " + c.method + " refused for "
				if !strings.Contains(r.Stderr, want) {
					t.Errorf("stderr %q; want %q", r.Stderr, want)
				}
				if c.src.Name == "pipe" && len(o.got) > 0 {
					t.Errorf("%s got %d bytes from a refused method", o.name, len(o.got))
				}
			}
		})
	}
}

// TestZcpForcedMethods copies a file with each method, and checks that a
// refused one is an error naming it.
func TestZcpForcedMethods(t *testing.T) {
	zcp := bin(t, "zcp")
	data := randomData(3<<20 + 5)
	in := tempFile(t, data)
	for _, m := range forcedMethods {
		t.Run(m.arg, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			stdout, stderr, code := methodRun(t, nil, "", zcp, "--debug", "--method="+m.arg, in, out)
			if code != 0 || stderr != "" {
				t.Fatalf("status %d, stderr %q", code, stderr)
			}
			if !regexp.MustCompile(`, method: (` + m.debug + `)\n`).MatchString(stdout) {
				t.Errorf("--debug %q does not name %s", stdout, m.debug)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if d := diffBytes(got, data); d != "" {
				t.Errorf("zcp --method=%s wrote %s", m.arg, d)
			}
		})
	}
	t.Run("refused", func(t *testing.T) {
		_, stderr, code := methodRun(t, nil, "", zcp, "--method=copy_file_range", in, "/dev/null")
		want := ": cannot copy '" + in + "' to '/dev/null': copy_file_range refused for file("
		if code != 1 || !strings.Contains(stderr, want) {
			t.Errorf("status %d, stderr %q; want 1 and %q", code, stderr, want)
		}
	})
}

// TestZcatMmapShrinks truncates a file while zcat --method=mmap copies it
// to a slow reader: zcat must say the file shrank, exit 1, and not die of
// SIGBUS; the reader gets the bytes before the new end and none past it.
// Without formatting only write(2) reads the mapping (the kernel answers
// EFAULT); with -n the formatter reads it in user space (SIGBUS, caught).
//
// The reader takes 512 KiB and truncates the file at 3 MiB: zcat cannot be
// further than 1.5 MiB ahead (what was read plus a 1 MiB pipe), so the cut
// falls in what is still to come, on a page boundary.
func TestZcatMmapShrinks(t *testing.T) {
	zcat := bin(t, "zcat")
	const size, cut = 16 << 20, 3 << 20
	data := textData(size)
	for _, c := range []struct {
		name string
		args []string
		want []byte // what the reader must get: the output of data[:cut]
		full []byte // the output of all of data, which it must be a prefix of
	}{
		{"write", nil, data[:cut], data},
		{"formatted", []string{"-n"}, catN(t, data[:cut]), catN(t, data)},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := tempFile(t, data)
			r, w := testfd.Pipe(t, 0)
			var stderr bytes.Buffer
			cmd := exec.Command(zcat, append(append([]string{"--method=mmap"}, c.args...), p)...)
			cmd.Stdout, cmd.Stderr = w, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			w.Close()
			got := make([]byte, 512<<10)
			if _, err := io.ReadFull(r, got); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(p, cut); err != nil {
				t.Fatal(err)
			}
			rest, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, rest...)
			code, sig := exitStatus(t, cmd.Wait())
			if sig != 0 {
				t.Fatalf("zcat died of %v; stderr %q", sig, stderr.String())
			}
			want := zcat + ": " + p + ": file shrank while being read\n"
			if code != 1 || stderr.String() != want {
				t.Errorf("status %d, stderr %q; want 1 and %q", code, stderr.String(), want)
			}
			if !bytes.HasPrefix(c.full, got) {
				t.Errorf("the output is not a prefix of the file's: %s", diffBytes(got, c.full[:min(len(got), len(c.full))]))
			}
			if len(got) > len(c.want) {
				t.Errorf("the reader got %d bytes; at most %d exist before the new end", len(got), len(c.want))
			}
			if c.args == nil && len(got) != cut {
				t.Errorf("the reader got %d bytes; want all %d before the new end", len(got), cut)
			}
		})
	}
}

// catN is GNU cat -n of data.
func catN(t *testing.T, data []byte) []byte {
	t.Helper()
	cmd := exec.Command(gnu(t, "cat"), "-n")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMethodZeroCopyStrace proves with strace what each forced method costs
// in user space: the zero-copy ones move no data through read(2) or
// write(2); mmap moves none through read(2) (write(2) copies out of the
// mapping) and maps the file; read/write is the control, which the tally
// must catch.
func TestMethodZeroCopyStrace(t *testing.T) {
	zcat := bin(t, "zcat")
	const size = 4<<20 + 1
	data := randomData(size)
	for _, c := range []struct {
		method string
		dst    dstKind
	}{
		{"splice", dstPipe},
		{"sendfile", dstPipe},
		{"sendfile", dstUnixSocket},
		{"copy_file_range", dstFile},
		{"splice", dstFile},
		{"mmap", dstPipe},
		{"readwrite", dstPipe},
	} {
		t.Run(c.method+"/file-to-"+c.dst.Name, func(t *testing.T) {
			t.Parallel()
			log := filepath.Join(t.TempDir(), "trace")
			src, dst := srcFile.Open(t, data), c.dst.Open(t)
			r := runKinds(t, straced(t, log, zcat, "--method="+c.method), src, dst)
			if r.Code != 0 {
				t.Fatalf("strace zcat --method=%s: status %d, stderr %q", c.method, r.Code, r.Stderr)
			}
			if d := diffBytes(r.Out, data); d != "" && !dst.Discard {
				t.Fatalf("wrote %s", d)
			}
			read, written := userTally(t, log)
			switch c.method {
			case "mmap":
				if read != 0 || written != size {
					t.Errorf("mmap: read(2) moved %d bytes, write(2) %d; want 0 and %d", read, written, size)
				}
			case "readwrite":
				if read != size || written != size {
					t.Errorf("readwrite: read(2) moved %d bytes, write(2) %d; want %d each", read, written, size)
				}
			default:
				checkZeroCopy(t, log, size)
				if read != 0 || written != 0 {
					t.Errorf("%s: read(2) moved %d bytes, write(2) %d; want none", c.method, read, written)
				}
			}
		})
	}
}

// userTally adds up what the read and the write families moved on the
// data's descriptors in an strace log.
func userTally(t *testing.T, log string) (read, written int64) {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	for _, call := range parseTrace(t, b) {
		if call.ret <= 0 || len(call.fds) == 0 || !dataFd(call.fds[0]) {
			continue
		}
		switch {
		case strings.HasPrefix(call.name, "read"), strings.HasPrefix(call.name, "pread"):
			read += call.ret
		case strings.HasPrefix(call.name, "write"), strings.HasPrefix(call.name, "pwrite"):
			written += call.ret
		}
	}
	return read, written
}
