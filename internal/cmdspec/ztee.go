package cmdspec

import "github.com/zcopy/zcopy/internal/cli"

// OutputErrorModes are the arguments of ztee's --output-error, in GNU
// tee's order (argmatch lists them in that order when it complains).
var OutputErrorModes = []string{"warn", "warn-nopipe", "exit", "exit-nopipe"}

// ZteeMethodArgs are the values of ztee's --method: the engine's
// copy.ForceNames less mmap, which the fan-out does not have.
var ZteeMethodArgs = []string{"auto", "copy_file_range", "sendfile", "splice", "readwrite"}

// Ztee is ztee's table. Its options are in GNU tee's getopt order; -p is
// --output-error without its argument.
var Ztee = Command{
	Name:  "ztee",
	Usage: []string{"[OPTION]... [FILE]..."},
	Intro: `Send standard input both to standard output and to every FILE. Between
pipes the bytes are duplicated inside the kernel (tee, splice).
`,
	Operand: "file",
	Options: []cli.Option{
		{Long: "append", Short: 'a',
			Help: "add to the end of each FILE instead of emptying it first",
			Man: `No zero-copy call writes into a file opened for appending (the kernel
refuses them all), so these outputs get their bytes from
.BR write (2).`},
		{Long: "ignore-interrupts", Short: 'i',
			Help: "carry on when an interrupt (SIGINT) arrives"},
		{Long: "output-error", Arg: cli.OptionalArg, ArgName: "MODE", Values: OutputErrorModes,
			Help: "choose what a failed write to an output does (MODE below)",
			Man: `.I MODE
is one of these words, or a prefix of only one:
.RS
.TP 13
.B warn
every output that fails is reported and dropped; the others go on;
.TP
.B warn\-nopipe
the same, except that a pipe whose reader has gone is dropped in silence;
this is what
.B \-p
and a bare
.B \-\-output\-error
mean;
.TP
.B exit
the first output that fails is reported and ends
.BR ztee ;
.TP
.B exit\-nopipe
the first output that fails ends
.BR ztee ,
unless it is a pipe whose reader has gone: that one is dropped in silence.
.RE
.IP
With neither
.B \-\-output\-error
nor
.BR \-p ,
a pipe, FIFO or socket whose reader has gone ends
.B ztee
by
.BR SIGPIPE ;
an output that fails otherwise is reported and dropped while the others go
on.
"A pipe whose reader has gone" is a write that fails with
.B EPIPE
(Broken pipe), as in GNU tee.
A dropped output gets nothing more; the others get every byte, once.`},
		{Long: "help",
			Help: "print a summary of the options, then exit"},
		{Long: "version",
			Help: "print the version and the license, then exit"},
		{Long: "debug",
			Help: "tell on standard error, for each output, what both ends are and which system calls moved how many bytes",
			Man: `The lines come once the input is finished, and say also why a call was
refused.
See
.BR "DEBUG OUTPUT" .`},
		{Long: "method", Arg: cli.RequiredArg, ArgName: "METHOD", Values: ZteeMethodArgs,
			Help: "feed every output with METHOD alone, an output it cannot serve being an error: auto (the default), splice, readwrite, and for a regular-file input copy_file_range or sendfile",
			Man: `.B splice
means
.BR tee (2)
and
.BR splice (2)
from a pipe;
.B copy_file_range
and
.B sendfile
serve a regular-file standard input.
The fan-out has no mmap path.
An output the method cannot serve is dropped with the error; the others go on.
.PP
` + methodForced},
		{Long: "progress", Short: 'g',
			Help: "draw a progress bar on standard error when it is a terminal (bytes and rate; time left when standard input is a regular file)",
			Man:  progressBar},
		{Short: 'p',
			Help: "short for --output-error=warn-nopipe"},
	},
	After: `MODE is one of:
  warn          report every output that fails and keep writing the rest
  warn-nopipe   the same, but drop a pipe whose reader has gone in silence
  exit          report the first output that fails, then stop
  exit-nopipe   stop at the first output that fails and is not such a pipe
Without --output-error, a pipe whose reader has gone ends PROG (SIGPIPE) and
any other output that fails is reported and dropped. -p, or --output-error
with no MODE, means warn-nopipe.
`,
}
