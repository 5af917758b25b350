package tree

import (
	"encoding/binary"
	"sort"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/fdkind"
)

// readDirNames returns the names in the directory dir (without "." and
// ".."), in the order GNU cp copies them: gnulib's savedir sorts them by
// inode number, which makes reading the files faster on most
// filesystems, but not on tmpfs and NFS, whose inode numbers say nothing
// about where the data is; there the order is the directory's own. dev is
// the directory's st_dev, for magics to tell which filesystem it is on.
func readDirNames(dir string, dev uint64, magics *fsMagics) ([]string, error) {
	fd, err := openRetry(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	type entry struct {
		ino  uint64
		name string
	}
	var ents []entry
	err = readDirents(fd, func(ino uint64, name []byte) {
		if n := string(name); n != "." && n != ".." {
			ents = append(ents, entry{ino, n})
		}
	})
	if err != nil {
		return nil, err
	}
	if inodeSortUseful(magics.of(fd, dev)) {
		sort.SliceStable(ents, func(i, j int) bool { return ents[i].ino < ents[j].ino })
	}
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.name
	}
	return names, nil
}

// inodeSortUseful is gnulib's dirent_inode_sort_may_be_useful.
func inodeSortUseful(magic int64) bool {
	switch magic {
	case fdkind.MagicTmpfs, fdkind.MagicNFS:
		return false
	}
	return true
}

// readDirents calls fn with each entry of the directory open on fd, "."
// and ".." too; name is valid only during the call.
func readDirents(fd int, fn func(ino uint64, name []byte)) error {
	buf := make([]byte, 32<<10)
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n <= 0 {
			return nil
		}
		for b := buf[:n]; len(b) > 0; {
			ino, name, reclen, ok := parseDirent(b)
			if !ok {
				break
			}
			b = b[reclen:]
			fn(ino, name)
		}
	}
}

// parseDirent reads one struct linux_dirent64 { u64 d_ino; s64 d_off;
// u16 d_reclen; u8 d_type; char d_name[]; } in the machine's byte order.
func parseDirent(b []byte) (ino uint64, name []byte, reclen int, ok bool) {
	const nameOff = 19
	if len(b) < nameOff {
		return 0, nil, 0, false
	}
	ino = binary.NativeEndian.Uint64(b[0:8])
	reclen = int(binary.NativeEndian.Uint16(b[16:18]))
	if reclen < nameOff || reclen > len(b) {
		return 0, nil, 0, false
	}
	nb := b[nameOff:reclen]
	for i, c := range nb {
		if c == 0 {
			nb = nb[:i]
			break
		}
	}
	return ino, nb, reclen, true
}
