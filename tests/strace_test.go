package tests

// Proofs by strace that the data stays in the kernel: a run under
// `strace -f -y`, and a tally of what its log says each system call moved
// on which descriptor.

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// traceSyscalls are the system calls that move data; the zero-copy ones
// are the last four.
const traceSyscalls = "read,write,readv,writev,pread64,pwrite64,preadv,pwritev,preadv2,pwritev2,splice,sendfile,copy_file_range,tee"

var zeroCopySyscalls = map[string]bool{"splice": true, "sendfile": true, "copy_file_range": true, "tee": true}

// maxUserBytes is how much data may cross user space on a zero-copy path:
// a few KiB, for what the engine reads before it knows better.
const maxUserBytes = 8 << 10

// traceCall is one finished system call of an strace -f -y log.
type traceCall struct {
	name string
	fds  []string // the descriptors' annotations, in argument order: "/tmp/x", "pipe:[123]"
	ret  int64
}

var (
	traceLineRE   = regexp.MustCompile(`^(\d+)\s+(\w+)\((.*)$`)
	traceResumeRE = regexp.MustCompile(`^(\d+)\s+<\.\.\. (\w+) resumed>(.*)$`)
	traceRetRE    = regexp.MustCompile(`\)\s+= (-?\d+)(?: .*)?$`)
	// an fd argument with strace -y: 3</tmp/x> or 1<pipe:[123]>.
	traceFdRE = regexp.MustCompile(`(?:^|, )\d+<([^>]*)>`)
)

// parseTrace reads an strace -f -y log, joining calls that other threads
// interrupted ("<unfinished ...>" and "<... read resumed>").
func parseTrace(t *testing.T, log []byte) []traceCall {
	t.Helper()
	var calls []traceCall
	pending := map[string]string{} // pid -> the start of an unfinished call
	for _, line := range strings.Split(string(log), "\n") {
		if line == "" || strings.HasPrefix(strings.TrimLeft(line, "0123456789 "), "+++") ||
			strings.HasPrefix(strings.TrimLeft(line, "0123456789 "), "---") {
			continue
		}
		if strings.HasSuffix(line, "<detached ...>") {
			// A thread that strace let go of as the process exited, in
			// a call it could not name ("???(") or did not see return:
			// no result, so no bytes to count.
			continue
		}
		var name, rest string
		if m := traceResumeRE.FindStringSubmatch(line); m != nil {
			start, ok := pending[m[1]]
			if !ok {
				t.Fatalf("strace: resumed call without a start: %q", line)
			}
			delete(pending, m[1])
			sm := traceLineRE.FindStringSubmatch(start)
			name, rest = sm[2], sm[3]+m[3]
		} else if m := traceLineRE.FindStringSubmatch(line); m != nil {
			name, rest = m[2], m[3]
			if strings.HasSuffix(rest, "<unfinished ...>") {
				pending[m[1]] = strings.TrimSuffix(line, "<unfinished ...>")
				continue
			}
		} else {
			t.Fatalf("strace: line not understood: %q", line)
		}
		rm := traceRetRE.FindStringSubmatch(rest)
		if rm == nil {
			continue // a call that never returned (exit_group)
		}
		ret, _ := strconv.ParseInt(rm[1], 10, 64)
		c := traceCall{name: name, ret: ret}
		for _, fm := range traceFdRE.FindAllStringSubmatch(rest, -1) {
			c.fds = append(c.fds, fm[1])
		}
		calls = append(calls, c)
	}
	return calls
}

// straced returns argv run under strace, which logs to log every call of
// traceSyscalls with the files behind its descriptors (-y).
func straced(t *testing.T, log string, argv ...string) []string {
	t.Helper()
	strace := needTool(t, "strace")
	return append([]string{strace, "-f", "-qq", "-y", "-e", "signal=none", "-e", "trace=" + traceSyscalls, "-o", log}, argv...)
}

// checkZeroCopy reads the strace log of a run that moved data and checks
// that the zero-copy calls moved at least atLeast bytes and that at most
// maxUserBytes of the data crossed user space. It returns the bytes that
// tee(2) duplicated (counted among the zero-copy bytes too).
func checkZeroCopy(t *testing.T, log string, atLeast int64) (teed int64) {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	var user, zero int64
	var userCalls []string
	for _, call := range parseTrace(t, b) {
		if call.ret <= 0 {
			continue
		}
		if call.name == "tee" {
			teed += call.ret
		}
		if zeroCopySyscalls[call.name] {
			zero += call.ret
			continue
		}
		// Only the data's descriptors count: the Go runtime reads
		// files of /sys and /proc for itself.
		if len(call.fds) > 0 && dataFd(call.fds[0]) {
			user += call.ret
			userCalls = append(userCalls, fmt.Sprintf("%s(%s) = %d", call.name, call.fds[0], call.ret))
		}
	}
	if zero < atLeast {
		t.Errorf("the zero-copy system calls moved %d bytes, want at least %d", zero, atLeast)
	}
	if user > maxUserBytes {
		t.Errorf("%d bytes crossed user space (at most %d allowed): %s", user, maxUserBytes, strings.Join(userCalls[:min(10, len(userCalls))], ", "))
	}
	return teed
}

// dataFd tells the data's descriptors (files under the test's temporary
// directory, pipes, sockets) from the ones the runtime opens for itself.
func dataFd(annotation string) bool {
	switch {
	case strings.HasPrefix(annotation, "pipe:"), strings.HasPrefix(annotation, "socket:"),
		strings.HasPrefix(annotation, "TCP:"), strings.HasPrefix(annotation, "UNIX"):
		return true
	case strings.HasPrefix(annotation, "/proc/"), strings.HasPrefix(annotation, "/sys/"):
		return false
	}
	return strings.HasPrefix(annotation, os.TempDir())
}
