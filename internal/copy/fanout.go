package copy

import (
	"os"
	"sync/atomic"

	"github.com/zcopy/zcopy/internal/fdkind"
)

// FanoutOptions tune Fanout. The zero value feeds every output to the end
// of the input and drops a failing output without a word.
type FanoutOptions struct {
	// OnError, when not nil, is called as soon as output i fails, with
	// the error that drops it: an *Error with Side Write. The other
	// outputs go on if it returns true; false ends the fan-out at once
	// (tee --output-error=exit).
	OnError func(i int, err error) (goOn bool)
	// Force, when not None, is the one method that feeds the outputs
	// (--method): Splice (with tee(2) from a pipe input), ReadWrite, and
	// from a regular-file input CopyFileRange or Sendfile. An output that
	// the forced method cannot serve is dropped with a *RefusedError, as
	// soon as that is known, instead of falling back.
	Force Method
	// Progress, when not nil, grows by the bytes the fan-out has taken
	// from src as it goes (the bytes every live output has, from a pipe;
	// the furthest output's, from a file), for a progress bar.
	Progress *atomic.Int64
}

// OutputReport is the story of one output of a fan-out: the methods that
// fed it (Report.Steps, with Report.Src the fan-out's input), and the
// error that dropped it.
type OutputReport struct {
	Report
	// Err is the *Error that dropped the output, or nil if it got every
	// byte of the input (or every byte read before the fan-out ended).
	Err error
}

// FanoutReport tells how a fan-out went, one OutputReport per output in
// the order of the outputs given to Fanout.
type FanoutReport struct {
	Src     fdkind.Info
	Outputs []OutputReport
}

// Fanout copies src, from its current offset to its end, to every file of
// dsts, at their current offsets (or their ends, for O_APPEND), as tee(1)
// does. Every output gets the same bytes in the same order; the slowest
// output sets the pace and no more than a few pipes' worth is ever held.
//
// The data stays in the kernel wherever the kernel allows it: from a pipe,
// tee(2) duplicates its pages into the outputs and the last output takes
// them with splice(2); from a regular file, each output is fed from the
// file with copy_file_range(2), sendfile(2) or splice(2) at explicit
// offsets, and src's offset ends where the data ended, as after reading it
// all. Outputs that the kernel refuses (O_APPEND files, terminals,
// /dev/full) take write(2), without moving the others off their path.
//
// An output that fails is dropped: it gets no more data and its error is
// recorded in its OutputReport and handed to opt.OnError; the others go
// on. Fanout returns when src is at its end, every output has been
// dropped, or OnError asked to stop. The error it returns is about src
// alone: an *Error with Side Read. It never closes a file or changes the
// flags of an open file description.
func Fanout(src *os.File, dsts []*os.File, opt FanoutOptions) (*FanoutReport, error) {
	return fanout(src, dsts, opt)
}
