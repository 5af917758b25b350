package tree

import (
	"io"
	"os"

	"github.com/zcopy/zcopy/internal/progress"
)

// isTerminal reports whether w is a terminal, which gets each message as
// soon as it is ready (stdio's line buffering), rather than in buffers.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && progress.IsTerminal(f)
}
