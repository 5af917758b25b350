package tree

import (
	"errors"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/cli"
)

// Operands are cp's operands and the options that say how to read them.
type Operands struct {
	Files        []string // SOURCE... [DEST]
	Target       string   // -t DIRECTORY
	NoTarget     bool     // -T: DEST is a file name, never a directory to copy into
	Parents      bool     // --parents
	StripSlashes bool     // --strip-trailing-slashes
}

// Run copies as cp's do_copy does: SOURCE to DEST, or each SOURCE into a
// directory. It returns a *cli.UsageError for a command line that cp
// answers with "Try 'cp --help'"; everything else it reports itself.
// Call Wait afterwards in every case.
func (c *Copier) Run(ops Operands) error {
	files := ops.Files
	target := ops.Target
	min := 1
	if target != "" {
		min = 0
	}
	if len(files) <= min {
		if len(files) == 0 {
			return &cli.UsageError{Msg: "missing file operand"}
		}
		return &cli.UsageError{Msg: "missing destination file operand after " + cli.Quote(files[0])}
	}
	known := dstUnknown
	switch {
	case ops.NoTarget:
		if target != "" {
			c.fatalf("cannot combine --target-directory (-t) and --no-target-directory (-T)")
			return nil
		}
		if len(files) > 2 {
			return &cli.UsageError{Msg: "extra operand " + cli.Quote(files[2])}
		}
	case target != "":
		if err := dirOperand(target); err != nil {
			c.fatalf("target directory %s: %s", cli.Quote(target), cli.Strerror(err))
			return nil
		}
	default:
		last := files[len(files)-1]
		err := dirOperand(last)
		if err == nil {
			target = last
			files = files[:len(files)-1]
		} else {
			if errors.Is(err, unix.ENOENT) {
				known = dstMaybe
			}
			if len(files) > 2 {
				c.fatalf("target %s: %s", cli.Quote(last), cli.Strerror(err))
				return nil
			}
		}
	}

	if target == "" {
		if ops.Parents {
			return &cli.UsageError{Msg: "with --parents, the destination must be a directory"}
		}
		src, dst := files[0], files[1]
		if c.opt.Force && c.opt.Backup != BackupNone && src == dst && known != dstMaybe {
			// cp -f --backup FILE FILE backs FILE up: it copies FILE
			// to the backup's name, as a copy without backups.
			if st, err := fstatat(dst, true); err == nil && isReg(st.Mode) {
				dst, _ = backupName(dst, c.opt.Backup, c.opt.BackupSuffix, false)
				c.opt.Backup = BackupNone
			}
		}
		c.copyOperand(src, dst, known)
		return nil
	}

	c.srcSeen = make(map[devIno][]string)
	c.dstSeen = make(map[string][]*devIno)
	c.dstPrefixes = make(map[string]bool)
	for _, arg := range files {
		if ops.StripSlashes {
			arg = stripTrailingSlashes(arg)
		}
		var dst string
		known := dstUnknown
		var made []madeDir
		if ops.Parents {
			var off int
			dst, off = joinName(target, stripTrailingSlashes(arg))
			var ok, newDst bool
			made, newDst, ok = c.makeParents(dst, off)
			if !ok {
				continue
			}
			if newDst {
				known = dstMissing
			}
		} else {
			base := lastComponent(arg)
			base = base[:baseLen(base)]
			if base == ".." {
				// cp -R src/.. dest copies into dest/., not dest/..
				base = "."
			}
			dst = join(target, base)
		}
		c.separate(dst)
		c.copyOperand(arg, dst, known)
		if len(made) > 0 {
			it := c.newItem()
			it.commit = func(it *item) { c.reProtect(it, made) }
			c.pool.add(it)
		}
	}
	return nil
}

// fatalf reports an error that ends cp at once (GNU's die).
func (c *Copier) fatalf(format string, a ...any) {
	it := c.newItem()
	it.errorf(format, a...)
	c.pool.add(it)
}

// dirOperand says whether name is a directory to copy into, as cp's
// target_directory_operand does by opening it: nil, or why not.
func dirOperand(name string) error {
	fd, err := openRetry(name, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	unix.Close(fd)
	return nil
}

// copyOperand copies one command-line operand.
func (c *Copier) copyOperand(src, dst string, known existence) {
	op := &operand{src: src, dst: dst}
	c.copyOne(src, dst, known, nil, nil, c.opt.Deref, true, op)
}

// separate waits for the work of earlier operands when dst is, contains
// or lies inside an earlier operand's destination: files there may still
// be in flight, and this operand must see them as cp would, finished.
func (c *Copier) separate(dst string) {
	clash := len(c.dstSeen[dst]) > 0 || c.dstPrefixes[dst]
	for d := dst; !clash; {
		p := dirName(d)
		if p == d || p == "." {
			break
		}
		clash = len(c.dstSeen[p]) > 0
		d = p
	}
	if clash {
		c.pool.wait()
	}
	for d := dst; ; {
		p := dirName(d)
		if p == d || p == "." {
			break
		}
		c.dstPrefixes[p] = true
		d = p
	}
}

// madeDir is a directory above an operand's destination that --parents
// created, or found already there while it created others (with -p),
// to get its source's attributes once the operand is copied.
type madeDir struct {
	src, dst    string
	st          unix.Stat_t // the source directory
	restoreMode bool
	mode        uint32 // the mode to restore
}

// makeParents creates the directories that --parents needs above dst,
// whose part from off on names the source (cp's
// make_dir_parents_private). It returns the directories whose attributes
// are to be set after the copy, whether dst's own directory is new, and
// false after reporting a failure.
//
// As in cp, nothing is done when dst's directory exists. Otherwise every
// directory on the way gets its source's attributes with -p, the ones
// that were there already too; and each source directory is looked at
// before its copy is made, so that a source that is not a directory
// leaves nothing behind.
func (c *Copier) makeParents(dst string, off int) ([]madeDir, bool, bool) {
	o := &c.opt
	var made []madeDir
	dir := dst[:dirLen(dst)]
	if st, err := fstatat(dir, true); err == nil && isDir(st.Mode) {
		return nil, false, true
	}
	preserve := o.PreserveOwnership || o.PreserveMode || o.PreserveTimestamps
	newDst := false
	for i := off; i <= len(dir); i++ {
		if i < len(dir) && dir[i] != '/' {
			continue
		}
		if i == off || dir[i-1] == '/' {
			continue // an empty component, or the root
		}
		dpath, spath := dir[:i], dir[off:i]
		st, err := fstatat(dpath, true)
		missing := err != nil
		var srcSt unix.Stat_t
		if missing || preserve {
			srcSt, err = fstatat(spath, true)
			if err == nil && !isDir(srcSt.Mode) {
				err = unix.ENOTDIR
			}
			if err != nil {
				it := c.newItem()
				it.errnof(err, "failed to get attributes of %s", cli.Quote(spath))
				c.pool.add(it)
				return made, false, false
			}
		}
		if !missing {
			if !isDir(st.Mode) {
				it := c.newItem()
				it.errorf("%s exists but is not a directory", cli.Quote(dpath))
				c.pool.add(it)
				return made, false, false
			}
			if preserve {
				made = append(made, madeDir{src: spath, dst: dpath, st: srcSt})
			}
			newDst = false
			continue
		}
		mode := srcSt.Mode
		if o.NoPreserveMode {
			mode = 0o777
		}
		omitted := srcSt.Mode & 0o022
		if o.PreserveOwnership {
			omitted = srcSt.Mode & 0o077
		}
		mode &= modeBits &^ omitted
		it := c.newItem()
		if err := unix.Mkdir(dpath, mode); err != nil {
			it.errnof(err, "cannot make directory %s", cli.Quote(dpath))
			c.pool.add(it)
			return made, false, false
		}
		if o.Verbose {
			it.printf("%s -> %s\n", spath, dpath)
		}
		md := madeDir{src: spath, dst: dpath, st: srcSt}
		st, err = fstatat(dpath, false)
		if err != nil {
			it.errnof(err, "failed to get attributes of %s", cli.Quote(dpath))
			c.pool.add(it)
			return made, false, false
		}
		md.mode = st.Mode | (omitted &^ c.umask)
		if st.Mode&0o700 != 0o700 || md.mode != st.Mode {
			md.restoreMode = true
			if st.Mode&0o700 != 0o700 {
				if err := unix.Fchmodat(unix.AT_FDCWD, dpath, (st.Mode|0o700)&modeBits, 0); err != nil {
					it.errnof(err, "setting permissions for %s", cli.Quote(dpath))
					c.pool.add(it)
					return made, false, false
				}
			}
		}
		c.pool.add(it)
		made = append(made, md)
		newDst = true
	}
	return made, newDst, true
}

// reProtect gives the directories --parents made their sources'
// attributes (cp's re_protect), the deepest first.
func (c *Copier) reProtect(it *item, made []madeDir) {
	o := &c.opt
	for i := len(made) - 1; i >= 0; i-- {
		d := &made[i]
		if o.PreserveTimestamps {
			ts := []unix.Timespec{d.st.Atim, d.st.Mtim}
			if err := unix.UtimesNanoAt(unix.AT_FDCWD, d.dst, ts, 0); err != nil {
				it.errnof(err, "failed to preserve times for %s", cli.Quote(d.dst))
				return
			}
		}
		if o.PreserveOwnership {
			if err := unix.Lchown(d.dst, int(d.st.Uid), int(d.st.Gid)); err != nil && !c.chownFailureOK(err) {
				it.errnof(err, "failed to preserve ownership for %s", cli.Quote(d.dst))
				return
			}
		}
		switch {
		case o.PreserveMode:
			c.copyACL(it, d.src, -1, d.dst, -1, d.st.Mode, true)
		case d.restoreMode:
			if err := unix.Fchmodat(unix.AT_FDCWD, d.dst, d.mode&modeBits, 0); err != nil {
				it.errnof(err, "failed to preserve permissions for %s", cli.Quote(d.dst))
				return
			}
		}
	}
}
