package fdkind

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

func stat(fd int) (Info, error) {
	var st unix.Stat_t
	if err := ignoringEINTR(func() error { return unix.Fstat(fd, &st) }); err != nil {
		return Info{}, err
	}
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		return Info{}, err
	}
	info := fromStat(&st, fl)
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		info.Kind = Regular
	case unix.S_IFDIR:
		info.Kind = Directory
	case unix.S_IFIFO:
		info.Kind = Pipe
	case unix.S_IFSOCK:
		info.Kind = Socket
		typ, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE)
		info.Stream = err == nil && typ == unix.SOCK_STREAM
	case unix.S_IFCHR:
		info.Kind = CharDev
		// TCGETS succeeds only on terminals; isatty(3) asks the same.
		if _, err := unix.IoctlGetTermios(fd, unix.TCGETS); err == nil {
			info.Kind = TTY
		}
	case unix.S_IFBLK:
		info.Kind = BlockDev
		// A device node's st_size is 0; what a reader gets is the
		// device's size, which only BLKGETSIZE64 tells.
		if n, err := blockDevSize(fd); err == nil {
			info.Size = n
		}
	case unix.S_IFLNK:
		info.Kind = Symlink
	}
	// Only files and block devices live on a filesystem whose type matters
	// to the caller; for the rest fstatfs tells only pipefs/sockfs/devtmpfs.
	if info.Kind == Regular || info.Kind == Directory || info.Kind == BlockDev {
		info.FSMagic = fsMagic(fd)
	}
	return info, nil
}

// fromStat is what st, from fstat(2), and fl, the open flags (F_GETFL),
// say on their own: everything but Kind, Stream, FSMagic and a block
// device's size.
func fromStat(st *unix.Stat_t, fl int) Info {
	info := Info{
		Append:   fl&unix.O_APPEND != 0,
		Nonblock: fl&unix.O_NONBLOCK != 0,
		Dev:      uint64(st.Dev), // uint32 on the mips ports
		Ino:      st.Ino,
		Rdev:     uint64(st.Rdev),
		Mode:     st.Mode,
		Size:     st.Size,
		Blksize:  int64(st.Blksize),
	}
	// An O_PATH descriptor can be neither read nor written, whatever its
	// access mode bits say.
	if fl&unix.O_PATH == 0 {
		switch fl & unix.O_ACCMODE {
		case unix.O_RDONLY:
			info.Readable = true
		case unix.O_WRONLY:
			info.Writable = true
		case unix.O_RDWR:
			info.Readable, info.Writable = true, true
		}
	}
	return info
}

// fsMagic returns the f_type of fd's filesystem (fstatfs(2)), or 0.
func fsMagic(fd int) int64 {
	var sfs unix.Statfs_t
	if err := ignoringEINTR(func() error { return unix.Fstatfs(fd, &sfs) }); err != nil {
		return 0
	}
	return int64(sfs.Type)
}

func ignoringEINTR(fn func() error) error {
	for {
		err := fn()
		if err != unix.EINTR {
			return err
		}
	}
}

// blockDevSize asks the size in bytes of the block device fd. The kernel
// writes a u64 whatever the word size, so no x/sys IoctlGet* helper fits.
func blockDevSize(fd int) (int64, error) {
	var n uint64
	_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.BLKGETSIZE64, uintptr(unsafe.Pointer(&n)))
	if e != 0 {
		return 0, e
	}
	return int64(n), nil
}
