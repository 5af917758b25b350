// Command methods copies a file (or its stdin pipe) to its stdout pipe with
// one method forced, to answer by measurement the questions that DESIGN.md
// leaves to `make bench`: is a file -> pipe splice faster directly or
// through an intermediate pipe, which pipe size pays, and below what size
// read/write beats splice.
//
//	methods -mode direct|viapipe|readwrite [-pipe SIZE] [-buf SIZE] [-loop DUR] [FILE]
//
//	direct     splice(2) from FILE (or the stdin pipe) straight into stdout
//	viapipe    splice FILE into an internal pipe, then that pipe into stdout
//	readwrite  read(2) into a -buf buffer and write(2) it out
//
// -pipe sets the capacity of stdout, of a stdin pipe and of the internal
// pipe with F_SETPIPE_SZ (0: leave them as they are); a refusal is an
// error (above /proc/sys/fs/pipe-max-size only root may go). With -loop the copy of
// FILE is repeated from its start for at least DUR, and the time of one copy
// is printed on stderr as "ns/op N". Every copy reads until end of file, as
// a command does, so the call that finds the end is counted too.
//
// Long copies yield to the Go scheduler every 2 ms, as the engine does
// (internal/copy/pace.go), so that the runtime's monitor leaves the
// splicing thread alone and the comparison is of the system calls.
//
// -loop with -selfdrain models one small `zcat FILE | drain`: FILE goes
// into an empty pipe of methods' own (stdout is not used), which is then
// emptied into /dev/null with splice, and ns/op counts both sides, with no
// other process and no waiting. FILE must fit in that pipe with a
// page to spare.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	mode := flag.String("mode", "direct", "direct, viapipe or readwrite")
	pipeSize := flag.Int("pipe", 0, "F_SETPIPE_SZ for the pipes (0: leave them alone)")
	bufSize := flag.Int("buf", 128<<10, "read/write buffer size")
	loop := flag.Duration("loop", 0, "repeat the copy for at least this long and print ns/op")
	selfDrain := flag.Bool("selfdrain", false, "with -loop: copy into a pipe of its own and drain it after each copy")
	flag.Parse()
	if err := run(*mode, *pipeSize, *bufSize, *loop, *selfDrain, flag.Args()); err != nil {
		fmt.Fprintf(os.Stderr, "methods: %v\n", err)
		os.Exit(1)
	}
}

func run(mode string, pipeSize, bufSize int, loop time.Duration, selfDrain bool, args []string) error {
	out := 1
	in := 0
	if len(args) == 1 {
		fd, err := unix.Open(args[0], unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		defer unix.Close(fd)
		in = fd
	} else if len(args) > 1 || loop > 0 {
		return fmt.Errorf("usage: methods -mode MODE [-pipe SIZE] [-buf SIZE] [-loop DUR] [FILE]; -loop needs FILE")
	}
	drainOut := func() error { return nil }
	if selfDrain {
		if loop == 0 {
			return fmt.Errorf("-selfdrain needs -loop")
		}
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
			return err
		}
		null, err := unix.Open("/dev/null", unix.O_WRONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		out = p[1]
		drainOut = func() error { return drainPipe(null, p[0]) }
	}
	if pipeSize > 0 {
		if err := setPipe(out, pipeSize); err != nil {
			return err
		}
		if err := setPipe(in, pipeSize); err != nil {
			return err
		}
	}
	if selfDrain {
		var st unix.Stat_t
		if err := unix.Fstat(in, &st); err != nil {
			return err
		}
		size, err := unix.FcntlInt(uintptr(out), unix.F_GETPIPE_SZ, 0)
		if err != nil {
			return err
		}
		// A splice into a full pipe waits for room before it looks for
		// the end of the file: the call that finds the end needs a free
		// slot, or methods would wait for itself.
		if st.Size > int64(size-unix.Getpagesize()) {
			return fmt.Errorf("-selfdrain: the file (%d bytes) does not fit in the pipe (%d bytes) with a page to spare", st.Size, size)
		}
	}
	var copyOnce func() error
	switch mode {
	case "direct":
		copyOnce = func() error { return spliceAll(out, in) }
	case "viapipe":
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
			return err
		}
		if pipeSize > 0 {
			if err := setPipe(p[1], pipeSize); err != nil {
				return err
			}
		}
		copyOnce = func() error { return viaPipe(out, in, p[0], p[1]) }
	case "readwrite":
		buf := make([]byte, bufSize)
		copyOnce = func() error { return readWrite(out, in, buf) }
	default:
		return fmt.Errorf("unknown mode %q", mode)
	}
	if loop == 0 {
		return copyOnce()
	}
	var ops int64
	start := time.Now()
	for {
		if _, err := unix.Seek(in, 0, 0); err != nil {
			return err
		}
		if err := copyOnce(); err != nil {
			return err
		}
		if err := drainOut(); err != nil {
			return err
		}
		ops++
		if el := time.Since(start); el >= loop {
			fmt.Fprintf(os.Stderr, "ns/op %d\n", el.Nanoseconds()/ops)
			return nil
		}
	}
}

// setPipe sets the capacity of fd if it is a pipe. Unlike the engine,
// methods fails when the kernel refuses: a measurement labelled with a
// size must have run with that size.
func setPipe(fd, size int) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return nil
	}
	got, err := unix.FcntlInt(uintptr(fd), unix.F_SETPIPE_SZ, size)
	if err != nil {
		return fmt.Errorf("F_SETPIPE_SZ %d: %w", size, err)
	}
	if got != size {
		return fmt.Errorf("F_SETPIPE_SZ %d gave %d", size, got)
	}
	return nil
}

// pacer yields every 2 ms of copying (see the package comment).
type pacer struct{ last time.Time }

func (p *pacer) pace() {
	now := time.Now()
	if p.last.IsZero() {
		p.last = now
	} else if now.Sub(p.last) >= 2*time.Millisecond {
		runtime.Gosched()
		p.last = now
	}
}

func spliceAll(out, in int) error {
	var p pacer
	for {
		p.pace()
		n, err := unix.Splice(in, nil, out, nil, 1<<30, unix.SPLICE_F_MOVE)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("splice: %w", err)
		}
		if n == 0 {
			return nil
		}
	}
}

// drainPipe empties the pipe pr, which no one else writes, into null.
func drainPipe(null, pr int) error {
	for {
		n, err := unix.Splice(pr, nil, null, nil, 1<<30, unix.SPLICE_F_MOVE|unix.SPLICE_F_NONBLOCK)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN || n == 0:
			return nil // empty
		case err != nil:
			return fmt.Errorf("splice to /dev/null: %w", err)
		}
	}
}

func viaPipe(out, in, pr, pw int) error {
	var p pacer
	for {
		p.pace()
		n, err := unix.Splice(in, nil, pw, nil, 1<<30, unix.SPLICE_F_MOVE)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("splice in: %w", err)
		}
		if n == 0 {
			return nil
		}
		for n > 0 {
			m, err := unix.Splice(pr, nil, out, nil, int(n), unix.SPLICE_F_MOVE)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return fmt.Errorf("splice out: %w", err)
			}
			n -= m
		}
	}
}

func readWrite(out, in int, buf []byte) error {
	for {
		n, err := unix.Read(in, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		if n == 0 {
			return nil
		}
		for b := buf[:n]; len(b) > 0; {
			m, err := unix.Write(out, b)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return fmt.Errorf("write: %w", err)
			}
			b = b[m:]
		}
	}
}
