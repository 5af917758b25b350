package tests

// Issue 8, section 2: special files. Without -R, or with --copy-contents,
// cp opens a FIFO, a device or a pipe named on the command line
// (/dev/stdin, <(cmd)) and copies what it reads into a regular file; with
// -R it makes a new FIFO or device node instead. Each case runs GNU cp and
// zcp in twin directories, feeding every FIFO that either may open.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestZcpSpecialLikeCp compares FIFOs, pipes, /dev/null and sockets as
// sources, with and without -R and --copy-contents.
func TestZcpSpecialLikeCp(t *testing.T) {
	hello := map[string]string{"f": "hello\n"}
	tree := `
mkdir -p d/sub t
mkfifo d/p; chmod 640 d/p
mkfifo d/sub/q
echo x > d/x
ln -s p d/lp
`
	treeFeed := map[string]string{"d/p": "first fifo\n", "d/sub/q": "second fifo\n"}
	zeros := strings.Repeat("\x00", 3*4096) + "end\n"
	cases := []twinCase{
		{name: "fifo", setup: "mkfifo f", feed: hello, args: "f out"},
		{name: "fifo-verbose-into-dir", setup: "mkfifo f; mkdir t", feed: hello, args: "-v f t"},
		{name: "fifo-mode", setup: "mkfifo -m 604 f", feed: hello, args: "f out"},
		{name: "fifo-p-copy-contents", setup: "mkfifo -m 640 f", feed: hello, args: "-p --copy-contents f copy"},
		{name: "fifo-p", setup: "mkfifo -m 640 f", feed: hello, args: "-p f copy"},
		{name: "fifo-R", setup: "mkfifo -m 640 f", args: "-Rv f copy"},
		{name: "fifo-R-copy-contents", setup: "mkfifo -m 640 f", feed: hello, args: "-Rv --copy-contents f copy"},
		{name: "fifo-a-copy-contents", setup: "mkfifo -m 640 f", feed: hello, args: "-a --copy-contents f copy"},
		{name: "fifo-onto-file", setup: "mkfifo f; echo old old old > out", feed: hello, args: "-v f out"},
		{name: "fifo-P-onto-file", setup: "mkfifo f; echo old > out", feed: hello, args: "-Pv f out"},
		{name: "fifo-onto-link", setup: "mkfifo f; echo old > target; ln -s target out", feed: hello, args: "f out"},
		{name: "fifo-onto-dangling", setup: "mkfifo f; ln -s nowhere out", feed: hello, args: "f out"},
		{name: "fifo-R-onto-file", setup: "mkfifo f; echo old > out", args: "-Rv f out"},
		{name: "fifo-sparse-always", setup: "mkfifo f", feed: map[string]string{"f": zeros}, args: "--sparse=always f out"},
		{name: "fifo-attributes-only", setup: "mkfifo -m 600 f", feed: hello, args: "--attributes-only f out"},
		{name: "fifo-n", setup: "mkfifo f; echo old > out", args: "-n f out"},
		{name: "fifo-u-older", setup: "mkfifo f; echo old > out; touch -d 2030-01-01 out", args: "-u f out"},
		{name: "fifo-l", setup: "mkfifo f", args: "-l f out"},
		{name: "fifo-s", setup: "mkfifo f", args: "-s f out"},
		{name: "fifo-twice-into-dir", setup: "mkfifo f; mkdir t", feed: hello, args: "-v f f t"},
		{name: "tree-R", setup: tree, args: "-Rv d copy"},
		{name: "tree-R-copy-contents", setup: tree, feed: treeFeed, args: "-Rv --copy-contents d copy"},
		{name: "tree-a-copy-contents", setup: tree, feed: treeFeed, args: "-a --copy-contents d t"},
		{name: "fifo-through-link", setup: tree, feed: map[string]string{"d/p": "via link\n"}, args: "d/lp out"},
		{name: "stdin-pipe", stdin: "hi\n", args: "/dev/stdin out"},
		{name: "stdin-pipe-into-dir", setup: "mkdir t", stdin: "hi\n", args: "-v /dev/stdin t"},
		{name: "stdin-pipe-p", stdin: "hi\n", args: "-p /dev/stdin out"},
		{name: "stdin-pipe-R", stdin: "hi\n", args: "-R /dev/stdin out"},
		{name: "process-substitution", fd3: "from a process\n", args: "/dev/fd/3 out"},
		{name: "process-substitution-verbose", setup: "mkdir t", fd3: "from a process\n", args: "-v /dev/fd/3 t"},
		{name: "dev-null", args: "/dev/null f"},
		{name: "dev-null-verbose-into-dir", setup: "mkdir t", args: "-v /dev/null t"},
		{name: "dev-null-onto-file", setup: "echo data > f", args: "/dev/null f"},
		{name: "dev-null-P", setup: "echo data > f", args: "-Pv /dev/null f"},
		{name: "dev-null-link", setup: "ln -s /dev/null n", args: "n f"},
		{name: "dev-null-link-R", setup: "ln -s /dev/null n", args: "-R n f"},
		{name: "socket", socket: "sock", args: "sock copy"},
		{name: "socket-R", socket: "sock", args: "-R sock copy"},
		{name: "socket-copy-contents", socket: "sock", args: "-R --copy-contents sock copy"},
		{name: "copy-contents-abbreviated", setup: "mkfifo f", feed: hello, args: "--copy-c -R f out"},
	}
	runTwinCases(t, cases)
}

// TestZcpDevicesLikeCpAsRoot compares device nodes that only root can
// make: read as data without -R (as root too, cp makes no device node
// then), re-created with -R, read again with --copy-contents.
func TestZcpDevicesLikeCpAsRoot(t *testing.T) {
	needRoot(t, "make device nodes")
	const setup = `
mkdir -p d t
mknod d/null c 1 3
mknod -m 620 d/owned c 1 3; chown 65534:65534 d/owned
echo x > d/x
mkdir bd; mknod bd/blk b 7 200
`
	runTwinCases(t, withSetup(setup,
		"/dev/null f",
		"-v d/null f",
		"-v d/null d/owned t",
		"-p d/owned f",
		"-R d/null f",
		"-Rp d/owned f",
		"-R d copy",
		"-a d copy",
		"-Rv --copy-contents d copy",
		"-a --copy-contents d copy",
		"--copy-contents d/null f",
		"-R bd copy",
		"-Rv /dev/null f",
	))
}

// TestZcpFIFOModeWhileWriting looks at the destination while cp still
// reads the FIFO (its writer has sent a first part and waits): it never
// has permissions the source does not give, and with -p none for group
// and others until the owner is set, as GNU cp creates it.
func TestZcpFIFOModeWhileWriting(t *testing.T) {
	gnuCp := gnu(t, "cp")
	zcp := bin(t, "zcp")
	for _, tc := range []struct {
		args   string
		fifo   uint32 // the source's mode
		during uint32 // the destination's mode while it is written
	}{
		{"f out", 0o640, 0o640},
		{"-p f out", 0o640, 0o600},
		{"-p --copy-contents -R f out", 0o644, 0o600},
		{"--preserve=mode f out", 0o604, 0o604},
		{"f out", 0o600, 0o600},
	} {
		t.Run(strings.ReplaceAll(tc.args, " ", "_"), func(t *testing.T) {
			root := t.TempDir()
			var final []cpRun
			for _, prog := range []string{gnuCp, zcp} {
				dir := filepath.Join(root, filepath.Base(prog))
				setupDir(t, dir, "")
				fifo := filepath.Join(dir, "f")
				if err := unix.Mkfifo(fifo, 0); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(fifo, os.FileMode(tc.fifo)); err != nil {
					t.Fatal(err)
				}
				during, run := runWithPendingWriter(t, prog, dir, strings.Fields(tc.args))
				if during&^tc.fifo != 0 {
					t.Errorf("%s: the destination had mode %04o while written, wider than the source's %04o", prog, during, tc.fifo)
				}
				if during != tc.during {
					t.Errorf("%s: the destination had mode %04o while written; want %04o", prog, during, tc.during)
				}
				final = append(final, run)
			}
			compareRuns(t, final[0], final[1], true)
		})
	}
}

// runWithPendingWriter runs prog with args in dir, whose FIFO f gets a
// first line from a writer that then waits until the destination out
// has appeared and its mode is read, before it sends the rest.
func runWithPendingWriter(t *testing.T, prog, dir string, args []string) (uint32, cpRun) {
	t.Helper()
	fifo := filepath.Join(dir, "f")
	opened := make(chan *os.File, 1)
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			t.Error(err)
			w = nil
		} else {
			w.WriteString("first part\n")
		}
		opened <- w
	}()
	done := make(chan cpRun, 1)
	go func() {
		done <- runCpEnv(t, prog, dir, cpEnv{uid: -1}, args...)
	}()
	var w *os.File
	select {
	case w = <-opened:
	case run := <-done:
		// It never opened the FIFO: let the writer go.
		fd, err := unix.Open(fifo, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err == nil {
			if w = <-opened; w != nil {
				w.Close()
			}
			unix.Close(fd)
		}
		t.Errorf("%s %v did not read the FIFO", prog, args)
		return 0, run
	}
	if w == nil {
		t.FailNow()
	}
	var mode uint32
	deadline := time.Now().Add(20 * time.Second)
	for {
		var st unix.Stat_t
		if err := unix.Lstat(filepath.Join(dir, "out"), &st); err == nil {
			mode = st.Mode & 0o7777
			break
		}
		if time.Now().After(deadline) {
			w.Close()
			t.Fatalf("%s %v: no destination while the FIFO's writer waits", prog, args)
		}
		time.Sleep(time.Millisecond)
	}
	w.WriteString("second part\n")
	w.Close()
	return mode, <-done
}

// TestZcpFIFOSplice proves that the data of a FIFO, or of a pipe on
// standard input, goes into the copy by splice(2): strace's tally of
// what each system call moved on which descriptor shows the bytes in
// zero-copy calls and (almost) none through read(2) and write(2).
func TestZcpFIFOSplice(t *testing.T) {
	zcp := bin(t, "zcp")
	const size = 1<<20 + 4097
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i*7 + i>>11)
	}
	for _, via := range []string{"fifo", "stdin"} {
		t.Run(via, func(t *testing.T) {
			dir := t.TempDir()
			log := filepath.Join(dir, "trace")
			out := filepath.Join(dir, "out")
			src := filepath.Join(dir, "f")
			var cmd *exec.Cmd
			var w *os.File
			if via == "fifo" {
				if err := unix.Mkfifo(src, 0o644); err != nil {
					t.Fatal(err)
				}
				argv := straced(t, log, zcp, src, out)
				cmd = exec.Command(argv[0], argv[1:]...)
			} else {
				r, pw, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				argv := straced(t, log, zcp, "/dev/stdin", out)
				cmd = exec.Command(argv[0], argv[1:]...)
				cmd.Stdin = r
				w = pw
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if r, ok := cmd.Stdin.(*os.File); ok {
				// The read end is zcp's alone now: a zcp that
				// does not read it makes the writer fail rather
				// than wait.
				r.Close()
			}
			written := make(chan error, 1)
			go func() {
				if via == "fifo" {
					var err error
					if w, err = os.OpenFile(src, os.O_WRONLY, 0); err != nil {
						written <- err
						return
					}
				}
				_, err := w.Write(data)
				w.Close()
				written <- err
			}()
			err := cmd.Wait()
			if via == "fifo" {
				// A zcp that never opened the FIFO leaves the
				// writer waiting: a reader that closes at once
				// lets it go (with EPIPE).
				if fd, oerr := unix.Open(src, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0); oerr == nil {
					unix.Close(fd)
				}
			}
			werr := <-written
			if err != nil || werr != nil {
				t.Fatalf("zcp: %v; writing its source: %v\n%s", err, werr, stderr.String())
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("the copy has %d bytes, not the %d written", len(got), len(data))
			}
			checkZeroCopy(t, log, size)
			b, _ := os.ReadFile(log)
			if !strings.Contains(string(b), "splice(") {
				t.Errorf("no splice in the trace:\n%s", b)
			}
		})
	}
}
