package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/zcopy/zcopy/internal/cli"
	"github.com/zcopy/zcopy/internal/cmdspec"
	"github.com/zcopy/zcopy/internal/copy"
	"github.com/zcopy/zcopy/internal/tree"
)

// The options, in the order of GNU cp's getopt table, with their help
// texts; --progress is zcp's own.
var spec = cmdspec.Zcp.Options

// The modes of cmdspec.SparseArgs, cmdspec.ReflinkArgs and
// cmdspec.BackupArgs, in their order.
var (
	sparseModes  = []tree.Sparse{tree.SparseNever, tree.SparseAuto, tree.SparseAlways}
	reflinkModes = []tree.Reflink{tree.ReflinkAuto, tree.ReflinkAlways, tree.ReflinkNever}
	backupModes  = []tree.Backup{tree.BackupNone, tree.BackupNone, tree.BackupSimple, tree.BackupSimple,
		tree.BackupExisting, tree.BackupExisting, tree.BackupNumbered, tree.BackupNumbered}
)

type config struct {
	opt      tree.Options
	ops      tree.Operands
	progress bool
}

// errDone says that --help or --version has been answered.
var errDone = fmt.Errorf("done")

// fatal is an error that cp reports without the "Try --help" line.
type fatal struct{ msg string }

func (f *fatal) Error() string { return f.msg }

// parse turns argv into a config, as cp's main does: each option takes
// effect in order, so that a bad argument before a bad option is the error
// reported, as getopt hands them over one at a time.
func parse(prog string, args []string, stdout io.Writer, warn func(string)) (*config, error) {
	opts, operands, perr := cli.Parse(spec, args)
	cfg := &config{}
	o := &cfg.opt
	// cp writes through a dangling symbolic link at the destination only
	// when POSIXLY_CORRECT is set, set to anything.
	_, o.OpenDanglingSymlink = os.LookupEnv("POSIXLY_CORRECT")
	derefSet := false
	requireContext := false
	makeBackups := false
	control := ""
	suffix, suffixSet := "", false
	methodSet := false
	for _, p := range opts {
		name := p.Opt.Long
		if name == "" {
			name = string(p.Opt.Short)
		}
		switch name {
		case "help":
			io.WriteString(stdout, cmdspec.Zcp.Help(prog))
			return nil, errDone
		case "version":
			io.WriteString(stdout, cmdspec.Version("zcp"))
			return nil, errDone
		case "archive":
			o.Deref, derefSet = tree.DerefNever, true
			o.PreserveLinks = true
			o.PreserveOwnership, o.PreserveMode, o.PreserveTimestamps = true, true, true
			o.RequirePreserve = true
			o.PreserveXattr = true
			o.ReduceDiagnostics = true
			o.Recursive = true
		case "attributes-only":
			o.AttributesOnly = true
		case "backup":
			makeBackups = true
			if p.HasValue {
				control = p.Value
			}
		case "b":
			makeBackups = true
		case "suffix":
			makeBackups = true
			suffix, suffixSet = p.Value, true
		case "copy-contents":
			o.CopyContents = true
		case "debug":
			o.Debug, o.Verbose = true, true
		case "d":
			o.PreserveLinks = true
			o.Deref, derefSet = tree.DerefNever, true
		case "force":
			o.Force = true
		case "H":
			o.Deref, derefSet = tree.DerefCmdline, true
		case "interactive":
			o.Interactive = tree.Ask
		case "link":
			o.HardLink = true
		case "dereference":
			o.Deref, derefSet = tree.DerefAlways, true
		case "no-clobber":
			o.Interactive = tree.NoClobber
		case "no-dereference":
			o.Deref, derefSet = tree.DerefNever, true
		case "no-preserve":
			if err := decodePreserve(o, "--no-preserve", p.Value, false, &requireContext); err != nil {
				return nil, err
			}
		case "preserve":
			if !p.HasValue {
				o.PreserveOwnership, o.PreserveMode, o.PreserveTimestamps = true, true, true
				o.RequirePreserve = true
				break
			}
			if err := decodePreserve(o, "--preserve", p.Value, true, &requireContext); err != nil {
				return nil, err
			}
			o.RequirePreserve = true
		case "p":
			o.PreserveOwnership, o.PreserveMode, o.PreserveTimestamps = true, true, true
			o.RequirePreserve = true
		case "parents":
			cfg.ops.Parents = true
		case "r", "recursive":
			o.Recursive = true
		case "remove-destination":
			o.RemoveDestination = true
		case "strip-trailing-slashes":
			cfg.ops.StripSlashes = true
		case "symbolic-link":
			o.SymbolicLink = true
		case "target-directory":
			if cfg.ops.Target != "" {
				return nil, &fatal{"multiple target directories specified"}
			}
			cfg.ops.Target = p.Value
		case "no-target-directory":
			cfg.ops.NoTarget = true
		case "update":
			o.Update = true
		case "verbose":
			o.Verbose = true
		case "one-file-system":
			o.OneFileSystem = true
		case "sparse":
			i, err := argmatch("--sparse", p.Value, cmdspec.SparseArgs)
			if err != nil {
				return nil, err
			}
			o.Sparse = sparseModes[i]
		case "reflink":
			if !p.HasValue {
				o.Reflink = tree.ReflinkAlways
				break
			}
			i, err := argmatch("--reflink", p.Value, cmdspec.ReflinkArgs)
			if err != nil {
				return nil, err
			}
			o.Reflink = reflinkModes[i]
		case "progress":
			cfg.progress = true
		case "method":
			m, err := cmdspec.MatchMethod("--method", p.Value, copy.ForceNames)
			if err != nil {
				return nil, err
			}
			o.Method, methodSet = m, true
		case "Z":
			// SELinux is not enabled (zcopy does not link libselinux):
			// like cp there, -Z has nothing to do.
		case "context":
			if p.HasValue {
				// Said as cp says it, while the options are read:
				// before any error a later option causes.
				warn("warning: ignoring --context; it requires an SELinux-enabled kernel")
			}
		}
	}
	if perr != nil {
		return nil, perr
	}
	if !methodSet {
		m, err := cmdspec.EnvMethod(copy.ForceNames)
		if err != nil {
			return nil, err
		}
		o.Method = m
	}
	if o.Method != copy.None && o.Reflink == tree.ReflinkAlways {
		return nil, &cli.UsageError{Msg: "--reflink=always cannot be used with --method: a clone is not one of the methods"}
	}
	if o.Method != copy.None && o.Method != copy.ReadWrite && o.Sparse == tree.SparseAlways {
		return nil, &cli.UsageError{Msg: "--sparse=always reads the data to find zeros: it needs --method=auto or readwrite"}
	}
	if o.HardLink && o.SymbolicLink {
		return nil, &cli.UsageError{Msg: "cannot make both hard and symbolic links"}
	}
	if makeBackups && o.Interactive == tree.NoClobber {
		return nil, &cli.UsageError{Msg: "options --backup and --no-clobber are mutually exclusive"}
	}
	if o.Reflink == tree.ReflinkAlways && o.Sparse != tree.SparseAuto {
		return nil, &cli.UsageError{Msg: "--reflink can be used only with --sparse=auto"}
	}
	if makeBackups {
		b, err := backupControl(control, os.Getenv("VERSION_CONTROL"))
		if err != nil {
			return nil, err
		}
		o.Backup = b
	}
	if !suffixSet {
		suffix = os.Getenv("SIMPLE_BACKUP_SUFFIX")
	}
	o.BackupSuffix = tree.BackupSuffix(suffix)
	if !derefSet {
		if o.Recursive && !o.HardLink {
			o.Deref = tree.DerefNever
		} else {
			o.Deref = tree.DerefAlways
		}
	}
	if requireContext {
		return nil, &fatal{"cannot preserve security context without an SELinux-enabled kernel"}
	}
	cfg.ops.Files = operands
	return cfg, nil
}

// decodePreserve applies a --preserve or --no-preserve list.
func decodePreserve(o *tree.Options, option, list string, on bool, requireContext *bool) error {
	for _, word := range strings.Split(list, ",") {
		i, err := argmatch(option, word, cmdspec.PreserveArgs)
		if err != nil {
			return err
		}
		switch cmdspec.PreserveArgs[i] {
		case "mode":
			o.PreserveMode = on
			o.NoPreserveMode = !on
		case "timestamps":
			o.PreserveTimestamps = on
		case "ownership":
			o.PreserveOwnership = on
		case "links":
			o.PreserveLinks = on
		case "context":
			// SELinux contexts: this kernel has no SELinux (zcopy does
			// not link libselinux), so asking for them is an error.
			*requireContext = on
		case "xattr":
			o.PreserveXattr = on
			o.RequirePreserveXattr = on
		case "all":
			o.PreserveMode = on
			o.PreserveTimestamps = on
			o.PreserveOwnership = on
			o.PreserveLinks = on
			o.NoPreserveMode = !on
			o.PreserveXattr = on
		}
	}
	return nil
}

// backupControl is the backup control that --backup=arg names (gnulib's
// xget_version); an empty arg (-b, --backup, --backup=) defers to env,
// the value of VERSION_CONTROL, and with both empty the control is
// tree.BackupExisting. A name may be abbreviated to any unique prefix.
// The error is GNU's usage message, naming "backup type" or
// "$VERSION_CONTROL" as what was given a bad value.
func backupControl(arg, env string) (tree.Backup, error) {
	what, name := "backup type", arg
	if name == "" {
		what, name = "$VERSION_CONTROL", env
	}
	if name == "" {
		return tree.BackupExisting, nil
	}
	i, err := cli.ArgMatchValues(what, name, cmdspec.BackupArgs, backupModes)
	if err != nil {
		return tree.BackupNone, err
	}
	return backupModes[i], nil
}

// argmatch is GNU's XARGMATCH (cli.ArgMatch).
func argmatch(option, value string, valid []string) (int, error) {
	return cli.ArgMatch(option, value, valid)
}

func run(argv []string, stdin, stdout, stderr *os.File) int {
	prog := cli.Prog(argv[0])
	rep := &cli.Reporter{Prog: prog, W: stderr}
	info := &cli.ErrWriter{W: stdout}
	warn := func(w string) { fmt.Fprintf(stderr, "%s: %s\n", prog, w) }
	cfg, err := parse(prog, argv[1:], info, warn)
	switch e := err.(type) {
	case nil:
	case *fatal:
		rep.Errorf("%s", e.msg)
		return 1
	default:
		if err == errDone {
			// cp checks this output as any other (close_stdout).
			if info.Err != nil {
				return rep.WriteError(info.Err)
			}
			return 0
		}
		return rep.Usage(err)
	}
	stdio := tree.IO{Prog: prog, Stdin: stdin, Stdout: stdout, Stderr: stderr}
	var bar *bar
	if cfg.progress {
		if bar = newBar(stderr); bar != nil {
			cfg.opt.Track = true
			stdio.Stderr = bar
		}
	}
	c := tree.New(cfg.opt, stdio)
	if bar != nil {
		bar.start(c, cfg)
	}
	err = c.Run(cfg.ops)
	ok := c.Wait()
	if bar != nil {
		bar.stop()
	}
	if err != nil {
		return rep.Usage(err)
	}
	if err, atExit := c.StdoutErr(); err != nil {
		// cp reports a failure to print --verbose once, at exit, after
		// every copy has been made (close_stdout), with its errno only
		// if the last flush failed too.
		if !atExit {
			err = nil
		}
		return rep.WriteError(err)
	}
	if !ok {
		return 1
	}
	return 0
}
