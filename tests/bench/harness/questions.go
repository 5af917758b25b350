package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The questions DESIGN.md leaves to measurement, answered with the methods
// helper, which forces one way of copying, not through the engine.

var pipeSizes = []int{64 << 10, 256 << 10, 1 << 20}

// pinStages, when set, places the stages of the methods rows.
var pinStages *placement

func (h *harness) questions() {
	section("design questions (tests/bench/methods: raw system calls, one method forced)")
	n := h.cfg.big
	methods := func(mode string, pipe int, fromPipe bool) variant {
		name := fmt.Sprintf("%s/%s", mode, fmtSize(int64(pipe)))
		return variant{name, func() (sample, error) {
			var stages []*stage
			m := newStage("methods", h.helper("methods"), "-mode", mode, "-pipe", fmt.Sprint(pipe))
			if fromPipe {
				stages = append(stages, newStage("source", h.helper("source"), "-pipe", "0", h.bigFile))
			} else {
				m.argv = append(m.argv, h.bigFile)
			}
			d := newStage("drain", h.helper("drain"), "-pipe", "0")
			stages = append(stages, m, d)
			if pl := pinStages; pl != nil {
				pl.pinned(m, d)
				if fromPipe {
					stages[0].cpu = pl.other
				}
			}
			ends, err := chain(stages...)
			if err != nil {
				return sample{}, err
			}
			s, err := runStages(stages, ends)
			if err == nil {
				err = expect(n, d)
			}
			return s, err
		}}
	}

	h.viaPipe(methods)

	// Q1 and Q2 for file -> pipe: splice directly or through a pipe of
	// methods' own, at each pipe size; read/write for reference.
	var vs []variant
	for _, mode := range []string{"direct", "viapipe"} {
		for _, p := range pipeSizes {
			vs = append(vs, methods(mode, p, false))
		}
	}
	vs = append(vs, methods("readwrite", 1<<20, false))
	fmt.Printf("  file -> pipe, %s cached file -> drain; every pipe set to the size shown\n", fmtSize(n))
	fileRuns, err := measure(h.questionReps(), h.cfg.budget, vs...)
	if err != nil {
		fmt.Println("  failed: " + err.Error())
		h.failures = append(h.failures, "design questions: "+err.Error())
	} else {
		rows := [][]string{{"method/pipe size", "median", "[min - max]", "throughput"}}
		for i, v := range vs {
			rows = append(rows, timeRow(v.name, fileRuns[i], n))
		}
		table(rows)
		at1M := statsOf(ratios(fileRuns[2], fileRuns[5]))
		at64K := statsOf(ratios(fileRuns[0], fileRuns[3]))
		fmt.Printf("  -> via a pipe / direct: %s at 1 MiB, %s at 64 KiB (>1: direct is faster)\n", fmtRatio(at1M), fmtRatio(at64K))
		fmt.Printf("  -> direct 64 KiB / 1 MiB: %s; 256 KiB / 1 MiB: %s (>1: 1 MiB is faster)\n",
			fmtRatio(statsOf(ratios(fileRuns[2], fileRuns[0]))), fmtRatio(statsOf(ratios(fileRuns[2], fileRuns[1]))))
	}

	// Q2 for pipe -> pipe: the stage's stdin and stdout pipes at each size.
	vs = vs[:0]
	for _, p := range pipeSizes {
		vs = append(vs, methods("direct", p, true))
	}
	vs = append(vs, methods("readwrite", 1<<20, true))
	fmt.Printf("  pipe -> pipe, source | methods | drain, %s; both pipes of the stage set to the size shown\n", fmtSize(n))
	pipeRuns, err := measure(h.questionReps(), h.cfg.budget, vs...)
	if err != nil {
		fmt.Println("  failed: " + err.Error())
		h.failures = append(h.failures, "design questions: "+err.Error())
	} else {
		rows := [][]string{{"method/pipe size", "median", "[min - max]", "throughput"}}
		for i, v := range vs {
			rows = append(rows, timeRow(v.name, pipeRuns[i], n))
		}
		table(rows)
		fmt.Printf("  -> direct 64 KiB / 1 MiB: %s; 256 KiB / 1 MiB: %s (>1: 1 MiB is faster)\n",
			fmtRatio(statsOf(ratios(pipeRuns[2], pipeRuns[0]))), fmtRatio(statsOf(ratios(pipeRuns[2], pipeRuns[1]))))
	}

	h.smallFiles()
}

// questionReps is the rounds of the pipe-size rows, answered long ago
// with 7 (see tests/bench/README.md) and kept as a check.
func (h *harness) questionReps() int { return min(7, h.cfg.reps) }

// viaPipe settles Q1 (splice a file into the output pipe directly, or
// through a pipe of one's own first, as uutils does) for file -> pipe and
// pipe -> pipe with 1 MiB pipes, with enough rounds, in every placement:
// unpinned, all on one core, and the copier and its neighbours on two.
func (h *harness) viaPipe(methods func(mode string, pipe int, fromPipe bool) variant) {
	reps := max(21, h.cfg.reps)
	if h.cfg.quick {
		reps = 9
	}
	pls := []placement{unpinned, {"one core", 0, 0}, {"two cores", 0, 1}}
	fmt.Printf("  Q1: direct splice or through a pipe of one's own, 1 MiB pipes, %s, %d+ rounds per placement\n", fmtSize(h.cfg.big), reps)
	rows := [][]string{{"copy", "placement", "direct", "via a pipe", "via a pipe's time / direct's", "CPU direct / via", "ctx sw direct / via"}}
	for _, fromPipe := range []bool{false, true} {
		name := "file -> pipe"
		if fromPipe {
			name = "pipe -> pipe"
		}
		for _, pl := range pls {
			pin := func(v variant) variant {
				run := v.run
				return variant{v.name, func() (sample, error) {
					old := pinStages
					pinStages = &pl
					defer func() { pinStages = old }()
					return run()
				}}
			}
			runs, err := measure(reps, 0, pin(methods("direct", 1<<20, fromPipe)), pin(methods("viapipe", 1<<20, fromPipe)))
			if err != nil {
				fmt.Println("  failed: " + err.Error())
				h.failures = append(h.failures, "design questions: "+err.Error())
				return
			}
			d, v := statsOf(seconds(runs[0])), statsOf(seconds(runs[1]))
			ud, uv := usageOf("methods", runs[0]), usageOf("methods", runs[1])
			rows = append(rows, []string{name, pl.name, fmtTime(d.med), fmtTime(v.med),
				fmtRatio(statsOf(ratios(runs[0], runs[1]))),
				fmt.Sprintf("%s / %s", fmtTime(ud.cpu.Seconds()), fmtTime(uv.cpu.Seconds())),
				fmt.Sprintf("%d / %d", ud.nvcsw+ud.nivcsw, uv.nvcsw+uv.nivcsw)})
		}
	}
	table(rows)
	fmt.Println("  -> <1: through a pipe is faster; the engine splices file -> pipe directly (see README, Performance)")
}

// smallFiles finds the size below which read/write beats splice for one
// small file into an empty pipe that is then drained: what a `zcat small |
// drain` does besides starting up. The pipe keeps its default 64 KiB for
// files that fit in it with a page to spare (the engine grows no pipe for
// those) and is grown to 1 MiB above.
func (h *harness) smallFiles() {
	sizes := []int64{64, 512, 1 << 10, 2 << 10, 4 << 10, 8 << 10, 16 << 10, 32 << 10, 60 << 10,
		128 << 10, 256 << 10, 1020 << 10}
	fmt.Printf("  small files: one copy into an empty pipe, then drained (methods -selfdrain, %s loops x %d)\n",
		h.cfg.smallLoop, h.cfg.smallReps)
	rows := [][]string{{"size", "pipe", "splice", "read/write", "read/write / splice"}}
	type res struct {
		size     int64
		splice   stats
		rw       stats
		rwFaster bool
	}
	var all []res
	for _, size := range sizes {
		file := h.path(fmt.Sprintf("small-%d", size))
		if err := sh(h.helper("mkdata"), "file", file, fmt.Sprint(size)); err != nil {
			fmt.Println("  failed: " + err.Error())
			return
		}
		pipe := 0
		if size > 60<<10 {
			pipe = 1 << 20
		}
		loop := func(mode string) variant {
			return variant{mode, func() (sample, error) {
				m := newStage("methods", h.helper("methods"), "-selfdrain", "-mode", mode,
					"-pipe", fmt.Sprint(pipe), "-loop", h.cfg.smallLoop.String(), file)
				if _, err := runStages([]*stage{m}, nil); err != nil {
					return sample{}, err
				}
				v, ok := strings.CutPrefix(strings.TrimSpace(m.errb.String()), "ns/op ")
				ns, err := strconv.ParseInt(v, 10, 64)
				if !ok || err != nil {
					return sample{}, fmt.Errorf("methods printed %q", m.errb.String())
				}
				return sample{d: time.Duration(ns)}, nil
			}}
		}
		runs, err := measure(h.cfg.smallReps, h.cfg.budget/5, loop("direct"), loop("readwrite"))
		if err != nil {
			fmt.Println("  failed: " + err.Error())
			h.failures = append(h.failures, "design questions: "+err.Error())
			return
		}
		sp, rw := statsOf(seconds(runs[0])), statsOf(seconds(runs[1]))
		r := statsOf(ratios(runs[0], runs[1]))
		pipeName := "64 KiB"
		if pipe > 0 {
			pipeName = fmtSize(int64(pipe))
		}
		rows = append(rows, []string{fmtSize(size), pipeName,
			fmt.Sprintf("%s [%s-%s]", fmtTime(sp.med), fmtTime(sp.lo), fmtTime(sp.hi)),
			fmt.Sprintf("%s [%s-%s]", fmtTime(rw.med), fmtTime(rw.lo), fmtTime(rw.hi)),
			fmtRatio(r)})
		all = append(all, res{size, sp, rw, r.med < 1})
	}
	table(rows)
	// The threshold: the smallest size from which splice is faster at
	// every larger size measured.
	threshold := int64(-1)
	for i := len(all) - 1; i >= 0 && !all[i].rwFaster; i-- {
		threshold = all[i].size
	}
	switch {
	case threshold == all[0].size:
		fmt.Printf("  -> splice is faster at every size measured, down to %s\n", fmtSize(all[0].size))
	case threshold < 0:
		fmt.Println("  -> read/write is faster at every size measured")
	default:
		var gain time.Duration
		for _, a := range all {
			if a.size < threshold {
				gain = max(gain, time.Duration((a.splice.med-a.rw.med)*1e9))
			}
		}
		fmt.Printf("  -> read/write is faster below %s (by at most %s a copy); splice from %s up\n",
			fmtSize(threshold), fmtTime(gain.Seconds()), fmtSize(threshold))
	}
}
