// Command source feeds the pipe on its stdout from a page-cached file with
// splice(2), so that a pipe -> pipe stage can be measured without the cost
// of a producer copying bytes: the pipe receives references to the file's
// page-cache pages.
//
//	source [-n BYTES] [-pipe SIZE] FILE
//
// It sends FILE once, or exactly BYTES bytes, starting over at the beginning
// of FILE as often as needed. By default it grows its stdout pipe to 1 MiB
// with F_SETPIPE_SZ; -pipe 0 leaves the pipe's size alone. A stdout that is
// a socket gets the pages with sendfile(2) instead.
package main

import (
	"flag"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

func main() {
	total := flag.Int64("n", -1, "bytes to send (default: the file once)")
	pipeSize := flag.Int("pipe", 1<<20, "F_SETPIPE_SZ for stdout (0: leave it alone)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: source [-n BYTES] [-pipe SIZE] FILE")
		os.Exit(2)
	}
	if err := send(flag.Arg(0), 1, *total, *pipeSize); err != nil {
		fmt.Fprintf(os.Stderr, "source: %v\n", err)
		os.Exit(1)
	}
}

func send(name string, out int, total int64, pipeSize int) error {
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	if st.Size == 0 && total > 0 {
		return fmt.Errorf("%s: empty file", name)
	}
	if total < 0 {
		total = st.Size
	}
	if pipeSize > 0 {
		// A refusal leaves a pipe that still works.
		_, _ = unix.FcntlInt(uintptr(out), unix.F_SETPIPE_SZ, pipeSize)
	}
	var ost unix.Stat_t
	if err := unix.Fstat(out, &ost); err != nil {
		return err
	}
	move := func(off *int64, n int) (int64, error) {
		return unix.Splice(fd, off, out, nil, n, unix.SPLICE_F_MOVE)
	}
	if ost.Mode&unix.S_IFMT == unix.S_IFSOCK {
		move = func(off *int64, n int) (int64, error) {
			m, err := unix.Sendfile(out, fd, off, n)
			return int64(m), err
		}
	}
	var off int64
	for total > 0 {
		if off == st.Size {
			off = 0
		}
		n, err := move(&off, int(min(total, st.Size-off, 1<<30)))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("splice: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("%s: shorter than its size", name)
		}
		total -= n
	}
	return nil
}
