package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestMain lets the test binary run as the child of TestCheckStdio: a
// process of its own, whose descriptors the runtime has just checked.
func TestMain(m *testing.M) {
	if os.Getenv("ZCOPY_CHECKSTDIO_CHILD") == "1" {
		c := checkStdio()
		// What a read of fd 0 and a write of fd 1 give now.
		_, rerr := unix.Read(0, make([]byte, 1))
		_, werr := unix.Write(1, []byte("x"))
		fmt.Fprintf(os.Stderr, "closed=%v,%v read=%v write=%v", c[0], c[1], errno(rerr), errno(werr))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func errno(err error) string {
	var e unix.Errno
	if errors.As(err, &e) {
		return unix.ErrnoName(e)
	}
	return "ok"
}

// TestCheckStdio starts a process with its standard descriptors set up by
// a shell and checks what checkStdio makes of them.
func TestCheckStdio(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		redir string
		want  string
	}{
		{"", "closed=false,false read=ok write=ok"},
		{">&-", "closed=false,true read=ok write=EBADF"},
		{"<&-", "closed=true,false read=EBADF write=ok"},
		{"<&- >&-", "closed=true,true read=EBADF write=EBADF"},
		{">/dev/null", "closed=false,false read=ok write=ok"},
		{"</dev/null >/dev/null", "closed=false,false read=ok write=ok"},
		{">>/dev/null", "closed=false,false read=ok write=ok"},
		// One description for 0 and 1, as daemon(3) leaves them: the
		// parent's, not the runtime's.
		{"<>/dev/null >&0", "closed=false,false read=ok write=ok"},
		{">&- </dev/null", "closed=false,true read=ok write=EBADF"},
		// Where the runtime's /dev/null cannot be told apart: a parent
		// that opens /dev/null read-write for one descriptor alone.
		{"1<>/dev/null", "closed=false,true read=ok write=EBADF"},
		{"<>/dev/null", "closed=true,false read=EBADF write=ok"},
	}
	for _, tt := range tests {
		// Standard input is a pipe unless the case says otherwise, so
		// that the read does not wait.
		cmd := exec.Command(sh, "-c", `exec "$0" -test.run=^$ `+tt.redir, self)
		cmd.Env = append(os.Environ(), "ZCOPY_CHECKSTDIO_CHILD=1")
		cmd.Stdin = strings.NewReader("input")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("%q: %v, stderr %q", tt.redir, err, stderr.String())
			continue
		}
		if got := stderr.String(); got != tt.want {
			t.Errorf("%q: %s; want %s", tt.redir, got, tt.want)
		}
		if tt.redir == "" && string(out) != "x" {
			t.Errorf("%q: stdout %q; want the write", tt.redir, out)
		}
	}
}

func TestStandIn(t *testing.T) {
	const rdwr = unix.O_RDWR | 0x8000 // what a 64-bit x86 kernel reports
	null := fdState{devNull: true, known: true, flags: rdwr}
	tty := fdState{}
	differ := func(a, b int) (bool, error) { return false, nil }
	same := func(a, b int) (bool, error) { return true, nil }
	noKcmp := func(a, b int) (bool, error) { return false, unix.ENOSYS }
	tests := []struct {
		name    string
		st      [3]fdState
		sameOFD func(a, b int) (bool, error)
		want    bool // for fd 1
	}{
		{"stand-in", [3]fdState{tty, null, tty}, noKcmp, true},
		{"tty", [3]fdState{tty, tty, tty}, differ, false},
		{"write-only", [3]fdState{tty, {devNull: true, known: true, flags: unix.O_WRONLY | 0x8000}, tty}, differ, false},
		{"append", [3]fdState{tty, {devNull: true, known: true, flags: rdwr | unix.O_APPEND}, tty}, differ, false},
		{"nonblock", [3]fdState{tty, {devNull: true, known: true, flags: rdwr | unix.O_NONBLOCK}, tty}, differ, false},
		{"cloexec", [3]fdState{tty, {devNull: true, known: true, flags: rdwr, fdFlags: unix.FD_CLOEXEC}, tty}, differ, false},
		{"unknown-flags", [3]fdState{tty, {devNull: true}, tty}, differ, false},
		{"two-stand-ins", [3]fdState{null, null, tty}, differ, true},
		{"shared-with-stdin", [3]fdState{null, null, tty}, same, false},
		{"shared-with-stderr", [3]fdState{tty, null, null}, same, false},
		{"no-kcmp-two-nulls", [3]fdState{tty, null, null}, noKcmp, false},
	}
	for _, tt := range tests {
		if got := standIn(1, tt.st, rdwr, tt.sameOFD); got != tt.want {
			t.Errorf("standIn(1) %s = %v; want %v", tt.name, got, tt.want)
		}
	}
}
