// Package fdkind answers one question about an open descriptor: what is it?
//
// It reports the descriptor's kind (regular file, pipe, socket, tty, ...),
// its status flags (O_APPEND, O_NONBLOCK, access mode), its identity
// (device and inode), its size and the magic number of the filesystem it
// lives on. It holds no policy: deciding what to do with a kind is the
// business of package copy.
package fdkind

import "os"

// Kind is the type of the object behind a descriptor.
type Kind uint8

// The kinds of descriptor that zcopy tells apart.
const (
	Unknown   Kind = iota
	Regular        // regular file
	Directory      // directory
	Pipe           // pipe or FIFO
	Socket         // socket of any family and type
	TTY            // terminal (a character device that answers TCGETS)
	CharDev        // other character device: /dev/null, /dev/zero, /dev/full, ...
	BlockDev       // block device
	Symlink        // symbolic link (only from a descriptor opened with O_PATH)
)

var kindNames = [...]string{
	Unknown:   "unknown",
	Regular:   "file",
	Directory: "directory",
	Pipe:      "pipe",
	Socket:    "socket",
	TTY:       "tty",
	CharDev:   "chardev",
	BlockDev:  "blockdev",
	Symlink:   "symlink",
}

// String returns a short lowercase name for k, as --debug prints it.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Info describes an open descriptor.
type Info struct {
	Kind     Kind
	Append   bool // O_APPEND is set on the open file description
	Nonblock bool // O_NONBLOCK is set on the open file description
	Readable bool // opened for reading (O_RDONLY or O_RDWR)
	Writable bool // opened for writing (O_WRONLY or O_RDWR)
	Stream   bool // a socket of type SOCK_STREAM; false for other kinds
	Dev      uint64
	Ino      uint64
	Rdev     uint64
	Mode     uint32 // st_mode
	Size     int64  // st_size, or a block device's size; meaningless for pipes, sockets, char devices
	Blksize  int64  // st_blksize, the preferred I/O size
	FSMagic  int64  // statfs f_type of the filesystem holding the object
}

// Stat describes the descriptor fd.
func Stat(fd int) (Info, error) { return stat(fd) }

// Of describes the descriptor behind f without changing its blocking mode
// (unlike f.Fd, it goes through f.SyscallConn).
func Of(f *os.File) (Info, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return Info{}, err
	}
	var info Info
	var serr error
	if err := rc.Control(func(fd uintptr) { info, serr = stat(int(fd)) }); err != nil {
		return Info{}, err
	}
	return info, serr
}

// SameFile reports whether a and b are the same object (device and inode).
// Pipes and sockets have identities too, on their pseudo-filesystems.
func (i Info) SameFile(j Info) bool {
	return i.Kind != Unknown && i.Dev == j.Dev && i.Ino == j.Ino
}

// Virtual reports whether i lives on a filesystem whose regular files
// report a size that is not their content's (procfs, sysfs, debugfs,
// tracefs, configfs, securityfs, FUSE, ...). Their st_size is 0 or a
// placeholder; only reading them to EOF tells how much there is.
func (i Info) Virtual() bool { return virtualFS(i.FSMagic) }

// SizeTrusted reports whether Size is the amount of data a reader gets:
// a regular file or block device on a filesystem that does not make sizes up.
func (i Info) SizeTrusted() bool {
	return (i.Kind == Regular || i.Kind == BlockDev) && !i.Virtual()
}

// FSName returns a short name for the filesystem magic, or "" if unknown.
func (i Info) FSName() string { return fsName(i.FSMagic) }
