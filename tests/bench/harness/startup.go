package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"time"
)

const (
	tZcatStartup = "zcat start-up <= 1.03x Go floor (1 line)"
	tZteeStartup = "ztee start-up <= 1.03x Go floor (1 line)"
	tZcpStartup  = "zcp start-up <= 1.15x GNU cp (1 line)"
)

// startCmd is one command of the start-up rows: argv, with stdin from a
// file when stdin is not empty; stdout goes to /dev/null.
type startCmd struct {
	name  string
	argv  []string
	stdin string
}

// startup times one-line copies: zcat and ztee against the floor (a Go
// program that copies the line with raw system calls) and the cats, zcp
// against the cps. Each round runs every command startRuns times in a
// row, in an order that rotates from round to round, and keeps each one's
// median; a ratio is the median over the rounds of the ratio of the
// rounds' medians. Each run is a fork and exec from the harness, the same
// for every command.
func (h *harness) startup() {
	section("start-up on a one-line file")
	floor := startCmd{"floor", []string{h.helper("floor"), h.oneLine}, ""}
	cmds := []startCmd{floor}
	zcat, _ := h.command("zcat")
	ztee, _ := h.command("ztee")
	zcp, _ := h.command("zcp")
	if zcat != "" {
		cmds = append(cmds, startCmd{"zcat", []string{zcat, h.oneLine}, ""})
	}
	if ztee != "" {
		cmds = append(cmds, startCmd{"ztee (stdin the file)", []string{ztee}, h.oneLine})
	}
	for _, t := range coreutils("cat") {
		if t.why == "" {
			cmds = append(cmds, startCmd{"cat, " + t.name, append(t.argv, h.oneLine), ""})
		}
	}
	dst := h.path("startup.dst")
	if zcp != "" {
		cmds = append(cmds, startCmd{"zcp", []string{zcp, h.oneLine, dst}, ""})
	}
	for _, t := range coreutils("cp") {
		if t.why == "" {
			cmds = append(cmds, startCmd{"cp, " + t.name, append(t.argv, h.oneLine, dst), ""})
		}
	}
	defer os.Remove(dst)
	meds, all, err := h.startRounds(cmds)
	if err != nil {
		h.fail(9, tZcatStartup, err)
		return
	}
	fmt.Printf("  %d rounds x %d runs of each command, output to /dev/null\n", h.cfg.startRounds, h.cfg.startRuns)
	rows := [][]string{{"command", "median", "[min - max]", "/ floor (rounds' medians)"}}
	for i, c := range cmds {
		s := statsOf(all[i])
		rows = append(rows, []string{c.name, fmtTime(s.med), fmt.Sprintf("[%s - %s]", fmtTime(s.lo), fmtTime(s.hi)),
			fmtRatio(statsOf(roundRatios(meds[i], meds[0])))})
	}
	table(rows)
	find := func(name string) int {
		for i, c := range cmds {
			if c.name == name {
				return i
			}
		}
		return -1
	}
	judge := func(what string, i, ref int, goal float64) {
		if i < 0 || ref < 0 {
			h.skip(9, what, "not measured")
			return
		}
		r := statsOf(roundRatios(meds[i], meds[ref]))
		fast := statsOf(all[i]).lo / statsOf(all[ref]).lo
		h.target(9, what, fmt.Sprintf("%s (fastest runs %.2fx); %s against %s", fmtRatio(r), fast,
			fmtTime(statsOf(all[i]).med), fmtTime(statsOf(all[ref]).med)), lowerIsBetter(r, goal))
	}
	judge(tZcatStartup, find("zcat"), 0, 1.03)
	judge(tZteeStartup, find("ztee (stdin the file)"), 0, 1.03)
	judge(tZcpStartup, find("zcp"), find("cp, GNU "+version(gnuCp)), 1.15)
}

// startRounds runs the rounds and returns each command's medians, one per
// round, and all its run times, in seconds.
func (h *harness) startRounds(cmds []startCmd) (meds, all [][]float64, err error) {
	null, err := os.OpenFile("/dev/null", os.O_WRONLY, 0)
	if err != nil {
		return nil, nil, err
	}
	defer null.Close()
	meds, all = make([][]float64, len(cmds)), make([][]float64, len(cmds))
	once := func(c startCmd) (time.Duration, error) {
		cmd := exec.Command(c.argv[0], c.argv[1:]...)
		cmd.Stdout = null
		if c.stdin != "" {
			f, err := os.Open(c.stdin)
			if err != nil {
				return 0, err
			}
			defer f.Close()
			cmd.Stdin = f
		}
		var errb bytes.Buffer
		cmd.Stderr = &errb
		t := time.Now()
		if err := cmd.Run(); err != nil {
			return 0, fmt.Errorf("%s: %v: %s", c.name, err, errb.String())
		}
		return time.Since(t), nil
	}
	for _, c := range cmds { // warm-up, and failures caught before timing
		if _, err := once(c); err != nil {
			return nil, nil, err
		}
	}
	for r := 0; r < h.cfg.startRounds; r++ {
		for k := range cmds {
			i := (k + r) % len(cmds)
			var ts []float64
			for j := 0; j < h.cfg.startRuns; j++ {
				d, err := once(cmds[i])
				if err != nil {
					return nil, nil, err
				}
				ts = append(ts, d.Seconds())
			}
			meds[i] = append(meds[i], statsOf(ts).med)
			all[i] = append(all[i], ts...)
		}
	}
	return meds, all, nil
}

func roundRatios(a, b []float64) []float64 {
	xs := make([]float64, min(len(a), len(b)))
	for i := range xs {
		xs[i] = a[i] / b[i]
	}
	return xs
}
