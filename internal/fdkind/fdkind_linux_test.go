package fdkind

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/testfd"
	"github.com/zcopy/zcopy/internal/testfs"
)

// want is what a test knows about a descriptor from how it made it, not from
// asking fdkind.
type want struct {
	kind               Kind
	readable, writable bool
	append, nonblock   bool
	stream             bool
	virtual            bool
	sizeTrusted        bool
	size               int64  // checked when sizeTrusted
	fs                 string // FSName(), from /proc/self/mountinfo; "" = no check
	path               string // stat(2) by path must give the same dev/ino/rdev
}

func TestOf(t *testing.T) {
	dir := t.TempDir()
	content := []byte("forty-two bytes of content, give or take.\n")
	reg := filepath.Join(dir, "reg")
	if err := os.WriteFile(reg, content, 0o644); err != nil {
		t.Fatal(err)
	}
	size := int64(len(content))
	dirFS := mountFSType(t, dir)

	type tc struct {
		name string
		open func(t *testing.T) (*os.File, want)
	}
	file := func(flag int, w want) func(t *testing.T) (*os.File, want) {
		return func(t *testing.T) (*os.File, want) {
			w.kind, w.size, w.fs, w.path, w.sizeTrusted = Regular, size, dirFS, reg, true
			return testfd.Open(t, reg, flag), w
		}
	}
	tests := []tc{
		{"file/rdonly", file(os.O_RDONLY, want{readable: true})},
		{"file/wronly", file(os.O_WRONLY, want{writable: true})},
		{"file/rdwr", file(os.O_RDWR, want{readable: true, writable: true})},
		{"file/append", file(os.O_WRONLY|os.O_APPEND, want{writable: true, append: true})},
		{"file/rdwr-append", file(os.O_RDWR|os.O_APPEND, want{readable: true, writable: true, append: true})},
		{"file/nonblock", file(os.O_RDONLY|unix.O_NONBLOCK, want{readable: true, nonblock: true})},
		// O_PATH descriptors can be neither read nor written, whatever the
		// access mode bits say.
		{"file/path", file(unix.O_PATH, want{})},
		{"file/tmpfs", func(t *testing.T) (*os.File, want) {
			mnt := testfs.Tmpfs(t, 1<<20)
			p := filepath.Join(mnt, "f")
			if err := os.WriteFile(p, content, 0o644); err != nil {
				t.Fatal(err)
			}
			return testfd.Open(t, p, os.O_RDONLY), want{kind: Regular, readable: true,
				sizeTrusted: true, size: size, fs: "tmpfs", path: p}
		}},
		{"directory", func(t *testing.T) (*os.File, want) {
			return testfd.Open(t, dir, os.O_RDONLY), want{kind: Directory, readable: true, fs: dirFS, path: dir}
		}},
		{"symlink", func(t *testing.T) (*os.File, want) {
			p := filepath.Join(dir, "link")
			if err := os.Symlink("reg", p); err != nil && !os.IsExist(err) {
				t.Fatal(err)
			}
			return testfd.Open(t, p, unix.O_PATH|unix.O_NOFOLLOW), want{kind: Symlink}
		}},
		{"pipe/read", func(t *testing.T) (*os.File, want) {
			r, _ := testfd.Pipe(t, 0)
			return r, want{kind: Pipe, readable: true}
		}},
		{"pipe/write", func(t *testing.T) (*os.File, want) {
			_, w := testfd.Pipe(t, 0)
			return w, want{kind: Pipe, writable: true}
		}},
		{"pipe/read-nonblock", func(t *testing.T) (*os.File, want) {
			r, _ := testfd.Pipe(t, unix.O_NONBLOCK)
			return r, want{kind: Pipe, readable: true, nonblock: true}
		}},
		{"pipe/write-nonblock", func(t *testing.T) (*os.File, want) {
			_, w := testfd.Pipe(t, unix.O_NONBLOCK)
			return w, want{kind: Pipe, writable: true, nonblock: true}
		}},
		{"fifo/rdwr", func(t *testing.T) (*os.File, want) {
			p := mkfifo(t, dir, "fifo-rdwr")
			return testfd.Open(t, p, os.O_RDWR), want{kind: Pipe, readable: true, writable: true, path: p}
		}},
		{"fifo/rdonly-nonblock", func(t *testing.T) (*os.File, want) {
			p := mkfifo(t, dir, "fifo-nb")
			return testfd.Open(t, p, os.O_RDONLY|unix.O_NONBLOCK), want{kind: Pipe, readable: true, nonblock: true, path: p}
		}},
		{"unix-stream", func(t *testing.T) (*os.File, want) {
			a, _ := testfd.SocketPair(t, unix.SOCK_STREAM)
			return a, want{kind: Socket, readable: true, writable: true, stream: true}
		}},
		{"unix-stream-nonblock", func(t *testing.T) (*os.File, want) {
			a, _ := testfd.SocketPair(t, unix.SOCK_STREAM|unix.SOCK_NONBLOCK)
			return a, want{kind: Socket, readable: true, writable: true, stream: true, nonblock: true}
		}},
		{"unix-dgram", func(t *testing.T) (*os.File, want) {
			a, _ := testfd.SocketPair(t, unix.SOCK_DGRAM)
			return a, want{kind: Socket, readable: true, writable: true}
		}},
		{"unix-seqpacket", func(t *testing.T) (*os.File, want) {
			a, _ := testfd.SocketPair(t, unix.SOCK_SEQPACKET)
			return a, want{kind: Socket, readable: true, writable: true}
		}},
		{"tcp-loopback/client", func(t *testing.T) (*os.File, want) {
			c, _ := testfd.TCPPair(t)
			return c, want{kind: Socket, readable: true, writable: true, stream: true}
		}},
		{"tcp-loopback/server", func(t *testing.T) (*os.File, want) {
			_, s := testfd.TCPPair(t)
			return s, want{kind: Socket, readable: true, writable: true, stream: true}
		}},
		{"udp", func(t *testing.T) (*os.File, want) {
			fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
			if err != nil {
				t.Fatal(err)
			}
			return testfd.NewFile(t, fd, "udp"), want{kind: Socket, readable: true, writable: true}
		}},
		{"pty/master", func(t *testing.T) (*os.File, want) {
			m, _ := testfd.Pty(t, 0)
			return m, want{kind: TTY, readable: true, writable: true}
		}},
		{"pty/slave", func(t *testing.T) (*os.File, want) {
			_, s := testfd.Pty(t, 0)
			return s, want{kind: TTY, readable: true, writable: true, path: s.Name()}
		}},
		{"dev/null", func(t *testing.T) (*os.File, want) {
			return testfd.Open(t, "/dev/null", os.O_RDWR), want{kind: CharDev, readable: true, writable: true, path: "/dev/null"}
		}},
		{"dev/zero", func(t *testing.T) (*os.File, want) {
			return testfd.Open(t, "/dev/zero", os.O_RDONLY), want{kind: CharDev, readable: true, path: "/dev/zero"}
		}},
		{"dev/full", func(t *testing.T) (*os.File, want) {
			return testfd.Open(t, "/dev/full", os.O_WRONLY), want{kind: CharDev, writable: true, path: "/dev/full"}
		}},
		{"blockdev/loop", func(t *testing.T) (*os.File, want) {
			const n = 1<<20 + 4096
			dev := loopDevice(t, n)
			return dev, want{kind: BlockDev, readable: true, sizeTrusted: true, size: n, path: dev.Name()}
		}},
		{"procfs", func(t *testing.T) (*os.File, want) {
			const p = "/proc/self/status"
			// st_size is 0 although reading gives hundreds of bytes
			// (PITFALLS 3): the size is not to be trusted.
			return testfd.Open(t, p, os.O_RDONLY), want{kind: Regular, readable: true, virtual: true, fs: "proc", path: p}
		}},
		{"sysfs", func(t *testing.T) (*os.File, want) {
			p := testfd.SysfsFile(t)
			return testfd.Open(t, p, os.O_RDONLY), want{kind: Regular, readable: true, virtual: true, fs: "sysfs", path: p}
		}},
		{"eventfd", func(t *testing.T) (*os.File, want) {
			// An anonymous inode has no file type bits at all.
			fd, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
			if err != nil {
				t.Fatal(err)
			}
			return testfd.NewFile(t, fd, "eventfd"), want{kind: Unknown, readable: true, writable: true}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, w := tt.open(t)
			info, err := Of(f)
			if err != nil {
				t.Fatalf("Of(%s) error: %v", f.Name(), err)
			}
			checkInfo(t, f, info, w)
			// Stat on the raw descriptor says the same as Of.
			info2, err := Stat(testfd.Fd(t, f))
			if err != nil {
				t.Fatalf("Stat(fd) error: %v", err)
			}
			if info2 != info {
				t.Errorf("Stat(fd) = %+v; want Of's %+v", info2, info)
			}
		})
	}
}

func checkInfo(t *testing.T, f *os.File, info Info, w want) {
	t.Helper()
	if info.Kind != w.kind {
		t.Errorf("Kind = %v; want %v", info.Kind, w.kind)
	}
	if info.Readable != w.readable || info.Writable != w.writable {
		t.Errorf("Readable, Writable = %v, %v; want %v, %v", info.Readable, info.Writable, w.readable, w.writable)
	}
	if info.Append != w.append {
		t.Errorf("Append = %v; want %v", info.Append, w.append)
	}
	if info.Nonblock != w.nonblock {
		t.Errorf("Nonblock = %v; want %v", info.Nonblock, w.nonblock)
	}
	if info.Stream != w.stream {
		t.Errorf("Stream = %v; want %v", info.Stream, w.stream)
	}
	if got := info.Virtual(); got != w.virtual {
		t.Errorf("Virtual() = %v; want %v (FSMagic %#x)", got, w.virtual, info.FSMagic)
	}
	if got := info.SizeTrusted(); got != w.sizeTrusted {
		t.Errorf("SizeTrusted() = %v; want %v", got, w.sizeTrusted)
	}
	if w.sizeTrusted && info.Size != w.size {
		t.Errorf("Size = %d; want %d", info.Size, w.size)
	}
	if w.fs != "" && info.FSName() != w.fs {
		t.Errorf("FSName() = %q (magic %#x); want %q (from /proc/self/mountinfo)", info.FSName(), info.FSMagic, w.fs)
	}
	if w.fs == "" && info.Kind != Regular && info.Kind != Directory && info.Kind != BlockDev && info.FSMagic != 0 {
		t.Errorf("FSMagic = %#x for a %v; want 0", info.FSMagic, info.Kind)
	}
	// Identity: stat(2) by path, or the pipe:[ino]/socket:[ino] link of
	// /proc/self/fd, must agree with fstat through the descriptor.
	if w.path != "" && w.kind != Symlink {
		var st unix.Stat_t
		if err := unix.Stat(w.path, &st); err != nil {
			t.Fatal(err)
		}
		if info.Dev != uint64(st.Dev) || info.Ino != st.Ino {
			t.Errorf("Dev, Ino = %#x, %d; stat(%s) gives %#x, %d", info.Dev, info.Ino, w.path, st.Dev, st.Ino)
		}
		if info.Rdev != uint64(st.Rdev) {
			t.Errorf("Rdev = %#x; stat(%s) gives %#x", info.Rdev, w.path, st.Rdev)
		}
		if info.Mode != st.Mode {
			t.Errorf("Mode = %#o; stat(%s) gives %#o", info.Mode, w.path, st.Mode)
		}
	}
	if w.kind == Pipe || w.kind == Socket {
		link, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", testfd.Fd(t, f)))
		if err != nil {
			t.Fatal(err)
		}
		if w.path == "" { // anonymous pipes and sockets
			want := fmt.Sprintf("%s:[%d]", map[Kind]string{Pipe: "pipe", Socket: "socket"}[w.kind], info.Ino)
			if link != want {
				t.Errorf("/proc/self/fd link = %q; want %q from Ino", link, want)
			}
		}
	}
}

// TestOfKeepsNonblock: Of must not switch a descriptor Go made nonblocking
// back to blocking, as f.Fd() does (PITFALLS 5).
func TestOfKeepsNonblock(t *testing.T) {
	r, w, err := os.Pipe() // Go puts both ends in nonblocking mode for its poller
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for _, f := range []*os.File{r, w} {
		info, err := Of(f)
		if err != nil {
			t.Fatal(err)
		}
		if !info.Nonblock {
			t.Errorf("Of(%s).Nonblock = false; want true (os.Pipe is nonblocking)", f.Name())
		}
		fl, err := unix.FcntlInt(uintptr(testfd.Fd(t, f)), unix.F_GETFL, 0)
		if err != nil {
			t.Fatal(err)
		}
		if fl&unix.O_NONBLOCK == 0 {
			t.Errorf("after Of(%s), O_NONBLOCK is clear; Of must not change the flags", f.Name())
		}
	}
}

// TestFlagsOfOpenFileDescription: the flags belong to the open file
// description, so a dup sees what fcntl(F_SETFL) did through another fd.
func TestFlagsOfOpenFileDescription(t *testing.T) {
	f := testfd.Open(t, filepath.Join(t.TempDir(), "f"), os.O_WRONLY|os.O_CREATE)
	fd := testfd.Fd(t, f)
	dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(dup)
	for _, step := range []struct {
		flags            int
		append, nonblock bool
	}{
		{0, false, false},
		{unix.O_APPEND, true, false},
		{unix.O_NONBLOCK, false, true},
		{unix.O_APPEND | unix.O_NONBLOCK, true, true},
		{0, false, false},
	} {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFL, step.flags); err != nil {
			t.Fatal(err)
		}
		info, err := Stat(dup)
		if err != nil {
			t.Fatal(err)
		}
		if info.Append != step.append || info.Nonblock != step.nonblock {
			t.Errorf("after F_SETFL %#x: Append, Nonblock = %v, %v; want %v, %v",
				step.flags, info.Append, info.Nonblock, step.append, step.nonblock)
		}
		if !info.Writable || info.Readable {
			t.Errorf("after F_SETFL %#x: Readable, Writable = %v, %v; want false, true", step.flags, info.Readable, info.Writable)
		}
	}
}

func TestSameFile(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a")
	b := filepath.Join(dir, "b")
	for _, p := range []string{a, b} {
		if err := os.WriteFile(p, []byte(p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hard := filepath.Join(dir, "hard")
	if err := os.Link(a, hard); err != nil {
		t.Fatal(err)
	}
	r1, w1 := testfd.Pipe(t, 0)
	r2, _ := testfd.Pipe(t, 0)
	s1, s2 := testfd.SocketPair(t, unix.SOCK_STREAM)
	sdup, err := unix.FcntlInt(uintptr(testfd.Fd(t, s1)), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	s1dup := testfd.NewFile(t, sdup, "dup")
	ev1, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	ev := testfd.NewFile(t, ev1, "eventfd")

	tests := []struct {
		name string
		x, y *os.File
		want bool
	}{
		{"file/same-path", testfd.Open(t, a, os.O_RDONLY), testfd.Open(t, a, os.O_WRONLY|os.O_APPEND), true},
		{"file/hard-link", testfd.Open(t, a, os.O_RDONLY), testfd.Open(t, hard, os.O_RDONLY), true},
		{"file/other", testfd.Open(t, a, os.O_RDONLY), testfd.Open(t, b, os.O_RDONLY), false},
		{"file/directory", testfd.Open(t, a, os.O_RDONLY), testfd.Open(t, dir, os.O_RDONLY), false},
		{"pipe/two-ends", r1, w1, true},
		{"pipe/other-pipe", r1, r2, false},
		{"unix-stream/two-ends", s1, s2, false},
		{"unix-stream/dup", s1, s1dup, true},
		{"dev/null-twice", testfd.Open(t, "/dev/null", os.O_RDONLY), testfd.Open(t, "/dev/null", os.O_WRONLY), true},
		{"dev/null-zero", testfd.Open(t, "/dev/null", os.O_RDONLY), testfd.Open(t, "/dev/zero", os.O_RDONLY), false},
		// Anonymous inodes have no kind zcopy knows: never "the same".
		{"eventfd/itself", ev, ev, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := Of(tt.x)
			if err != nil {
				t.Fatal(err)
			}
			y, err := Of(tt.y)
			if err != nil {
				t.Fatal(err)
			}
			if got := x.SameFile(y); got != tt.want {
				t.Errorf("SameFile = %v; want %v (%+v vs %+v)", got, tt.want, x, y)
			}
			if got := y.SameFile(x); got != tt.want {
				t.Errorf("SameFile reversed = %v; want %v", got, tt.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	if _, err := Stat(-1); !errors.Is(err, syscall.EBADF) {
		t.Errorf("Stat(-1) error = %v; want EBADF", err)
	}
	f, err := os.Open("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := Of(f); err == nil {
		t.Errorf("Of(closed file) error = nil; want an error")
	}
}

// --- helpers ---

func mkfifo(t *testing.T, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := unix.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// loopDevice attaches a loop device to a new file of size bytes and
// returns the device opened read-only.
func loopDevice(t *testing.T, size int64) *os.File {
	t.Helper()
	testfs.RequireRoot(t)
	backing := testfd.Open(t, filepath.Join(t.TempDir(), "backing"), os.O_RDWR|os.O_CREATE)
	if err := backing.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return testfd.LoopDevice(t, backing)
}

// mountFSType returns the filesystem type of the mount holding path, as
// /proc/self/mountinfo names it: a source independent of statfs(2).
func mountFSType(t *testing.T, path string) string {
	t.Helper()
	path, err := filepath.EvalSymlinks(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	best, typ := "", ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMount(fields[4])
		sep := -1
		for i, f := range fields {
			if f == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+1 >= len(fields) {
			continue
		}
		if (path == mp || strings.HasPrefix(path, strings.TrimSuffix(mp, "/")+"/")) && len(mp) >= len(best) {
			best, typ = mp, fields[sep+1]
		}
	}
	return typ
}

func unescapeMount(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
