package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"
)

// Version is zcopy's version, as --version prints it.
const Version = "0.1.0"

// Prog returns the name a command was invoked as, for its messages. GNU
// programs print argv[0] as given ("/usr/bin/cat: ..." when run by path,
// "cat: ..." from PATH), so zcopy does too: `ln -s zcat cat` speaks as cat.
func Prog(argv0 string) string {
	if argv0 == "" {
		return "zcopy"
	}
	return argv0
}

// Reporter prints a command's messages GNU-style on W and remembers
// whether anything failed, so that a command reports every operand and
// exits 1 at the end.
type Reporter struct {
	Prog   string
	W      io.Writer
	Failed bool
}

// Usage reports a bad command line and returns the exit status for it.
func (r *Reporter) Usage(err error) int {
	fmt.Fprintf(r.W, "%s: %s\nTry '%s --help' for more information.\n", r.Prog, err.Error(), r.Prog)
	r.Failed = true
	return 1
}

// Errorf prints "prog: " and the formatted text.
func (r *Reporter) Errorf(format string, a ...any) {
	r.Failed = true
	fmt.Fprintf(r.W, "%s: %s\n", r.Prog, fmt.Sprintf(format, a...))
}

// Error prints err in GNU's words: "prog: NAME: No such file or directory"
// for an *os.PathError, "prog: text" otherwise.
func (r *Reporter) Error(err error) {
	var pe *os.PathError
	if errors.As(err, &pe) {
		r.Errorf("%s: %s", QuoteIfNeeded(pe.Path), Strerror(pe.Err))
		return
	}
	r.Errorf("%s", Strerror(err))
}

// Strerror returns glibc's text for the errno inside err ("No such file or
// directory"); Go's own texts are glibc's with a lowercase first letter.
func Strerror(err error) string {
	var en syscall.Errno
	if errors.As(err, &en) {
		s := en.Error()
		r, size := utf8.DecodeRuneInString(s)
		return string(unicode.ToUpper(r)) + s[size:]
	}
	return err.Error()
}

// Quote quotes name as GNU's quote() does for file names in messages
// (shell-escape-always style): 'a b', "a'b", 'a'$'\n”b'.
func Quote(name string) string { return shellQuote(name, true) }

// QuoteIfNeeded quotes name as GNU's quotef() does: only when a shell
// would need it.
func QuoteIfNeeded(name string) string { return shellQuote(name, false) }

func shellQuote(s string, always bool) string {
	if s == "" {
		return "''"
	}
	utf8Set := utf8Locale()
	special, single, ctrl := false, false, false
	for i, r := range s {
		switch {
		case unprintable(s[i:], utf8Set):
			ctrl = true
		case r == '\'':
			single = true
		case r == '#' || r == '~':
			special = special || i == 0
		case strings.ContainsRune(" \t!\"$&()*;<=>?[\\^`|", r):
			special = true
		case r == '{' || r == '}':
			special = special || len(s) == 1
		}
	}
	switch {
	case ctrl:
		return dollarQuote(s, utf8Set)
	case single && !strings.ContainsAny(s, "\"$`\\!"):
		return `"` + s + `"`
	case single:
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	case special || always:
		return "'" + s + "'"
	}
	return s
}

// unprintable says whether the character s starts with is one that GNU's
// quotearg escapes as $'\ooo': an ASCII control character; in a UTF-8
// locale, invalid UTF-8 or a character iswprint rejects; in any other
// locale (C), every byte above 0x7f.
func unprintable(s string, utf8Set bool) bool {
	c := s[0]
	if c < utf8.RuneSelf {
		return c < 0x20 || c == 0x7f
	}
	if !utf8Set {
		return true
	}
	r, size := utf8.DecodeRuneInString(s)
	return (r == utf8.RuneError && size <= 1) || !printable(r)
}

// dollarQuote renders a name holding characters that unprintable rejects
// the way GNU does: printable runs in single quotes, the rest as $'\n',
// byte by byte. Like quotearg, it opens a single quote first, so that a
// name starting with such a character begins with ”$'.
func dollarQuote(s string, utf8Set bool) string {
	var b strings.Builder
	b.WriteByte('\'')
	inQuote, inDollar := true, false
	closeAll := func() {
		if inQuote || inDollar {
			b.WriteByte('\'')
		}
		inQuote, inDollar = false, false
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unprintable(s[i:], utf8Set) {
			if !inDollar {
				closeAll()
				b.WriteString("$'")
				inDollar = true
			}
			b.WriteString(escapeByte(s[i]))
			i++
			continue
		}
		if r == '\'' {
			// Out of either quote, escaped, and into a single quote
			// again: '\'' (a $'...' run is closed the same way).
			b.WriteString(`'\''`)
			inQuote, inDollar = true, false
			i += size
			continue
		}
		if !inQuote {
			closeAll()
			b.WriteByte('\'')
			inQuote = true
		}
		b.WriteString(s[i : i+size])
		i += size
	}
	closeAll()
	return b.String()
}

func escapeByte(c byte) string {
	switch c {
	case '\a':
		return `\a`
	case '\b':
		return `\b`
	case '\f':
		return `\f`
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	case '\t':
		return `\t`
	case '\v':
		return `\v`
	}
	return fmt.Sprintf(`\%03o`, c)
}

// WriteError reports a failure to write standard output ("write error:
// No space left on device") and returns the exit status for it, or ends
// the process by SIGPIPE, as GNU's commands die when their reader has
// gone. A nil err is close_stdout's plain "write error", for a failure
// whose errno is gone by the end.
func (r *Reporter) WriteError(err error) int {
	if errors.Is(err, syscall.EPIPE) {
		DieOfSIGPIPE()
	}
	if err == nil {
		r.Errorf("write error")
		return 1
	}
	r.Errorf("write error: %s", Strerror(err))
	return 1
}

// ErrWriter passes writes on to W and keeps the first error, to be
// reported once at the end, as GNU's close_stdout does for everything a
// command printed (--help, --version, cp's --verbose).
type ErrWriter struct {
	W   io.Writer
	Err error
}

func (w *ErrWriter) Write(p []byte) (int, error) {
	n, err := w.W.Write(p)
	if err != nil && w.Err == nil {
		w.Err = err
	}
	return n, err
}
