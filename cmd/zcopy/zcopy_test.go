package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCapture runs zcopy's run with argv and returns the status, stdout and
// stderr; stdin is /dev/null.
func runCapture(t *testing.T, argv ...string) (int, string, string) {
	t.Helper()
	dir := t.TempDir()
	open := func(name string) *os.File {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	stdin, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	code := run(argv, stdin, open("stdout"), open("stderr"))
	out, _ := os.ReadFile(filepath.Join(dir, "stdout"))
	errb, _ := os.ReadFile(filepath.Join(dir, "stderr"))
	return code, string(out), string(errb)
}

func TestRun(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	tests := []struct {
		argv           []string
		code           int
		stdout, stderr string // substrings
	}{
		{[]string{"zcopy", "probe", missing}, 1, "", "zcopy: " + missing + ": No such file or directory\n"},
		{[]string{"zcopy", "probe"}, 1, "", "Try 'zcopy --help'"},
		{[]string{"zcopy", "probe", "a", "b", "c"}, 1, "", "not 3 operands"},
		{[]string{"zcopy", "probe", "/dev/null"}, 0, "plan (zcat, ztee): ", ""},
		{[]string{"zcopy", "completion", "bash", "zcp"}, 0, "complete -o bashdefault -o default -F _zcopy_zcp zcp\n", ""},
		{[]string{"zcopy", "completion", "bash", "zcat=zzcat"}, 0, "-F _zcopy_zzcat zzcat\n", ""},
		{[]string{"zcopy", "completion", "csh"}, 1, "", `the shell "csh"`},
		{[]string{"zcopy", "completion", "bash", "cat"}, 1, "", `no completion for "cat"`},
		{[]string{"zcopy", "--version"}, 0, "zcopy (zcopy) ", ""},
		{[]string{"zcopy", "nosuch"}, 1, "", "no such command: nosuch"},
	}
	for _, tt := range tests {
		code, out, errs := runCapture(t, tt.argv...)
		if code != tt.code || !strings.Contains(out, tt.stdout) || !strings.Contains(errs, tt.stderr) ||
			(tt.stderr == "" && errs != "") {
			t.Errorf("run(%q) = %d, stdout %q, stderr %q; want %d, %q, %q",
				tt.argv, code, out, errs, tt.code, tt.stdout, tt.stderr)
		}
	}
}
