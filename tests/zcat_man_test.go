package tests

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestManLint runs mandoc -Tlint on every man page: no warning, no error.
func TestManLint(t *testing.T) {
	mandoc := needTool(t, "mandoc")
	pages, err := filepath.Glob("../man/*.[1-8]")
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) == 0 {
		t.Fatal("no man pages in ../man")
	}
	for _, p := range pages {
		out, err := exec.Command(mandoc, "-Tlint", p).CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("mandoc -Tlint %s: %v\n%s", p, err, out)
		}
	}
}

// TestZcatManDocumentsOptions keeps zcat(1) and zcat --help in step: every
// option the help text lists has an entry in the page.
func TestZcatManDocumentsOptions(t *testing.T) {
	mandoc := needTool(t, "mandoc")
	page, err := exec.Command(mandoc, "-Tascii", "-Owidth=200", "../man/zcat.1").Output()
	if err != nil {
		t.Fatal(err)
	}
	// Undo the overstrike of bold and underlined text.
	text := stripOverstrike(string(page))
	help, err := exec.Command(bin(t, "zcat"), "--help").Output()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(help), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], "-") {
			continue
		}
		for _, opt := range f {
			opt = strings.TrimSuffix(opt, ",")
			if !strings.HasPrefix(opt, "-") {
				break
			}
			n++
			// An entry: the option at the start of a tagged paragraph,
			// alone or after its short form ("-n, --number").
			entry := regexp.MustCompile(`(?m)^ {7}(?:-[A-Za-z], )?` + regexp.QuoteMeta(opt) + `(?:,|\s|$)`)
			if !entry.MatchString(text) {
				t.Errorf("zcat(1) has no entry for %s", opt)
			}
		}
	}
	if n < 13 {
		t.Errorf("found %d options in zcat --help; the test no longer understands it", n)
	}
	for _, section := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "DEBUG OUTPUT", "MECHANISMS", "EXIT STATUS", "NOTES", "SEE ALSO"} {
		if !strings.Contains(text, "\n"+section+"\n") {
			t.Errorf("zcat(1) has no %s section", section)
		}
	}
}

func stripOverstrike(s string) string {
	var b strings.Builder
	r := []rune(s)
	for i := 0; i < len(r); i++ {
		if i+2 < len(r) && r[i+1] == '\b' {
			continue // the first of "x\bx" or "_\bx"
		}
		if r[i] == '\b' {
			continue
		}
		b.WriteRune(r[i])
	}
	return b.String()
}
