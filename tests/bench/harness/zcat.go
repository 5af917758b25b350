package main

import (
	"fmt"
)

// Issue 9's targets for zcat, in the order they are reported.
const (
	tZcatFile = "zcat FILE|drain >= 1.1x uutils (2 GiB, cached)"
	tZcatPipe = "source|zcat|drain >= 1.1x uutils"
	tZcatAll  = "zcat ahead of every other cat (file, pipe)"
	tZcatRSS  = "zcat peak RSS < 10 MiB, any input size"
)

func (h *harness) zcat() {
	section("zcat: cat's rows")
	zcat, why := h.command("zcat")
	if zcat == "" {
		fmt.Println("  skipped: " + why)
		for _, t := range []string{tZcatFile, tZcatPipe, tZcatAll, tZcatRSS} {
			h.skip(9, t, why)
		}
		return
	}
	big := h.cfg.big
	ts := h.catTools(zcat)
	catFile := func(pl placement) func(t tool) variant {
		return func(t tool) variant {
			return variant{t.name, func() (sample, error) {
				c, d := newStage("tool", append(t.argv[:len(t.argv):len(t.argv)], h.bigFile)...), newStage("drain", h.helper("drain"))
				pl.pinned(c, d)
				return runChain(big, c, d)
			}}
		}
	}
	catPipe := func(pl placement, n int64) func(t tool) variant {
		return func(t tool) variant {
			return variant{t.name, func() (sample, error) {
				src := newStage("source", h.helper("source"), "-n", fmt.Sprint(n), h.bigFile)
				c, d := newStage("tool", t.argv...), newStage("drain", h.helper("drain"))
				pl.pinned(c, src, d)
				return runChain(n, src, c, d)
			}}
		}
	}

	fileRuns := h.streamRow(tZcatFile, fmt.Sprintf("file -> pipe: TOOL FILE | drain, FILE a %s page-cached file", fmtSize(big)),
		big, ts, catFile)
	pipeRuns := h.streamRow(tZcatPipe, fmt.Sprintf("pipe -> pipe: source | TOOL | drain, source splicing the same %s", fmtSize(big)),
		big, ts, func(pl placement) func(t tool) variant { return catPipe(pl, big) })
	h.vsUutils(tZcatFile, fileRuns, ts, big)
	h.vsUutils(tZcatPipe, pipeRuns, ts, big)
	if fileRuns != nil && pipeRuns != nil {
		a, an := aheadOfAll(fileRuns, ts)
		b, bn := aheadOfAll(pipeRuns, ts)
		h.target(9, tZcatAll, fmt.Sprintf("least speed-up: file %s (%s), pipe %s (%s)", fmtRatio(a), an, fmtRatio(b), bn),
			higherIsBetter(stats{min(a.med, b.med), min(a.lo, b.lo), min(a.hi, b.hi)}, 1))
	}

	// Peak RSS must not grow with the input: the runs above, and a stream
	// four times as large.
	rss := h.peakRSS(ts[:1], catPipe(unpinned, 4*big))
	worst := h.rssKiB[ts[0].name]
	fmt.Printf("  zcat peak RSS (GNU time's %%M): %s on a %s stream, %s over every row\n", rss[0], fmtSize(4*big), fmtKiB(worst))
	h.target(9, tZcatRSS, "max "+fmtKiB(worst), lowerIsBetter(stats{float64(worst), float64(worst), float64(worst)}, 10*1024))
}

// vsUutils reports the target "at least 1.1x uutils" of a row.
func (h *harness) vsUutils(what string, runs [][]sample, ts []tool, n int64) {
	if runs == nil {
		return
	}
	r, ok := speedup(runs, ts, "uutils")
	if !ok {
		h.skip(9, what, "uutils not measured: "+getPeers)
		return
	}
	zt := statsOf(seconds(runs[0])).med
	h.target(9, what, fmt.Sprintf("%s; %s %s%s", fmtRatio(r), ts[0].name, fmtTime(zt), sizeNote(n, 1<<30)), higherIsBetter(r, 1.1))
}

// sizeNote marks a result measured on a smaller input than the target's.
func sizeNote(got, want int64) string {
	if got < want {
		return " (on " + fmtSize(got) + ")"
	}
	return ""
}
