package copy_test

import (
	"errors"
	"os"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/zcopy/zcopy/internal/copy"
)

// TestFanoutForced checks FanoutOptions.Force: the outputs that the forced
// method serves get every byte by it alone; the others are dropped with a
// *RefusedError naming the method, and nothing falls back to write(2).
func TestFanoutForced(t *testing.T) {
	const n = 3<<20 + 11
	cases := []struct {
		name  string
		src   source
		dsts  []sink
		force copy.Method
		// ran is what each output's report shows, or None for an output
		// that must be refused.
		ran []copy.Method
	}{
		{"pipe/splice", srcPipe, []sink{dstPipe, dstFile, dstAppend}, copy.Splice,
			[]copy.Method{copy.Tee, copy.Splice, copy.None}},
		{"pipe/read-write", srcPipe, []sink{dstPipe, dstFile}, copy.ReadWrite,
			[]copy.Method{copy.ReadWrite, copy.ReadWrite}},
		{"pipe/sendfile", srcPipe, []sink{dstPipe, dstFile}, copy.Sendfile,
			[]copy.Method{copy.None, copy.None}},
		{"pipe/mmap", srcPipe, []sink{dstFile}, copy.Mmap, []copy.Method{copy.None}},
		{"file/sendfile", srcFile, []sink{dstPipe, dstFile, dstAppend}, copy.Sendfile,
			[]copy.Method{copy.Sendfile, copy.Sendfile, copy.None}},
		{"file/copy_file_range", srcFile, []sink{dstFile, dstPipe}, copy.CopyFileRange,
			[]copy.Method{copy.CopyFileRange, copy.None}},
		{"file/read-write", srcFile, []sink{dstPipe, dstFile}, copy.ReadWrite,
			[]copy.Method{copy.ReadWrite, copy.ReadWrite}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := payload(n)
			src := c.src.open(t, data)
			dsts := make([]*os.File, len(c.dsts))
			results := make([]func() []byte, len(c.dsts))
			for i, d := range c.dsts {
				dsts[i], results[i] = d.open(t, n)
			}
			var progress atomic.Int64
			rep, err := copy.Fanout(src, dsts, copy.FanoutOptions{Force: c.force, Progress: &progress})
			if err != nil {
				t.Fatalf("Fanout: %v", err)
			}
			served := false
			for i, want := range c.ran {
				o := rep.Outputs[i]
				var got []byte
				if results[i] != nil {
					got = results[i]()
				}
				if want == copy.None {
					var re *copy.RefusedError
					if !errors.As(o.Err, &re) || re.Method != c.force {
						t.Errorf("output %d (%s): Err = %v; want a *RefusedError for %v", i, c.dsts[i].name, o.Err, c.force)
					}
					if b := o.BytesBy(copy.ReadWrite); b > 0 && c.force != copy.ReadWrite {
						t.Errorf("output %d: %d bytes by read/write after a forced %v", i, b, c.force)
					}
					continue
				}
				served = true
				if o.Err != nil {
					t.Errorf("output %d (%s): Err = %v", i, c.dsts[i].name, o.Err)
				}
				b := o.BytesBy(want)
				if c.force == copy.Splice {
					// tee(2) and splice(2) share the work.
					b = o.BytesBy(copy.Tee) + o.BytesBy(copy.Splice)
				}
				if b != n {
					t.Errorf("output %d (%s): %v moved %d bytes; want %d (%s)", i, c.dsts[i].name, want, b, n, o.String())
				}
				for _, m := range o.Methods() {
					if m != want && !(c.force == copy.Splice && (m == copy.Tee || m == copy.Splice)) {
						t.Errorf("output %d: method %v ran; want only %v (%s)", i, m, want, o.String())
					}
				}
				if results[i] != nil {
					sameBytes(t, c.dsts[i].name, got, append(slices.Clip(c.dsts[i].prefix), data...))
				}
			}
			if served && progress.Load() != n {
				t.Errorf("progress counter = %d; want %d", progress.Load(), n)
			}
		})
	}
}
