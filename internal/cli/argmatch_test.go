package cli

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// backupNames and backupValues are GNU's backup-type table (gnulib
// backupfile.c), with its synonyms.
var (
	backupNames  = []string{"none", "off", "simple", "never", "existing", "nil", "numbered", "t"}
	backupValues = []int{0, 0, 1, 1, 2, 2, 3, 3}
)

func TestArgMatchValues(t *testing.T) {
	tests := []struct {
		names  []string
		values []int
		in     string
		want   int // -1: invalid, -2: ambiguous
	}{
		{backupNames, backupValues, "none", 0},
		{backupNames, backupValues, "t", 7},
		{backupNames, backupValues, "nu", 6},
		{backupNames, backupValues, "ni", 5},
		{backupNames, backupValues, "s", 2},
		{backupNames, backupValues, "n", -2},
		{backupNames, backupValues, "x", -1},
		{backupNames, backupValues, "nonex", -1},
		// A prefix of two synonyms only is no ambiguity.
		{[]string{"never", "nope", "always"}, []int{1, 1, 2}, "n", 0},
		{[]string{"never", "nope", "always"}, []int{1, 1, 2}, "", -2},
	}
	for _, tt := range tests {
		got, err := ArgMatchValues("ctx", tt.in, tt.names, tt.values)
		switch {
		case tt.want >= 0 && (got != tt.want || err != nil):
			t.Errorf("ArgMatchValues(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		case tt.want == -1 && (err == nil || !strings.HasPrefix(err.Error(), "invalid argument")):
			t.Errorf("ArgMatchValues(%q) = %d, %v; want invalid", tt.in, got, err)
		case tt.want == -2 && (err == nil || !strings.HasPrefix(err.Error(), "ambiguous argument")):
			t.Errorf("ArgMatchValues(%q) = %d, %v; want ambiguous", tt.in, got, err)
		}
	}
}

// TestArgMatchMatchesGNU compares the whole complaint, quoting included,
// with GNU cp's for its argmatch tables, in the C and a UTF-8 locale.
func TestArgMatchMatchesGNU(t *testing.T) {
	if _, err := os.Stat("/usr/bin/cp"); err != nil {
		t.Skip("no GNU cp to compare with")
	}
	values := []string{"foo", "a", "", "a b", "a'b", "a\nb", "a\tb", `a\b`, `a"b`, "é", "\xff", "\x01", "a\x7f",
		"\u00a0", "\u200b", "\u0085", "\ufeff", "\ue000", "\u0378", "\u2028", "\U0001F600", "\u2018x\u2019", "`x", "?? x"}
	tables := []struct {
		option, context string
		names           []string
		values          []int
	}{
		{"--reflink", "--reflink", []string{"auto", "always", "never"}, nil},
		{"--sparse", "--sparse", []string{"never", "auto", "always"}, nil},
		{"--preserve", "--preserve", []string{"mode", "timestamps", "ownership", "links", "context", "xattr", "all"}, nil},
		{"--backup", "backup type", backupNames, backupValues},
	}
	dir := t.TempDir()
	compared := 0
	for _, loc := range []string{"C", "C.UTF-8"} {
		t.Setenv("LC_ALL", loc)
		relookLocale(t)
		for _, tb := range tables {
			for _, v := range values {
				if v == "" && tb.option == "--backup" {
					continue // cp takes an empty --backup as no argument
				}
				cmd := exec.Command("/usr/bin/cp", tb.option+"="+v, "a", "b")
				cmd.Dir = dir
				out, _ := cmd.CombinedOutput()
				want, ok := strings.CutPrefix(string(out), "/usr/bin/cp: ")
				if !ok || !strings.Contains(want, "\nTry") {
					continue // GNU accepted it (a prefix) and failed on the operands
				}
				want = want[:strings.Index(want, "\nTry")]
				compared++
				var err error
				if tb.values == nil {
					_, err = ArgMatch(tb.context, v, tb.names)
				} else {
					_, err = ArgMatchValues(tb.context, v, tb.names, tb.values)
				}
				if err == nil {
					t.Errorf("%s %s=%q: accepted; GNU says %q", loc, tb.option, v, want)
				} else if err.Error() != want {
					t.Errorf("%s %s=%q:\n got %q\nwant %q", loc, tb.option, v, err.Error(), want)
				}
			}
		}
	}
	if compared < 150 {
		t.Errorf("only %d complaints of GNU cp compared", compared)
	}
}

// TestUTF8LocaleMatchesGNU asks GNU cp which quotes each locale setting
// gives, installed or not.
func TestUTF8LocaleMatchesGNU(t *testing.T) {
	if _, err := os.Stat("/usr/bin/cp"); err != nil {
		t.Skip("no GNU cp to compare with")
	}
	envs := [][]string{
		{"LC_ALL=C"}, {"LC_ALL=C.UTF-8"}, {"LC_ALL=C.utf8"}, {"LC_ALL=C.UTF8"}, {"LC_ALL=C.utf-8"},
		{"LC_ALL=C.UTF-8@euro"}, {"LC_ALL=c.utf8"}, {"LC_ALL=POSIX.UTF-8"}, {"LC_ALL=en_US.UTF-8"},
		{"LC_ALL=xx_YY.UTF-8"}, {"LC_ALL=C", "LC_CTYPE=C.UTF-8"}, {"LC_CTYPE=C.UTF-8"},
		{"LC_CTYPE=C", "LANG=C.UTF-8"}, {"LANG=C.UTF-8"}, {"LC_MESSAGES=C.UTF-8"}, {"LC_ALL=", "LANG=C.UTF-8"}, {},
	}
	for _, env := range envs {
		cmd := exec.Command("/usr/bin/cp", "--sparse=x", "a", "b")
		cmd.Env = env
		out, _ := cmd.CombinedOutput()
		want := strings.Contains(string(out), "\u2018x\u2019")
		if !want && !strings.Contains(string(out), "'x'") {
			t.Fatalf("%q: GNU cp said %q", env, out)
		}
		for _, v := range []string{"LC_ALL", "LC_CTYPE", "LANG", "LC_MESSAGES", "LOCPATH"} {
			t.Setenv(v, "")
			os.Unsetenv(v)
		}
		for _, kv := range env {
			k, v, _ := strings.Cut(kv, "=")
			os.Setenv(k, v)
		}
		relookLocale(t)
		if got := utf8Locale(); got != want {
			t.Errorf("%q: utf8Locale() = %v; GNU's quotes say %v", env, got, want)
		}
	}
}

// TestUTF8LocaleNamed finds locales as glibc does: in the directories
// (LOCPATH's, else the default one) and in locale-archive.
func TestUTF8LocaleNamed(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"xx_YY.utf8", "zz_ZZ.UTF-8"} {
		if err := os.MkdirAll(filepath.Join(dir, n), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n, "LC_CTYPE"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeArchive(t, filepath.Join(dir, "locale-archive"), "ar_AR.utf8", "de_DE.utf8@euro")
	tests := []struct {
		name, locpath string
		want          bool
	}{
		{"C.UTF-8", "", true},
		{"xx_YY.UTF-8", "", true},
		{"xx_YY.utf8", "", true},
		{"xx_YY.UTF-8@mod", "", true},
		{"xx_YY", "", false},
		{"xx_YY.ISO-8859-1", "", false},
		{"zz_ZZ.UTF-8", "", true},
		{"yy_YY.UTF-8", "", false},
		{"ar_AR.UTF-8", "", true},
		{"de_DE.UTF-8@euro", "", true},
		{"de_DE.UTF-8", "", false},
		// With LOCPATH, glibc skips the archive.
		{"ar_AR.UTF-8", t.TempDir(), false},
		{"xx_YY.UTF-8", dir, true},
		{"../x/xx_YY.UTF-8", "", false},
	}
	for _, tt := range tests {
		if got := utf8LocaleNamed(tt.name, tt.locpath, dir); got != tt.want {
			t.Errorf("utf8LocaleNamed(%q, LOCPATH=%q) = %v; want %v", tt.name, tt.locpath, got, tt.want)
		}
	}
	if got := inArchive(filepath.Join(dir, "xx_YY.utf8", "LC_CTYPE"), "xx_YY.utf8"); got {
		t.Errorf("inArchive(not an archive) = true")
	}
}

// writeArchive writes a locale-archive that holds names, in the layout
// glibc's locale/locarchive.h gives it (struct locarhead, then the name
// hash, then the strings).
func writeArchive(t *testing.T, path string, names ...string) {
	t.Helper()
	const headSize, hashSize = 56, 7
	hashOff := uint32(headSize)
	strOff := hashOff + hashSize*12
	var strs []byte
	table := make([]uint32, hashSize*3)
	for i, n := range names {
		slot := (i*3 + 2) % hashSize // not in order, with free slots between
		table[slot*3] = uint32(len(n))
		table[slot*3+1] = strOff + uint32(len(strs))
		strs = append(append(strs, n...), 0)
	}
	head := make([]uint32, headSize/4)
	head[0], head[2], head[3], head[4] = archiveMagic, hashOff, uint32(len(names)), hashSize
	head[5], head[6], head[7] = strOff, uint32(len(strs)), uint32(len(strs))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, part := range []any{head, table, strs} {
		if err := binary.Write(f, binary.NativeEndian, part); err != nil {
			t.Fatal(err)
		}
	}
}

// relookLocale makes utf8Locale read the environment again, which a
// process does once (the commands' locale never changes while they run).
func relookLocale(t *testing.T) {
	utf8LocaleOnce = sync.OnceValue(lookupUTF8Locale)
	t.Cleanup(func() { utf8LocaleOnce = sync.OnceValue(lookupUTF8Locale) })
}
