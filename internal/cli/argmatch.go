package cli

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ArgMatch is GNU's XARGMATCH for a list whose names all mean different
// things: value must be one of valid or a prefix of exactly one. It
// returns the index of the name matched. context names the option in the
// complaint, as the GNU command does ("--reflink"; cp's --backup says
// "backup type"). The error is argmatch's, to report with Reporter.Usage
// (which adds the "Try" line):
//
//	invalid argument ‘foo’ for ‘--reflink’
//	Valid arguments are:
//	  - ‘auto’
//	  ...
//
// and "ambiguous argument" when value is a prefix of several.
func ArgMatch(context, value string, valid []string) (int, error) {
	return ArgMatchValues(context, value, valid, valid)
}

// ArgMatchValues is XARGMATCH for a list with synonyms: names[i] means
// values[i]. A prefix of several names is ambiguous only when they mean
// different values, and the list of valid arguments shows the synonyms of
// one value on one line, as argmatch_valid does:
//
//   - ‘none’, ‘off’
//   - ‘simple’, ‘never’
//
// It returns the index of the name matched.
func ArgMatchValues[T comparable](context, value string, names []string, values []T) (int, error) {
	found, ambiguous := -1, false
	for i, name := range names {
		if name == value {
			return i, nil
		}
		if !strings.HasPrefix(name, value) {
			continue
		}
		if found < 0 {
			found = i
		} else if values[i] != values[found] {
			ambiguous = true
		}
	}
	if found >= 0 && !ambiguous {
		return found, nil
	}
	what := "invalid"
	if ambiguous {
		what = "ambiguous"
	}
	var b strings.Builder
	b.WriteString(what + " argument " + LocaleQuote(value) + " for " + LocaleQuote(context) + "\nValid arguments are:")
	for i, name := range names {
		if i > 0 && values[i] == values[i-1] {
			b.WriteString(", " + LocaleQuote(name))
			continue
		}
		b.WriteString("\n  - " + LocaleQuote(name))
	}
	return -1, &UsageError{b.String()}
}

// LocaleQuote quotes an argument as GNU's quote() does in diagnostics
// about arguments (quotearg's locale style): ‘x’ when the locale's
// character set is UTF-8, 'x' otherwise, with C's backslash escapes for
// control characters, the backslash and the closing quote, and octal for
// the bytes the locale cannot print (in the C locale, every byte above
// 0x7f).
func LocaleQuote(s string) string {
	return localeQuote(s, utf8Locale())
}

func localeQuote(s string, utf8Set bool) string {
	open, close := "'", "'"
	if utf8Set {
		open, close = "\u2018", "\u2019"
	}
	var b strings.Builder
	b.WriteString(open)
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], close) {
			b.WriteByte('\\')
		}
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\\':
				b.WriteString(`\\`)
			case c < 0x20 || c == 0x7f:
				b.WriteString(escapeByte(c))
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !utf8Set || (r == utf8.RuneError && size <= 1) || !printable(r) {
			for _, c := range []byte(s[i : i+size]) {
				fmt.Fprintf(&b, `\%03o`, c)
			}
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteString(close)
	return b.String()
}

// printable is glibc's iswprint for a non-ASCII character in a UTF-8
// locale: every assigned character but the controls and the line and
// paragraph separators (format characters such as U+200B print).
func printable(r rune) bool {
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs, unicode.Cf, unicode.Co)
}
