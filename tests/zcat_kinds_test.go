package tests

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
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
	for _, sk := range sourceKinds() {
		for _, dk := range destKinds() {
			for _, size := range matrixSizes {
				if sk.OnlyEmpty && size != 0 {
					continue
				}
				name := fmt.Sprintf("%s-to-%s/size=%d", sk.Name, dk.Name, size)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					data := sk.Data(size)
					src, dst := sk.Open(t, data), dk.Open(t)
					z := runKinds(t, []string{zcat, "--debug"}, src, dst)
					debug, rest := splitDebug(z.Stderr)
					checkRun(t, "zcat", z, rest, data, dst)
					checkDebug(t, debug, sk, dk, len(data), dst)

					// GNU cat 9.1 fails with EAGAIN on nonblocking
					// descriptors ("Resource temporarily unavailable"):
					// there is nothing to compare with.
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
		}
	}
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
	d := debugLine{name: m[1], src: m[2], dst: m[3]}
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
	want, ok := mainMethods[[2]string{sk.Name, dk.Name}]
	if !ok || size < 1<<20 {
		return
	}
	for _, s := range d.steps {
		if s.bytes > 0 && s.method != want {
			t.Errorf("%s moved %d bytes; want all by %s: %s", s.method, s.bytes, want, lines[0])
		}
	}
}

// normalize replaces a program's path in its messages, so that zcat's and
// GNU cat's can be compared.
func normalize(s, prog string) string {
	return strings.ReplaceAll(s, prog+":", "PROG:")
}
