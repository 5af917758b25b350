package progress

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zcopy/zcopy/internal/testfd"
)

func TestLine(t *testing.T) {
	for _, c := range []struct {
		done, total int64
		note        string
		elapsed     time.Duration
		width       int
		want        string
	}{
		{0, 0, "", 0, 80, "0 B"},
		{3 << 20, 0, "", time.Second, 80, "3.0 MiB  3.0 MiB/s"},
		{1 << 30, 4 << 30, "", 2 * time.Second, 80,
			" 25% [========>                       ] 1.0 GiB / 4.0 GiB  512.0 MiB/s  6s left"},
		{4 << 30, 4 << 30, "2/2 files", 2 * time.Second, 80,
			"100% [================================] 4.0 GiB / 4.0 GiB  2.0 GiB/s  2/2 files"},
		// Too narrow for a bar: the numbers, cut to the width.
		{1 << 20, 2 << 20, "", time.Second, 30, " 50% 1.0 MiB / 2.0 MiB  1.0 M"},
		// A total passed by what is done already grows to it.
		{5 << 20, 1 << 20, "", time.Second, 80, "100% [========================================] 5.0 MiB / 5.0 MiB  5.0 MiB/s"},
	} {
		got := (&Bar{}).Line(c.done, c.total, c.note, c.elapsed, c.width)
		if got != c.want {
			t.Errorf("Line(%d, %d, %q, %v, %d) =\n%q; want\n%q", c.done, c.total, c.note, c.elapsed, c.width, got, c.want)
		}
		if len(got) >= c.width {
			t.Errorf("Line(%d, %d, ...) is %d columns wide; want under %d", c.done, c.total, len(got), c.width)
		}
	}
}

func TestSizeDuration(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 1 << 40: "1.0 TiB"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q; want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{7 * time.Second: "7s", 125 * time.Second: "2m05s", 3720 * time.Second: "1h02m"} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q; want %q", d, got, want)
		}
	}
}

// TestNewOnlyOnTerminal: a regular file, a pipe get no bar; a pty does.
func TestNewOnlyOnTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if New(f) != nil {
		t.Errorf("New(regular file) is a bar; want nil")
	}
	_, w := testfd.Pipe(t, 0)
	if New(w) != nil {
		t.Errorf("New(pipe) is a bar; want nil")
	}
	_, slave := testfd.Pty(t, 0)
	if New(slave) == nil {
		t.Errorf("New(pty) is nil; want a bar")
	}
}

// TestDrawOnPty draws on a real terminal and reads what reached it: the
// bar on one line rewritten in place, a message above it, a clean line at
// the end.
func TestDrawOnPty(t *testing.T) {
	master, slave := testfd.Pty(t, 0)
	testfd.SetTermios(t, slave, testfd.MakeRaw)
	b := New(slave)
	if b == nil {
		t.Fatal("New(pty) = nil")
	}
	var done int64 = 1 << 20
	b.Start(func() (int64, int64, string) { return done, 4 << 20, "" })
	time.Sleep(2*Tick + Tick/2)
	b.Write([]byte("a message\n"))
	b.Draw()
	b.Stop()
	slave.Close()
	buf := make([]byte, 1<<16)
	var out []byte
	for {
		n, err := master.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil || n == 0 {
			break
		}
	}
	s := string(out)
	if n := strings.Count(s, "\r 25% ["); n < 2 {
		t.Errorf("the bar was drawn %d times; want at least 2 (two ticks): %q", n, s)
	}
	if !strings.Contains(s, "1.0 MiB / 4.0 MiB") {
		t.Errorf("no byte counts in %q", s)
	}
	if !strings.Contains(s, "\x1b[K\r\x1b[Ka message\n\r 25%") {
		t.Errorf("the message is not on a cleared line with the bar drawn after it: %q", s)
	}
	if !strings.HasSuffix(s, "\x1b[K\r\x1b[K") {
		t.Errorf("the bar is not cleared at the end: %q", s)
	}
}
