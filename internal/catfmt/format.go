package catfmt

import (
	"bytes"
	"encoding/binary"
)

// format formats a prefix of p into f.buf and returns its length. It stops
// when p is consumed or when fewer than reserve bytes of the buffer are free;
// it never grows the buffer.
//
// The state machine, as GNU cat 9.1's output shows it:
//   - A line starts at its first byte, so nothing is printed for a line that
//     has not begun: "a\n" under -n gives "     1\ta\n" and no number after.
//   - An empty line is a '\n' at the beginning of a line. Under -s it is
//     dropped when the previous line was empty too; the start of the input
//     counts as after a non-empty line. -n numbers it, -b does not.
//   - Under -E without -v, "\r\n" shows as "^M$\n" and any other '\r' stays
//     raw; the '\r' belongs to its line (it is numbered, and it is not blank).
//     Since the next byte may arrive in a later Write, the '\r' is held.
//   - -v shows bytes 0x80-0xff as "M-" and the notation of the byte minus
//     0x80, control bytes as "^" and the byte plus 0x40, and 0x7f as "^?",
//     except '\n', and '\t' unless -T also applies ("M-^I" is still shown).
func (f *Formatter) format(p []byte) int {
	buf := f.buf
	limit := cap(buf) - reserve
	i := 0
	for i < len(p) && len(buf) <= limit {
		c := p[i]
		if f.cr {
			f.cr = false
			if c == '\n' {
				buf = append(buf, '^', 'M')
			} else {
				buf = append(buf, '\r')
			}
		} else if f.bol {
			if c == '\n' {
				i++
				if f.o.Squeeze && f.blank {
					continue
				}
				f.blank = true
				if f.o.Number {
					buf = f.num.next(buf)
				}
				if f.o.ShowEnds {
					buf = append(buf, '$')
				}
				buf = append(buf, '\n')
				continue
			}
			f.bol = false
			f.blank = false
			if f.number {
				buf = f.num.next(buf)
			}
		}

		if f.vis != nil {
			// -v: every byte but '\n' goes through the table, four bytes
			// stored at once (reserve leaves room) and the length kept.
			k, w := visibleRun(buf[:cap(buf)], len(buf), limit, p[i:], f.vis)
			buf = buf[:w]
			i += k
			if i == len(p) || len(buf) > limit {
				break
			}
			c = p[i]
		}

		if !f.special[c] {
			// A run of bytes that are copied as they are.
			j := len(p)
			if f.onlyNL {
				if k := bytes.IndexByte(p[i+1:], '\n'); k >= 0 {
					j = i + 1 + k
				}
			} else {
				j = i + 1 + plainRun(p[i+1:], f.special)
			}
			k := copy(buf[len(buf):cap(buf)], p[i:j])
			buf = buf[:len(buf)+k]
			i += k
			continue
		}

		// The special bytes left: -v's notation took all but '\n' above.
		i++
		switch c {
		case '\n':
			if f.o.ShowEnds {
				buf = append(buf, '$')
			}
			buf = append(buf, '\n')
			f.bol = true
		case '\t': // under -T
			buf = append(buf, '^', 'I')
		case '\r': // under -E
			f.cr = true
		}
	}
	f.buf = buf
	return i
}

// appendVisible appends -v's notation of c: "M-" for the high bit, then "^"
// and the byte plus 0x40 for a control byte, "^?" for DEL, or the byte itself.
func appendVisible(buf []byte, c byte) []byte {
	if c >= 0x80 {
		buf = append(buf, 'M', '-')
		c -= 0x80
	}
	switch {
	case c < 0x20:
		return append(buf, '^', c+0x40)
	case c == 0x7f:
		return append(buf, '^', '?')
	}
	return append(buf, c)
}

// specialTable returns the bytes that end a run of bytes copied as they are
// under o, and whether '\n' is the only one of them. Under -v, the table of
// visibleRun comes first and leaves only '\n' to this one.
func specialTable(o Options) (t *[256]bool, onlyNL bool) {
	t = new([256]bool)
	t['\n'] = true
	if o.ShowTabs {
		t['\t'] = true
	}
	if o.ShowEnds {
		t['\r'] = true
	}
	return t, !o.ShowTabs && !o.ShowEnds
}

// lineNum is the next line number as GNU cat prints it: right-aligned in a
// field of six, wider once the number needs more digits, then a tab. The
// number is kept in decimal and incremented in place, so printing it costs a
// copy. Its 30 digits cannot overflow: at 10^10 lines a second that would
// take some 3*10^12 centuries.
type lineNum struct {
	b     [32]byte // spaces, the digits, '\t'
	start int      // the printed field is b[start:]
}

func (l *lineNum) init() {
	for i := range l.b {
		l.b[i] = ' '
	}
	l.b[len(l.b)-1] = '\t'
	l.b[len(l.b)-2] = '0'
	l.start = len(l.b) - 7
}

// next increments the number and appends its field to buf.
func (l *lineNum) next(buf []byte) []byte {
	k := len(l.b) - 2
	for l.b[k] == '9' {
		l.b[k] = '0'
		k--
	}
	if l.b[k] == ' ' {
		l.b[k] = '1'
		l.start = min(l.start, k)
	} else {
		l.b[k]++
	}
	return append(buf, l.b[l.start:]...)
}

// visible is how -v shows a byte: n bytes packed little-endian in b, or
// n == 0 for '\n', which the state machine handles.
type visible struct {
	b uint32
	n uint8
}

// plainRun returns the length of the longest prefix of p without a special
// byte.
func plainRun(p []byte, special *[256]bool) int {
	for i, c := range p {
		if special[c] {
			return i
		}
	}
	return len(p)
}

// visibleRun writes the -v notation of p's bytes into out from out[w],
// stopping before a '\n' and once w passes limit, and returns how many bytes
// of p it took and where it stopped writing. Each byte's notation goes out as
// four bytes at once (w <= limit leaves room for them), of which n count.
func visibleRun(out []byte, w, limit int, p []byte, vis *[256]visible) (int, int) {
	for i, c := range p {
		e := vis[c]
		if e.n == 0 || w > limit {
			return i, w
		}
		binary.LittleEndian.PutUint32(out[w:w+4], e.b)
		w += int(e.n)
	}
	return len(p), w
}

// visibleTable returns the -v notation of every byte, with tabs as "^I"
// under -T.
func visibleTable(showTabs bool) *[256]visible {
	t := new([256]visible)
	var tmp [4]byte
	for c := 0; c < 256; c++ {
		var v []byte
		switch {
		case c == '\n':
		case c == '\t' && !showTabs:
			v = append(tmp[:0], '\t')
		default:
			v = appendVisible(tmp[:0], byte(c))
		}
		var full [4]byte
		copy(full[:], v)
		t[c] = visible{b: binary.LittleEndian.Uint32(full[:]), n: uint8(len(v))}
	}
	return t
}
