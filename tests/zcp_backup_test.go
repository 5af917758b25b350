package tests

import (
	"path/filepath"
	"strings"
	"testing"
)

// backupTree is where the backup cases start: a source a, a destination
// b, a directory t holding an older a, an empty directory d, a tree x.
const backupTree = `
echo new > a
echo old > b
mkdir t d
echo olda > t/a
mkdir -p x/s
echo f > x/f
echo g > x/s/g
ln x/f x/s/hard
`

// TestZcpBackupLikeCp compares --backup, -b, -S and their variables with
// GNU cp (issue 8, section 3): the names of the backups, which
// destinations are backed up, the refusals, and the messages.
func TestZcpBackupLikeCp(t *testing.T) {
	gnu(t, "cp")
	long := func(n int, c string) string { return strings.Repeat(c, n) }
	cases := []struct {
		name  string
		setup string
		env   []string
		args  string   // split on spaces
		argv  []string // or exactly these
		stdin string
		// walk: the messages of a directory's entries come in the order
		// of their inode numbers, which twin trees need not share.
		walk bool
	}{
		// Controls and their abbreviations.
		{name: "b", args: "-bv a b"},
		{name: "backup", args: "--backup -v a b"},
		{name: "backup-empty", args: "--backup= -v a b"},
		{name: "existing-without-numbered", args: "--backup=existing -v a b"},
		{name: "existing-with-numbered", setup: "echo 1 > b.~1~; echo 3 > b.~3~", args: "--backup=existing -v a b"},
		{name: "nil", setup: "echo 1 > b.~1~", args: "--backup=nil -v a b"},
		{name: "numbered", args: "--backup=numbered -v a b"},
		{name: "numbered-after-highest", setup: "for n in 1 9 10 2x 09 0 '' 5~; do echo $n > \"b.~$n~\"; done; echo y > b.~11; echo z > c.~12~",
			args: "--backup=numbered -v a b"},
		{name: "numbered-carry", setup: "echo 99 > b.~99~; echo 8 > b.~8~", args: "--backup=t -v a b"},
		{name: "numbered-other-names", setup: "echo 1 > bb.~5~; echo 2 > b.~3~x", args: "--backup=t -v a b"},
		{name: "simple", setup: "echo 1 > b.~1~", args: "--backup=simple -v a b"},
		{name: "simple-replaces-older", setup: "echo older > b~", args: "--backup=simple -v a b"},
		{name: "never", args: "--backup=never -v a b"},
		{name: "none", args: "--backup=none -v a b"},
		{name: "off", args: "--backup=off -v a b"},
		{name: "abbrev-nu", args: "--backup=nu -v a b"},
		{name: "abbrev-ex", setup: "echo 1 > b.~1~", args: "--backup=ex -v a b"},
		{name: "abbrev-s", args: "--backup=s -v a b"},
		{name: "abbrev-ne", args: "--backup=ne -v a b"},
		{name: "abbrev-ni", args: "--backup=ni -v a b"},
		{name: "abbrev-no", args: "--backup=no -v a b"},
		{name: "abbrev-o", args: "--backup=o -v a b"},
		{name: "abbrev-long-option", args: "--back=t --suf=.x -v a b"},
		{name: "ambiguous", args: "--backup=n a b"},
		{name: "invalid", args: "--backup=foo a b"},
		{name: "invalid-after-bad-option", args: "--backup=foo --bogus a b"},
		{name: "last-control-wins", args: "--backup=foo --backup=t -v a b"},
		{name: "b-after-control", args: "--backup=t -b -v a b"},
		{name: "no-clobber", args: "-bn a b"},
		{name: "no-clobber-none", args: "--backup=none -n a b"},
		{name: "no-clobber-before-invalid", args: "--backup=foo -n a b"},
		{name: "reflink-sparse-before-invalid", args: "--backup=foo --reflink --sparse=never a b"},

		// VERSION_CONTROL.
		{name: "env-numbered", env: []string{"VERSION_CONTROL=numbered"}, args: "-bv a b"},
		{name: "env-abbrev", env: []string{"VERSION_CONTROL=si"}, setup: "echo 1 > b.~1~", args: "--backup -v a b"},
		{name: "env-empty", env: []string{"VERSION_CONTROL="}, args: "-bv a b"},
		{name: "env-none", env: []string{"VERSION_CONTROL=none"}, args: "-bv a b"},
		{name: "env-invalid", env: []string{"VERSION_CONTROL=foo"}, args: "-b a b"},
		{name: "env-ambiguous", env: []string{"VERSION_CONTROL=n"}, args: "--backup= a b"},
		{name: "env-invalid-unused", env: []string{"VERSION_CONTROL=foo"}, args: "--backup=simple -v a b"},
		{name: "env-invalid-no-backup", env: []string{"VERSION_CONTROL=foo"}, args: "-v a b"},
		{name: "env-with-S", env: []string{"VERSION_CONTROL=t"}, args: "-S .bak -v a b"},

		// Suffixes: -S, --suffix, SIMPLE_BACKUP_SUFFIX.
		{name: "S", args: "-S .bak -v a b"},
		{name: "S-alone-makes-backups", args: "--suffix=.orig -v a b"},
		{name: "S-existing-numbered", setup: "echo 1 > b.~1~", args: "-S .bak -v a b"},
		{name: "S-empty", argv: []string{"-S", "", "-v", "a", "b"}},
		{name: "S-slash", args: "-S x/y -v a b"},
		{name: "S-root", args: "-S / -v a b"},
		{name: "S-trailing-slash", args: "-S x/ -v a b"},
		{name: "env-suffix", env: []string{"SIMPLE_BACKUP_SUFFIX=.env"}, args: "-bv a b"},
		{name: "env-suffix-and-S", env: []string{"SIMPLE_BACKUP_SUFFIX=.env"}, args: "-S .opt -v a b"},
		{name: "env-suffix-slash", env: []string{"SIMPLE_BACKUP_SUFFIX=a/b"}, args: "-bv a b"},
		{name: "env-suffix-S-empty", env: []string{"SIMPLE_BACKUP_SUFFIX=.env"}, argv: []string{"-bvS", "", "a", "b"}},
		{name: "env-suffix-unused", env: []string{"SIMPLE_BACKUP_SUFFIX=.env"}, args: "-v a b"},

		// The backup would be the source.
		{name: "destroy-source", setup: "echo A > a~", args: "--backup=simple a~ a"},
		{name: "destroy-source-existing", setup: "echo A > a~", args: "-b a~ a"},
		{name: "destroy-source-numbered", setup: "echo A > a~", args: "--backup=numbered -v a~ a"},
		{name: "destroy-source-suffix", setup: "echo A > a.bak", args: "-S .bak a.bak a"},
		{name: "destroy-source-into-dir", setup: "echo A > t/a~", args: "--backup=simple t/a~ t/a"},
		{name: "backup-name-not-source", setup: "echo A > a~; echo B > c~", args: "--backup=simple -v c~ a"},

		// Operands: the just-created check and the repeated source.
		{name: "just-created", args: "--backup -v a a d/"},
		{name: "just-created-numbered", args: "--backup=numbered -v a a d/"},
		{name: "just-created-simple", args: "--backup=simple -v a a d/"},
		{name: "just-created-existing-dest", setup: "echo old > d/a", args: "--backup=existing -v a a d/"},
		{name: "repeated-source-numbered", args: "--backup=t -v a ./a a d"},
		{name: "into-dir", args: "-bv a b t"},
		{name: "just-created-symlink", setup: "mkdir -p p q; echo x > q/1; ln -s ../q/1 p/1", args: "-bdRv p/1 q/1 d"},
		{name: "just-created-symlink-numbered", setup: "mkdir -p p q; echo x > q/1; ln -s ../q/1 p/1", args: "--backup=t -dRv p/1 q/1 d"},
		{name: "three-times-numbered-l", args: "--backup=t -lv a a a d"},
		{name: "T-onto-symlink-to-dir", setup: "ln -s t tl", args: "-bvT a tl"},
		{name: "T-dir-onto-symlink-to-dir", setup: "ln -s t tl", args: "-rbvT x tl"},

		// Directories: never backed up, merged into.
		{name: "merge-new", walk: true, setup: "cp -a x y", args: "-abv x y"},
		{name: "merge-existing", walk: true, setup: "cp -a x y; cp -a x y", args: "-abv x y"},
		{name: "merge-numbered", walk: true, setup: "cp -a x y; cp -a x y", args: "-a --backup=t -v x y"},
		{name: "dot", walk: true, setup: "cp -a x y", args: "-rbv x/. y"},
		{name: "dir-onto-file", args: "-rbv x b"},
		{name: "file-onto-dir", setup: "mkdir -p u/b", args: "-bv b u"},
		{name: "T-file-onto-dir", args: "-bvT a t"},

		// With the other ways to replace a destination.
		{name: "l", args: "-blv a b"},
		{name: "s", args: "-bsv a b"},
		{name: "s-absolute", args: "-bsv /etc/hostname b"},
		{name: "d-symlink", setup: "ln -s a sl", args: "-bdv sl b"},
		{name: "d-onto-symlink", setup: "ln -s a sl", args: "-bdv b sl"},
		{name: "onto-symlink", setup: "ln -s a sl", args: "-bv b sl"},
		{name: "onto-dangling", setup: "ln -s nowhere dl", args: "-bv a dl"},
		{name: "remove-destination", args: "-bv --remove-destination a b"},
		{name: "f", setup: "chmod 444 b", args: "-bfv a b"},
		{name: "u-older", setup: "touch -d 2000-01-01 b", args: "-buv a b"},
		{name: "u-newer", setup: "touch -d 2030-01-01 b", args: "-buv a b"},
		{name: "i-no", args: "-biv a b", stdin: "n\n"},
		{name: "i-yes", args: "-biv a b", stdin: "y\n"},
		{name: "a-hard-links", setup: "cp -a x y; cp -a x y", args: "-a --backup=t -v x/f x/s/hard y"},
		{name: "r", walk: true, setup: "cp -a x y; cp -a x y", args: "-rbv x y"},
		{name: "fifo", setup: "mkfifo p; mkfifo q", args: "-rbv p q"},

		// Failures after the backup put it back.
		{name: "unbackup-relative-symlink", setup: "echo x > t/x", args: "-bsv a t/x"},
		{name: "unbackup-cross-device-link", args: "-blv /proc/version b"},
		{name: "unbackup-reflink", args: "-bv --reflink=always a b"},

		// cp -f --backup FILE FILE backs FILE up.
		{name: "f-same-name", args: "-fbv a a"},
		{name: "f-same-name-numbered", setup: "echo 1 > a.~4~", args: "-fv --backup=numbered a a"},
		{name: "f-same-name-simple-exists", setup: "echo A > a~", args: "-fv --backup=simple a a"},
		{name: "f-same-name-suffix", args: "-fv -S .x a a"},
		{name: "f-other-name", args: "-fbv a ./a"},
		{name: "same-name-no-f", args: "-bv a a"},
		{name: "f-same-name-symlink", setup: "ln -s a sl", args: "-fbv sl sl"},
		{name: "f-same-name-fifo", setup: "mkfifo p", args: "-rfbv p p"},
		{name: "f-same-name-T", args: "-fbvT a a"},

		// Names too long for the directory.
		{name: "long-numbered", argv: []string{"--backup=t", "a", long(253, "n")}, setup: "echo o > " + long(253, "n")},
		{name: "long-numbered-fits", argv: []string{"--backup=t", "a", long(250, "n")}, setup: "echo o > " + long(250, "n")},
		{name: "long-existing", argv: []string{"--backup=existing", "a", long(255, "n")}, setup: "echo o > " + long(255, "n")},
		{name: "long-simple", argv: []string{"--backup=simple", "a", long(255, "n")}, setup: "echo o > " + long(255, "n")},
		{name: "long-numbered-taken", argv: []string{"--backup=t", "a", long(253, "n")},
			setup: "echo o > " + long(253, "n") + "; echo p > " + long(253, "n") + "~"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := tc.argv
			if args == nil {
				args = strings.Fields(tc.args)
			}
			g, z := twinRuns(t, backupTree+tc.setup, tc.env, tc.stdin, args...)
			compareRuns(t, g, z, !tc.walk)
		})
	}
}

// TestZcpBackupOfNamesInFlight: a backup's name may be the name of a file
// that the same command copies just before (a source "f~" or "f.~1~"
// met before "f", an operand a~ before a), which cp, one file at a time,
// has made by then, and counts or renames over. The twins copy one
// shared source tree, so that both walk it in the same order.
func TestZcpBackupOfNamesInFlight(t *testing.T) {
	gnu(t, "cp")
	src := t.TempDir()
	setupDir(t, src, `
mkdir x
echo tilde > 'x/f~'
head -c 3000000 /dev/zero > 'x/f.~1~'
echo F > x/f
echo A > 'a~'
echo a > a
`)
	const dst = "mkdir -p y/x t; echo old > y/x/f; echo olda > t/a"
	for _, args := range []string{
		// -b is existing here: simple, as no numbered backup exists.
		// (--backup=simple into a directory is TestZcpSimpleBackupIntoDirectory's.)
		"-rbv SRC/x y",
		"-rv --backup=t SRC/x y",
		"-rv --backup=t -S .~1~ SRC/x y",
		"-bv SRC/a~ SRC/a t",
		"-v --backup=t SRC/a~ SRC/a SRC/a~ t",
	} {
		t.Run(strings.ReplaceAll(args, " ", "_"), func(t *testing.T) {
			t.Parallel()
			g, z := twinRuns(t, dst, nil, "", strings.Fields(strings.ReplaceAll(args, "SRC", src))...)
			compareRuns(t, g, z, true)
		})
	}
}

// TestZcpSimpleBackupIntoDirectory: GNU cp 9.1 renames the simple backup
// of DIR/FILE, when DIR is a target directory, to FILE~ in the current
// directory (replacing what is there), or fails with "File exists"
// where that directory has no such path; 9.2 fixed it (its NEWS: "mv
// --backup=simple f d/ no longer mistakenly backs up d/f to f~"). zcp
// makes DIR/FILE~, which is what 9.1 itself does when DIR is not a
// target directory but part of DEST: the same copy spelt with -T.
func TestZcpSimpleBackupIntoDirectory(t *testing.T) {
	gnuCp, zcp := gnu(t, "cp"), bin(t, "zcp")
	const setup = `
echo new > a
echo cwd > 'a~'
mkdir -p t y/x x
echo old > t/a
echo f > x/f
echo oldf > y/x/f
`
	for _, tc := range []struct{ zcp, gnu string }{
		{"--backup=simple -v a t", "--backup=simple -v a t/a"},
		{"--backup=simple -v -t t a", "--backup=simple -v -T a t/a"},
		{"-rv --backup=simple x y", "-rvT --backup=simple x y/x"},
		{"-rv --backup=never -S .b x y", "-rvT --backup=never -S .b x y/x"},
	} {
		t.Run(strings.ReplaceAll(tc.zcp, " ", "_"), func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			gdir, zdir, bdir := filepath.Join(root, "gnu"), filepath.Join(root, "zcp"), filepath.Join(root, "bug")
			for _, d := range []string{gdir, zdir, bdir} {
				setupDir(t, d, setup)
			}
			g := runCp(t, gnuCp, gdir, "", -1, strings.Fields(tc.gnu)...)
			z := runCp(t, zcp, zdir, "", -1, strings.Fields(tc.zcp)...)
			compareRuns(t, g, z, true)
			if bug := runCp(t, gnuCp, bdir, "", -1, strings.Fields(tc.zcp)...); strings.Join(bug.tree, "\n") != strings.Join(g.tree, "\n") {
				t.Logf("GNU cp %s (+) leaves another tree than cp %s (-), the 9.1 bug:\n%s", tc.zcp, tc.gnu, lineDiff(g.tree, bug.tree))
			}
		})
	}
}
