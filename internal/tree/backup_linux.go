package tree

import (
	"errors"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/cli"
)

// backupName returns the name of a backup of the existing file dst under
// control kind (gnulib's backupfile_internal), and with rename also
// renames dst to it. A numbered name is taken with RENAME_NOREPLACE: when
// another process takes it first, the directory is read again for the
// next one. A simple backup replaces an older one of the same name.
func backupName(dst string, kind Backup, suffix string, rename bool) (string, error) {
	base := lastComponent(dst)
	dir := dst[:len(dst)-len(base)]
	base = base[:baseLen(base)]
	file := dst[:len(dir)+len(base)]
	// Each EEXIST is a backup another process made since the directory
	// was read; a name that keeps existing without being listed (a
	// case-insensitive directory) would loop forever: give up then.
	for tries := 0; ; tries++ {
		var name string
		fits := true
		if kind == BackupSimple {
			name = file + suffix
		} else {
			version, found, longer := numberedIn(dir, base)
			if !found && kind == BackupExisting {
				kind = BackupSimple
				name = file + suffix
			} else {
				name = file + ".~" + version + "~"
			}
			if !found || longer {
				// A name longer than any there may be too long for the
				// directory: gnulib checks it, and shortens it.
				name, fits = shortenBackup(name, len(file), nameMax(dir, name))
			}
		}
		if !rename {
			return name, nil
		}
		flags := uint(unix.RENAME_NOREPLACE)
		if kind == BackupSimple {
			flags = 0
		}
		err := renameat2(file, name, flags)
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, unix.EEXIST) || !fits || tries >= 100 {
			return "", err
		}
	}
}

// numberedIn is the next numbered backup version of base in the
// directory dir ("" for the current one). A directory that cannot be
// read holds no backups, as far as gnulib's numbered_backup goes.
func numberedIn(dir, base string) (version string, found, longer bool) {
	if dir == "" {
		dir = "."
	}
	s := newNumbered(base)
	if fd, err := openRetry(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err == nil {
		readDirents(fd, func(_ uint64, name []byte) { s.add(name) })
		unix.Close(fd)
	}
	return s.next()
}

// nameMax is the longest last component that gnulib's check_extension
// lets a backup name of dir have: one less than pathconf's NAME_MAX (the
// statfs f_namelen, 255 on most filesystems), asked only for names
// longer than POSIX's minimum of 14, and no limit when it cannot be
// told.
func nameMax(dir, name string) int {
	const posixNameMax = 14
	if baseLen(lastComponent(name)) <= posixNameMax {
		return posixNameMax
	}
	if dir == "" {
		dir = "."
	}
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err != nil || fs.Namelen <= 0 {
		return int(^uint(0) >> 1)
	}
	return int(fs.Namelen) - 1
}

// renameat2 renames old to new with flags; where the filesystem does not
// know RENAME_NOREPLACE (EINVAL), it is emulated with lstat as gnulib's
// renameatu does, which leaves a window another process could use.
func renameat2(old, new string, flags uint) error {
	for {
		err := unix.Renameat2(unix.AT_FDCWD, old, unix.AT_FDCWD, new, flags)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EINVAL && flags&unix.RENAME_NOREPLACE != 0:
			if _, lerr := fstatat(new, false); lerr == nil {
				return unix.EEXIST
			} else if !errors.Is(lerr, unix.ENOENT) {
				return lerr
			}
			flags &^= unix.RENAME_NOREPLACE
			continue
		}
		return err
	}
}

// sourceIsBackup says that src, whose last component is srcBase, is the
// simple backup of dst: backing dst up would replace the source before
// it is read (cp's source_is_dst_backup).
func sourceIsBackup(srcBase string, srcSt *unix.Stat_t, dst, suffix string) bool {
	dstBase := lastComponent(dst)
	if srcBase != dstBase+suffix {
		return false
	}
	st, err := fstatat(dst+suffix, true)
	return err == nil && idOf(&st) == idOf(srcSt)
}

// unBackup renames dst's backup back to dst where the copy failed (the
// end of cp's copy_internal): the destination is then as it was.
func (c *Copier) unBackup(it *item, backup, dst string) {
	if backup == "" {
		return
	}
	if err := unix.Rename(backup, dst); err != nil {
		it.errnof(err, "cannot un-backup %s", cli.Quote(dst))
		return
	}
	if c.opt.Verbose {
		it.printf("%s -> %s (unbackup)\n", cli.Quote(backup), cli.Quote(dst))
	}
}
