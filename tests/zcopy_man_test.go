package tests

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestZcopyManPage keeps zcopy(1) and zcopy's help texts in step: every
// command and option of `zcopy --help` and of each command's --help is in
// the page, and every option the page's OPTIONS section lists is in
// `zcopy --help`.
func TestZcopyManPage(t *testing.T) {
	mandoc := needTool(t, "mandoc")
	page, err := exec.Command(mandoc, "-Tascii", "-Owidth=200", "../man/zcopy.1").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := stripOverstrike(string(page))
	zcopy := bin(t, "zcopy")
	help, err := exec.Command(zcopy, "--help").Output()
	if err != nil {
		t.Fatal(err)
	}
	cmds := regexp.MustCompile(`(?m)^   ([a-z]+)  +`).FindAllStringSubmatch(string(help), -1)
	if len(cmds) != 3 {
		t.Fatalf("zcopy --help lists %d commands: %q", len(cmds), help)
	}
	helps := []string{string(help)}
	for _, c := range cmds {
		if !regexp.MustCompile(`(?m)^ {7}` + c[1] + `\b`).MatchString(text) {
			t.Errorf("zcopy(1) has no entry for the command %s", c[1])
		}
		h, err := exec.Command(zcopy, c[1], "--help").Output()
		if err != nil {
			t.Fatal(err)
		}
		helps = append(helps, string(h))
	}
	opt := regexp.MustCompile(`(?:^|\s)(--?[a-z][a-z-]*)`)
	inHelp := map[string]bool{}
	for _, h := range helps {
		for _, line := range strings.Split(h, "\n") {
			if !strings.HasPrefix(strings.TrimSpace(line), "-") {
				continue
			}
			for _, m := range opt.FindAllStringSubmatch(line, -1) {
				inHelp[m[1]] = true
				if !strings.Contains(text, m[1]) {
					t.Errorf("zcopy(1) does not mention %s", m[1])
				}
			}
		}
	}
	for _, form := range manOptionEntries(text) {
		if !inHelp[form] {
			t.Errorf("zcopy(1) documents %s, which zcopy --help does not list", form)
		}
	}
	if !inHelp["--json"] || !inHelp["--version"] {
		t.Errorf("the help texts no longer list --json and --version: %v", inHelp)
	}
}
