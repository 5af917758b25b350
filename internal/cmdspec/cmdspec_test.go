package cmdspec

import (
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/zcopy/zcopy/internal/copy"
)

var update = flag.Bool("update", false, "rewrite the generated OPTIONS sections of ../../man/*.1")

// TestManPagesCurrent checks that the OPTIONS section of each man page is
// the one its table makes; with -update ("make man") it rewrites them.
func TestManPagesCurrent(t *testing.T) {
	for _, c := range All() {
		path := "../../man/" + c.Name + ".1"
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		page := string(b)
		i := strings.Index(page, ManBegin+"\n")
		j := strings.Index(page, ManEnd+"\n")
		if i < 0 || j < i {
			t.Errorf("%s has no generated OPTIONS section (between %q and %q)", path, ManBegin, ManEnd)
			continue
		}
		got := page[i : j+len(ManEnd)+1]
		want := c.ManOptions()
		if got == want {
			continue
		}
		if *update {
			if err := os.WriteFile(path, []byte(page[:i]+want+page[j+len(ManEnd)+1:]), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s: the OPTIONS section is not what internal/cmdspec makes; run make man", path)
	}
}

// TestEveryOptionDocumented checks that --help names every option of the
// table, short and long, and that the help order puts --help and
// --version last.
func TestEveryOptionDocumented(t *testing.T) {
	for _, c := range All() {
		h := c.Help(c.Name)
		for _, o := range c.Options {
			if o.Short != 0 && !strings.Contains(h, "-"+string(o.Short)+",") && !strings.Contains(h, "  -"+string(o.Short)+" ") {
				t.Errorf("%s --help does not document -%c", c.Name, o.Short)
			}
			if o.Long != "" && !strings.Contains(h, "--"+o.Long) {
				t.Errorf("%s --help does not document --%s", c.Name, o.Long)
			}
			if o.Help == "" && !documentedWith(c, o.Short) {
				t.Errorf("%s: -%c has no help text and no entry names it in Also", c.Name, o.Short)
			}
		}
		es := c.Entries()
		if n := len(es); n < 2 || es[n-2].Opt.Long != "help" || es[n-1].Opt.Long != "version" {
			t.Errorf("%s --help does not end with --help and --version", c.Name)
		}
		if !strings.HasPrefix(h, "Usage: "+c.Name+" ") {
			t.Errorf("%s --help does not start with its Usage line: %.40q", c.Name, h)
		}
	}
}

func documentedWith(c *Command, short byte) bool {
	for _, o := range c.Options {
		if short != 0 && o.Also == short {
			return true
		}
	}
	return false
}

// TestHelpAligned checks that every description in --help starts in one
// column, and that no line is wider than 79 columns.
func TestHelpAligned(t *testing.T) {
	for _, c := range All() {
		col := -1
		for _, line := range strings.Split(c.Help(c.Name), "\n") {
			if len(line) > 79 {
				t.Errorf("%s --help: line wider than 79 columns: %q", c.Name, line)
			}
			if !strings.HasPrefix(line, "  -") && !strings.HasPrefix(line, "      --") {
				continue
			}
			// "  -x, --name   text": the description starts after two spaces
			// that follow the option column.
			lead := len(line) - len(strings.TrimLeft(line, " "))
			k := strings.Index(line[lead:], "  ")
			if k < 0 {
				continue // a wide option column: its text is on the next line
			}
			k += lead
			at := k + len(line[k:]) - len(strings.TrimLeft(line[k:], " "))
			if col < 0 {
				col = at
			} else if at != col {
				t.Errorf("%s --help: description at column %d, others at %d: %q", c.Name, at, col, line)
			}
		}
	}
}

// TestZteeMethodArgs: ztee's --method values are the engine's names, mmap
// left out, in the engine's order.
func TestZteeMethodArgs(t *testing.T) {
	var want []string
	for _, n := range copy.ForceNames {
		if n != "mmap" {
			want = append(want, n)
		}
	}
	if !slices.Equal(ZteeMethodArgs, want) {
		t.Errorf("ZteeMethodArgs = %q; want %q", ZteeMethodArgs, want)
	}
}
