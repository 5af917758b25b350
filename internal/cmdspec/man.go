package cmdspec

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/zcopy/zcopy/internal/cli"
)

// The lines that enclose the generated OPTIONS section of a man page.
const (
	ManBegin = `.\" The options below are made from internal/cmdspec by "make man": edit the table there.`
	ManEnd   = `.\" End of the options made from internal/cmdspec.`
)

// ManOptions renders the entries of the OPTIONS section of c's man page,
// in troff, between ManBegin and ManEnd: for each entry its forms, its
// Help as a sentence and its Man text.
func (c *Command) ManOptions() string {
	var b strings.Builder
	b.WriteString(ManBegin + "\n")
	for _, o := range c.Options {
		if o.Arg == cli.RequiredArg && o.Short != 0 && o.Long != "" {
			b.WriteString("An argument that a long option requires, its short form requires too.\n")
			break
		}
	}
	for _, e := range c.Entries() {
		b.WriteString(".TP\n")
		var tags []string
		for _, f := range e.Forms() {
			tags = append(tags, manForm(f))
		}
		b.WriteString(strings.Join(tags, ", ") + "\n")
		b.WriteString(manSentence(e.Opt.Help) + "\n")
		if e.Opt.Man != "" {
			b.WriteString(strings.TrimSuffix(e.Opt.Man, "\n") + "\n")
		}
	}
	b.WriteString(ManEnd + "\n")
	return b.String()
}

// manForm renders "--sparse=WHEN" as bold option and italic argument.
func manForm(f string) string {
	name, arg := f, ""
	if i := strings.IndexAny(f, "[= "); i >= 0 {
		name, arg = f[:i], f[i:]
	}
	s := `\fB` + manEscape(name) + `\fR`
	if arg == "" {
		return s
	}
	// arg is "=NAME", "[=NAME]" or " NAME".
	open, word, close := "", arg, ""
	if strings.HasPrefix(word, "[") {
		open, word, close = "[", word[1:len(word)-1], "]"
	}
	sep := word[:1]
	return s + open + sep + `\fI` + manEscape(word[1:]) + `\fR` + close
}

// manSentence turns a help line into a sentence of troff text: a capital
// first, a full stop last, wrapped.
func manSentence(help string) string {
	r, n := utf8.DecodeRuneInString(help)
	s := string(unicode.ToUpper(r)) + help[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	// Lines of source short enough for mandoc -Tlint (80 bytes).
	lines := wrap(s, 72)
	for i, l := range lines {
		lines[i] = manEscape(l)
	}
	return strings.Join(lines, "\n")
}

// manEscape makes plain text safe in troff: a backslash is \e, a hyphen
// that is a minus sign in options is \-, and a line may not start with a
// control character.
func manEscape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}
