package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/copy"
	"github.com/zcopy/zcopy/internal/fdkind"
)

func doctorCommand() *cli.Command {
	return &cli.Command{
		Name:      "doctor",
		Usage:     "test what this kernel and these filesystems offer",
		ArgsUsage: "[DIR]",
		Description: "doctor prints, one line each with a verdict: the kernel version, the\n" +
			"largest pipe an unprivileged process may ask for, whether copy_file_range\n" +
			"copies across filesystems, whether the filesystem of the current directory\n" +
			"(and of DIR) can reflink, and whether splice writes into a terminal. It\n" +
			"tests with small temporary files that it removes.",
		Action: doctorAction,
	}
}

// check is one line of doctor's report.
type check struct{ what, value, verdict string }

func doctorAction(c *cli.Context) error {
	if c.NArg() > 1 {
		return usagef("doctor takes at most one DIR, not %d", c.NArg())
	}
	checks := []check{kernelCheck(), pipeMaxCheck()}
	dirs := []string{"."}
	if c.NArg() == 1 {
		dir := c.Args().First()
		if st, err := os.Stat(dir); err != nil {
			return err
		} else if !st.IsDir() {
			return &os.PathError{Op: "doctor", Path: dir, Err: unix.ENOTDIR}
		}
		dirs = append(dirs, dir)
	}
	checks = append(checks, crossFSCheck(dirs[len(dirs)-1]))
	for _, d := range dirs {
		checks = append(checks, reflinkCheck(d))
	}
	checks = append(checks, ttyCheck())
	var b strings.Builder
	for _, ch := range checks {
		fmt.Fprintf(&b, "%-36s %s: %s\n", ch.what+":", ch.value, ch.verdict)
	}
	_, err := io.WriteString(c.App.Writer, b.String())
	return err
}

func kernelCheck() check {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return check{"kernel", "unknown", err.Error()}
	}
	rel := unix.ByteSliceToString(u.Release[:])
	major, minor := kernelVersion(rel)
	verdict := "copy_file_range only within one filesystem (before 5.3)"
	switch {
	case major > 5 || (major == 5 && minor >= 19):
		verdict = "copy_file_range within one filesystem type (EXDEV across types since 5.19)"
	case major == 5 && minor >= 3:
		verdict = "copy_file_range across filesystems (5.3 to 5.18)"
	}
	return check{"kernel", rel, verdict}
}

// kernelVersion reads "6.1.0-18-amd64" as 6, 1.
func kernelVersion(rel string) (major, minor int) {
	parts := strings.SplitN(rel, ".", 3)
	if len(parts) < 2 {
		return 0, 0
	}
	major, _ = strconv.Atoi(parts[0])
	minor, _ = strconv.Atoi(strings.TrimRightFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	return major, minor
}

func pipeMaxCheck() check {
	b, err := os.ReadFile("/proc/sys/fs/pipe-max-size")
	if err != nil {
		return check{"pipe-max-size", "unknown", err.Error()}
	}
	v := strings.TrimSpace(string(b))
	n, _ := strconv.Atoi(v)
	verdict := "zcopy's pipes and the pipes it is handed grow to 1 MiB"
	if n < 1<<20 && unix.Geteuid() != 0 {
		verdict = fmt.Sprintf("pipes grow only to %d bytes: splice moves less per call", n)
	}
	return check{"pipe-max-size", v + " bytes", verdict}
}

// scratch makes a file of n bytes in dir, removed at once: only the
// descriptor remains.
func scratch(dir string, n int) (*os.File, error) {
	f, err := os.CreateTemp(dir, ".zcopy-doctor-")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name())
	if n > 0 {
		if _, err := f.Write(make([]byte, n)); err != nil {
			f.Close()
			return nil, err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			f.Close()
			return nil, err
		}
	}
	return f, nil
}

// otherFS finds a directory on another filesystem than dir, to copy
// across: the temporary directory, or /dev/shm.
func otherFS(dir string) (string, bool) {
	var here unix.Stat_t
	if unix.Stat(dir, &here) != nil {
		return "", false
	}
	for _, d := range []string{os.TempDir(), "/dev/shm", "/run", "/var/tmp"} {
		var st unix.Stat_t
		if unix.Stat(d, &st) == nil && st.Dev != here.Dev && unix.Access(d, unix.W_OK) == nil {
			return d, true
		}
	}
	return "", false
}

func crossFSCheck(dir string) check {
	what := "copy_file_range across filesystems"
	other, ok := otherFS(dir)
	if !ok {
		return check{what, "untested", "no writable directory on another filesystem than " + dir}
	}
	src, err := scratch(dir, 4096)
	if err != nil {
		return check{what, "untested", err.Error()}
	}
	defer src.Close()
	dst, err := scratch(other, 0)
	if err != nil {
		return check{what, "untested", err.Error()}
	}
	defer dst.Close()
	si, _ := fdkind.Of(src)
	di, _ := fdkind.Of(dst)
	value := fmt.Sprintf("%s (%s) -> %s (%s)", dir, si.FSName(), other, di.FSName())
	// The engine's own method alone, through its driver: the report says
	// whether the kernel took it.
	r, err := copy.Copy(dst, src, copy.Options{Methods: []copy.Method{copy.CopyFileRange}})
	switch {
	case err == nil && r.BytesBy(copy.CopyFileRange) == 4096:
		return check{what, value, "works"}
	case len(r.Steps) > 0 && r.Steps[0].Refused != nil:
		return check{what, value, "refused (" + copy.ErrnoName(r.Steps[0].Refused) + "): zcopy falls back to sendfile"}
	case err != nil:
		return check{what, value, "failed: " + err.Error()}
	}
	return check{what, value, fmt.Sprintf("copied %d of 4096 bytes", r.Bytes())}
}

func reflinkCheck(dir string) check {
	what := "reflink in " + dir
	src, err := scratch(dir, 64<<10)
	if err != nil {
		return check{what, "untested", err.Error()}
	}
	defer src.Close()
	dst, err := scratch(dir, 0)
	if err != nil {
		return check{what, "untested", err.Error()}
	}
	defer dst.Close()
	info, _ := fdkind.Of(src)
	fs := info.FSName()
	if fs == "" {
		fs = fmt.Sprintf("0x%x", info.FSMagic)
	}
	r, err := copy.CopyFile(dst, src, copy.FileOptions{Reflink: copy.ReflinkAlways})
	switch {
	case err == nil && r.Reflinked:
		return check{what, fs, "supported: zcp shares the blocks"}
	case len(r.Steps) > 0 && r.Steps[0].Refused != nil:
		return check{what, fs, "not supported (" + copy.ErrnoName(r.Steps[0].Refused) + "): zcp copies the data"}
	case err != nil:
		return check{what, fs, "failed: " + err.Error()}
	}
	return check{what, fs, "not supported"}
}

// ttyCheck splices a few bytes from a pipe into a new pseudo-terminal.
func ttyCheck() check {
	what := "splice into a terminal"
	mfd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return check{what, "untested", "no pseudo-terminal: " + err.Error()}
	}
	master := os.NewFile(uintptr(mfd), "/dev/ptmx")
	defer master.Close()
	if err := unix.IoctlSetPointerInt(mfd, unix.TIOCSPTLCK, 0); err != nil {
		return check{what, "untested", "unlockpt: " + err.Error()}
	}
	n, err := unix.IoctlGetUint32(mfd, unix.TIOCGPTN)
	if err != nil {
		return check{what, "untested", "ptsname: " + err.Error()}
	}
	name := "/dev/pts/" + strconv.Itoa(int(n))
	slave, err := os.OpenFile(name, os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		return check{what, "untested", err.Error()}
	}
	defer slave.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		return check{what, "untested", err.Error()}
	}
	defer pr.Close()
	msg := []byte("zcopy doctor\n")
	pw.Write(msg)
	pw.Close()
	r, err := copy.Copy(slave, pr, copy.Options{Methods: []copy.Method{copy.Splice}})
	switch {
	case err == nil && r.BytesBy(copy.Splice) == int64(len(msg)):
		return check{what, name, "works here, but zcopy plans read/write for terminals (some kernels refuse)"}
	case len(r.Steps) > 0 && r.Steps[0].Refused != nil:
		return check{what, name, "refused (" + copy.ErrnoName(r.Steps[0].Refused) + "): read/write, as zcopy plans"}
	case err != nil:
		return check{what, name, "failed: " + err.Error()}
	}
	return check{what, name, fmt.Sprintf("moved %d of %d bytes", r.Bytes(), len(msg))}
}
