// Command peakrss runs a command with the standard descriptors it was given
// and reports on stderr the command's peak resident set size, from the
// rusage that wait4(2) returns, and its wall time:
//
//	peakrss zcat big | drain
//	peakrss: zcat: peak RSS 2148 KiB, wall 0.084 s, exit 0
//
// It is how a row of `make bench` can be checked by hand; the benchmark
// itself reads the same rusage from each stage of its pipelines. Its exit
// status is the command's (128+N when killed by signal N).
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: peakrss COMMAND [ARG]...")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "peakrss: %v\n", err)
		os.Exit(127)
	}
	_ = cmd.Wait() // the status is in ProcessState
	wall := time.Since(start)
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	code := ws.ExitStatus()
	if ws.Signaled() {
		code = 128 + int(ws.Signal())
	}
	// ru_maxrss is in KiB on Linux (getrusage(2)).
	fmt.Fprintf(os.Stderr, "peakrss: %s: peak RSS %d KiB, wall %.3f s, exit %d\n",
		os.Args[1], ru.Maxrss, wall.Seconds(), code)
	os.Exit(code)
}
