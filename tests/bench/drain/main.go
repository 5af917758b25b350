// Command drain is the consumer at the end of every benchmark pipeline: it
// empties the pipe on its stdin into /dev/null with splice(2), so that the
// consumer costs the same whatever the stage under test does, and prints
// the number of bytes it consumed on stdout.
//
//	drain [-pipe SIZE]
//
// By default drain grows its stdin pipe to 1 MiB with F_SETPIPE_SZ (the
// system maximum for unprivileged users); -pipe 0 leaves the pipe's size
// alone, for the measurements that set it from the other end. A stdin that
// is a stream socket is spliced through a pipe of drain's own.
package main

import (
	"flag"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

func main() {
	pipeSize := flag.Int("pipe", 1<<20, "F_SETPIPE_SZ for stdin (0: leave it alone)")
	flag.Parse()
	n, err := drain(0, *pipeSize)
	if err != nil {
		fmt.Fprintf(os.Stderr, "drain: after %d bytes: %v\n", n, err)
		os.Exit(1)
	}
	fmt.Println(n)
}

func drain(in, pipeSize int) (int64, error) {
	var st unix.Stat_t
	if err := unix.Fstat(in, &st); err != nil {
		return 0, err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFSOCK {
		return drainSocket(in)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return 0, fmt.Errorf("stdin is not a pipe")
	}
	if pipeSize > 0 {
		// A refusal (EPERM above pipe-max-size, EBUSY) leaves a pipe that
		// still works.
		_, _ = unix.FcntlInt(uintptr(in), unix.F_SETPIPE_SZ, pipeSize)
	}
	null, err := unix.Open("/dev/null", unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer unix.Close(null)
	// The kernel moves at most what the pipe holds; a large count lets
	// a grown pipe be emptied in one call.
	return spliceLoop(in, null, 1<<30, nil)
}

// spliceLoop splices from in to out, max bytes a call, until in's end,
// and calls then (when not nil) after each call with what it moved.
func spliceLoop(in, out, max int, then func(n int64) error) (int64, error) {
	var total int64
	for {
		n, err := unix.Splice(in, nil, out, nil, max, unix.SPLICE_F_MOVE)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return total, fmt.Errorf("splice: %w", err)
		}
		if n == 0 {
			return total, nil
		}
		if then != nil {
			if err := then(n); err != nil {
				return total, err
			}
		}
		total += n
	}
}

// drainSocket splices the socket in into a pipe of its own, and the pipe
// into /dev/null.
func drainSocket(in int) (int64, error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return 0, err
	}
	_, _ = unix.FcntlInt(uintptr(p[1]), unix.F_SETPIPE_SZ, 1<<20)
	null, err := unix.Open("/dev/null", unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer unix.Close(null)
	return spliceLoop(in, p[1], 1<<20, func(n int64) error {
		for n > 0 {
			m, err := unix.Splice(p[0], nil, null, nil, int(n), unix.SPLICE_F_MOVE)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return fmt.Errorf("splice: %w", err)
			}
			n -= m
		}
		return nil
	})
}
