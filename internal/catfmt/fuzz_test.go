package catfmt

import (
	"bytes"
	"testing"
)

// Bits of FuzzFormat's opts beyond the option bits.
const (
	fuzzTinyBuffer = 1 << optionBits       // format through a buffer of reserve+1+len(splits)%8 bytes
	fuzzFlushEach  = 1 << (optionBits + 1) // Flush after every Write
)

// splitInput cuts data into pieces whose lengths are the bytes of splits, in
// turn; the rest of data is the last piece. A zero length gives an empty
// piece, an empty file for GNU cat.
func splitInput(data, splits []byte) [][]byte {
	var pieces [][]byte
	for _, s := range splits {
		n := min(int(s), len(data))
		pieces = append(pieces, data[:n])
		data = data[n:]
	}
	return append(pieces, data)
}

// FuzzFormat formats data, cut at the split points, with the options of
// opts' low bits, and compares the output with GNU cat given the pieces as
// separate files: the pieces are both GNU's file boundaries and the
// Formatter's Write calls.
func FuzzFormat(f *testing.F) {
	needGNU(f)
	all := allBytes()
	for _, seed := range []struct {
		data   string
		opts   uint8
		splits string
	}{
		{"", 0, ""},
		{"\n", 2, ""},
		{"\n\n\n", 2 | 8, "\x01"},
		{"\n\n\n", 1 | 4 | 8, "\x01\x01"},
		{"a\r\nb\r\r\n\r", 4, "\x02\x03"},
		{"a\r\nb\r\r\n\r", 4 | 32, "\x02"},
		{"a\r", 4, ""},
		{"x\ty\t\n\t", 16, "\x02"},
		{"x\ty\t\n\t", 16 | 32 | 4, "\x00\x02"},
		{string(all), 32, "\x80\x80"},
		{string(all), 63, "\x10\x00\x40"},
		{string(all), 63 | fuzzTinyBuffer, "\x05\x07"},
		{"one\n\n\ntwo", 1 | 2 | 8 | fuzzFlushEach, "\x04\x01\x01"},
		{"no newline", 2, "\x03"},
		{"\r\n\r\n\n\n", 1 | 4 | 8 | fuzzTinyBuffer | fuzzFlushEach, "\x01\x01\x01"},
	} {
		f.Add([]byte(seed.data), seed.opts, []byte(seed.splits))
	}
	f.Fuzz(func(t *testing.T, data []byte, opts uint8, splits []byte) {
		if len(splits) > 16 {
			splits = splits[:16] // each piece is a file: keep the run short
		}
		mask := opts & (1<<optionBits - 1)
		pieces := splitInput(data, splits)
		want := runGNU(t, t.TempDir(), mask, pieces)
		size := bufSize
		if opts&fuzzTinyBuffer != 0 {
			size = reserve + 1 + len(splits)%8
		}
		got := formatAll(t, optionsOf(mask), size, opts&fuzzFlushEach != 0, pieces)
		if !bytes.Equal(got, want) {
			t.Errorf("%s, pieces %q: got %q; want %q", name(mask), pieces, got, want)
		}
	})
}

// operandsOf builds several operands from prog, two bytes per step, so
// that what carries over from one file to the next comes up often: runs
// of blank lines across a boundary (-s), a last line without its newline
// (continued by the next file, numbered once), a "\r" at the end of a
// file before a "\n" (-E), tabs and control bytes at a line's start, and
// empty files between. A step's first byte picks what it adds, the
// second how much.
func operandsOf(prog []byte) [][]byte {
	files := [][]byte{nil}
	for i := 0; i+1 < len(prog) && len(files) <= 16; i += 2 {
		n := 1 + int(prog[i+1])%5
		cur := &files[len(files)-1]
		switch prog[i] % 8 {
		case 0: // end this file, start the next
			files = append(files, nil)
		case 1:
			*cur = append(*cur, bytes.Repeat([]byte("\n"), n)...)
		case 2:
			*cur = append(*cur, bytes.Repeat([]byte("text\n"), n)...)
		case 3: // a line without its newline
			*cur = append(*cur, "partial"[:n]...)
		case 4:
			*cur = append(*cur, bytes.Repeat([]byte("\r"), n)...)
		case 5:
			*cur = append(*cur, bytes.Repeat([]byte("\t"), n)...)
		case 6:
			*cur = append(*cur, prog[i+1], '\x7f', '\x80'+prog[i+1]%0x20)
		case 7: // empty files
			for ; n > 0; n-- {
				files = append(files, nil)
			}
		}
	}
	return files
}

// wideStart is what fuzzWide puts first: 999998 empty lines, so that the
// line numbers grow past six columns inside the operands that follow.
var wideStart = bytes.Repeat([]byte("\n"), 999_998)

// fuzzWide is the bit of FuzzFormatOperands' opts that starts with
// wideStart.
const fuzzWide = fuzzTinyBuffer

// FuzzFormatOperands compares the Formatter with GNU cat on several
// operands built by operandsOf, each one Write and a Flush (zcat flushes
// at the end of each operand, as GNU cat writes its buffer out), with the
// options of opts' low bits.
func FuzzFormatOperands(f *testing.F) {
	needGNU(f)
	for _, seed := range []struct {
		prog string
		opts uint8
	}{
		{"\x01\x02\x00\x00\x01\x02", 8 | 2},             // blank runs across a boundary, -sn
		{"\x03\x02\x00\x00\x02\x00", 2},                 // a line without newline continues, -n
		{"\x03\x02\x00\x00\x02\x00", 1},                 // the same under -b
		{"\x02\x00\x04\x00\x00\x00\x01\x00", 4},         // "\r" at the end of a file, then "\n", -E
		{"\x04\x00\x00\x00\x07\x02\x01\x00", 4 | 32},    // "\r", empty files, "\n", -vE
		{"\x01\x04\x07\x01\x01\x04\x03\x00", 8 | 1 | 4}, // -bsE
		{"\x05\x01\x00\x00\x05\x01\x06\x09", 16 | 32},   // tabs and controls at file starts, -vT
		{"\x01\x01\x00\x00\x01\x01\x00\x00\x02\x01", 2 | 8 | fuzzWide},
		{"\x03\x04\x00\x00\x01\x02\x02\x02", 1 | fuzzWide},
	} {
		f.Add([]byte(seed.prog), seed.opts)
	}
	f.Fuzz(func(t *testing.T, prog []byte, opts uint8) {
		mask := opts & (1<<optionBits - 1)
		files := operandsOf(prog)
		if opts&fuzzWide != 0 {
			files = append([][]byte{wideStart}, files...)
		}
		want := runGNU(t, t.TempDir(), mask, files)
		got := formatAll(t, optionsOf(mask), bufSize, true, files)
		if !bytes.Equal(got, want) {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Errorf("%s, files %q: output differs from GNU at byte %d of %d/%d: got %q; want %q",
				name(mask), files[min(len(files)-1, 1):], i, len(got), len(want), clip(got, i), clip(want, i))
		}
	})
}
