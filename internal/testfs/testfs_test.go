package testfs

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func fsType(t *testing.T, dir string) int64 {
	t.Helper()
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Type)
}

// mounted reports whether dir is a mount point, from /proc/self/mountinfo.
func mounted(t *testing.T, dir string) bool {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[4] == dir {
			return true
		}
	}
	return false
}

func TestLoopFilesystems(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("linux only")
	}
	for _, tc := range []struct {
		name  string
		make  func(testing.TB) string
		magic int64
	}{
		{"btrfs", Btrfs, 0x9123683e},
		{"xfs", XFS, 0x58465342},
		{"ext4", Ext4, 0xef53},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var dir string
			t.Run("make", func(t *testing.T) {
				dir = tc.make(t)
				if got := fsType(t, dir); got != tc.magic {
					t.Errorf("statfs(%s).f_type = %#x; want %#x", dir, got, tc.magic)
				}
				if err := os.WriteFile(filepath.Join(dir, "f"), []byte("data"), 0o644); err != nil {
					t.Fatal(err)
				}
				if !mounted(t, dir) {
					t.Errorf("%s is not in /proc/self/mountinfo", dir)
				}
			})
			if dir != "" && mounted(t, dir) {
				t.Errorf("%s still mounted after its test's cleanup", dir)
			}
		})
	}
}

func TestTmpfsENOSPC(t *testing.T) {
	dir := Tmpfs(t, 64<<10)
	if got := fsType(t, dir); got != 0x01021994 {
		t.Fatalf("statfs(%s).f_type = %#x; want tmpfs", dir, got)
	}
	err := os.WriteFile(filepath.Join(dir, "big"), make([]byte, 256<<10), 0o644)
	if !errors.Is(err, unix.ENOSPC) {
		t.Errorf("writing 256 KiB to a 64 KiB tmpfs: %v; want ENOSPC", err)
	}
}

func TestShared(t *testing.T) {
	dir := Btrfs(t)
	a, b, c := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")
	if err := os.WriteFile(a, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("/usr/bin/cp", "--reflink=always", a, b).CombinedOutput(); err != nil {
		t.Fatalf("cp --reflink=always: %v\n%s", err, out)
	}
	if out, err := exec.Command("/usr/bin/cp", "--reflink=never", a, c).CombinedOutput(); err != nil {
		t.Fatalf("cp --reflink=never: %v\n%s", err, out)
	}
	if !Shared(t, b) {
		t.Errorf("Shared(clone) = false; want true")
	}
	if Shared(t, c) {
		t.Errorf("Shared(copy made with --reflink=never) = true; want false")
	}
}

func TestSharedExtentParsing(t *testing.T) {
	const head = "Filesystem type is: 9123683e\nFile size of b is 1048576 (256 blocks of 4096 bytes)\n" +
		" ext:     logical_offset:        physical_offset: length:   expected: flags:\n"
	for _, tc := range []struct {
		name, out string
		want      bool
	}{
		{"shared", head + "   0:        0..     255:      15616..     15871:    256:             last,shared,eof\nb: 1 extent found\n", true},
		{"plain", head + "   0:        0..     255:      15872..     16127:    256:             last,eof\nb: 1 extent found\n", false},
		{"second-extent", head + "   0:        0..      15:      100..     115:     16:\n   1:       16..      31:      300..     315:     16:        116: last,shared,eof\n", true},
		{"unshared-word", head + "   0:        0..      15:      100..     115:     16:             last,unshared,eof\n", false},
		{"empty-file", "Filesystem type is: ef53\nFile size of e is 0 (0 blocks of 4096 bytes)\ne: 0 extents found\n", false},
	} {
		if got := sharedExtent(tc.out); got != tc.want {
			t.Errorf("sharedExtent(%s) = %v; want %v", tc.name, got, tc.want)
		}
	}
}

// recorder is a testing.TB that records Skip and Fatal instead of ending
// the goroutine, so that a test can look at what a helper decided.
type recorder struct {
	testing.TB
	skipped, fatal string
}

func (r *recorder) Helper()                      {}
func (r *recorder) Skip(args ...any)             { r.skipped = strings.TrimSpace(fmt.Sprint(args...)); panic(r) }
func (r *recorder) Fatal(args ...any)            { r.fatal = strings.TrimSpace(fmt.Sprint(args...)); panic(r) }
func (r *recorder) Fatalf(f string, args ...any) { r.Fatal(fmt.Sprintf(f, args...)) }
func (r *recorder) Skipf(f string, args ...any)  { r.Skip(fmt.Sprintf(f, args...)) }
func (r *recorder) TempDir() string              { return r.TB.TempDir() }
func (r *recorder) Cleanup(f func())             { r.TB.Cleanup(f) }
func (r *recorder) Errorf(f string, args ...any) { r.TB.Errorf(f, args...) }
func (r *recorder) Logf(f string, args ...any)   { r.TB.Logf(f, args...) }
func (r *recorder) call(fn func(testing.TB) string) {
	defer func() {
		if v := recover(); v != nil && v != r {
			panic(v)
		}
	}()
	fn(r)
}

func TestUnavailable(t *testing.T) {
	t.Setenv("CI", "")
	for _, tc := range []struct {
		name  string
		setup func()
		want  string
	}{
		{"not-root", func() { geteuid = func() int { return 1000 } }, "mounting filesystems needs root (euid 1000)"},
		{"no-mkfs", func() {
			geteuid = func() int { return 0 }
			lookPath = func(p string) (string, error) {
				if p == "mkfs.btrfs" {
					return "", exec.ErrNotFound
				}
				return exec.LookPath(p)
			}
		}, "mkfs.btrfs not found (install btrfs-progs)"},
		{"no-kernel-support", func() {
			geteuid = func() int { return 0 }
			lookPath = func(p string) (string, error) { return "/bin/true", nil }
			kernelHas = func(string) bool { return false }
		}, "the kernel does not list btrfs in /proc/filesystems"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			oe, ol, ok := geteuid, lookPath, kernelHas
			t.Cleanup(func() { geteuid, lookPath, kernelHas = oe, ol, ok })
			tc.setup()
			r := &recorder{TB: t}
			r.call(Btrfs)
			if !strings.Contains(r.skipped, tc.want) || r.fatal != "" {
				t.Errorf("Btrfs skipped with %q, failed with %q; want a skip saying %q", r.skipped, r.fatal, tc.want)
			}
		})
	}
	t.Run("CI-fails-instead", func(t *testing.T) {
		t.Setenv("CI", "true")
		oe := geteuid
		t.Cleanup(func() { geteuid = oe })
		geteuid = func() int { return 1000 }
		r := &recorder{TB: t}
		r.call(func(tb testing.TB) string { return Tmpfs(tb, 1<<20) })
		if r.skipped != "" || !strings.Contains(r.fatal, "needs root") || !strings.Contains(r.fatal, "CI=true") {
			t.Errorf("under CI=true: skipped %q, failed %q; want a failure naming root and CI", r.skipped, r.fatal)
		}
	})
}
