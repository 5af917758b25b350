package tests

import (
	"regexp"
	"strings"
	"testing"
)

// TestZteeManDocumentsOptions keeps ztee(1) and ztee --help in step: every
// option the help text lists has an entry in the page, and the page has the
// sections the project's pages share.
func TestZteeManDocumentsOptions(t *testing.T) {
	text, opts := checkManOptions(t, "ztee")
	if len(opts) < 9 {
		t.Errorf("found %d options in ztee --help; the test no longer understands it", len(opts))
	}
	for _, mode := range []string{"warn", "warn-nopipe", "exit", "exit-nopipe"} {
		if !regexp.MustCompile(`(?m)^ {14}` + regexp.QuoteMeta(mode) + `\s`).MatchString(text) {
			t.Errorf("ztee(1) does not describe --output-error=%s", mode)
		}
	}
	checkManSections(t, "ztee", text, "NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "DEBUG OUTPUT", "MECHANISMS", "EXIT STATUS", "DIAGNOSTICS", "NOTES", "SEE ALSO")
	if !strings.Contains(text, "Spliced data is passed by reference") {
		t.Errorf("ztee(1) does not say that spliced data is passed by reference")
	}
}
