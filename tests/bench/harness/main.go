// Command harness is `make bench`: it measures zcopy's commands side by side
// with GNU coreutils on this machine, in the same run, and prints for each
// target of the issues the measured ratio and whether it is met. It also
// answers by measurement the questions DESIGN.md leaves open (direct or
// intermediate-pipe splice, pipe size, small-file threshold).
//
// tests/bench/run.sh builds it and the helpers it drives (drain, source,
// floor, methods, mkdata) into a temporary directory and runs it. Timing
// never makes it fail: it exits 1 only when a command under test fails or
// gives wrong output, and 2 when the benchmark itself cannot run.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// config holds the sizes and repetition counts of one run.
type config struct {
	quick       bool
	reps        int           // timed runs per variant of a comparison, at least
	budget      time.Duration // more runs while a comparison takes less
	big         int64         // zcat's page-cached file
	stream      int64         // ztee's stream
	side        int64         // the rows without a target: sockets, another filesystem
	sideReps    int           // and their rounds
	cpFile      int64         // zcp's file, same filesystem and reflinked
	tree        int           // files in zcp -r's tree
	bigTree     int           // files in the tree whose peak RSS is measured
	startRounds int           // hyperfine rounds for start-up
	startRuns   int           // runs per command per round
	smallLoop   time.Duration
	smallReps   int
}

var (
	fullConfig = config{
		reps: 15, budget: 10 * time.Second, big: 2 << 30, stream: 1 << 30, cpFile: 1 << 30,
		side: 512 << 20, sideReps: 7,
		tree: 10000, bigTree: 100000, startRounds: 15, startRuns: 40,
		smallLoop: 100 * time.Millisecond, smallReps: 5,
	}
	quickConfig = config{
		quick: true, reps: 3, budget: 2 * time.Second, big: 256 << 20, stream: 128 << 20, cpFile: 128 << 20,
		side: 64 << 20, sideReps: 3,
		tree: 2000, bigTree: 50000, startRounds: 6, startRuns: 20,
		smallLoop: 50 * time.Millisecond, smallReps: 3,
	}
)

type harness struct {
	cfg     config
	pin     bool             // -pin: streaming rows pinned too
	rssKiB  map[string]int64 // the largest peak RSS of each tool, by GNU time
	root    string           // the repository
	helpers string
	work    string
	report

	bigFile string
	oneLine string

	mu       sync.Mutex
	cleanups []func()
}

func main() {
	root := flag.String("root", ".", "the repository (bin/ holds the commands)")
	helpers := flag.String("helpers", "", "directory of the built helpers")
	work := flag.String("work", "", "scratch directory (on the filesystem to measure)")
	quick := flag.Bool("quick", false, "short run: smaller files, fewer repetitions")
	pin := flag.Bool("pin", false, "also run the streaming rows with both ends on one core and on two")
	flag.Parse()
	if *helpers == "" || *work == "" {
		fmt.Fprintln(os.Stderr, "usage: harness -root DIR -helpers DIR -work DIR [-quick]")
		os.Exit(2)
	}
	h := &harness{cfg: fullConfig, root: *root, helpers: *helpers, work: *work, pin: *pin, rssKiB: map[string]int64{}}
	if *quick {
		h.cfg = quickConfig
	}
	os.Exit(h.main())
}

func (h *harness) main() int {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sig
		fmt.Fprintf(os.Stderr, "\nbench: %v: cleaning up\n", s)
		h.cleanup()
		os.Exit(130)
	}()
	defer h.cleanup()

	start := time.Now()
	h.header()
	if err := h.setup(); err != nil {
		fmt.Fprintf(os.Stderr, "bench: setup: %v\n", err)
		return 2
	}
	h.zcat()
	h.ztee()
	h.sockets()
	h.zcp()
	h.startup()
	h.questions()
	h.printTargets()
	fmt.Printf("\nload average at the end: %s; total time %s\n", loadavg(), time.Since(start).Round(time.Second))
	if len(h.failures) > 0 {
		fmt.Println("\nFAILURES (a command failed or gave wrong output; timing never fails the bench):")
		for _, f := range h.failures {
			fmt.Println("  " + f)
		}
		return 1
	}
	return 0
}

// atExit registers f to run at exit or on an interrupt, and returns a
// function that runs it now instead (once).
func (h *harness) atExit(f func()) func() {
	var once sync.Once
	g := func() { once.Do(f) }
	h.mu.Lock()
	h.cleanups = append(h.cleanups, g)
	h.mu.Unlock()
	return g
}

func (h *harness) cleanup() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := len(h.cleanups) - 1; i >= 0; i-- {
		h.cleanups[i]()
	}
	h.cleanups = nil
}

func (h *harness) helper(name string) string { return filepath.Join(h.helpers, name) }

func (h *harness) path(name string) string { return filepath.Join(h.work, name) }

// command returns bin/name, or why it cannot be measured.
func (h *harness) command(name string) (string, string) {
	p, err := filepath.Abs(filepath.Join(h.root, "bin", name))
	if err != nil {
		return "", err.Error()
	}
	if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
		return p, ""
	}
	if _, err := os.Stat(filepath.Join(h.root, "cmd", name)); err != nil {
		return "", fmt.Sprintf("bin/%s not built: cmd/%s does not exist yet", name, name)
	}
	return "", fmt.Sprintf("bin/%s not built (cmd/%s exists: run make build)", name, name)
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func (h *harness) header() {
	var u unix.Utsname
	_ = unix.Uname(&u)
	cpu := "?"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	mode := "full"
	if h.cfg.quick {
		mode = "quick (BENCH_QUICK=1: smaller inputs, fewer runs; the targets' sizes are not met by the inputs)"
	}
	fmt.Printf("zcopy bench, %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Printf("machine: Linux %s, %d CPUs (%s), load average %s\n",
		unix.ByteSliceToString(u.Release[:]), runtime.NumCPU(), cpu, loadavg())
	fmt.Printf("run: %s; per comparison one untimed run, then %d to %d timed rounds (more while under %s), order rotated each round\n",
		mode, h.cfg.reps, 3*h.cfg.reps, h.cfg.budget)
	fmt.Printf("scratch: %s (%s)\n", h.work, fsType(h.work))
	fmt.Println("consumer: tests/bench/drain (splice to /dev/null, stdin pipe grown to 1 MiB)")
	fmt.Println("reference: GNU coreutils " + gnuVersion())
	var peers []string
	for _, t := range append(coreutils("cat")[1:], h.catTools("")[5:]...) {
		if t.why == "" {
			peers = append(peers, t.name+" ("+t.argv[0]+")")
		} else {
			peers = append(peers, t.name+": "+t.why)
		}
	}
	fmt.Println("peers: " + strings.Join(peers, "; "))
	if h.pin {
		fmt.Println("placements: streaming rows unpinned, then on one core, then on two (-pin)")
	}
}

func gnuVersion() string {
	out, err := exec.Command("/usr/bin/cat", "--version").Output()
	if err != nil {
		return "? (/usr/bin/cat --version failed)"
	}
	l, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimPrefix(l, "cat (GNU coreutils) ") + " (/usr/bin/cat, tee, cp)"
}

// fsType names the filesystem dir is on, as mount does (stat -f cannot
// tell ext4 from ext2).
func fsType(dir string) string {
	out, err := exec.Command("findmnt", "-n", "-o", "FSTYPE", "--target", dir).Output()
	if err != nil {
		out, err = exec.Command("stat", "-f", "-c", "%T", dir).Output()
		if err != nil {
			return "?"
		}
	}
	return strings.TrimSpace(string(out))
}

// setup writes the inputs every section needs; the sections make their own.
func (h *harness) setup() error {
	h.bigFile = h.path("big")
	h.oneLine = h.path("oneline")
	if err := os.WriteFile(h.oneLine, []byte("zcopy: one line of text, for the start-up measurement\n"), 0o644); err != nil {
		return err
	}
	t := time.Now()
	if err := sh(h.helper("mkdata"), "file", h.bigFile, fmt.Sprint(h.cfg.big)); err != nil {
		return err
	}
	// Written back now, so that writeback does not run under the
	// measurements; the pages stay cached.
	unix.Sync()
	fmt.Printf("inputs: %s page-cached file written and synced in %s\n", fmtSize(h.cfg.big), time.Since(t).Round(time.Millisecond))
	return nil
}
