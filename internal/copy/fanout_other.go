//go:build !linux

package copy

import (
	"io"
	"os"

	"github.com/zcopy/zcopy/internal/fdkind"
)

// On systems other than Linux, a fan-out reads into a buffer and writes
// it to every output, and reports it so.
func fanout(src *os.File, dsts []*os.File, opt FanoutOptions) (*FanoutReport, error) {
	rep := &FanoutReport{Outputs: make([]OutputReport, len(dsts))}
	rep.Src, _ = fdkind.Of(src)
	live := len(dsts)
	for i, d := range dsts {
		o := &rep.Outputs[i]
		o.Src = rep.Src
		o.Dst, _ = fdkind.Of(d)
		o.Steps = []Step{{Method: ReadWrite}}
	}
	buf := make([]byte, 128<<10)
	for live > 0 {
		n, err := src.Read(buf)
		if n > 0 {
			for i, d := range dsts {
				o := &rep.Outputs[i]
				if o.Err != nil {
					continue
				}
				w, werr := d.Write(buf[:n])
				o.Steps[0].Bytes += int64(w)
				o.Steps[0].Calls++
				if werr != nil {
					o.Err = &Error{Side: Write, Err: werr}
					live--
					if opt.OnError != nil && !opt.OnError(i, o.Err) {
						return rep, nil
					}
				}
			}
		}
		if err == io.EOF {
			return rep, nil
		}
		if err != nil {
			return rep, &Error{Side: Read, Err: err}
		}
	}
	return rep, nil
}
