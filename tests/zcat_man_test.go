package tests

import "testing"

// TestZcatManDocumentsOptions keeps zcat(1) and zcat --help in step: every
// option the help text lists has an entry in the page.
func TestZcatManDocumentsOptions(t *testing.T) {
	text, opts := checkManOptions(t, "zcat")
	if len(opts) < 13 {
		t.Errorf("found %d options in zcat --help; the test no longer understands it", len(opts))
	}
	checkManSections(t, "zcat", text, "NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "DEBUG OUTPUT", "MECHANISMS", "EXIT STATUS", "NOTES", "SEE ALSO")
}
