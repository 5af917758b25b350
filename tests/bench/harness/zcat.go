package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

const gnuCat = "/usr/bin/cat"

// Issue 2's targets, in the order they are reported.
const (
	tZcatFile    = "zcat FILE|drain >= 10x cat (2 GiB, cached)"
	tZcatPipe    = "source|zcat|drain >= 8x cat"
	tZcatRSS     = "zcat peak RSS < 10 MiB, any input size"
	tZcatStartup = "zcat start-up <= 1.10x Go floor (1 line)"
)

func (h *harness) zcat() {
	section("zcat (issue 2)")
	zcat, why := h.command("zcat")
	if zcat == "" {
		fmt.Println("  skipped: " + why)
		for _, t := range []string{tZcatFile, tZcatPipe, tZcatRSS, tZcatStartup} {
			h.skip(2, t, why)
		}
		return
	}
	big := h.cfg.big
	// raw is the kernel's floor for the same copy: methods splicing
	// directly with 1 MiB pipes, nothing else.
	raw := []string{h.helper("methods"), "-mode", "direct", "-pipe", fmt.Sprint(1 << 20)}
	catFile := func(name string, argv ...string) variant {
		return variant{name, func() (sample, error) {
			c, d := newStage(name, append(argv[:len(argv):len(argv)], h.bigFile)...), newStage("drain", h.helper("drain"))
			ends, err := chain(c, d)
			if err != nil {
				return sample{}, err
			}
			s, err := runStages([]*stage{c, d}, ends)
			if err == nil {
				err = expect(big, d)
			}
			return s, err
		}}
	}
	catPipe := func(name string, n int64, argv ...string) variant {
		return variant{name, func() (sample, error) {
			src := newStage("source", h.helper("source"), "-n", fmt.Sprint(n), h.bigFile)
			c, d := newStage(name, argv...), newStage("drain", h.helper("drain"))
			ends, err := chain(src, c, d)
			if err != nil {
				return sample{}, err
			}
			s, err := runStages([]*stage{src, c, d}, ends)
			if err == nil {
				err = expect(n, d)
			}
			return s, err
		}}
	}

	fmt.Printf("  file -> pipe: FILE is a %s page-cached file\n", fmtSize(big))
	fileRuns, err := measure(h.cfg.reps, h.cfg.budget, catFile("zcat", zcat), catFile("cat", gnuCat), catFile("methods", raw...))
	if err != nil {
		h.fail(2, tZcatFile, err)
	} else {
		r := statsOf(ratios(fileRuns[0], fileRuns[1]))
		table([][]string{
			timeRow("zcat FILE | drain", fileRuns[0], big),
			timeRow("cat FILE | drain", fileRuns[1], big),
			timeRow("raw splice FILE | drain (floor)", fileRuns[2], big),
			{"speed-up over cat", fmtRatio(r), fmt.Sprintf("%d pairs", len(fileRuns[0]))},
			{"zcat time / floor's", fmtRatio(statsOf(ratios(fileRuns[2], fileRuns[0]))), ""},
		})
		h.target(2, tZcatFile, fmtRatio(r)+sizeNote(big, 2<<30), higherIsBetter(r, 10))
	}

	fmt.Printf("  pipe -> pipe: source splices the same %s into the stage's stdin\n", fmtSize(big))
	pipeRuns, err := measure(h.cfg.reps, h.cfg.budget, catPipe("zcat", big, zcat), catPipe("cat", big, gnuCat), catPipe("methods", big, raw...))
	if err != nil {
		h.fail(2, tZcatPipe, err)
	} else {
		r := statsOf(ratios(pipeRuns[0], pipeRuns[1]))
		table([][]string{
			timeRow("source | zcat | drain", pipeRuns[0], big),
			timeRow("source | cat | drain", pipeRuns[1], big),
			timeRow("source | raw splice | drain (floor)", pipeRuns[2], big),
			{"speed-up over cat", fmtRatio(r), fmt.Sprintf("%d pairs", len(pipeRuns[0]))},
			{"zcat time / floor's", fmtRatio(statsOf(ratios(pipeRuns[2], pipeRuns[0]))), ""},
		})
		h.target(2, tZcatPipe, fmtRatio(r)+sizeNote(big, 2<<30), higherIsBetter(r, 8))
	}

	// Peak RSS must not grow with the input: one line, the big file, and
	// a stream four times as large.
	fmt.Println("  peak RSS (wait4 rusage of the zcat process; GNU cat for reference)")
	rssRows := [][]string{{"input", "zcat", "cat"}}
	var worst int64
	rssOf := func(label string, v, ref variant) {
		a, err := v.run()
		if err != nil {
			h.fail(2, tZcatRSS, err)
			return
		}
		b, err := ref.run()
		if err != nil {
			h.fail(2, tZcatRSS, err)
			return
		}
		worst = max(worst, a.rss["zcat"])
		rssRows = append(rssRows, []string{label, fmtKiB(a.rss["zcat"]), fmtKiB(b.rss["cat"])})
	}
	one := variant{"zcat", func() (sample, error) {
		c, d := newStage("zcat", zcat, h.oneLine), newStage("drain", h.helper("drain"))
		ends, err := chain(c, d)
		if err != nil {
			return sample{}, err
		}
		return runStages([]*stage{c, d}, ends)
	}}
	oneCat := variant{"cat", func() (sample, error) {
		c, d := newStage("cat", gnuCat, h.oneLine), newStage("drain", h.helper("drain"))
		ends, err := chain(c, d)
		if err != nil {
			return sample{}, err
		}
		return runStages([]*stage{c, d}, ends)
	}}
	rssOf("one line, file -> pipe", one, oneCat)
	if fileRuns != nil {
		worst = max(worst, peakRSS("zcat", fileRuns[0]))
		rssRows = append(rssRows, []string{fmtSize(big) + " file -> pipe (max of all runs)",
			fmtKiB(peakRSS("zcat", fileRuns[0])), fmtKiB(peakRSS("cat", fileRuns[1]))})
	}
	if pipeRuns != nil {
		worst = max(worst, peakRSS("zcat", pipeRuns[0]))
		rssRows = append(rssRows, []string{fmtSize(big) + " pipe -> pipe (max of all runs)",
			fmtKiB(peakRSS("zcat", pipeRuns[0])), fmtKiB(peakRSS("cat", pipeRuns[1]))})
	}
	rssOf(fmtSize(4*big)+" pipe -> pipe", catPipe("zcat", 4*big, zcat), catPipe("cat", 4*big, gnuCat))
	table(rssRows)
	if worst > 0 {
		h.target(2, tZcatRSS, "max "+fmtKiB(worst), lowerIsBetter(stats{float64(worst), float64(worst), float64(worst)}, 10*1024))
	}

	h.startup(zcat)
}

// sizeNote marks a result measured on a smaller input than the target's.
func sizeNote(got, want int64) string {
	if got < want {
		return " (on " + fmtSize(got) + ")"
	}
	return ""
}

// startup compares zcat's start-up on a one-line file with the floor (a Go
// program that copies the line with raw system calls) and GNU cat, with
// hyperfine, in many short rounds whose order rotates (hyperfine runs one
// command after the other: short rounds keep a slow spell of the machine
// from falling on one of them); the ratio of each round's medians gives
// the spread.
func (h *harness) startup(zcat string) {
	if _, err := exec.LookPath("hyperfine"); err != nil {
		fmt.Println("  start-up: skipped: hyperfine is not installed (apt-get install hyperfine)")
		h.skip(2, tZcatStartup, "hyperfine is not installed")
		return
	}
	cmds := []string{h.helper("floor"), zcat, gnuCat}
	names := []string{"floor", "zcat", "cat"}
	times := make([][]float64, len(cmds))
	var vsFloor, vsCat []float64
	for round := 0; round < h.cfg.startRounds; round++ {
		order := make([]int, len(cmds))
		lines := make([]string, len(cmds))
		for k := range cmds {
			order[k] = (k + round) % len(cmds)
			lines[k] = shellQuote(cmds[order[k]]) + " " + shellQuote(h.oneLine)
		}
		res, err := hyperfine(h.cfg.startRuns, 5, lines, h.path("hyperfine.json"))
		if err != nil {
			h.fail(2, tZcatStartup, err)
			return
		}
		med := make([]float64, len(cmds))
		for k, i := range order {
			times[i] = append(times[i], res[k]...)
			med[i] = statsOf(res[k]).med
		}
		vsFloor = append(vsFloor, med[1]/med[0])
		vsCat = append(vsCat, med[1]/med[2])
	}
	fmt.Printf("  start-up on a one-line file (hyperfine -N, %d rounds x %d runs, output to /dev/null)\n",
		h.cfg.startRounds, h.cfg.startRuns)
	rows := [][]string{}
	for i, n := range names {
		s := statsOf(times[i])
		rows = append(rows, []string{n, fmtTime(s.med), fmt.Sprintf("[%s - %s]", fmtTime(s.lo), fmtTime(s.hi))})
	}
	f, c := statsOf(vsFloor), statsOf(vsCat)
	// Load only ever adds time: the fastest runs show the cost of the
	// programs themselves when the medians are spread.
	fast := statsOf(times[1]).lo / statsOf(times[0]).lo
	rows = append(rows,
		[]string{"zcat / floor", fmtRatio(f), "(rounds' medians)"},
		[]string{"zcat / cat", fmtRatio(c), ""},
		[]string{"zcat / floor, fastest runs", fmt.Sprintf("%.2fx", fast), ""})
	table(rows)
	h.target(2, tZcatStartup, fmt.Sprintf("%s (fastest %.2fx; vs cat %.2fx)", fmtRatio(f), fast, c.med), lowerIsBetter(f, 1.10))
}

// hyperfine runs the command lines (no shell) and returns each one's run
// times in seconds, in the order given.
func hyperfine(runs, warmup int, lines []string, jsonPath string) ([][]float64, error) {
	args := []string{"-N", "--style", "none", "--warmup", fmt.Sprint(warmup),
		"--runs", fmt.Sprint(runs), "--export-json", jsonPath}
	if err := sh(append(append([]string{"hyperfine"}, args...), lines...)...); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		return nil, err
	}
	var out struct {
		Results []struct {
			Command string    `json:"command"`
			Times   []float64 `json:"times"`
		} `json:"results"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("hyperfine's JSON: %v", err)
	}
	if len(out.Results) != len(lines) {
		return nil, fmt.Errorf("hyperfine gave %d results for %d commands", len(out.Results), len(lines))
	}
	res := make([][]float64, len(lines))
	for i, r := range out.Results {
		res[i] = r.Times
	}
	return res, nil
}

// shellQuote quotes s for hyperfine's shell-words splitting.
func shellQuote(s string) string {
	if !strings.ContainsAny(s, " '\"\\$`") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
