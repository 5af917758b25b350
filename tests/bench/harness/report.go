package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
)

// target is one "What it must reach" line of an issue and what this run
// measured for it.
type target struct {
	issue    int
	what     string
	measured string
	verdict  string
}

type report struct {
	targets  []target
	failures []string
}

func (r *report) target(issue int, what, measured, verdict string) {
	r.targets = append(r.targets, target{issue, what, measured, verdict})
}

func (r *report) skip(issue int, what, why string) {
	r.target(issue, what, "-", "skipped: "+why)
}

func (r *report) fail(issue int, what string, err error) {
	r.target(issue, what, "-", "FAILED: "+err.Error())
	r.failures = append(r.failures, fmt.Sprintf("%s: %v", what, err))
}

// higherIsBetter judges a median against a goal it must reach, saying
// when the runs disagree with the median.
func higherIsBetter(s stats, goal float64) string {
	switch {
	case s.lo >= goal:
		return "met"
	case s.med >= goal:
		return "met (median; not in every run)"
	case s.hi >= goal:
		return "NOT met (median; met in some runs)"
	}
	return "NOT met"
}

func lowerIsBetter(s stats, goal float64) string {
	switch {
	case s.hi <= goal:
		return "met"
	case s.med <= goal:
		return "met (median; not in every run)"
	case s.lo <= goal:
		return "NOT met (median; met in some runs)"
	}
	return "NOT met"
}

func section(title string) {
	fmt.Printf("\n== %s ==\n", title)
}

func fmtTime(sec float64) string {
	switch {
	case sec >= 1:
		return fmt.Sprintf("%.2f s", sec)
	case sec >= 0.01:
		return fmt.Sprintf("%.0f ms", sec*1e3)
	case sec >= 1e-3:
		return fmt.Sprintf("%.2f ms", sec*1e3)
	case sec >= 1e-5:
		return fmt.Sprintf("%.0f µs", sec*1e6)
	}
	return fmt.Sprintf("%.2f µs", sec*1e6)
}

func fmtSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d B", n)
}

func fmtKiB(kib int64) string {
	return fmt.Sprintf("%.1f MiB", float64(kib)/1024)
}

func fmtRatio(s stats) string {
	return fmt.Sprintf("%.2fx [%.2f-%.2f]", s.med, s.lo, s.hi)
}

// table prints rows of tab-separated cells, aligned.
func table(rows [][]string) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, "  "+strings.Join(r, "\t"))
	}
	tw.Flush()
}

// timeRow is a table row for a measured variant: median [min-max] and,
// when bytes > 0, the throughput at the median.
func timeRow(name string, ss []sample, bytes int64) []string {
	st := statsOf(seconds(ss))
	rate := ""
	if bytes > 0 {
		rate = fmt.Sprintf("%.2f GB/s", float64(bytes)/st.med/1e9)
	}
	return []string{name, fmtTime(st.med), fmt.Sprintf("[%s - %s]", fmtTime(st.lo), fmtTime(st.hi)), rate}
}

func (r *report) printTargets() {
	section("targets (from the issues): measured in this run")
	rows := [][]string{{"issue", "target", "measured", "verdict"}}
	for _, t := range r.targets {
		rows = append(rows, []string{fmt.Sprintf("#%d", t.issue), t.what, t.measured, t.verdict})
	}
	table(rows)
	fmt.Println("  ratios: median of same-run pairs [min-max over the pairs]; times: median [min-max]")
}
