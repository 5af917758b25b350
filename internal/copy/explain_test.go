package copy_test

import (
	"slices"
	"testing"

	"github.com/zcopy/zcopy/internal/copy"
	"github.com/zcopy/zcopy/internal/fdkind"
)

// TestExplain: Explain's methods are the planner's (CopyFile's with
// File), and its reasons are the ones the pair calls for.
func TestExplain(t *testing.T) {
	iOtherFile := iFile
	iOtherFile.Dev, iOtherFile.FSMagic = iFile.Dev+1, fdkind.MagicTmpfs
	never := copy.ExplainOptions{File: true, Reflink: copy.ReflinkNever}
	tests := []struct {
		name     string
		s, d     fdkind.Info
		opt      copy.ExplainOptions
		methods  []copy.Method
		ruledOut []copy.Ruling
		doubts   []copy.Ruling
	}{
		{"file-to-pipe", iFile, iPipe, copy.ExplainOptions{}, mFileToPipe,
			[]copy.Ruling{{copy.CopyFileRange, copy.DstNotFile}, {copy.SplicePipe, copy.PipeEnd}}, nil},
		{"file-to-file", iFile, iFile, copy.ExplainOptions{}, mFileToFile,
			[]copy.Ruling{{copy.Reflink, copy.NotFileCopy}, {copy.Splice, copy.NoPipeEnd}, {copy.SplicePipe, copy.CheaperServes}}, nil},
		{"zcp/file-to-file", iFile, iOtherFile, copy.ExplainOptions{File: true},
			append([]copy.Method{copy.Reflink}, mFileToFile...),
			[]copy.Ruling{{copy.Splice, copy.NoPipeEnd}, {copy.SplicePipe, copy.CheaperServes}},
			[]copy.Ruling{{copy.Reflink, copy.OtherFS}, {copy.CopyFileRange, copy.OtherFSType}}},
		{"zcp/reflink=never", iFile, iFile, never, mFileToFile[1:],
			[]copy.Ruling{{copy.Reflink, copy.ReflinkOff}, {copy.CopyFileRange, copy.ReflinkOff},
				{copy.Splice, copy.NoPipeEnd}, {copy.SplicePipe, copy.CheaperServes}}, nil},
		{"file-to-append", iFile, iAppend, copy.ExplainOptions{}, mRW,
			[]copy.Ruling{{copy.Reflink, copy.AppendDst}, {copy.CopyFileRange, copy.AppendDst}, {copy.Sendfile, copy.AppendDst},
				{copy.Splice, copy.AppendDst}, {copy.SplicePipe, copy.AppendDst}}, nil},
		{"proc-to-pipe", iProc, iPipe, copy.ExplainOptions{}, mRW,
			[]copy.Ruling{{copy.CopyFileRange, copy.VirtualSrc}, {copy.Sendfile, copy.VirtualSrc},
				{copy.Splice, copy.VirtualSrc}, {copy.SplicePipe, copy.VirtualSrc}}, nil},
		{"file-to-tty", iFile, iTTY, copy.ExplainOptions{}, mRW,
			[]copy.Ruling{{copy.CopyFileRange, copy.TTYEnd}, {copy.Sendfile, copy.TTYEnd},
				{copy.Splice, copy.TTYEnd}, {copy.SplicePipe, copy.TTYEnd}}, nil},
		{"pipe-to-pipe", iPipe, iPipe, copy.ExplainOptions{}, mPipeToAny,
			[]copy.Ruling{{copy.CopyFileRange, copy.SrcNotFile}, {copy.Sendfile, copy.SrcNotFile}, {copy.SplicePipe, copy.PipeEnd}}, nil},
		{"file-to-socket", iFile, iStream, copy.ExplainOptions{}, mFileToSocket,
			[]copy.Ruling{{copy.CopyFileRange, copy.DstNotFile}, {copy.Splice, copy.NoPipeEnd}}, nil},
		{"dgram-to-file", iDgram, iFile, copy.ExplainOptions{}, mRW,
			[]copy.Ruling{{copy.CopyFileRange, copy.SrcNotFile}, {copy.Sendfile, copy.SrcNotFile},
				{copy.Splice, copy.DatagramEnd}, {copy.SplicePipe, copy.DatagramEnd}}, nil},
		{"chardev-to-pipe", iCharDev, iPipe, copy.ExplainOptions{}, mRW,
			[]copy.Ruling{{copy.CopyFileRange, copy.SrcNotFile}, {copy.Sendfile, copy.SrcNotFile},
				{copy.Splice, copy.NoPlan}, {copy.SplicePipe, copy.PipeEnd}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := copy.Explain(tt.s, tt.d, tt.opt)
			if !slices.Equal(p.Methods, tt.methods) {
				t.Errorf("Explain(%s).Methods = %v; want %v", tt.name, p.Methods, tt.methods)
			}
			if !slices.Equal(p.RuledOut, tt.ruledOut) {
				t.Errorf("Explain(%s).RuledOut = %v; want %v", tt.name, p.RuledOut, tt.ruledOut)
			}
			if !slices.Equal(p.Doubts, tt.doubts) {
				t.Errorf("Explain(%s).Doubts = %v; want %v", tt.name, p.Doubts, tt.doubts)
			}
		})
	}
}
