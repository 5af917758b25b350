package tree

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/cli"
)

// sameFileOK is cp's same_file_ok (without backups): whether copying src
// onto dst, which may be the same file by some measure, is allowed. cp
// allows it when nothing is lost: distinct symbolic links, a link
// replaced with --remove-destination, a file hard-linked to itself.
// Copying a file onto itself (or through a link onto its own target)
// would truncate the only copy of the data.
func (c *Copier) sameFileOK(src string, srcSt *unix.Stat_t, dst string, dstSt *unix.Stat_t, deref Deref) bool {
	o := &c.opt
	same := idOf(srcSt) == idOf(dstSt)
	if same && o.HardLink {
		return true
	}
	var srcL, dstL unix.Stat_t
	sameLink := same
	if deref == DerefNever {
		if isLink(srcSt.Mode) && isLink(dstSt.Mode) {
			// Two links: fine unless they are the same entry.
			return !sameName(src, dst)
		}
		srcL, dstL = *srcSt, *dstSt
	} else {
		if !same {
			return true
		}
		var err error
		if dstL, err = fstatat(dst, false); err != nil {
			return true
		}
		if srcL, err = fstatat(src, false); err != nil {
			return true
		}
		sameLink = idOf(&srcL) == idOf(&dstL)
		if isLink(srcL.Mode) && isLink(dstL.Mode) && o.RemoveDestination {
			return true
		}
	}
	if o.RemoveDestination {
		if isLink(dstL.Mode) {
			return true
		}
		if sameLink && dstL.Nlink > 1 && !sameName(src, dst) {
			return true
		}
	}
	if !isLink(srcL.Mode) && !isLink(dstL.Mode) {
		if idOf(&srcL) != idOf(&dstL) {
			return true
		}
		if o.HardLink {
			return true
		}
	}
	if o.SymbolicLink && isLink(dstL.Mode) {
		return true
	}
	if deref == DerefNever {
		ts, td := srcL, dstL
		var err error
		if isLink(srcL.Mode) {
			if ts, err = fstatat(src, true); err != nil {
				return true
			}
		}
		if isLink(dstL.Mode) {
			if td, err = fstatat(dst, true); err != nil {
				return true
			}
		}
		if idOf(&ts) != idOf(&td) {
			return true
		}
		if o.HardLink {
			return true
		}
	}
	return false
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
