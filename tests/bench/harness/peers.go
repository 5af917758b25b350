package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// tool is one command measured in a comparison: zcopy's, or a peer a user
// would pick instead.
type tool struct {
	name string   // as the tables show it: "zcat", "GNU 9.1", "uutils 0.12"
	argv []string // the command; a row appends its operands
	why  string   // when not empty: not measured, and why
}

// peersRoot is where ../shared/peers.sh unpacks GNU coreutils 9.10 and
// uutils coreutils from Debian's next release, without installing them
// (README, Performance). PEERS_ROOT overrides it.
func peersRoot() string {
	if r := os.Getenv("PEERS_ROOT"); r != "" {
		return r
	}
	return "/tmp/peers/root"
}

const getPeers = "unpack them with ../shared/peers.sh (README, Performance)"

// coreutils returns the peers that ship cmd: GNU coreutils 9.1 (this
// system's), GNU 9.10 and uutils (unpacked by peers.sh; uutils runs with
// the libc it was built for, through its own loader), and busybox.
func coreutils(cmd string) []tool {
	root := peersRoot()
	lib := filepath.Join(root, "usr/lib/x86_64-linux-gnu")
	ts := []tool{{name: "GNU " + version("/usr/bin/"+cmd), argv: []string{"/usr/bin/" + cmd}}}
	g10 := filepath.Join(root, "usr/bin", cmd)
	if executable(g10) {
		ts = append(ts, tool{name: "GNU " + version(g10), argv: []string{g10}})
	} else {
		ts = append(ts, tool{name: "GNU 9.10", why: "not found in " + root + ": " + getPeers})
	}
	uu := []string{filepath.Join(lib, "ld-linux-x86-64.so.2"), "--library-path", lib, filepath.Join(root, "usr/bin/coreutils"), cmd}
	if executable(uu[0]) && executable(uu[3]) {
		ts = append(ts, tool{name: "uutils " + version(uu...), argv: uu})
	} else {
		ts = append(ts, tool{name: "uutils", why: "not found in " + root + ": " + getPeers})
	}
	if bb, err := exec.LookPath("busybox"); err == nil {
		ts = append(ts, tool{name: "busybox", argv: []string{bb, cmd}})
	} else {
		ts = append(ts, tool{name: "busybox", why: "not installed (apt-get install busybox)"})
	}
	return ts
}

// version is the last word of the first line that argv --version prints:
// "cat (GNU coreutils) 9.1" gives 9.1.
func version(argv ...string) string {
	out, err := exec.Command(argv[0], append(argv[1:len(argv):len(argv)], "--version")...).Output()
	if err != nil {
		return "?"
	}
	l, _, _ := strings.Cut(string(out), "\n")
	f := strings.Fields(l)
	if len(f) == 0 {
		return "?"
	}
	return f[len(f)-1]
}

func executable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}

// catTools: zcat, the coreutils peers, pv (which splices when it can) and
// plain Go io.Copy, the library baseline.
func (h *harness) catTools(zcat string) []tool {
	ts := append([]tool{{name: "zcat", argv: []string{zcat}}}, coreutils("cat")...)
	if pv, err := exec.LookPath("pv"); err == nil {
		ts = append(ts, tool{name: "pv", argv: []string{pv, "-q"}})
	} else {
		ts = append(ts, tool{name: "pv", why: "not installed (apt-get install pv)"})
	}
	return append(ts, tool{name: "Go io.Copy", argv: []string{h.helper("iocopy")}})
}

func (h *harness) teeTools(ztee string) []tool {
	ts := append([]tool{{name: "ztee", argv: []string{ztee}}}, coreutils("tee")...)
	return append(ts, tool{name: "Go io.Copy", argv: []string{h.helper("iocopy"), "-tee"}})
}

func (h *harness) cpTools(zcp string, goToo bool) []tool {
	ts := append([]tool{{name: "zcp", argv: []string{zcp}}}, coreutils("cp")...)
	if goToo {
		ts = append(ts, tool{name: "Go io.Copy", argv: []string{h.helper("iocopy"), "-cp"}})
	}
	return ts
}

// peer returns the tool of ts named like prefix, or nil.
func peer(ts []tool, prefix string) int {
	for i, t := range ts {
		if strings.HasPrefix(t.name, prefix) && t.why == "" {
			return i
		}
	}
	return -1
}
