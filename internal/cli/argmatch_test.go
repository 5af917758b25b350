package cli

import (
	"os/exec"
	"strings"
	"testing"
)

// backupArgs and backupVals are GNU's backup-control table: synonyms
// follow each other.
var (
	backupArgs = []string{"none", "off", "simple", "never", "existing", "nil", "numbered", "t"}
	backupVals = []int{0, 0, 1, 1, 2, 2, 3, 3}
)

func TestArgMatchValues(t *testing.T) {
	for in, want := range map[string]int{"none": 0, "of": 0, "s": 1, "ne": 1, "e": 2, "ni": 2, "nu": 3, "t": 3, "n": -1, "x": -1, "": -1} {
		got, err := ArgMatchValues("backup type", in, backupArgs, backupVals)
		if (err != nil) != (want < 0) || (want >= 0 && got != want) {
			t.Errorf("ArgMatchValues(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	// A prefix of two synonyms only is one value.
	got, err := ArgMatchValues("x", "a", []string{"auto", "automatic", "never"}, []int{7, 7, 8})
	if got != 7 || err != nil {
		t.Errorf("ArgMatchValues(a) among synonyms = %d, %v; want 7", got, err)
	}
}

// TestArgMatchValuesMatchesGNU: GNU cp's messages for a bad backup
// control, synonyms on one line, in both locales.
func TestArgMatchValuesMatchesGNU(t *testing.T) {
	for _, loc := range []string{"C", "C.UTF-8"} {
		for _, arg := range []string{"foo", "n"} {
			t.Run(loc+"/"+arg, func(t *testing.T) {
				t.Setenv("LC_ALL", loc)
				out, err := exec.Command("/usr/bin/cp", "--backup="+arg, "a", "b").CombinedOutput()
				if err == nil {
					t.Fatalf("cp accepted --backup=%s", arg)
				}
				want := strings.TrimPrefix(string(out), "/usr/bin/cp: ")
				want = want[:strings.Index(want, "\nTry")]
				_, e := ArgMatchValues("backup type", arg, backupArgs, backupVals)
				if got := e.Error(); got != want {
					t.Errorf("ArgMatchValues(%q) error = %q; want GNU's %q", arg, got, want)
				}
			})
		}
	}
}
