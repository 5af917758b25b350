package tests

// Differential fuzzers: FuzzZcat, FuzzZtee and FuzzZcp run a random
// invocation (difffuzz_test.go) with the zcopy command and with GNU's, in
// twin work directories, and require the same exit status, stdout, stderr
// (both speak as GNU's name), FIFO output and work directory afterwards.
// Plain `go test` runs the seeds below and the corpus in
// testdata/fuzz/FuzzZ*/; `make fuzz` fuzzes.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seed is one fuzz input; mode as in difffuzz_test.go.
type seed struct {
	args    string
	choices string
	content string
	stdin   string
	mode    uint8
}

func addSeeds(f *testing.F, seeds []seed) {
	for _, s := range seeds {
		f.Add(s.args, []byte(s.choices), []byte(s.content), []byte(s.stdin), s.mode)
	}
}

// fuzzSetup checks what every fuzzer needs.
func fuzzSetup(f *testing.F, name string) {
	if os.Geteuid() != 0 {
		// Twin directories as nobody, an unreadable file root may read.
		f.Skip("needs root to run the commands as nobody and as root alike (CI runs as root)")
	}
	if _, err := os.Stat(filepath.Join(binDir, name)); err != nil {
		f.Fatalf("%s was not built: %v", name, err)
	}
}

// Rule fifoOnce (zcat, zcp): the FIFO's writer writes once, so a second
// reading of it would wait for a writer that never comes, in both
// programs alike: later mentions of it read "a" instead.
func fifoOnce(args []string) []string {
	seen := false
	out := append([]string(nil), args...)
	for i, a := range out {
		if a == "fifo" || a == "./fifo" {
			if seen {
				out[i] = "a"
			}
			seen = true
		}
	}
	return out
}

// capInput keeps a fuzz input's byte strings small enough for a run to
// stay short.
func capInput(b []byte, n int) []byte { return b[:min(len(b), n)] }

// catSeeds come from TestZcatBadInput, TestZcatFormat and the GNU
// comparisons of catfmt: bad operands, names that need quoting, input that
// is the output, formatting state that crosses operands.
var catSeeds = []seed{
	{args: "", content: "alpha\n", stdin: "from stdin\n", mode: stdinPipe},
	{args: "a missing b", content: "alpha\n"},
	{args: "missing a missing", content: "alpha\n"},
	{args: "a d b", content: "alpha\n"},
	{args: "-n a d b", content: "one\ntwo"},
	{args: "."},
	{args: "a/b"},
	{args: "a\\x20b no\\x20such"},
	{args: "nl\\nname \\xff\\xfe missing\\n"},
	{args: "-- -n a"},
	{args: "-n", content: "x", stdin: "\n\n\nx\n", mode: stdinPipe},
	{args: "-- -", stdin: "dash\n", mode: stdinFile},
	{args: "a b -", stdin: "s", mode: stdinPipe | stdoutAppendToA<<2},
	{args: "- a", stdin: "s", mode: stdinFile | stdoutAppendToA<<2},
	{args: "out", mode: stdoutInDir << 2},
	{args: "-n a", mode: stdoutAppendToA << 2, content: "self\nwith two lines\n"},
	{args: "empty", mode: stdoutAppendToA << 2},
	{args: "secret a", mode: modeNobody},
	{args: "secret", mode: 0},
	{args: "fifo a fifo", content: "alpha\n"},
	{args: "-bns a b a", content: "a\n\n\n\nb\n\n"},
	{args: "-s a - b", content: "x\n\n\n", stdin: "\n\n\ny", mode: stdinPipe},
	{args: "-E a b", content: "a\r", stdin: ""},
	{args: "-vET a -", content: "\x00\x01\x7f\x80\xff\t\r\n", stdin: "\r\n", mode: stdinPipe},
	{args: "-A -e -t -u a", content: "all\tof\x01it\n"},
	{args: "--number --squeeze-blank --show-ends --show-tabs --show-nonprinting --number-nonblank a", content: "\t\n\n\n."},
	{args: "--num a", content: "ambiguous\n"},
	{args: "--number-n a --sh", content: "x\n"},
	{args: "--show-e=x a"},
	{args: "-x a"},
	{args: "--bogus a"},
	{args: "--help"},
	{args: "--version -x"},
	{args: "--help --bogus"},
	{args: "-n a", mode: modePosix},
	{args: "a -n", content: "x\n", mode: modePosix},
	{args: "/dev/null a d/f1", content: "f1 is a third of this\n", mode: stdoutFile << 2},
	{args: "a", content: strings.Repeat("0123456789abcdef", 4096), mode: stdoutFile << 2},
	{args: "- - -", stdin: strings.Repeat("x\n", 40000), mode: stdinPipe},
	// Found by fuzzing (quoting in the C locale, and NUL in an argument).
	{args: "\xef\xbf\xbd", mode: stdinPipe},
	{args: "\xef\xbf\xbd", mode: stdinPipe | modeUTF8},
	{args: "\x0e", mode: stdoutInDir<<2 | modePosix},
	{args: "a\x00b"},
	{args: "", choices: "\x00\x05\x01\x04\x02\x06", content: "generated\n\n\nlines"},
	{args: "", choices: "\x10\x20\x30\x07\x01\x44\x55", content: "more\n", mode: stdinDevNull},
}

// FuzzZcat compares zcat with GNU cat. The FIFO is an input.
func FuzzZcat(f *testing.F) {
	fuzzCommand(f, "zcat", catSeeds, operandPool(), 1<<20, func([]string) bool { return true })
}

// fuzzCommand is the fuzz target of zcopy's command name: seeds, then
// inputs whose generated operands come from pool and whose stdin is at
// most maxStdin bytes. fifoIn says, for a command line, whether the FIFO
// is read (a peer writes it, once: fifoOnce) or written (a peer reads
// it); nil: always written.
func fuzzCommand(f *testing.F, name string, seeds []seed, pool []string, maxStdin int, fifoIn func([]string) bool) {
	fuzzSetup(f, name)
	gnuPath := gnu(f, name[1:])
	tb := table(f, name, gnuPath)
	addSeeds(f, seeds)
	f.Fuzz(func(t *testing.T, args string, choices, content, stdin []byte, mode uint8) {
		words := append(splitArgs(args), tb.generate(choices, pool)...)
		words = tb.sameOptionTables(capWords(words))
		inv := &invocation{content: capInput(content, 1<<20), stdin: capInput(stdin, maxStdin), mode: mode}
		if fifoIn != nil {
			words = fifoOnce(words)
			inv.fifoIn = fifoIn(words)
		}
		inv.args = words
		differential(t, name, gnuPath, name[1:], tb, inv)
	})
}

// capWords keeps a command line to 24 words.
func capWords(w []string) []string { return w[:min(len(w), 24)] }

// teeSeeds come from TestZteeMatchesGNU: operands that cannot be opened,
// "-" as a file name, output errors under each --output-error mode, -a.
var teeSeeds = []seed{
	{args: "", stdin: "in\n", mode: stdinPipe},
	{args: "new", stdin: "in\n", mode: stdinPipe},
	{args: "nodir/f new", stdin: "in\n", mode: stdinPipe},
	{args: "no\\x20dir/f x$y/f", stdin: "in\n"},
	{args: ". new", stdin: "in\n", mode: stdinPipe},
	{args: "-", stdin: "dash\n", mode: stdinPipe},
	{args: "-a a b", content: "before\n", stdin: "appended\n", mode: stdinPipe},
	{args: "--append -- -n", stdin: "appended\n", mode: stdinFile},
	{args: "a a new", stdin: "twice\n", mode: stdinPipe},
	{args: "fifo new", stdin: "to the fifo\n", mode: stdinPipe},
	{args: "secret new", stdin: "x\n", mode: stdinPipe | modeNobody},
	{args: "d/e/g t/x", stdin: "x\n", mode: stdinPipe | modeNobody},
	{args: "-p /dev/null new", stdin: "x\n", mode: stdinPipe},
	{args: "--output-error=warn d new", stdin: "x\n", mode: stdinPipe},
	{args: "--output-error=exit d new", stdin: "x\n", mode: stdinPipe},
	{args: "--output-error=e new", stdin: "x\n"},
	{args: "--output-error=warn- new", stdin: "x\n"},
	{args: "--output-error=bogus new", stdin: "x\n"},
	{args: "--output-error= new", stdin: "x\n"},
	{args: "--output-error", stdin: "x\n"},
	{args: "-i new", stdin: "x\n", mode: stdinDevNull},
	{args: "-ia new a", stdin: "x\n", mode: stdinFile | stdoutFile<<2},
	{args: "-x new", stdin: "x\n"},
	{args: "--ap=x new", stdin: "x\n"},
	{args: "--help", stdin: "x\n"},
	{args: "--version", stdin: "x\n"},
	{args: "new -a", stdin: "x\n", mode: modePosix},
	{args: "out", stdin: "into out twice\n", mode: stdinPipe | stdoutInDir<<2},
	{args: "nl\\nname \\xff\\xfe", stdin: "quoted names\n", mode: stdinPipe},
	{args: "new", stdin: strings.Repeat("0123456789abcdef", 8192), mode: stdinPipe | stdoutFile<<2},
	{args: "", choices: "\x00\x01\x04\x05\x02\x06\x03", stdin: "generated\n", mode: stdinPipe},
}

// FuzzZtee compares ztee with GNU tee. The FIFO is an output.
func FuzzZtee(f *testing.F) {
	fuzzCommand(f, "ztee", teeSeeds, append(operandPool(), "/dev/full"), 1<<20, nil)
}

// cpSeeds come from TestZcpLikeCp (the setups left out: the fixture has
// srcTree's names).
var cpSeeds = []seed{
	{args: ""},
	{args: "a"},
	{args: "-v a b", content: "one\n"},
	{args: "-v a t"},
	{args: "-v a d/f1 sl t"},
	{args: "a d/f1 a"},
	{args: "a d/f1 nodir"},
	{args: "-t nodir a"},
	{args: "-t a d/f1"},
	{args: "-T a t"},
	{args: "-T a b c"},
	{args: "-v nothing a t"},
	{args: "a a"},
	{args: "a sl"},
	{args: "-v d a t"},
	{args: "-r d a"},
	{args: "-rv d d/e/sub"},
	{args: "-rv d/. d/sub"},
	{args: "-v a a t"},
	{args: "-rv d d t"},
	{args: "-rv d t"},
	{args: "-rv d copy"},
	{args: "-rv d/ t"},
	{args: "-Rv d/. t"},
	{args: "-av d copy"},
	{args: "-a d a t"},
	{args: "-pv a d/f1 t"},
	{args: "-r --preserve=timestamps,links d copy"},
	{args: "-r --preserve=all --no-preserve=mode d copy"},
	{args: "--no-preserve=mode d/e/g x"},
	{args: "-rd d copy"},
	{args: "-Pv sl t"},
	{args: "-rLv d copy"},
	{args: "-rH d/dirlink copy"},
	{args: "dangling t"},
	{args: "-P dangling t"},
	{args: "a dangling"},
	{args: "-v d/f1 sl"},
	{args: "-v --remove-destination d/f1 sl"},
	{args: "-nv d/f1 a"},
	{args: "-iv d/f1 a", stdin: "n\n", mode: stdinPipe},
	{args: "-iv d/f1 a", stdin: "y\n", mode: stdinPipe},
	{args: "-i -n d/f1 a", stdin: "y\n", mode: stdinPipe},
	{args: "-n -i d/f1 a", stdin: "y\n", mode: stdinPipe},
	{args: "-uv d/f1 a"},
	{args: "-fv d/f1 secret", mode: modeNobody},
	{args: "-lv a x"},
	{args: "-rl d copy"},
	{args: "-sv a x"},
	{args: "-s a t/x"},
	{args: "-sfv a sl"},
	{args: "-lfv a d/f1"},
	{args: "-v --parents d/e/g t"},
	{args: "--parents a b"},
	{args: "-v --strip-trailing-slashes a/ t"},
	{args: "-v a/ t"},
	{args: "-v a nodir/"},
	{args: "--attributes-only -p d/f1 a"},
	{args: "-rx d copy"},
	{args: "--sparse=foo a b"},
	{args: "--reflink=a a b"},
	{args: "--reflink --sparse=never a b"},
	{args: "--preserve=mode,foo a b"},
	{args: "--preserve=context a b"},
	{args: "-ls a x"},
	{args: "-t t -t d a"},
	{args: "-T -t t a"},
	{args: "--bogus a b"},
	{args: "fifo new", content: "fifo\n"},
	{args: "-r fifo new"},
	{args: "secret new", mode: modeNobody},
	{args: "-r d t", mode: modeNobody},
	{args: "-a d t", mode: modeNobody},
	{args: "a\\x20b nl\\nname \\xff\\xfe t"},
	{args: "-- -n new"},
	{args: "-n new", mode: modePosix},
	{args: "/dev/null new"},
	{args: "a /dev/null"},
	{args: "-", stdin: "x"},
	{args: "- new", stdin: "from stdin\n", mode: stdinPipe},
	{args: "--help"},
	{args: "--version"},
	{args: "--re a b"},
	{args: "--no a b"},
	{args: "", choices: "\x00\x01\x04\x05\x02\x06\x03\x04\x04", content: "generated\n"},
}

// FuzzZcp compares zcp with GNU cp. The FIFO is a source or the
// destination.
func FuzzZcp(f *testing.F) {
	fuzzCommand(f, "zcp", cpSeeds, append(operandPool(), "copy", "x", "d/e/g", "t/"), 1<<16, fifoIsSource)
}

// fifoIsSource guesses whether cp reads the FIFO (a source) or writes it
// (the last operand, without -t): its peer then writes or reads. A wrong
// guess makes both programs wait alike until runTimeout.
func fifoIsSource(words []string) bool {
	last := ""
	for _, w := range words {
		if strings.HasPrefix(w, "-t") || strings.HasPrefix(w, "--t") {
			return true
		}
		if !strings.HasPrefix(w, "-") || w == "-" {
			last = w
		}
	}
	return last != "fifo"
}

// TestFuzzStats prints the figures of the last `make fuzz` (which sets
// ZCOPY_FUZZ_STATS): the runs of the commands, the comparisons with GNU
// and the bytes compared, summed over the fuzzing workers.
func TestFuzzStats(t *testing.T) {
	dir := os.Getenv("ZCOPY_FUZZ_STATS")
	if dir == "" {
		t.Skip("ZCOPY_FUZZ_STATS is not set: `make fuzz` sets it")
	}
	if b, err := os.ReadFile(filepath.Join(dir, "hangs.txt")); err == nil {
		lines := strings.SplitAfter(string(b), "\n")
		t.Logf("runs where both programs hung (first of %d):\n%s", len(lines)-1, strings.Join(lines[:min(len(lines), 10)], ""))
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	sum := map[string]int64{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]int64
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k, v := range m {
			sum[k] += v
		}
	}
	t.Logf("fuzzing workers: %d; command runs: %d; comparisons with GNU: %d; bytes compared: %d; runs where both hung: %d",
		len(files), sum["runs"], sum["comparisons"], sum["bytes"], sum["hung-both"])
}

// TestFuzzOptionTables says which options the fuzzers draw from and which
// they leave out (sameOptionTables), so that a run's log shows what a
// merge of another branch added: the spec of each command must parse,
// and share options with GNU's.
func TestFuzzOptionTables(t *testing.T) {
	for _, name := range []string{"zcat", "ztee", "zcp"} {
		tb := table(t, name, gnu(t, name[1:]))
		if len(tb.shared) == 0 {
			t.Errorf("%s: no option shared with GNU's %s: does internal/cmdspec still hold its table?", name, name[1:])
		}
		t.Logf("%s: %d options fuzzed; zcopy's own: --%s -%s; GNU's, not in the spec yet: --%s -%s",
			name, len(tb.shared), strings.Join(tb.ownLong, " --"), tb.ownShort, strings.Join(tb.missLong, " --"), tb.missShort)
	}
}
