package fdkind

import "testing"

func TestKindString(t *testing.T) {
	// The names --debug prints; a Kind added without a name must not
	// print as "".
	want := map[Kind]string{
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
	for k := Kind(0); k < 255; k++ {
		got := k.String()
		w, ok := want[k]
		if !ok {
			w = "unknown"
		}
		if got != w {
			t.Errorf("Kind(%d).String() = %q; want %q", k, got, w)
		}
	}
}

func TestVirtualAndSizeTrusted(t *testing.T) {
	tests := []struct {
		name        string
		info        Info
		virtual     bool
		sizeTrusted bool
	}{
		{"file/ext4", Info{Kind: Regular, FSMagic: MagicExt4}, false, true},
		{"file/tmpfs", Info{Kind: Regular, FSMagic: MagicTmpfs}, false, true},
		{"file/unknown-fs", Info{Kind: Regular, FSMagic: 0x12345678}, false, true},
		{"file/proc", Info{Kind: Regular, FSMagic: MagicProc}, true, false},
		{"file/sysfs", Info{Kind: Regular, FSMagic: MagicSysfs}, true, false},
		{"file/debugfs", Info{Kind: Regular, FSMagic: MagicDebugfs}, true, false},
		{"file/tracefs", Info{Kind: Regular, FSMagic: MagicTracefs}, true, false},
		{"file/securityfs", Info{Kind: Regular, FSMagic: MagicSecurityfs}, true, false},
		{"file/configfs", Info{Kind: Regular, FSMagic: MagicConfigfs}, true, false},
		{"file/cgroup", Info{Kind: Regular, FSMagic: MagicCgroup}, true, false},
		{"file/cgroup2", Info{Kind: Regular, FSMagic: MagicCgroup2}, true, false},
		{"file/fuse", Info{Kind: Regular, FSMagic: MagicFUSE}, true, false},
		{"file/bpf", Info{Kind: Regular, FSMagic: MagicBPF}, true, false},
		{"file/efivarfs", Info{Kind: Regular, FSMagic: MagicEfivarfs}, true, false},
		{"file/pstore", Info{Kind: Regular, FSMagic: MagicPstore}, true, false},
		{"blockdev", Info{Kind: BlockDev}, false, true},
		{"pipe", Info{Kind: Pipe}, false, false},
		{"socket", Info{Kind: Socket}, false, false},
		{"tty", Info{Kind: TTY}, false, false},
		{"chardev", Info{Kind: CharDev}, false, false},
		{"directory", Info{Kind: Directory, FSMagic: MagicExt4}, false, false},
		{"unknown", Info{}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.info.Virtual(); got != tt.virtual {
				t.Errorf("Virtual() = %v; want %v", got, tt.virtual)
			}
			if got := tt.info.SizeTrusted(); got != tt.sizeTrusted {
				t.Errorf("SizeTrusted() = %v; want %v", got, tt.sizeTrusted)
			}
		})
	}
}

func TestFSName(t *testing.T) {
	tests := []struct {
		magic int64
		want  string
	}{
		{MagicExt4, "ext4"},
		{MagicBtrfs, "btrfs"},
		{MagicXFS, "xfs"},
		{MagicTmpfs, "tmpfs"},
		{MagicProc, "proc"},
		{MagicSysfs, "sysfs"},
		{MagicOverlay, "overlay"},
		{0, ""},
		{0x12345678, ""},
	}
	for _, tt := range tests {
		if got := (Info{FSMagic: tt.magic}).FSName(); got != tt.want {
			t.Errorf("Info{FSMagic: %#x}.FSName() = %q; want %q", tt.magic, got, tt.want)
		}
	}
}

func TestSameFileInfo(t *testing.T) {
	a := Info{Kind: Regular, Dev: 1, Ino: 2}
	tests := []struct {
		name string
		i, j Info
		want bool
	}{
		{"same", a, a, true},
		{"same-ignores-flags", a, Info{Kind: Regular, Dev: 1, Ino: 2, Append: true}, true},
		{"other-ino", a, Info{Kind: Regular, Dev: 1, Ino: 3}, false},
		{"other-dev", a, Info{Kind: Regular, Dev: 2, Ino: 2}, false},
		// Two descriptors zcopy knows nothing about are never "the same
		// file": the zero Info must not match the zero Info.
		{"unknown", Info{}, Info{}, false},
	}
	for _, tt := range tests {
		if got := tt.i.SameFile(tt.j); got != tt.want {
			t.Errorf("%s: SameFile = %v; want %v", tt.name, got, tt.want)
		}
	}
}
