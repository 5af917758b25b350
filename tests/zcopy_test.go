package tests

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// probeJSON is what `zcopy probe --json` prints, as far as the tests look.
type probeJSON struct {
	Source      struct{ Describe string }   `json:"source"`
	Destination struct{ Describe string }   `json:"destination"`
	Plan        struct{ Methods []string }  `json:"plan"`
	Zcp         *struct{ Methods []string } `json:"zcp"`
}

// TestProbeAgreesWithDebug runs `zcopy probe - ` and `zcat --debug` (and
// `ztee --debug` where the source is a pipe) on the same kinds of
// descriptors, and compares what they say: the description of each end and
// the first method of the plan. probe must ask the planner that moves the
// bytes, not a copy of it.
func TestProbeAgreesWithDebug(t *testing.T) {
	zcopy, zcat, ztee := bin(t, "zcopy"), bin(t, "zcat"), bin(t, "ztee")
	pairs := []struct {
		src   srcKind
		dst   dstKind
		first string // what the planner puts first for the pair (DESIGN.md)
	}{
		{srcFile, dstPipe, "splice"},
		{srcFile, dstFile, "copy_file_range"},
		{srcFile, dstAppend, "read/write"},
		{srcPipe, dstPipe, "splice"},
		{srcFile, dstUnixSocket, "sendfile"},
		{srcFile, dstPty, "read/write"},
		{srcPipe, dstFile, "splice"},
		{srcPipe, dstAppend, "read/write"},
		{srcPipe, dstPty, "read/write"},
	}
	for _, p := range pairs {
		t.Run(p.src.Name+"-to-"+p.dst.Name, func(t *testing.T) {
			data := textData(4097)
			res := runKinds(t, []string{zcopy, "probe", "--json", "-"}, p.src.Open(t, data), p.dst.Open(t))
			if res.Code != 0 || res.OutErr != nil {
				t.Fatalf("zcopy probe: status %d, %v, stderr %q", res.Code, res.OutErr, res.Stderr)
			}
			var pr probeJSON
			if err := json.Unmarshal(res.Out, &pr); err != nil {
				t.Fatalf("zcopy probe --json printed %q: %v", res.Out, err)
			}
			if len(pr.Plan.Methods) == 0 || pr.Plan.Methods[0] != p.first {
				t.Errorf("zcopy probe: plan %v; want %s first", pr.Plan.Methods, p.first)
			}
			cmds := [][]string{{zcat, "--debug"}}
			if p.src.Name == "pipe" {
				cmds = append(cmds, []string{ztee, "--debug"})
			}
			for _, argv := range cmds {
				res := runKinds(t, argv, p.src.Open(t, data), p.dst.Open(t))
				debug, _ := splitDebug(res.Stderr)
				if res.Code != 0 || len(debug) != 1 {
					t.Fatalf("%s: status %d, stderr %q", argv[0], res.Code, res.Stderr)
				}
				// The first step, refused or not, is the plan's first method.
				d := parseDebug(t, debug[0])
				name := filepath.Base(argv[0])
				if d.src != pr.Source.Describe || d.dst != pr.Destination.Describe {
					t.Errorf("%s --debug: %s -> %s; zcopy probe: %s -> %s", name, d.src, d.dst, pr.Source.Describe, pr.Destination.Describe)
				}
				if len(d.steps) == 0 || d.steps[0].method != pr.Plan.Methods[0] {
					t.Errorf("%s --debug: %q; zcopy probe's plan: %v", name, d.line, pr.Plan.Methods)
				}
			}
		})
	}
}

// TestProbeZcp: for a file copied to a path, probe also gives zcp's plan,
// a clone first; zcp --debug shows that it tried the clone, then
// copy_file_range. Nothing is created at DEST.
func TestProbeZcp(t *testing.T) {
	zcopy, zcp := bin(t, "zcopy"), bin(t, "zcp")
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.WriteFile(src, textData(4097), 0o644); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "dst")
	out, err := exec.Command(zcopy, "probe", "--json", src, dst).Output()
	if err != nil {
		t.Fatalf("zcopy probe: %v", err)
	}
	if _, err := os.Lstat(dst); !os.IsNotExist(err) {
		t.Errorf("zcopy probe made %s: %v", dst, err)
	}
	var pr probeJSON
	if err := json.Unmarshal(out, &pr); err != nil {
		t.Fatal(err)
	}
	if pr.Zcp == nil || len(pr.Zcp.Methods) < 2 || pr.Zcp.Methods[0] != "reflink" || pr.Zcp.Methods[1] != "copy_file_range" {
		t.Fatalf("zcopy probe: zcp's plan %+v; want reflink, copy_file_range, ...", pr.Zcp)
	}
	if pr.Plan.Methods[0] != "copy_file_range" {
		t.Errorf("zcopy probe: zcat's plan %v; want copy_file_range first", pr.Plan.Methods)
	}
	dbg, err := exec.Command(zcp, "--debug", src, dst).Output()
	if err != nil {
		t.Fatalf("zcp --debug: %v", err)
	}
	// "copy offload: yes, reflink: unsupported, ..." (or reflink: yes,
	// copy offload: unknown after a clone): both were reached, in order.
	if !regexp.MustCompile(`copy offload: (yes|unsupported|unknown), reflink: (yes|unsupported)`).Match(dbg) {
		t.Errorf("zcp --debug: %q; want a clone tried, then copy_file_range", dbg)
	}
	if m := regexp.MustCompile(`reflink: yes`).Match(dbg); m && !strings.Contains(string(dbg), "copy offload: unknown") {
		t.Errorf("zcp --debug: %q: a clone that worked leaves copy_file_range unknown", dbg)
	}
}

// TestProbeText checks the text form on the cases the issue names: a file
// into a pipe names splice; into an O_APPEND file or a terminal, probe says
// why it uses read/write; a missing SOURCE is an error naming it.
func TestProbeText(t *testing.T) {
	zcopy := bin(t, "zcopy")
	data := textData(100)
	check := func(dk dstKind, want ...string) {
		t.Helper()
		res := runKinds(t, []string{zcopy, "probe", "-"}, srcFile.Open(t, data), dk.Open(t))
		if res.Code != 0 {
			t.Fatalf("zcopy probe to %s: status %d, stderr %q", dk.Name, res.Code, res.Stderr)
		}
		for _, w := range want {
			if !strings.Contains(string(res.Out), w) {
				t.Errorf("zcopy probe to %s: %q does not say %q", dk.Name, res.Out, w)
			}
		}
	}
	check(dstPipe, "plan (zcat, ztee): splice, then sendfile, then read/write")
	check(dstAppend, "plan (zcat, ztee): read/write", "O_APPEND destination: no zero-copy call writes to it")
	check(dstPty, "plan (zcat, ztee): read/write", "a terminal at one end")

	missing := filepath.Join(t.TempDir(), "missing")
	cmd := exec.Command(zcopy, "probe", missing)
	out, err := cmd.CombinedOutput()
	if code, _ := exitStatus(t, err); code != 1 || string(out) != "zcopy: "+missing+": No such file or directory\n" {
		t.Errorf("zcopy probe %s: status %d, %q", missing, code, out)
	}
}

// TestZcopyCommands: --help lists the commands, a bad command is a usage
// error, and urfave's completion protocol names the subcommands.
func TestZcopyCommands(t *testing.T) {
	zcopy := bin(t, "zcopy")
	help, err := exec.Command(zcopy, "--help").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"probe", "doctor", "completion"} {
		if !strings.Contains(string(help), c) {
			t.Errorf("zcopy --help does not list %s", c)
		}
	}
	words, err := exec.Command(zcopy, "--generate-bash-completion").Output()
	if err != nil || string(words) != "probe\ndoctor\ncompletion\n" {
		t.Errorf("zcopy --generate-bash-completion = %q, %v", words, err)
	}
	out, err := exec.Command(zcopy, "nosuch").CombinedOutput()
	if code, _ := exitStatus(t, err); code != 1 || !strings.Contains(string(out), "nosuch") {
		t.Errorf("zcopy nosuch: status %d, %q", code, out)
	}
}

// TestZcopyDoctor: one line for each check, each with a verdict.
func TestZcopyDoctor(t *testing.T) {
	zcopy := bin(t, "zcopy")
	dir := t.TempDir()
	cmd := exec.Command(zcopy, "doctor", dir)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("zcopy doctor: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	wants := []string{"kernel:", "pipe-max-size:", "copy_file_range across filesystems:", "reflink in .:", "reflink in " + dir + ":", "splice into a terminal:"}
	if len(lines) != len(wants) {
		t.Fatalf("zcopy doctor printed %d lines; want %d:\n%s", len(lines), len(wants), out)
	}
	for i, w := range wants {
		if !strings.HasPrefix(lines[i], w) || strings.Count(lines[i], ": ") < 2 {
			t.Errorf("zcopy doctor line %d = %q; want %q, a value and a verdict", i, lines[i], w)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) > 0 {
		t.Errorf("zcopy doctor left %v", left)
	}
}

// TestCommandsWithoutUrfave: zcat, ztee and zcp do not link urfave/cli
// (start-up, getopt exactness); zcopy does.
func TestCommandsWithoutUrfave(t *testing.T) {
	for _, name := range []string{"zcat", "ztee", "zcp", "zcopy"} {
		out, err := exec.Command("go", "version", "-m", bin(t, name)).Output()
		if err != nil {
			t.Fatalf("go version -m %s: %v", name, err)
		}
		links := strings.Contains(string(out), "github.com/urfave/cli")
		if !strings.Contains(string(out), "github.com/zcopy/zcopy") {
			t.Fatalf("go version -m %s does not list the module: %q", name, out)
		}
		if links != (name == "zcopy") {
			t.Errorf("%s links urfave/cli: %v", name, links)
		}
	}
}
