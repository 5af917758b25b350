package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 8, sections 6 and 7: errors writing standard output (a full
// device), ztee's --output-error=exit on a FILE it cannot open, and bad option
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
		// A closed descriptor that is never used: GNU is content too.
		`cat a <&-`,
		`cat -x >&-`,
		// /dev/null opened on purpose, read-write too (Python's
		// subprocess.DEVNULL): nothing is wrong.
		`cat a >/dev/null`,
		`cat a 1<>/dev/null`,
		`cat 0<>/dev/null`,
		`cat a </dev/null >/dev/null`,
		`cat - a <>/dev/null >&0`,
	},
	"tee": {
		`tee --help > /dev/full`,
		`tee --version > /dev/full`,
		`: | tee o1 >&-`,
		`echo x | tee o1 > /dev/full`,
		`echo x | tee o1 1<>/dev/null`,
		`tee o1 0<>/dev/null`,
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
		// --verbose into a full or closed standard output.
		`cp -v a b > /dev/full`,
		`cp -v a missing d > /dev/full`,
		`cp -v missing a d > /dev/full`,
		`cp -rv src d > /dev/full`,
		`cp -v a b2 d 2>&1 > /dev/full`,
		`cp a b >&-`,
		`cp -v a b >/dev/null`,
		`cp -v a b 1<>/dev/null`,
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

// closedAtStart are command lines started with standard input or output
// closed. GNU's commands report "Bad file descriptor" for them; the Go
// runtime opens /dev/null read-write on such a descriptor before any of
// zcopy's code runs (runtime/fds_unix.go), and that descriptor cannot be
// told from a /dev/null a parent opened read-write on purpose (Python's
// subprocess.DEVNULL, `1<>/dev/null`), which GNU accepts. zcopy chooses
// never to fail where GNU succeeds: a closed descriptor works as /dev/null
// (README, Caveats).
var closedAtStart = map[string][]string{
	"cat": {
		`cat --help >&-`,
		`cat --version >&-`,
		`cat a >&-`,
		`cat -n a >&-`,
		`cat missing >&-`,
		`cat a 2>&1 >&-`,
		`cat a 2>&- >&-`,
		`cat <&-`,
		`cat - a - <&-`,
		`cat -n - <&-`,
		`cat <&- >&-`,
		`cat - a <&- 2>&1`,
	},
	"tee": {
		`tee --help >&-`,
		`tee --version >&-`,
		`echo x | tee o1 >&-`,
		`echo x | tee -p o1 >&-`,
		`echo x | tee --output-error o1 >&-`,
		`echo x | tee --output-error=warn o1 >&-`,
		`echo x | tee --output-error=warn-nopipe o1 >&-`,
		`echo x | tee --output-error=exit o1 >&-`,
		`echo x | tee --output-error=exit-nopipe o1 >&-`,
		`tee o1 < a >&-`,
		`tee o1 <&-`,
		`tee <&- >&-`,
		`tee -a o1 <&- >/dev/null`,
	},
	"cp": {
		`cp --help >&-`,
		`cp --version >&-`,
		`cp -v a b >&-`,
		`cp -v a missing d >&-`,
	},
}

// TestClosedStdioWorksAsDevNull pins that caveat: each command line runs
// as ours with the closed descriptor, and as ours with /dev/null opened in
// its place; both must give the same status, output and files. GNU's run
// of the closed one must differ (it reports the closed descriptor), or the
// caveat has gone and these lines belong in stdioCases.
func TestClosedStdioWorksAsDevNull(t *testing.T) {
	devNull := strings.NewReplacer(">&-", ">/dev/null", "<&-", "</dev/null")
	for _, name := range []string{"cat", "tee", "cp"} {
		ours, theirs := bin(t, "z"+name), gnu(t, name)
		for _, script := range closedAtStart[name] {
			t.Run(name+"/"+script, func(t *testing.T) {
				t.Parallel()
				z := runAs(t, name, ours, script, stdioFill, nil, "C")
				n := runAs(t, name, ours, devNull.Replace(script), stdioFill, nil, "C")
				compareAs(t, name, script+" (against /dev/null)", z, n)
				g := runAs(t, name, theirs, script, stdioFill, nil, "C")
				if g.code == z.code && g.stderr == z.stderr {
					t.Errorf("%s: GNU %s gives the same status %d and stderr %q: move it to stdioCases", script, name, g.code, g.stderr)
				}
			})
		}
	}
}
