package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// straceCounts runs argv under strace -f -c and returns the number of
// calls of each system call.
func straceCounts(t *testing.T, strace string, argv ...string) map[string]int {
	t.Helper()
	out := filepath.Join(t.TempDir(), "counts")
	cmd := exec.Command(strace, append([]string{"-f", "-c", "-o", out}, argv...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("strace %s: %v\n%s", strings.Join(argv, " "), err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// "% time  seconds  usecs/call  calls  errors  syscall", errors empty
	// when there were none.
	row := regexp.MustCompile(`^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?([a-z_0-9]+)\s*$`)
	counts := make(map[string]int)
	for _, line := range strings.Split(string(b), "\n") {
		if m := row.FindStringSubmatch(line); m != nil && m[2] != "total" {
			counts[m[2]], _ = strconv.Atoi(m[1])
		}
	}
	if len(counts) == 0 {
		t.Fatalf("no counts in strace's summary:\n%s", b)
	}
	return counts
}

// TestZcpSystemCallsPerFile counts the system calls of a tree copy of
// one-line files: each file is described once (the walk's stat, one
// fstat of each descriptor, as GNU cp does), not again by the engine
// (fcntl(F_GETFL), fstatfs, a second fstat, SEEK_DATA, lseek to 0), and
// its data moves with FICLONE or copy_file_range alone. The counts of
// GNU cp on the same tree are logged beside zcp's.
func TestZcpSystemCallsPerFile(t *testing.T) {
	strace := needTool(t, "strace")
	zcp := bin(t, "zcp")
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	const dirs, perDir = 4, 50
	const n = dirs * perDir
	for d := 0; d < dirs; d++ {
		sub := filepath.Join(src, fmt.Sprintf("d%d", d))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < perDir; i++ {
			if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%d", i)), []byte(fmt.Sprintf("line %d\n", i)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Per run, whatever the number of files: start-up, the directories,
	// the runtime's own calls.
	const fixed = 40
	for _, opt := range []string{"-r", "-a"} {
		t.Run(opt, func(t *testing.T) {
			dst := filepath.Join(dir, "dst"+opt)
			z := straceCounts(t, strace, zcp, opt, src, dst)
			want := map[string]int{}
			if _, err := exec.LookPath("/usr/bin/cp"); err == nil {
				want = straceCounts(t, strace, "/usr/bin/cp", opt, src, filepath.Join(dir, "gnu"+opt))
			}
			t.Logf("%d files: zcp %v", n, z)
			t.Logf("%d files: GNU cp %v", n, want)
			// fstat may be newfstatat(fd, "", AT_EMPTY_PATH) on some ports.
			stats := z["fstat"] + z["newfstatat"] + z["statx"]
			bounds := []struct {
				what  string
				got   int
				limit int
			}{
				{"stat calls (the walk's, one fstat a descriptor)", stats, 3*n + fixed},
				{"fcntl", z["fcntl"], fixed},
				{"fstatfs", z["fstatfs"] + z["statfs"], fixed},
				{"lseek (none a file: the engine counts the offset)", z["lseek"], fixed},
				{"openat", z["openat"] + z["open"], 2*n + fixed},
				{"close", z["close"], 2*n + fixed},
				{"copy_file_range (one with data, one at EOF)", z["copy_file_range"], 2*n + fixed},
				{"ioctl (FICLONE)", z["ioctl"], n + fixed},
			}
			for _, b := range bounds {
				if b.got > b.limit {
					t.Errorf("%s: %d calls for %d files; want at most %d", b.what, b.got, n, b.limit)
				}
			}
			for _, name := range []string{"read", "write", "sendfile", "splice"} {
				if z[name] > fixed {
					t.Errorf("%s: %d calls for %d one-line files; want the data moved by copy_file_range", name, z[name], n)
				}
			}
			for d := 0; d < dirs; d++ {
				name := filepath.Join(fmt.Sprintf("d%d", d), "f7")
				sameContent(t, filepath.Join(src, name), filepath.Join(dst, name))
			}
		})
	}
}
