package tests

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// cpRun is what one run of cp or zcp left: its output, status and the
// whole work directory afterwards.
type cpRun struct {
	stdout, stderr string
	code           int
	tree           []string
}

// fixedTime is the modification time the setups give every source file,
// so that a preserved time is told from a fresh one.
var fixedTime = time.Date(2001, 2, 3, 4, 5, 6, 123456789, time.UTC)

// runCp runs prog (a path) as "cp" with args in dir, with stdin as its
// standard input and as user uid when uid >= 0.
func runCp(t *testing.T, prog, dir, stdin string, uid int, args ...string) cpRun {
	t.Helper()
	return runCpEnv(t, prog, dir, cpEnv{stdin: strings.NewReader(stdin), uid: uid}, args...)
}

// cpEnv is what a run of cp or zcp gets besides its arguments.
type cpEnv struct {
	stdin io.Reader  // its standard input (a pipe that Go fills), or nil for /dev/null
	env   []string   // variables added to the environment
	extra []*os.File // its descriptors 3, 4, ...
	uid   int        // run as this user when >= 0
}

// runCpEnv is runCp with the whole environment of the run chosen.
func runCpEnv(t *testing.T, prog, dir string, e cpEnv, args ...string) cpRun {
	t.Helper()
	cmd := exec.Command(prog, args...)
	// Both speak as "cp", so that their messages compare as they are.
	cmd.Args[0] = "cp"
	cmd.Dir = dir
	cmd.Stdin = e.stdin
	cmd.Env = append(append(os.Environ(), "LC_ALL=C"), e.env...)
	cmd.ExtraFiles = e.extra
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if e.uid >= 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(e.uid), Gid: uint32(e.uid)}}
	}
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s %q: %v", prog, args, err)
	}
	return cpRun{stdout: out.String(), stderr: errb.String(), code: code, tree: snapshot(t, dir)}
}

// setupDir makes dir and runs the shell script setup in it, then gives
// every file the fixed modification time (links and directories too).
func setupDir(t *testing.T, dir, setup string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	sh := exec.Command("sh", "-ec", setup)
	sh.Dir = dir
	if out, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("setup %q: %v\n%s", setup, err, out)
	}
	fixTimes(t, dir)
}

// snapshot describes every entry under dir: type, mode, owner, size, link
// count, link target, modification time (exact when it is the fixed time
// of the setup, "new" when the copy set it), content digest, xattrs and
// which entries are hard links of each other.
func snapshot(t testing.TB, dir string) []string {
	t.Helper()
	var lines []string
	firstOfInode := map[uint64]string{}
	var paths []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && p != dir {
			paths = append(paths, p)
		}
		return nil
	})
	sort.Strings(paths)
	for _, p := range paths {
		rel, _ := filepath.Rel(dir, p)
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			lines = append(lines, rel+" vanished")
			continue
		}
		mtime := "new"
		if st.Mtim.Nano() < time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano() {
			mtime = time.Unix(0, st.Mtim.Nano()).UTC().Format(time.RFC3339Nano)
		}
		line := fmt.Sprintf("%s type=%o mode=%04o owner=%d:%d nlink=%d mtime=%s",
			rel, st.Mode&unix.S_IFMT, st.Mode&0o7777, st.Uid, st.Gid, st.Nlink, mtime)
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFREG:
			line += fmt.Sprintf(" size=%d sum=%s", st.Size, digest(p))
			if st.Nlink > 1 {
				if first, ok := firstOfInode[st.Ino]; ok {
					line += " linkof=" + first
				} else {
					firstOfInode[st.Ino] = rel
				}
			}
		case unix.S_IFLNK:
			target, _ := os.Readlink(p)
			line += " -> " + target
		case unix.S_IFCHR, unix.S_IFBLK:
			line += fmt.Sprintf(" rdev=%d", st.Rdev)
		}
		if st.Mode&unix.S_IFMT != unix.S_IFLNK {
			line += xattrs(p)
		}
		lines = append(lines, line)
	}
	return lines
}

func digest(p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		return "unreadable"
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:8])
}

// xattrs renders the user.* xattrs and the ACLs of p.
func xattrs(p string) string {
	buf := make([]byte, 4096)
	n, err := unix.Llistxattr(p, buf)
	if err != nil || n == 0 {
		return ""
	}
	names := strings.Split(strings.TrimRight(string(buf[:n]), "\x00"), "\x00")
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		if !strings.HasPrefix(name, "user.") && !strings.HasPrefix(name, "system.posix_acl") {
			continue
		}
		v := make([]byte, 4096)
		m, err := unix.Lgetxattr(p, name, v)
		if err != nil {
			continue
		}
		fmt.Fprintf(&b, " %s=%x", name, v[:m])
	}
	return b.String()
}

// sortedLines sorts the lines of s: the order of messages about the files
// of one directory is the order of their inode numbers, which two twin
// trees need not share.
func sortedLines(s string) string {
	lines := strings.SplitAfter(s, "\n")
	sort.Strings(lines)
	return strings.Join(lines, "")
}

// compareRuns fails t where zcp's run differs from GNU cp's.
func compareRuns(t *testing.T, gnu, z cpRun, exactOrder bool) {
	t.Helper()
	if gnu.code != z.code {
		t.Errorf("exit status = %d; GNU cp's = %d", z.code, gnu.code)
	}
	gout, zout, gerr, zerr := gnu.stdout, z.stdout, gnu.stderr, z.stderr
	if !exactOrder {
		gout, zout, gerr, zerr = sortedLines(gout), sortedLines(zout), sortedLines(gerr), sortedLines(zerr)
	}
	if gout != zout {
		t.Errorf("stdout:\n%s\nGNU cp's:\n%s", z.stdout, gnu.stdout)
	}
	if gerr != zerr {
		t.Errorf("stderr:\n%s\nGNU cp's:\n%s", z.stderr, gnu.stderr)
	}
	g, zz := strings.Join(gnu.tree, "\n"), strings.Join(z.tree, "\n")
	if g != zz {
		t.Errorf("tree differs from GNU cp's:\n%s", lineDiff(gnu.tree, z.tree))
	}
}

// lineDiff lists the lines only in a (-, GNU cp's) or only in b (+, zcp's).
func lineDiff(a, b []string) string { return lineDiffNamed(a, b, "GNU cp", "zcp") }

// lineDiffNamed is lineDiff with the names of a and b.
func lineDiffNamed(a, b []string, aName, bName string) string {
	in := func(s []string) map[string]bool {
		m := map[string]bool{}
		for _, x := range s {
			m[x] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var d strings.Builder
	for _, x := range a {
		if !mb[x] {
			d.WriteString("- " + x + "  (" + aName + ")\n")
		}
	}
	for _, x := range b {
		if !ma[x] {
			d.WriteString("+ " + x + "  (" + bName + ")\n")
		}
	}
	return d.String()
}
