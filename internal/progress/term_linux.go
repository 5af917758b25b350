package progress

import (
	"os"

	"golang.org/x/sys/unix"
)

// IsTerminal reports whether f is a terminal: TCGETS succeeds only on
// terminals, as isatty(3) asks.
func IsTerminal(f *os.File) bool {
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	tty := false
	rc.Control(func(fd uintptr) {
		_, err := unix.IoctlGetTermios(int(fd), unix.TCGETS)
		tty = err == nil
	})
	return tty
}

// termWidth is the terminal's width in columns (TIOCGWINSZ), 80 when it
// does not say.
func termWidth(f *os.File) int {
	w := 80
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) {
			if ws, err := unix.IoctlGetWinsize(int(fd), unix.TIOCGWINSZ); err == nil && ws.Col > 0 {
				w = int(ws.Col)
			}
		})
	}
	return w
}
