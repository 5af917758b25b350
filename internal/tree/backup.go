package tree

import "strings"

// Backup says how an existing destination is kept before it is replaced
// (cp's --backup, Emacs' version-control names).
type Backup uint8

// The backup controls.
const (
	BackupNone     Backup = iota // none, off: replace it
	BackupSimple                 // simple, never: rename it to NAME + suffix
	BackupExisting               // existing, nil: numbered where numbered backups exist, else simple
	BackupNumbered               // numbered, t: rename it to NAME.~N~, N one above the highest
)

// BackupSuffix is the suffix of simple backups that s, from -S or else
// from SIMPLE_BACKUP_SUFFIX, asks for: s itself if it is its own last
// component (gnulib's test: not empty, no leading slash, no slash
// followed by something else), "~" otherwise.
func BackupSuffix(s string) string {
	if s == "" || lastComponent(s) != s {
		return "~"
	}
	return s
}

// numbered finds the version of the next numbered backup of a file (the
// N of base.~N~) among the names of its directory, given to add one by
// one: one above the highest there, compared as decimal strings of any
// length, so that no number overflows.
type numbered struct {
	prefix string // base + ".~"
	high   string // the highest version seen, "" for none
}

func newNumbered(base string) *numbered { return &numbered{prefix: base + ".~"} }

// add counts name if it is a numbered backup: prefix, a version with no
// leading zero, "~".
func (s *numbered) add(name []byte) {
	n := len(s.prefix)
	if len(name) < n+2 || string(name[:n]) != s.prefix || name[len(name)-1] != '~' {
		return
	}
	v := name[n : len(name)-1]
	if v[0] < '1' || v[0] > '9' {
		return
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return
		}
	}
	if len(v) > len(s.high) || (len(v) == len(s.high) && string(v) > s.high) {
		s.high = string(v)
	}
}

// next returns the next version; found says that some numbered backup
// exists, longer that the new version has more digits than the highest
// (9...9 carried), which can make the name too long for the directory.
func (s *numbered) next() (version string, found, longer bool) {
	if s.high == "" {
		return "1", false, false
	}
	b := []byte(s.high)
	i := len(b) - 1
	for ; i >= 0 && b[i] == '9'; i-- {
		b[i] = '0'
	}
	if i < 0 {
		return "1" + string(b), true, true
	}
	b[i]++
	return string(b), true, false
}

// shortenBackup fits a backup name whose last component is too long for
// its directory (more than max bytes) as gnulib's check_extension does:
// the suffix added to the original name, of origLen bytes, becomes a
// single "~", cutting the original name to leave room for it.
func shortenBackup(name string, origLen, max int) (string, bool) {
	base := lastComponent(name)
	if baseLen(base) <= max {
		return name, true
	}
	dir := len(name) - len(base)
	keep := origLen - dir
	if keep >= max {
		keep = max - 1
	}
	return name[:dir+keep] + "~", false
}

// dotOrDotDot says that a last component is "." or "..", perhaps with a
// slash after it: a name whose destination is never backed up.
func dotOrDotDot(base string) bool {
	if !strings.HasPrefix(base, ".") {
		return false
	}
	rest := strings.TrimPrefix(base[1:], ".")
	return rest == "" || rest[0] == '/'
}
