// Package catfmt formats a byte stream as GNU cat's -b, -n, -s, -E, -T and -v
// options (and -A, -e, -t, which expand to them) do, byte for byte as GNU
// coreutils 9.1 does.
//
// The formatting state (the line number, whether the previous line was blank,
// a line left without its newline, a carriage return waiting for its newline)
// belongs to the whole output, not to one input file: GNU cat carries it from
// one operand to the next, so `cat -n a b` numbers b's lines after a's, and a
// last line of a without a newline continues with b's first line.
//
// Output is buffered (GNU cat buffers 128 KiB) and reaches the io.Writer only
// when the buffer is full, on Flush and on Close.
package catfmt

import "io"

// Options are GNU cat's formatting options after expansion (-A = -vET,
// -e = -vE, -t = -vT).
type Options struct {
	NumberNonBlank  bool // -b (overrides -n)
	Number          bool // -n
	ShowEnds        bool // -E
	Squeeze         bool // -s
	ShowTabs        bool // -T
	ShowNonprinting bool // -v
}

// Active reports whether any option changes the bytes (plain cat otherwise).
func (o Options) Active() bool {
	return o.NumberNonBlank || o.Number || o.ShowEnds || o.Squeeze || o.ShowTabs || o.ShowNonprinting
}

// bufSize is the size of the output buffer: GNU cat's output blocks are
// 128 KiB (io_blksize), and so are zcopy's writes.
const bufSize = 128 << 10

// reserve is the room one step of format may need beyond a run of plain
// bytes: a line number (at most len(lineNum)), "^M" for a held carriage
// return, "$\n", and the four bytes of "M-^X". Every step starts with at
// least this much free space, so only the copy of a run and the -v loop,
// which take many bytes in one step, check the bound as they go.
const reserve = 64

// Formatter formats a stream that may span several input files: line
// numbers, squeezing and a last line without newline carry over from one
// file to the next, exactly as GNU cat does. Close it at the end of the
// input: under -E a final "\r" waits for the next byte until then.
type Formatter struct {
	o      Options
	active bool
	number bool // number some lines (-n or -b)
	// special[c] is true for the bytes that end a run of bytes copied as
	// they are: '\n' always, '\t' under -T, '\r' under -E.
	special *[256]bool
	onlyNL  bool // '\n' is the only special byte (bytes.IndexByte finds it)
	// vis is -v's notation of each byte, nil without -v.
	vis *[256]visible

	w   io.Writer
	buf []byte // pending output; cap(buf) is fixed, never appended past
	err error  // first write error; every later call returns it

	bol   bool // at the beginning of a line: no byte of it seen yet
	blank bool // the previous line was empty ("\n" alone); for -s
	cr    bool // a '\r' is held back: under -E without -v, "\r\n" shows as "^M$"
	num   lineNum
}

// New returns a Formatter that writes the formatted bytes to w.
func New(o Options, w io.Writer) *Formatter {
	return newSize(o, w, bufSize)
}

// newSize is New with an output buffer of size bytes (size > reserve); tests
// use tiny buffers to reach every flush point.
func newSize(o Options, w io.Writer, size int) *Formatter {
	if size <= reserve {
		panic("catfmt: buffer smaller than reserve")
	}
	if o.NumberNonBlank {
		o.Number = false
	}
	f := &Formatter{
		o:      o,
		active: o.Active(),
		number: o.Number || o.NumberNonBlank,
		w:      w,
		buf:    make([]byte, 0, size),
		bol:    true,
	}
	f.special, f.onlyNL = specialTable(o)
	if o.ShowNonprinting {
		f.vis = visibleTable(o.ShowTabs)
	}
	f.num.init()
	return f
}

// Write formats p (any chunking of the input gives the same output). It
// returns len(p) and a nil error unless writing a full buffer failed; then it
// returns how many bytes of p were formatted into the buffer, and the error,
// which every later call returns too.
func (f *Formatter) Write(p []byte) (n int, err error) {
	if f.err != nil {
		return 0, f.err
	}
	for n < len(p) {
		if cap(f.buf)-len(f.buf) < reserve {
			if err := f.flush(); err != nil {
				return n, err
			}
		}
		if f.active {
			n += f.format(p[n:])
		} else {
			k := copy(f.buf[len(f.buf):cap(f.buf)], p[n:])
			f.buf = f.buf[:len(f.buf)+k]
			n += k
		}
	}
	return n, nil
}

// Flush writes what is buffered (call it before any pause where cat -u would
// have written). A carriage return that ends the input so far stays held under
// -E without -v, as GNU cat holds it: whether it shows as "\r" or as "^M"
// depends on the next byte. Close writes it at the end of the input.
func (f *Formatter) Flush() error {
	if f.err != nil {
		return f.err
	}
	return f.flush()
}

// Close ends the input: it writes a held carriage return as it is (GNU cat
// shows "\r" raw when no newline follows it) and flushes. It does not close
// the underlying io.Writer.
func (f *Formatter) Close() error {
	if f.err != nil {
		return f.err
	}
	if f.cr {
		if len(f.buf) == cap(f.buf) {
			if err := f.flush(); err != nil {
				return err
			}
		}
		f.buf = append(f.buf, '\r')
		f.cr = false
	}
	return f.flush()
}

// flush writes the buffer through, as bufio.Writer does: a writer that
// writes less than asked without an error gets io.ErrShortWrite.
func (f *Formatter) flush() error {
	if len(f.buf) == 0 {
		return nil
	}
	n, err := f.w.Write(f.buf)
	if n < len(f.buf) && err == nil {
		err = io.ErrShortWrite
	}
	if err != nil {
		f.err = err
		return err
	}
	f.buf = f.buf[:0]
	return nil
}
