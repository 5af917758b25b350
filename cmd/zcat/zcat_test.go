package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/zcopy/zcopy/internal/catfmt"
	"github.com/zcopy/zcopy/internal/cmdspec"
)

func TestParse(t *testing.T) {
	all := catfmt.Options{ShowNonprinting: true, ShowEnds: true, ShowTabs: true}
	cases := []struct {
		args  []string
		want  catfmt.Options
		debug bool
		files []string
	}{
		{nil, catfmt.Options{}, false, []string{"-"}},
		{[]string{"-"}, catfmt.Options{}, false, []string{"-"}},
		{[]string{"a", "-", "b"}, catfmt.Options{}, false, []string{"a", "-", "b"}},
		{[]string{"-A"}, all, false, []string{"-"}},
		{[]string{"--show-all"}, all, false, []string{"-"}},
		{[]string{"-vET"}, all, false, []string{"-"}},
		{[]string{"-e"}, catfmt.Options{ShowNonprinting: true, ShowEnds: true}, false, []string{"-"}},
		{[]string{"-t"}, catfmt.Options{ShowNonprinting: true, ShowTabs: true}, false, []string{"-"}},
		{[]string{"-u"}, catfmt.Options{}, false, []string{"-"}},
		{[]string{"-b", "-n"}, catfmt.Options{NumberNonBlank: true, Number: true}, false, []string{"-"}},
		{[]string{"--number-nonblank"}, catfmt.Options{NumberNonBlank: true}, false, []string{"-"}},
		{[]string{"--squ", "a"}, catfmt.Options{Squeeze: true}, false, []string{"a"}},
		{[]string{"a", "-n", "b"}, catfmt.Options{Number: true}, false, []string{"a", "b"}},
		{[]string{"--", "-n"}, catfmt.Options{}, false, []string{"-n"}},
		{[]string{"--debug", "x"}, catfmt.Options{}, true, []string{"x"}},
		{[]string{"--deb"}, catfmt.Options{}, true, []string{"-"}},
		{[]string{"-uuu", "--show-ends"}, catfmt.Options{ShowEnds: true}, false, []string{"-"}},
	}
	for _, c := range cases {
		cfg, info, err := parse("zcat", c.args)
		if err != nil || info != "" {
			t.Errorf("parse(%q) = info %q, err %v; want a config", c.args, info, err)
			continue
		}
		if cfg.format != c.want || cfg.debug != c.debug || !reflect.DeepEqual(cfg.files, c.files) {
			t.Errorf("parse(%q) = %+v, debug %v, files %q; want %+v, %v, %q",
				c.args, cfg.format, cfg.debug, cfg.files, c.want, c.debug, c.files)
		}
	}
}

func TestParseInfoAndErrors(t *testing.T) {
	cases := []struct {
		args    []string
		info    string // "usage", "version" or ""
		errText string // the usage error, or ""
	}{
		{[]string{"--help"}, "usage", ""},
		{[]string{"--he", "a"}, "usage", ""},
		{[]string{"--version"}, "version", ""},
		{[]string{"-n", "--version", "--help"}, "version", ""},
		{[]string{"--help", "-x"}, "usage", ""},
		{[]string{"a", "--version", "--bogus"}, "version", ""},
		{[]string{"-x", "--help"}, "", "invalid option -- 'x'"},
		{[]string{"--bogus"}, "", "unrecognized option '--bogus'"},
		{[]string{"--number=2"}, "", "option '--number' doesn't allow an argument"},
		{[]string{"--", "--help"}, "", ""},
	}
	for _, c := range cases {
		_, info, err := parse("prog", c.args)
		switch c.info {
		case "usage":
			if !strings.HasPrefix(info, "Usage: prog [OPTION]... [FILE]...\n") {
				t.Errorf("parse(%q): info %q; want the usage", c.args, head(info))
			}
		case "version":
			if info != cmdspec.Version("zcat") {
				t.Errorf("parse(%q): info %q; want the version", c.args, info)
			}
		default:
			if info != "" {
				t.Errorf("parse(%q): info %q; want none", c.args, head(info))
			}
		}
		// A bad option after --help or --version is still an error
		// of the whole line, but the info wins.
		if c.errText == "" && c.info == "" && err != nil {
			t.Errorf("parse(%q): %v", c.args, err)
		}
		if c.errText != "" && (err == nil || err.Error() != c.errText) {
			t.Errorf("parse(%q): error %v; want %q", c.args, err, c.errText)
		}
	}
}

func head(s string) string { return s[:min(len(s), 40)] }

// runFiles runs zcat's run with argv, stdin and files for stdout and
// stderr, in dir, and returns the status, stdout and stderr.
func runFiles(t *testing.T, dir string, argv []string, stdin, stdout *os.File) (int, string, string) {
	t.Helper()
	errPath := filepath.Join(t.TempDir(), "stderr")
	stderr, err := os.Create(errPath)
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	var outPath string
	if stdout == nil {
		outPath = filepath.Join(t.TempDir(), "stdout")
		if stdout, err = os.Create(outPath); err != nil {
			t.Fatal(err)
		}
		defer stdout.Close()
	}
	if stdin == nil {
		if stdin, err = os.Open(os.DevNull); err != nil {
			t.Fatal(err)
		}
		defer stdin.Close()
	}
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	code := run(argv, stdin, stdout, stderr)
	os.Chdir(wd)
	var out []byte
	if outPath != "" {
		out, _ = os.ReadFile(outPath)
	}
	e, _ := os.ReadFile(errPath)
	return code, string(out), string(e)
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"a": "alpha\n", "b": "beta\n", "nonl": "x"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		argv         []string
		code         int
		stdout       string
		stderr       string
		stderrSuffix bool
	}{
		{[]string{"zcat", "a", "b"}, 0, "alpha\nbeta\n", "", false},
		{[]string{"zcat", "a", "missing", "b"}, 1, "alpha\nbeta\n", "zcat: missing: No such file or directory\n", false},
		{[]string{"/usr/local/bin/cat", "d", "a"}, 1, "alpha\n", "/usr/local/bin/cat: d: Is a directory\n", false},
		{[]string{"zcat", "-n", "a", "nonl", "b"}, 0, "     1\talpha\n     2\txbeta\n", "", false},
		{[]string{"zcat", "-x"}, 1, "", "zcat: invalid option -- 'x'\nTry 'zcat --help' for more information.\n", false},
		{[]string{"zcat", "--version"}, 0, cmdspec.Version("zcat"), "", false},
		{[]string{"zcat", "--debug", "a"}, 0, "alpha\n", ": file(", true},
	}
	for _, c := range cases {
		code, out, errs := runFiles(t, dir, c.argv, nil, nil)
		okErr := errs == c.stderr
		if c.stderrSuffix {
			okErr = strings.Contains(errs, c.stderr)
		}
		if code != c.code || out != c.stdout || !okErr {
			t.Errorf("run(%q) = %d, stdout %q, stderr %q; want %d, %q, %q", c.argv, code, out, errs, c.code, c.stdout, c.stderr)
		}
	}
}

// TestRunInputIsOutput: `zcat a f b >> f` and `zcat - < f >> f` refuse f
// and go on with the others, as GNU cat 9.1 does.
func TestRunInputIsOutput(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "f")
	for name, content := range map[string]string{"a": "alpha\n", "b": "beta\n", "f": "self\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := os.OpenFile(f, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	code, _, errs := runFiles(t, dir, []string{"zcat", "a", "f", "b"}, nil, out)
	if code != 1 || errs != "zcat: f: input file is output file\n" {
		t.Errorf("zcat a f b >> f: %d, stderr %q", code, errs)
	}
	in, err := os.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	code, _, errs = runFiles(t, dir, []string{"zcat", "-"}, in, out)
	if code != 1 || errs != "zcat: -: input file is output file\n" {
		t.Errorf("zcat - < f >> f: %d, stderr %q", code, errs)
	}
	b, _ := os.ReadFile(f)
	if string(b) != "self\nalpha\nbeta\n" {
		t.Errorf("f holds %q; want %q", b, "self\nalpha\nbeta\n")
	}
}

// TestRunWriteError: a full device is a write error that ends zcat at
// once, for copied and for formatted data.
func TestRunWriteError(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer full.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a"), []byte("alpha\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, argv := range [][]string{{"zcat", "a", "a"}, {"zcat", "-n", "a", "a"}, {"zcat", "--help"}} {
		code, _, errs := runFiles(t, dir, argv, nil, full)
		if code != 1 || errs != "zcat: write error: No space left on device\n" {
			t.Errorf("%q > /dev/full: %d, stderr %q", argv, code, errs)
		}
	}
}
