package tests

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestZteeManDocumentsOptions keeps ztee(1) and ztee --help in step: every
// option the help text lists has an entry in the page, and the page has the
// sections the project's pages share.
func TestZteeManDocumentsOptions(t *testing.T) {
	mandoc := needTool(t, "mandoc")
	page, err := exec.Command(mandoc, "-Tascii", "-Owidth=200", "../man/ztee.1").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := stripOverstrike(string(page))
	help, err := exec.Command(bin(t, "ztee"), "--help").Output()
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
			entry := regexp.MustCompile(`(?m)^ {7}(?:-[A-Za-z], )?` + regexp.QuoteMeta(opt) + `(?:,|\s|$)`)
			if !entry.MatchString(text) {
				t.Errorf("ztee(1) has no entry for %s", opt)
			}
		}
	}
	if n < 9 {
		t.Errorf("found %d options in ztee --help; the test no longer understands it", n)
	}
	for _, mode := range []string{"warn", "warn-nopipe", "exit", "exit-nopipe"} {
		if !regexp.MustCompile(`(?m)^ {14}` + regexp.QuoteMeta(mode) + `\s`).MatchString(text) {
			t.Errorf("ztee(1) does not describe --output-error=%s", mode)
		}
	}
	for _, section := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "DEBUG OUTPUT", "MECHANISMS", "EXIT STATUS", "DIAGNOSTICS", "NOTES", "SEE ALSO"} {
		if !strings.Contains(text, "\n"+section+"\n") {
			t.Errorf("ztee(1) has no %s section", section)
		}
	}
	if !strings.Contains(text, "Spliced data is passed by reference") {
		t.Errorf("ztee(1) does not say that spliced data is passed by reference")
	}
}
