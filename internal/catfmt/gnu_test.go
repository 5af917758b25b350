package catfmt

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gnuCat is the reference: GNU coreutils 9.1's cat.
const gnuCat = "/usr/bin/cat"

// needGNU skips t when the reference cat is missing: every expected output
// in these tests comes from it.
func needGNU(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(gnuCat); err != nil {
		t.Skipf("%s (GNU cat, the reference output) is missing: %v", gnuCat, err)
	}
}

// optionBits is the number of formatting options; bit i of a mask stands for
// optionFlags[i].
const optionBits = 6

var optionFlags = [optionBits]string{"-b", "-n", "-E", "-s", "-T", "-v"}

// optionsOf returns the Options of the low optionBits bits of mask.
func optionsOf(mask uint8) Options {
	return Options{
		NumberNonBlank:  mask&1 != 0,
		Number:          mask&2 != 0,
		ShowEnds:        mask&4 != 0,
		Squeeze:         mask&8 != 0,
		ShowTabs:        mask&16 != 0,
		ShowNonprinting: mask&32 != 0,
	}
}

// flagsOf returns GNU cat's flags for mask, as separate arguments.
func flagsOf(mask uint8) []string {
	var flags []string
	for i, fl := range optionFlags {
		if mask&(1<<i) != 0 {
			flags = append(flags, fl)
		}
	}
	return flags
}

// name names a mask after its flags, "-bE" or "plain".
func name(mask uint8) string {
	var b strings.Builder
	for i, fl := range optionFlags {
		if mask&(1<<i) != 0 {
			if b.Len() == 0 {
				b.WriteByte('-')
			}
			b.WriteString(fl[1:])
		}
	}
	if b.Len() == 0 {
		return "plain"
	}
	return b.String()
}

// runGNU writes each of files to its own file in dir and returns the output of
// GNU cat with the flags of mask and those files as operands.
func runGNU(t testing.TB, dir string, mask uint8, files [][]byte) []byte {
	t.Helper()
	args := append(flagsOf(mask), "--")
	for i, data := range files {
		p := filepath.Join(dir, fmt.Sprintf("in%d", i))
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	if len(files) == 0 {
		args = append(args, os.DevNull)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(gnuCat, args...)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %q: %v: %s", gnuCat, args, err, stderr.Bytes())
	}
	return stdout.Bytes()
}

// formatAll feeds each chunk to a Formatter as its own Write (with a Flush
// after each under flushEach), closes it and returns the output.
func formatAll(t testing.TB, o Options, size int, flushEach bool, chunks [][]byte) []byte {
	t.Helper()
	var out bytes.Buffer
	f := newSize(o, &out, size)
	for _, c := range chunks {
		n, err := f.Write(c)
		if n != len(c) || err != nil {
			t.Fatalf("Write(%d bytes) = %d, %v; want %d, nil", len(c), n, err, len(c))
		}
		if flushEach {
			if err := f.Flush(); err != nil {
				t.Fatalf("Flush() = %v; want nil", err)
			}
		}
	}
	if err := f.Close(); err != nil {
		t.Fatalf("Close() = %v; want nil", err)
	}
	return out.Bytes()
}

// allBytes is every byte value, then every byte value after a newline, so
// that each also starts a line.
func allBytes() []byte {
	var b []byte
	for c := 0; c < 256; c++ {
		b = append(b, byte(c))
	}
	for c := 0; c < 256; c++ {
		b = append(b, '\n', byte(c))
	}
	return b
}

// gnuCases are inputs given to GNU cat as separate files. They cover what
// carries over from one file to the next: a line without its newline, a run
// of blank lines, a held "\r".
var gnuCases = []struct {
	name  string
	files []string
}{
	{"no-file", nil},
	{"empty", []string{""}},
	{"empty-files", []string{"", "", ""}},
	{"one-newline", []string{"\n"}},
	{"newlines", []string{"\n\n\n\n"}},
	{"text", []string{"one\ntwo\nthree\n"}},
	{"no-final-newline", []string{"one\ntwo"}},
	{"blank-runs", []string{"\n\na\n\n\n\nb\n\n", "\n\nc\n\n\n"}},
	{"blank-across-files", []string{"a\n\n", "\n", "\n\nb\n"}},
	{"line-across-files", []string{"ab", "cd\nef", "", "gh\n"}},
	{"newline-starts-file", []string{"a", "\n", "\nb"}},
	{"tabs", []string{"\ta\tb\t\n\t\n\t"}},
	{"crlf", []string{"a\r\nb\r\n\r\n\r\r\n\r"}},
	{"cr-across-files", []string{"a\r", "\nb\r", "c\r", "\r", "\n\r"}},
	{"cr-at-end", []string{"a\r"}},
	{"cr-lines", []string{"\r\n\r\n\n\n\r\n"}},
	{"controls", []string{"\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f\n"}},
	{"high", []string{"\x80\x89\x8a\x8d\x9f\xa0\xc3\xa9\xfe\xff\n"}},
	{"utf8", []string{"héllo wörld €\n日本\n"}},
	{"all-bytes", []string{string(allBytes())}},
	{"all-bytes-split", []string{string(allBytes()[:300]), string(allBytes()[300:])}},
	{"spaces-only", []string{"  \n \n\n"}},
}

// TestGNU compares every combination of the options with GNU cat on the
// same files.
func TestGNU(t *testing.T) {
	needGNU(t)
	for _, tc := range gnuCases {
		files := make([][]byte, len(tc.files))
		for i, s := range tc.files {
			files[i] = []byte(s)
		}
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // the time goes into starting GNU cat 64 times
			dir := t.TempDir()
			for mask := uint8(0); mask < 1<<optionBits; mask++ {
				want := runGNU(t, dir, mask, files)
				for _, size := range []int{bufSize, reserve + 1} {
					got := formatAll(t, optionsOf(mask), size, false, files)
					if !bytes.Equal(got, want) {
						t.Errorf("%s/buf=%d: got %q; want %q", name(mask), size, got, want)
					}
				}
			}
		})
	}
}

// TestGNUWideLineNumbers crosses 999999 lines, where the number field grows
// beyond six columns, with blank and non-blank lines for -b, -n and -s.
func TestGNUWideLineNumbers(t *testing.T) {
	needGNU(t)
	const lines = 1_200_000
	var in bytes.Buffer
	for i := 0; i < lines; i++ {
		switch {
		case i%7 == 3:
			in.WriteString("\n\n") // two blank lines: -s drops one
		case i%50 == 0:
			in.WriteString("\n")
		default:
			in.WriteString("x\n")
		}
	}
	dir := t.TempDir()
	for _, flags := range [][]string{{"-n"}, {"-b"}, {"-n", "-s"}, {"-b", "-n", "-E"}} {
		var mask uint8
		for _, fl := range flags {
			for i, of := range optionFlags {
				if of == fl {
					mask |= 1 << i
				}
			}
		}
		want := runGNU(t, dir, mask, [][]byte{in.Bytes()})
		if !bytes.Contains(want, []byte("\n1000000\t")) {
			t.Fatalf("%s: GNU output does not reach line 1000000", name(mask))
		}
		got := formatAll(t, optionsOf(mask), bufSize, false, [][]byte{in.Bytes()})
		if !bytes.Equal(got, want) {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Errorf("%s: output differs from GNU at byte %d of %d/%d: got %q; want %q",
				name(mask), i, len(got), len(want), clip(got, i), clip(want, i))
		}
	}
}

// clip returns up to 40 bytes of b around i, for messages.
func clip(b []byte, i int) []byte {
	lo, hi := max(i-20, 0), min(i+20, len(b))
	if lo > hi {
		return nil
	}
	return b[lo:hi]
}
