package tree

import "testing"

func TestNames(t *testing.T) {
	for _, tc := range []struct{ in, last, strip, dir string }{
		{"a", "a", "a", "."},
		{"a/b", "b", "a/b", "a"},
		{"a/b/", "b/", "a/b", "a"},
		{"a//b//", "b//", "a//b", "a"},
		{"/", "", "/", "/"},
		{"//", "", "/", "/"},
		{"/a", "a", "/a", "/"},
		{"./d/f", "f", "./d/f", "./d"},
		{"", "", "", "."},
	} {
		if got := lastComponent(tc.in); got != tc.last {
			t.Errorf("lastComponent(%q) = %q; want %q", tc.in, got, tc.last)
		}
		if got := stripTrailingSlashes(tc.in); got != tc.strip {
			t.Errorf("stripTrailingSlashes(%q) = %q; want %q", tc.in, got, tc.strip)
		}
		if got := dirName(tc.in); got != tc.dir {
			t.Errorf("dirName(%q) = %q; want %q", tc.in, got, tc.dir)
		}
	}
}

func TestJoinName(t *testing.T) {
	for _, tc := range []struct {
		dir, base, want string
		off             int
	}{
		{"t", "a", "t/a", 2},
		{"t/", "a", "t/a", 2},
		{"t2//", "a", "t2/a", 3},
		{"d//", "e", "d/e", 2},
		{".", "d", "./d", 2},
		{"/", "tmp", "/tmp", 1},
		{"/", "/tmp/x", "/tmp/x", 1},
		{"t4", "/tmp/t1/d", "t4/tmp/t1/d", 2},
		{"t", "./d/f", "t/./d/f", 2},
	} {
		got, off := joinName(tc.dir, tc.base)
		if got != tc.want || off != tc.off {
			t.Errorf("joinName(%q, %q) = %q, %d; want %q, %d", tc.dir, tc.base, got, off, tc.want, tc.off)
		}
	}
}

func TestSkipXattr(t *testing.T) {
	for name, skip := range map[string]bool{
		"user.color":               false,
		"trusted.x":                false,
		"security.capability":      false,
		"system.posix_acl_access":  true,
		"system.posix_acl_default": true,
		"system.nfs4_acl":          true,
		"security.selinux":         true,
		"security.evm":             true,
		"trusted.SGI_ACL_FILE":     true,
		"xfsroot.x":                true,
		"user.Beagle.x":            true,
		"afs.x":                    true,
	} {
		if got := skipXattr(name); got != skip {
			t.Errorf("skipXattr(%q) = %v; want %v", name, got, skip)
		}
	}
}

func TestStrmode(t *testing.T) {
	for mode, want := range map[uint32]string{
		0o100644: "-rw-r--r--",
		0o040755: "drwxr-xr-x",
		0o104755: "-rwsr-xr-x",
		0o102644: "-rw-r-Sr--",
		0o041777: "drwxrwxrwt",
		0o041776: "drwxrwxrwT",
		0o120777: "lrwxrwxrwx",
		0o010600: "prw-------",
	} {
		if got := strmode(mode); got != want {
			t.Errorf("strmode(%o) = %q; want %q", mode, got, want)
		}
	}
}
