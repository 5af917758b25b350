package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// catSpec is GNU cat's option table, in its order.
var catSpec = []Option{
	{Long: "number-nonblank", Short: 'b'},
	{Long: "number", Short: 'n'},
	{Long: "squeeze-blank", Short: 's'},
	{Long: "show-nonprinting", Short: 'v'},
	{Long: "show-ends", Short: 'E'},
	{Long: "show-tabs", Short: 'T'},
	{Long: "show-all", Short: 'A'},
	{Long: "help"},
	{Long: "version"},
	{Short: 'e'},
	{Short: 't'},
	{Short: 'u'},
}

var cpLike = []Option{
	{Long: "target-directory", Short: 't', Arg: RequiredArg},
	{Long: "preserve", Arg: OptionalArg},
	{Long: "parents"},
	{Long: "verbose", Short: 'v'},
}

// render shows a parse as one string: options in order, then operands.
func render(opts []Parsed, operands []string) string {
	var b []string
	for _, p := range opts {
		n := p.Opt.Long
		if n == "" {
			n = string(p.Opt.Short)
		}
		if p.HasValue {
			n += "=" + p.Value
		}
		b = append(b, n)
	}
	return strings.Join(b, ",") + " | " + strings.Join(operands, ",")
}

func TestParse(t *testing.T) {
	tests := []struct {
		spec []Option
		args []string
		want string
	}{
		{catSpec, nil, " | "},
		{catSpec, []string{"a", "-n", "b"}, "number | a,b"},
		{catSpec, []string{"-vET", "-"}, "show-nonprinting,show-ends,show-tabs | -"},
		{catSpec, []string{"--", "-n", "--x"}, " | -n,--x"},
		{catSpec, []string{"--squeeze", "--show-a"}, "squeeze-blank,show-all | "},
		{catSpec, []string{"--number"}, "number | "},
		{catSpec, []string{"-eu", "x", "--", "--"}, "e,u | x,--"},
		{cpLike, []string{"-t", "dir", "a"}, "target-directory=dir | a"},
		{cpLike, []string{"-tdir", "a"}, "target-directory=dir | a"},
		{cpLike, []string{"-vtdir", "a"}, "verbose,target-directory=dir | a"},
		{cpLike, []string{"--target", "d", "a"}, "target-directory=d | a"},
		{cpLike, []string{"--target=d", "a"}, "target-directory=d | a"},
		{cpLike, []string{"--preserve", "a"}, "preserve | a"},
		{cpLike, []string{"--preserve=mode", "a"}, "preserve=mode | a"},
		{cpLike, []string{"--pres=", "a"}, "preserve= | a"},
	}
	for _, tt := range tests {
		opts, operands, err := Parse(tt.spec, tt.args)
		if err != nil {
			t.Errorf("Parse(%q) error %v", tt.args, err)
			continue
		}
		if got := render(opts, operands); got != tt.want {
			t.Errorf("Parse(%q) = %q; want %q", tt.args, got, tt.want)
		}
	}
}

func TestParsePOSIXLYCorrect(t *testing.T) {
	t.Setenv("POSIXLY_CORRECT", "1")
	opts, operands, err := Parse(catSpec, []string{"-n", "a", "-b"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := render(opts, operands), "number | a,-b"; got != want {
		t.Errorf("Parse = %q; want %q", got, want)
	}
}

// TestParseErrorsMatchGNU compares the messages with GNU cat's and cp's own.
func TestParseErrorsMatchGNU(t *testing.T) {
	tests := []struct {
		prog string
		spec []Option
		args []string
	}{
		{"cat", catSpec, []string{"-x"}},
		{"cat", catSpec, []string{"-nx"}},
		{"cat", catSpec, []string{"--foo"}},
		{"cat", catSpec, []string{"--foo=bar"}},
		{"cat", catSpec, []string{"--show-all=3"}},
		{"cat", catSpec, []string{"--s"}},
		{"cat", catSpec, []string{"--sh"}},
		{"cat", catSpec, []string{"--n"}},
		{"cat", catSpec, []string{"--number-nonblank="}},
		{"cp", cpLike, []string{"-t"}},
		{"cp", cpLike, []string{"--target-directory"}},
	}
	for _, tt := range tests {
		gnu := "/usr/bin/" + tt.prog
		if _, lookErr := exec.LookPath(gnu); lookErr != nil {
			t.Skipf("no GNU %s to compare with: %v", tt.prog, lookErr)
		}
		out, err := exec.Command(gnu, tt.args...).CombinedOutput()
		if err == nil {
			t.Fatalf("%s %q succeeded", gnu, tt.args)
		}
		want := strings.SplitN(string(out), "\n", 2)[0]
		want = strings.TrimPrefix(want, gnu+": ")
		_, _, perr := Parse(tt.spec, tt.args)
		if perr == nil {
			t.Errorf("Parse(%q) succeeded; want %q", tt.args, want)
			continue
		}
		if perr.Error() != want {
			t.Errorf("Parse(%q) error %q; want GNU's %q", tt.args, perr.Error(), want)
		}
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, always, ifNeeded string }{
		{"a", "'a'", "a"},
		{"a b", "'a b'", "'a b'"},
		{"a'b", `"a'b"`, `"a'b"`},
		{"a'b$c", `'a'\''b$c'`, `'a'\''b$c'`},
		{"a\nb", `'a'$'\n''b'`, `'a'$'\n''b'`},
		{"a\"b", `'a"b'`, `'a"b'`},
		{"", "''", "''"},
		{"~x", "'~x'", "'~x'"},
		{"x~", "'x~'", "x~"},
		{"é", "'é'", "é"},
		{"a\xffb", `'a'$'\377''b'`, `'a'$'\377''b'`},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.always {
			t.Errorf("Quote(%q) = %s; want %s", tt.in, got, tt.always)
		}
		if got := QuoteIfNeeded(tt.in); got != tt.ifNeeded {
			t.Errorf("QuoteIfNeeded(%q) = %s; want %s", tt.in, got, tt.ifNeeded)
		}
	}
}

// TestQuoteMatchesGNU asks GNU cat how it names missing files.
func TestQuoteMatchesGNU(t *testing.T) {
	if _, err := exec.LookPath("/usr/bin/cat"); err != nil {
		t.Skip("no GNU cat to compare with")
	}
	dir := t.TempDir()
	for _, name := range []string{"plain", "a b", "a'b", "a\"b", "a\nb", "a\tb", "x$y", "~t", "a'b c$", "caf\xc3\xa9", "bad\xff", "{", "a=b"} {
		path := dir + "/" + name
		out, _ := exec.Command("/usr/bin/cat", path).CombinedOutput()
		want := strings.TrimSuffix(strings.TrimPrefix(string(out), "/usr/bin/cat: "), ": No such file or directory\n")
		if got := QuoteIfNeeded(path); got != want {
			t.Errorf("QuoteIfNeeded(%q) = %s; want GNU's %s", path, got, want)
		}
	}
}

func TestArgMatch(t *testing.T) {
	valid := []string{"auto", "always", "never"}
	for in, want := range map[string]int{"auto": 0, "al": 1, "a": -1, "n": 2, "x": -1, "": -1} {
		got, err := ArgMatch("--reflink", in, valid)
		if got != want || (err != nil) != (want < 0) {
			t.Errorf("ArgMatch(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for in, what := range map[string]string{"a": "ambiguous", "": "ambiguous", "x": "invalid", "autos": "invalid"} {
		_, err := ArgMatch("--reflink", in, valid)
		if err == nil || !strings.HasPrefix(err.Error(), what+" argument") {
			t.Errorf("ArgMatch(%q) error %v; want %s", in, err, what)
		}
	}
}

func TestStrerror(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{syscall.ENOENT, "No such file or directory"},
		{&os.PathError{Op: "open", Path: "x", Err: syscall.EISDIR}, "Is a directory"},
		{fmt.Errorf("wrapped: %w", syscall.ENOSPC), "No space left on device"},
		{errors.New("plain"), "plain"},
	}
	for _, tt := range tests {
		if got := Strerror(tt.err); got != tt.want {
			t.Errorf("Strerror(%v) = %q; want %q", tt.err, got, tt.want)
		}
	}
}

// TestParseKeepsOptionsBeforeError: `cat --help -x` answers --help, so the
// options before a bad one must come back with the error.
func TestParseKeepsOptionsBeforeError(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--help", "-x"}, "help | "},
		{[]string{"-nx"}, "number | "},
		{[]string{"a", "-E", "--foo", "--help"}, "show-ends | a"},
	}
	for _, tt := range tests {
		opts, operands, err := Parse(catSpec, tt.args)
		if err == nil {
			t.Errorf("Parse(%q) succeeded", tt.args)
		}
		if got := render(opts, operands); got != tt.want {
			t.Errorf("Parse(%q) = %q before the error; want %q", tt.args, got, tt.want)
		}
	}
}
