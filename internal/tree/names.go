package tree

import "strings"

// The file-name helpers of gnulib that shape cp's destination names and
// messages ("d/" copied into "t" is "t/d"; "d//" joined with "e" is
// "d/e"). They are pure string functions, as gnulib's are: no system call,
// no cleaning of "." or "..".

// lastComponent is gnulib's last_component: the part after the last slash
// that is followed by something else ("a/b/" -> "b/", "/" -> "").
func lastComponent(name string) string {
	i := 0
	for i < len(name) && name[i] == '/' {
		i++
	}
	base := i
	lastWasSlash := false
	for ; i < len(name); i++ {
		if name[i] == '/' {
			lastWasSlash = true
		} else if lastWasSlash {
			base = i
			lastWasSlash = false
		}
	}
	return name[base:]
}

// baseLen is gnulib's base_len: the length of base without its trailing
// slashes, keeping one slash of a name made only of slashes.
func baseLen(base string) int {
	n := len(base)
	for n > 1 && base[n-1] == '/' {
		n--
	}
	return n
}

// joinName is gnulib's file_name_concat: dir and base with one slash
// between them, dir's trailing slashes dropped, and base's leading slashes
// dropped when dir is a root. It also returns where base starts.
func joinName(dir, base string) (string, int) {
	dirbase := lastComponent(dir)
	dirbaseLen := baseLen(dirbase)
	dirLen := len(dir) - len(dirbase) + dirbaseLen
	sep := ""
	if dirbaseLen > 0 {
		if dir[dirLen-1] != '/' && !strings.HasPrefix(base, "/") {
			sep = "/"
		}
	} else {
		base = strings.TrimLeft(base, "/")
	}
	return dir[:dirLen] + sep + base, dirLen + len(sep)
}

// join is joinName without the offset.
func join(dir, base string) string {
	s, _ := joinName(dir, base)
	return s
}

// stripTrailingSlashes is gnulib's strip_trailing_slashes: "a//" -> "a",
// "/" stays "/".
func stripTrailingSlashes(name string) string {
	base := lastComponent(name)
	if base == "" {
		base = name
	}
	start := len(name) - len(base)
	return name[:start+baseLen(base)]
}

// dirLen is gnulib's dir_len: the length of the directory part of name,
// without the slashes that end it, keeping a leading slash.
func dirLen(name string) int {
	prefix := 0
	if strings.HasPrefix(name, "/") {
		prefix = 1
	}
	n := len(name) - len(lastComponent(name))
	for ; prefix < n; n-- {
		if name[n-1] != '/' {
			break
		}
	}
	return n
}

// dirName is gnulib's dir_name: the directory part of name, "." if none.
func dirName(name string) string {
	n := dirLen(name)
	if n == 0 {
		return "."
	}
	return name[:n]
}
