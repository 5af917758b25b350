package testfd

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/testfs"
)

// NewFile makes fd an *os.File named name, closed at the end of the test.
func NewFile(t testing.TB, fd int, name string) *os.File {
	t.Helper()
	f := os.NewFile(uintptr(fd), name)
	t.Cleanup(func() { f.Close() })
	return f
}

// Open opens path with exactly flag (and O_CLOEXEC; mode 0644 when it
// creates the file). os.OpenFile would add O_NONBLOCK to whatever epoll
// accepts (FIFOs, ttys, sysfs files), and a test must know the flags.
func Open(t testing.TB, path string, flag int) *os.File {
	t.Helper()
	fd, err := unix.Open(path, flag|unix.O_CLOEXEC, 0o644)
	if err != nil {
		t.Fatal(&os.PathError{Op: "open", Path: path, Err: err})
	}
	return NewFile(t, fd, path)
}

// Fd returns f's descriptor without f.Fd, which would make it blocking.
func Fd(t testing.TB, f *os.File) int {
	t.Helper()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var fd int
	if err := rc.Control(func(u uintptr) { fd = int(u) }); err != nil {
		t.Fatal(err)
	}
	return fd
}

// Pipe makes a pipe with pipe2 flags: 0, or O_NONBLOCK, which is then on
// both ends (each end's open file description has it).
func Pipe(t testing.TB, flags int) (r, w *os.File) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|flags); err != nil {
		t.Fatal(err)
	}
	return NewFile(t, p[0], "pipe-r"), NewFile(t, p[1], "pipe-w")
}

// FIFO makes a FIFO in a new directory and opens both of its ends,
// blocking. The open of one end of a FIFO waits for the other, so the read
// end is opened nonblocking first, then made blocking (it is the test's
// own open file description, shared with nobody yet).
func FIFO(t testing.TB) (r, w *os.File) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fifo")
	if err := unix.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Blocking again before os.NewFile sees it, which then makes a
	// blocking file of it, not a pollable one.
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	return NewFile(t, fd, p), Open(t, p, unix.O_WRONLY)
}

// SocketPair returns two connected AF_UNIX sockets of type typ
// (SOCK_STREAM or SOCK_DGRAM, with SOCK_NONBLOCK if wanted).
func SocketPair(t testing.TB, typ int) (a, b *os.File) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	return NewFile(t, fds[0], "sock-a"), NewFile(t, fds[1], "sock-b")
}

// TCPPair connects two blocking TCP sockets on 127.0.0.1, without the net
// package (whose descriptors are nonblocking, and stay so in a child).
func TCPPair(t testing.TB) (client, server *os.File) {
	t.Helper()
	l, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(l)
	if err := unix.Bind(l, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(l, 1); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(l)
	if err != nil {
		t.Fatal(err)
	}
	c, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	client = NewFile(t, c, "tcp-client")
	// A loopback connect completes at once against a listening socket.
	if err := unix.Connect(c, sa); err != nil {
		t.Fatal(err)
	}
	s, _, err := unix.Accept4(l, unix.SOCK_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	return client, NewFile(t, s, "tcp-server")
}

// Shutdown shuts the socket f down for how (unix.SHUT_RD, SHUT_WR or
// SHUT_RDWR). It takes no testing.TB: feeders and drainers call it from
// their own goroutines.
func Shutdown(f *os.File, how int) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = unix.Shutdown(int(fd), how) }); err != nil {
		return err
	}
	return serr
}

// Pty opens a new pseudo-terminal, neither end a controlling terminal:
// the master with masterFlags added (O_NONBLOCK lets Close end a write
// that nobody will drain), the slave blocking and named /dev/pts/N. The
// line discipline is the kernel's default (canonical, echo on) until
// SetTermios changes it.
func Pty(t testing.TB, masterFlags int) (master, slave *os.File) {
	t.Helper()
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC|masterFlags, 0)
	if err != nil {
		testfs.Unavailable(t, "no pseudo-terminals here: %v", err)
	}
	master = NewFile(t, fd, "/dev/ptmx")
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal("unlockpt:", err)
	}
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal("ptsname:", err)
	}
	return master, Open(t, "/dev/pts/"+strconv.Itoa(int(n)), unix.O_RDWR|unix.O_NOCTTY)
}

// SetTermios changes the line discipline of the terminal f with edit.
func SetTermios(t testing.TB, f *os.File, edit func(*unix.Termios)) {
	t.Helper()
	fd := Fd(t, f)
	tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	edit(tio)
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, tio); err != nil {
		t.Fatal(err)
	}
}

// MakeRaw is cfmakeraw(3), for SetTermios: bytes pass unchanged (no CR/NL
// mapping, no echo, no signal characters, no flow control), and a read
// returns as soon as one byte is there.
func MakeRaw(tio *unix.Termios) {
	tio.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	tio.Oflag &^= unix.OPOST
	tio.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	tio.Cflag &^= unix.CSIZE | unix.PARENB
	tio.Cflag |= unix.CS8
	tio.Cc[unix.VMIN], tio.Cc[unix.VTIME] = 1, 0
}

// SysfsFile returns the path of a regular sysfs file that can be read: a
// virtual file whose st_size (4096) says nothing of what it holds.
func SysfsFile(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"/sys/kernel/address_bits", "/sys/kernel/profiling", "/sys/power/state", "/sys/kernel/uevent_seqnum"} {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			if _, err := os.ReadFile(p); err == nil {
				return p
			}
		}
	}
	testfs.Unavailable(t, "no readable sysfs file")
	return ""
}

// LoopDevice attaches a read-only loop device to backing (a regular file
// open for reading) and returns the device open for reading; it detaches
// itself when closed (LO_FLAGS_AUTOCLEAR). It needs root.
func LoopDevice(t testing.TB, backing *os.File) *os.File {
	t.Helper()
	testfs.RequireRoot(t)
	ctl, err := os.OpenFile("/dev/loop-control", os.O_RDWR, 0)
	if err != nil {
		testfs.Unavailable(t, "no loop devices: %v", err)
	}
	defer ctl.Close()
	for try := 0; try < 20; try++ {
		n, err := unix.IoctlRetInt(Fd(t, ctl), unix.LOOP_CTL_GET_FREE)
		if err != nil {
			testfs.Unavailable(t, "LOOP_CTL_GET_FREE: %v", err)
		}
		name := "/dev/loop" + strconv.Itoa(n)
		fd, err := unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			testfs.Unavailable(t, "open %s: %v (no device node in this container?)", name, err)
		}
		err = unix.IoctlLoopConfigure(fd, &unix.LoopConfig{
			Fd:   uint32(Fd(t, backing)),
			Info: unix.LoopInfo64{Flags: unix.LO_FLAGS_AUTOCLEAR | unix.LO_FLAGS_READ_ONLY},
		})
		if errors.Is(err, unix.EBUSY) {
			unix.Close(fd) // taken by another process between the two calls
			continue
		}
		if err != nil {
			unix.Close(fd)
			testfs.Unavailable(t, "LOOP_CONFIGURE %s: %v", name, err)
		}
		return NewFile(t, fd, name)
	}
	testfs.Unavailable(t, "no free loop device after 20 tries")
	return nil
}
