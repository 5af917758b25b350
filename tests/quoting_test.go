package tests

import (
	"os/exec"
	"strings"
	"testing"
)

// quotedNames are file names whose quoting in GNU's messages (quotearg's
// shell-escape-always style) depends on the locale: control characters,
// invalid UTF-8, non-ASCII letters (escaped byte by byte in the C locale),
// characters that iswprint rejects in UTF-8 (U+2028), apostrophes next to
// them, and names that start with a character that needs $'...'.
var quotedNames = []string{
	"\x0e", "\x0eb", "a\nb", "tN\xef\xbf\xbd", "\xc3\xa9", "caf\xc3\xa9 x",
	"\xe2\x80\xa8x", "\xff", "a b", "\u00a0", "a'b", "\xc3\xa9'", "$x", "\t",
	"\n'a", "'\n", "'a\n", "a\nb'c", "ab'c\nd'e", "\x01''", "-n",
}

// TestQuotingMatchesGNU names each of quotedNames as a missing operand of
// zcat and of GNU cat, in the C and the C.UTF-8 locale: the messages must
// be the same. (A name with an apostrophe before its first character that
// needs escaping and none after, as "a'\n", is quoted by gnulib with an
// extra pair of apostrophes in front that zcopy does not reproduce:
// README, Caveats.)
func TestQuotingMatchesGNU(t *testing.T) {
	zcat, cat := bin(t, "zcat"), gnu(t, "cat")
	for _, loc := range []string{"C", "C.UTF-8"} {
		for _, name := range quotedNames {
			run := func(prog string) string {
				cmd := exec.Command(prog, "--", name)
				cmd.Env = []string{"LC_ALL=" + loc}
				cmd.Dir = t.TempDir()
				out, _ := cmd.CombinedOutput()
				return strings.TrimPrefix(string(out), prog)
			}
			if z, g := run(zcat), run(cat); z != g {
				t.Errorf("LC_ALL=%s, name %q: zcat says %q; GNU cat %q", loc, name, z, g)
			}
		}
	}
}
