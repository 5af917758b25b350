package tree

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/cli"
)

// sameFileOK is cp's same_file_ok: whether copying src onto dst, which
// may be the same file by some measure, is allowed, and whether there is
// then nothing left to do (done). cp allows it when nothing is lost:
// distinct symbolic links, a link replaced with --remove-destination, a
// file hard-linked to itself. Copying a file onto itself (or through a
// link onto its own target) would truncate the only copy of the data.
//
// done is the answer for -l where dst already is the link wanted: the
// copy ends there, successfully, before anything is unlinked (linking
// first would remove the only name of the data, as in -dl symlink foo).
func (c *Copier) sameFileOK(src string, srcSt *unix.Stat_t, dst string, dstSt *unix.Stat_t, deref Deref) (ok, done bool) {
	o := &c.opt
	same := idOf(srcSt) == idOf(dstSt)
	if same && o.HardLink {
		return true, true
	}
	// srcL and dstL are the operands themselves, not what they point to.
	var srcL, dstL unix.Stat_t
	var sameLink bool
	if deref == DerefNever {
		sameLink = same
		if isLink(srcSt.Mode) && isLink(dstSt.Mode) {
			// Two links: fine unless they are the same entry. Two
			// names of one link: nothing to do, unless dst is to be
			// backed up.
			if sameName(src, dst) {
				return false, false
			}
			return true, sameLink && o.Backup == BackupNone
		}
		srcL, dstL = *srcSt, *dstSt
	} else {
		if !same {
			return true, false
		}
		var err error
		if dstL, err = fstatat(dst, false); err != nil {
			return true, false
		}
		if srcL, err = fstatat(src, false); err != nil {
			return true, false
		}
		sameLink = idOf(&srcL) == idOf(&dstL)
		// Two links to one file: fine only when dst, the link, goes
		// before anything is opened through it.
		if isLink(srcL.Mode) && isLink(dstL.Mode) && o.RemoveDestination {
			return true, false
		}
	}
	if o.Backup != BackupNone {
		// The backup keeps dst's data, so replacing dst loses nothing,
		// unless both are one directory entry: the backup would rename
		// the source too.
		if sameLink {
			return !sameName(src, dst), false
		}
		// Backing up dst, the target of src, would leave src dangling
		// before it is read: refuse now rather than fail to open it.
		if deref != DerefNever && isLink(srcL.Mode) && !isLink(dstL.Mode) {
			return false, false
		}
		return true, false
	}
	if o.RemoveDestination {
		if isLink(dstL.Mode) {
			return true, false
		}
		// Another name of the file: removing it loses nothing.
		if sameLink && dstL.Nlink > 1 && !sameName(src, dst) {
			return true, false
		}
	}
	if !isLink(srcL.Mode) && !isLink(dstL.Mode) {
		if idOf(&srcL) != idOf(&dstL) {
			return true, false
		}
		if o.HardLink {
			return true, true
		}
	}
	if o.SymbolicLink && isLink(dstL.Mode) {
		// A link replaced by a link.
		return true, false
	}
	if deref == DerefNever {
		ts, td := srcL, dstL
		var err error
		if isLink(srcL.Mode) {
			if ts, err = fstatat(src, true); err != nil {
				return true, false
			}
		}
		if isLink(dstL.Mode) {
			if td, err = fstatat(dst, true); err != nil {
				return true, false
			}
		}
		if idOf(&ts) != idOf(&td) {
			return true, false
		}
		if o.HardLink {
			// A link to the file: done, unless dst is a symbolic
			// link, which the hard link replaces.
			return true, !isLink(dstL.Mode)
		}
	}
	return false, false
}

// overwriteOK asks whether to overwrite dst (-i), after everything queued
// before is printed, and reads the answer from standard input.
func (c *Copier) overwriteOK(dst string, dstSt *unix.Stat_t) bool {
	c.pool.wait()
	writable := isLink(dstSt.Mode) || c.root ||
		unix.Faccessat(unix.AT_FDCWD, dst, unix.W_OK, unix.AT_EACCESS) == nil
	var prompt string
	switch {
	case writable:
		prompt = fmt.Sprintf("%s: overwrite %s? ", c.io.Prog, cli.Quote(dst))
	case c.opt.RemoveDestination || c.opt.Force:
		prompt = fmt.Sprintf("%s: replace %s, overriding mode %04o (%s)? ",
			c.io.Prog, cli.Quote(dst), dstSt.Mode&modeBits, strmode(dstSt.Mode)[1:])
	default:
		prompt = fmt.Sprintf("%s: unwritable %s (mode %04o, %s); try anyway? ",
			c.io.Prog, cli.Quote(dst), dstSt.Mode&modeBits, strmode(dstSt.Mode)[1:])
	}
	c.io.Stderr.Write([]byte(prompt))
	return c.yes()
}

// yes reads a line and says whether it is affirmative (gnulib's yesno in
// the C locale: it starts with y or Y).
func (c *Copier) yes() bool {
	if c.in == nil {
		return false
	}
	line, _ := c.in.ReadString('\n')
	line = strings.TrimLeft(line, " \t")
	return strings.HasPrefix(line, "y") || strings.HasPrefix(line, "Y")
}

// strmode renders a mode as ls does: "-rw-r--r--".
func strmode(m uint32) string {
	var b [10]byte
	switch m & unix.S_IFMT {
	case unix.S_IFDIR:
		b[0] = 'd'
	case unix.S_IFLNK:
		b[0] = 'l'
	case unix.S_IFCHR:
		b[0] = 'c'
	case unix.S_IFBLK:
		b[0] = 'b'
	case unix.S_IFIFO:
		b[0] = 'p'
	case unix.S_IFSOCK:
		b[0] = 's'
	default:
		b[0] = '-'
	}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if m&(1<<(8-i)) != 0 {
			b[1+i] = rwx[i]
		} else {
			b[1+i] = '-'
		}
	}
	special := func(pos int, bit uint32, set, setNoX byte) {
		if m&bit != 0 {
			if b[pos] == '-' {
				b[pos] = setNoX
			} else {
				b[pos] = set
			}
		}
	}
	special(3, unix.S_ISUID, 's', 'S')
	special(6, unix.S_ISGID, 's', 'S')
	special(9, unix.S_ISVTX, 't', 'T')
	return string(b[:])
}
