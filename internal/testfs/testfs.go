// Package testfs gives tests filesystems that only root can make: loop
// mounted btrfs, xfs and ext4 images, and small tmpfs mounts. Each helper
// returns the root directory of a new, empty filesystem and removes it
// (unmount, loop device, image) with t.Cleanup.
//
// Without root, or without the mkfs tool or kernel support a filesystem
// needs, the helpers call t.Skip with the reason. When the environment says
// CI=true they call t.Fatal instead: CI runs as root with the tools
// installed, and a skipped reflink or ENOSPC test there would hide a gap.
//
//	dir := testfs.Btrfs(t)          // reflinks
//	full := testfs.Tmpfs(t, 64<<10) // ENOSPC after 64 KiB
package testfs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Image sizes: the smallest each mkfs accepts with room to spare. The images
// are sparse files, so they cost the host only what the tests write.
const (
	btrfsSize = 256 << 20 // mkfs.btrfs wants at least 114 MiB with the default DUP metadata
	xfsSize   = 320 << 20 // mkfs.xfs refuses filesystems under 300 MB since xfsprogs 5.19
	ext4Size  = 64 << 20
)

// Btrfs returns the root of a new loop-mounted btrfs filesystem, where
// FICLONE and copy_file_range share extents.
func Btrfs(t testing.TB) string {
	t.Helper()
	return Loop(t, "btrfs", btrfsSize)
}

// XFS returns the root of a new loop-mounted xfs filesystem made with
// reflink=1 (the default of xfsprogs since 5.1, asked for explicitly).
func XFS(t testing.TB) string {
	t.Helper()
	return Loop(t, "xfs", xfsSize)
}

// Ext4 returns the root of a new loop-mounted ext4 filesystem: no reflinks,
// and a filesystem of its own (copies to and from it cross a mount).
func Ext4(t testing.TB) string {
	t.Helper()
	return Loop(t, "ext4", ext4Size)
}

// mkfs is how each filesystem type is made on an image: the program, the
// package that ships it (for the skip message), and its arguments before
// the image's name.
var mkfs = map[string]struct {
	prog, pkg string
	args      []string
}{
	"btrfs": {"mkfs.btrfs", "btrfs-progs", []string{"-q", "-f"}},
	"xfs":   {"mkfs.xfs", "xfsprogs", []string{"-q", "-f", "-m", "reflink=1"}},
	"ext4":  {"mkfs.ext4", "e2fsprogs", []string{"-q", "-F"}},
}

// Loop makes an image of size bytes holding a new filesystem of type
// fstype (btrfs, xfs or ext4), loop-mounts it on a new directory and
// returns that directory.
func Loop(t testing.TB, fstype string, size int64) string {
	t.Helper()
	requireLinux(t)
	RequireRoot(t)
	m, ok := mkfs[fstype]
	if !ok {
		t.Fatalf("testfs.Loop: no recipe for filesystem type %q", fstype)
	}
	prog, err := lookPath(m.prog)
	if err != nil {
		unavailable(t, "%s not found (install %s): %v", m.prog, m.pkg, err)
	}
	if _, err := lookPath("mount"); err != nil {
		unavailable(t, "mount(8) not found (install mount): %v", err)
	}
	if !kernelHas(fstype) {
		unavailable(t, "the kernel does not list %s in /proc/filesystems and cannot load it", fstype)
	}
	base := t.TempDir()
	img := filepath.Join(base, fstype+".img")
	dir := filepath.Join(base, "mnt")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	err = f.Truncate(size)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(prog, append(m.args, img)...).CombinedOutput(); err != nil {
		t.Fatalf("testfs: %s %s: %v\n%s", prog, img, err, out)
	}
	// mount -o loop finds a free loop device and sets autoclear on it, so
	// the unmount below also frees the device.
	out, err := exec.Command("mount", "-t", fstype, "-o", "loop", img, dir).CombinedOutput()
	if err != nil {
		msg := string(bytes.TrimSpace(out))
		if strings.Contains(msg, "unknown filesystem type") {
			unavailable(t, "mount -t %s: %s", fstype, msg)
		}
		if strings.Contains(msg, "failed to setup loop device") || strings.Contains(msg, "could not find any free loop device") {
			unavailable(t, "no loop device for %s: %s", img, msg)
		}
		t.Fatalf("testfs: mount -t %s -o loop %s %s: %v\n%s", fstype, img, dir, err, msg)
	}
	t.Cleanup(func() { unmount(t, dir) })
	return dir
}

// Tmpfs returns the root of a new tmpfs of size bytes (rounded up to whole
// pages by the kernel): writing more fails with ENOSPC.
func Tmpfs(t testing.TB, size int64) string {
	t.Helper()
	requireLinux(t)
	RequireRoot(t)
	dir := filepath.Join(t.TempDir(), "tmpfs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := mountTmpfs(dir, "size="+strconv.FormatInt(size, 10)); err != nil {
		t.Fatalf("testfs: mount tmpfs on %s: %v", dir, err)
	}
	t.Cleanup(func() { unmount(t, dir) })
	return dir
}

// RequireRoot skips the test (fails it under CI=true) unless it runs as
// root.
func RequireRoot(t testing.TB) {
	t.Helper()
	if uid := geteuid(); uid != 0 {
		unavailable(t, "mounting filesystems needs root (euid %d)", uid)
	}
}

func requireLinux(t testing.TB) {
	t.Helper()
	if runtime.GOOS != "linux" {
		unavailable(t, "loop and tmpfs mounts are made on linux only, not on %s", runtime.GOOS)
	}
}

// Shared reports whether any extent of the file at path is shared with
// another file, as `filefrag -v` shows it ("shared" among the flags). The
// file is synced first (filefrag -s): delayed allocation has no extents to
// show yet.
func Shared(t testing.TB, path string) bool {
	t.Helper()
	prog, err := lookPath("filefrag")
	if err != nil {
		unavailable(t, "filefrag not found (install e2fsprogs): %v", err)
	}
	out, err := exec.Command(prog, "-v", "-s", path).CombinedOutput()
	if err != nil {
		t.Fatalf("testfs: filefrag -v -s %s: %v\n%s", path, err, out)
	}
	return sharedExtent(string(out))
}

// sharedExtent reads filefrag -v output: one line per extent, flags last,
// comma-separated ("last,shared,eof").
func sharedExtent(out string) bool {
	for _, line := range strings.Split(out, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 || !strings.HasSuffix(fields[0], ":") {
			continue
		}
		if _, err := strconv.Atoi(strings.TrimSuffix(fields[0], ":")); err != nil {
			continue
		}
		for _, flag := range strings.Split(fields[len(fields)-1], ",") {
			if flag == "shared" {
				return true
			}
		}
	}
	return false
}

// Unavailable skips the test with the reason for which the machine cannot
// run it (no root, no tool, no kernel support), or fails it when the
// environment says CI=true: CI runs as root with the tools installed, and
// must not skip (DESIGN.md, test layer 3).
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: CI must run this test)")
	}
	t.Skip(msg)
}

func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	Unavailable(t, "testfs: "+format, args...)
}

// unmount unmounts dir, waiting out a short EBUSY (a descriptor a finished
// test left to the garbage collector, a udev probe of the loop device),
// then detaching it lazily so that the test run still ends.
func unmount(t testing.TB, dir string) {
	t.Helper()
	var err error
	for i := 0; i < 50; i++ {
		if err = unmountFn(dir, 0); !errors.Is(err, errBusy) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if errors.Is(err, errBusy) {
		err = unmountFn(dir, mntDetach)
	}
	if err != nil {
		t.Errorf("testfs: unmount %s: %v", dir, err)
	}
}

// Seams for the tests of this package.
var (
	geteuid   = os.Geteuid
	lookPath  = exec.LookPath
	kernelHas = kernelHasFS
)

// kernelHasFS reports whether the kernel knows fstype, or may load it as a
// module (mount then tells for sure).
func kernelHasFS(fstype string) bool {
	b, err := os.ReadFile("/proc/filesystems")
	if err != nil {
		return true
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[len(f)-1] == fstype {
			return true
		}
	}
	_, err = os.Stat("/lib/modules")
	return err == nil
}
