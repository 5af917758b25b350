package cmdspec

import (
	"github.com/zcopy/zcopy/internal/cli"
	"github.com/zcopy/zcopy/internal/copy"
)

// Zcat is zcat's table. Its options are in GNU cat's getopt order.
var Zcat = Command{
	Name:  "zcat",
	Usage: []string{"[OPTION]... [FILE]..."},
	Intro: `Write each FILE to standard output, one after the other, keeping the bytes
inside the kernel whenever it allows (copy_file_range, sendfile, splice).
A FILE of -, or no FILE at all, stands for standard input.
`,
	Operand: "file",
	Options: []cli.Option{
		{Long: "number-nonblank", Short: 'b',
			Help: "put a line number before each line that is not empty; wins over -n"},
		{Long: "number", Short: 'n',
			Help: "put a line number before every line"},
		{Long: "squeeze-blank", Short: 's',
			Help: "print one empty line where several follow each other"},
		{Long: "show-nonprinting", Short: 'v',
			Help: "show control bytes and bytes above 127 as ^X and M-X (tabs and newlines stay)",
			Man:  "Byte 127 shows as\n.BR ^? ."},
		{Long: "show-ends", Short: 'E',
			Help: "mark the end of every line with a $",
			Man:  "A carriage return just before the newline shows as\n.BR ^M$ ."},
		{Long: "show-tabs", Short: 'T',
			Help: "show each tab as ^I"},
		{Long: "show-all", Short: 'A',
			Help: "the same as -vET"},
		{Long: "help",
			Help: "print a summary of the options, then exit"},
		{Long: "version",
			Help: "print the version and the license, then exit"},
		{Long: "debug",
			Help: "tell on standard error, for each FILE, what both ends are and which system calls moved how many bytes",
			Man:  "See\n.BR \"DEBUG OUTPUT\" ."},
		{Long: "method", Arg: cli.RequiredArg, ArgName: "METHOD", Values: copy.ForceNames,
			Help: "move the data with METHOD alone, failing where the kernel refuses it: auto (the default), copy_file_range, sendfile, splice, mmap or readwrite",
			Man: `.B mmap
maps the file a few MiB at a time and writes from the mapping with
.BR write (2);
.B splice
goes through a pipe of the engine's own when neither end is a pipe.
With the formatting options only
.BR mmap ,
.B readwrite
and
.B auto
can serve: the formatter reads every byte.
A file that is truncated while it is mapped ends with "file shrank while
being read" and status 1; the bytes before the new end have been written.
.PP
` + methodForced},
		{Long: "progress", Short: 'g',
			Help: "draw a progress bar on standard error when it is a terminal (bytes, rate, and time left when every FILE is a regular file)",
			Man:  progressBar},
		{Short: 'e',
			Help: "the same as -vE"},
		{Short: 't',
			Help: "the same as -vT"},
		{Short: 'u',
			Help: "accepted for POSIX and without effect: nothing is held back",
			Man: `Formatted output is flushed whenever the next read could block, so that
a reader sees each line as soon as it is complete.`},
	},
	After: `Examples:
  PROG a - b   a's bytes, then those of standard input, then b's
  PROG         standard input to standard output
`,
}
