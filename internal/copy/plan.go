package copy

import "github.com/zcopy/zcopy/internal/fdkind"

// plan turns the kinds of a source and a destination into the methods to
// try, cheapest first, following the method matrix of DESIGN.md. It has no
// side effects: the kernel has the last word when the methods run.
func plan(src, dst fdkind.Info) []Method {
	// The cheap refusals first. No zero-copy call writes to an O_APPEND
	// destination (PITFALLS 1); ttys take splice only on some kernels
	// (PITFALLS 4); files whose size is made up (procfs, sysfs, FUSE)
	// are read with read(2) (PITFALLS 3).
	if dst.Append || dst.Kind == fdkind.TTY || src.Kind == fdkind.TTY {
		return readWriteOnly
	}
	if src.Kind == fdkind.Regular && src.Virtual() {
		return readWriteOnly
	}
	switch src.Kind {
	case fdkind.Regular, fdkind.BlockDev:
		switch {
		case dst.Kind == fdkind.Regular && src.Kind == fdkind.Regular:
			return fileToFile
		case dst.Kind == fdkind.Pipe:
			return fileToPipe
		case streamSocket(dst):
			return fileToSocket
		case dst.Kind == fdkind.Regular, dst.Kind == fdkind.CharDev, dst.Kind == fdkind.BlockDev:
			// /dev/null takes sendfile; /dev/full refuses it with
			// EINVAL and write(2) then reports ENOSPC (PITFALLS 7).
			return fileToOther
		}
	case fdkind.Pipe:
		switch {
		case dst.Kind == fdkind.Regular, dst.Kind == fdkind.Pipe, streamSocket(dst),
			dst.Kind == fdkind.CharDev, dst.Kind == fdkind.BlockDev:
			return pipeToAny
		}
	case fdkind.Socket:
		if !src.Stream {
			// splice reads only stream sockets (PITFALLS 6).
			return readWriteOnly
		}
		switch {
		case dst.Kind == fdkind.Pipe:
			return pipeToAny
		case dst.Kind == fdkind.Regular, streamSocket(dst), dst.Kind == fdkind.CharDev,
			dst.Kind == fdkind.BlockDev:
			return socketToOther
		}
	}
	return readWriteOnly
}

func streamSocket(i fdkind.Info) bool { return i.Kind == fdkind.Socket && i.Stream }

// The plans, shared so that planning allocates nothing.
var (
	readWriteOnly = []Method{ReadWrite}
	fileToFile    = []Method{CopyFileRange, Sendfile, ReadWrite}
	fileToPipe    = []Method{Splice, Sendfile, ReadWrite}
	fileToSocket  = []Method{Sendfile, SplicePipe, ReadWrite}
	fileToOther   = []Method{Sendfile, ReadWrite}
	pipeToAny     = []Method{Splice, ReadWrite}
	socketToOther = []Method{SplicePipe, ReadWrite}
)

// forcedPlan is the plan when the caller names the method (Options.Force):
// that method alone, with no fallback, since the caller wants to know when
// the kernel refuses it. Splice between two ends neither of which is a
// pipe goes through an internal pipe. mmap maps only files: for any other
// source it is refused here, without a system call.
func forcedPlan(src, dst fdkind.Info, m Method) []Method {
	switch {
	case m == Splice && src.Kind != fdkind.Pipe && dst.Kind != fdkind.Pipe:
		return splicePipeOnly
	case m == Mmap && src.Kind != fdkind.Regular:
		return nil
	}
	return forcedPlans[m]
}

var (
	splicePipeOnly = []Method{SplicePipe}
	forcedPlans    = [...][]Method{
		CopyFileRange: {CopyFileRange},
		Sendfile:      {Sendfile},
		Splice:        {Splice},
		Mmap:          {Mmap},
		ReadWrite:     {ReadWrite},
	}
)
