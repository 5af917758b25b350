package tree

import (
	"errors"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/cli"
)

// meta is what the attributes of one copied file are made from.
type meta struct {
	src, dst     string
	srcSt, dstSt unix.Stat_t // dstSt: the destination as found (or as made, for a directory)
	newDst       bool        // the destination did not exist
	omitted      uint32      // permissions left out at creation, to add at the end
	restoreMode  bool        // the directory got u+rwx to be filled: set its mode back
	isLink       bool        // the destination is a symbolic link
}

const specialBits = unix.S_ISUID | unix.S_ISGID | unix.S_ISVTX

func currentUmask() uint32 {
	// umask(2) cannot be read without being set; New calls this before
	// any goroutine of the copy creates a file.
	m := unix.Umask(0)
	unix.Umask(m)
	return uint32(m)
}

// finish gives a directory, symbolic link or special file its attributes,
// by name: the end of cp's copy_internal. Times go first, then the owner
// (chown clears set-user-ID bits, and capabilities kept in xattrs), then
// xattrs, then the mode.
func (c *Copier) finish(it *item, m *meta) {
	o := &c.opt
	srcMode := m.srcSt.Mode
	if o.PreserveTimestamps {
		flags := 0
		if m.isLink {
			flags = unix.AT_SYMLINK_NOFOLLOW
		}
		ts := []unix.Timespec{m.srcSt.Atim, m.srcSt.Mtim}
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, m.dst, ts, flags); err != nil {
			it.errnoIf(o.RequirePreserve, err, "preserving times for %s", cli.Quote(m.dst))
			if o.RequirePreserve {
				return
			}
		}
	}
	if !m.isLink && o.PreserveOwnership && (m.newDst || !sameOwner(&m.srcSt, &m.dstSt)) {
		switch c.setOwner(it, m, -1) {
		case -1:
			return
		case 0:
			srcMode &^= specialBits
		}
	}
	if o.PreserveXattr && !c.copyXattrs(it, m.src, -1, m.dst, -1) && o.RequirePreserveXattr {
		return
	}
	if m.isLink {
		return
	}
	switch {
	case o.PreserveMode:
		c.copyACL(it, m.src, -1, m.dst, -1, srcMode, isDir(srcMode))
	case o.NoPreserveMode && m.newDst:
		perm := uint32(0o666)
		if isDir(srcMode) || srcMode&unix.S_IFMT == unix.S_IFSOCK {
			perm = 0o777
		}
		if err := unix.Fchmodat(unix.AT_FDCWD, m.dst, perm&^c.umask, 0); err != nil {
			it.errnof(err, "setting permissions for %s", cli.Quote(m.dst))
		}
	default:
		omitted := m.omitted &^ c.umask
		restore := m.restoreMode
		dstMode := m.dstSt.Mode
		if omitted != 0 && !restore {
			// Deducing the mode that mkdir or mknod gave is hard
			// (special bits follow implementation-defined rules): ask.
			if m.newDst {
				st, err := fstatat(m.dst, false)
				if err != nil {
					it.errnof(err, "cannot stat %s", cli.Quote(m.dst))
					return
				}
				dstMode = st.Mode
			}
			if omitted&^dstMode != 0 {
				restore = true
			}
		}
		if restore {
			if err := unix.Fchmodat(unix.AT_FDCWD, m.dst, (dstMode|omitted)&modeBits, 0); err != nil {
				it.errnoIf(o.RequirePreserve, err, "preserving permissions for %s", cli.Quote(m.dst))
			}
		}
	}
}

func sameOwner(a, b *unix.Stat_t) bool { return a.Uid == b.Uid && a.Gid == b.Gid }

// chownFailureOK is cp's chown_failure_ok: without privilege, not being
// allowed to give a file away is expected.
func (c *Copier) chownFailureOK(err error) bool {
	return (errors.Is(err, unix.EPERM) || errors.Is(err, unix.EINVAL)) && !c.root
}

func (c *Copier) ownerFailureOK(err error) bool { return c.chownFailureOK(err) }

// setOwner gives the destination the source's owner and group, through fd
// when it is not -1: 1 done, 0 not done but acceptable, -1 failed.
func (c *Copier) setOwner(it *item, m *meta, fd int) int {
	o := &c.opt
	uid, gid := int(m.srcSt.Uid), int(m.srcSt.Gid)
	if !m.newDst && o.PreserveMode {
		// Changing the owner of an existing file before its mode would
		// open a window for the new owner and group: close it first.
		oldMode, newMode := m.dstSt.Mode, m.srcSt.Mode
		restrictive := oldMode & newMode & 0o700
		if oldMode&modeBits&(^newMode|specialBits) != 0 {
			if err := chmodFdOrName(fd, m.dst, restrictive); err != nil {
				if !c.ownerFailureOK(err) {
					it.warnErrnof(err, "clearing permissions for %s", cli.Quote(m.dst))
				}
				if o.RequirePreserve {
					it.failed = true
					return -1
				}
				return 0
			}
		}
	}
	var err error
	if fd >= 0 {
		err = unix.Fchown(fd, uid, gid)
	} else {
		err = unix.Lchown(m.dst, uid, gid)
	}
	if err == nil {
		return 1
	}
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EINVAL) {
		// Both failed: the group alone may still be allowed.
		if fd >= 0 {
			unix.Fchown(fd, -1, gid)
		} else {
			unix.Lchown(m.dst, -1, gid)
		}
	}
	if !c.chownFailureOK(err) {
		it.errnoIf(o.RequirePreserve, err, "failed to preserve ownership for %s", cli.Quote(m.dst))
		if o.RequirePreserve {
			return -1
		}
	}
	return 0
}

func chmodFdOrName(fd int, name string, mode uint32) error {
	if fd >= 0 {
		return unix.Fchmod(fd, mode)
	}
	return unix.Fchmodat(unix.AT_FDCWD, name, mode, 0)
}

// The POSIX ACLs live in these xattrs; setting the access ACL sets the
// group permission bits to the ACL's mask, as chmod sets the mask.
const (
	aclAccess  = "system.posix_acl_access"
	aclDefault = "system.posix_acl_default"
)

// copyACL is gnulib's copy_acl: the mode, then the source's ACLs (access
// ACL, and a directory's default ACL) through their xattrs.
func (c *Copier) copyACL(it *item, src string, srcFd int, dst string, dstFd int, mode uint32, dir bool) {
	fail := func(err error) {
		it.errnoIf(c.opt.RequirePreserve, err, "preserving permissions for %s", cli.Quote(dst))
	}
	if err := chmodFdOrName(dstFd, dst, mode&modeBits); err != nil {
		fail(err)
		return
	}
	names := []string{aclAccess}
	if dir {
		names = append(names, aclDefault)
	}
	for _, name := range names {
		val, err := getXattr(src, srcFd, name)
		if err != nil {
			// No ACL (ENODATA), or a filesystem without ACLs: the
			// mode alone says everything.
			continue
		}
		if err := setXattr(dst, dstFd, name, val); err != nil {
			fail(err)
			return
		}
	}
}

// xattrUnsupported is cp's errno_unsupported: the filesystem has no
// xattrs, or not this one.
func xattrUnsupported(err error) bool {
	return errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.ENODATA)
}

// skipXattr says which xattrs the copy of xattrs leaves alone, as
// libattr's attr_copy_check_permissions does (with /etc/xattr.conf's
// default entries).
func skipXattr(name string) bool {
	switch {
	case name == aclAccess, name == aclDefault,
		name == "system.nfs4_acl", name == "system.nfs4acl":
		// ACLs are permissions: they go with the mode (copyACL), not
		// with the other xattrs.
		return true
	case name == "security.selinux":
		// The SELinux context is --preserve=context's business, which
		// needs an SELinux kernel.
		return true
	case name == "security.evm":
		// Written by the kernel only.
		return true
	case strings.HasPrefix(name, "trusted.SGI_"), strings.HasPrefix(name, "xfsroot."):
		// XFS's own ACLs and metadata from before the VFS had xattrs.
		return true
	case strings.HasPrefix(name, "user.Beagle."), strings.HasPrefix(name, "afs."):
		// A desktop indexer's cache; AFS's metadata.
		return true
	}
	return false
}

// copyXattrs copies the extended attributes of src to dst (through the
// descriptors when they are not -1, else by name without following a
// final symbolic link). Failures are reported as cp reports them: all
// with --attributes-only or an explicit --preserve=xattr, none that only
// mean "unsupported" with -a. It returns false if any failed.
func (c *Copier) copyXattrs(it *item, src string, srcFd int, dst string, dstFd int) bool {
	o := &c.opt
	all := o.AttributesOnly || o.RequirePreserveXattr
	some := !all && !o.ReduceDiagnostics
	report := func(err error, format string, a ...any) {
		if all || (some && !xattrUnsupported(err)) {
			it.errnoIf(o.RequirePreserveXattr, err, format, a...)
		}
	}
	names, err := listXattrs(src, srcFd)
	if err != nil {
		if errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.ENOSYS) {
			return true
		}
		report(err, "listing attributes of %s", cli.Quote(src))
		return false
	}
	ok := true
	for _, name := range names {
		if skipXattr(name) {
			continue
		}
		val, err := getXattr(src, srcFd, name)
		if err != nil {
			report(err, "getting attribute %s of %s", cli.Quote(name), cli.Quote(src))
			ok = false
			continue
		}
		if err := setXattr(dst, dstFd, name, val); err != nil {
			report(err, "setting attribute %s for %s", cli.Quote(name), cli.Quote(dst))
			ok = false
		}
	}
	return ok
}

func listXattrs(name string, fd int) ([]string, error) {
	buf, err := growingRead(func(buf []byte) (int, error) {
		if fd >= 0 {
			return unix.Flistxattr(fd, buf)
		}
		return unix.Llistxattr(name, buf)
	})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range strings.Split(string(buf), "\x00") {
		if s != "" {
			names = append(names, s)
		}
	}
	return names, nil
}

func getXattr(name string, fd int, attr string) ([]byte, error) {
	return growingRead(func(buf []byte) (int, error) {
		if fd >= 0 {
			return unix.Fgetxattr(fd, attr, buf)
		}
		return unix.Lgetxattr(name, attr, buf)
	})
}

// growingRead calls read with a larger buffer each time it answers ERANGE
// (the list or value grew past the buffer, listxattr(2)), and returns what
// it read.
func growingRead(read func(buf []byte) (int, error)) ([]byte, error) {
	for size := 256; ; size *= 4 {
		buf := make([]byte, size)
		n, err := read(buf)
		if errors.Is(err, unix.ERANGE) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return buf[:n], nil
	}
}

func setXattr(name string, fd int, attr string, val []byte) error {
	if fd >= 0 {
		return unix.Fsetxattr(fd, attr, val, 0)
	}
	return unix.Lsetxattr(name, attr, val, 0)
}
