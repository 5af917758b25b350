package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// srcTree is the source tree most comparisons start from: files, a
// nested directory with an odd mode, hard links inside and across
// directories, symbolic links (relative, dangling, to a directory), a
// FIFO, an empty file, a name that needs quoting, xattrs and an ACL.
const srcTree = `
mkdir -p d/e/f d/empty t
echo one > a
echo two > d/f1
printf 'three\n' > d/e/g
: > d/e/zero
ln d/f1 d/e/hard1
ln d/f1 d/hard2
ln -s ../f1 d/e/rel
ln -s nowhere d/dangling
ln -s e d/dirlink
mkfifo d/fifo
echo q > "d/it's here"
chmod 750 d/e
chmod 2755 d/empty
chmod 640 d/e/g
setfattr -n user.color -v blue d/f1
setfacl -m u:nobody:r d/e/g
ln -s a sl
ln -s nowhere dangling
`

// TestZcpLikeCp runs command lines with GNU cp and with zcp on twin work
// directories and compares exit status, messages and the directories
// afterwards, entry by entry.
func TestZcpLikeCp(t *testing.T) {
	needTool(t, "setfattr")
	needTool(t, "setfacl")
	cases := []twinCase{
		{name: "no-operand", args: ""},
		{name: "one-operand", args: "a"},
		{name: "file", args: "-v a b"},
		{name: "file-into-dir", args: "-v a t"},
		{name: "files-into-dir", args: "-v a d/f1 sl t"},
		{name: "target-not-dir", args: "a d/f1 a"},
		{name: "target-missing", args: "a d/f1 nodir"},
		{name: "t-missing", args: "-t nodir a"},
		{name: "t-not-dir", args: "-t a d/f1"},
		{name: "T-dir", args: "-T a t"},
		{name: "T-extra", args: "-T a b c"},
		{name: "missing-source", args: "-v nothing a t"},
		{name: "same-file", args: "a a"},
		{name: "same-file-through-link", args: "a sl"},
		{name: "dir-without-r", args: "-v d a t"},
		{name: "dir-onto-file", args: "-r d a"},
		{name: "file-onto-dir", args: "-T a t"},
		// Where a copy into itself stops depends on the order of the
		// entries: one entry per directory keeps the twins alike.
		{name: "into-itself", setup: "mkdir -p s", args: "-rv s s/sub"},
		{name: "into-itself-deeper", setup: "mkdir -p s/e", args: "-rv s s/e/sub"},
		{name: "into-itself-dot", setup: "mkdir -p s", args: "-rv s/. s/sub"},
		{name: "repeated-file", args: "-v a a t"},
		{name: "repeated-file-through-dir-link", setup: "ln -s . here", args: "-v a here/a t"},
		{name: "repeated-dir", args: "-rv d d t"},
		{name: "just-created", args: "-v a d/e/../../a t", setup: "mkdir u; echo u > u/a", stdin: ""},
		{name: "just-created-2", setup: "mkdir u; echo u > u/a", args: "-v a u/a t"},
		{name: "r", args: "-rv d t"},
		{name: "r-new", args: "-rv d copy"},
		{name: "r-trailing-slash", args: "-rv d/ t"},
		{name: "R-dot", setup: "mkdir -p w; echo 1 > w/f", args: "-Rv w/. t"},
		{name: "a", args: "-av d copy"},
		{name: "a-into", args: "-a d a t"},
		{name: "p", args: "-pv a d/f1 t"},
		{name: "preserve-list", args: "-r --preserve=timestamps,links d copy"},
		{name: "preserve-xattr", args: "--preserve=xattr d/f1 x"},
		{name: "preserve-all-no-mode", args: "-r --preserve=all --no-preserve=mode d copy"},
		{name: "no-preserve-mode", args: "--no-preserve=mode d/e/g x"},
		{name: "d", args: "-rd d copy"},
		{name: "P-link", args: "-Pv sl t"},
		{name: "L", args: "-rLv d copy"},
		{name: "H", args: "-rH d/dirlink copy"},
		{name: "dangling-deref", args: "dangling t"},
		{name: "dangling-P", args: "-P dangling t"},
		{name: "onto-dangling", args: "a dangling"},
		{name: "onto-link", args: "-v d/f1 sl"},
		{name: "remove-destination", args: "-v --remove-destination d/f1 sl"},
		{name: "n", args: "-nv d/f1 a"},
		{name: "i-no", args: "-iv d/f1 a", stdin: "n\n"},
		{name: "i-yes", args: "-iv d/f1 a", stdin: "y\n"},
		{name: "i-then-n", args: "-i -n d/f1 a", stdin: "y\n"},
		{name: "n-then-i", args: "-n -i d/f1 a", stdin: "y\n"},
		{name: "u-older", args: "-uv d/f1 a", setup: "touch -d 2000-01-01 a"},
		{name: "u-newer", args: "-uv d/f1 a", setup: "touch -d 2030-01-01 a"},
		{name: "f", args: "-fv d/f1 a", setup: "chmod 444 a"},
		{name: "l", args: "-lv a x"},
		{name: "l-r", args: "-rl d copy"},
		{name: "s", args: "-sv a x"},
		{name: "s-relative-elsewhere", args: "-s a t/x"},
		{name: "sf", args: "-sfv a sl"},
		{name: "lf", args: "-lfv a d/f1"},
		{name: "parents", args: "-v --parents d/e/g t"},
		{name: "parents-r", args: "-rv --parents d/e t"},
		{name: "parents-not-dir", args: "--parents a b"},
		{name: "parents-p", args: "-p --parents d/e/g t"},
		{name: "strip-trailing-slashes", args: "-v --strip-trailing-slashes a/ t"},
		{name: "trailing-slash-file", args: "-v a/ t"},
		{name: "dest-trailing-slash", args: "-v a nodir/"},
		{name: "attributes-only", args: "--attributes-only -p d/f1 a"},
		{name: "fifo-r", args: "-rv d/fifo t"},
		{name: "x", args: "-rx d copy"},
		{name: "sparse-bad", args: "--sparse=foo a b"},
		{name: "reflink-ambiguous", args: "--reflink=a a b"},
		{name: "option-ambiguous-with-value", args: "--s=x a b"},
		{name: "reflink-sparse", args: "--reflink --sparse=never a b"},
		{name: "preserve-bad", args: "--preserve=mode,foo a b"},
		{name: "context", args: "--preserve=context a b"},
		{name: "ls", args: "-ls a x"},
		{name: "t-twice", args: "-t t -t d a"},
		{name: "T-and-t", args: "-T -t t a"},
		{name: "bad-option", args: "--bogus a b"},
		{name: "bad-short", args: "-q a b"},
		{name: "no-preserve-needs-arg", args: "--no-preserve a b"},
		{name: "dotdot", args: "-rv d/e/.. t"},
		{name: "unreadable-dir", args: "-r d copy", setup: "chmod 000 d/e"},
	}
	for i := range cases {
		cases[i].setup = srcTree + cases[i].setup
	}
	runTwinCases(t, cases)
}

// TestZcpOrderLikeCp copies one source tree with both commands and
// compares --verbose line by line: the same entries in the same order
// (inode order, as GNU's savedir sorts), whatever order the workers
// finish in.
func TestZcpOrderLikeCp(t *testing.T) {
	gnuCp := gnu(t, "cp")
	zcp := bin(t, "zcp")
	dir := t.TempDir()
	var setup strings.Builder
	setup.WriteString("mkdir -p src\n")
	for i := 0; i < 40; i++ {
		setup.WriteString("mkdir -p src/d" + itoa(i%7) + "/s" + itoa(i%3) + "\n")
		setup.WriteString("head -c " + itoa(i*977) + " /dev/zero > src/d" + itoa(i%7) + "/f" + itoa(i) + "\n")
		setup.WriteString("echo " + itoa(i) + " > src/d" + itoa(i%7) + "/s" + itoa(i%3) + "/g" + itoa(i) + "\n")
	}
	setupDir(t, dir, setup.String())
	for _, flags := range [][]string{{"-rv"}, {"-av"}, {"-rv", "--parents"}} {
		mk := func(name string) string {
			d := filepath.Join(dir, name)
			if err := os.Mkdir(d, 0o755); err != nil {
				t.Fatal(err)
			}
			return name
		}
		gd, zd := mk("g"+strings.Join(flags, "")), mk("z"+strings.Join(flags, ""))
		g := runCp(t, gnuCp, dir, "", -1, append(flags, "src", gd)...)
		z := runCp(t, zcp, dir, "", -1, append(flags, "src", zd)...)
		if g.code != 0 || z.code != 0 {
			t.Fatalf("%v: exit %d (GNU %d): %s %s", flags, z.code, g.code, z.stderr, g.stderr)
		}
		if want := strings.ReplaceAll(g.stdout, gd, zd); z.stdout != want {
			t.Errorf("%v: zcp's --verbose order differs from GNU cp's:\n%s\nwant:\n%s", flags, z.stdout, want)
		}
	}
}

// TestZcpUnreadableAsUser runs both commands as an unprivileged user on
// files it cannot read or write: cp's messages, the other operands
// still copied, exit status 1.
func TestZcpUnreadableAsUser(t *testing.T) {
	needRoot(t, "run the commands as another user")
	gnuCp := gnu(t, "cp")
	zcp := bin(t, "zcp")
	const setup = `
mkdir -p d/sub t ro
echo a > a; echo s > secret; chmod 000 secret
echo x > d/x; echo y > d/sub/y; chmod 000 d/sub
echo r > ro/file
chown -R 65534:65534 .
chown 0:0 ro ro/file; chmod 755 ro; chmod 644 ro/file
`
	for _, args := range []string{"-v secret a t", "-rv d t", "a ro/file", "a ro", "-p a ro/x", "-f a ro/file", "-bv a ro/file", "-bv secret a"} {
		t.Run(strings.ReplaceAll(args, " ", "_"), func(t *testing.T) {
			root := t.TempDir()
			// The user must reach the work directories.
			for d := root; d != "/" && d != "."; d = filepath.Dir(d) {
				if strings.HasPrefix(d, os.TempDir()+"/") {
					os.Chmod(d, 0o755)
				}
			}
			gdir, zdir := filepath.Join(root, "gnu"), filepath.Join(root, "zcp")
			setupDir(t, gdir, setup)
			setupDir(t, zdir, setup)
			// The test binary's directory is private: give the user a copy.
			zcpCopy := filepath.Join(root, "zcp-bin")
			if out, err := exec.Command(gnuCp, zcp, zcpCopy).CombinedOutput(); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			os.Chmod(zcpCopy, 0o755)
			g := runCp(t, gnuCp, gdir, "", 65534, strings.Fields(args)...)
			z := runCp(t, zcpCopy, zdir, "", 65534, strings.Fields(args)...)
			compareRuns(t, g, z, false)
		})
	}
}

// TestZcpSpecialFilesAsRoot compares -a on device nodes, which only root
// can make, and ownership that only root can give away.
func TestZcpSpecialFilesAsRoot(t *testing.T) {
	needRoot(t, "make device nodes and give files away")
	const setup = `
mkdir -p d
mknod d/null c 1 3
mknod d/blk b 7 200
echo n > d/nobody; chown 65534:65534 d/nobody; chmod 4755 d/nobody
mkdir d/nd; chown 65534:65534 d/nd
ln -s nobody d/lnk; chown -h 65534:65534 d/lnk
`
	runTwinCases(t, withSetup(setup, "-av d copy", "-rv d copy", "-rpv d copy", "-a --no-preserve=ownership d copy"))
}

func itoa(i int) string { return strconv.Itoa(i) }
