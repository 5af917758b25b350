package tree

import (
	"golang.org/x/sys/unix"
)

// Scan walks the sources of ops as a copy with opt would, without copying,
// and calls found with the running totals of regular files' bytes and
// count (for --progress: it runs beside the copy, so that the total grows
// while the copy starts at once). It stops early when stop is closed.
func Scan(opt Options, ops Operands, stop <-chan struct{}, found func(bytes, files int64)) {
	srcs := ops.Files
	if ops.Target == "" && len(srcs) > 0 {
		srcs = srcs[:len(srcs)-1]
	}
	s := &scan{opt: &opt, stop: stop, found: found}
	for _, src := range srcs {
		follow := opt.Deref != DerefNever
		s.one(src, follow, nil)
	}
	found(s.bytes, s.files)
}

type scan struct {
	opt          *Options
	stop         <-chan struct{}
	found        func(bytes, files int64)
	bytes, files int64
	magics       fsMagics
}

func (s *scan) stopped() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

func (s *scan) one(name string, follow bool, parent *unix.Stat_t) {
	if s.stopped() {
		return
	}
	st, err := fstatat(name, follow)
	if err != nil {
		return
	}
	switch {
	case isReg(st.Mode):
		s.bytes += st.Size
		s.files++
		if s.files%256 == 0 {
			s.found(s.bytes, s.files)
		}
	case isDir(st.Mode) && s.opt.Recursive:
		if s.opt.OneFileSystem && parent != nil && parent.Dev != st.Dev {
			return
		}
		names, err := readDirNames(name, uint64(st.Dev), &s.magics)
		if err != nil {
			return
		}
		for _, n := range names {
			s.one(join(name, n), s.opt.Deref == DerefAlways, &st)
		}
	}
}
