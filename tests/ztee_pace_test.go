package tests

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/zcopy/zcopy/internal/testfd"
)

// TestZteeAlternatingReader: one reader takes the two outputs of
// "ztee >(A) | B" in turns, 4 KiB from each, as paste <(...) <(...) does.
// If ztee gave one output more than its pipe holds before the other got
// its share, the reader would wait on the one while ztee waits on the
// other, forever. The deadline only stops a deadlocked run; it measures
// nothing.
func TestZteeAlternatingReader(t *testing.T) {
	ztee, tee := bin(t, "ztee"), gnu(t, "tee")
	data := randomData(8<<20 + 7)
	for _, sk := range []srcKind{srcPipe, srcFile, srcUnixSocket} {
		for _, prog := range []string{ztee, tee} {
			t.Run(fmt.Sprintf("%s/%s", sk.Name, filepath.Base(prog)), func(t *testing.T) {
				t.Parallel()
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				src := sk.Open(t, data)
				aR, aW := testfd.Pipe(t, 0)
				bR, bW := testfd.Pipe(t, 0)
				cmd := exec.CommandContext(ctx, prog, "/dev/fd/3")
				cmd.Stdin, cmd.Stdout, cmd.ExtraFiles = src.File, bW, []*os.File{aW}
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				src.Started()
				aW.Close()
				bW.Close()
				var a, b []byte
				buf := make([]byte, 4096)
				for aOpen, bOpen := true, true; aOpen || bOpen; {
					if aOpen {
						n, err := io.ReadFull(aR, buf)
						a = append(a, buf[:n]...)
						aOpen = err == nil
					}
					if bOpen {
						n, err := io.ReadFull(bR, buf)
						b = append(b, buf[:n]...)
						bOpen = err == nil
					}
				}
				err := cmd.Wait()
				if ctx.Err() != nil {
					t.Fatalf("%s deadlocked with a reader that alternates between its outputs", prog)
				}
				if err != nil {
					t.Fatalf("%s: %v", prog, err)
				}
				if err := src.Wait(); err != nil {
					t.Errorf("feeding: %v", err)
				}
				if d := diffBytes(a, data); d != "" {
					t.Errorf("/dev/fd/3: %s", d)
				}
				if d := diffBytes(b, data); d != "" {
					t.Errorf("stdout: %s", d)
				}
			})
		}
	}
}
