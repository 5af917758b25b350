package tree

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// fsMagics remembers the filesystem type (statfs f_type) of each device
// met: st_dev names a mounted filesystem, so every file and directory with
// the same st_dev is on a filesystem of the same type, and one fstatfs
// per device serves a whole tree instead of one per file and directory.
// Device numbers of filesystems unmounted during the copy may come back
// for others; a copy does not outlive that, a Copier's cache is its own.
type fsMagics struct {
	last atomic.Pointer[devMagic] // the last one found: a tree is mostly on one
	mu   sync.Mutex
	m    map[uint64]int64
}

type devMagic struct {
	dev   uint64
	magic int64
}

// of returns the type of the filesystem dev, which holds fd, asking
// fstatfs(fd) the first time; 0 when fstatfs fails (unknown).
func (f *fsMagics) of(fd int, dev uint64) int64 {
	if l := f.last.Load(); l != nil && l.dev == dev {
		return l.magic
	}
	magic := f.lookup(fd, dev)
	f.last.Store(&devMagic{dev, magic})
	return magic
}

func (f *fsMagics) lookup(fd int, dev uint64) int64 {
	f.mu.Lock()
	magic, ok := f.m[dev]
	f.mu.Unlock()
	if ok {
		return magic
	}
	var sfs unix.Statfs_t
	if err := unix.Fstatfs(fd, &sfs); err != nil {
		return 0
	}
	magic = int64(sfs.Type)
	f.mu.Lock()
	if f.m == nil {
		f.m = make(map[uint64]int64)
	}
	f.m[dev] = magic
	f.mu.Unlock()
	return magic
}
