package catfmt

import "bytes"

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

		if !f.special[c] {
			// A run of bytes that are copied as they are.
			j := len(p)
			if f.onlyNL {
				if k := bytes.IndexByte(p[i+1:], '\n'); k >= 0 {
					j = i + 1 + k
				}
			} else {
				for k := i + 1; k < len(p); k++ {
					if f.special[p[k]] {
						j = k
						break
					}
				}
			}
			k := copy(buf[len(buf):cap(buf)], p[i:j])
			buf = buf[:len(buf)+k]
			i += k
			continue
		}

		i++
		switch {
		case c == '\n':
			if f.o.ShowEnds {
				buf = append(buf, '$')
			}
			buf = append(buf, '\n')
			f.bol = true
		case c == '\t': // special only under -T
			buf = append(buf, '^', 'I')
		case c == '\r' && !f.o.ShowNonprinting: // special only under -E
			f.cr = true
		default:
			buf = appendVisible(buf, c)
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
// under o, and whether '\n' is the only one of them.
func specialTable(o Options) (t *[256]bool, onlyNL bool) {
	t = new([256]bool)
	t['\n'] = true
	if o.ShowNonprinting {
		for c := 0; c < 0x20; c++ {
			t[c] = true
		}
		for c := 0x7f; c < 0x100; c++ {
			t[c] = true
		}
		t['\t'] = false
	}
	if o.ShowTabs {
		t['\t'] = true
	}
	if o.ShowEnds {
		t['\r'] = true
	}
	return t, !o.ShowNonprinting && !o.ShowTabs && !o.ShowEnds
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
