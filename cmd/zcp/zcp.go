package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/zcopy/zcopy/internal/cli"
	"github.com/zcopy/zcopy/internal/copy"
	"github.com/zcopy/zcopy/internal/tree"
)

// The options, in the order of GNU cp's getopt table: the order shows in
// "is ambiguous; possibilities:" messages. --progress is zcp's own.
var spec = []cli.Option{
	{Long: "archive", Short: 'a'},
	{Long: "attributes-only"},
	{Long: "debug"},
	{Long: "dereference", Short: 'L'},
	{Long: "force", Short: 'f'},
	{Long: "interactive", Short: 'i'},
	{Long: "link", Short: 'l'},
	{Long: "no-clobber", Short: 'n'},
	{Long: "no-dereference", Short: 'P'},
	{Long: "no-preserve", Arg: cli.RequiredArg},
	{Long: "no-target-directory", Short: 'T'},
	{Long: "one-file-system", Short: 'x'},
	{Long: "parents"},
	{Long: "preserve", Arg: cli.OptionalArg},
	{Long: "recursive", Short: 'R'},
	{Long: "remove-destination"},
	{Long: "sparse", Arg: cli.RequiredArg},
	{Long: "reflink", Arg: cli.OptionalArg},
	{Long: "strip-trailing-slashes"},
	{Long: "symbolic-link", Short: 's'},
	{Long: "target-directory", Short: 't', Arg: cli.RequiredArg},
	{Long: "update", Short: 'u'},
	{Long: "verbose", Short: 'v'},
	{Long: "context", Arg: cli.OptionalArg},
	{Long: "progress", Short: 'g'},
	{Long: "method", Arg: cli.RequiredArg},
	{Long: "help"},
	{Long: "version"},
	{Short: 'd'},
	{Short: 'H'},
	{Short: 'p'},
	{Short: 'r'},
	{Short: 'Z'},
}

// The argument lists of GNU cp's argmatch tables, in their order.
var (
	sparseArgs   = []string{"never", "auto", "always"}
	sparseModes  = []tree.Sparse{tree.SparseNever, tree.SparseAuto, tree.SparseAlways}
	reflinkArgs  = []string{"auto", "always", "never"}
	reflinkModes = []tree.Reflink{tree.ReflinkAuto, tree.ReflinkAlways, tree.ReflinkNever}
	preserveArgs = []string{"mode", "timestamps", "ownership", "links", "context", "xattr", "all"}
)

// methodEnv names the variable that forces a method when --method is not
// given.
const methodEnv = "ZCOPY_METHOD"

type config struct {
	opt      tree.Options
	ops      tree.Operands
	progress bool
	warnings []string
}

// errDone says that --help or --version has been answered.
var errDone = fmt.Errorf("done")

// fatal is an error that cp reports without the "Try --help" line.
type fatal struct{ msg string }

func (f *fatal) Error() string { return f.msg }

// parse turns argv into a config, as cp's main does.
func parse(prog string, args []string, stdout io.Writer) (*config, error) {
	opts, operands, err := cli.Parse(spec, args)
	if err != nil {
		return nil, err
	}
	cfg := &config{}
	o := &cfg.opt
	derefSet := false
	requireContext := false
	methodSet := false
	var warnings []string
	for _, p := range opts {
		name := p.Opt.Long
		if name == "" {
			name = string(p.Opt.Short)
		}
		switch name {
		case "help":
			usage(stdout, prog)
			return nil, errDone
		case "version":
			fmt.Fprintf(stdout, "zcp (zcopy) %s\n", cli.Version)
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
			i, err := argmatch("--sparse", p.Value, sparseArgs)
			if err != nil {
				return nil, err
			}
			o.Sparse = sparseModes[i]
		case "reflink":
			if !p.HasValue {
				o.Reflink = tree.ReflinkAlways
				break
			}
			i, err := argmatch("--reflink", p.Value, reflinkArgs)
			if err != nil {
				return nil, err
			}
			o.Reflink = reflinkModes[i]
		case "progress":
			cfg.progress = true
		case "method":
			i, err := argmatch("--method", p.Value, copy.ForceNames)
			if err != nil {
				return nil, err
			}
			o.Method, methodSet = copy.ForceMethods[i], true
		case "Z":
			// SELinux is not enabled (zcopy does not link libselinux):
			// like cp there, -Z has nothing to do.
		case "context":
			if p.HasValue {
				warnings = append(warnings, "warning: ignoring --context; it requires an SELinux-enabled kernel")
			}
		}
	}
	if v := os.Getenv(methodEnv); !methodSet && v != "" {
		i, err := argmatch(methodEnv, v, copy.ForceNames)
		if err != nil {
			return nil, err
		}
		o.Method = copy.ForceMethods[i]
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
	if o.Reflink == tree.ReflinkAlways && o.Sparse != tree.SparseAuto {
		return nil, &cli.UsageError{Msg: "--reflink can be used only with --sparse=auto"}
	}
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
	cfg.warnings = warnings
	return cfg, nil
}

// decodePreserve applies a --preserve or --no-preserve list.
func decodePreserve(o *tree.Options, option, list string, on bool, requireContext *bool) error {
	for _, word := range strings.Split(list, ",") {
		i, err := argmatch(option, word, preserveArgs)
		if err != nil {
			return err
		}
		switch preserveArgs[i] {
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

// argmatch is GNU's XARGMATCH (cli.ArgMatch).
func argmatch(option, value string, valid []string) (int, error) {
	return cli.ArgMatch(option, value, valid)
}

func run(argv []string, stdin, stdout, stderr *os.File) int {
	prog := cli.Prog(argv[0])
	rep := &cli.Reporter{Prog: prog, W: stderr}
	cfg, err := parse(prog, argv[1:], stdout)
	switch e := err.(type) {
	case nil:
	case *fatal:
		rep.Errorf("%s", e.msg)
		return 1
	default:
		if err == errDone {
			return 0
		}
		return rep.Usage(err)
	}
	for _, w := range cfg.warnings {
		fmt.Fprintf(stderr, "%s: %s\n", prog, w)
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
	if !ok {
		return 1
	}
	return 0
}

func usage(w io.Writer, prog string) {
	fmt.Fprintf(w, `Usage: %[1]s [OPTION]... [-T] SOURCE DEST
  or:  %[1]s [OPTION]... SOURCE... DIRECTORY
  or:  %[1]s [OPTION]... -t DIRECTORY SOURCE...
Copy SOURCE to DEST, or multiple SOURCE(s) to DIRECTORY, moving the data
inside the kernel whenever it can (reflink, copy_file_range, sendfile).

Mandatory arguments to long options are mandatory for short options too.
  -a, --archive                same as -dR --preserve=all
      --attributes-only        don't copy the file data, just the attributes
      --debug                  explain how a file is copied.  Implies -v
  -d                           same as --no-dereference --preserve=links
  -f, --force                  if an existing destination file cannot be
                                 opened, remove it and try again (this option
                                 is ignored when the -n option is also used)
  -g, --progress               show a progress bar on standard error when it
                                 is a terminal (bytes, rate, files, time left)
      --method=METHOD          move file data with METHOD alone, and fail
                                 where the kernel refuses it: auto (the
                                 default: reflink, then the cheapest that
                                 works), copy_file_range, sendfile, splice,
                                 mmap or readwrite; ZCOPY_METHOD sets the
                                 default
  -i, --interactive            prompt before overwrite (overrides a previous -n
                                  option)
  -H                           follow command-line symbolic links in SOURCE
  -l, --link                   hard link files instead of copying
  -L, --dereference            always follow symbolic links in SOURCE
  -n, --no-clobber             do not overwrite an existing file (overrides
                                 a previous -i option)
  -P, --no-dereference         never follow symbolic links in SOURCE
  -p                           same as --preserve=mode,ownership,timestamps
      --preserve[=ATTR_LIST]   preserve the specified attributes (default:
                                 mode,ownership,timestamps), if possible
                                 additional attributes: context, links, xattr,
                                 all
      --no-preserve=ATTR_LIST  don't preserve the specified attributes
      --parents                use full source file name under DIRECTORY
  -R, -r, --recursive          copy directories recursively
      --reflink[=WHEN]         control clone/CoW copies. See below
      --remove-destination     remove each existing destination file before
                                 attempting to open it (contrast with --force)
      --sparse=WHEN            control creation of sparse files. See below
      --strip-trailing-slashes  remove any trailing slashes from each SOURCE
                                 argument
  -s, --symbolic-link          make symbolic links instead of copying
  -t, --target-directory=DIRECTORY  copy all SOURCE arguments into DIRECTORY
  -T, --no-target-directory    treat DEST as a normal file
  -u, --update                 copy only when the SOURCE file is newer
                                 than the destination file or when the
                                 destination file is missing
  -v, --verbose                explain what is being done
  -x, --one-file-system        stay on this file system
  -Z                           set SELinux security context of destination
                                 file to default type (ignored: zcopy runs
                                 without SELinux)
      --context[=CTX]          like -Z, or if CTX is specified then set the
                                 SELinux or SMACK security context to CTX
                                 (ignored, with a warning)
      --help        display this help and exit
      --version     output version information and exit

By default, sparse SOURCE files are detected by a crude heuristic and the
corresponding DEST file is made sparse as well.  That is the behavior
selected by --sparse=auto.  Specify --sparse=always to create a sparse DEST
file whenever the SOURCE file contains a long enough sequence of zero bytes.
Use --sparse=never to inhibit creation of sparse files.

When --reflink[=always] is specified, perform a lightweight copy, where the
data blocks are copied only when modified.  If this is not possible the copy
fails, or if --reflink=auto is specified, fall back to a standard copy.
Use --reflink=never to ensure a standard copy is performed.

Full documentation: man zcp
`, prog)
}
