package fdkind

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestKnown opens files and directories with every access mode and flag
// Info keeps, and checks that the description made from the fstat and the
// open flags is the one Stat makes by asking the kernel.
func TestKnown(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "reg")
	if err := os.WriteFile(reg, []byte("forty-two"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		path  string
		flags int
	}{
		{"file/rdonly", reg, unix.O_RDONLY},
		{"file/wronly", reg, unix.O_WRONLY},
		{"file/rdwr", reg, unix.O_RDWR},
		{"file/wronly+append", reg, unix.O_WRONLY | unix.O_APPEND},
		{"file/rdonly+nonblock", reg, unix.O_RDONLY | unix.O_NONBLOCK},
		{"file/rdonly+nofollow", reg, unix.O_RDONLY | unix.O_NOFOLLOW},
		{"file/path", reg, unix.O_PATH},
		{"directory/rdonly", dir, unix.O_RDONLY | unix.O_DIRECTORY},
		{"directory/path", dir, unix.O_PATH | unix.O_DIRECTORY},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fd, err := unix.Open(tc.path, tc.flags|unix.O_CLOEXEC, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer unix.Close(fd)
			want, err := Stat(fd)
			if err != nil {
				t.Fatal(err)
			}
			var st unix.Stat_t
			if err := unix.Fstat(fd, &st); err != nil {
				t.Fatal(err)
			}
			got, err := Known(fd, &st, tc.flags, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("Known(fd, st, %#x, 0) = %+v; want Stat's %+v", tc.flags, got, want)
			}
			// A magic the caller knows is taken as it is.
			got, err = Known(fd, &st, tc.flags, MagicBtrfs)
			if err != nil {
				t.Fatal(err)
			}
			want.FSMagic = MagicBtrfs
			if got != want {
				t.Errorf("Known(fd, st, %#x, btrfs) = %+v; want %+v", tc.flags, got, want)
			}
		})
	}
}

// TestKnownOtherKinds checks that kinds that a stat alone cannot tell
// apart get Stat's full description: a pipe, /dev/null, a tty, a socket.
func TestKnownOtherKinds(t *testing.T) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	sp, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(sp[0])
	defer unix.Close(sp[1])
	null, err := unix.Open("/dev/null", unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(null)
	fds := []struct {
		name  string
		fd    int
		flags int
		kind  Kind
	}{
		{"pipe", p[1], unix.O_WRONLY, Pipe},
		{"socket", sp[0], unix.O_RDWR, Socket},
		{"chardev", null, unix.O_WRONLY, CharDev},
	}
	if ptmx, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0); err == nil {
		defer unix.Close(ptmx)
		fds = append(fds, struct {
			name  string
			fd    int
			flags int
			kind  Kind
		}{"tty", ptmx, unix.O_RDWR, TTY})
	}
	for _, tc := range fds {
		t.Run(tc.name, func(t *testing.T) {
			var st unix.Stat_t
			if err := unix.Fstat(tc.fd, &st); err != nil {
				t.Fatal(err)
			}
			got, err := Known(tc.fd, &st, tc.flags, 0)
			if err != nil {
				t.Fatal(err)
			}
			want, err := Stat(tc.fd)
			if err != nil {
				t.Fatal(err)
			}
			if got != want || got.Kind != tc.kind {
				t.Errorf("Known = %+v; want Stat's %+v, of kind %v", got, want, tc.kind)
			}
		})
	}
}
