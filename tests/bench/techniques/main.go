// Command techniques is the part of `make bench` that puts zcopy's methods
// side by side (issue 9, "the four techniques, each on demand"): for a file
// copied by `zcat --method=M` to a pipe, to /dev/null and to a file, each
// method's system calls, context switches, bytes through user space, CPU
// seconds and throughput. It also measures what -g, --progress costs on a
// file -> pipe copy with the bar drawn on a terminal (issue 10: under 2%).
//
//	techniques -root DIR -helpers DIR -work DIR [-quick]
//
// Where the numbers come from:
//   - the data system calls and the bytes through user space are the
//     engine's own counters, from zcat's --debug line: read/write moves its
//     bytes through user space both ways, mmap only out of it (write(2)
//     from the mapping), the zero-copy methods not at all;
//   - "all syscalls" is `strace -f -c` of one untimed run (when strace is
//     installed): every call the process made, the Go runtime's included;
//   - time, CPU seconds (user + system) and context switches (voluntary /
//     involuntary) are zcat's, from the rusage wait4(2) returns, medians
//     over interleaved rounds; throughput is bytes / median time.
//
// The copy runs to the `drain` helper (splice into /dev/null) for the pipe
// rows. It never fails on timings; it exits 1 when a copy gives wrong output.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

var (
	root    = flag.String("root", ".", "the repository (bin/zcat is used)")
	helpers = flag.String("helpers", "", "the directory of the bench helpers (mkdata, drain)")
	work    = flag.String("work", "", "scratch directory")
	quick   = flag.Bool("quick", false, "smaller inputs, fewer rounds")
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "techniques: %v\n", err)
		os.Exit(1)
	}
}

type dest struct {
	name string
	open func() (*os.File, error) // nil: a pipe to drain
}

var methods = []string{"auto", "copy_file_range", "sendfile", "splice", "mmap", "readwrite"}

// result is one method on one destination.
type result struct {
	method   string
	refused  string // why the kernel refused it, or ""
	debug    string // the --debug steps
	calls    int64  // data system calls, by the engine's count
	userRead int64  // bytes copied into user space by read(2)
	userOut  int64  // bytes copied out of user space by write(2)
	allCalls int64  // every system call (strace -c), or -1
	times    []time.Duration
	cpu      []time.Duration
	vcsw     []int64
	ivcsw    []int64
}

func run() error {
	if *work == "" || *helpers == "" {
		return fmt.Errorf("usage: techniques -root DIR -helpers DIR -work DIR [-quick]")
	}
	zcat := filepath.Join(*root, "bin", "zcat")
	if _, err := os.Stat(zcat); err != nil {
		return fmt.Errorf("%s is not built: %v", zcat, err)
	}
	size, progSize, rounds, progRounds := int64(1<<30), int64(2<<30), 7, 15
	if *quick {
		size, progSize, rounds, progRounds = 256<<20, 512<<20, 3, 5
	}
	if err := os.MkdirAll(*work, 0o755); err != nil {
		return err
	}
	in := filepath.Join(*work, "techniques-in")
	if err := mkdata(in, size); err != nil {
		return err
	}
	defer os.Remove(in)
	out := filepath.Join(*work, "techniques-out")
	defer os.Remove(out)
	dests := []dest{
		{"pipe", nil},
		{"/dev/null", func() (*os.File, error) { return os.OpenFile("/dev/null", os.O_WRONLY, 0) }},
		{"file", func() (*os.File, error) {
			return os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		}},
	}
	fmt.Printf("\n## The techniques side by side (zcat --method=M, %s file, page-cached, %d rounds)\n\n", human(size), rounds)
	fmt.Println("The engine's counters give the data system calls and the bytes through user space;")
	fmt.Println("'all syscalls' is strace -f -c of one run; time, CPU and context switches are zcat's")
	fmt.Println("(wait4 rusage), medians of interleaved rounds.")
	bad := false
	for _, d := range dests {
		var rs []*result
		for _, m := range methods {
			r, err := probe(zcat, in, d, m, size)
			if err != nil {
				fmt.Fprintf(os.Stderr, "techniques: %s to %s: %v\n", m, d.name, err)
				bad = true
				continue
			}
			rs = append(rs, r)
		}
		for round := 0; round < rounds; round++ {
			for i := range rs {
				r := rs[(i+round)%len(rs)]
				if r.refused != "" {
					continue
				}
				if err := timed(zcat, in, d, r, size); err != nil {
					fmt.Fprintf(os.Stderr, "techniques: %s to %s: %v\n", r.method, d.name, err)
					bad = true
				}
			}
		}
		printTable(d.name, rs, size)
	}
	if err := progressRow(zcat, progSize, progRounds); err != nil {
		fmt.Fprintf(os.Stderr, "techniques: progress: %v\n", err)
		bad = true
	}
	if bad {
		os.Exit(1)
	}
	return nil
}

func mkdata(path string, size int64) error {
	cmd := exec.Command(filepath.Join(*helpers, "mkdata"), "file", path, strconv.FormatInt(size, 10))
	cmd.Stderr = os.Stderr
	return cmd.Run()
}

// launch runs zcat with args to d and returns its wait4 rusage, the wall
// time (to the drain's exit, for a pipe) and zcat's stderr. For a pipe it
// checks the drain's byte count; for a file, the file's size.
func launch(zcat string, args []string, d dest, size int64, wrap []string) (time.Duration, *syscall.Rusage, string, int, error) {
	argv := append(append(wrap, zcat), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	var drain *exec.Cmd
	var counted strings.Builder
	var closeAfter []*os.File
	if d.open == nil {
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
			return 0, nil, "", 0, err
		}
		r, w := os.NewFile(uintptr(p[0]), "|r"), os.NewFile(uintptr(p[1]), "|w")
		drain = exec.Command(filepath.Join(*helpers, "drain"))
		drain.Stdin, drain.Stdout, drain.Stderr = r, &counted, os.Stderr
		cmd.Stdout = w
		closeAfter = append(closeAfter, r, w)
	} else {
		f, err := d.open()
		if err != nil {
			return 0, nil, "", 0, err
		}
		cmd.Stdout = f
		closeAfter = append(closeAfter, f)
	}
	start := time.Now()
	if drain != nil {
		if err := drain.Start(); err != nil {
			return 0, nil, "", 0, err
		}
	}
	err := cmd.Start()
	for _, f := range closeAfter {
		f.Close()
	}
	if err != nil {
		return 0, nil, "", 0, err
	}
	werr := cmd.Wait()
	if drain != nil {
		if err := drain.Wait(); err != nil {
			return 0, nil, "", 0, fmt.Errorf("drain: %v", err)
		}
	}
	wall := time.Since(start)
	code := 0
	if werr != nil {
		ee, ok := werr.(*exec.ExitError)
		if !ok {
			return 0, nil, "", 0, werr
		}
		code = ee.ExitCode()
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if code == 0 && len(wrap) == 0 {
		if err := checkOutput(d, counted.String(), size); err != nil {
			return 0, nil, "", 0, err
		}
	}
	return wall, ru, stderr.String(), code, nil
}

func checkOutput(d dest, counted string, size int64) error {
	switch d.name {
	case "pipe":
		n, err := strconv.ParseInt(strings.TrimSpace(counted), 10, 64)
		if err != nil || n != size {
			return fmt.Errorf("the drain counted %q bytes; want %d", counted, size)
		}
	case "file":
		st, err := os.Stat(filepath.Join(*work, "techniques-out"))
		if err != nil || st.Size() != size {
			return fmt.Errorf("the copy is not %d bytes: %v", size, err)
		}
	}
	return nil
}

var (
	stepRE  = regexp.MustCompile(`([a-z_/-]+) (\d+) bytes in (\d+) calls`)
	refRE   = regexp.MustCompile(`([a-z_/-]+) refused \(([^)]*)\)`)
	totalRE = regexp.MustCompile(`(?m)^\s*100\.00\s+\S+\s+\S+\s+(\d+)\s+(?:\d+\s+)?total$`)
)

// probe runs method m once with --debug, for the engine's counters, and
// once under strace -c when strace is installed.
func probe(zcat, in string, d dest, m string, size int64) (*result, error) {
	r := &result{method: m, allCalls: -1}
	_, _, stderr, code, err := launch(zcat, []string{"--debug", "--method=" + m, in}, d, size, nil)
	if err != nil {
		return nil, err
	}
	line := firstLine(stderr)
	if i := strings.Index(line, " -> "); i >= 0 {
		if j := strings.Index(line[i:], ": "); j >= 0 {
			r.debug = line[i+j+2:]
		}
	}
	if code != 0 {
		if rm := refRE.FindStringSubmatch(line); rm != nil {
			r.refused = rm[2]
		} else {
			r.refused = strings.TrimSpace(stderr)
		}
		return r, nil
	}
	var moved int64
	for _, sm := range stepRE.FindAllStringSubmatch(line, -1) {
		n, _ := strconv.ParseInt(sm[2], 10, 64)
		c, _ := strconv.ParseInt(sm[3], 10, 64)
		r.calls += c
		moved += n
		switch sm[1] {
		case "read/write":
			r.userRead += n
			r.userOut += n
		case "mmap":
			r.userOut += n
		}
	}
	if moved != size {
		return nil, fmt.Errorf("--debug accounts for %d bytes, want %d: %s", moved, size, line)
	}
	if strace, err := exec.LookPath("strace"); err == nil {
		log := filepath.Join(*work, "techniques-strace")
		defer os.Remove(log)
		if _, _, _, code, err := launch(zcat, []string{"--method=" + m, in}, d, size, []string{strace, "-f", "-c", "-o", log}); err == nil && code == 0 {
			if b, err := os.ReadFile(log); err == nil {
				if tm := totalRE.FindSubmatch(b); tm != nil {
					r.allCalls, _ = strconv.ParseInt(string(tm[1]), 10, 64)
				}
			}
		}
	}
	return r, nil
}

func firstLine(s string) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	if sc.Scan() {
		return sc.Text()
	}
	return ""
}

func timed(zcat, in string, d dest, r *result, size int64) error {
	wall, ru, stderr, code, err := launch(zcat, []string{"--method=" + r.method, in}, d, size, nil)
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("status %d: %s", code, stderr)
	}
	r.times = append(r.times, wall)
	if ru != nil {
		r.cpu = append(r.cpu, time.Duration(ru.Utime.Nano()+ru.Stime.Nano()))
		r.vcsw = append(r.vcsw, ru.Nvcsw)
		r.ivcsw = append(r.ivcsw, ru.Nivcsw)
	}
	return nil
}

func printTable(dst string, rs []*result, size int64) {
	fmt.Printf("\n### file -> %s\n\n", dst)
	fmt.Println("| method | steps (--debug) | all syscalls | data calls | ctx switches vol / invol | user-space bytes in / out | CPU s | time ms [min - max] | GB/s |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for _, r := range rs {
		if r.refused != "" {
			fmt.Printf("| %s | refused (%s) | - | - | - | - | - | - | - |\n", r.method, r.refused)
			continue
		}
		all := "-"
		if r.allCalls >= 0 {
			all = strconv.FormatInt(r.allCalls, 10)
		}
		med, lo, hi := stats(r.times)
		gbs := "-"
		if med > 0 {
			gbs = fmt.Sprintf("%.2f", float64(size)/med.Seconds()/1e9)
		}
		cpu, _, _ := stats(r.cpu)
		fmt.Printf("| %s | %s | %s | %d | %d / %d | %s / %s | %.3f | %.1f [%.1f - %.1f] | %s |\n",
			r.method, r.debug, all, r.calls, medianInt(r.vcsw), medianInt(r.ivcsw),
			human(r.userRead), human(r.userOut), cpu.Seconds(), ms(med), ms(lo), ms(hi), gbs)
	}
}

func stats(ds []time.Duration) (med, lo, hi time.Duration) {
	if len(ds) == 0 {
		return 0, 0, 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2], s[0], s[len(s)-1]
}

func medianInt(v []int64) int64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]int64(nil), v...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

func human(n int64) string {
	switch {
	case n == 0:
		return "0"
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + " GiB"
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	}
	return strconv.FormatInt(n, 10) + " B"
}

// progressRow times `zcat FILE | drain` against `zcat -g FILE | drain`
// with stderr a pseudo-terminal, so that -g really draws its bar, in
// alternating rounds, and prints the median of the per-round ratios.
func progressRow(zcat string, size int64, rounds int) error {
	in := filepath.Join(*work, "techniques-progress")
	if err := mkdata(in, size); err != nil {
		return err
	}
	defer os.Remove(in)
	master, slave, err := openPty()
	if err != nil {
		fmt.Printf("\n(progress row skipped: no pseudo-terminal: %v)\n", err)
		return nil
	}
	defer master.Close()
	go io.Copy(io.Discard, master)
	one := func(args ...string) (time.Duration, error) {
		cmd := exec.Command(zcat, append(args, in)...)
		drain := exec.Command(filepath.Join(*helpers, "drain"))
		var counted strings.Builder
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
			return 0, err
		}
		r, w := os.NewFile(uintptr(p[0]), "|r"), os.NewFile(uintptr(p[1]), "|w")
		drain.Stdin, drain.Stdout = r, &counted
		cmd.Stdout, cmd.Stderr = w, slave
		start := time.Now()
		if err := drain.Start(); err != nil {
			return 0, err
		}
		err := cmd.Start()
		r.Close()
		w.Close()
		if err != nil {
			return 0, err
		}
		if err := cmd.Wait(); err != nil {
			return 0, err
		}
		if err := drain.Wait(); err != nil {
			return 0, err
		}
		d := time.Since(start)
		if n, _ := strconv.ParseInt(strings.TrimSpace(counted.String()), 10, 64); n != size {
			return 0, fmt.Errorf("the drain counted %q bytes; want %d", counted.String(), size)
		}
		return d, nil
	}
	// Warm the cache and catch failures.
	if _, err := one(); err != nil {
		return err
	}
	var plain, bar []time.Duration
	var ratios []float64
	for i := 0; i < rounds; i++ {
		var a, b time.Duration
		if i%2 == 0 {
			a, err = one()
			if err == nil {
				b, err = one("-g")
			}
		} else {
			b, err = one("-g")
			if err == nil {
				a, err = one()
			}
		}
		if err != nil {
			return err
		}
		plain, bar = append(plain, a), append(bar, b)
		ratios = append(ratios, float64(b)/float64(a))
	}
	sort.Float64s(ratios)
	pm, pl, ph := stats(plain)
	bm, bl, bh := stats(bar)
	med := ratios[len(ratios)/2]
	verdict := "met (median)"
	if med >= 1.02 {
		verdict = "NOT met (median)"
	}
	fmt.Printf("\n### -g, --progress: %s file -> pipe, stderr a terminal (%d alternating rounds)\n\n", human(size), rounds)
	fmt.Println("| command | time ms [min - max] |")
	fmt.Println("|---|---|")
	fmt.Printf("| zcat FILE | %.1f [%.1f - %.1f] |\n", ms(pm), ms(pl), ms(ph))
	fmt.Printf("| zcat -g FILE | %.1f [%.1f - %.1f] |\n", ms(bm), ms(bl), ms(bh))
	fmt.Printf("\n-g / plain: %.3f [%.3f - %.3f] (median of per-round ratios); target under 1.02: %s\n",
		med, ratios[0], ratios[len(ratios)-1], verdict)
	return nil
}

// openPty opens a new pseudo-terminal pair, raw code: posix_openpt,
// unlockpt and ptsname by their ioctls.
func openPty() (master, slave *os.File, err error) {
	m, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	var unlock int32
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(m), unix.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		unix.Close(m)
		return nil, nil, e
	}
	n, err := unix.IoctlGetInt(m, unix.TIOCGPTN)
	if err != nil {
		unix.Close(m)
		return nil, nil, err
	}
	s, err := unix.Open("/dev/pts/"+strconv.Itoa(n), unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		unix.Close(m)
		return nil, nil, err
	}
	return os.NewFile(uintptr(m), "ptmx"), os.NewFile(uintptr(s), "pts"), nil
}
