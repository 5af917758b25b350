package tree

import (
	"strings"
	"testing"
)

func TestBackupSuffix(t *testing.T) {
	for in, want := range map[string]string{
		"": "~", "~": "~", ".bak": ".bak", "x/y": "~", "/": "~", "/x": "~",
		"x/": "x/", ".~1~": ".~1~",
	} {
		if got := BackupSuffix(in); got != want {
			t.Errorf("BackupSuffix(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestNumbered(t *testing.T) {
	tests := []struct {
		names         string
		version       string
		found, longer bool
	}{
		{"", "1", false, false},
		{"f f~ f.~~ f.~0~ f.~01~ f.~x~ f.~1x~ f.~1 ff.~4~ g.~5~ f.~3~x", "1", false, false},
		{"f.~1~", "2", true, false},
		{"f.~1~ f.~10~ f.~9~ f.~2~", "11", true, false},
		{"f.~9~", "10", true, true},
		{"f.~99~ f.~100~", "101", true, false},
		{"f.~199~", "200", true, false},
		{"f.~999999999999999999999999~", "1000000000000000000000000", true, true},
	}
	for _, tt := range tests {
		s := newNumbered("f")
		for _, n := range strings.Fields(tt.names) {
			s.add([]byte(n))
		}
		v, found, longer := s.next()
		if v != tt.version || found != tt.found || longer != tt.longer {
			t.Errorf("numbered(f) after %q: next() = %q, %v, %v; want %q, %v, %v",
				tt.names, v, found, longer, tt.version, tt.found, tt.longer)
		}
	}
}

func TestShortenBackup(t *testing.T) {
	tests := []struct {
		name    string
		origLen int
		max     int
		want    string
		fits    bool
	}{
		{"d/abc.~1~", 5, 254, "d/abc.~1~", true},
		{"d/abcdef.~1~", 8, 8, "d/abcdef~", false},
		{"d/abcdefgh.~1~", 10, 8, "d/abcdefg~", false},
		{"abcdefgh~", 8, 8, "abcdefg~", false},
	}
	for _, tt := range tests {
		got, fits := shortenBackup(tt.name, tt.origLen, tt.max)
		if got != tt.want || fits != tt.fits {
			t.Errorf("shortenBackup(%q, %d, %d) = %q, %v; want %q, %v", tt.name, tt.origLen, tt.max, got, fits, tt.want, tt.fits)
		}
	}
}

func TestDotOrDotDot(t *testing.T) {
	for in, want := range map[string]bool{
		".": true, "..": true, "./": true, "../": true, "...": false, ".a": false, "a": false, "": false, "..a": false,
	} {
		if got := dotOrDotDot(in); got != want {
			t.Errorf("dotOrDotDot(%q) = %v; want %v", in, got, want)
		}
	}
}
