package cli

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// utf8Locale reports whether GNU's setlocale(LC_ALL, "") would give this
// process a UTF-8 LC_CTYPE, which is what makes quote() use ‘curly’ quotes.
// The name comes from LC_ALL, else LC_CTYPE, else LANG; glibc falls back
// to the C locale, and plain apostrophes, when no such locale is installed
// (LC_ALL=en_US.UTF-8 on a system that has only C.UTF-8), so the locale
// must exist, not only be named.
func utf8Locale() bool { return utf8LocaleOnce() }

// utf8LocaleOnce looks the locale up once: every quoted name asks.
var utf8LocaleOnce = sync.OnceValue(lookupUTF8Locale)

func lookupUTF8Locale() bool {
	return utf8LocaleNamed(localeName(), os.Getenv("LOCPATH"), defaultLocaleDir)
}

// defaultLocaleDir is glibc's compiled-in locale directory (and home of
// locale-archive) on Linux distributions.
const defaultLocaleDir = "/usr/lib/locale"

func localeName() string {
	for _, v := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if l := os.Getenv(v); l != "" {
			return l
		}
	}
	return ""
}

// utf8LocaleNamed says whether the locale name, looked up as glibc does
// (its built-in C.UTF-8, then locale-archive unless LOCPATH is set, then
// the directories), is a UTF-8 locale. Only names that say their codeset
// count: a locale named without one ("en_US") could be UTF-8 by its
// definition, which would take reading its LC_CTYPE to know.
func utf8LocaleNamed(name, locpath, dir string) bool {
	base, codeset, modifier := splitLocale(name)
	if normalizeCodeset(codeset) != "utf8" || strings.ContainsRune(name, '/') {
		return false
	}
	if name == "C.UTF-8" || name == "C.utf8" {
		return true // built into glibc since 2.35
	}
	norm := base + "." + normalizeCodeset(codeset)
	if locpath == "" && inArchive(filepath.Join(dir, "locale-archive"), norm+modifier, norm) {
		return true
	}
	dirs := []string{dir}
	if locpath != "" {
		dirs = filepath.SplitList(locpath)
	}
	for _, d := range dirs {
		// glibc's search also drops the modifier (C.UTF-8@x finds C.utf8).
		for _, n := range []string{name, norm + modifier, base + "." + codeset, norm} {
			if st, err := os.Stat(filepath.Join(d, n, "LC_CTYPE")); err == nil && st.Mode().IsRegular() {
				return true
			}
		}
	}
	return false
}

// splitLocale cuts language[_territory][.codeset][@modifier] into
// "language_territory", "codeset" and "@modifier".
func splitLocale(name string) (base, codeset, modifier string) {
	if i := strings.IndexByte(name, '@'); i >= 0 {
		name, modifier = name[:i], name[i:]
	}
	base, codeset, _ = strings.Cut(name, ".")
	return base, codeset, modifier
}

// normalizeCodeset is glibc's _nl_normalize_codeset: letters lowercased,
// digits kept, the rest dropped, "iso" before an all-digit result.
func normalizeCodeset(cs string) string {
	var b strings.Builder
	digits := true
	for _, c := range []byte(cs) {
		switch {
		case 'A' <= c && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
			digits = false
		case 'a' <= c && c <= 'z':
			b.WriteByte(c)
			digits = false
		case '0' <= c && c <= '9':
			b.WriteByte(c)
		}
	}
	if digits && b.Len() > 0 {
		return "iso" + b.String()
	}
	return b.String()
}

// archiveMagic opens glibc's locale-archive (locale/locarchive.h).
const archiveMagic = 0xde020109

// inArchive reports whether glibc's locale archive at path holds one of
// names. The archive starts with struct locarhead (native-endian uint32s:
// magic, serial, namehash_offset, namehash_used, namehash_size,
// string_offset, string_used, ...); the name hash is namehash_size
// entries of {hashval, name_offset, locrec_offset}, name_offset 0 when
// free, pointing at a NUL-terminated name in the file.
func inArchive(path string, names ...string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var h [8]uint32
	if binary.Read(f, binary.NativeEndian, &h) != nil || h[0] != archiveMagic {
		return false
	}
	hashOff, hashSize, strOff, strUsed := int64(h[2]), int64(h[4]), int64(h[5]), int64(h[6])
	if hashSize > 1<<20 || strUsed > 64<<20 {
		return false
	}
	table := make([]byte, hashSize*12)
	strs := make([]byte, strUsed)
	if _, err := f.ReadAt(table, hashOff); err != nil {
		return false
	}
	if _, err := f.ReadAt(strs, strOff); err != nil {
		return false
	}
	for i := int64(0); i < hashSize; i++ {
		off := int64(binary.NativeEndian.Uint32(table[i*12+4:])) - strOff
		if off < 0 || off >= strUsed {
			continue
		}
		name := strs[off:]
		if end := bytes.IndexByte(name, 0); end >= 0 {
			name = name[:end]
		}
		for _, n := range names {
			if string(name) == n {
				return true
			}
		}
	}
	return false
}
