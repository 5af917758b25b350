package main

import (
	"fmt"
	"os"
)

const gnuTee = "/usr/bin/tee"

const (
	tZteeFile  = "source|ztee FILE|drain >= 2x tee (1 GiB)"
	tZteePipes = "source|ztee >(drain)|drain >= 5x tee"
	tZteeRSS   = "ztee peak RSS < 10 MiB"
)

func (h *harness) ztee() {
	section("ztee (issue 3)")
	ztee, why := h.command("ztee")
	if ztee == "" {
		fmt.Println("  skipped: " + why)
		for _, t := range []string{tZteeFile, tZteePipes, tZteeRSS} {
			h.skip(3, t, why)
		}
		return
	}
	n := h.cfg.stream
	out := h.path("tee.out")
	// toFile: source | tee OUT | drain; OUT is checked, then removed
	// (untimed) so that its dirty pages are dropped rather than written
	// back under the next run.
	toFile := func(name, bin string) variant {
		return variant{name, func() (sample, error) {
			defer os.Remove(out)
			src := newStage("source", h.helper("source"), "-n", fmt.Sprint(n), h.bigFile)
			t, d := newStage(name, bin, out), newStage("drain", h.helper("drain"))
			ends, err := chain(src, t, d)
			if err != nil {
				return sample{}, err
			}
			s, err := runStages([]*stage{src, t, d}, ends)
			if err == nil {
				err = expect(n, d)
			}
			if err == nil {
				if st, e := os.Stat(out); e != nil {
					err = e
				} else if st.Size() != n {
					err = fmt.Errorf("wrong output: %s has %d bytes, want %d", out, st.Size(), n)
				}
			}
			return s, err
		}}
	}
	// toPipes: source | tee /dev/fd/3 3>(drain) | drain, what bash's
	// process substitution makes: the operand names a pipe.
	toPipes := func(name, bin string) variant {
		return variant{name, func() (sample, error) {
			src := newStage("source", h.helper("source"), "-n", fmt.Sprint(n), h.bigFile)
			t, d := newStage(name, bin, "/dev/fd/3"), newStage("drain", h.helper("drain"))
			side := newStage("drain", h.helper("drain"))
			ends, err := chain(src, t, d)
			if err != nil {
				return sample{}, err
			}
			r, w, err := pipe()
			if err != nil {
				closeAll(ends)
				return sample{}, err
			}
			t.extra, side.stdin = []*os.File{w}, r
			s, err := runStages([]*stage{src, t, d, side}, append(ends, r, w))
			if err == nil {
				err = expect(n, d, side)
			}
			return s, err
		}}
	}

	fmt.Printf("  pipe -> pipe + file: source splices %s into the stage; FILE on %s\n", fmtSize(n), fsType(h.work))
	fileRuns, err := measure(h.cfg.reps, h.cfg.budget, toFile("ztee", ztee), toFile("tee", gnuTee))
	if err != nil {
		h.fail(3, tZteeFile, err)
	} else {
		r := statsOf(ratios(fileRuns[0], fileRuns[1]))
		table([][]string{
			timeRow("source | ztee FILE | drain", fileRuns[0], n),
			timeRow("source | tee FILE | drain", fileRuns[1], n),
			{"speed-up over tee", fmtRatio(r), fmt.Sprintf("%d pairs", len(fileRuns[0]))},
		})
		h.target(3, tZteeFile, fmtRatio(r)+sizeNote(n, 1<<30), higherIsBetter(r, 2))
	}

	fmt.Println("  pipe -> two pipes: the operand is /dev/fd/3, a pipe to a second drain (as >(drain))")
	pipeRuns, err := measure(h.cfg.reps, h.cfg.budget, toPipes("ztee", ztee), toPipes("tee", gnuTee))
	if err != nil {
		h.fail(3, tZteePipes, err)
	} else {
		r := statsOf(ratios(pipeRuns[0], pipeRuns[1]))
		table([][]string{
			timeRow("source | ztee >(drain) | drain", pipeRuns[0], n),
			timeRow("source | tee >(drain) | drain", pipeRuns[1], n),
			{"speed-up over tee", fmtRatio(r), fmt.Sprintf("%d pairs", len(pipeRuns[0]))},
		})
		h.target(3, tZteePipes, fmtRatio(r)+sizeNote(n, 1<<30), higherIsBetter(r, 5))
	}

	if fileRuns == nil && pipeRuns == nil {
		h.skip(3, tZteeRSS, "no successful run")
		return
	}
	var all []sample
	for _, runs := range [][][]sample{fileRuns, pipeRuns} {
		for _, ss := range runs {
			all = append(all, ss...)
		}
	}
	worst := peakRSS("ztee", all)
	fmt.Printf("  peak RSS over all runs: ztee %s, tee %s\n", fmtKiB(worst), fmtKiB(peakRSS("tee", all)))
	h.target(3, tZteeRSS, "max "+fmtKiB(worst), lowerIsBetter(stats{float64(worst), float64(worst), float64(worst)}, 10*1024))
}
