package main

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

const gnuCp = "/usr/bin/cp"

const (
	tZcpFile   = "zcp 1 GiB file, same fs: >= 1.0x GNU cp"
	tZcpBtrfs  = "zcp reflink 1 GiB on btrfs: constant, ms"
	tZcpXFS    = "zcp reflink 1 GiB on xfs: constant, ms"
	tZcpTree   = "zcp -r 10,000 small files >= 1.0x GNU cp -r"
	tZcpTreeA  = "zcp -a 10,000 small files >= 1.0x GNU cp -a"
	tZcpCPU    = "zcp -r/-a CPU <= GNU cp's"
	tZcpTreeMB = "zcp -r peak RSS bounded (large tree)"
)

// reflinkMax is the time under which a reflink copy of 1 GiB counts as
// "milliseconds": copying the data instead takes hundreds of them.
const reflinkMax = 50 * time.Millisecond

func (h *harness) zcp() {
	section("zcp: cp's rows")
	zcp, why := h.command("zcp")
	if zcp == "" {
		fmt.Println("  skipped: " + why)
		for _, t := range []string{tZcpFile, tZcpBtrfs, tZcpXFS, tZcpTree, tZcpTreeA, tZcpCPU, tZcpTreeMB} {
			h.skip(9, t, why)
		}
		return
	}
	// The file and the trees go on a fresh ext4 when possible: this
	// machine's root is an ext4 without a journal, shared with other work,
	// where creating files slows down for minutes after many are removed
	// (see copyTree) and where others' writeback made the time of one
	// 1 GiB copy vary sevenfold.
	dir, where := h.work, fsType(h.work)+" (the scratch directory)"
	// Room for the sparse 4 GiB file copied by a cp that writes its
	// holes out (busybox), and inodes for every tree copy that a row
	// keeps: five tools, up to 17 runs each, 10,000 files a copy.
	mnt, done, why := h.loopFS("ext4", 2*h.cfg.cpFile+(6<<30), "-F", "-N", "1200000",
		"-E", "lazy_itable_init=0,lazy_journal_init=0")
	if mnt != "" {
		defer done()
		dir, where = mnt, "a fresh ext4 with a journal, loop-mounted on tmpfs"
	} else {
		where += "; no fresh ext4: " + why
	}
	h.zcpFile(zcp, dir, where)
	h.zcpSparse(zcp, dir, where)
	h.reflink(zcp, "btrfs", tZcpBtrfs)
	h.reflink(zcp, "xfs", tZcpXFS)
	h.zcpTree(zcp, dir, where)
}

// copyFile copies src to dst with the tool, checks dst's size and removes
// it (untimed: its dirty pages are dropped instead of written back).
func copyFile(t tool, src, dst string, size int64) variant {
	return variant{t.name, func() (sample, error) {
		defer os.Remove(dst)
		c := newStage("tool", append(t.argv[:len(t.argv):len(t.argv)], src, dst)...)
		s, err := runStages([]*stage{c}, nil)
		if err != nil {
			return s, err
		}
		st, err := os.Stat(dst)
		if err != nil {
			return s, err
		}
		if st.Size() != size {
			return s, fmt.Errorf("wrong output: %s has %d bytes, want %d", dst, st.Size(), size)
		}
		return s, nil
	}}
}

func (h *harness) zcpFile(zcp, dir, where string) {
	n := h.cfg.cpFile
	src, dst := filepath.Join(dir, "cp.src"), filepath.Join(dir, "cp.dst")
	if err := sh(h.helper("mkdata"), "file", src, fmt.Sprint(n)); err != nil {
		h.fail(9, tZcpFile, err)
		return
	}
	unix.Sync()
	defer os.Remove(src)
	fmt.Printf("  one %s page-cached file, copied on the same filesystem: %s\n", fmtSize(n), where)
	ts := h.cpTools(zcp, true)
	runs, err := h.compare(n, ts, func(t tool) variant { return copyFile(t, src, dst, n) })
	if err != nil {
		h.fail(9, tZcpFile, err)
		return
	}
	r, ok := speedup(runs, ts, "GNU "+version(gnuCp))
	if ok {
		h.target(9, tZcpFile, fmtRatio(r)+sizeNote(n, 1<<30), higherIsBetter(r, 1))
	}
}

// zcpSparse copies a 4 GiB file that is mostly holes: 1 MiB of data at
// four places. Every cp keeps the holes (--sparse=auto); the row shows how
// long finding them takes, and the space the copy takes.
func (h *harness) zcpSparse(zcp, dir, where string) {
	const size = 4 << 30
	src, dst := filepath.Join(dir, "sparse.src"), filepath.Join(dir, "sparse.dst")
	f, err := os.Create(src)
	if err == nil {
		err = f.Truncate(size)
	}
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = byte(i*7 + 1)
	}
	for _, off := range []int64{0, 1 << 30, 3 << 30, size - 1<<20} {
		if err == nil {
			_, err = f.WriteAt(chunk, off)
		}
	}
	if f != nil {
		f.Close()
	}
	defer os.Remove(src)
	if err != nil {
		h.fail(9, "zcp sparse 4 GiB (no target)", err)
		return
	}
	unix.Sync()
	fmt.Printf("  a sparse 4 GiB file (4 MiB of data), copied on %s\n", where)
	var used []string
	ts := h.cpTools(zcp, false)
	timed := ts
	if i := peer(ts, "busybox"); i >= 0 {
		// busybox cp writes the holes out, 4 GiB of zeros a run: one
		// run below shows it, timing it would take most of the row.
		timed = append(append([]tool(nil), ts[:i]...), ts[i+1:]...)
		timed = append(timed, tool{name: "busybox", why: "writes the holes out (see the space below); not timed"})
	}
	_, err = h.compare(0, timed, func(t tool) variant { return copyFile(t, src, dst, size) })
	if err != nil {
		h.fail(9, "zcp sparse 4 GiB (no target)", err)
		return
	}
	// Space taken by each tool's copy, one more run each.
	for _, t := range ts {
		if t.why != "" {
			continue
		}
		c := newStage("tool", append(t.argv[:len(t.argv):len(t.argv)], src, dst)...)
		if _, err := runStages([]*stage{c}, nil); err != nil {
			continue
		}
		var st unix.Stat_t
		if unix.Stat(dst, &st) == nil {
			used = append(used, fmt.Sprintf("%s %s", t.name, fmtSize(st.Blocks*512)))
		}
		os.Remove(dst)
	}
	fmt.Printf("  space the copy takes: %s\n", strings.Join(used, ", "))
}

// reflink measures a reflink copy on a loop-mounted filesystem of type fs,
// made on a tmpfs so that nothing is written to disk.
func (h *harness) reflink(zcp, fsName, what string) {
	skip := func(why string) {
		fmt.Printf("  reflink on %s: skipped: %s\n", fsName, why)
		h.skip(4, what, why)
	}
	n := h.cfg.cpFile
	const small = 16 << 20
	var mkfsArgs []string
	if fsName == "xfs" {
		mkfsArgs = []string{"-m", "reflink=1"}
	}
	mnt, done, why := h.loopFS(fsName, 2*n+(512<<20), mkfsArgs...)
	if mnt == "" {
		skip(why)
		return
	}
	defer done()
	src, srcSmall, dst := filepath.Join(mnt, "src"), filepath.Join(mnt, "small"), filepath.Join(mnt, "dst")
	if err := sh(h.helper("mkdata"), "file", src, fmt.Sprint(n)); err != nil {
		skip(err.Error())
		return
	}
	if err := sh(h.helper("mkdata"), "file", srcSmall, fmt.Sprint(small)); err != nil {
		skip(err.Error())
		return
	}
	// Allocated now: a clone of a file with delayed allocation writes it
	// back first, which is not what is measured.
	unix.Sync()
	if err := sh(gnuCp, "--reflink=always", src, dst); err != nil {
		skip("the filesystem refuses reflinks: " + err.Error())
		return
	}
	os.Remove(dst)

	// Proof that zcp cloned: filefrag marks the extents "shared".
	shared := "no"
	if err := sh(zcp, src, dst); err != nil {
		h.fail(4, what, err)
		return
	}
	if _, err := exec.LookPath("filefrag"); err != nil {
		shared = "unknown (no filefrag)"
	} else if out, err := exec.Command("filefrag", "-v", dst).Output(); err == nil && strings.Contains(string(out), "shared") {
		shared = "yes"
	}
	os.Remove(dst)

	runs, err := measure(h.cfg.reps, h.cfg.budget,
		copyFile(tool{name: "zcp", argv: []string{zcp}}, src, dst, n), copyFile(tool{name: "cp", argv: []string{gnuCp}}, src, dst, n),
		copyFile(tool{name: "zcp small", argv: []string{zcp}}, srcSmall, dst, small))
	if err != nil {
		h.fail(4, what, err)
		return
	}
	fmt.Printf("  reflink on a loop-mounted %s (on tmpfs); extents shared after zcp: %s\n", fsName, shared)
	big, sm := statsOf(seconds(runs[0])), statsOf(seconds(runs[2]))
	table([][]string{
		timeRow("zcp SRC DST ("+fmtSize(n)+")", runs[0], 0),
		timeRow("cp SRC DST ("+fmtSize(n)+", reflink=auto)", runs[1], 0),
		timeRow("zcp SRC DST ("+fmtSize(small)+")", runs[2], 0),
		{fmt.Sprintf("zcp %s / %s", fmtSize(n), fmtSize(small)), fmt.Sprintf("%.2fx", big.med/sm.med), "(a data copy would be " + fmt.Sprint(n/small) + "x)"},
	})
	verdict := lowerIsBetter(big, reflinkMax.Seconds())
	if shared != "yes" {
		verdict = "NOT met (extents not shared: " + shared + ")"
	}
	h.target(4, what, fmt.Sprintf("%s [%s-%s], %.1fx the %s copy%s", fmtTime(big.med), fmtTime(big.lo), fmtTime(big.hi),
		big.med/sm.med, fmtSize(small), sizeNote(n, 1<<30)), verdict)
}

// loopFS makes a fresh filesystem of type fsName and the given size in an
// image on a tmpfs of its own (so that nothing goes to disk), loop-mounts
// it, and returns where, with the function that removes it all. Without
// root, or without mkfs.fsName, it returns "" and why.
func (h *harness) loopFS(fsName string, size int64, mkfsArgs ...string) (mnt string, done func(), why string) {
	if os.Geteuid() != 0 {
		return "", nil, "not root: the loop-mounted " + fsName + " needs root"
	}
	mkfs, err := exec.LookPath("mkfs." + fsName)
	if err != nil {
		return "", nil, "mkfs." + fsName + " is not installed"
	}
	ram := h.path("ram-" + fsName)
	img := filepath.Join(ram, "fs.img")
	mnt = h.path("mnt-" + fsName)
	for _, d := range []string{ram, mnt} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return "", nil, err.Error()
		}
	}
	if err := sh("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size+(512<<20)), "zcopy-bench", ram); err != nil {
		os.Remove(ram)
		os.Remove(mnt)
		return "", nil, err.Error()
	}
	unmountRAM := h.atExit(func() { unmount(ram) })
	f, err := os.Create(img)
	if err == nil {
		err = f.Truncate(size)
		f.Close()
	}
	if err == nil {
		err = sh(append(append([]string{mkfs, "-q"}, mkfsArgs...), img)...)
	}
	if err == nil {
		err = sh("mount", "-o", "loop", img, mnt)
	}
	if err != nil {
		unmountRAM()
		os.Remove(mnt)
		return "", nil, err.Error()
	}
	unmountMnt := h.atExit(func() { unmount(mnt) })
	return mnt, func() { unmountMnt(); unmountRAM() }, ""
}

// unmount unmounts dir, lazily if it is busy, and removes it.
func unmount(dir string) {
	if err := sh("umount", dir); err != nil {
		_ = sh("umount", "-l", dir)
	}
	os.RemoveAll(dir)
}

// treeSum counts the regular files under dir and their bytes.
func treeSum(dir string) (files int, bytes int64, err error) {
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			files++
			bytes += info.Size()
		}
		return nil
	})
	return files, bytes, err
}

// copyTree copies the tree src with the tool and opt (-r, -a) into a new
// directory named after dst each run, and checks the copy. The copies are
// kept until done is called: ext4 without a journal (this machine's root)
// scans past the inodes freed in the last minutes when it allocates one,
// and removing each copy made every later run several times slower.
func copyTree(t tool, opt, src, dst string, files int, bytes int64) (v variant, done func()) {
	var made []string
	done = func() {
		for _, d := range made {
			os.RemoveAll(d)
		}
		made = nil
	}
	return variant{t.name, func() (sample, error) {
		d := fmt.Sprintf("%s.%d", dst, len(made))
		made = append(made, d)
		c := newStage("tool", append(t.argv[:len(t.argv):len(t.argv)], opt, src, d)...)
		s, err := runStages([]*stage{c}, nil)
		if err != nil {
			return s, err
		}
		f, b, err := treeSum(d)
		if err != nil {
			return s, err
		}
		if f != files || b != bytes {
			return s, fmt.Errorf("wrong output: the copy has %d files, %d bytes; want %d, %d", f, b, files, bytes)
		}
		return s, nil
	}}, done
}

func (h *harness) zcpTree(zcp, dir, where string) {
	tree, dst := filepath.Join(dir, "tree"), filepath.Join(dir, "tree.copy")
	t := time.Now()
	if err := sh(h.helper("mkdata"), "tree", tree, fmt.Sprint(h.cfg.tree), "8192"); err != nil {
		h.fail(9, tZcpTree, err)
		return
	}
	unix.Sync()
	defer os.RemoveAll(tree)
	files, bytes, err := treeSum(tree)
	if err != nil {
		h.fail(9, tZcpTree, err)
		return
	}
	fmt.Printf("  a tree of %d files of 0-8 KiB (%s in all, 100 a directory; made in %s); copies kept until each row ends\n",
		files, fmtSize(bytes), time.Since(t).Round(time.Millisecond))
	fmt.Printf("  on %s\n", where)
	ts := h.cpTools(zcp, false)
	gnu := "GNU " + version(gnuCp)
	var cpu []string
	cpuOK := true
	for _, opt := range []string{"-r", "-a"} {
		what := tZcpTree
		if opt == "-a" {
			what = tZcpTreeA
		}
		if h.cfg.tree != 10000 {
			what = fmt.Sprintf("zcp %s %d small files >= 1.0x GNU cp %s", opt, h.cfg.tree, opt)
		}
		var dones []func()
		fmt.Printf("  TOOL %s TREE DST\n", opt)
		runs, err := h.compare(0, ts, func(t tool) variant {
			v, done := copyTree(t, opt, tree, fmt.Sprintf("%s%s-%d", dst, opt, len(dones)), files, bytes)
			dones = append(dones, done)
			return v
		})
		for _, d := range dones {
			d()
		}
		if err != nil {
			h.fail(9, what, err)
			cpuOK = false
			continue
		}
		r, ok := speedup(runs, ts, gnu)
		if !ok {
			continue
		}
		h.target(9, what, fmtRatio(r), higherIsBetter(r, 1))
		z, g := usageOf("tool", runs[0]).cpu, usageOf("tool", runs[peer(ts, gnu)]).cpu
		cpu = append(cpu, fmt.Sprintf("%s %s against %s (%.2fx)", opt, fmtTime(z.Seconds()), fmtTime(g.Seconds()), z.Seconds()/g.Seconds()))
		cpuOK = cpuOK && z <= g
	}
	if len(cpu) > 0 {
		verdict := "met"
		if !cpuOK {
			verdict = "NOT met"
		}
		h.target(9, tZcpCPU, strings.Join(cpu, "; ")+" (medians)", verdict)
	}

	h.treeRSS(zcp, dir)
}

// treeRSS compares the peak RSS of -r on two trees of empty files, one ten
// times as large as the other (empty so that they are quick to make): what
// grows with the tree shows as bytes per file, projected to a million.
func (h *harness) treeRSS(zcp, dir string) {
	counts := []int{h.cfg.bigTree / 10, h.cfg.bigTree}
	rss := map[string][]int64{}
	rows := [][]string{{"tree", "zcp -r", "cp -r"}}
	for _, n := range counts {
		tree, dst := filepath.Join(dir, fmt.Sprintf("tree%d", n)), filepath.Join(dir, fmt.Sprintf("tree%d.copy", n))
		if err := sh(h.helper("mkdata"), "tree", tree, fmt.Sprint(n), "0"); err != nil {
			h.fail(9, tZcpTreeMB, err)
			return
		}
		unix.Sync()
		ts := []tool{{name: "zcp", argv: []string{zcp}}, {name: "cp", argv: []string{gnuCp}}}
		for i, kib := range h.peakRSSKiB(ts, func(t tool) variant {
			v, done := copyTree(t, "-r", tree, dst, n, 0)
			run := v.run
			v.run = func() (sample, error) { defer done(); return run() }
			return v
		}) {
			if kib < 0 {
				os.RemoveAll(tree)
				h.fail(9, tZcpTreeMB, fmt.Errorf("%s -r: no peak RSS", ts[i].name))
				return
			}
			rss[ts[i].name] = append(rss[ts[i].name], kib)
		}
		os.RemoveAll(tree)
		rows = append(rows, []string{fmt.Sprintf("%d empty files", n), fmtKiB(rss["zcp"][len(rss["zcp"])-1]), fmtKiB(rss["cp"][len(rss["cp"])-1])})
	}
	perFile := func(v []int64) float64 { return float64(v[1]-v[0]) * 1024 / float64(counts[1]-counts[0]) }
	at1M := func(v []int64) int64 { return v[1] + int64(perFile(v)*float64(1000000-counts[1])/1024) }
	rows = append(rows,
		[]string{"growth per file", fmt.Sprintf("%.0f B", perFile(rss["zcp"])), fmt.Sprintf("%.0f B", perFile(rss["cp"]))},
		[]string{"projected to 1M files", fmtKiB(at1M(rss["zcp"])), fmtKiB(at1M(rss["cp"]))})
	fmt.Println("  peak RSS of -r (one run per tree)")
	table(rows)
	// Bounded: what a million files would add, at the growth measured, is
	// under 16 MiB; a Go heap's own jitter is a few MiB.
	verdict := "met"
	if at1M(rss["zcp"])-rss["zcp"][1] >= 16<<10 {
		verdict = "NOT met (grows with the tree)"
	}
	h.target(9, tZcpTreeMB, fmt.Sprintf("%s at %d files, %s at %d (%.0f B/file, ~%s at 1M)",
		fmtKiB(rss["zcp"][0]), counts[0], fmtKiB(rss["zcp"][1]), counts[1], perFile(rss["zcp"]), fmtKiB(at1M(rss["zcp"]))), verdict)
}
