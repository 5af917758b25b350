package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/cli"
	"github.com/zcopy/zcopy/internal/copy"
)

// The options, in GNU tee's getopt table order; -p is --output-error
// without its argument.
var spec = []cli.Option{
	{Long: "append", Short: 'a'},
	{Long: "ignore-interrupts", Short: 'i'},
	{Long: "output-error", Arg: cli.OptionalArg},
	{Long: "help"},
	{Long: "version"},
	{Long: "debug"},
	{Short: 'p'},
}

// outputError is what a write error on an output does (--output-error).
type outputError uint8

const (
	// sigpipeMode, the default: a pipe whose reader went away ends ztee
	// by SIGPIPE; other errors are diagnosed and the output dropped.
	sigpipeMode    outputError = iota
	warnMode                   // diagnose every error, go on
	warnNopipeMode             // diagnose errors on non-pipes, go on
	exitMode                   // diagnose every error and exit
	exitNopipeMode             // diagnose errors on non-pipes and exit
)

// modeNames are --output-error's arguments, in GNU's order (argmatch lists
// them in its complaint).
var modeNames = []string{"warn", "warn-nopipe", "exit", "exit-nopipe"}

var modeValues = []outputError{warnMode, warnNopipeMode, exitMode, exitNopipeMode}

type config struct {
	append, ignoreInterrupts, debug bool
	mode                            outputError
	files                           []string
}

// parse turns argv into a config; done is true when --help or --version
// has been answered. Options take effect in order, as with getopt: a bad
// --output-error argument after --help is never seen.
func parse(prog string, args []string, stdout io.Writer) (cfg config, done bool, err error) {
	opts, operands, err := cli.Parse(spec, args)
	if err != nil {
		return cfg, false, err
	}
	for _, p := range opts {
		switch o := p.Opt; {
		case o.Long == "help":
			usage(stdout, prog)
			return cfg, true, nil
		case o.Long == "version":
			fmt.Fprintf(stdout, "ztee (zcopy) %s\n", cli.Version)
			return cfg, true, nil
		case o.Long == "debug":
			cfg.debug = true
		case o.Short == 'a':
			cfg.append = true
		case o.Short == 'i':
			cfg.ignoreInterrupts = true
		case o.Short == 'p', o.Long == "output-error" && !p.HasValue:
			cfg.mode = warnNopipeMode
		case o.Long == "output-error":
			m, err := matchMode(p.Value)
			if err != nil {
				return cfg, false, err
			}
			cfg.mode = m
		}
	}
	cfg.files = operands
	return cfg, false, nil
}

// matchMode is GNU's XARGMATCH for --output-error.
func matchMode(value string) (outputError, error) {
	i, err := cli.ArgMatch("--output-error", value, modeNames)
	if err != nil {
		return 0, err
	}
	return modeValues[i], nil
}

// stdoutName is how tee names standard output in its messages.
const stdoutName = "standard output"

func run(argv []string, stdin, stdout, stderr *os.File) int {
	prog := cli.Prog(argv[0])
	rep := &cli.Reporter{Prog: prog, W: stderr}
	cfg, done, err := parse(prog, argv[1:], stdout)
	if err != nil {
		return rep.Usage(err)
	}
	if done {
		return 0
	}
	if cfg.ignoreInterrupts {
		signal.Ignore(syscall.SIGINT)
	}
	names := []string{stdoutName}
	outs := []*os.File{stdout}
	for _, name := range cfg.files {
		// "-" is a file named "-", as POSIX wants of tee.
		f, err := openOutput(name, cfg.append)
		if err != nil {
			rep.Error(err)
			if cfg.mode == exitMode || cfg.mode == exitNopipeMode {
				// GNU tee exits at the first output it cannot open
				// under these modes: the later ones stay untouched
				// and nothing is copied.
				return 1
			}
			continue
		}
		names = append(names, name)
		outs = append(outs, f)
	}
	exiting := false
	r, err := copy.Fanout(stdin, outs, copy.FanoutOptions{OnError: func(i int, err error) bool {
		pipe := errors.Is(err, syscall.EPIPE)
		switch cfg.mode {
		case sigpipeMode:
			if pipe {
				// tee dies of the SIGPIPE that its write raised.
				cli.DieOfSIGPIPE()
			}
		case warnNopipeMode:
			if pipe {
				return true
			}
		case exitNopipeMode:
			if pipe {
				return true
			}
			exiting = true
		case exitMode:
			exiting = true
		}
		rep.Errorf("%s: %s", cli.QuoteIfNeeded(names[i]), cli.Strerror(err))
		return !exiting
	}})
	if cfg.debug {
		for i, o := range r.Outputs {
			fmt.Fprintf(stderr, "%s: debug: %s: %s\n", prog, cli.QuoteIfNeeded(names[i]), o.String())
		}
	}
	if exiting {
		return 1
	}
	if err != nil {
		rep.Errorf("read error: %s", cli.Strerror(err))
	}
	for i, f := range outs[1:] {
		if err := f.Close(); err != nil {
			rep.Errorf("%s: %s", cli.QuoteIfNeeded(names[i+1]), cli.Strerror(err))
		}
	}
	if err := stdin.Close(); err != nil {
		rep.Errorf("standard input: %s", cli.Strerror(err))
	}
	if rep.Failed {
		return 1
	}
	return 0
}

// openOutput opens name as tee's fopen(name, "w") or "a" does: created
// with mode 0666 (less the umask), truncated or appended to. The
// descriptor stays blocking (os.OpenFile would make a FIFO or a terminal
// nonblocking for Go's poller).
func openOutput(name string, appendTo bool) (*os.File, error) {
	flags := unix.O_WRONLY | unix.O_CREAT | unix.O_CLOEXEC
	if appendTo {
		flags |= unix.O_APPEND
	} else {
		flags |= unix.O_TRUNC
	}
	for {
		// open(2) of a FIFO waits for a reader, and Go's own signals
		// interrupt it.
		fd, err := unix.Open(name, flags, 0o666)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: name, Err: err}
		}
		return os.NewFile(uintptr(fd), name), nil
	}
}

func usage(w io.Writer, prog string) {
	fmt.Fprintf(w, `Usage: %[1]s [OPTION]... [FILE]...
Copy standard input to each FILE, and also to standard output.

  -a, --append              append to the given FILEs, do not overwrite
  -i, --ignore-interrupts   ignore interrupt signals
  -p                        diagnose errors writing to non pipes
      --output-error[=MODE]   set behavior on write error.  See MODE below
      --debug               print on standard error, for each output, what
                              it is and which system calls moved how many
                              bytes to it
      --help        display this help and exit
      --version     output version information and exit

MODE determines behavior with write errors on the outputs:
  warn           diagnose errors writing to any output
  warn-nopipe    diagnose errors writing to any output not a pipe
  exit           exit on error writing to any output
  exit-nopipe    exit on error writing to any output not a pipe
The default MODE for the -p option is 'warn-nopipe'.
The default operation when --output-error is not specified, is to
exit immediately on error writing to a pipe, and diagnose errors
writing to non pipe outputs.

Full documentation: man ztee
`, prog)
}
