package tests

// -g, --progress on zcat and ztee: a bar on standard error when it is a
// terminal, nothing otherwise, and the data still on the zero-copy path.

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/zcopy/zcopy/internal/testfd"
)

// progressRun runs argv with stdin from stdin (a file path, or nil data fed
// through a pipe with a pause after the first MiB), stdout a pipe that the
// test reads with a pause after the first MiB, and stderr a pty (tty) or a
// regular file. The pauses last several ticks of the bar. It returns what
// reached stdout and stderr, and the exit status.
func progressRun(t *testing.T, argv []string, stdinFile string, stdinData []byte, tty bool) (out, stderr []byte, code int) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	var feed func()
	if stdinFile != "" {
		f, err := os.Open(stdinFile)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd.Stdin = f
	} else {
		r, w := testfd.Pipe(t, 0)
		cmd.Stdin = r
		feed = func() {
			r.Close()
			w.Write(stdinData[:1<<20])
			time.Sleep(600 * time.Millisecond)
			w.Write(stdinData[1<<20:])
			w.Close()
		}
	}
	or, ow := testfd.Pipe(t, 0)
	cmd.Stdout = ow
	var errEnd *dstEnd
	var errPath string
	if tty {
		errEnd = dstPty.Open(t)
		cmd.Stderr = errEnd.File
	} else {
		errPath = filepath.Join(t.TempDir(), "stderr")
		f, err := os.Create(errPath)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd.Stderr = f
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ow.Close()
	if errEnd != nil {
		errEnd.Started()
	}
	if feed != nil {
		go feed()
	}
	first := make([]byte, 1<<20)
	if _, err := io.ReadFull(or, first); err != nil {
		t.Fatal(err)
	}
	time.Sleep(600 * time.Millisecond)
	rest, err := io.ReadAll(or)
	if err != nil {
		t.Fatal(err)
	}
	code, sig := exitStatus(t, cmd.Wait())
	if sig != 0 {
		t.Fatalf("%v died of %v", argv, sig)
	}
	if errEnd != nil {
		stderr, err = errEnd.Output()
		if err != nil {
			t.Fatal(err)
		}
	} else {
		stderr, err = os.ReadFile(errPath)
		if err != nil {
			t.Fatal(err)
		}
	}
	return append(first, rest...), stderr, code
}

var (
	// barWithTotal is a bar that knows the total: percent, bar, counts.
	barWithTotal = regexp.MustCompile(`\r +\d+% \[=*>? *\] [\d.]+ [KMG]?i?B / 8\.0 MiB`)
	// barNoTotal is bytes and a rate, without percent.
	barNoTotal = regexp.MustCompile(`\r[\d.]+ [KMG]?i?B  [\d.]+ [KMG]?i?B/s`)
)

func TestProgress(t *testing.T) {
	zcat, ztee, zcp := bin(t, "zcat"), bin(t, "ztee"), bin(t, "zcp")
	data := randomData(8 << 20)
	in := tempFile(t, data)
	out := filepath.Join(t.TempDir(), "copy")
	for _, c := range []struct {
		name    string
		argv    []string
		file    bool // stdin is the file, not a pipe
		tty     bool
		pattern *regexp.Regexp // nil: stderr must stay empty
	}{
		{"zcat-file", []string{zcat, "-g", in}, false, true, barWithTotal},
		{"zcat-stdin-file", []string{zcat, "--progress"}, true, true, barWithTotal},
		{"zcat-stdin-pipe", []string{zcat, "-g"}, false, true, barNoTotal},
		{"zcat-formatted", []string{zcat, "-g", "-v", in}, false, true, barWithTotal},
		{"zcat-mmap", []string{zcat, "-g", "--method=mmap", in}, false, true, barWithTotal},
		{"zcat-not-a-tty", []string{zcat, "-g", in}, false, false, nil},
		{"ztee-stdin-pipe", []string{ztee, "-g", out}, false, true, barNoTotal},
		{"ztee-stdin-file", []string{ztee, "-g", out}, true, true, barWithTotal},
		{"ztee-not-a-tty", []string{ztee, "-g", out}, false, false, nil},
		// zcp's bar is the same one, with its files as a note.
		{"zcp", []string{zcp, "-g", in, "/dev/stdout"}, false, true, barWithTotal},
		{"zcp-not-a-tty", []string{zcp, "-g", in, "/dev/stdout"}, false, false, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			stdinFile := ""
			if c.file {
				stdinFile = in
			}
			got, stderr, code := progressRun(t, c.argv, stdinFile, data, c.tty)
			if code != 0 {
				t.Fatalf("status %d, stderr %q", code, stderr)
			}
			if c.name != "zcat-formatted" {
				if d := diffBytes(got, data); d != "" {
					t.Errorf("wrote %s", d)
				}
			}
			if c.pattern == nil {
				if len(stderr) != 0 {
					t.Errorf("stderr %q; want nothing when it is not a terminal", stderr)
				}
				return
			}
			if n := len(c.pattern.FindAll(stderr, -1)); n < 2 {
				t.Errorf("the bar matching %s was drawn %d times; want at least 2: %q", c.pattern, n, stderr)
			}
			if c.pattern == barNoTotal && bytes.Contains(stderr, []byte("%")) {
				t.Errorf("a bar with a percentage without a known total: %q", stderr)
			}
			if !bytes.HasSuffix(stderr, []byte("\r\x1b[K")) {
				t.Errorf("the bar is not cleared at the end: %q", stderr[max(0, len(stderr)-80):])
			}
		})
	}
}

// TestProgressStrace: with --progress, on a terminal, the data still moves
// by splice alone; the bar only reads the engine's counter.
func TestProgressStrace(t *testing.T) {
	zcat := bin(t, "zcat")
	data := randomData(8 << 20)
	in := tempFile(t, data)
	log := filepath.Join(t.TempDir(), "trace")
	got, stderr, code := progressRun(t, straced(t, log, zcat, "-g", in), in, nil, true)
	if code != 0 {
		t.Fatalf("status %d, stderr %q", code, stderr)
	}
	if d := diffBytes(got, data); d != "" {
		t.Fatalf("wrote %s", d)
	}
	if !barWithTotal.Match(stderr) {
		t.Errorf("no bar drawn under strace: %q", stderr)
	}
	checkZeroCopy(t, log, int64(len(data)))
	if read, written := userTally(t, log); read != 0 || written != 0 {
		t.Errorf("read(2) moved %d bytes of data, write(2) %d; want none", read, written)
	}
}
