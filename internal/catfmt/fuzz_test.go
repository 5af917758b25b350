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
