package tests

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/zcopy/zcopy/internal/cmdspec"
)

// TestHelpOwnWords: GNU's help texts are GPL-licensed and not ours to
// copy. Each command's --help may share with its GNU tool's at most two
// lines of three words or more, compared with whitespace normalised and
// the program's name taken out; an option line counts as shared also when
// only its description matches one of GNU's.
func TestHelpOwnWords(t *testing.T) {
	for _, pair := range [][2]string{{"zcat", "cat"}, {"ztee", "tee"}, {"zcp", "cp"}} {
		ours, theirs := bin(t, pair[0]), gnu(t, pair[1])
		z, err := exec.Command(ours, "--help").Output()
		if err != nil {
			t.Fatal(err)
		}
		g, err := exec.Command(theirs, "--help").Output()
		if err != nil {
			t.Fatal(err)
		}
		gnuLines, gnuDescs := map[string]bool{}, map[string]bool{}
		for _, l := range helpLines(string(g), theirs) {
			gnuLines[l] = true
			if d := helpDesc(l); d != "" {
				gnuDescs[d] = true
			}
		}
		var shared []string
		for _, l := range helpLines(string(z), ours) {
			if len(strings.Fields(l)) < 3 {
				continue
			}
			d := helpDesc(l)
			if gnuLines[l] || (len(strings.Fields(d)) >= 3 && gnuDescs[d]) {
				shared = append(shared, l)
			}
		}
		if len(shared) > 2 {
			t.Errorf("%s --help shares %d lines with GNU %s --help (at most 2 allowed):\n%s",
				pair[0], len(shared), pair[1], strings.Join(shared, "\n"))
		}
		if len(strings.Split(string(z), "\n")) < 10 || len(gnuLines) < 10 {
			t.Errorf("help texts too short to compare: %d and %d lines", len(z), len(gnuLines))
		}
	}
}

// helpLines splits a help text into lines with runs of white space made
// one space and the program's path made PROG.
func helpLines(s, prog string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, prog, "PROG"), "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// helpDesc returns the description of an option line ("-n, --number put
// a line number ..." -> "put a line number ..."), or "".
func helpDesc(l string) string {
	f := strings.Fields(l)
	if len(f) == 0 || !strings.HasPrefix(f[0], "-") {
		return ""
	}
	i := 0
	for i < len(f) && strings.HasPrefix(f[i], "-") {
		i++
	}
	return strings.Join(f[i:], " ")
}

// TestVersionNamesLicense: every command's --version names zcopy, its
// version and the license.
func TestVersionNamesLicense(t *testing.T) {
	for _, name := range []string{"zcat", "ztee", "zcp", "zcopy"} {
		out, err := exec.Command(bin(t, name), "--version").Output()
		if err != nil {
			t.Errorf("%s --version: %v", name, err)
			continue
		}
		if want := cmdspec.Version(name); string(out) != want {
			t.Errorf("%s --version = %q; want %q", name, out, want)
		}
		if !strings.Contains(string(out), "BSD-3-Clause") || !strings.Contains(string(out), "The zcopy Authors") {
			t.Errorf("%s --version does not name the license: %q", name, out)
		}
	}
}

// TestManOwnWords: GNU's man pages are its help texts (help2man), so our
// pages may not share a run of six words with the GNU tool's --help
// either (words are letters, digits, ' and -, case folded; option names
// count as words).
func TestManOwnWords(t *testing.T) {
	mandoc := needTool(t, "mandoc")
	word := regexp.MustCompile(`[A-Za-z0-9'-]+`)
	const run = 6
	for _, pair := range [][2]string{{"zcat", "cat"}, {"ztee", "tee"}, {"zcp", "cp"}} {
		g, err := exec.Command(gnu(t, pair[1]), "--help").Output()
		if err != nil {
			t.Fatal(err)
		}
		page, err := exec.Command(mandoc, "-Tascii", "-Owidth=200", "../man/"+pair[0]+".1").Output()
		if err != nil {
			t.Fatal(err)
		}
		gw := word.FindAllString(strings.ToLower(string(g)), -1)
		runs := map[string]bool{}
		for i := 0; i+run <= len(gw); i++ {
			runs[strings.Join(gw[i:i+run], " ")] = true
		}
		mw := word.FindAllString(strings.ToLower(stripOverstrike(string(page))), -1)
		for i := 0; i+run <= len(mw); i++ {
			if r := strings.Join(mw[i:i+run], " "); runs[r] {
				t.Errorf("%s(1) shares %q with GNU %s --help", pair[0], r, pair[1])
			}
		}
		if len(mw) < 500 || len(runs) < 50 {
			t.Errorf("%s: %d words in the page, %d runs in GNU's help: too few to compare", pair[0], len(mw), len(runs))
		}
	}
}
