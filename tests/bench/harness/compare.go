package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// placement says where the processes of a streaming row run: the stage
// under test on CPU tool, the others (source, drain) on CPU other; -1
// leaves them to the kernel.
type placement struct {
	name        string
	tool, other int
}

var unpinned = placement{"unpinned", -1, -1}

// placements are the ones a streaming row runs in: unpinned, and with
// -pin also both ends on one core and on two, since the ranking of the
// tools can differ (a splice that fills a pipe wakes its reader on the
// other core, or on the same one once it sleeps).
func (h *harness) placements() []placement {
	if !h.pin {
		return []placement{unpinned}
	}
	return []placement{unpinned, {"one core (all on CPU 0)", 0, 0}, {"two cores (tool on CPU 0, the others on CPU 1)", 0, 1}}
}

// pinned sets the CPUs of a row's stages: t is the stage under test.
func (pl placement) pinned(t *stage, others ...*stage) {
	t.cpu = pl.tool
	for _, s := range others {
		s.cpu = pl.other
	}
}

// compare measures the tools side by side, interleaved (see measure); the
// first is zcopy's. The stage under test must be labelled "tool". It
// prints one row per tool: time, throughput when bytes > 0, zcopy's
// speed-up over the tool (the tool's time / zcopy's, median of the
// same-round ratios), CPU time, context switches (voluntary / involuntary,
// medians) and peak RSS, all of the tool's process. The runs come back in
// the order of ts, nil for a tool that was not measured.
func (h *harness) compare(bytes int64, ts []tool, mk func(t tool) variant) ([][]sample, error) {
	return h.compareN(h.cfg.reps, bytes, ts, mk)
}

// compareN is compare with at least reps rounds.
func (h *harness) compareN(reps int, bytes int64, ts []tool, mk func(t tool) variant) ([][]sample, error) {
	var vs []variant
	var idx []int
	for i, t := range ts {
		if t.why == "" {
			vs = append(vs, mk(t))
			idx = append(idx, i)
		}
	}
	got, err := measure(reps, h.cfg.budget, vs...)
	if err != nil {
		return nil, err
	}
	runs := make([][]sample, len(ts))
	for k, i := range idx {
		runs[i] = got[k]
	}
	rss := h.peakRSS(ts, mk)
	rows := [][]string{{"tool", "median", "[min - max]", "throughput", ts[0].name + "'s speed-up", "CPU", "ctx sw vol/invol", "peak RSS"}}
	for i, t := range ts {
		if runs[i] == nil {
			rows = append(rows, []string{t.name, "-", "not measured: " + t.why})
			continue
		}
		r := timeRow(t.name, runs[i], bytes)
		sp := ""
		if i > 0 {
			sp = fmtRatio(statsOf(ratios(runs[0], runs[i])))
		}
		u := usageOf("tool", runs[i])
		r = append(r, sp, fmtTime(u.cpu.Seconds()), fmt.Sprintf("%d / %d", u.nvcsw, u.nivcsw), rss[i])
		rows = append(rows, r)
	}
	table(rows)
	fmt.Printf("  (%d rounds; speed-up: >1 means %s was faster)\n", len(runs[0]), ts[0].name)
	return runs, nil
}

// peakRSS runs each tool once more under GNU time and returns the peak RSS
// it reports (%M). wait4's ru_maxrss would do, if it did not start from
// the RSS of the process that forked the child (the harness: exec(2)
// keeps the larger of the old and the new image's high-water marks), which
// makes every small tool look as large as the harness.
func (h *harness) peakRSS(ts []tool, mk func(t tool) variant) []string {
	out := make([]string, len(ts))
	for i, kib := range h.peakRSSKiB(ts, mk) {
		switch {
		case ts[i].why != "":
		case kib < 0:
			out[i] = "?"
		default:
			out[i] = fmtKiB(kib)
		}
	}
	return out
}

// peakRSSKiB is peakRSS in KiB, -1 where it could not be had.
func (h *harness) peakRSSKiB(ts []tool, mk func(t tool) variant) []int64 {
	out := make([]int64, len(ts))
	gnuTime, err := exec.LookPath("time")
	if err != nil {
		gnuTime = "/usr/bin/time"
	}
	if !executable(gnuTime) {
		for i := range out {
			out[i] = -1
		}
		return out
	}
	f := h.path("rss")
	for i, t := range ts {
		if t.why != "" {
			continue
		}
		t.argv = append([]string{gnuTime, "-f", "%M", "-o", f}, t.argv...)
		out[i] = -1
		if _, err := mk(t).run(); err != nil {
			continue
		}
		b, err := os.ReadFile(f)
		kib, err2 := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err != nil || err2 != nil {
			continue
		}
		out[i] = kib
		h.rssKiB[t.name] = max(h.rssKiB[t.name], kib)
	}
	os.Remove(f)
	return out
}

// usageOf is the median usage of the process label over the samples.
func usageOf(label string, ss []sample) usage {
	var cpu, vol, invol []float64
	for _, s := range ss {
		u := s.ru[label]
		cpu = append(cpu, u.cpu.Seconds())
		vol = append(vol, float64(u.nvcsw))
		invol = append(invol, float64(u.nivcsw))
	}
	return usage{
		cpu:   time.Duration(statsOf(cpu).med * 1e9),
		nvcsw: int64(statsOf(vol).med), nivcsw: int64(statsOf(invol).med),
	}
}

// speedup is zcopy's (ts[0]'s) speed-up over the peer named like prefix,
// or false when that peer was not measured.
func speedup(runs [][]sample, ts []tool, prefix string) (stats, bool) {
	i := peer(ts, prefix)
	if i < 0 || runs == nil || runs[i] == nil {
		return stats{}, false
	}
	return statsOf(ratios(runs[0], runs[i])), true
}

// aheadOfAll judges "ahead of every other tool": the least of the
// median speed-ups over the peers, and which peer it is.
func aheadOfAll(runs [][]sample, ts []tool) (stats, string) {
	worst, name := stats{med: 1e9}, ""
	for i := 1; i < len(ts); i++ {
		if runs[i] == nil {
			continue
		}
		if s := statsOf(ratios(runs[0], runs[i])); s.med < worst.med {
			worst, name = s, ts[i].name
		}
	}
	return worst, name
}

// streamRow runs one streaming row in every placement, then the runtime
// counters of each tool once, and returns the unpinned runs (nil when
// they failed). what names the row's target, desc the row.
func (h *harness) streamRow(what, desc string, n int64, ts []tool, mk func(pl placement) func(t tool) variant) [][]sample {
	var runs [][]sample
	for _, pl := range h.placements() {
		fmt.Printf("  %s; %s\n", desc, pl.name)
		r, err := h.compare(n, ts, mk(pl))
		if err != nil {
			h.fail(9, what+" ("+pl.name+")", err)
		} else if pl == unpinned {
			runs = r
		}
	}
	fmt.Println("  runtime counters of the row above (unpinned)")
	h.counters(ts, mk(unpinned))
	return runs
}
