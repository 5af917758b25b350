package testfd

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// flags returns f's F_GETFL and F_GETFD flags.
func flags(t *testing.T, f *os.File) (fl, fdfl int) {
	t.Helper()
	fd := Fd(t, f)
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		t.Fatal(err)
	}
	fdfl, err = unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	if err != nil {
		t.Fatal(err)
	}
	return fl, fdfl
}

// TestFlags: every descriptor is close-on-exec, and O_NONBLOCK is there
// exactly when asked for.
func TestFlags(t *testing.T) {
	type end struct {
		name     string
		f        *os.File
		nonblock bool
	}
	var ends []end
	add := func(name string, nonblock bool, fs ...*os.File) {
		for _, f := range fs {
			ends = append(ends, end{name, f, nonblock})
		}
	}
	r, w := Pipe(t, 0)
	add("pipe", false, r, w)
	r, w = Pipe(t, unix.O_NONBLOCK)
	add("nonblock-pipe", true, r, w)
	r, w = FIFO(t)
	add("fifo", false, r, w)
	a, b := SocketPair(t, unix.SOCK_STREAM)
	add("unix-stream", false, a, b)
	a, b = SocketPair(t, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK)
	add("nonblock-unix-dgram", true, a, b)
	c, s := TCPPair(t)
	add("tcp", false, c, s)
	m, sl := Pty(t, unix.O_NONBLOCK)
	add("pty-master", true, m)
	add("pty-slave", false, sl)
	p := filepath.Join(t.TempDir(), "f")
	add("file", false, Open(t, p, unix.O_WRONLY|unix.O_CREAT|unix.O_APPEND))
	for _, e := range ends {
		fl, fdfl := flags(t, e.f)
		if fdfl&unix.FD_CLOEXEC == 0 {
			t.Errorf("%s %s: FD_CLOEXEC is clear", e.name, e.f.Name())
		}
		if got := fl&unix.O_NONBLOCK != 0; got != e.nonblock {
			t.Errorf("%s %s: O_NONBLOCK = %v; want %v", e.name, e.f.Name(), got, e.nonblock)
		}
	}
	if fl, _ := flags(t, ends[len(ends)-1].f); fl&unix.O_APPEND == 0 {
		t.Errorf("Open(O_APPEND): O_APPEND is clear")
	}
}

// TestEndsConnected: what goes in at one end comes out at the other.
func TestEndsConnected(t *testing.T) {
	pairs := map[string]func() (w, r *os.File){
		"pipe":        func() (*os.File, *os.File) { r, w := Pipe(t, 0); return w, r },
		"fifo":        func() (*os.File, *os.File) { r, w := FIFO(t); return w, r },
		"unix-stream": func() (*os.File, *os.File) { return SocketPair(t, unix.SOCK_STREAM) },
		"tcp":         func() (*os.File, *os.File) { return TCPPair(t) },
		"raw-pty": func() (*os.File, *os.File) {
			m, s := Pty(t, 0)
			SetTermios(t, s, MakeRaw)
			return m, s
		},
	}
	for name, mk := range pairs {
		t.Run(name, func(t *testing.T) {
			w, r := mk()
			// CR and ^C: a raw pty passes them as they are.
			msg := []byte("zcopy\r\n\x03")
			if _, err := w.Write(msg); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, len(msg))
			if _, err := io.ReadFull(r, got); err != nil || string(got) != string(msg) {
				t.Errorf("read %q, %v; want %q", got, err, msg)
			}
		})
	}
}

func TestPtySlaveName(t *testing.T) {
	_, s := Pty(t, 0)
	if !strings.HasPrefix(s.Name(), "/dev/pts/") {
		t.Fatalf("slave named %q; want /dev/pts/N", s.Name())
	}
	if _, err := unix.IoctlGetTermios(Fd(t, s), unix.TCGETS); err != nil {
		t.Errorf("TCGETS on the slave: %v; want a terminal", err)
	}
}

func TestLoopDevice(t *testing.T) {
	data := []byte(strings.Repeat("zcopy loop ", 4096/11+1))[:4096]
	p := filepath.Join(t.TempDir(), "backing")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	dev := LoopDevice(t, Open(t, p, unix.O_RDONLY))
	var st unix.Stat_t
	if err := unix.Fstat(Fd(t, dev), &st); err != nil {
		t.Fatal(err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFBLK {
		t.Errorf("%s: mode %#o; want a block device", dev.Name(), st.Mode)
	}
	got, err := io.ReadAll(dev)
	if err != nil || string(got) != string(data) {
		t.Errorf("read %d bytes, %v; want the backing file's %d", len(got), err, len(data))
	}
}

// TestShutdown: after SHUT_WR, writing fails with EPIPE, and the other end
// reads the data, then EOF.
func TestShutdown(t *testing.T) {
	a, b := SocketPair(t, unix.SOCK_STREAM)
	if _, err := a.Write([]byte("zcopy")); err != nil {
		t.Fatal(err)
	}
	if err := Shutdown(a, unix.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	// Checked first: with the socket still open for writing, the read
	// below would wait forever.
	if _, err := unix.SendmsgN(Fd(t, a), []byte("x"), nil, nil, unix.MSG_NOSIGNAL); err != unix.EPIPE {
		t.Fatalf("send after SHUT_WR: %v; want EPIPE", err)
	}
	if got, err := io.ReadAll(b); err != nil || string(got) != "zcopy" {
		t.Errorf("read %q, %v; want \"zcopy\" then EOF", got, err)
	}
	if err := Shutdown(a, 99); err == nil {
		t.Errorf("Shutdown(how=99) = nil; want EINVAL")
	}
}

func TestSysfsFile(t *testing.T) {
	p := SysfsFile(t)
	var sfs unix.Statfs_t
	if err := unix.Statfs(p, &sfs); err != nil {
		t.Fatal(err)
	}
	if sfs.Type != unix.SYSFS_MAGIC {
		t.Errorf("%s: f_type %#x; want sysfs", p, sfs.Type)
	}
}
