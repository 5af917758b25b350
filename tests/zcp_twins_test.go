package tests

// Twin runs with inputs that arrive while the command runs: FIFOs fed
// by a writer once a reader opens them, a pipe on descriptor 3 (what
// bash's <(cmd) gives), a Unix socket, more environment.

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// twinCase is one command line run with GNU cp and with zcp in twin work
// directories, with what the run reads while it runs.
type twinCase struct {
	name  string
	setup string // shell script run in each work directory first
	args  string
	stdin string
	// feed maps FIFOs of the setup to the data a writer sends into each
	// once a reader opens it; a FIFO nobody opened is let go after the
	// run.
	feed map[string]string
	// fd3, when set, is what descriptor 3 gives, a pipe: /dev/fd/3 is
	// then what bash's <(cmd) passes.
	fd3 string
	// socket is a Unix socket to bind in each work directory after the
	// setup (the shell has no command for it).
	socket string
	env    []string
}

// runTwins runs tc with both commands and compares what they did.
func runTwins(t *testing.T, tc twinCase) {
	t.Helper()
	gnuCp := gnu(t, "cp")
	zcp := bin(t, "zcp")
	root := t.TempDir()
	gdir, zdir := filepath.Join(root, "gnu"), filepath.Join(root, "zcp")
	for _, d := range []string{gdir, zdir} {
		setupDir(t, d, tc.setup)
		if tc.socket != "" {
			bindSocket(t, filepath.Join(d, tc.socket))
		}
	}
	g := runFed(t, gnuCp, gdir, tc)
	z := runFed(t, zcp, zdir, tc)
	compareRuns(t, g, z, false)
}

// runFed is runCpEnv with tc's FIFOs fed and its descriptor 3.
func runFed(t *testing.T, prog, dir string, tc twinCase) cpRun {
	t.Helper()
	feeders := feedFIFOs(t, dir, tc.feed)
	e := cpEnv{stdin: strings.NewReader(tc.stdin), env: tc.env, uid: -1}
	if tc.fd3 != "" {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		// Small enough for the pipe's buffer: the write ends whether
		// or not the command reads.
		if _, err := w.WriteString(tc.fd3); err != nil {
			t.Fatal(err)
		}
		w.Close()
		e.extra = []*os.File{r}
	}
	run := runCpEnv(t, prog, dir, e, strings.Fields(tc.args)...)
	feeders.release(t)
	if len(tc.feed) > 0 {
		// A write into a FIFO sets its times, and whether the writer
		// wrote before a reader that gave up closed it is a race:
		// the sources' times say nothing of the copy.
		ts := []unix.Timespec{unix.NsecToTimespec(fixedTime.UnixNano()), unix.NsecToTimespec(fixedTime.UnixNano())}
		for _, p := range feeders.paths {
			unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, 0)
		}
		run.tree = snapshot(t, dir)
	}
	return run
}

// fifoFeeders are the writers of the FIFOs of one run.
type fifoFeeders struct {
	paths []string
	wg    sync.WaitGroup
	mu    sync.Mutex
	errs  []error
}

// feedFIFOs starts a writer for each FIFO of feed (names relative to
// dir): it opens the FIFO, which waits for a reader, writes the data and
// closes it, so that the reader sees the end of the data.
func feedFIFOs(t *testing.T, dir string, feed map[string]string) *fifoFeeders {
	t.Helper()
	f := &fifoFeeders{}
	for name, data := range feed {
		p := filepath.Join(dir, name)
		f.paths = append(f.paths, p)
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			w, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err == nil {
				_, err = w.WriteString(data)
				if cerr := w.Close(); err == nil {
					err = cerr
				}
			}
			if err != nil {
				f.mu.Lock()
				f.errs = append(f.errs, err)
				f.mu.Unlock()
			}
		}()
	}
	return f
}

// release lets go of writers whose FIFO nobody opened (-R makes new
// FIFOs and reads none): a reader of our own opens each FIFO without
// waiting, which lets a waiting writer's open return.
func (f *fifoFeeders) release(t *testing.T) {
	t.Helper()
	var readers []int
	for _, p := range f.paths {
		fd, err := unix.Open(p, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Errorf("releasing the writer of %s: %v", p, err)
			continue
		}
		readers = append(readers, fd)
	}
	f.wg.Wait()
	for _, fd := range readers {
		unix.Close(fd)
	}
	for _, err := range f.errs {
		// Our reader may close before a released writer writes.
		if !strings.Contains(err.Error(), "broken pipe") {
			t.Errorf("FIFO writer: %v", err)
		}
	}
}

// bindSocket leaves a Unix socket at path: bound, then closed (a
// net.Listener would remove it on Close).
func bindSocket(t *testing.T, path string) {
	t.Helper()
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	ts := []unix.Timespec{unix.NsecToTimespec(fixedTime.UnixNano()), unix.NsecToTimespec(fixedTime.UnixNano())}
	unix.UtimesNanoAt(unix.AT_FDCWD, path, ts, unix.AT_SYMLINK_NOFOLLOW)
}

// runTwinCases runs each case with runTwins as a parallel subtest named
// after the case, or after its arguments when it has no name.
func runTwinCases(t *testing.T, cases []twinCase) {
	t.Helper()
	for _, tc := range cases {
		name := tc.name
		if name == "" {
			name = strings.ReplaceAll(tc.args, " ", "_")
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runTwins(t, tc)
		})
	}
}

// withSetup makes one case of each command line, all with setup.
func withSetup(setup string, args ...string) []twinCase {
	cases := make([]twinCase, len(args))
	for i, a := range args {
		cases[i] = twinCase{setup: setup, args: a}
	}
	return cases
}
