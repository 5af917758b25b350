package fdkind

// Filesystem magic numbers from linux/magic.h (statfs(2) lists them too).
// They are the same on every architecture, so they live here rather than
// behind a build tag.
const (
	MagicBtrfs      = 0x9123683e
	MagicXFS        = 0x58465342
	MagicExt4       = 0xef53 // ext2, ext3 and ext4 share it
	MagicTmpfs      = 0x01021994
	MagicProc       = 0x9fa0
	MagicSysfs      = 0x62656572
	MagicDebugfs    = 0x64626720
	MagicTracefs    = 0x74726163
	MagicSecurityfs = 0x73636673
	MagicConfigfs   = 0x62656570
	MagicCgroup     = 0x27e0eb
	MagicCgroup2    = 0x63677270
	MagicFUSE       = 0x65735546
	MagicBPF        = 0xcafe4a11
	MagicEfivarfs   = 0xde5e81e4
	MagicPstore     = 0x6165676c
	MagicNFS        = 0x6969
	MagicSMB2       = 0xfe534d42
	MagicCIFS       = 0xff534d42
	MagicOverlay    = 0x794c7630
	MagicZFS        = 0x2fc12fc1
	MagicF2FS       = 0xf2f52010
	MagicBcachefs   = 0xca451a4e
)

// virtualFS reports whether regular files on the filesystem may report a
// size that is not what a reader gets (PITFALLS 3).
func virtualFS(magic int64) bool {
	switch magic {
	case MagicProc, MagicSysfs, MagicDebugfs, MagicTracefs, MagicSecurityfs,
		MagicConfigfs, MagicCgroup, MagicCgroup2, MagicFUSE, MagicBPF,
		MagicEfivarfs, MagicPstore:
		return true
	}
	return false
}

// fsNames is a table rather than a map so that nothing runs at start-up.
var fsNames = [...]struct {
	magic int64
	name  string
}{
	{MagicBtrfs, "btrfs"}, {MagicXFS, "xfs"}, {MagicExt4, "ext4"}, {MagicTmpfs, "tmpfs"},
	{MagicProc, "proc"}, {MagicSysfs, "sysfs"}, {MagicDebugfs, "debugfs"},
	{MagicTracefs, "tracefs"}, {MagicSecurityfs, "securityfs"}, {MagicConfigfs, "configfs"},
	{MagicCgroup, "cgroup"}, {MagicCgroup2, "cgroup2"}, {MagicFUSE, "fuse"}, {MagicBPF, "bpf"},
	{MagicEfivarfs, "efivarfs"}, {MagicPstore, "pstore"}, {MagicNFS, "nfs"}, {MagicSMB2, "smb2"},
	{MagicCIFS, "cifs"}, {MagicOverlay, "overlay"}, {MagicZFS, "zfs"}, {MagicF2FS, "f2fs"},
	{MagicBcachefs, "bcachefs"},
}

func fsName(magic int64) string {
	for _, e := range fsNames {
		if e.magic == magic {
			return e.name
		}
	}
	return ""
}
