package tree

import (
	"errors"
	"math/rand/v2"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/cli"
)

// devIno is a file's identity.
type devIno struct{ dev, ino uint64 }

func idOf(st *unix.Stat_t) devIno { return devIno{uint64(st.Dev), st.Ino} }

// dirList is the chain of source directories above the current one, to
// catch a symbolic link that leads back to an ancestor.
type dirList struct {
	parent *dirList
	id     devIno
}

func (d *dirList) has(id devIno) bool {
	for ; d != nil; d = d.parent {
		if d.id == id {
			return true
		}
	}
	return false
}

// operand is the state of the walk of one command-line operand.
type operand struct {
	src, dst string // as given, for "into itself" messages
	firstDir bool   // the first directory for this operand was created
}

// existence says what is known of a destination before it is looked at.
type existence int8

const (
	dstUnknown existence = 0  // look
	dstMissing existence = 1  // it does not exist (its directory was just made)
	dstMaybe   existence = -1 // it does not exist, except maybe as a dangling link
)

func fstatat(name string, follow bool) (unix.Stat_t, error) {
	var st unix.Stat_t
	flags := 0
	if !follow {
		flags = unix.AT_SYMLINK_NOFOLLOW
	}
	err := unix.Fstatat(unix.AT_FDCWD, name, &st, flags)
	return st, err
}

const (
	modeBits = 0o7777 // CHMOD_MODE_BITS
	permBits = 0o777  // S_IRWXUGO
)

func isDir(m uint32) bool  { return m&unix.S_IFMT == unix.S_IFDIR }
func isReg(m uint32) bool  { return m&unix.S_IFMT == unix.S_IFREG }
func isLink(m uint32) bool { return m&unix.S_IFMT == unix.S_IFLNK }

// copyOne copies src to dst, cp's copy_internal. It returns true when src
// turned out to be a directory being copied into itself, which stops the
// walk of every directory above it in this operand.
func (c *Copier) copyOne(src, dst string, known existence, parent *unix.Stat_t,
	ancestors *dirList, deref Deref, cmdline bool, op *operand) (intoSelf bool) {
	o := &c.opt
	it := c.newItem()
	defer func() {
		if it != nil {
			c.pool.add(it)
		}
	}()

	follow := deref == DerefAlways || (deref == DerefCmdline && cmdline)
	srcSt, err := fstatat(src, follow)
	if err != nil {
		it.errnof(err, "cannot stat %s", cli.Quote(src))
		return false
	}
	srcMode := srcSt.Mode
	if isDir(srcMode) && !o.Recursive {
		it.errorf("-r not specified; omitting directory %s", cli.Quote(src))
		return false
	}

	if cmdline && c.srcSeen != nil {
		// The same file under the same name ("a", "./a"), as cp's
		// src_info compares: a link to it is another source.
		id := idOf(&srcSt)
		if !isDir(srcMode) && o.Backup == BackupNone {
			for _, name := range c.srcSeen[id] {
				if sameName(name, src) {
					it.warnf("warning: source file %s specified more than once", cli.Quote(src))
					return false
				}
			}
		}
		c.srcSeen[id] = append(c.srcSeen[id], src)
	}

	newDst := known == dstMissing
	backup := "" // what the destination was renamed to
	var dstSt unix.Stat_t
	haveDstLstat := false
	dstExists := false
	if known != dstMissing {
		// A regular file is written through a symbolic link at the
		// destination, and so is the data of a FIFO or device copied
		// as a regular file; anything else replaces the link, and so
		// does a backup, which renames it.
		useLstat := (!isReg(srcMode) && (!c.asRegular || isDir(srcMode) || isLink(srcMode))) ||
			o.SymbolicLink || o.HardLink || o.RemoveDestination || o.Backup != BackupNone
		if !useLstat && known == dstMaybe {
			newDst = true
		} else if dstSt, err = fstatat(dst, !useLstat); err == nil {
			haveDstLstat = useLstat
			dstExists = true
		} else if errors.Is(err, unix.ELOOP) && o.Force {
			// Removed and replaced when it cannot be opened.
		} else if !errors.Is(err, unix.ENOENT) {
			it.errnof(err, "cannot stat %s", cli.Quote(dst))
			return false
		} else {
			newDst = true
		}
	}

	if dstExists {
		done := false
		if o.Interactive != NoClobber {
			var ok bool
			if ok, done = c.sameFileOK(src, &srcSt, dst, &dstSt, deref); !ok {
				it.errorf("%s and %s are the same file", cli.Quote(src), cli.Quote(dst))
				return false
			}
		}
		if o.Update && !isDir(srcMode) && !newer(&srcSt, &dstSt) {
			// Not copied, but a later link to the same source still
			// links to this destination.
			if o.PreserveLinks && !o.HardLink && srcSt.Nlink > 1 {
				if earlier, ok := c.copied[idOf(&srcSt)]; ok {
					c.hardLink(it, earlier, dst, follow, "")
					return false
				}
				c.copied[idOf(&srcSt)] = dst
			}
			return false
		}
		if !isDir(srcMode) && (o.Interactive == NoClobber || (o.Interactive == Ask && !c.overwriteOK(dst, &dstSt))) {
			return false
		}
		if done {
			return false
		}
		if !isDir(dstSt.Mode) {
			if isDir(srcMode) {
				it.errorf("cannot overwrite non-directory %s with directory %s", cli.Quote(dst), cli.Quote(src))
				return false
			}
			// Numbered backups keep every version: nothing is lost.
			if cmdline && o.Backup != BackupNumbered && c.justCreated(dst, &dstSt) {
				it.errorf("will not overwrite just-created %s with %s", cli.Quote(dst), cli.Quote(src))
				return false
			}
		}
		if !isDir(srcMode) && isDir(dstSt.Mode) {
			it.errorf("cannot overwrite directory %s with non-directory", cli.Quote(dst))
			return false
		}
		srcBase := lastComponent(src)
		if o.Backup != BackupNone && !isDir(dstSt.Mode) && !dotOrDotDot(srcBase) {
			// A directory being merged into is never backed up.
			//
			// The backup's name may be one that earlier work still
			// in flight creates (a source "f~" or "f.~1~" before "f",
			// an operand a~ before a): cp, one file at a time, has
			// made those files by now, counts them and renames over
			// them. So does zcp, once they are done.
			c.pool.wait()
			if o.Backup != BackupNumbered && sourceIsBackup(srcBase, &srcSt, dst, o.BackupSuffix) {
				it.errorf("backing up %s might destroy source;  %s not copied", cli.Quote(dst), cli.Quote(src))
				return false
			}
			name, err := backupName(dst, o.Backup, o.BackupSuffix, true)
			if err != nil && !errors.Is(err, unix.ENOENT) {
				it.errnof(err, "cannot backup %s", cli.Quote(dst))
				return false
			}
			backup = name
			newDst = true
		} else if !isDir(dstSt.Mode) && (o.RemoveDestination || (!o.AttributesOnly &&
			((o.PreserveLinks && dstSt.Nlink > 1) || (deref == DerefNever && !isReg(srcSt.Mode))))) {
			if err := unix.Unlink(dst); err != nil && !errors.Is(err, unix.ENOENT) {
				it.errnof(err, "cannot remove %s", cli.Quote(dst))
				return false
			}
			newDst = true
			if o.Verbose {
				it.printf("removed %s\n", cli.Quote(dst))
			}
		}
	}

	// Never copy through a symbolic link this run has just made (a
	// backup has renamed it out of the way).
	if cmdline && o.Backup == BackupNone && len(c.dstSeen[dst]) > 0 {
		lst := dstSt
		ok := haveDstLstat
		if !ok {
			lst, err = fstatat(dst, false)
			ok = err == nil
		}
		if ok && isLink(lst.Mode) && c.justCreated(dst, &lst) {
			it.errorf("will not copy %s through just-created symlink %s", cli.Quote(src), cli.Quote(dst))
			return false
		}
	}

	if o.Verbose && !isDir(srcMode) {
		if backup != "" {
			it.printf("%s -> %s (backup: %s)\n", cli.Quote(src), cli.Quote(dst), cli.Quote(backup))
		} else {
			it.printf("%s -> %s\n", cli.Quote(src), cli.Quote(dst))
		}
	}

	// Hard links in the source become hard links in the copy; and a
	// source directory met twice is an operand repeated, or the copy
	// itself met inside the source.
	earlier, haveEarlier := "", false
	id := idOf(&srcSt)
	switch {
	case o.Recursive && isDir(srcMode):
		earlier, haveEarlier = c.copied[id]
		if cmdline && !haveEarlier {
			c.copied[id] = dst
		}
	case o.PreserveLinks && !o.HardLink && (srcSt.Nlink > 1 ||
		(cmdline && deref == DerefCmdline) || deref == DerefAlways):
		earlier, haveEarlier = c.copied[id]
		if !haveEarlier {
			c.copied[id] = dst
		}
	}
	if haveEarlier {
		if !isDir(srcMode) {
			c.hardLink(it, earlier, dst, follow, backup)
			return false
		}
		switch {
		case sameName(src, earlier):
			it.errorf("cannot copy a directory, %s, into itself, %s", cli.Quote(op.src), cli.Quote(op.dst))
			return true
		case sameName(dst, earlier):
			it.warnf("warning: source directory %s specified more than once", cli.Quote(op.src))
			return false
		case deref == DerefAlways || (cmdline && deref == DerefCmdline):
			// The same directory reached again through links: copy it again.
		default:
			it.errorf("will not create hard link %s to directory %s", cli.Quote(dst), cli.Quote(earlier))
			return false
		}
	}

	// Permissions that others must not have while the file is not ready:
	// group and other ones when the owner will change, write permission
	// for a directory (whose special bits mkdir may change).
	dstModeBits := srcMode & modeBits
	var omitted uint32
	switch {
	case o.PreserveOwnership:
		omitted = dstModeBits & 0o077
	case isDir(srcMode):
		omitted = dstModeBits & 0o022
	}

	fail := func() bool {
		if !haveEarlier {
			if d, ok := c.copied[id]; ok && d == dst {
				delete(c.copied, id)
			}
		}
		c.unBackup(it, backup, dst)
		return false
	}

	var m meta
	m.src, m.dst, m.srcSt, m.newDst = src, dst, srcSt, newDst
	m.omitted = omitted
	if dstExists {
		m.dstSt = dstSt
	}
	switch {
	case isDir(srcMode):
		if ancestors.has(id) {
			it.errorf("cannot copy cyclic symbolic link %s", cli.Quote(src))
			return fail()
		}
		dir := &dirList{parent: ancestors, id: id}
		if newDst || !isDir(dstSt.Mode) {
			if err := unix.Mkdir(dst, dstModeBits&^omitted); err != nil {
				it.errnof(err, "cannot create directory %s", cli.Quote(dst))
				return fail()
			}
			st, err := fstatat(dst, false)
			if err != nil {
				it.errnof(err, "cannot stat %s", cli.Quote(dst))
				return fail()
			}
			m.dstSt = st
			if st.Mode&0o700 != 0o700 {
				// The copy needs to search and write its new directory.
				m.restoreMode = true
				if err := unix.Fchmodat(unix.AT_FDCWD, dst, (st.Mode|0o700)&modeBits, 0); err != nil {
					it.errnof(err, "setting permissions for %s", cli.Quote(dst))
					return fail()
				}
			}
			if !op.firstDir {
				c.copied[idOf(&st)] = dst
				op.firstDir = true
			}
			if o.Verbose {
				it.printf("%s -> %s\n", cli.Quote(src), cli.Quote(dst))
			}
		} else {
			m.omitted = 0
		}
		// A directory is an operand's destination too: a later
		// operand copied into the same one waits for this one's
		// files (separate), as cp copies one operand after another.
		c.recordDst(cmdline, dst)
		c.pool.add(it)
		it = nil
		if !(o.OneFileSystem && parent != nil && uint64(parent.Dev) != uint64(srcSt.Dev)) {
			childDeref := deref
			if deref == DerefCmdline {
				childDeref = DerefNever
			}
			intoSelf = c.copyDir(src, dst, newDst, &srcSt, dir, childDeref, op)
		}
		// The directory's attributes, after its contents.
		fin := c.newItem()
		fin.commit = func(it *item) { c.finish(it, &m) }
		c.pool.add(fin)
		return intoSelf

	case o.SymbolicLink:
		if len(src) > 0 && src[0] != '/' && !inCurrentDir(dst) {
			it.errorf("%s: can make relative symbolic links only in current directory", cli.QuoteIfNeeded(dst))
			return fail()
		}
		if err := forceSymlink(src, dst, o.Force); err != nil {
			it.errnof(err, "cannot create symbolic link %s to %s", cli.Quote(dst), cli.Quote(src))
			return fail()
		}
		m.isLink = true

	case o.HardLink:
		if _, err := forceLink(src, dst, o.Force || o.Interactive == Ask, follow); err != nil {
			it.errnof(err, "cannot create hard link %s to %s", cli.Quote(dst), cli.Quote(src))
			return fail()
		}
		c.recordDst(cmdline, dst)
		return false

	case isReg(srcMode) || (c.asRegular && !isLink(srcMode)):
		// A FIFO, a device or a socket too, without -R or with
		// --copy-contents: its data goes into a regular file.
		it.file = true
		id := c.dstSlot(cmdline, dst)
		mode := dstModeBits & permBits
		noFollow := deref == DerefNever
		work := func(it *item) {
			c.copyReg(it, &m, mode, noFollow)
			if it.failed {
				c.unBackup(it, backup, dst)
			} else if id != nil {
				c.identify(id, dst)
			}
		}
		if !isReg(srcMode) {
			// Opening a FIFO waits for a writer, and a FIFO or a
			// device gives data for as long as its other end
			// likes: finish and print what comes before, as cp
			// would have, then copy it here in the walk, where no
			// later file waits behind it on a worker.
			c.pool.wait()
			work(it)
			c.pool.add(it)
		} else {
			c.pool.run(it, srcSt.Size, work)
		}
		it = nil
		return false

	case srcMode&unix.S_IFMT == unix.S_IFIFO:
		if err := unix.Mknod(dst, srcMode&^omitted, 0); err != nil {
			if err := unix.Mkfifo(dst, (srcMode&^omitted)&modeBits); err != nil {
				it.errnof(err, "cannot create fifo %s", cli.Quote(dst))
				return fail()
			}
		}

	case srcMode&unix.S_IFMT == unix.S_IFBLK, srcMode&unix.S_IFMT == unix.S_IFCHR,
		srcMode&unix.S_IFMT == unix.S_IFSOCK:
		if err := unix.Mknod(dst, srcMode&^omitted, int(srcSt.Rdev)); err != nil {
			it.errnof(err, "cannot create special file %s", cli.Quote(dst))
			return fail()
		}

	case isLink(srcMode):
		target, err := readlink(src, srcSt.Size)
		if err != nil {
			it.errnof(err, "cannot read symbolic link %s", cli.Quote(src))
			return fail()
		}
		m.isLink = true
		err = forceSymlink(target, dst, o.Force)
		if err != nil && o.Update && !newDst && dstExists && isLink(dstSt.Mode) && dstSt.Size == int64(len(target)) {
			// Already the link wanted.
			if t, rerr := readlink(dst, dstSt.Size); rerr == nil && t == target {
				err = nil
			}
		}
		if err != nil {
			it.errnof(err, "cannot create symbolic link %s", cli.Quote(dst))
			return fail()
		}
		if o.PreserveOwnership {
			if err := unix.Lchown(dst, int(srcSt.Uid), int(srcSt.Gid)); err != nil && !c.chownFailureOK(err) {
				// cp names the link unquoted here.
				it.errnof(err, "failed to preserve ownership for %s", dst)
				if o.RequirePreserve {
					c.unBackup(it, backup, dst)
					return false
				}
			}
		}

	default:
		it.errorf("%s has unknown file type", cli.Quote(src))
		return fail()
	}

	c.recordDst(cmdline, dst)
	c.finish(it, &m)
	return false
}

// recordDst remembers the file just made at an operand's destination
// (cp's dest_info).
func (c *Copier) recordDst(cmdline bool, dst string) {
	if id := c.dstSlot(cmdline, dst); id != nil {
		c.identify(id, dst)
	}
}

// dstSlot records an operand's destination and returns where the
// identity of the file made there goes, or nil when dst is not an
// operand's destination in a copy into a directory.
func (c *Copier) dstSlot(cmdline bool, dst string) *devIno {
	if !cmdline || c.dstSeen == nil {
		return nil
	}
	id := new(devIno)
	c.dstSeen[dst] = append(c.dstSeen[dst], id)
	return id
}

// identify stores in id the identity of dst itself (a symbolic link, not
// what it points to), as cp records it; id stays zero if dst is gone.
func (c *Copier) identify(id *devIno, dst string) {
	if st, err := fstatat(dst, false); err == nil {
		*id = idOf(&st)
	}
}

// justCreated is cp's seen_file on dest_info: whether st, found at the
// operand's destination dst, is a file this run made under that name.
func (c *Copier) justCreated(dst string, st *unix.Stat_t) bool {
	for _, id := range c.dstSeen[dst] {
		if *id != (devIno{}) && *id == idOf(st) {
			return true
		}
	}
	return false
}

// newer reports whether a's modification time is later than b's (-u).
func newer(a, b *unix.Stat_t) bool {
	if a.Mtim.Sec != b.Mtim.Sec {
		return a.Mtim.Sec > b.Mtim.Sec
	}
	return a.Mtim.Nsec > b.Mtim.Nsec
}

// copyDir copies the entries of the directory src into dst, in cp's
// order. It returns true when the walk met the copy inside the source.
func (c *Copier) copyDir(src, dst string, newDst bool, srcSt *unix.Stat_t,
	ancestors *dirList, deref Deref, op *operand) bool {
	names, err := readDirNames(src, uint64(srcSt.Dev), &c.magics)
	if err != nil {
		it := c.newItem()
		it.errnof(err, "cannot access %s", cli.Quote(src))
		c.pool.add(it)
		return false
	}
	known := dstUnknown
	if newDst {
		known = dstMissing
	}
	for _, name := range names {
		if c.copyOne(join(src, name), join(dst, name), known, srcSt, ancestors, deref, false, op) {
			return true
		}
	}
	return false
}

// sameName is gnulib's same_name: a and b are the same directory entry
// (same last component, in the same directory). The directories are
// lstat'ed, as gnulib does: "l/f", l a link to ".", is not "f".
func sameName(a, b string) bool {
	ab, bb := lastComponent(a), lastComponent(b)
	if ab[:baseLen(ab)] != bb[:baseLen(bb)] {
		return false
	}
	sa, err := fstatat(dirName(a), false)
	if err != nil {
		return false
	}
	sb, err := fstatat(dirName(b), false)
	if err != nil {
		return false
	}
	return idOf(&sa) == idOf(&sb)
}

// inCurrentDir reports whether dst is an entry of the current directory:
// -s makes relative links only there, where they resolve as written.
func inCurrentDir(dst string) bool {
	parent := dirName(dst)
	if parent == "." {
		return true
	}
	dot, err := fstatat(".", true)
	if err != nil {
		return true
	}
	ps, err := fstatat(parent, true)
	if err != nil {
		return true
	}
	return idOf(&dot) == idOf(&ps)
}

// readlink reads a symbolic link whose lstat said size bytes (0 for
// links on filesystems that do not say).
func readlink(name string, size int64) (string, error) {
	n := int(size) + 1
	if n < 128 {
		n = 128
	}
	for {
		buf := make([]byte, n)
		got, err := unix.Readlink(name, buf)
		if err != nil {
			return "", err
		}
		if got < n {
			return string(buf[:got]), nil
		}
		n *= 2
	}
}

// forceSymlink makes a symbolic link, replacing an existing file when
// replace is set (gnulib's force_symlinkat).
func forceSymlink(target, name string, replace bool) error {
	err := unix.Symlink(target, name)
	if err == nil || !replace || !errors.Is(err, unix.EEXIST) {
		return err
	}
	_, err = replaceWith(name, func(tmp string) error { return unix.Symlink(target, tmp) })
	return err
}

// forceLink makes a hard link, replacing an existing file when replace is
// set (gnulib's force_linkat); follow links a symbolic link's target
// rather than the link itself. replaced says that name existed.
func forceLink(target, name string, replace, follow bool) (replaced bool, err error) {
	flags := 0
	if follow {
		flags = unix.AT_SYMLINK_FOLLOW
	}
	link := func(to string) error { return unix.Linkat(unix.AT_FDCWD, target, unix.AT_FDCWD, to, flags) }
	err = link(name)
	if err == nil || !replace || !errors.Is(err, unix.EEXIST) {
		return false, err
	}
	return replaceWith(name, link)
}

// replaceWith has create make a new file under a free temporary name in
// name's directory, then renames it over name. The existing name is
// never missing, and stays as it was when create fails: unlinking it first
// would lose it where create then fails, or where create itself needs it (a
// link through a symbolic link onto that link, as in cp -fl sl sl).
// Renaming one name of a file onto another name of the same file does
// nothing (rename(2)), so the temporary name is removed in every case.
func replaceWith(name string, create func(tmp string) error) (bool, error) {
	dir := name[:len(name)-len(lastComponent(name))]
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var tmp string
	for tries := 0; ; tries++ {
		var b [6]byte
		for i := range b {
			b[i] = letters[rand.IntN(len(letters))]
		}
		tmp = dir + "Cu" + string(b[:])
		err := create(tmp)
		if err == nil {
			break
		}
		if !errors.Is(err, unix.EEXIST) || tries >= 100 {
			return false, err
		}
	}
	err := unix.Rename(tmp, name)
	unix.Unlink(tmp)
	return err == nil, err
}

// hardLink links dst to earlier, the copy of the same source file made
// before. The link is made on the sequencer, once the earlier copy is
// retired (its data may still be in flight when the walk gets here).
// backup is what dst was renamed to, to rename back if the link fails.
func (c *Copier) hardLink(it *item, earlier, dst string, follow bool, backup string) {
	verbose := c.opt.Verbose
	it.commit = func(it *item) {
		replaced, err := forceLink(earlier, dst, true, follow)
		if err != nil {
			it.errnof(err, "cannot create hard link %s to %s", cli.Quote(dst), cli.Quote(earlier))
			c.unBackup(it, backup, dst)
			return
		}
		if replaced && verbose {
			it.printf("removed %s\n", cli.Quote(dst))
		}
	}
}
