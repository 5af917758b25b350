package tests

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/zcopy/zcopy/internal/testfd"
)

// pathRun is one data path of zcat or ztee with descriptors made for it:
// the child's stdin and stdout, and what the test reads back.
type pathRun struct {
	name  string
	cmd   string
	src   string                    // "file", "pipe", "socket"
	dst   string                    // "pipe", "file", "socket"
	extra func(dir string) []string // more outputs to check (ztee's FILEs)
}

var limitPaths = []pathRun{
	{name: "zcat-file-to-pipe", cmd: "zcat", src: "file", dst: "pipe"},
	{name: "zcat-file-to-socket", cmd: "zcat", src: "file", dst: "socket"},
	{name: "zcat-file-to-file", cmd: "zcat", src: "file", dst: "file"},
	{name: "zcat-pipe-to-pipe", cmd: "zcat", src: "pipe", dst: "pipe"},
	{name: "zcat-pipe-to-file", cmd: "zcat", src: "pipe", dst: "file"},
	{name: "zcat-pipe-to-socket", cmd: "zcat", src: "pipe", dst: "socket"},
	{name: "zcat-socket-to-file", cmd: "zcat", src: "socket", dst: "file"},
	{name: "zcat-socket-to-pipe", cmd: "zcat", src: "socket", dst: "pipe"},
	{name: "ztee-pipe-to-pipe-and-files", cmd: "ztee", src: "pipe", dst: "pipe",
		extra: func(dir string) []string { return []string{filepath.Join(dir, "f1"), filepath.Join(dir, "f2")} }},
	{name: "ztee-file-to-file-and-files", cmd: "ztee", src: "file", dst: "file",
		extra: func(dir string) []string { return []string{filepath.Join(dir, "f1")} }},
}

// runPath runs p with data through it as user uid (-1: the test's) and
// returns stdout's bytes, each extra output's bytes, stderr and the
// error of the run.
func runPath(t *testing.T, p pathRun, data []byte, uid int) (out []byte, extras [][]byte, stderr string, err error) {
	t.Helper()
	dir := twinDir(t) // under a directory nobody may enter
	os.Chmod(dir, 0o777)
	var extra []string
	if p.extra != nil {
		extra = p.extra(dir)
	}
	cmd := exec.Command(bin(t, p.cmd), append([]string{"--debug"}, extra...)...)
	if uid >= 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
	}
	var feed func()
	switch p.src {
	case "file":
		cmd.Stdin = testfd.Open(t, tempFile(t, data), os.O_RDONLY)
	case "pipe", "socket":
		r, w := streamPair(t, p.src)
		cmd.Stdin = r
		feed = func() { w.Write(data); w.Close() }
	}
	var collect func() []byte
	switch p.dst {
	case "file":
		name := filepath.Join(dir, "stdout")
		f := testfd.Open(t, name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
		cmd.Stdout = f
		collect = func() []byte { b, _ := os.ReadFile(name); return b }
	case "pipe", "socket":
		r, w := streamPair(t, p.dst)
		cmd.Stdout = w
		_, collect = capture(r)
	}
	var e bytes.Buffer
	cmd.Stderr = &e
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cmd.Stdin.(*os.File).Close()
	cmd.Stdout.(*os.File).Close()
	if feed != nil {
		go feed()
	}
	err = cmd.Wait()
	out = collect()
	for _, x := range extra {
		b, _ := os.ReadFile(x)
		extras = append(extras, b)
	}
	return out, extras, e.String(), err
}

// setSysctl writes value to a /proc/sys file and restores its old value
// when the test ends.
func setSysctl(t *testing.T, path, value string) {
	t.Helper()
	old, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("%s: %v", path, err)
	}
	if err := os.WriteFile(path, []byte(value), 0o644); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	t.Cleanup(func() {
		if err := os.WriteFile(path, bytes.TrimSpace(old), 0o644); err != nil {
			t.Errorf("restoring %s: %v", path, err)
		}
	})
}

// TestPipeUserLimits runs every zcat and ztee path as nobody with the
// per-user pipe memory limits lowered (root is exempt from them, so the
// commands run as nobody): past pipe-user-pages-soft the kernel gives new
// pipes two pages and refuses F_SETPIPE_SZ (EPERM); past
// pipe-user-pages-hard pipe(2) itself fails (ENFILE). Every output must
// still be exact.
//
// These limits are the machine's: the test holds them for about a second
// and restores them, and does not run in parallel with this package's
// other tests.
func TestPipeUserLimits(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to lower /proc/sys/fs/pipe-user-pages-* (CI runs as root)")
	}
	os.Chmod(binDir, 0o755)
	data := randomData(1<<20 + 4097)
	for _, lim := range []struct{ name, soft, hard string }{
		{"soft", "1", "0"}, // every pipe of nobody's: two pages, no F_SETPIPE_SZ
		{"hard", "1", "1"}, // nobody can make no pipe at all
	} {
		t.Run(lim.name, func(t *testing.T) {
			setSysctl(t, "/proc/sys/fs/pipe-user-pages-soft", lim.soft)
			setSysctl(t, "/proc/sys/fs/pipe-user-pages-hard", lim.hard)
			refusals := 0
			t.Cleanup(func() {
				// The limits must have bitten: root-run children would
				// not feel them, and the test would prove nothing.
				if lim.name == "hard" && refusals == 0 {
					t.Errorf("no path met ENFILE or ENOMEM under pipe-user-pages-hard=1")
				}
			})
			for _, p := range limitPaths {
				faultsInjected.Add(1)
				out, extras, stderr, err := runPath(t, p, data, nobody)
				if err != nil {
					t.Errorf("%s: %v; stderr %q", p.name, err, stderr)
				}
				if !bytes.Equal(out, data) {
					t.Errorf("%s: stdout %s", p.name, diffBytes(out, data))
				}
				for i, x := range extras {
					if !bytes.Equal(x, data) {
						t.Errorf("%s: output %d: %s", p.name, i+1, diffBytes(x, data))
					}
				}
				refusals += strings.Count(stderr, "(ENFILE)") + strings.Count(stderr, "(ENOMEM)")
				t.Logf("%s: %s", p.name, strings.ReplaceAll(strings.TrimSpace(stderr), "\n", "; "))
			}
		})
	}
}

// capture drains r in the background: progress counts its bytes so far,
// collect returns them all once r is at EOF.
func capture(r *os.File) (progress func() int64, collect func() []byte) {
	return captureGated(r, nil)
}

// captureGated is capture that, with a gate, stops reading after the
// first MiB until the gate is closed: the writer, held by the full pipe
// or socket, is then still far from its source's end.
func captureGated(r *os.File, gate <-chan struct{}) (progress func() int64, collect func() []byte) {
	var n atomic.Int64
	done := make(chan []byte, 1)
	go func() {
		var b bytes.Buffer
		buf := make([]byte, 1<<20)
		for {
			if gate != nil && n.Load() >= 1<<20 {
				<-gate
				gate = nil
			}
			m, err := r.Read(buf)
			b.Write(buf[:m])
			n.Add(int64(m))
			if err != nil {
				r.Close()
				done <- b.Bytes()
				return
			}
		}
	}()
	return n.Load, func() []byte { return <-done }
}

// TestSourceChangesWhileCopied grows or shrinks a 64 MiB file while zcat
// copies it, on each method (the destination picks it: pipe splice, file
// copy_file_range, socket sendfile, O_APPEND file read/write), and does
// the same to GNU cat. No crash or hang, status 0, nothing on stderr, as
// GNU; a grown file is copied to its new end, as GNU cat reads until
// read(2) says EOF (never sized by the first st_size); a shrunk file gives
// a prefix of what it held, nothing past it.
func TestSourceChangesWhileCopied(t *testing.T) {
	const size = 64 << 20
	const grow = 8 << 20
	block := randomData(1 << 20)
	content := bytes.Repeat(block, size>>20)
	for _, change := range []string{"grow", "shrink"} {
		for _, dst := range []string{"pipe", "file", "socket", "append"} {
			for _, prog := range []string{bin(t, "zcat"), gnu(t, "cat")} {
				name := change + "/" + dst + "/" + filepath.Base(prog)
				dir := t.TempDir()
				src := filepath.Join(dir, "src")
				if err := os.WriteFile(src, content, 0o644); err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command(prog, src)
				var collect func() []byte
				var progress func() int64
				gate := make(chan struct{})
				gated := false
				switch dst {
				case "pipe", "socket":
					r, w := streamPair(t, dst)
					cmd.Stdout = w
					progress, collect = captureGated(r, gate)
					gated = true
				case "file", "append":
					out := filepath.Join(dir, "out")
					flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
					if dst == "append" {
						flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
					}
					cmd.Stdout = testfd.Open(t, out, flag)
					progress = fileSize(out)
					collect = func() []byte { b, _ := os.ReadFile(out); return b }
				}
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				cmd.Stdout.(*os.File).Close()
				exited := make(chan error, 1)
				go func() { exited <- cmd.Wait() }()
				// Change the file once the first MiB is through.
				var err error
				waited := false
			wait:
				for progress() < 1<<20 {
					select {
					case err = <-exited:
						waited = true
						break wait
					case <-time.After(100 * time.Microsecond):
					}
				}
				faultsInjected.Add(1)
				f := testfd.Open(t, src, os.O_WRONLY|os.O_APPEND)
				if change == "grow" {
					f.Write(bytes.Repeat([]byte("G"), grow))
				} else {
					f.Truncate(4 << 20)
				}
				f.Close()
				close(gate)
				if !waited {
					select {
					case err = <-exited:
					case <-time.After(30 * time.Second):
						cmd.Process.Kill()
						t.Fatalf("%s: still running 30 s after the change", name)
					}
				}
				got := collect()
				if err != nil || stderr.Len() > 0 {
					t.Errorf("%s: %v; stderr %q; want status 0 and no message, as GNU cat", name, err, stderr.String())
				}
				switch {
				case waited:
					t.Logf("%s: done before the change; nothing to check", name)
				case change == "grow":
					want := append(append([]byte(nil), content...), bytes.Repeat([]byte("G"), grow)...)
					switch {
					case bytes.Equal(got, want):
					case !gated && len(got) >= len(content) && bytes.HasPrefix(want, got):
						// Unheld, the copy may reach the end while
						// the append is still landing.
						t.Logf("%s: at EOF during the append", name)
					default:
						t.Errorf("%s: %s; want the file to its new end", name, diffBytes(got, want))
					}
				default:
					if !bytes.HasPrefix(content, got) || len(got) < 1<<20 {
						t.Errorf("%s: %d bytes out, not a prefix of the file (of at least the 1 MiB out before the change)", name, len(got))
					}
				}
				t.Logf("%s: %d bytes out", name, len(got))
			}
		}
	}
}

// streamPair returns the ends of a pipe, or of a stream socket pair
// (either end reads and writes): kind is "pipe" or "socket".
func streamPair(t *testing.T, kind string) (r, w *os.File) {
	if kind == "pipe" {
		return testfd.Pipe(t, 0)
	}
	return testfd.SocketPair(t, syscall.SOCK_STREAM)
}
