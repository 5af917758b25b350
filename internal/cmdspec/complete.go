package cmdspec

import (
	"fmt"
	"strings"

	"github.com/zcopy/zcopy/internal/cli"
)

// Completion scripts. zcat, ztee and zcp complete from their tables: every
// short and long option, the values of options that take a fixed list
// (and each word of a comma-separated list), directories for a DIRECTORY
// argument, and files for operands. zcopy completes through urfave/cli's
// own protocol: the command line run again with --generate-bash-completion
// prints the words that may come next.

// Shells are the shells Completion writes for.
var Shells = []string{"bash", "zsh", "fish"}

// Commands are the names Completion knows.
var Commands = []string{"zcat", "ztee", "zcp", "zcopy"}

// Completion returns the completion script of shell for the commands
// named (all of Commands when names is empty). "zcat=zzcat" completes
// zcat's options for a zcat installed as zzcat (make install ZCAT_NAME=).
func Completion(shell string, names []string) (string, error) {
	if len(names) == 0 {
		names = Commands
	}
	var cmds []*Command
	zcopy := false
	for _, n := range names {
		n, as, renamed := strings.Cut(n, "=")
		if n == "zcopy" {
			zcopy = true // zcopy itself is never renamed
			continue
		}
		c := lookup(n)
		if c == nil || (renamed && !validName(as)) {
			return "", fmt.Errorf("no completion for %q: the commands are %s", n, strings.Join(Commands, ", "))
		}
		if renamed {
			r := *c
			r.Name = as
			c = &r
		}
		cmds = append(cmds, c)
	}
	switch shell {
	case "bash":
		return bashScript(cmds, zcopy), nil
	case "zsh":
		return zshScript(cmds, zcopy), nil
	case "fish":
		return fishScript(cmds, zcopy), nil
	}
	return "", fmt.Errorf("no completion for the shell %q: the shells are %s", shell, strings.Join(Shells, ", "))
}

// validName accepts the names a script can use in a function's name.
func validName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return s != ""
}

func lookup(name string) *Command {
	for _, c := range All() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// argAction says how an option's argument completes: "values" (Values),
// "dirs" or "" (nothing to offer).
func argAction(o *cli.Option) string {
	switch {
	case o.Values != nil:
		return "values"
	case o.ArgName == "DIRECTORY":
		return "dirs"
	}
	return ""
}

const bashHelpers = `# Made by "zcopy completion bash" from the option tables of internal/cmdspec.

# _zcopy_arg OPTION PREFIX CUR: complete the argument CUR of OPTION, each
# reply after PREFIX ("--opt=" when bash did not split the word at "=").
_zcopy_arg() {
	local opt=$1 pre=$2 cur=$3 lp=
	case ${_zcopy_kind[$opt]} in
	values) ;;
	list)
		# A comma-separated list: complete its last word.
		if [[ $cur == *,* ]]; then lp=${cur%,*}, cur=${cur##*,}; fi
		compopt -o nospace 2>/dev/null ;;
	dirs)
		mapfile -t COMPREPLY < <(compgen -d -P "$pre" -- "$cur")
		return ;;
	*) COMPREPLY=(); return ;;
	esac
	mapfile -t COMPREPLY < <(compgen -P "$pre$lp" -W "${_zcopy_values[$opt]}" -- "$cur")
}

# _zcopy_complete CMD: complete the word at COMP_CWORD of a zcat, ztee or
# zcp command line.
_zcopy_complete() {
	local cmd=$1 cur=${COMP_WORDS[COMP_CWORD]} prev= i
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD-1]}
	COMPREPLY=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		# After "--", operands only: files.
		[[ ${COMP_WORDS[i]} == -- ]] && return
	done
	# bash splits "--opt=value" at "=" (COMP_WORDBREAKS), or does not.
	if [[ $cur == = && $prev == --* ]]; then
		_zcopy_arg "$cmd $prev" "" ""
		return
	fi
	if [[ $prev == = ]] && ((COMP_CWORD >= 2)) && [[ ${COMP_WORDS[COMP_CWORD-2]} == --* ]]; then
		_zcopy_arg "$cmd ${COMP_WORDS[COMP_CWORD-2]}" "" "$cur"
		return
	fi
	if [[ $cur == --*=* ]]; then
		_zcopy_arg "$cmd ${cur%%=*}" "${cur%%=*}=" "${cur#*=}"
		return
	fi
	# An option whose argument is the next word.
	if [[ -n $prev && -n ${_zcopy_next[$cmd $prev]} ]]; then
		_zcopy_arg "$cmd $prev" "" "$cur"
		return
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "${_zcopy_opts[$cmd]}" -- "$cur")
		# "--sparse=" waits for its argument.
		[[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
		return
	fi
	# Operands: files, from complete -o default.
}
`

// bashScript writes the tables as bash associative arrays and registers a
// function per command.
func bashScript(cmds []*Command, zcopy bool) string {
	var b strings.Builder
	b.WriteString(bashHelpers)
	b.WriteString("\ndeclare -gA _zcopy_opts _zcopy_kind _zcopy_values _zcopy_next\n")
	for _, c := range cmds {
		var words []string
		for i := range c.Options {
			o := &c.Options[i]
			if o.Short != 0 {
				words = append(words, "-"+string(o.Short))
			}
			if o.Long == "" {
				continue
			}
			long := "--" + o.Long
			if o.Arg == cli.RequiredArg {
				words = append(words, long+"=")
			} else {
				words = append(words, long)
			}
			kind := argAction(o)
			if kind == "values" && o.List {
				kind = "list"
			}
			if o.Arg != cli.NoArg {
				for _, form := range []string{long, "-" + string(o.Short)} {
					if form == "-\x00" {
						continue
					}
					key := c.Name + " " + form
					fmt.Fprintf(&b, "_zcopy_kind[%s]=%s\n", bashQuote(key), bashQuote(kind))
					if o.Values != nil {
						fmt.Fprintf(&b, "_zcopy_values[%s]=%s\n", bashQuote(key), bashQuote(strings.Join(o.Values, " ")))
					}
					// A required argument may be the next word; an
					// optional one only follows "=" (getopt_long).
					if o.Arg == cli.RequiredArg {
						fmt.Fprintf(&b, "_zcopy_next[%s]=1\n", bashQuote(key))
					}
				}
			}
		}
		fmt.Fprintf(&b, "_zcopy_opts[%s]=%s\n", c.Name, bashQuote(strings.Join(words, " ")))
		fn := "_zcopy_" + c.Name
		fmt.Fprintf(&b, "%s() { _zcopy_complete %s; }\ncomplete -o bashdefault -o default -F %s %s\n", fn, c.Name, fn, c.Name)
	}
	if zcopy {
		b.WriteString(`
# zcopy completes through urfave/cli: the words before the cursor, run
# with --generate-bash-completion, print what may come next. An empty
# answer (the operands of probe and doctor) falls back to files.
_zcopy_zcopy() {
	local cur=${COMP_WORDS[COMP_CWORD]} words
	if [[ $cur == -* ]]; then
		words=$("${COMP_WORDS[@]:0:COMP_CWORD}" "$cur" --generate-bash-completion 2>/dev/null)
	else
		words=$("${COMP_WORDS[@]:0:COMP_CWORD}" --generate-bash-completion 2>/dev/null)
	fi
	mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
}
complete -o bashdefault -o default -F _zcopy_zcopy zcopy
`)
	}
	return b.String()
}

// bashQuote quotes s for bash, in single quotes.
func bashQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// zshScript writes one _arguments call per command.
func zshScript(cmds []*Command, zcopy bool) string {
	var b strings.Builder
	names := make([]string, 0, len(cmds)+1)
	for _, c := range cmds {
		names = append(names, c.Name)
	}
	if zcopy {
		names = append(names, "zcopy")
	}
	fmt.Fprintf(&b, "#compdef %s\n# Made by \"zcopy completion zsh\" from the option tables of internal/cmdspec.\n", strings.Join(names, " "))
	for _, c := range cmds {
		fmt.Fprintf(&b, "\n_zcopy_%s() {\n\t_arguments -s -S \\\n", c.Name)
		for i := range c.Options {
			o := &c.Options[i]
			help := o.Help
			if help == "" {
				help = helpOfAlso(c, o.Short)
			}
			for _, spec := range zshSpecs(o, help) {
				fmt.Fprintf(&b, "\t\t%s \\\n", spec)
			}
		}
		fmt.Fprintf(&b, "\t\t'*:%s:_files'\n}\n", c.Operand)
	}
	if zcopy {
		b.WriteString(`
# zcopy completes through urfave/cli: the words before the cursor, run with
# --generate-bash-completion, print what may come next; files otherwise.
_zcopy_zcopy() {
	local -a next
	local cur=${words[CURRENT]}
	if [[ $cur == -* ]]; then
		next=(${(f)"$(${words[1,CURRENT-1]} $cur --generate-bash-completion 2>/dev/null)"})
	else
		next=(${(f)"$(${words[1,CURRENT-1]} --generate-bash-completion 2>/dev/null)"})
	fi
	if (( ${#next} )); then
		compadd -a next
	else
		_files
	fi
}
`)
	}
	b.WriteString("\ncase $service in\n")
	for _, n := range names {
		fmt.Fprintf(&b, "%s) _zcopy_%s \"$@\" ;;\n", n, n)
	}
	b.WriteString("esac\n")
	return b.String()
}

func helpOfAlso(c *Command, short byte) string {
	for _, o := range c.Options {
		if short != 0 && o.Also == short {
			return o.Help
		}
	}
	return ""
}

// zshSpecs renders an option as _arguments specs: one per form.
func zshSpecs(o *cli.Option, help string) []string {
	desc := "[" + zshEscape(help) + "]"
	var action string
	if o.Arg != cli.NoArg {
		name := o.ArgName
		switch argAction(o) {
		case "values":
			if o.List {
				action = ":" + name + ":_sequence compadd - " + strings.Join(o.Values, " ")
			} else {
				action = ":" + name + ":(" + strings.Join(o.Values, " ") + ")"
			}
		case "dirs":
			action = ":" + name + ":_files -/"
		default:
			action = ":" + name + ": "
		}
		if o.Arg == cli.OptionalArg {
			action = ":" + action
		}
	}
	var specs []string
	if o.Short != 0 {
		specs = append(specs, shq("-"+string(o.Short)+zshArgMark[o.Arg][0]+desc+action))
	}
	if o.Long != "" {
		specs = append(specs, shq("--"+o.Long+zshArgMark[o.Arg][1]+desc+action))
	}
	return specs
}

// zshArgMark is what follows a short and a long option's name in an
// _arguments spec: "-t+" and "--sparse=" take an argument in the same word
// or the next, "--preserve=-" only after "=".
var zshArgMark = [...][2]string{cli.NoArg: {"", ""}, cli.RequiredArg: {"+", "="}, cli.OptionalArg: {"-", "=-"}}

// zshEscape makes text safe inside the [...] of an _arguments spec.
func zshEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`, ":", `\:`).Replace(s)
}

// shq quotes s in single quotes, for zsh and fish alike.
func shq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// fishScript writes one complete line per option.
func fishScript(cmds []*Command, zcopy bool) string {
	var b strings.Builder
	b.WriteString("# Made by \"zcopy completion fish\" from the option tables of internal/cmdspec.\n")
	for _, c := range cmds {
		b.WriteString("\n")
		for i := range c.Options {
			o := &c.Options[i]
			help := o.Help
			if help == "" {
				help = helpOfAlso(c, o.Short)
			}
			line := "complete -c " + c.Name
			if o.Short != 0 {
				line += " -s " + string(o.Short)
			}
			if o.Long != "" {
				line += " -l " + o.Long
			}
			if o.Arg == cli.RequiredArg {
				line += " -r"
			}
			switch argAction(o) {
			case "values":
				if o.Arg == cli.RequiredArg {
					line += " -f"
				}
				line += " -a " + shq(strings.Join(o.Values, " "))
			case "dirs":
				line += " -f -a '(__fish_complete_directories)'"
			}
			line += " -d " + shq(help)
			b.WriteString(line + "\n")
		}
	}
	if zcopy {
		b.WriteString(`
# zcopy completes through urfave/cli: the words before the cursor, run with
# --generate-bash-completion, print what may come next; files otherwise.
function __zcopy_next
    set -l words (commandline -opc)
    command -q $words[1]; or return
    set -l cur (commandline -ct)
    if string match -q -- '-*' $cur
        $words $cur --generate-bash-completion 2>/dev/null
    else
        $words --generate-bash-completion 2>/dev/null
    end
end
complete -c zcopy -f -a '(__zcopy_next)'
complete -c zcopy -n '__fish_seen_subcommand_from probe doctor' -F
`)
	}
	return b.String()
}
