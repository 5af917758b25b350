// Package cmdspec holds the option table of each zcopy command, one file
// per command. A table is what internal/cli parses the command line with,
// and what the --help text, the OPTIONS section of the man page and the
// bash, zsh and fish completions are made from, so that none of them can
// name an option the others lack.
//
// The tables are plain composite literals: building them costs nothing at
// start-up. The texts are rendered only when asked for.
package cmdspec

import (
	"sort"
	"strings"

	"github.com/zcopy/zcopy/internal/cli"
)

// Command describes one command for its help text, man page and
// completions.
type Command struct {
	Name string
	// Usage are the synopsis lines after the program's name:
	// "[OPTION]... [FILE]...". The first follows "Usage: ", the others
	// stand under it.
	Usage []string
	// Intro is the paragraph under the Usage lines.
	Intro string
	// Options is the parser's table, in getopt order (the order that
	// "is ambiguous; possibilities:" lists).
	Options []cli.Option
	// Operand says what the operands are, for completion: "file",
	// "directory" (never only directories here: zcp's last operand may be
	// a new file).
	Operand string
	// After is the text under the options (argument values, examples).
	// "PROG" in Intro and After stands for the name invoked as.
	After string
}

// All lists the commands that parse with internal/cli, for the
// completions.
func All() []*Command { return []*Command{&Zcat, &Ztee, &Zcp} }

// Entry is one entry of --help and of the man page: an option and the
// short option documented with it, if any.
type Entry struct {
	Opt  *cli.Option
	Also byte
}

// Entries returns the documented options in help order: by short letter,
// or by long name when there is none (a letter before its capital), with
// --help and --version last.
func (c *Command) Entries() []Entry {
	var es []Entry
	for i := range c.Options {
		o := &c.Options[i]
		if o.Help != "" {
			es = append(es, Entry{Opt: o, Also: o.Also})
		}
	}
	sort.SliceStable(es, func(i, j int) bool { return helpKey(es[i].Opt) < helpKey(es[j].Opt) })
	return es
}

func helpKey(o *cli.Option) string {
	switch o.Long {
	case "help":
		return "\xfe"
	case "version":
		return "\xff"
	}
	if o.Short != 0 {
		s := string(o.Short)
		l := strings.ToLower(s)
		if s == l {
			return l + "\x00"
		}
		return l + "\x01"
	}
	return strings.ToLower(o.Long)
}

// Forms returns the entry's option as --help shows it:
// "-t, --target-directory=DIRECTORY", "--preserve[=ATTR_LIST]", "-R, -r,
// --recursive".
func (e Entry) Forms() []string {
	o := e.Opt
	var f []string
	if o.Short != 0 {
		f = append(f, "-"+string(o.Short))
	}
	if e.Also != 0 {
		f = append(f, "-"+string(e.Also))
	}
	if o.Long != "" {
		f = append(f, "--"+o.Long+argSuffix(o))
	} else if len(f) > 0 && o.Arg != cli.NoArg {
		f[len(f)-1] += " " + o.ArgName
	}
	return f
}

func argSuffix(o *cli.Option) string {
	switch o.Arg {
	case cli.RequiredArg:
		return "=" + o.ArgName
	case cli.OptionalArg:
		return "[=" + o.ArgName + "]"
	}
	return ""
}

// Help returns the --help text for the program invoked as prog.
func (c *Command) Help(prog string) string {
	var b strings.Builder
	for i, u := range c.Usage {
		if i == 0 {
			b.WriteString("Usage: ")
		} else {
			b.WriteString("       ")
		}
		b.WriteString(prog + " " + u + "\n")
	}
	b.WriteString(strings.ReplaceAll(c.Intro, "PROG", prog))
	b.WriteString("\n")
	for _, o := range c.Options {
		if o.Arg == cli.RequiredArg && o.Short != 0 && o.Long != "" {
			b.WriteString("An argument that a long option requires, its short form requires too.\n")
			break
		}
	}
	const (
		indent = 2
		maxCol = 28 // a wider option column puts its description on the next line
		width  = 79
	)
	es := c.Entries()
	col := 0
	for _, e := range es {
		if n := len(optColumn(e)); n <= maxCol && n > col {
			col = n
		}
	}
	descAt := indent + col + 2
	for _, e := range es {
		oc := optColumn(e)
		line := strings.Repeat(" ", indent) + oc
		if len(oc) > col {
			b.WriteString(line + "\n")
			line = ""
		}
		// The first line of a description starts at descAt, the others
		// two columns further in.
		for i, w := range wrap(e.Opt.Help, width-descAt-2) {
			at := descAt
			if i > 0 {
				at += 2
			}
			b.WriteString(line + strings.Repeat(" ", at-len(line)) + w + "\n")
			line = ""
		}
	}
	if c.After != "" {
		b.WriteString("\n" + strings.ReplaceAll(c.After, "PROG", prog))
	}
	b.WriteString("\nSee " + c.Name + "(1) for the details; zcopy is free software under the\nBSD-3-Clause license.\n")
	return b.String()
}

// optColumn is the left column of an entry: "-A, --show-all", with room
// for the short form when there is none ("    --debug").
func optColumn(e Entry) string {
	s := strings.Join(e.Forms(), ", ")
	if e.Opt.Short == 0 {
		s = "    " + s
	}
	return s
}

// wrap breaks text into lines of at most width bytes, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}

// Version is what --version prints for the command name.
func Version(name string) string {
	return name + " (zcopy) " + cli.Version + "\n" +
		"Copyright (c) The zcopy Authors.\n" +
		"Licensed under BSD-3-Clause (the LICENSE file, or\n" +
		"<https://opensource.org/license/bsd-3-clause>); it comes with no warranty.\n"
}

// methodForced ends the man page entry of --method, the same in the three
// commands.
const methodForced = `When the kernel (or a rule of the system call, such as
.BR sendfile (2)
not reading a pipe) refuses the method for a pair of descriptors, that is an
error naming the method and the pair, and the exit status is 1: nothing else
is tried.
A unique prefix of
.I METHOD
will do.
Without this option, the environment variable
.B ZCOPY_METHOD
gives the method, with the same values; the option wins.
It is meant for measuring, and for working around a kernel or filesystem
bug in one method.`

// progressBar is the man page's word on -g for zcat and ztee.
const progressBar = `The bar reads the engine's byte counters: the data stays on its zero-copy
path.
With standard error not a terminal, nothing is drawn.`
