// Package tests runs zcopy's commands as a user runs them: the built
// binaries, on descriptors of every kind, compared byte for byte and exit
// code for exit code with GNU coreutils, and traced with strace to prove
// that the zero-copy paths are zero-copy.
package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// binDir holds the commands, built once for the whole package.
var binDir string

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "zcopy-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer os.RemoveAll(dir)
	cmds, _ := filepath.Glob("../cmd/*")
	for _, c := range cmds {
		name := filepath.Base(c)
		build := exec.Command("go", "build", "-o", filepath.Join(dir, name), "./"+filepath.ToSlash(c))
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n", name, err)
			return 2
		}
	}
	binDir = dir
	return m.Run()
}

// bin returns the path of the built command name.
func bin(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(binDir, name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("command %s was not built: %v", name, err)
	}
	return p
}

// gnu returns the path of GNU's command name, or skips the test.
func gnu(t testing.TB, name string) string {
	t.Helper()
	p := "/usr/bin/" + name
	if _, err := os.Stat(p); err != nil {
		t.Skipf("GNU %s is not installed at %s: nothing to compare with", name, p)
	}
	return p
}

// needRoot skips a test that has to mount filesystems.
func needRoot(t testing.TB, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("needs root to %s (CI runs as root)", why)
	}
}

// needTool skips a test when a tool it runs is missing.
func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (.ci/run installs it)", name)
	}
	return p
}
