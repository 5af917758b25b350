package tests

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/testfs"
)

func writeRandom(t *testing.T, name string, size int) []byte {
	t.Helper()
	b := make([]byte, size)
	rand.Read(b)
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

func sameContent(t *testing.T, a, b string) {
	t.Helper()
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(x, y) {
		t.Fatalf("%s and %s differ (%d and %d bytes)", a, b, len(x), len(y))
	}
}

// TestZcpStraceNoReadWrite proves that copying a file moves no data
// through read(2)/write(2) or their vector and positional forms: strace
// names each descriptor's file (-y), and no such call may touch the
// source or the destination. Trees too: every file of -r.
func TestZcpStraceNoReadWrite(t *testing.T) {
	strace := needTool(t, "strace")
	zcp := bin(t, "zcp")
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	os.Mkdir(src, 0o755)
	writeRandom(t, filepath.Join(src, "big"), 3<<20+17)
	writeRandom(t, filepath.Join(src, "small"), 4097)
	for _, tc := range []struct{ name, from, to string }{
		{"file", filepath.Join(src, "big"), filepath.Join(dir, "copy")},
		{"tree", src, filepath.Join(dir, "treecopy")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			trace := filepath.Join(dir, tc.name+".trace")
			cmd := exec.Command(strace, "-f", "-y", "-o", trace,
				"-e", "trace=read,write,pread64,pwrite64,readv,writev,preadv,pwritev,copy_file_range,ioctl,sendfile",
				zcp, "-r", tc.from, tc.to)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("strace zcp: %v\n%s", err, out)
			}
			b, _ := os.ReadFile(trace)
			moved := false
			dataCall := regexp.MustCompile(`\b(read|write|pread64|pwrite64|readv|writev|preadv|pwritev)\(\d+<([^>]*)>`)
			for _, line := range strings.Split(string(b), "\n") {
				if m := dataCall.FindStringSubmatch(line); m != nil &&
					(strings.HasPrefix(m[2], src) || strings.HasPrefix(m[2], tc.to)) {
					t.Errorf("data through user space: %s", line)
				}
				if strings.Contains(line, "copy_file_range(") || strings.Contains(line, "FICLONE") {
					moved = true
				}
			}
			if !moved {
				t.Errorf("no copy_file_range or FICLONE in the trace:\n%s", b)
			}
			if tc.name == "file" {
				sameContent(t, tc.from, tc.to)
			} else {
				sameContent(t, filepath.Join(src, "big"), filepath.Join(tc.to, "big"))
				sameContent(t, filepath.Join(src, "small"), filepath.Join(tc.to, "small"))
			}
		})
	}
}

// TestZcpENOSPC fills a small tmpfs: cp's "error writing" message with the
// file's name, the other operands still tried, exit status 1, exactly as
// GNU cp on the same filesystem.
func TestZcpENOSPC(t *testing.T) {
	gnuCp := gnu(t, "cp")
	zcp := bin(t, "zcp")
	dir := t.TempDir()
	writeRandom(t, filepath.Join(dir, "big"), 2<<20)
	writeRandom(t, filepath.Join(dir, "tiny"), 100)
	var runs []cpRun
	for _, prog := range []string{gnuCp, zcp} {
		fs := testfs.Tmpfs(t, 1<<20)
		os.Mkdir(filepath.Join(fs, "d"), 0o755)
		r := runCp(t, prog, dir, "", -1, "tiny", "big", "tiny", filepath.Join(fs, "d"))
		r.stderr = strings.ReplaceAll(r.stderr, fs, "FS")
		runs = append(runs, r)
		sameContent(t, filepath.Join(dir, "tiny"), filepath.Join(fs, "d", "tiny"))
	}
	want := "cp: error writing 'FS/d/big': No space left on device\n"
	if !strings.HasPrefix(runs[1].stderr, want) || runs[1].code != 1 {
		t.Errorf("exit %d, stderr %q; want 1, %q...", runs[1].code, runs[1].stderr, want)
	}
	if runs[0].stderr != runs[1].stderr || runs[0].code != runs[1].code {
		t.Errorf("exit %d, stderr %q; GNU cp: %d, %q", runs[1].code, runs[1].stderr, runs[0].code, runs[0].stderr)
	}
}

// TestZcpReflink copies on btrfs and xfs: --reflink=always shares the
// extents (filefrag sees them shared), --debug says so, and
// --reflink=never shares nothing.
func TestZcpReflink(t *testing.T) {
	zcp := bin(t, "zcp")
	for _, mk := range []struct {
		name string
		fs   func(testing.TB) string
	}{{"btrfs", testfs.Btrfs}, {"xfs", testfs.XFS}} {
		t.Run(mk.name, func(t *testing.T) {
			root := mk.fs(t)
			src := filepath.Join(root, "src")
			writeRandom(t, src, 1<<20)
			out, err := exec.Command(zcp, "--debug", "--reflink=always", src, filepath.Join(root, "clone")).CombinedOutput()
			if err != nil {
				t.Fatalf("zcp --reflink=always: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "reflink: yes") {
				t.Errorf("--debug = %q; want reflink: yes", out)
			}
			sameContent(t, src, filepath.Join(root, "clone"))
			if !testfs.Shared(t, filepath.Join(root, "clone")) {
				t.Errorf("clone shares no extent with its source")
			}
			out, err = exec.Command(zcp, "--debug", "--reflink=never", src, filepath.Join(root, "copy")).CombinedOutput()
			if err != nil {
				t.Fatalf("zcp --reflink=never: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "reflink: no") {
				t.Errorf("--debug = %q; want reflink: no", out)
			}
			sameContent(t, src, filepath.Join(root, "copy"))
			if testfs.Shared(t, filepath.Join(root, "copy")) {
				t.Errorf("--reflink=never copy shares extents")
			}
		})
	}
}

// TestZcpReflinkAlwaysFails asks for a clone where there can be none
// (tmpfs): cp's message and exit status; and, unlike GNU cp 9.1 (fixed
// in 9.3), no empty file left behind (PITFALLS 16).
func TestZcpReflinkAlwaysFails(t *testing.T) {
	gnuCp := gnu(t, "cp")
	zcp := bin(t, "zcp")
	for _, prog := range []struct{ name, path string }{{"gnu", gnuCp}, {"zcp", zcp}} {
		fs := testfs.Tmpfs(t, 4<<20)
		writeRandom(t, filepath.Join(fs, "a"), 5000)
		r := runCp(t, prog.path, fs, "", -1, "--reflink=always", "a", "b")
		want := "cp: failed to clone 'b' from 'a': Operation not supported\n"
		if r.code != 1 || r.stderr != want {
			t.Errorf("%s: exit %d, stderr %q; want 1, %q", prog.name, r.code, r.stderr, want)
		}
		if _, err := os.Lstat(filepath.Join(fs, "b")); err == nil && prog.name == "zcp" {
			t.Errorf("%s: left b behind", prog.name)
		}
	}
}

// TestZcpSparse4GiB copies a 4 GiB file holding a few KiB of data: it
// stays sparse, and holds the same bytes at the same places.
func TestZcpSparse4GiB(t *testing.T) {
	zcp := bin(t, "zcp")
	dir := t.TempDir()
	src := filepath.Join(dir, "sparse")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	chunks := map[int64][]byte{}
	for _, off := range []int64{0, 1 << 30, 3<<30 + 12345, 4<<30 - 4096} {
		b := make([]byte, 4096)
		rand.Read(b)
		chunks[off] = b
		f.WriteAt(b, off)
	}
	f.Truncate(4 << 30)
	f.Close()
	out, err := exec.Command(zcp, "--debug", src, filepath.Join(dir, "copy")).CombinedOutput()
	if err != nil {
		t.Fatalf("zcp: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "sparse detection: SEEK_HOLE") {
		t.Errorf("--debug = %q; want SEEK_HOLE", out)
	}
	var st unix.Stat_t
	unix.Stat(filepath.Join(dir, "copy"), &st)
	if st.Size != 4<<30 || st.Blocks*512 > 1<<20 {
		t.Errorf("copy: size %d, %d bytes allocated; want 4 GiB, sparse", st.Size, st.Blocks*512)
	}
	g, _ := os.Open(filepath.Join(dir, "copy"))
	defer g.Close()
	for off, want := range chunks {
		got := make([]byte, len(want))
		g.ReadAt(got, off)
		if !bytes.Equal(got, want) {
			t.Errorf("copy differs at %d", off)
		}
	}
}

// TestZcpCrossFilesystem copies a tree from tmpfs to the disk and back:
// copy_file_range across filesystems (EXDEV before 5.19 kernels and
// between filesystem types) must still give the same tree as cp -a.
func TestZcpCrossFilesystem(t *testing.T) {
	gnuCp := gnu(t, "cp")
	zcp := bin(t, "zcp")
	fs := testfs.Tmpfs(t, 32<<20)
	src := filepath.Join(fs, "src")
	setupDir(t, src, "mkdir -p d/e; head -c 100000 /dev/urandom > d/e/f; echo x > d/g; ln d/g d/h; ln -s g d/l; chmod 700 d/e")
	disk := t.TempDir()
	g := runCp(t, gnuCp, fs, "", -1, "-a", "src", filepath.Join(disk, "gnu"))
	z := runCp(t, zcp, fs, "", -1, "-a", "src", filepath.Join(disk, "zcp"))
	if g.code != 0 || z.code != 0 {
		t.Fatalf("exit %d %q (GNU %d %q)", z.code, z.stderr, g.code, g.stderr)
	}
	gs, zs := snapshot(t, filepath.Join(disk, "gnu")), snapshot(t, filepath.Join(disk, "zcp"))
	if strings.Join(gs, "\n") != strings.Join(zs, "\n") {
		t.Errorf("tree differs from GNU cp's:\n%s", lineDiff(gs, zs))
	}
	back := runCp(t, zcp, disk, "", -1, "-a", "zcp", filepath.Join(fs, "back"))
	if back.code != 0 {
		t.Fatalf("back: exit %d %q", back.code, back.stderr)
	}
	sameContent(t, filepath.Join(src, "d/e/f"), filepath.Join(fs, "back/d/e/f"))
}

// TestZcpInterruptKeepsReportedFilesComplete interrupts a tree copy with
// SIGINT once it has reported some files done (-v), and checks that every
// file it reported is complete: "done" is said only after the data is in.
func TestZcpInterruptKeepsReportedFilesComplete(t *testing.T) {
	zcp := bin(t, "zcp")
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	os.Mkdir(src, 0o755)
	// Small files, then one whose holes take a while to fill with
	// zeros (--sparse=never), then more: the interrupt lands while the
	// slow one is in flight, with later ones copied but not reported.
	var script strings.Builder
	for i := 0; i < 120; i++ {
		script.WriteString("head -c " + itoa(20000+i*3001) + " /dev/urandom > f" + itoa(i) + "\n")
		if i == 59 {
			script.WriteString("truncate -s 512M slow\n")
		}
	}
	setupDir(t, src, script.String())
	cmd := exec.Command(zcp, "-rv", "--sparse=never", "src", "dst")
	cmd.Dir = dir
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	var reported []string
	line := regexp.MustCompile(`^'src/([^']+)' -> 'dst/[^']+'$`)
	for sc.Scan() {
		if m := line.FindStringSubmatch(sc.Text()); m != nil {
			reported = append(reported, m[1])
		}
		if len(reported) == 30 {
			cmd.Process.Signal(syscall.SIGINT)
		}
	}
	err := cmd.Wait()
	if len(reported) < 30 {
		t.Fatalf("only %d files reported", len(reported))
	}
	if len(reported) == 121 {
		t.Logf("the copy finished before SIGINT arrived (%v)", err)
	} else if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Errorf("zcp ended with %v; want death by SIGINT", err)
	}
	for _, name := range reported {
		sameContent(t, filepath.Join(src, name), filepath.Join(dir, "dst", name))
	}
}
