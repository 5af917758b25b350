package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/catfmt"
	"github.com/zcopy/zcopy/internal/cli"
	"github.com/zcopy/zcopy/internal/cmdspec"
	"github.com/zcopy/zcopy/internal/copy"
	"github.com/zcopy/zcopy/internal/fdkind"
	"github.com/zcopy/zcopy/internal/progress"
)

// The options, in GNU cat's getopt table order, with their help texts.
var spec = cmdspec.Zcat.Options

type config struct {
	format   catfmt.Options
	debug    bool
	method   copy.Method
	progress bool
	files    []string
}

// parse turns argv into a config. info is the text that --help or
// --version asks for, when one of them comes before any other answer: it
// is printed instead of copying anything.
func parse(prog string, args []string) (cfg config, info string, err error) {
	opts, operands, perr := cli.Parse(spec, args)
	for _, p := range opts {
		// Answered at once, even when a bad option follows (cli.Parse).
		if o := p.Opt; o.Long == "help" || o.Long == "version" {
			return cfg, infoText(prog, o), nil
		}
	}
	f := &cfg.format
	methodSet := false
	for _, p := range opts {
		switch o := p.Opt; {
		case o.Long == "debug":
			cfg.debug = true
		case o.Long == "method":
			// Before a bad option that follows, as getopt hands them over.
			if cfg.method, err = cmdspec.MatchMethod("--method", p.Value, copy.ForceNames); err != nil {
				return cfg, "", err
			}
			methodSet = true
		case o.Short == 'g':
			cfg.progress = true
		case o.Short == 'A':
			f.ShowNonprinting, f.ShowEnds, f.ShowTabs = true, true, true
		case o.Short == 'b':
			f.NumberNonBlank = true
		case o.Short == 'e':
			f.ShowNonprinting, f.ShowEnds = true, true
		case o.Short == 'E':
			f.ShowEnds = true
		case o.Short == 'n':
			f.Number = true
		case o.Short == 's':
			f.Squeeze = true
		case o.Short == 't':
			f.ShowNonprinting, f.ShowTabs = true, true
		case o.Short == 'T':
			f.ShowTabs = true
		case o.Short == 'v':
			f.ShowNonprinting = true
		}
	}
	if perr != nil {
		return cfg, "", perr
	}
	if !methodSet {
		if cfg.method, err = cmdspec.EnvMethod(copy.ForceNames); err != nil {
			return cfg, "", err
		}
	}
	if m := cfg.method; f.Active() && m != copy.None && m != copy.Mmap && m != copy.ReadWrite {
		// The formatting options read every byte in user space.
		return cfg, "", &cli.UsageError{Msg: "--method=" + cmdspec.MethodName(m) + " cannot format: use mmap, readwrite or auto with -A, -b, -e, -E, -n, -s, -t, -T or -v"}
	}
	cfg.files = operands
	if len(cfg.files) == 0 {
		cfg.files = []string{"-"}
	}
	return cfg, "", nil
}

func infoText(prog string, o *cli.Option) string {
	if o.Long == "version" {
		return cmdspec.Version("zcat")
	}
	return cmdspec.Zcat.Help(prog)
}

func run(argv []string, stdin, stdout, stderr *os.File) int {
	prog := cli.Prog(argv[0])
	rep := &cli.Reporter{Prog: prog, W: stderr}
	cfg, info, err := parse(prog, argv[1:])
	if info != "" {
		// GNU checks this output as any other (close_stdout):
		// `cat --help > /dev/full` fails.
		if _, err := io.WriteString(stdout, info); err != nil {
			return rep.WriteError(err)
		}
		return 0
	}
	if err != nil {
		return rep.Usage(err)
	}
	c := &cat{cfg: cfg, rep: rep, stdin: stdin, stdout: stdout}
	if cfg.progress {
		if bar := progress.New(stderr); bar != nil {
			// Messages go above the bar.
			rep.W = bar
			bar.Start(func() (int64, int64, string) { return c.moved.Load(), c.total, "" })
			defer bar.Stop()
		}
	}
	if err := c.run(); err != nil {
		// A write error ends cat at once, whatever operands remain.
		return rep.WriteError(err)
	}
	if rep.Failed {
		return 1
	}
	return 0
}

type cat struct {
	cfg           config
	rep           *cli.Reporter
	stdin, stdout *os.File
	out           fdkind.Info
	fmt           *catfmt.Formatter
	// moved counts the bytes written, for --progress; total is the size
	// of the input when every operand is a regular file, or 0.
	moved atomic.Int64
	total int64
}

// run copies every operand and returns only a write error; read errors
// and bad operands are reported and the next operand goes on.
func (c *cat) run() error {
	out, err := fdkind.Of(c.stdout)
	if err != nil {
		return err
	}
	c.out = out
	if c.cfg.format.Active() {
		c.fmt = catfmt.New(c.cfg.format, c.stdout)
	}
	if c.cfg.progress {
		c.total = c.inputSize()
	}
	for _, name := range c.cfg.files {
		if err := c.operand(name); err != nil {
			return err
		}
	}
	if c.fmt != nil {
		// Close writes a carriage return held back by -E: only the
		// byte after it could say whether it ended a line.
		return c.fmt.Close()
	}
	return nil
}

func (c *cat) operand(name string) error {
	in := c.stdin
	if name != "-" {
		f, err := openOperand(name)
		if err != nil {
			c.rep.Error(err)
			return nil
		}
		defer f.Close()
		in = f
	}
	info, err := fdkind.Of(in)
	if err != nil {
		c.rep.Error(&os.PathError{Path: name, Err: err})
		return nil
	}
	if c.sameAsOutput(in, info) {
		c.rep.Errorf("%s: input file is output file", cli.QuoteIfNeeded(name))
		return nil
	}
	if c.fmt != nil && c.cfg.method == copy.Mmap {
		return c.formattedMapped(name, in, info)
	}
	if c.fmt != nil {
		n, calls, err := c.formatted(name, in)
		c.debugf(name, "%s -> %s: formatted in user space, %d bytes read in %d calls",
			copy.Describe(info), copy.Describe(c.out), n, calls)
		return err
	}
	opt := copy.Options{Src: &info, Dst: &c.out, Force: c.cfg.method}
	if c.cfg.progress {
		opt.Progress = &c.moved
	}
	r, err := copy.Copy(c.stdout, in, opt)
	c.debugf(name, "%s", r)
	if err != nil {
		if copy.IsWrite(err) {
			return err
		}
		c.readError(name, err)
	}
	return nil
}

// readError reports a failure that ends one operand: a read error, a
// forced method that the kernel refused (naming the method and the pair),
// or a file that shrank under the mmap method.
func (c *cat) readError(name string, err error) {
	var re *copy.RefusedError
	if errors.As(err, &re) {
		c.rep.Errorf("%s: %s: %s", cli.QuoteIfNeeded(name), re.What(), cli.Strerror(re.Err))
		return
	}
	c.rep.Error(&os.PathError{Path: name, Err: err})
}

// formattedMapped formats in with the mmap method: the formatter reads the
// mapped file itself, with no read(2). Only a write error is returned.
func (c *cat) formattedMapped(name string, in *os.File, info fdkind.Info) error {
	var werr error
	n, err := copy.Mapped(in, func(p []byte) error {
		if _, err := c.fmt.Write(p); err != nil {
			werr = err
			return err
		}
		c.moved.Add(int64(len(p)))
		return nil
	})
	c.debugf(name, "%s -> %s: formatted in user space from mmap, %d bytes", copy.Describe(info), copy.Describe(c.out), n)
	if werr != nil {
		return werr
	}
	if err != nil {
		c.readError(name, err)
	}
	return nil
}

// inputSize is the bytes the operands hold from where zcat will start
// reading them, when all of them are regular files; 0 otherwise (the bar
// then shows bytes and rate only).
func (c *cat) inputSize() int64 {
	var total int64
	for _, name := range c.cfg.files {
		var st unix.Stat_t
		var off int64
		if name == "-" {
			rc, err := c.stdin.SyscallConn()
			if err != nil {
				return 0
			}
			rc.Control(func(fd uintptr) {
				if err = unix.Fstat(int(fd), &st); err == nil {
					off, err = unix.Seek(int(fd), 0, unix.SEEK_CUR)
				}
			})
			if err != nil {
				return 0
			}
		} else if unix.Stat(name, &st) != nil {
			return 0
		}
		if st.Mode&unix.S_IFMT != unix.S_IFREG {
			return 0
		}
		total += max(st.Size-off, 0)
	}
	return total
}

// debugf prints one --debug line about the operand name.
func (c *cat) debugf(name, format string, a ...any) {
	if c.cfg.debug {
		fmt.Fprintf(c.rep.W, "%s: debug: %s: %s\n", c.rep.Prog, cli.QuoteIfNeeded(name), fmt.Sprintf(format, a...))
	}
}

// openOperand opens a FILE operand for reading, blocking. os.Open would
// make FIFOs, ttys and procfs files nonblocking to put them in Go's poller:
// the engine waits on descriptors its own way, and --debug describes the
// descriptor as the kernel gives it ("file(proc)", not "file(proc,nonblock)").
func openOperand(name string) (*os.File, error) {
	for {
		fd, err := unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err == unix.EINTR {
			// Opening a FIFO waits for a writer; a signal may end the wait.
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: name, Err: err}
		}
		return os.NewFile(uintptr(fd), name), nil
	}
}

// sameAsOutput is GNU cat 9.1's check: copying a regular file onto itself
// from below its end would only grow it until the disk is full.
func (c *cat) sameAsOutput(in *os.File, info fdkind.Info) bool {
	if c.out.Kind != fdkind.Regular || !info.SameFile(c.out) {
		return false
	}
	off, err := in.Seek(0, io.SeekCurrent)
	return err == nil && off < info.Size
}

// formatted reads in and writes it through the formatter. Like GNU cat,
// it flushes the formatted output only when the next read could block, so
// that an interactive reader sees every line as it comes and a file is
// written in full buffers. It returns the bytes read and the read calls,
// for --debug, and only a write error.
func (c *cat) formatted(name string, in *os.File) (read int64, calls int, err error) {
	buf := make([]byte, 128<<10)
	for {
		if !pending(in) {
			if werr := c.fmt.Flush(); werr != nil {
				return read, calls, werr
			}
		}
		n, err := in.Read(buf)
		calls++
		read += int64(n)
		if n > 0 {
			if _, werr := c.fmt.Write(buf[:n]); werr != nil {
				return read, calls, werr
			}
			c.moved.Add(int64(n))
		}
		if err == io.EOF {
			return read, calls, nil
		}
		if err != nil {
			c.rep.Error(&os.PathError{Path: name, Err: err})
			return read, calls, nil
		}
	}
}

// pending reports whether in has bytes to read without blocking
// (FIONREAD, which Linux calls TIOCINQ; for a regular file, the bytes left before its end).
func pending(in *os.File) bool {
	rc, err := in.SyscallConn()
	if err != nil {
		return false
	}
	n := 0
	rc.Control(func(fd uintptr) { n, err = unix.IoctlGetInt(int(fd), unix.TIOCINQ) })
	return err == nil && n > 0
}
