package tree

import (
	"errors"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/cli"
	"github.com/zcopy/zcopy/internal/copy"
	"github.com/zcopy/zcopy/internal/fdkind"
)

// copyReg copies a regular file, cp's copy_reg, on a worker or in the
// walk. The source is opened first, so a destination is never truncated
// for a source that cannot be read. A new destination is created without
// the permissions in m.omitted (and so never readable by others when the
// source is not); the data goes in; then times, owner, xattrs and, last,
// the mode, all through the descriptor.
func (c *Copier) copyReg(it *item, m *meta, dstMode uint32, noFollow bool) {
	o := &c.opt
	flags := unix.O_RDONLY | unix.O_CLOEXEC
	if noFollow {
		flags |= unix.O_NOFOLLOW
	}
	// The descriptors stay raw: an *os.File would cost an fcntl(F_GETFL)
	// per file to learn what the open flags here say.
	sfd, err := openRetry(m.src, flags, 0)
	if err != nil {
		it.errnof(err, "cannot open %s for reading", cli.Quote(m.src))
		return
	}
	defer func() {
		if err := unix.Close(sfd); err != nil {
			it.errnof(err, "failed to close %s", cli.Quote(m.src))
		}
	}()
	var openSt unix.Stat_t
	if err := unix.Fstat(sfd, &openSt); err != nil {
		it.errnof(err, "cannot fstat %s", cli.Quote(m.src))
		return
	}
	if idOf(&openSt) != idOf(&m.srcSt) {
		it.errorf("skipping file %s, as it was replaced while being copied", cli.Quote(m.src))
		return
	}

	newDst := m.newDst
	omitted := m.omitted
	var extra uint32
	dfd := -1
	dflags := unix.O_WRONLY | unix.O_CLOEXEC
	if !newDst {
		oflags := dflags
		if !o.AttributesOnly {
			oflags |= unix.O_TRUNC
		}
		dfd, err = openRetry(m.dst, oflags, 0)
		if err != nil && !errors.Is(err, unix.ENOENT) && o.Force {
			if uerr := unix.Unlink(m.dst); uerr == nil {
				if o.Verbose {
					it.printf("removed %s\n", cli.Quote(m.dst))
				}
			} else if !errors.Is(uerr, unix.ENOENT) {
				it.errnof(uerr, "cannot remove %s", cli.Quote(m.dst))
				return
			}
			err = unix.ENOENT
		}
		if err != nil && errors.Is(err, unix.ENOENT) {
			newDst = true
		}
	}
	if newDst {
		openMode := dstMode &^ omitted
		if o.PreserveXattr && !c.root {
			// Setting xattrs needs write permission on the file.
			openMode |= unix.S_IWUSR
		}
		extra = openMode &^ dstMode
		dfd, err = openRetry(m.dst, dflags|unix.O_CREAT|unix.O_EXCL, openMode)
		if errors.Is(err, unix.EEXIST) {
			// A dangling symbolic link: which directory its target
			// names cannot be known without a race, so cp refuses
			// to follow it, unless POSIXLY_CORRECT asks for the
			// write through it that POSIX wants.
			if _, lerr := readlink(m.dst, 0); lerr == nil {
				if !o.OpenDanglingSymlink {
					it.errorf("not writing through dangling symlink %s", cli.Quote(m.dst))
					return
				}
				dfd, err = openRetry(m.dst, dflags|unix.O_CREAT, openMode)
			}
		}
		if errors.Is(err, unix.EISDIR) && strings.HasSuffix(m.dst, "/") {
			err = unix.ENOTDIR
		}
	} else {
		omitted, extra = 0, 0
	}
	m.newDst = newDst
	if err != nil {
		it.errnof(err, "cannot create regular file %s", cli.Quote(m.dst))
		return
	}
	closeDst := func() {
		if err := unix.Close(dfd); err != nil {
			it.errnof(err, "failed to close %s", cli.Quote(m.dst))
		}
	}
	defer func() {
		if dfd >= 0 {
			closeDst()
		}
	}()

	// One fstat of the destination serves the engine and what follows
	// the data, as in cp's copy_reg: the copy changes only its size.
	var sb unix.Stat_t
	if !o.AttributesOnly || o.PreserveOwnership || extra != 0 {
		if err := unix.Fstat(dfd, &sb); err != nil {
			it.errnof(err, "cannot fstat %s", cli.Quote(m.dst))
			return
		}
	}
	if !o.AttributesOnly {
		src, err := c.desc(sfd, &openSt, flags)
		if err != nil {
			it.errnof(err, "cannot fstat %s", cli.Quote(m.src))
			return
		}
		dst, err := c.desc(dfd, &sb, dflags)
		if err != nil {
			it.errnof(err, "cannot fstat %s", cli.Quote(m.dst))
			return
		}
		if !c.copyContent(it, m, dst, src) {
			return
		}
	}

	if sb.Mode|extra != sb.Mode {
		if unix.Fchmod(dfd, (sb.Mode|extra)&modeBits) != nil {
			extra = 0
		}
	}

	srcMode := m.srcSt.Mode
	if o.PreserveTimestamps {
		ts := []unix.Timespec{m.srcSt.Atim, m.srcSt.Mtim}
		if err := futimens(dfd, ts); err != nil {
			it.errnoIf(o.RequirePreserve, err, "preserving times for %s", cli.Quote(m.dst))
			if o.RequirePreserve {
				return
			}
		}
	}
	if o.PreserveOwnership && !sameOwner(&m.srcSt, &sb) {
		fm := *m
		fm.newDst = newDst
		fm.dstSt = sb
		switch c.setOwner(it, &fm, dfd) {
		case -1:
			return
		case 0:
			srcMode &^= specialBits
		}
	}
	if o.PreserveXattr && !c.copyXattrs(it, m.src, sfd, m.dst, dfd) && o.RequirePreserveXattr {
		it.failed = true
	}
	switch {
	case o.PreserveMode:
		c.copyACL(it, m.src, sfd, m.dst, dfd, srcMode, false)
	case o.NoPreserveMode && newDst:
		if err := unix.Fchmod(dfd, 0o666&^c.umask); err != nil {
			it.errnof(err, "setting permissions for %s", cli.Quote(m.dst))
		}
	case omitted|extra != 0:
		omitted &^= c.umask
		if omitted|extra != 0 {
			if err := unix.Fchmod(dfd, dstMode&^c.umask); err != nil {
				it.errnoIf(o.RequirePreserve, err, "preserving permissions for %s", cli.Quote(m.dst))
			}
		}
	}
	closeDst()
	dfd = -1
}

// desc describes fd, just opened with flags, from st, its fstat, for the
// engine.
func (c *Copier) desc(fd int, st *unix.Stat_t, flags int) (copy.Desc, error) {
	info, err := fdkind.Known(fd, st, flags, c.magics.of(fd, uint64(st.Dev)))
	return copy.Desc{Fd: fd, Info: info, Blocks: st.Blocks}, err
}

// copyContent moves the data and reports a failure as cp does: which file
// could not be read or written. A file is counted in --progress only with
// its data written.
func (c *Copier) copyContent(it *item, m *meta, dst, src copy.Desc) bool {
	o := &c.opt
	track := o.Track
	if track {
		c.pool.inflight.add(dst.Fd)
	}
	rep, err := copyData(dst, src, o)
	it.bytes = rep.bytes
	if track {
		c.pool.inflight.finish(dst.Fd, rep.bytes)
	}
	if o.Debug && o.Method != copy.None {
		// GNU's line, and the forced method (zcopy's own field).
		defer it.printf("copy offload: %s, reflink: %s, sparse detection: %s, method: %s\n", rep.offload, rep.reflink, rep.sparse, rep.method)
	} else if o.Debug {
		defer it.printf("copy offload: %s, reflink: %s, sparse detection: %s\n", rep.offload, rep.reflink, rep.sparse)
	}
	if err == nil {
		return true
	}
	var ce *copy.Error
	var re *copy.RefusedError
	if errors.As(err, &re) {
		it.errnof(errnoOf(re.Err), "cannot copy %s to %s: %s", cli.Quote(m.src), cli.Quote(m.dst), re.What())
	} else if cloneFailed(err) {
		it.errnof(errnoOf(err), "failed to clone %s from %s", cli.Quote(m.dst), cli.Quote(m.src))
		if m.newDst && o.Reflink == ReflinkAlways {
			// A clone that failed leaves no empty file behind.
			if err := unix.Unlink(m.dst); err != nil && !errors.Is(err, unix.ENOENT) {
				it.errnof(err, "cannot remove %s", cli.Quote(m.dst))
			}
		}
	} else if errors.As(err, &ce) && ce.Side == copy.Read {
		it.errnof(errnoOf(err), "error reading %s", cli.Quote(m.src))
	} else {
		it.errnof(errnoOf(err), "error writing %s", cli.Quote(m.dst))
	}
	return false
}

// errnoOf digs the errno out of an engine error, for its text.
func errnoOf(err error) error {
	var en unix.Errno
	if errors.As(err, &en) {
		return en
	}
	return err
}

// openRetry is open(2), again after EINTR (a signal that arrives while a
// slow filesystem opens a file).
func openRetry(name string, flags int, mode uint32) (int, error) {
	for {
		fd, err := unix.Open(name, flags, mode)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// futimens sets a descriptor's times: utimensat(2) with a NULL path.
func futimens(fd int, ts []unix.Timespec) error {
	_, _, e := unix.Syscall6(unix.SYS_UTIMENSAT, uintptr(fd), 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}
