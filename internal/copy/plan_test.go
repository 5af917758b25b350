package copy_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/zcopy/zcopy/internal/copy"
	"github.com/zcopy/zcopy/internal/fdkind"
)

// Descriptions of every kind of descriptor, without any descriptor.
var (
	iFile       = fdkind.Info{Kind: fdkind.Regular, Readable: true, Writable: true, FSMagic: fdkind.MagicExt4, Size: 1 << 20}
	iEmptyFile  = fdkind.Info{Kind: fdkind.Regular, Readable: true, FSMagic: fdkind.MagicTmpfs}
	iAppend     = fdkind.Info{Kind: fdkind.Regular, Writable: true, Append: true, FSMagic: fdkind.MagicExt4}
	iNonblkFile = fdkind.Info{Kind: fdkind.Regular, Readable: true, Nonblock: true, FSMagic: fdkind.MagicXFS}
	iProc       = fdkind.Info{Kind: fdkind.Regular, Readable: true, FSMagic: fdkind.MagicProc}
	iSysfs      = fdkind.Info{Kind: fdkind.Regular, Readable: true, FSMagic: fdkind.MagicSysfs, Size: 4096}
	iFUSE       = fdkind.Info{Kind: fdkind.Regular, Readable: true, FSMagic: fdkind.MagicFUSE}
	iPipe       = fdkind.Info{Kind: fdkind.Pipe, Readable: true, Writable: true}
	iNonblkPipe = fdkind.Info{Kind: fdkind.Pipe, Readable: true, Writable: true, Nonblock: true}
	iStream     = fdkind.Info{Kind: fdkind.Socket, Readable: true, Writable: true, Stream: true}
	iDgram      = fdkind.Info{Kind: fdkind.Socket, Readable: true, Writable: true}
	iTTY        = fdkind.Info{Kind: fdkind.TTY, Readable: true, Writable: true}
	iCharDev    = fdkind.Info{Kind: fdkind.CharDev, Readable: true, Writable: true} // /dev/null, /dev/full
	iBlockDev   = fdkind.Info{Kind: fdkind.BlockDev, Readable: true, Size: 1 << 30}
	iDir        = fdkind.Info{Kind: fdkind.Directory, Readable: true, FSMagic: fdkind.MagicExt4}
	iUnknown    = fdkind.Info{Readable: true, Writable: true}
)

// The DESIGN.md method matrix, "first choice -> fallbacks". Reflink is zcp's
// (CopyFile), not the stream engine's; tee is fan-out's.
var (
	mFileToFile   = []copy.Method{copy.CopyFileRange, copy.Sendfile, copy.ReadWrite}
	mFileToPipe   = []copy.Method{copy.Splice, copy.Sendfile, copy.ReadWrite}
	mFileToSocket = []copy.Method{copy.Sendfile, copy.SplicePipe, copy.ReadWrite}
	mPipeToAny    = []copy.Method{copy.Splice, copy.ReadWrite}
	mSocketToAny  = []copy.Method{copy.SplicePipe, copy.ReadWrite}
	mRW           = []copy.Method{copy.ReadWrite}
	// Not in the matrix, whose last column sends "other" destinations to
	// read/write: plan.go lets character and block devices try the
	// zero-copy call first, because /dev/null takes splice and sendfile
	// and /dev/full's refusal (EINVAL) falls back to write(2), which
	// reports ENOSPC (PITFALLS 7).
	mFileToDev   = []copy.Method{copy.Sendfile, copy.ReadWrite}
	mPipeToDev   = mPipeToAny
	mSocketToDev = mSocketToAny
)

func TestPlan(t *testing.T) {
	tests := []struct {
		src, dst string
		s, d     fdkind.Info
		want     []copy.Method
	}{
		// Row "regular file".
		{"file", "file", iFile, iFile, mFileToFile},
		{"empty-file", "file", iEmptyFile, iFile, mFileToFile},
		{"nonblock-file", "file", iNonblkFile, iFile, mFileToFile},
		{"file", "pipe", iFile, iPipe, mFileToPipe},
		{"file", "nonblock-pipe", iFile, iNonblkPipe, mFileToPipe},
		{"file", "stream-socket", iFile, iStream, mFileToSocket},
		{"file", "tty", iFile, iTTY, mRW},
		{"file", "append-file", iFile, iAppend, mRW},
		{"file", "dgram-socket", iFile, iDgram, mRW},
		{"file", "directory", iFile, iDir, mRW},
		{"file", "unknown", iFile, iUnknown, mRW},
		{"file", "chardev", iFile, iCharDev, mFileToDev},
		{"file", "blockdev", iFile, iBlockDev, mFileToDev},
		// A destination on procfs is still a regular file: the kernel
		// refuses what it must, cheaply.
		{"file", "procfs", iFile, iProc, mFileToFile},
		// A block device reads like a file, but copy_file_range takes
		// regular files only.
		{"blockdev", "file", iBlockDev, iFile, mFileToDev},
		{"blockdev", "pipe", iBlockDev, iPipe, mFileToPipe},
		{"blockdev", "stream-socket", iBlockDev, iStream, mFileToSocket},
		{"blockdev", "append-file", iBlockDev, iAppend, mRW},

		// Row "pipe".
		{"pipe", "file", iPipe, iFile, mPipeToAny},
		{"pipe", "pipe", iPipe, iPipe, mPipeToAny},
		{"nonblock-pipe", "nonblock-pipe", iNonblkPipe, iNonblkPipe, mPipeToAny},
		{"pipe", "stream-socket", iPipe, iStream, mPipeToAny},
		{"pipe", "tty", iPipe, iTTY, mRW},
		{"pipe", "append-file", iPipe, iAppend, mRW},
		{"pipe", "dgram-socket", iPipe, iDgram, mRW},
		{"pipe", "unknown", iPipe, iUnknown, mRW},
		{"pipe", "chardev", iPipe, iCharDev, mPipeToDev},
		{"pipe", "blockdev", iPipe, iBlockDev, mPipeToDev},

		// Row "socket" (stream sockets only: splice does not read
		// datagrams, PITFALLS 6).
		{"stream-socket", "file", iStream, iFile, mSocketToAny},
		{"stream-socket", "pipe", iStream, iPipe, mPipeToAny},
		{"stream-socket", "stream-socket", iStream, iStream, mSocketToAny},
		{"stream-socket", "tty", iStream, iTTY, mRW},
		{"stream-socket", "append-file", iStream, iAppend, mRW},
		{"stream-socket", "dgram-socket", iStream, iDgram, mRW},
		{"stream-socket", "chardev", iStream, iCharDev, mSocketToDev},
		{"stream-socket", "blockdev", iStream, iBlockDev, mSocketToDev},
		{"dgram-socket", "file", iDgram, iFile, mRW},
		{"dgram-socket", "pipe", iDgram, iPipe, mRW},
		{"dgram-socket", "stream-socket", iDgram, iStream, mRW},

		// Row "tty, char device, procfs/sysfs file": always read/write,
		// the zero-size "regular" files of procfs and sysfs included.
		{"tty", "file", iTTY, iFile, mRW},
		{"tty", "pipe", iTTY, iPipe, mRW},
		{"tty", "stream-socket", iTTY, iStream, mRW},
		{"chardev", "file", iCharDev, iFile, mRW},
		{"chardev", "pipe", iCharDev, iPipe, mRW},
		{"chardev", "stream-socket", iCharDev, iStream, mRW},
		{"procfs", "file", iProc, iFile, mRW},
		{"procfs", "pipe", iProc, iPipe, mRW},
		{"procfs", "stream-socket", iProc, iStream, mRW},
		{"procfs", "chardev", iProc, iCharDev, mRW},
		{"sysfs", "file", iSysfs, iFile, mRW},
		{"sysfs", "pipe", iSysfs, iPipe, mRW},
		{"fuse", "file", iFUSE, iFile, mRW},
		{"fuse", "pipe", iFUSE, iPipe, mRW},

		// What is no stream at all.
		{"directory", "file", iDir, iFile, mRW},
		{"directory", "pipe", iDir, iPipe, mRW},
		{"unknown", "file", iUnknown, iFile, mRW},
		{"unknown", "pipe", iUnknown, iPipe, mRW},
	}
	for _, tt := range tests {
		t.Run(tt.src+"-to-"+tt.dst, func(t *testing.T) {
			got := copy.Plan(tt.s, tt.d)
			if !slices.Equal(got, tt.want) {
				t.Errorf("plan(%s, %s) = %v; want %v", copy.Describe(tt.s), copy.Describe(tt.d), got, tt.want)
			}
			checkPlanInvariants(t, tt.s, tt.d, got)
		})
	}
}

// checkPlanInvariants states what any plan must respect, whatever the pair:
// the rules of the kernel calls and the cheap refusals of PITFALLS.
func checkPlanInvariants(t *testing.T, s, d fdkind.Info, p []copy.Method) {
	t.Helper()
	pair := fmt.Sprintf("plan(%s, %s) = %v", copy.Describe(s), copy.Describe(d), p)
	if len(p) == 0 {
		t.Fatalf("%s: empty plan", pair)
	}
	if p[len(p)-1] != copy.ReadWrite {
		t.Errorf("%s: does not end in read/write, the method that serves every pair", pair)
	}
	seen := map[copy.Method]bool{}
	for i, m := range p {
		if seen[m] {
			t.Errorf("%s: %v twice", pair, m)
		}
		seen[m] = true
		switch m {
		case copy.ReadWrite:
			if i != len(p)-1 {
				t.Errorf("%s: read/write before the end: nothing after it could run", pair)
			}
		case copy.CopyFileRange:
			if s.Kind != fdkind.Regular || d.Kind != fdkind.Regular {
				t.Errorf("%s: copy_file_range takes regular files only", pair)
			}
		case copy.Sendfile:
			if s.Kind != fdkind.Regular && s.Kind != fdkind.BlockDev {
				t.Errorf("%s: sendfile reads files only (its source cannot be a pipe or socket)", pair)
			}
		case copy.Splice:
			if s.Kind != fdkind.Pipe && d.Kind != fdkind.Pipe {
				t.Errorf("%s: splice needs a pipe on one side", pair)
			}
		case copy.SplicePipe:
			if s.Kind == fdkind.Pipe || d.Kind == fdkind.Pipe {
				t.Errorf("%s: splice-via-pipe where a direct splice would do", pair)
			}
		case copy.Reflink, copy.Tee, copy.None:
			t.Errorf("%s: %v is not a method of the stream engine", pair, m)
		default:
			t.Errorf("%s: unknown method %d", pair, m)
		}
	}
	// The cheap refusals: PITFALLS 1, 3, 4, 6.
	rwOnly := d.Append || d.Kind == fdkind.TTY || s.Kind == fdkind.TTY ||
		(s.Kind == fdkind.Regular && s.Virtual()) ||
		(s.Kind == fdkind.Socket && !s.Stream) || (d.Kind == fdkind.Socket && !d.Stream) ||
		s.Kind == fdkind.CharDev || s.Kind == fdkind.Directory || s.Kind == fdkind.Unknown
	if rwOnly && len(p) != 1 {
		t.Errorf("%s: want read/write only", pair)
	}
	// Nonblocking descriptors are waited for, not planned around.
	s2, d2 := s, d
	s2.Nonblock, d2.Nonblock = !s.Nonblock, !d.Nonblock
	if p2 := copy.Plan(s2, d2); !slices.Equal(p, p2) {
		t.Errorf("%s: with O_NONBLOCK flipped the plan is %v", pair, p2)
	}
}

func FuzzPlan(f *testing.F) {
	infos := []fdkind.Info{iFile, iEmptyFile, iAppend, iNonblkFile, iProc, iSysfs, iFUSE, iPipe, iNonblkPipe,
		iStream, iDgram, iTTY, iCharDev, iBlockDev, iDir, iUnknown}
	for _, s := range infos {
		for _, d := range infos {
			f.Add(uint8(s.Kind), s.Append, s.Nonblock, s.Stream, s.FSMagic,
				uint8(d.Kind), d.Append, d.Nonblock, d.Stream, d.FSMagic)
		}
	}
	f.Add(uint8(200), true, true, true, int64(-1), uint8(255), true, true, true, int64(1<<40))
	f.Fuzz(func(t *testing.T, sk uint8, sa, sn, ss bool, sm int64, dk uint8, da, dn, ds bool, dm int64) {
		s := fdkind.Info{Kind: fdkind.Kind(sk), Append: sa, Nonblock: sn, Stream: ss, FSMagic: sm, Readable: true}
		d := fdkind.Info{Kind: fdkind.Kind(dk), Append: da, Nonblock: dn, Stream: ds, FSMagic: dm, Writable: true}
		checkPlanInvariants(t, s, d, copy.Plan(s, d))
	})
}
