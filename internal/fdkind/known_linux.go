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
	info := fromStat(st, flags)
	info.Kind = kind
	info.FSMagic = magic
	if magic == 0 {
		info.FSMagic = fsMagic(fd)
	}
	return info, nil
}
