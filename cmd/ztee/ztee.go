package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/cli"
	"github.com/zcopy/zcopy/internal/cmdspec"
	"github.com/zcopy/zcopy/internal/copy"
	"github.com/zcopy/zcopy/internal/progress"
)

// The options, in GNU tee's getopt table order, with their help texts.
var spec = cmdspec.Ztee.Options

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

// modeValues are the modes of cmdspec.OutputErrorModes, in its order.
var modeValues = []outputError{warnMode, warnNopipeMode, exitMode, exitNopipeMode}

type config struct {
	append, ignoreInterrupts, debug bool
	progress                        bool
	method                          copy.Method
	mode                            outputError
	files                           []string
}

// parse turns argv into a config; done is true when --help or --version
// has been answered. Options take effect in order, as with getopt: a bad
// --output-error argument after --help is never seen, and one before a bad
// option is the error reported.
func parse(prog string, args []string, stdout io.Writer) (cfg config, done bool, err error) {
	opts, operands, perr := cli.Parse(spec, args)
	methodSet := false
	for _, p := range opts {
		switch o := p.Opt; {
		case o.Long == "help":
			io.WriteString(stdout, cmdspec.Ztee.Help(prog))
			return cfg, true, nil
		case o.Long == "version":
			io.WriteString(stdout, cmdspec.Version("ztee"))
			return cfg, true, nil
		case o.Long == "debug":
			cfg.debug = true
		case o.Long == "method":
			if cfg.method, err = cmdspec.MatchMethod("--method", p.Value, cmdspec.ZteeMethodArgs); err != nil {
				return cfg, false, err
			}
			methodSet = true
		case o.Short == 'g':
			cfg.progress = true
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
	if perr != nil {
		return cfg, false, perr
	}
	if !methodSet {
		if cfg.method, err = cmdspec.EnvMethod(cmdspec.ZteeMethodArgs); err != nil {
			return cfg, false, err
		}
	}
	cfg.files = operands
	return cfg, false, nil
}

// matchMode is GNU's XARGMATCH for --output-error.
func matchMode(value string) (outputError, error) {
	i, err := cli.ArgMatch("--output-error", value, cmdspec.OutputErrorModes)
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
	info := &cli.ErrWriter{W: stdout}
	cfg, done, err := parse(prog, argv[1:], info)
	if err != nil {
		return rep.Usage(err)
	}
	if done {
		// tee checks this output as any other (close_stdout).
		if info.Err != nil {
			return rep.WriteError(info.Err)
		}
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
				// tee exits at the first FILE it cannot open, before
				// reading anything: the ones opened so far stay empty,
				// the rest are not created.
				closeAll(outs[1:])
				return 1
			}
			continue
		}
		names = append(names, name)
		outs = append(outs, f)
	}
	exiting := false
	var moved atomic.Int64
	fopt := copy.FanoutOptions{Force: cfg.method}
	if cfg.progress {
		if bar := progress.New(stderr); bar != nil {
			rep.W = bar
			fopt.Progress = &moved
			total := inputSize(stdin)
			bar.Start(func() (int64, int64, string) { return moved.Load(), total, "" })
			defer bar.Stop()
		}
	}
	fopt.OnError = func(i int, err error) bool {
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
		var re *copy.RefusedError
		if errors.As(err, &re) {
			rep.Errorf("%s: %s: %s", cli.QuoteIfNeeded(names[i]), re.What(), cli.Strerror(re.Err))
		} else {
			rep.Errorf("%s: %s", cli.QuoteIfNeeded(names[i]), cli.Strerror(err))
		}
		return !exiting
	}
	r, err := copy.Fanout(stdin, outs, fopt)
	if cfg.debug {
		for i, o := range r.Outputs {
			fmt.Fprintf(rep.W, "%s: debug: %s: %s\n", prog, cli.QuoteIfNeeded(names[i]), o.String())
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

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// inputSize is what is left to read of stdin when it is a regular file,
// for the bar's total; 0 (unknown) otherwise.
func inputSize(stdin *os.File) int64 {
	rc, err := stdin.SyscallConn()
	if err != nil {
		return 0
	}
	var size int64
	rc.Control(func(fd uintptr) {
		var st unix.Stat_t
		if unix.Fstat(int(fd), &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
			return
		}
		if off, err := unix.Seek(int(fd), 0, unix.SEEK_CUR); err == nil {
			size = max(st.Size-off, 0)
		}
	})
	return size
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
