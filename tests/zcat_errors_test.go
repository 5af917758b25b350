package tests

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/testfd"
)

// asCat runs script with sh in a fresh copy of the work directory that
// fill makes, with `cat` on PATH being prog (through a symlink, so that
// both programs are invoked as "cat" and speak as "cat"), in the C locale.
// It returns the exit status, stdout, stderr and the regular files of the
// directory after the run.
type catRun struct {
	code   int
	signal syscall.Signal
	stdout string
	stderr string
	files  map[string]string
	tree   []string // snapshot of the directory
}

func asCat(t *testing.T, prog, script string, fill func(t *testing.T, dir string), cred *syscall.Credential) catRun {
	t.Helper()
	return runAs(t, "cat", prog, script, fill, cred, "C")
}

// runAs is asCat for any GNU command name, with LC_ALL=locale (in the C
// locale GNU quotes with plain apostrophes). The files are those of the
// whole tree, by relative path.
func runAs(t *testing.T, name, prog, script string, fill func(t *testing.T, dir string), cred *syscall.Credential, locale string) catRun {
	t.Helper()
	sh := needTool(t, "sh")
	links := t.TempDir()
	if err := os.Symlink(prog, filepath.Join(links, name)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fill(t, dir)
	cmd := exec.Command(sh, "-c", script)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + links + ":/usr/bin:/bin", "LC_ALL=" + locale}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		for _, d := range []string{links, filepath.Dir(links), dir, filepath.Dir(dir), filepath.Dir(prog)} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	r := catRun{stdout: stdout.String()}
	err := cmd.Run()
	r.code, r.signal = exitStatus(t, err)
	r.stdout, r.stderr = stdout.String(), stderr.String()
	r.files = map[string]string{}
	filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			b, _ := os.ReadFile(path)
			rel, _ := filepath.Rel(dir, path)
			r.files[rel] = string(b)
		}
		return nil
	})
	r.tree = snapshot(t, dir)
	return r
}

// errorsFill is the work directory of the bad-input cases.
func errorsFill(t *testing.T, dir string) {
	t.Helper()
	for name, content := range map[string]string{
		"a":      "alpha\n",
		"b":      "beta\n",
		"f":      "self\nwith two lines\n",
		"empty":  "",
		"secret": "nobody may read this\n",
		"-n":     "a file named -n\n",
		"a b":    "a name with a space\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(dir, "secret"), 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestZcatBadInput compares zcat with GNU cat on bad operands, bad
// options, the output being an input, and write errors: the same
// messages, the same exit status, the same output, the same files after.
func TestZcatBadInput(t *testing.T) {
	zcat := bin(t, "zcat")
	cat := gnu(t, "cat")
	cases := []struct {
		name, script string
	}{
		{"missing-between-good", `cat a missing b`},
		{"missing-last", `cat a b missing`},
		{"missing-twice", `cat missing a missing`},
		{"directory", `cat a dir b`},
		{"directory-formatted", `cat -n a dir b`},
		{"dot", `cat .`},
		{"eio-procfs", `cat a /proc/self/mem b`},
		{"not-a-directory", `cat a/b`},
		{"name-with-space", `cat 'a b' 'no such'`},
		{"name-with-newline", `cat 'no
such'`},
		{"name-like-option", `cat -- -n a`},
		{"dash-dash-then-dash", `cat -- - < a`},
		{"input-is-output-append", `cat a f b >> f`},
		{"input-is-output-stdin", `cat < f >> f`},
		{"input-is-output-dash", `cat - a < f >> f`},
		{"input-is-output-formatted", `cat -n f >> f`},
		{"input-is-output-empty-append", `cat empty >> empty`},
		{"input-is-output-truncated", `cat f > f`},
		{"input-is-output-readwrite", `cat f 1<> f`},
		{"input-is-output-past-offset", `{ head -c3 >/dev/null; cat; } < f 1<> f`},
		{"input-read-past-output", `{ head -c30 >/dev/null; cat - a; } < f 1<> f`},
		{"dev-full", `cat a > /dev/full`},
		{"dev-full-many", `cat a b > /dev/full`},
		{"dev-full-empty", `cat empty > /dev/full`},
		{"dev-full-missing", `cat missing a > /dev/full`},
		{"dev-full-formatted", `cat -n a > /dev/full`},
		{"stdout-read-only", `cat a 1< b`},
		{"stdin-dir", `cat < dir`},
		{"invalid-short", `cat -x a`},
		{"invalid-in-bundle", `cat -nxv a`},
		{"unrecognized-long", `cat --foo a`},
		{"unrecognized-long-value", `cat --foo=bar a`},
		{"no-argument-allowed", `cat --number=3 a`},
		{"ambiguous", `cat --s a`},
		{"ambiguous-show", `cat --show a`},
		{"ambiguous-with-value", `cat --show=x a`},
		{"invalid-then-help", `cat -x --help`},
		{"dash-alone", `cat - < a`},
		{"options-after-operands", `cat a -n b`},
		{"posixly-correct", `POSIXLY_CORRECT=1 cat a -n b`},
		{"unique-prefix", `cat --squ --numb a`},
		{"help-prefix-then-invalid", `cat --he -x >/dev/null`},
		{"version-then-invalid", `cat --version -x >/dev/null`},
		{"help-exit", `cat --help >/dev/null`},
		{"version-exit", `cat --version >/dev/null`},
		{"help-to-full", `cat --help > /dev/full`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			g := asCat(t, cat, c.script, errorsFill, nil)
			z := asCat(t, zcat, c.script, errorsFill, nil)
			compareCats(t, c.script, z, g)
		})
	}
}

func compareCats(t *testing.T, script string, z, g catRun) {
	t.Helper()
	compareAs(t, "cat", script, z, g)
}

// compareAs compares our run z of script with GNU's run g of the command
// name.
func compareAs(t *testing.T, name, script string, z, g catRun) {
	t.Helper()
	if z.code != g.code || z.signal != g.signal {
		t.Errorf("%s: z%s exits %d (signal %v), GNU %[2]s %d (signal %v)", script, name, z.code, z.signal, g.code, g.signal)
	}
	if z.stderr != g.stderr {
		t.Errorf("%s: stderr:\nz%s: %q\nGNU:  %q", script, name, z.stderr, g.stderr)
	}
	if z.stdout != g.stdout {
		t.Errorf("%s: stdout:\nz%s: %q\nGNU:  %q", script, name, z.stdout, g.stdout)
	}
	if diff := diffFiles(z.files, g.files); diff != "" {
		t.Errorf("%s: files afterwards: %s", script, diff)
	}
	if d := lineDiff(g.tree, z.tree); d != "" {
		t.Errorf("%s: the directory afterwards differs from GNU's:\n%s", script, d)
	}
}

func diffFiles(z, g map[string]string) string {
	var names []string
	for n := range g {
		names = append(names, n)
	}
	for n := range z {
		if _, ok := g[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		zc, zok := z[n]
		gc, gok := g[n]
		if zok != gok || zc != gc {
			b.WriteString("\n  " + n + ": ours left " + quoteOrMissing(zc, zok) + ", GNU's " + quoteOrMissing(gc, gok))
		}
	}
	return b.String()
}

func quoteOrMissing(s string, ok bool) string {
	if !ok {
		return "nothing"
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\n", `\n`), "\t", `\t`)
}

// TestZcatUnreadable compares zcat with GNU cat on a file they may not
// read. Root reads everything, so as root both run as nobody.
func TestZcatUnreadable(t *testing.T) {
	zcat := bin(t, "zcat")
	cat := gnu(t, "cat")
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		cred = &syscall.Credential{Uid: 65534, Gid: 65534}
	}
	for _, script := range []string{`cat a secret b`, `cat -n secret a`, `cat < secret`} {
		g := asCat(t, cat, script, errorsFill, cred)
		z := asCat(t, zcat, script, errorsFill, cred)
		if !strings.Contains(g.stderr, "Permission denied") {
			t.Errorf("%s: GNU cat says %q: the test did not make an unreadable file", script, g.stderr)
		}
		compareCats(t, script, z, g)
	}
}

// TestZcatHelpVersion checks --help and --version: exit 0, nothing on
// stderr, every GNU option documented, the name invoked as in the usage.
func TestZcatHelpVersion(t *testing.T) {
	zcat := bin(t, "zcat")
	h := asCat(t, zcat, `cat --help`, errorsFill, nil)
	if h.code != 0 || h.stderr != "" {
		t.Errorf("--help: status %d, stderr %q", h.code, h.stderr)
	}
	if !strings.HasPrefix(h.stdout, "Usage: cat [OPTION]... [FILE]...\n") {
		t.Errorf("--help does not start with the usage of the name invoked as: %q", head([]byte(h.stdout), 60))
	}
	for _, opt := range []string{"-A, --show-all", "-b, --number-nonblank", "-e ", "-E, --show-ends",
		"-n, --number", "-s, --squeeze-blank", "-t ", "-T, --show-tabs", "-u ", "-v, --show-nonprinting",
		"--debug", "--help", "--version"} {
		if !strings.Contains(h.stdout, "  "+opt) {
			t.Errorf("--help does not document %s", opt)
		}
	}
	v := asCat(t, zcat, `cat --version`, errorsFill, nil)
	if v.code != 0 || v.stderr != "" || !strings.Contains(v.stdout, "zcopy") {
		t.Errorf("--version: status %d, stdout %q, stderr %q", v.code, v.stdout, v.stderr)
	}
}

// TestZcatSIGPIPE closes the reading end of zcat's output early: zcat must
// die by SIGPIPE, as GNU cat does, and say nothing, whatever moved the data.
func TestZcatSIGPIPE(t *testing.T) {
	zcat := bin(t, "zcat")
	cat := gnu(t, "cat")
	// A file four times a grown pipe, or endless pipes and sockets: the
	// writer is still writing when the reader goes away. (A pipe filled
	// by splice from a socket holds more than its nominal size: each slot
	// may take a whole socket fragment of up to 32 KiB.)
	file := func(t *testing.T) *srcEnd { return srcFile.Open(t, randomData(4<<20)) }
	none := func(t *testing.T) *srcEnd { return srcEmpty.Open(t, nil) }
	pipe := func(t *testing.T) *srcEnd {
		r, w := testfd.Pipe(t, 0)
		return &srcEnd{File: r, feed: endlessFeeder(w)}
	}
	socket := func(t *testing.T) *srcEnd {
		child, mine := testfd.SocketPair(t, unix.SOCK_STREAM)
		return &srcEnd{File: child, feed: endlessFeeder(mine)}
	}
	cases := []struct {
		name string
		args []string
		src  func(t *testing.T) *srcEnd
		unix bool // the reader is a Unix socket, not a pipe
	}{
		{"file-splice", nil, file, false},
		{"pipe-splice", nil, pipe, false},
		{"socket-splice", nil, socket, false},
		{"formatted", []string{"-n"}, file, false},
		{"endless-read-write", []string{"/dev/zero"}, none, false},
		{"file-sendfile-to-socket", nil, file, true},
		{"pipe-splice-to-socket", nil, pipe, true},
		{"socket-splice-via-pipe-to-socket", nil, socket, true},
		{"endless-read-write-to-socket", []string{"/dev/zero"}, none, true},
	}
	for _, c := range cases {
		for _, prog := range []string{zcat, cat} {
			t.Run(c.name+"/"+filepath.Base(prog), func(t *testing.T) {
				t.Parallel()
				src := c.src(t)
				var r, w *os.File
				if c.unix {
					w, r = testfd.SocketPair(t, unix.SOCK_STREAM)
				} else {
					r, w = testfd.Pipe(t, 0)
				}
				cmd := exec.Command(prog, c.args...)
				cmd.Stdin, cmd.Stdout = src.File, w
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				src.Started()
				w.Close()
				// head -c1
				one := make([]byte, 1)
				if _, err := r.Read(one); err != nil {
					t.Fatal(err)
				}
				if c.unix {
					// A Unix socket closed with unread data sets
					// ECONNRESET on its peer, which then fails with
					// "Connection reset by peer" (GNU cat as well) or
					// dies of SIGPIPE, depending on where it was:
					// shutdown(SHUT_RD) makes it EPIPE every time.
					if err := testfd.Shutdown(r, unix.SHUT_RD); err != nil {
						t.Fatal(err)
					}
				} else {
					r.Close()
				}
				code, sig := exitStatus(t, cmd.Wait())
				r.Close()
				src.Wait()
				if c.unix && prog == cat && code == 1 && strings.HasSuffix(stderr.String(), ": write error: Broken pipe\n") {
					// Linux returns EPIPE without sending SIGPIPE when
					// a Unix socket's sendmsg fails while allocating
					// (unix_stream_sendmsg, out_err); zcat turns every
					// EPIPE into SIGPIPE.
					return
				}
				if sig != syscall.SIGPIPE || stderr.Len() > 0 {
					t.Errorf("status %d, signal %v, stderr %q; want killed by SIGPIPE, silently", code, sig, stderr.String())
				}
			})
		}
	}
}

// endlessFeeder writes to w until the reader has gone.
func endlessFeeder(w *os.File) func() error {
	return func() error {
		chunk := randomData(64 << 10)
		for {
			if _, err := w.Write(chunk); err != nil {
				w.Close()
				return nil
			}
		}
	}
}

// TestZcatSIGPIPEIgnored pins down the other place where zcat cannot be GNU
// cat: with SIGPIPE ignored by the parent, GNU cat reports "write error:
// Broken pipe" and exits 1, but the Go runtime has replaced the inherited
// disposition before main runs, so zcat cannot see it was ignored and dies
// of SIGPIPE (internal/cli/sigpipe_linux.go; zcat(1), NOTES).
func TestZcatSIGPIPEIgnored(t *testing.T) {
	zcat := bin(t, "zcat")
	sh := needTool(t, "sh")
	for _, src := range []string{"/dev/zero", tempFile(t, randomData(4<<20))} {
		r, w := testfd.Pipe(t, 0)
		cmd := exec.Command(sh, "-c", `trap '' PIPE; exec "$0" "$1"`, zcat, src)
		cmd.Stdout = w
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		w.Close()
		if _, err := r.Read(make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
		r.Close()
		code, sig := exitStatus(t, cmd.Wait())
		if sig != syscall.SIGPIPE || stderr.Len() > 0 {
			t.Errorf("zcat %s with SIGPIPE ignored: status %d, signal %v, stderr %q; want killed by SIGPIPE, silently", src, code, sig, stderr.String())
		}
	}
}
