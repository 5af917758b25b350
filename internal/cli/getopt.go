// Package cli is what the zcopy commands share between their argv and their
// work: GNU getopt_long-compatible option parsing, and GNU-style messages
// (program name, quoting, strerror text, usage errors, SIGPIPE).
//
// The commands do not link urfave/cli/v2: importing it costs about 0.4 ms of
// start-up here (a regexp compiled and markdown tables built at init, +30%
// for a one-line cat), and its parser is not getopt's (no permutation, no
// abbreviations, other messages). This package is the small layer that
// does what GNU users expect, and nothing at init.
package cli

import (
	"os"
	"strings"
)

// ArgKind says whether an option takes an argument.
type ArgKind uint8

// The argument kinds of getopt_long(3).
const (
	NoArg       ArgKind = iota // --name
	RequiredArg                // --name=VALUE, --name VALUE, -xVALUE, -x VALUE
	OptionalArg                // --name[=VALUE], -x[VALUE]
)

// Option is one option of a command. Long or Short may be empty.
//
// A command's table of options (internal/cmdspec) is at once what Parse
// reads and what --help, the man page and the shell completions are made
// from, so the fields after Arg only document: Parse ignores them.
type Option struct {
	Long  string
	Short byte
	Arg   ArgKind
	// ArgName names the argument in help texts: "WHEN" in --sparse=WHEN.
	ArgName string
	// Values, when not nil, are the arguments the option accepts (for
	// completion; a list option takes several, comma-separated).
	Values []string
	// List says that the argument is a comma-separated list of Values.
	List bool
	// Help is the option's one-line description in --help. An option
	// without Help is documented with the one whose Also names it.
	Help string
	// Also is a short option documented in the same entry ("-R, -r").
	Also byte
	// Man, in troff, is what the man page adds to Help.
	Man string
}

// Parsed is one option found on the command line.
type Parsed struct {
	Opt      *Option
	Value    string
	HasValue bool
}

// UsageError is a command line that getopt rejects; its text is GNU's.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Parse reads args (argv without argv[0]) as GNU getopt_long does: options
// and operands may be mixed unless POSIXLY_CORRECT is set, "--" ends the
// options, "-" is an operand, short options bundle, and a long option may be
// abbreviated to any unique prefix. Options come back in command-line order.
//
// On error, opts holds the options read before the bad one: getopt hands
// options over one at a time, and GNU commands answer --help and --version
// as soon as they see them, so `cat --help -x` prints the help.
func Parse(spec []Option, args []string) (opts []Parsed, operands []string, err error) {
	posix := os.Getenv("POSIXLY_CORRECT") != ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return opts, append(operands, args[i+1:]...), nil
		case strings.HasPrefix(a, "--"):
			p, used, err := parseLong(spec, a[2:], args[i+1:])
			if err != nil {
				return opts, operands, err
			}
			i += used
			opts = append(opts, p)
		case len(a) > 1 && a[0] == '-':
			ps, used, err := parseShort(spec, a[1:], args[i+1:])
			opts = append(opts, ps...)
			if err != nil {
				return opts, operands, err
			}
			i += used
		default:
			if posix {
				return opts, append(operands, args[i:]...), nil
			}
			operands = append(operands, a)
		}
	}
	return opts, operands, nil
}

func parseLong(spec []Option, body string, rest []string) (Parsed, int, error) {
	name, value, hasValue := strings.Cut(body, "=")
	o, err := lookupLong(spec, name, body)
	if err != nil {
		return Parsed{}, 0, err
	}
	switch o.Arg {
	case NoArg:
		if hasValue {
			return Parsed{}, 0, &UsageError{"option '--" + o.Long + "' doesn't allow an argument"}
		}
	case RequiredArg:
		if !hasValue {
			if len(rest) == 0 {
				return Parsed{}, 0, &UsageError{"option '--" + o.Long + "' requires an argument"}
			}
			return Parsed{Opt: o, Value: rest[0], HasValue: true}, 1, nil
		}
	}
	return Parsed{Opt: o, Value: value, HasValue: hasValue}, 0, nil
}

// lookupLong finds the option named name or uniquely abbreviated by it.
func lookupLong(spec []Option, name, body string) (*Option, error) {
	var found []*Option
	for i := range spec {
		o := &spec[i]
		if o.Long == "" {
			continue
		}
		if o.Long == name {
			return o, nil
		}
		if strings.HasPrefix(o.Long, name) {
			found = append(found, o)
		}
	}
	switch len(found) {
	case 0:
		return nil, &UsageError{"unrecognized option '--" + body + "'"}
	case 1:
		return found[0], nil
	}
	// glibc lists the candidates in the order of its option table.
	var b strings.Builder
	// glibc names the whole argument, "=value" included.
	b.WriteString("option '--" + body + "' is ambiguous; possibilities:")
	for _, o := range found {
		b.WriteString(" '--" + o.Long + "'")
	}
	return nil, &UsageError{b.String()}
}

func parseShort(spec []Option, bundle string, rest []string) ([]Parsed, int, error) {
	var out []Parsed
	for j := 0; j < len(bundle); j++ {
		o := lookupShort(spec, bundle[j])
		if o == nil {
			return out, 0, &UsageError{"invalid option -- '" + bundle[j:j+1] + "'"}
		}
		if o.Arg == NoArg {
			out = append(out, Parsed{Opt: o})
			continue
		}
		if tail := bundle[j+1:]; tail != "" {
			return append(out, Parsed{Opt: o, Value: tail, HasValue: true}), 0, nil
		}
		if o.Arg == OptionalArg {
			return append(out, Parsed{Opt: o}), 0, nil
		}
		if len(rest) == 0 {
			return out, 0, &UsageError{"option requires an argument -- '" + bundle[j:j+1] + "'"}
		}
		return append(out, Parsed{Opt: o, Value: rest[0], HasValue: true}), 1, nil
	}
	return out, 0, nil
}

func lookupShort(spec []Option, c byte) *Option {
	for i := range spec {
		if spec[i].Short == c {
			return &spec[i]
		}
	}
	return nil
}
