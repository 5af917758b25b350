package copy

import "github.com/zcopy/zcopy/internal/fdkind"

// Reason says why a method is not in a plan, or why the kernel is likely
// to refuse one that is. The engine words no message: the caller does.
type Reason uint8

// The reasons Explain gives.
const (
	NoReason      Reason = iota
	AppendDst            // the destination is O_APPEND: no zero-copy call writes to it (PITFALLS 1)
	TTYEnd               // an end is a terminal, which splice may refuse (PITFALLS 4)
	VirtualSrc           // the source's filesystem makes its size up: procfs, sysfs, FUSE (PITFALLS 3)
	SrcNotFile           // the method reads only regular files (or block devices, for sendfile)
	DstNotFile           // the method writes only regular files
	NoPipeEnd            // splice needs a pipe at one end; neither is one
	PipeEnd              // an end is a pipe: splice runs directly, not through an internal pipe
	DatagramEnd          // splice moves only stream sockets (PITFALLS 6)
	NotFileCopy          // only CopyFile (zcp) clones
	ReflinkOff           // ReflinkNever rules FICLONE and copy_file_range out
	OtherFS              // the ends are on different filesystems: FICLONE fails with EXDEV
	OtherFSType          // different filesystem types: copy_file_range gives EXDEV from Linux 5.19
	CheaperServes        // a method before it in the plan serves this pair
	NoPlan               // the planner has no zero-copy method for this pair
)

// Ruling is one method of the ladder with the reason it is left out of a
// plan, or, in Explanation.Doubts, the reason the kernel may refuse it.
type Ruling struct {
	Method Method
	Reason Reason
}

// Explanation is what the engine would do for a pair of descriptors.
type Explanation struct {
	// Methods are tried in this order; the first that the kernel accepts
	// moves the data and a refusal hands over to the next (Copy's driver).
	Methods []Method
	// RuledOut are the zero-copy methods not in Methods, cheapest first.
	RuledOut []Ruling
	// Doubts are methods in Methods that the kernel will likely refuse.
	Doubts []Ruling
}

// ExplainOptions say which entry point the plan is for.
type ExplainOptions struct {
	// File asks for CopyFile's plan (zcp): a clone first, then the
	// same plan as Copy; Reflink is its mode.
	File    bool
	Reflink ReflinkMode
}

// Explain returns the plan that Copy (or CopyFile, with opt.File) follows
// for src -> dst, from the same planner, and why the faster methods are
// not in it. It is pure: it reads no descriptor and moves no byte.
func Explain(src, dst fdkind.Info, opt ExplainOptions) Explanation {
	methods := plan(src, dst)
	if opt.File {
		// CopyFile's run and dataPlan: FICLONE first unless
		// ReflinkNever, which also leaves copy_file_range out.
		if opt.Reflink == ReflinkNever {
			if methods[0] == CopyFileRange {
				methods = methods[1:]
			}
		} else {
			methods = append([]Method{Reflink}, methods...)
		}
	}
	p := Explanation{Methods: append([]Method(nil), methods...)}
	for _, m := range [...]Method{Reflink, CopyFileRange, Sendfile, Splice, SplicePipe} {
		if contains(methods, m) {
			if r := doubt(m, src, dst); r != NoReason {
				p.Doubts = append(p.Doubts, Ruling{m, r})
			}
			continue
		}
		if m == Reflink && !(src.Kind == fdkind.Regular && dst.Kind == fdkind.Regular) {
			continue // never a candidate: not worth a line
		}
		p.RuledOut = append(p.RuledOut, Ruling{m, whyNot(m, src, dst, opt)})
	}
	return p
}

func contains(ms []Method, m Method) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}

// whyNot names the first rule that keeps m out of the plan for the pair.
func whyNot(m Method, src, dst fdkind.Info, opt ExplainOptions) Reason {
	switch {
	case dst.Append:
		return AppendDst
	case src.Kind == fdkind.TTY || dst.Kind == fdkind.TTY:
		return TTYEnd
	case src.Kind == fdkind.Regular && src.Virtual():
		return VirtualSrc
	}
	pipeEnd := src.Kind == fdkind.Pipe || dst.Kind == fdkind.Pipe
	switch m {
	case Reflink:
		if !opt.File {
			return NotFileCopy
		}
		return ReflinkOff
	case CopyFileRange:
		switch {
		case src.Kind != fdkind.Regular:
			return SrcNotFile
		case dst.Kind != fdkind.Regular:
			return DstNotFile
		case opt.File && opt.Reflink == ReflinkNever:
			return ReflinkOff
		}
	case Sendfile:
		if src.Kind != fdkind.Regular && src.Kind != fdkind.BlockDev {
			return SrcNotFile
		}
	case Splice:
		if (src.Kind == fdkind.Socket && !src.Stream) || (dst.Kind == fdkind.Socket && !dst.Stream) {
			return DatagramEnd
		}
		if !pipeEnd {
			return NoPipeEnd
		}
	case SplicePipe:
		if (src.Kind == fdkind.Socket && !src.Stream) || (dst.Kind == fdkind.Socket && !dst.Stream) {
			return DatagramEnd
		}
		if pipeEnd {
			return PipeEnd
		}
	}
	if methods := plan(src, dst); methods[0].ZeroCopy() {
		return CheaperServes
	}
	return NoPlan
}

// doubt names what the kernel is likely to refuse among the planned
// methods, from the descriptions alone; the kernel still has the last word.
func doubt(m Method, src, dst fdkind.Info) Reason {
	if src.Kind != fdkind.Regular || dst.Kind != fdkind.Regular {
		return NoReason
	}
	switch m {
	case Reflink:
		if src.Dev != dst.Dev {
			return OtherFS
		}
	case CopyFileRange:
		if src.FSMagic != dst.FSMagic {
			return OtherFSType
		}
	}
	return NoReason
}
