package fdkind

import "golang.org/x/sys/unix"

// Known describes fd from what its caller already knows, without asking
// the kernel again: st, the result of fstat(fd); flags, the flags fd was
// opened with (what F_GETFL returns, access mode included: open(2) adds
// nothing to them that Info keeps); and magic, the statfs f_type of st.Dev's
// filesystem when the caller knows it (0: ask fstatfs). A copy of many
// small files then describes each file with the fstat it needs anyway.
//
// Only regular files and directories are described from st alone: the
// other kinds need a system call of their own to be told apart (TCGETS for
// a tty, SO_TYPE for a socket, BLKGETSIZE64 for a block device's size),
// and get Stat's full description.
func Known(fd int, st *unix.Stat_t, flags int, magic int64) (Info, error) {
	var kind Kind
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		kind = Regular
	case unix.S_IFDIR:
		kind = Directory
	default:
		return stat(fd)
	}
	info := Info{
		Kind:     kind,
		Append:   flags&unix.O_APPEND != 0,
		Nonblock: flags&unix.O_NONBLOCK != 0,
		Dev:      uint64(st.Dev), // uint32 on the mips ports
		Ino:      st.Ino,
		Rdev:     uint64(st.Rdev),
		Mode:     st.Mode,
		Size:     st.Size,
		Blksize:  int64(st.Blksize),
		FSMagic:  magic,
	}
	if flags&unix.O_PATH == 0 {
		switch flags & unix.O_ACCMODE {
		case unix.O_RDONLY:
			info.Readable = true
		case unix.O_WRONLY:
			info.Writable = true
		case unix.O_RDWR:
			info.Readable, info.Writable = true, true
		}
	}
	if magic == 0 {
		var sfs unix.Statfs_t
		if err := ignoringEINTR(func() error { return unix.Fstatfs(fd, &sfs) }); err == nil {
			info.FSMagic = int64(sfs.Type)
		}
	}
	return info, nil
}
