package tests

import (
	"path/filepath"
	"strings"
	"testing"
)

// sameFileTree has a file for every way two operands can be the same
// file: foo alone, with symlink and symlink2 pointing to it; h1 and h2,
// two names of one file, with hs pointing to h1; a dangling link; a link
// to itself; here, a link to the directory (gnulib's same_name does not
// follow it: here/foo is another name than foo).
const sameFileTree = `
echo data > foo
ln -s foo symlink
ln -s foo symlink2
echo hard > h1
ln h1 h2
ln -s h1 hs
ln -s nowhere dangling
ln -s loop loop
ln -s . here
`

// sameFilePairs are SOURCE DEST pairs that are, or may be, one file.
var sameFilePairs = []struct{ name, args string }{
	{"same", "foo foo"},
	{"same-2-links", "h1 h1"},
	{"symlink-onto-target", "symlink foo"},
	{"onto-symlink-to-it", "foo symlink"},
	{"hard-link", "h1 h2"},
	{"symlink-onto-hard-link", "hs h2"},
	{"hard-link-onto-symlink", "h2 hs"},
	{"two-symlinks", "symlink symlink2"},
	{"same-symlink", "symlink symlink"},
	{"same-dangling", "dangling dangling"},
	{"onto-dangling", "foo dangling"},
	{"dangling-onto-file", "dangling foo"},
	{"same-loop", "loop loop"},
	{"onto-loop", "foo loop"},
	{"loop-onto-file", "loop foo"},
	{"same-through-dir-link", "foo here/foo"},
	{"symlink-through-dir-link", "symlink here/symlink"},
}

// sameFileOptions are the options that change what cp does with a
// destination that is the source: links instead of copies, removing the
// destination first or after a failed open, and backups.
var sameFileOptions = []string{
	"",
	"-l",
	"-dl",
	"-s",
	"-f",
	"--remove-destination",
	"-d",
	"-fl",
	"-fdl",
	"-sf",
	"-H",
	"-R",
	"-Rl",
	"-i",
	"-il",
	"-ndl",
	"-b",
	"-bl",
	"-bdl",
	"-bs",
	"-bd",
	"-b --remove-destination",
	"-bf",
	"-bfl",
	"-bfd",
	"--backup=numbered -d",
	"--backup=simple -l",
	"-bH",
	"-bR",
	"-bRl",
}

// TestZcpSameFileLikeCp runs every pair of sameFilePairs with every
// option of sameFileOptions through GNU cp and zcp on twin directories
// (issue 8, section 1: zcp -dl symlink foo once replaced foo by a link
// to the symlink) and compares status, messages and the trees left.
func TestZcpSameFileLikeCp(t *testing.T) {
	gnu(t, "cp")
	for _, opts := range sameFileOptions {
		for _, p := range sameFilePairs {
			name := strings.ReplaceAll(strings.TrimSpace("-v "+opts), " ", "_") + "/" + p.name
			args := append(strings.Fields("-v "+opts), strings.Fields(p.args)...)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				g, z := twinRuns(t, sameFileTree, nil, "", args...)
				compareRuns(t, g, z, true)
			})
		}
	}
}

// twinRuns runs the same cp command line with GNU cp and with zcp, each
// in a fresh directory made by the shell script setup, with env added to
// the environment, and returns what each left, for compareRuns.
func twinRuns(t *testing.T, setup string, env []string, stdin string, args ...string) (gnuRun, zcpRun cpRun) {
	t.Helper()
	gnuCp, zcp := gnu(t, "cp"), bin(t, "zcp")
	root := t.TempDir()
	gdir, zdir := filepath.Join(root, "gnu"), filepath.Join(root, "zcp")
	setupDir(t, gdir, setup)
	setupDir(t, zdir, setup)
	run := func(prog, dir string) cpRun {
		return runCpEnv(t, prog, dir, cpEnv{stdin: strings.NewReader(stdin), env: env, uid: -1}, args...)
	}
	return run(gnuCp, gdir), run(zcp, zdir)
}
