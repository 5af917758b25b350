package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 8, sections 6 and 7: errors writing standard output (a full
// device, a descriptor closed at start), standard input closed at start,
// ztee's --output-error=exit on a FILE it cannot open, and bad option
// arguments reported in command-line order, with GNU's argmatch text and
// its quotes. Each script runs with GNU's command and with ours, invoked
// by the same name, in the C and in a UTF-8 locale; the exit status,
// stdout, stderr and the directory left must be the same.

// stdioFill is the work directory of these cases.
func stdioFill(t *testing.T, dir string) {
	t.Helper()
	for name, content := range map[string]string{
		"a":     "alpha\n",
		"b2":    "beta\n",
		"src/x": "in a tree\n",
		"src/y": "also\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"d", "e"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// utf8Locale is a UTF-8 locale GNU finds on every glibc since 2.35.
const utf8Locale = "C.UTF-8"

var stdioCases = map[string][]string{
	"cat": {
		// --help and --version are checked as any other output.
		`cat --help > /dev/full`,
		`cat --version > /dev/full`,
		`cat --help >&-`,
		`cat --version >&-`,
		// Standard output closed at start.
		`cat a >&-`,
		`cat -n a >&-`,
		`cat missing >&-`,
		`cat -x >&-`,
		`cat a 2>&1 >&-`,
		`cat a 2>&- >&-`,
		// Standard input closed at start.
		`cat <&-`,
		`cat - a - <&-`,
		`cat -n - <&-`,
		`cat a <&-`,
		`cat <&- >&-`,
		`cat - a <&- 2>&1`,
		// Opened on purpose: nothing is wrong.
		`cat a >/dev/null`,
		`cat a </dev/null >/dev/null`,
		`cat - a <>/dev/null >&0`,
	},
	"tee": {
		`tee --help > /dev/full`,
		`tee --version > /dev/full`,
		`tee --help >&-`,
		`tee --version >&-`,
		// Standard output closed at start, under each output-error mode.
		`echo x | tee o1 >&-`,
		`: | tee o1 >&-`,
		`echo x | tee -p o1 >&-`,
		`echo x | tee --output-error o1 >&-`,
		`echo x | tee --output-error=warn o1 >&-`,
		`echo x | tee --output-error=warn-nopipe o1 >&-`,
		`echo x | tee --output-error=exit o1 >&-`,
		`echo x | tee --output-error=exit-nopipe o1 >&-`,
		`tee o1 < a >&-`,
		// Standard input closed at start.
		`tee o1 <&-`,
		`tee <&- >&-`,
		`tee -a o1 <&- >/dev/null`,
		`echo x | tee o1 > /dev/full`,
		// A FILE that cannot be opened: exit at once in the exit modes.
		`echo x | tee o1 d o2`,
		`echo x | tee -p o1 d o2`,
		`echo x | tee --output-error=warn o1 d o2`,
		`echo x | tee --output-error=exit o1 d o2`,
		`echo x | tee --output-error=exit-nopipe o1 d o2`,
		`echo x | tee --output-error=exit-nopipe o1 missing/o o2`,
		`echo x | tee --output-error=exit d o1`,
		`echo x | tee --output-error=exit o1 o2`,
		// The first bad option in argument order, and argmatch's text.
		`tee f --output-error=bogus -dash`,
		`tee --output-error=bogus -x`,
		`tee -x --output-error=bogus`,
		`tee --output-error=bogus --bogus`,
		`tee --output-error=e`,
		`tee --output-error=`,
		`tee --output-error=warn- o1 < a`,
		`tee --output-error=bogus --help`,
		`tee --help --output-error=bogus >/dev/null`,
		`tee --output-error='a b'`,
		`tee --output-error="a'b"`,
		`tee --output-error='a\b'`,
		"tee --output-error='a\tb'",
		`tee --output-error=é`,
		`tee --output-error=$(printf '\377')`,
		"tee --output-error='\u2018x\u2019'",
	},
	"cp": {
		`cp --help > /dev/full`,
		`cp --version > /dev/full`,
		`cp --help >&-`,
		`cp --version >&-`,
		// --verbose into a full or closed standard output.
		`cp -v a b > /dev/full`,
		`cp -v a b >&-`,
		`cp a b >&-`,
		`cp -v a missing d > /dev/full`,
		`cp -v missing a d > /dev/full`,
		`cp -v a missing d >&-`,
		`cp -rv src d > /dev/full`,
		`cp -v a b2 d 2>&1 > /dev/full`,
		`cp -v a b >/dev/null`,
		// The first bad option in argument order, and argmatch's text.
		`cp --reflink=foo -X a b`,
		`cp -X --reflink=foo a b`,
		`cp --reflink=foo --sparse=bar a b`,
		`cp --sparse=a a b`,
		`cp --sparse=bogus --bogus a b`,
		`cp --sparse=nev a b`,
		`cp --preserve=mode,foo a b`,
		`cp --preserve=foo,mode a b`,
		`cp --preserve=mode,,links a b`,
		`cp --no-preserve=foo a b`,
		`cp --no-preserve=x a b`,
		`cp --reflink=foo --help`,
		`cp --help --reflink=foo >/dev/null`,
		`cp --reflink= a b`,
		`cp --reflink --sparse=never a b`,
		`cp --reflink --sparse=never --bogus a b`,
		`cp -ls --bogus a b`,
		`cp -t d -t e --bogus a`,
		`cp --reflink='a b' a b`,
		`cp --preserve="a'b" a b`,
		`cp --sparse='a\b' a b`,
		"cp --reflink='a\nb' a b",
		`cp --sparse=é a b`,
		`cp --preserve=$(printf '\377') a b`,
		"cp --reflink='\u2018x\u2019' a b",
	},
}

func TestStdioAndOptionOrderMatchGNU(t *testing.T) {
	for _, name := range []string{"cat", "tee", "cp"} {
		ours, theirs := bin(t, "z"+name), gnu(t, name)
		for _, script := range stdioCases[name] {
			for _, loc := range []string{"C", utf8Locale} {
				t.Run(name+"/"+loc+"/"+script, func(t *testing.T) {
					t.Parallel()
					g := runAs(t, name, theirs, script, stdioFill, nil, loc)
					z := runAs(t, name, ours, script, stdioFill, nil, loc)
					compareAs(t, name, script, z, g)
				})
			}
		}
	}
}

// TestArgmatchQuotesByLocale makes sure that the two locales of the
// comparison above quote differently, so that it tests both styles.
func TestArgmatchQuotesByLocale(t *testing.T) {
	cp := gnu(t, "cp")
	c := runAs(t, "cp", cp, `cp --sparse=x a b`, stdioFill, nil, "C")
	u := runAs(t, "cp", cp, `cp --sparse=x a b`, stdioFill, nil, utf8Locale)
	if !strings.Contains(c.stderr, "'x'") || !strings.Contains(u.stderr, "\u2018x\u2019") {
		t.Errorf("GNU cp quotes 'x' as %q in C and %q in %s; want plain and curly quotes", c.stderr, u.stderr, utf8Locale)
	}
}
