package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// matrixSizes are the sizes every pairing is tried with: nothing, one byte,
// around a page, and past a default pipe's and a grown pipe's capacity.
var matrixSizes = []int{0, 1, 4095, 4096, 4097, 1<<20 + 1}

// TestZcatKinds runs zcat on every pairing of source kind and destination
// kind, at every size, and compares what reaches the destination byte for
// byte with the data and with what GNU cat delivers through the same kinds
// of descriptors. --debug must name the kinds the child was really given
// and account for every byte.
func TestZcatKinds(t *testing.T) {
	zcat := bin(t, "zcat")
	cat := gnu(t, "cat")
	eachKindPair(t, matrixSizes, "", func(t *testing.T, sk srcKind, dk dstKind, size int) {
		data := sk.Data(size)
		src, dst := sk.Open(t, data), dk.Open(t)
		z := runKinds(t, []string{zcat, "--debug"}, src, dst)
		debug, rest := splitDebug(z.Stderr)
		checkRun(t, "zcat", z, rest, data, dst)
		checkDebug(t, debug, sk, dk, len(data), dst)

		// GNU cat 9.1 fails with EAGAIN on nonblocking descriptors
		// ("Resource temporarily unavailable"): there is nothing to
		// compare with.
		if sk.Nonblock || dk.Nonblock {
			return
		}
		src, dst = sk.Open(t, data), dk.Open(t)
		g := runKinds(t, []string{cat}, src, dst)
		checkRun(t, "cat", g, g.Stderr, data, dst)
		if d := diffBytes(z.Out, g.Out); d != "" && !dst.Discard {
			t.Errorf("zcat and GNU cat differ: zcat wrote %s", d)
		}
		if z.Code != g.Code || normalize(rest, zcat) != normalize(g.Stderr, cat) {
			t.Errorf("zcat: status %d, stderr %q; GNU cat: status %d, stderr %q",
				z.Code, rest, g.Code, g.Stderr)
		}
	})
}

// checkRun checks one run against the data it was given: everything
// arrived, the status is 0, nothing on stderr; or, on /dev/full, a write
// error and status 1 unless there was nothing to write.
func checkRun(t *testing.T, who string, r runResult, stderr string, data []byte, dst *dstEnd) {
	t.Helper()
	if r.Signal != 0 {
		t.Fatalf("%s killed by %v; stderr %q", who, r.Signal, r.Stderr)
	}
	if dst.Full && len(data) > 0 {
		if r.Code != 1 || !strings.HasSuffix(stderr, ": write error: No space left on device\n") {
			t.Errorf("%s > /dev/full: status %d, stderr %q; want 1 and a write error", who, r.Code, stderr)
		}
		return
	}
	if r.Code != 0 || stderr != "" {
		t.Errorf("%s: status %d, stderr %q; want 0 and nothing", who, r.Code, stderr)
	}
	if r.FedErr != nil {
		t.Errorf("%s: feeding the source: %v", who, r.FedErr)
	}
	if r.OutErr != nil {
		t.Errorf("%s: reading the destination back: %v", who, r.OutErr)
	}
	if dst.Discard {
		return
	}
	if d := diffBytes(r.Out, data); d != "" {
		t.Errorf("%s wrote %s", who, d)
	}
}

// debugRE parses zcat's --debug line: "PROG: debug: NAME: SRC -> DST: STEPS".
var debugRE = regexp.MustCompile(`^.*: debug: (.*): (\S+) -> (\S+): (.*)$`)

// stepRE parses one step of a --debug line: "splice 4097 bytes in 2 calls",
// "copy_file_range refused (EXDEV)", "splice 12 bytes in 3 calls then refused (EINVAL)".
var stepRE = regexp.MustCompile(`^([a-z_/-]+)(?: (\d+) bytes in (\d+) calls)?(?: then)?(?: refused \(([A-Z0-9]+|[^)]*)\))?$`)

type debugStep struct {
	method  string
	bytes   int64
	calls   int
	refused string
}

type debugLine struct {
	line           string // as printed
	name, src, dst string
	steps          []debugStep
}

// splitDebug separates --debug lines from the rest of stderr.
func splitDebug(stderr string) (debug []string, rest string) {
	var b strings.Builder
	for _, l := range strings.SplitAfter(stderr, "\n") {
		if strings.Contains(l, ": debug: ") {
			debug = append(debug, strings.TrimSuffix(l, "\n"))
		} else {
			b.WriteString(l)
		}
	}
	return debug, b.String()
}

func parseDebug(t *testing.T, line string) debugLine {
	t.Helper()
	m := debugRE.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("--debug line %q: not PROG: debug: NAME: SRC -> DST: STEPS", line)
	}
	d := debugLine{line: line, name: m[1], src: m[2], dst: m[3]}
	if m[4] == "nothing to do" {
		return d
	}
	for _, s := range strings.Split(m[4], ", ") {
		sm := stepRE.FindStringSubmatch(s)
		if sm == nil {
			t.Fatalf("--debug line %q: step %q not understood", line, s)
		}
		st := debugStep{method: sm[1], refused: sm[4]}
		st.bytes, _ = strconv.ParseInt(sm[2], 10, 64)
		st.calls, _ = strconv.Atoi(sm[3])
		d.steps = append(d.steps, st)
	}
	return d
}

func (d debugLine) bytes() int64 {
	var n int64
	for _, s := range d.steps {
		n += s.bytes
	}
	return n
}

// checkAllBy checks that every step of d that moved bytes is by method.
func (d debugLine) checkAllBy(t *testing.T, method string) {
	t.Helper()
	for _, s := range d.steps {
		if s.bytes > 0 && s.method != method {
			t.Errorf("%s moved %d bytes; want all by %s: %s", s.method, s.bytes, method, d.line)
		}
	}
}

// mainMethods are the methods the design promises for the main pairs, when
// there is enough data for the choice to matter (DESIGN.md's matrix).
var mainMethods = map[[2]string]string{
	{"file", "pipe"}:                 "splice",
	{"file", "nonblock-pipe"}:        "splice",
	{"file", "fifo"}:                 "splice",
	{"file", "file"}:                 "copy_file_range",
	{"file", "unix-socket"}:          "sendfile",
	{"file", "tcp-socket"}:           "sendfile",
	{"file", "append-file"}:          "read/write",
	{"pipe", "pipe"}:                 "splice",
	{"pipe", "file"}:                 "splice",
	{"nonblock-pipe", "pipe"}:        "splice",
	{"pipe", "nonblock-pipe"}:        "splice",
	{"unix-socket", "file"}:          "splice-via-pipe",
	{"tcp-socket", "file"}:           "splice-via-pipe",
	{"unix-socket", "pipe"}:          "splice",
	{"procfs", "file"}:               "read/write",
	{"procfs", "pipe"}:               "read/write",
	{"procfs", "append-file"}:        "read/write",
	{"pty", "pipe"}:                  "read/write",
	{"pty", "file"}:                  "read/write",
	{"file", "pty"}:                  "read/write",
	{"pipe", "pty"}:                  "read/write",
	{"pipe", "append-file"}:          "read/write",
	{"unix-socket", "append-file"}:   "read/write",
	{"nonblock-pipe", "append-file"}: "read/write",
}

// checkDebug checks zcat's --debug line: one line, naming the operand "-",
// describing the descriptors as the kinds they are, and accounting for
// every byte written (all of them by the promised method on the main pairs).
func checkDebug(t *testing.T, lines []string, sk srcKind, dk dstKind, size int, dst *dstEnd) {
	t.Helper()
	if len(lines) != 1 {
		t.Fatalf("--debug printed %d lines, want 1: %q", len(lines), lines)
	}
	d := parseDebug(t, lines[0])
	if d.name != "-" {
		t.Errorf("--debug names the operand %q, want -", d.name)
	}
	if !regexp.MustCompile(sk.Desc).MatchString(d.src) {
		t.Errorf("--debug describes the %s source as %q, want %s", sk.Name, d.src, sk.Desc)
	}
	if !regexp.MustCompile(dk.Desc).MatchString(d.dst) {
		t.Errorf("--debug describes the %s destination as %q, want %s", dk.Name, d.dst, dk.Desc)
	}
	if dst.Full {
		return // bytes that /dev/full refused are nobody's
	}
	if d.bytes() != int64(size) {
		t.Errorf("--debug accounts for %d bytes, want %d: %s", d.bytes(), size, lines[0])
	}
	if want, ok := mainMethods[[2]string{sk.Name, dk.Name}]; ok && size >= 1<<20 {
		d.checkAllBy(t, want)
	}
}

// normalize replaces a program's path in its messages, so that zcat's and
// GNU cat's can be compared.
func normalize(s, prog string) string {
	return strings.ReplaceAll(s, prog+":", "PROG:")
}

// namedSource is an operand zcat opens by name, with what feeds it.
type namedSource struct {
	path string
	want []byte
	feed func() error // started with the child, for FIFOs and ptys
}

// TestZcatOperandKinds gives zcat descriptors of each kind by name, as
// FILE operands rather than as stdin: it opens them itself, blocking,
// and --debug says so. GNU cat gets the same operands.
func TestZcatOperandKinds(t *testing.T) {
	zcat := bin(t, "zcat")
	cat := gnu(t, "cat")
	const size = 1<<20 + 1
	cases := []struct {
		name   string
		make   func(t *testing.T) namedSource
		desc   string // --debug's source, or "" when the open fails
		method string
		fails  bool
	}{
		{"file", func(t *testing.T) namedSource {
			d := randomData(size)
			return namedSource{path: tempFile(t, d), want: d}
		}, `^file\([a-z0-9]+\)$`, "splice", false},
		{"fifo", func(t *testing.T) namedSource {
			d := randomData(size)
			p := filepath.Join(t.TempDir(), "fifo")
			if err := unix.Mkfifo(p, 0o600); err != nil {
				t.Fatal(err)
			}
			return namedSource{path: p, want: d, feed: func() error {
				// Blocks until the child opens the FIFO for reading.
				w, err := os.OpenFile(p, os.O_WRONLY, 0)
				if err != nil {
					return err
				}
				return feeder(w, d)()
			}}
		}, `^pipe$`, "splice", false},
		{"procfs", func(t *testing.T) namedSource {
			d := environData(size)
			return namedSource{path: fmt.Sprintf("/proc/%d/environ", parked(t, environEnv(d))), want: d}
		}, `^file\(proc\)$`, "read/write", false},
		{"pty", func(t *testing.T) namedSource {
			d := textData(size)
			src := openSrcPty(t, d)
			// The test's copy of the slave stays open until the end:
			// closing the last one would take /dev/pts/N away.
			return namedSource{path: src.File.Name(), want: d, feed: src.feed}
		}, `^tty$`, "read/write", false},
		{"devnull", func(t *testing.T) namedSource { return namedSource{path: "/dev/null"} }, `^chardev$`, "", false},
		{"unix-socket-path", func(t *testing.T) namedSource {
			p := filepath.Join(t.TempDir(), "sock")
			fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { unix.Close(fd) })
			if err := unix.Bind(fd, &unix.SockaddrUnix{Name: p}); err != nil {
				t.Fatal(err)
			}
			return namedSource{path: p}
		}, "", "", true},
		{"directory", func(t *testing.T) namedSource { return namedSource{path: t.TempDir()} }, `^directory$`, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var results [2]runResult
			var debug []string
			for i, prog := range []string{zcat, cat} {
				src := c.make(t)
				dst := dstPipe.Open(t)
				argv := []string{prog, src.path}
				if prog == zcat {
					argv = []string{prog, "--debug", src.path}
				}
				var fed chan error
				if src.feed != nil {
					fed = make(chan error, 1)
					go func() { fed <- src.feed() }()
				}
				r := runKinds(t, argv, nil, dst)
				if fed != nil && !c.fails {
					if err := <-fed; err != nil {
						t.Errorf("%s: feeding %s: %v", filepath.Base(prog), src.path, err)
					}
				}
				r.Stderr = strings.ReplaceAll(r.Stderr, src.path, "NAME")
				if prog == zcat {
					debug, r.Stderr = splitDebug(r.Stderr)
				}
				results[i] = r
				if !c.fails && (r.Code != 0 || r.Stderr != "" || diffBytes(r.Out, src.want) != "") {
					t.Errorf("%s %s: status %d, stderr %q, output %s", filepath.Base(prog), src.path, r.Code, r.Stderr, diffBytes(r.Out, src.want))
				}
			}
			z, g := results[0], results[1]
			if z.Code != g.Code || normalize(z.Stderr, zcat) != normalize(g.Stderr, cat) {
				t.Errorf("zcat: status %d, stderr %q; GNU cat: status %d, stderr %q", z.Code, z.Stderr, g.Code, g.Stderr)
			}
			if c.desc == "" {
				if len(debug) != 0 {
					t.Errorf("--debug about an operand that did not open: %q", debug)
				}
				return
			}
			if len(debug) != 1 {
				t.Fatalf("--debug printed %q, want one line", debug)
			}
			d := parseDebug(t, debug[0])
			if !regexp.MustCompile(c.desc).MatchString(d.src) {
				t.Errorf("--debug describes %s as %q, want %s", c.name, d.src, c.desc)
			}
			d.checkAllBy(t, c.method)
		})
	}
}
