package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// counterEvents are what perf stat counts in the runtime rows: the
// context switches and CPU migrations of the tool's process (all its
// threads), and the system calls a Go runtime adds to a copy (futex and
// nanosleep: threads woken and the monitor's sleeps) beside the data's.
var counterEvents = []string{"context-switches", "cpu-migrations", "syscalls:sys_enter_futex",
	"syscalls:sys_enter_nanosleep", "syscalls:sys_enter_splice", "syscalls:sys_enter_tee",
	"syscalls:sys_enter_sendfile64", "syscalls:sys_enter_read", "syscalls:sys_enter_write"}

// counters runs each tool once more under perf stat and prints what it
// counted: one run each, so a tendency, not a median. Without perf, or
// where its tracepoints are not readable, it says so.
func (h *harness) counters(ts []tool, mk func(t tool) variant) {
	perf, err := exec.LookPath("perf")
	if err != nil {
		fmt.Println("  runtime counters: skipped: perf is not installed (apt-get install linux-perf)")
		return
	}
	f := h.path("perf.csv")
	defer os.Remove(f)
	head := []string{"one run under perf stat"}
	for _, e := range counterEvents {
		head = append(head, strings.TrimPrefix(strings.TrimPrefix(e, "syscalls:sys_enter_"), "cpu-"))
	}
	rows := [][]string{head}
	for _, t := range ts {
		if t.why != "" {
			continue
		}
		t.argv = append([]string{perf, "stat", "-x,", "-o", f, "-e", strings.Join(counterEvents, ","), "--"}, t.argv...)
		if _, err := mk(t).run(); err != nil {
			fmt.Printf("  runtime counters: skipped: %v\n", err)
			return
		}
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Printf("  runtime counters: skipped: %v\n", err)
			return
		}
		got := map[string]string{}
		for _, l := range strings.Split(string(b), "\n") {
			c := strings.Split(l, ",")
			if len(c) < 3 || strings.HasPrefix(l, "#") {
				continue
			}
			if _, err := strconv.ParseFloat(c[0], 64); err != nil {
				c[0] = "-" // <not supported>, <not counted>
			}
			got[c[2]] = c[0]
		}
		r := []string{t.name}
		for _, e := range counterEvents {
			v, ok := got[e]
			if !ok {
				v = "?"
			}
			r = append(r, v)
		}
		rows = append(rows, r)
	}
	table(rows)
}
