package tests

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/zcopy/zcopy/internal/testfs"
)

// faultyFS returns a directory holding mnt/, an ext4 filesystem whose
// device fails every new write for real: a loop device over an image on a
// tmpfs that is then filled, mounted with -o sync so that write(2),
// splice(2) and copy_file_range(2) wait for the device and return its
// error (the loop driver's ENOSPC from the full tmpfs). mnt/out, mnt/out2
// and mnt/d exist already: creating them needs no new block.
func faultyFS(t *testing.T) string {
	t.Helper()
	testfs.RequireRoot(t)
	mkfs := needTool(t, "mkfs.ext4")
	mount := needTool(t, "mount")
	back := testfs.Tmpfs(t, 16<<20)
	img := filepath.Join(back, "img")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(64 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	// No journal and errors=continue: the failed writes must not turn the
	// filesystem read-only, which would change the error.
	if out, err := exec.Command(mkfs, "-q", "-F", "-O", "^has_journal", "-E", "nodiscard,lazy_itable_init=0", img).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", mkfs, err, out)
	}
	dir := t.TempDir()
	mnt := filepath.Join(dir, "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(mount, "-o", "loop,sync,errors=continue", img, mnt).CombinedOutput(); err != nil {
		testfs.Unavailable(t, "mount -o loop %s: %v: %s", img, err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", mnt, err, out)
		}
	})
	for _, name := range []string{"out", "out2"} {
		if err := os.WriteFile(filepath.Join(mnt, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(mnt, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	syscall.Sync()
	// Fill the tmpfs under the image.
	filler, err := os.Create(filepath.Join(back, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	block := make([]byte, 1<<20)
	for {
		if _, err := filler.Write(block); err != nil {
			break
		}
	}
	filler.Close()
	return dir
}

// asGNU runs script with sh in dir, with cat, tee and cp on PATH being
// the zcopy commands (zcopy) or GNU's, under GNU's names.
func asGNU(t *testing.T, zcopy bool, dir, script string) (code int, stdout, stderr string) {
	t.Helper()
	links := t.TempDir()
	for _, name := range []string{"cat", "tee", "cp"} {
		prog := "/usr/bin/" + name
		if zcopy {
			prog = bin(t, "z"+name)
		}
		if err := os.Symlink(prog, filepath.Join(links, name)); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("sh", "-c", script)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + links + ":/usr/bin:/bin", "LC_ALL=C"}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	code, _ = exitStatus(t, cmd.Run())
	return code, o.String(), e.String()
}

// TestRealDeviceFaults writes to a device that fails (faultyFS) with each
// command and with GNU's: the same messages, naming the file and the
// device's error, exit status 1, no hang, and the outputs that do not
// fail get every byte.
func TestRealDeviceFaults(t *testing.T) {
	gnu(t, "cat")
	data := randomData(4_000_000)
	cases := []struct{ name, script string }{
		// cat stops at a write error on its stdout, as GNU's does.
		{"zcat", `cat small big small2 > mnt/out; echo "status $?"`},
		// tee goes on with the other outputs: stdout and good.
		{"ztee", `tee mnt/out2 good < big > teed; echo "status $?"; cksum < teed; cksum < good`},
		// cp reports each operand and goes on with the next.
		{"zcp", `cp small big small2 mnt/d; echo "status $?"; cp big mnt/out2; echo "status $?"`},
		// src is made by the test, in one order for both twins: the
		// walk follows inode numbers, and a cp that made src would
		// leave them to its own order of creation.
		{"zcp-r", `cp -r src mnt/d; echo "status $?"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var outs [2][3]string
			for i, zcopy := range []bool{false, true} {
				dir := faultyFS(t)
				for name, b := range map[string][]byte{"big": data, "small": []byte("small\n"), "small2": []byte("small2\n")} {
					if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				if err := os.Mkdir(filepath.Join(dir, "src"), 0o755); err != nil {
					t.Fatal(err)
				}
				for _, name := range []string{"small", "big"} {
					b, _ := os.ReadFile(filepath.Join(dir, name))
					if err := os.WriteFile(filepath.Join(dir, "src", name), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				faultsInjected.Add(1)
				code, stdout, stderr := asGNU(t, zcopy, dir, c.script)
				outs[i] = [3]string{itoa(code), stdout, stderr}
			}
			g, z := outs[0], outs[1]
			if g != z {
				t.Errorf("%s on a failing device:\n zcopy: status %s, stdout %q, stderr %q\n GNU:   status %s, stdout %q, stderr %q",
					c.name, z[0], z[1], z[2], g[0], g[1], g[2])
			}
			if !strings.Contains(z[2], "No space left on device") || !strings.Contains(z[1], "status 1") {
				t.Errorf("%s: stdout %q, stderr %q; want the device's error and status 1", c.name, z[1], z[2])
			}
		})
	}
}

// TestDeviceMapperErrorTarget reads from a device-mapper device whose
// second half is the error target: zcat and ztee report the read error
// (EIO) like GNU, after the readable half. Most containers have no
// device-mapper: then TestRealDeviceFaults' loop device is the real fault.
func TestDeviceMapperErrorTarget(t *testing.T) {
	testfs.RequireRoot(t)
	dmsetup := needTool(t, "dmsetup")
	if _, err := os.Stat("/dev/mapper/control"); err != nil {
		t.Skipf("no device-mapper in this kernel (/dev/mapper/control: %v); TestRealDeviceFaults injects real write faults instead", err)
	}
	name := "zcopy-test-" + itoa(os.Getpid())
	create := exec.Command(dmsetup, "create", name)
	create.Stdin = strings.NewReader("0 1024 zero\n1024 1024 error\n")
	if out, err := create.CombinedOutput(); err != nil {
		t.Skipf("dmsetup create: %v: %s (no device-mapper driver?)", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() { exec.Command(dmsetup, "remove", name).Run() })
	dev := "/dev/mapper/" + name
	if _, err := os.Stat(dev); err != nil {
		exec.Command(dmsetup, "mknodes", name).Run()
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "small"), []byte("small\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, script := range []string{
		`cat small ` + dev + ` small > out; echo "status $?"; cksum < out`,
		`tee copy < ` + dev + ` > teed; echo "status $?"; cksum < teed; cksum < copy`,
	} {
		var outs [2][3]string
		for i, zcopy := range []bool{false, true} {
			faultsInjected.Add(1)
			code, stdout, stderr := asGNU(t, zcopy, dir, script)
			outs[i] = [3]string{itoa(code), stdout, stderr}
		}
		if outs[0] != outs[1] {
			t.Errorf("%s:\n zcopy: %q\n GNU:   %q", script, outs[1], outs[0])
		}
		if !strings.Contains(outs[1][2], "Input/output error") {
			t.Errorf("%s: stderr %q; want EIO", script, outs[1][2])
		}
	}
}
