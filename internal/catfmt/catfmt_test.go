package catfmt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"strconv"
	"testing"
)

// chunkInputs are inputs where a split point can fall between any two bytes
// that interact: "\r" and "\n", a blank line and the next, a line's end and
// the next line's number.
var chunkInputs = []string{
	"a\r\nb\r\r\n\r\n\n\n\r",
	"\n\n\tx\t\n\n\n\x00\x7f\x80\x89\xff\n\n",
	"first\n\n\n\nsecond\nlast",
	"\r\r\n\n\r\n\r",
}

// TestChunking checks that every way of cutting an input into two or three
// Writes, or into single bytes, gives the output of one Write, for every
// combination of the options, with and without a Flush between the Writes.
func TestChunking(t *testing.T) {
	for _, in := range chunkInputs {
		p := []byte(in)
		for mask := uint8(0); mask < 1<<optionBits; mask++ {
			o := optionsOf(mask)
			want := formatAll(t, o, bufSize, false, [][]byte{p})
			check := func(how string, flush bool, chunks [][]byte) {
				t.Helper()
				if got := formatAll(t, o, 1024, flush, chunks); !bytes.Equal(got, want) {
					t.Errorf("%q/%s/%s/flush=%v: got %q; want %q", in, name(mask), how, flush, got, want)
				}
			}
			for _, flush := range []bool{false, true} {
				for i := 0; i <= len(p); i++ {
					for j := i; j <= len(p); j++ {
						check("split="+strconv.Itoa(i)+","+strconv.Itoa(j), flush, [][]byte{p[:i], p[i:j], p[j:]})
					}
				}
				bytewise := make([][]byte, len(p))
				for i := range p {
					bytewise[i] = p[i : i+1]
				}
				check("bytewise", flush, bytewise)
			}
		}
	}
}

// TestBufferBoundaries formats inputs much larger than tiny buffers, so that
// every step of the formatter meets a full buffer somewhere, and compares
// with the output through the full-size buffer.
func TestBufferBoundaries(t *testing.T) {
	var in bytes.Buffer
	for i := 0; i < 40; i++ {
		in.Write(allBytes())
		in.WriteString("\r\n\n\n\r\r\n\t\t\n")
	}
	for mask := uint8(0); mask < 1<<optionBits; mask++ {
		o := optionsOf(mask)
		want := formatAll(t, o, bufSize, false, [][]byte{in.Bytes()})
		for size := reserve + 1; size <= reserve+9; size++ {
			if got := formatAll(t, o, size, false, [][]byte{in.Bytes()}); !bytes.Equal(got, want) {
				t.Errorf("%s/buf=%d: output differs from buf=%d (%d and %d bytes)", name(mask), size, bufSize, len(got), len(want))
			}
		}
	}
}

// writes records each call to Write.
type writes struct{ calls [][]byte }

func (w *writes) Write(p []byte) (int, error) {
	w.calls = append(w.calls, append([]byte(nil), p...))
	return len(p), nil
}

// TestWritesOnlyWhenFull checks the buffering: nothing reaches the writer
// before the buffer is full or Flush is called, and full buffers go out
// whole.
func TestWritesOnlyWhenFull(t *testing.T) {
	for _, mask := range []uint8{0, 2, 32, 63} {
		o := optionsOf(mask)
		var w writes
		f := New(o, &w)
		small := []byte("a\tb\x01\n\n\n")
		for i := 0; i < 100; i++ {
			f.Write(small)
		}
		if len(w.calls) != 0 {
			t.Errorf("%s: %d writes before the buffer is full; want 0", name(mask), len(w.calls))
		}
		if err := f.Flush(); err != nil || len(w.calls) != 1 {
			t.Fatalf("%s: Flush() = %v with %d writes; want nil with 1", name(mask), err, len(w.calls))
		}
		if err := f.Flush(); err != nil || len(w.calls) != 1 {
			t.Errorf("%s: second Flush() = %v with %d writes; want nil with 1 (nothing buffered)", name(mask), err, len(w.calls))
		}
		big := bytes.Repeat(allBytes(), 3*bufSize/len(allBytes()))
		f.Write(big)
		f.Close()
		for i, c := range w.calls[1 : len(w.calls)-1] {
			if len(c) < bufSize-reserve || len(c) > bufSize {
				t.Errorf("%s: write %d of a large input has %d bytes; want %d to %d", name(mask), i+1, len(c), bufSize-reserve, bufSize)
			}
		}
		want := formatAll(t, o, bufSize, false, [][]byte{bytes.Repeat(small, 100), big})
		if got := bytes.Join(w.calls, nil); !bytes.Equal(got, want) {
			t.Errorf("%s: the writes do not add up to the output", name(mask))
		}
	}
}

// TestHeldCR checks that Flush keeps back a "\r" that ends the input under
// -E without -v (the next Write decides between "^M" and "\r"), and that
// Close writes it as it is.
func TestHeldCR(t *testing.T) {
	o := Options{ShowEnds: true}
	var w writes
	f := New(o, &w)
	f.Write([]byte("a\r"))
	f.Flush()
	if got := bytes.Join(w.calls, nil); string(got) != "a" {
		t.Errorf("after Write(\"a\\r\") and Flush: written %q; want %q", got, "a")
	}
	f.Write([]byte("\nb\r"))
	f.Close()
	if got := bytes.Join(w.calls, nil); string(got) != "a^M$\nb\r" {
		t.Errorf("after Write(\"\\nb\\r\") and Close: written %q; want %q", got, "a^M$\nb\r")
	}
}

var errBroken = errors.New("broken writer")

// failing accepts ok bytes, then fails (with a short count when short).
type failing struct {
	ok    int
	short bool
}

func (w *failing) Write(p []byte) (int, error) {
	if len(p) <= w.ok {
		w.ok -= len(p)
		return len(p), nil
	}
	n := w.ok
	w.ok = 0
	if w.short {
		return n, nil
	}
	return n, errBroken
}

// TestWriteErrors checks that the first write error comes back from the call
// that met it and from every later call, and that a short write without an
// error is io.ErrShortWrite.
func TestWriteErrors(t *testing.T) {
	for _, short := range []bool{false, true} {
		want := errBroken
		if short {
			want = io.ErrShortWrite
		}
		f := New(Options{Number: true}, &failing{ok: 10, short: short})
		big := bytes.Repeat([]byte("line\n"), bufSize)
		n, err := f.Write(big)
		if !errors.Is(err, want) || n >= len(big) {
			t.Errorf("short=%v: Write(%d bytes) = %d, %v; want fewer bytes and %v", short, len(big), n, err, want)
		}
		if n, err := f.Write([]byte("x")); n != 0 || !errors.Is(err, want) {
			t.Errorf("short=%v: Write after the error = %d, %v; want 0, %v", short, n, err, want)
		}
		if err := f.Flush(); !errors.Is(err, want) {
			t.Errorf("short=%v: Flush after the error = %v; want %v", short, err, want)
		}
		if err := f.Close(); !errors.Is(err, want) {
			t.Errorf("short=%v: Close after the error = %v; want %v", short, err, want)
		}

		f = New(Options{ShowEnds: true}, &failing{ok: 1, short: short})
		f.Write([]byte("ab\r"))
		if err := f.Close(); !errors.Is(err, want) {
			t.Errorf("short=%v: Close() with a failing writer = %v; want %v", short, err, want)
		}
	}
}

// TestLineNumField checks the field against the printf format GNU documents
// ("%6d\t", wider when needed) around each change of width.
func TestLineNumField(t *testing.T) {
	var l lineNum
	l.init()
	var got []byte
	for i := 1; i <= 10_000_001; i++ {
		got = l.next(got[:0])
		if i%10 <= 1 || i < 20 {
			if want := fmt.Sprintf("%6d\t", i); string(got) != want {
				t.Fatalf("line %d: field %q; want %q", i, got, want)
			}
		}
	}
}

// TestNoAllocs checks that formatting allocates nothing per byte or per
// Write, whatever the options.
func TestNoAllocs(t *testing.T) {
	in := bytes.Repeat(allBytes(), 200)
	for _, mask := range []uint8{0, 2, 12, 32, 63} {
		f := New(optionsOf(mask), io.Discard)
		if a := testing.AllocsPerRun(20, func() { f.Write(in) }); a != 0 {
			t.Errorf("%s: Write(%d bytes) allocates %v times; want 0", name(mask), len(in), a)
		}
	}
}

// BenchmarkFormat measures the formatter alone on text and on binary data.
func BenchmarkFormat(b *testing.B) {
	text := bytes.Repeat([]byte("The quick brown fox\tjumps over the lazy dog.\n\n"), 1<<14)
	random := make([]byte, len(text))
	rand.New(rand.NewSource(1)).Read(random)
	for _, in := range []struct {
		name string
		data []byte
	}{{"text", text}, {"random", random}} {
		for _, mask := range []uint8{0, 2, 4, 8, 16, 32, 63} {
			b.Run(in.name+"/"+name(mask), func(b *testing.B) {
				f := New(optionsOf(mask), io.Discard)
				b.SetBytes(int64(len(in.data)))
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					f.Write(in.data)
				}
				f.Close()
			})
		}
	}
}
