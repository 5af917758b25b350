package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The Go runtime of linux/amd64 reserves address space at start-up, before
// main, whatever the program (runtime/mpagealloc_64bit.go, sysInit: one
// PROT_NONE reservation per level of the page summary, 128 KiB + 1 MiB +
// 8 MiB + 64 MiB + 512 MiB for a 48-bit heap; runtime/malloc.go: a 64 MiB
// arena and a 32 MiB arena index; mgcscavenge's scavenge index, another
// 512 MiB, is tried but not required). heapAddrBits is a constant of the
// port; no GODEBUG setting, build flag or linker flag changes it. ulimit -v
// counts reservations, so below about 720 MB every command dies with
// "failed to reserve page summary memory". (A GOARCH=386 build reserves a
// few MB and runs under ulimit -v 12000: README, Caveats.)
const (
	ulimitWorks = 800_000 // KiB: the lowest limit the README promises (720000 to 800000 works only mostly: the layout varies)
	ulimitFails = 600_000 // KiB: the runtime cannot reserve its page summary
)

// TestUlimitV pins the lowest virtual-memory limit the commands start
// under, and the runtime's failure below it: when a Go release reserves
// less, the second half fails and the README's Caveats must change.
func TestUlimitV(t *testing.T) {
	sh := needTool(t, "sh")
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.WriteFile(src, []byte("under a limit\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	runs := map[string]string{
		"zcat": `exec "$0" src < src`,
		"ztee": `exec "$0" teed < src`,
		"zcp":  `"$0" src copy && cat copy`,
	}
	for _, name := range []string{"zcat", "ztee", "zcp"} {
		prog := bin(t, name)
		for _, limit := range []int{ulimitWorks, ulimitFails} {
			script := "ulimit -v " + strconv.Itoa(limit) + " && " + runs[name]
			cmd := exec.Command(sh, "-c", script, prog)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if limit == ulimitWorks {
				if err != nil || string(out) != "under a limit\n" {
					t.Errorf("%s under ulimit -v %d: %v, output %q; want it to run", name, limit, err, head(out, 300))
				}
				continue
			}
			code, _ := exitStatus(t, err)
			if code != 2 || !strings.Contains(string(out), "failed to reserve page summary memory") {
				t.Errorf("%s under ulimit -v %d: exit %d, output %q; want the runtime's start-up failure (exit 2) that README's Caveats describe",
					name, limit, code, head(out, 300))
			}
		}
	}
}
