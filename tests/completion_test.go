package tests

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// completionScript writes `zcopy completion SHELL ARGS...` to a file.
func completionScript(t *testing.T, shell string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin(t, "zcopy"), append([]string{"completion", shell}, args...)...).Output()
	if err != nil {
		t.Fatalf("zcopy completion %s: %v", shell, err)
	}
	p := filepath.Join(t.TempDir(), "completion."+shell)
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// bashComplete is a bash script that sources a completion script, finds
// the function that `complete -p CMD` names, and calls it as readline
// would for the words given, the last one being the word at the cursor;
// it prints one reply a line.
const bashComplete = `
source "$1"; shift
spec=$(complete -p "$1") || exit 3
fn=${spec##*-F }; fn=${fn%% *}
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
`

// TestBashCompletion loads `zcopy completion bash` in a real bash and
// completes as readline would: `zcp --pre<TAB>` gives --preserve, and the
// fixed argument lists, the short options and zcopy's own commands
// (through urfave/cli) complete too.
func TestBashCompletion(t *testing.T) {
	bash := needTool(t, "bash")
	script := completionScript(t, "bash")
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "subdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		words []string
		want  string // the replies, one a line
	}{
		{[]string{"zcp", "--pre"}, "--preserve"},
		{[]string{"zcp", "--refl"}, "--reflink"},
		{[]string{"zcp", "--reflink="}, "--reflink=auto\n--reflink=always\n--reflink=never"},
		// bash splits at "=" with the default COMP_WORDBREAKS.
		{[]string{"zcp", "--sparse", "=", "a"}, "auto\nalways"},
		{[]string{"zcp", "--sparse", "n"}, "never"},
		{[]string{"zcp", "--preserve=mode,t"}, "--preserve=mode,timestamps"},
		{[]string{"zcp", "-t", "su"}, "subdir"},
		{[]string{"zcp", "--no-t"}, "--no-target-directory"},
		{[]string{"zcp", "--targ"}, "--target-directory="},
		{[]string{"zcat", "--show-"}, "--show-nonprinting\n--show-ends\n--show-tabs\n--show-all"},
		{[]string{"zcat", "-"}, "-b\n--number-nonblank\n-n\n--number\n-s\n--squeeze-blank\n-v\n--show-nonprinting\n-E\n--show-ends\n-T\n--show-tabs\n-A\n--show-all\n--help\n--version\n--debug\n--method=\n-g\n--progress\n-e\n-t\n-u"},
		{[]string{"zcat", "--method=s"}, "--method=sendfile\n--method=splice"},
		{[]string{"ztee", "--method=m"}, ""},
		{[]string{"ztee", "--output-error=warn"}, "--output-error=warn\n--output-error=warn-nopipe"},
		{[]string{"ztee", "-", "--app"}, "--append"},
		{[]string{"zcp", "--", "--pre"}, ""},
		{[]string{"zcopy", ""}, "probe\ndoctor\ncompletion"},
		{[]string{"zcopy", "completion", ""}, "bash\nzsh\nfish"},
		{[]string{"zcopy", "completion", "z"}, "zsh"},
	}
	for _, tt := range tests {
		cmd := exec.Command(bash, append([]string{"--norc", "--noprofile", "-c", bashComplete, "bash", script}, tt.words...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("completing %q: %v", tt.words, err)
			continue
		}
		if got := strings.TrimSuffix(string(out), "\n"); got != tt.want {
			t.Errorf("completing %q = %q; want %q", strings.Join(tt.words, " "), got, tt.want)
		}
	}
}

// TestFishCompletion checks the fish script's syntax, and completes with
// fish's own `complete -C` where fish is installed.
func TestFishCompletion(t *testing.T) {
	fish := needTool(t, "fish")
	script := completionScript(t, "fish")
	if out, err := exec.Command(fish, "--no-config", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("fish -n: %v\n%s", err, out)
	}
	for _, tt := range []struct{ line, want string }{
		{"zcp --pre", "--preserve"},
		{"zcp --sparse=", "--sparse=always"},
		{"ztee --output-error=e", "--output-error=exit"},
		{"zcopy ", "doctor"},
	} {
		cmd := exec.Command(fish, "--no-config", "-c", "source $argv[1]; complete -C $argv[2]", script, tt.line)
		cmd.Env = append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
		cmd.Dir = t.TempDir()
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("fish complete -C %q: %v", tt.line, err)
			continue
		}
		found := false
		for _, l := range strings.Split(string(out), "\n") {
			if w, _, _ := strings.Cut(l, "\t"); w == tt.want {
				found = true
			}
		}
		if !found {
			t.Errorf("fish complete -C %q = %q; want %q among them", tt.line, out, tt.want)
		}
	}
}

// zshComplete drives an interactive zsh on a pseudo-terminal (zpty): it
// loads the completion system with the script's directory on $fpath,
// types $3 and TAB, and waits until the line reads $4 (exit 0 and FOUND),
// or is killed by the caller's timeout.
const zshComplete = `
zmodload zsh/zpty || exit 3
zpty z "PATH=$1:\$PATH TERM=dumb zsh -f -i"
zpty -w z "fpath=($2 \$fpath); autoload -U compinit; compinit -u -d $2/zcompdump; PROMPT='%% ready '"
zpty -r z out '*% ready *' || exit 4
zpty -w -n z "$3"$'\t'
zpty -r z out "*$4*" || exit 5
print -r -- FOUND
zpty -d z
`

// TestZshCompletion checks the zsh script's syntax (zsh -n), that it
// declares every command, and completes in an interactive zsh.
func TestZshCompletion(t *testing.T) {
	zsh := needTool(t, "zsh")
	script := completionScript(t, "zsh")
	if out, err := exec.Command(zsh, "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
	b, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(string(b), "\n"); first != "#compdef zcat ztee zcp zcopy" {
		t.Errorf("zsh script starts %q", first)
	}
	dir := filepath.Dir(script)
	if err := os.Rename(script, filepath.Join(dir, "_zcopy")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ typed, want string }{
		{"zcp --pre", "zcp --preserve"},
		{"zcp --sparse=n", "zcp --sparse=never"},
		{"ztee --output-error=exit-", "ztee --output-error=exit-nopipe"},
		{"zcat --show-t", "zcat --show-tabs"},
		{"zcopy doc", "zcopy doctor"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		out, err := exec.CommandContext(ctx, zsh, "-f", "-c", zshComplete, "zsh", binDir, dir, tt.typed, tt.want).Output()
		cancel()
		if err != nil || !strings.Contains(string(out), "FOUND") {
			t.Errorf("zsh: %q<TAB> did not become %q: %v", tt.typed, tt.want, err)
		}
	}
}

// TestInstallCompletions runs make install into a temporary DESTDIR: the
// completion files are where each shell looks, and are exactly what
// `zcopy completion` prints.
func TestInstallCompletions(t *testing.T) {
	needTool(t, "make")
	dest := t.TempDir()
	cmd := exec.Command("make", "-s", "-C", "..", "install", "DESTDIR="+dest, "PREFIX=/usr", "ZCAT_NAME=zcat")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
	zcopy := bin(t, "zcopy")
	want := func(args ...string) string {
		out, err := exec.Command(zcopy, append([]string{"completion"}, args...)...).Output()
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	files := map[string]string{
		"usr/share/zsh/site-functions/_zcopy": want("zsh", "zcat", "zcopy", "zcp", "ztee"),
	}
	for _, c := range []string{"zcat", "ztee", "zcp", "zcopy"} {
		files["usr/share/bash-completion/completions/"+c] = want("bash", c)
		files["usr/share/fish/vendor_completions.d/"+c+".fish"] = want("fish", c)
	}
	for p, w := range files {
		b, err := os.ReadFile(filepath.Join(dest, p))
		if err != nil {
			t.Errorf("make install: %v", err)
			continue
		}
		if string(b) != w {
			t.Errorf("make install: %s is not what zcopy completion prints", p)
		}
	}
	for _, p := range []string{"usr/bin/zcopy", "usr/share/man/man1/zcopy.1"} {
		if _, err := os.Stat(filepath.Join(dest, p)); err != nil {
			t.Errorf("make install: %v", err)
		}
	}
}
