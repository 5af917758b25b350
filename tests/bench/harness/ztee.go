package main

import (
	"fmt"
	"os"
)

const (
	tZteeFile  = "source|ztee FILE|drain >= 1.1x uutils (1 GiB)"
	tZteePipes = "source|ztee >(drain)|drain >= 1.1x uutils"
	tZteeRSS   = "ztee peak RSS < 10 MiB"
)

func (h *harness) ztee() {
	section("ztee: tee's rows")
	ztee, why := h.command("ztee")
	if ztee == "" {
		fmt.Println("  skipped: " + why)
		for _, t := range []string{tZteeFile, tZteePipes, tZteeRSS} {
			h.skip(9, t, why)
		}
		return
	}
	n := h.cfg.stream
	ts := h.teeTools(ztee)
	out := h.path("tee.out")
	// toFile: source | tee OUT | drain; OUT is checked, then removed
	// (untimed) so that its dirty pages are dropped rather than written
	// back under the next run.
	toFile := func(pl placement) func(t tool) variant {
		return func(t tool) variant {
			return variant{t.name, func() (sample, error) {
				defer os.Remove(out)
				src := newStage("source", h.helper("source"), "-n", fmt.Sprint(n), h.bigFile)
				c, d := newStage("tool", append(t.argv[:len(t.argv):len(t.argv)], out)...), newStage("drain", h.helper("drain"))
				pl.pinned(c, src, d)
				s, err := runChain(n, src, c, d)
				if err == nil {
					err = checkSize(out, n)
				}
				return s, err
			}}
		}
	}
	// toPipes: source | tee /dev/fd/3 3>(drain) | drain, what bash's
	// process substitution makes: the operand names a pipe.
	toPipes := func(pl placement) func(t tool) variant {
		return func(t tool) variant {
			return variant{t.name, func() (sample, error) {
				src := newStage("source", h.helper("source"), "-n", fmt.Sprint(n), h.bigFile)
				c, d := newStage("tool", append(t.argv[:len(t.argv):len(t.argv)], "/dev/fd/3")...), newStage("drain", h.helper("drain"))
				side := newStage("side", h.helper("drain"))
				pl.pinned(c, src, d, side)
				ends, err := chain(src, c, d)
				if err != nil {
					return sample{}, err
				}
				r, w, err := pipe()
				if err != nil {
					closeAll(ends)
					return sample{}, err
				}
				c.extra, side.stdin = []*os.File{w}, r
				s, err := runStages([]*stage{src, c, d, side}, append(ends, r, w))
				if err == nil {
					err = expect(n, d, side)
				}
				return s, err
			}}
		}
	}

	fileRuns := h.streamRow(tZteeFile, fmt.Sprintf("pipe -> pipe + file: source | TOOL FILE | drain, %s; FILE on %s", fmtSize(n), fsType(h.work)),
		n, ts, toFile)
	pipeRuns := h.streamRow(tZteePipes, fmt.Sprintf("pipe -> two pipes: source | TOOL >(drain) | drain, %s", fmtSize(n)),
		n, ts, toPipes)
	h.vsUutils(tZteeFile, fileRuns, ts, n)
	h.vsUutils(tZteePipes, pipeRuns, ts, n)
	if fileRuns == nil && pipeRuns == nil {
		h.skip(9, tZteeRSS, "no successful run")
		return
	}
	worst := h.rssKiB[ts[0].name]
	fmt.Printf("  ztee peak RSS (GNU time's %%M) over the rows above: %s\n", fmtKiB(worst))
	h.target(9, tZteeRSS, "max "+fmtKiB(worst), lowerIsBetter(stats{float64(worst), float64(worst), float64(worst)}, 10*1024))
}
