package cmdspec

import (
	"github.com/zcopy/zcopy/internal/cli"
	"github.com/zcopy/zcopy/internal/copy"
)

// The arguments of zcp's options with a fixed list, in the order of GNU
// cp's argmatch tables (argmatch lists them in that order).
var (
	SparseArgs   = []string{"never", "auto", "always"}
	ReflinkArgs  = []string{"auto", "always", "never"}
	PreserveArgs = []string{"mode", "timestamps", "ownership", "links", "context", "xattr", "all"}
	// BackupArgs are gnulib's backup controls; synonyms follow each
	// other (none and off, simple and never, existing and nil, numbered
	// and t), as its list of valid arguments shows them.
	BackupArgs = []string{"none", "off", "simple", "never", "existing", "nil", "numbered", "t"}
)

// Zcp is zcp's table. Its options are in the order of GNU cp's getopt
// table; --progress is zcp's own.
var Zcp = Command{
	Name: "zcp",
	Usage: []string{
		"[OPTION]... [-T] SOURCE DEST",
		"[OPTION]... SOURCE... DIRECTORY",
		"[OPTION]... -t DIRECTORY SOURCE...",
	},
	Intro: `Copy SOURCE to DEST, or each SOURCE into DIRECTORY. The data stays inside
the kernel whenever it allows: a reflink shares the blocks, copy_file_range
and sendfile copy them without a trip through user space.
`,
	Operand: "file",
	Options: []cli.Option{
		{Long: "archive", Short: 'a',
			Help: "keep everything that can be kept, recursively: -dR --preserve=all",
			Man: `Symbolic links stay links, hard links stay shared, and mode, ownership,
times (to the nanosecond), ACLs and extended attributes are kept.`},
		{Long: "attributes-only",
			Help: "give each destination the attributes of its SOURCE but none of its data"},
		{Long: "backup", Arg: cli.OptionalArg, ArgName: "CONTROL", Values: BackupArgs,
			Help: "rename an existing destination that is not a directory before replacing it; CONTROL (below) says to what",
			Man: `Without
.IR CONTROL ,
the control is the
.B VERSION_CONTROL
variable's, or
.BR existing ;
see
.BR BACKUPS .`},
		{Long: "copy-contents",
			Help: "with -R, read FIFOs, devices and sockets and copy their data into regular files instead of making new nodes",
			Man: `That is what
.B zcp
does without
.B \-R
anyway.
A FIFO is read until its writers close it, so each needs one;
.I /dev/zero
and the like never end.`},
		{Long: "debug",
			Help: "say how each file was copied (offload, reflink, holes); implies -v",
			Man: `After the file's
.B \-v
line comes one such as
.RS
.PP
.EX
copy offload: yes, reflink: unsupported, sparse detection: SEEK_HOLE
.EE
.PP
.I copy offload
tells whether
.BR copy_file_range (2)
moved the data:
.BR yes ,
.B unsupported
(the kernel refused it),
.B avoided
(the options ruled it out) or
.B unknown
(it did not run).
.I reflink
tells whether the blocks are shared:
.BR yes ,
.B unsupported
or, with
.BR \-\-reflink=never ,
.BR no .
.I sparse detection
tells how holes were looked for:
.BR SEEK_HOLE ,
.B zeros
.RB ( \-\-sparse=always ),
.B "SEEK_HOLE + zeros"
or
.B no
(the source did not look sparse).
.RE`},
		{Long: "dereference", Short: 'L',
			Help: "copy what each symbolic link in SOURCE points to"},
		{Long: "force", Short: 'f',
			Help: "when a destination cannot be opened for writing, remove it and try once more (no effect with -n)",
			Man: `With
.B \-l
or
.BR \-s ,
an existing destination is replaced.`},
		{Long: "interactive", Short: 'i',
			Help: "ask before replacing a destination (cancels an earlier -n)",
			Man:  `Files are then copied one at a time.`},
		{Long: "link", Short: 'l',
			Help: "make hard links where copies would be made"},
		{Long: "no-clobber", Short: 'n',
			Help: "leave every existing destination alone (cancels an earlier -i)"},
		{Long: "no-dereference", Short: 'P',
			Help: "copy symbolic links in SOURCE as links, never what they point to"},
		{Long: "no-preserve", Arg: cli.RequiredArg, ArgName: "ATTR_LIST", Values: PreserveArgs, List: true,
			Help: "do not keep the attributes named in ATTR_LIST",
			Man: `The names are those of
.BR \-\-preserve .`},
		{Long: "no-target-directory", Short: 'T',
			Help: "take DEST as the name to copy to, even when it is a directory"},
		{Long: "one-file-system", Short: 'x',
			Help: "do not descend into other filesystems mounted below SOURCE"},
		{Long: "parents",
			Help: "rebuild under DIRECTORY the path of each SOURCE as it was given",
			Man:  `The directories on the way are created as needed.`},
		{Long: "preserve", Arg: cli.OptionalArg, ArgName: "ATTR_LIST", Values: PreserveArgs, List: true,
			Help: "keep the attributes named in ATTR_LIST: mode, ownership and timestamps when it is absent; links, context, xattr or all may be named too",
			Man: `The names are separated by commas:
.B mode
(POSIX ACLs included),
.BR ownership ,
.BR timestamps ,
.BR links ,
.BR xattr ,
.B context
and
.BR all .
.B context
needs a kernel with SELinux; without one it is refused, as GNU cp refuses it.`},
		{Long: "recursive", Short: 'R', Also: 'r',
			Help: "copy directories and everything below them"},
		{Long: "remove-destination",
			Help: "remove an existing destination before opening it (where -f waits for the open to fail)"},
		{Long: "sparse", Arg: cli.RequiredArg, ArgName: "WHEN", Values: SparseArgs,
			Help: "say when the copy gets holes (WHEN below)",
			Man: `.B auto
(the default) keeps the holes of a source that looks sparse, found with
.BR SEEK_DATA " and " SEEK_HOLE ;
.B always
also makes holes of zero-filled blocks, which means reading the data to
find them;
.B never
writes holes out as zeros.`},
		{Long: "reflink", Arg: cli.OptionalArg, ArgName: "WHEN", Values: ReflinkArgs,
			Help: "say when the copy shares the data blocks of SOURCE (WHEN below)",
			Man: `.B auto
(the default) shares them where the filesystem can (btrfs, xfs) and
copies them elsewhere;
.BR always ,
or no
.IR WHEN ,
shares them or fails, and then leaves no empty file behind;
.B never
copies them each time and so keeps away from
.BR copy_file_range (2)
too, which may share blocks without saying so.`},
		{Long: "strip-trailing-slashes",
			Help: "drop the slashes that end a SOURCE"},
		{Long: "suffix", Short: 'S', Arg: cli.RequiredArg, ArgName: "SUFFIX",
			Help: "end the names of simple backups with SUFFIX, not ~; implies --backup",
			Man: `Without it, the suffix is the
.B SIMPLE_BACKUP_SUFFIX
variable's, or
.BR ~ .`},
		{Long: "symbolic-link", Short: 's',
			Help: "make symbolic links where copies would be made"},
		{Long: "target-directory", Short: 't', Arg: cli.RequiredArg, ArgName: "DIRECTORY",
			Help: "copy every SOURCE into DIRECTORY"},
		{Long: "update", Short: 'u',
			Help: "copy a file only when its destination is missing or older"},
		{Long: "verbose", Short: 'v',
			Help: "print each copy as it is made",
			Man:  `A file is named once its data is written.`},
		{Long: "context", Arg: cli.OptionalArg, ArgName: "CTX",
			Help: "like -Z; with CTX, set that SELinux or SMACK context (ignored with a warning: zcopy runs without SELinux)"},
		{Long: "progress", Short: 'g',
			Help: "draw a progress bar on standard error when it is a terminal (bytes, rate, files, time left)",
			Man: `The total comes from a scan that runs beside the copy.
With standard error not a terminal, nothing is drawn; messages are printed
above the bar.`},
		{Long: "method", Arg: cli.RequiredArg, ArgName: "METHOD", Values: copy.ForceNames,
			Help: "move file data with METHOD alone, failing where the kernel refuses it: auto (the default: a reflink, then the cheapest that works), copy_file_range, sendfile, splice, mmap or readwrite",
			Man: `No clone is tried with a forced method, so it rules out
.B \-\-reflink=always
and, but for
.BR readwrite ,
.B \-\-sparse=always
(which reads the data for zeros).
With
.BR \-\-debug ,
the line about each file ends with
.RI "method: " M ,
naming what moved its data.
.PP
` + methodForced},
		{Long: "help",
			Help: "print a summary of the options, then exit"},
		{Long: "version",
			Help: "print the version and the license, then exit"},
		{Short: 'b',
			Help: "like --backup, but takes no CONTROL"},
		{Short: 'd',
			Help: "like --no-dereference --preserve=links"},
		{Short: 'H',
			Help: "follow the symbolic links named on the command line, and only those"},
		{Short: 'p',
			Help: "like --preserve=mode,ownership,timestamps"},
		{Short: 'r'},
		{Short: 'Z',
			Help: "give each destination the default SELinux context (nothing to do: zcopy runs without SELinux)"},
	},
	After: `WHEN, for --sparse: auto, the default, gives the copy the holes that SOURCE
has, found with SEEK_DATA and SEEK_HOLE; always also makes a hole of every
block of zero bytes; never writes every byte, zeros included.

WHEN, for --reflink: auto, the default, shares the data blocks with SOURCE
where the filesystem can (they are copied only when one side changes) and
copies them elsewhere; always, or no WHEN, shares them or fails; never
copies them every time.

CONTROL, for --backup, or else the VERSION_CONTROL variable, says how
backups are named (any unique abbreviation will do):
  none, off       make none, even with --backup
  numbered, t     FILE.~N~, N one above the highest there
  existing, nil   numbered for a FILE that has numbered backups, else simple
                    (the default)
  simple, never   FILE and the suffix: that of --suffix, or else the
                    SIMPLE_BACKUP_SUFFIX variable's, or else ~
With --force and a backup, a regular FILE given as both SOURCE and DEST,
by the same name, is copied to its backup name.
`,
}
