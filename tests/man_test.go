package tests

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestManLint runs mandoc -Tlint (which implies -Wall) on every man page:
// no warning, no error.
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

// checkManOptions keeps man/NAME.1 and NAME --help in step, and returns the
// page as mandoc renders it (for the checks of each command's own):
//
//   - every option that starts a line of --help, in each of its forms, has
//     an entry in the page: a tagged paragraph that starts with it, alone
//     or after short forms ("-n, --number", "-R, -r, --recursive");
//   - every long option that --help names anywhere, in prose too
//     ("same as -dR --preserve=all"), appears in the page;
//   - the other way round, every entry of the page's OPTIONS section
//     names only options that start a line of --help.
//
// It returns the options found at the start of --help's lines, so that
// the caller can check that the test still understands the help text.
func checkManOptions(t *testing.T, name string) (text string, opts []string) {
	t.Helper()
	mandoc := needTool(t, "mandoc")
	page, err := exec.Command(mandoc, "-Tascii", "-Owidth=200", "../man/"+name+".1").Output()
	if err != nil {
		t.Fatal(err)
	}
	text = stripOverstrike(string(page))
	help, err := exec.Command(bin(t, name), "--help").Output()
	if err != nil {
		t.Fatal(err)
	}
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
			opts = append(opts, opt)
			entry := regexp.MustCompile(`(?m)^ {7}(?:-[A-Za-z], )*` + regexp.QuoteMeta(opt) + `(?:,|\s|$)`)
			if !entry.MatchString(text) {
				t.Errorf("%s(1) has no entry for %s", name, opt)
			}
		}
	}
	for _, long := range regexp.MustCompile(`--[a-z-]+`).FindAllString(string(help), -1) {
		if !strings.Contains(text, long) {
			t.Errorf("%s(1) does not mention %s", name, long)
		}
	}
	inHelp := map[string]bool{}
	for _, o := range opts {
		inHelp[o] = true
	}
	entries := 0
	for _, form := range manOptionEntries(text) {
		entries++
		if !inHelp[form] {
			t.Errorf("%s(1) documents %s, which %s --help does not list", name, form, name)
		}
	}
	if entries < len(opts) {
		t.Errorf("%s(1): %d option forms in OPTIONS, %d in --help", name, entries, len(opts))
	}
	return text, opts
}

// manOptionEntries returns the option forms that start the tagged
// paragraphs of the OPTIONS section of a rendered page: "-A",
// "--show-all", "--sparse=WHEN".
func manOptionEntries(text string) []string {
	i := strings.Index(text, "\nOPTIONS\n")
	if i < 0 {
		return nil
	}
	var forms []string
	for _, line := range strings.Split(text[i+len("\nOPTIONS\n"):], "\n") {
		if line != "" && line[0] != ' ' {
			break // the next section
		}
		if !strings.HasPrefix(line, "       -") {
			continue
		}
		for _, f := range strings.Fields(line) {
			f = strings.TrimSuffix(f, ",")
			if !strings.HasPrefix(f, "-") {
				break
			}
			forms = append(forms, f)
		}
	}
	return forms
}

// checkManSections checks that the rendered page text has each section.
func checkManSections(t *testing.T, name, text string, sections ...string) {
	t.Helper()
	for _, section := range sections {
		if !strings.Contains(text, "\n"+section+"\n") {
			t.Errorf("%s(1) has no %s section", name, section)
		}
	}
}

// stripOverstrike undoes the overstrike of bold ("x\bx") and underlined
// ("_\bx") text in mandoc's -Tascii output.
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
