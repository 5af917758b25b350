//go:build !linux

package progress

import "os"

// IsTerminal reports false: zcopy finds terminals with Linux's TCGETS only.
func IsTerminal(f *os.File) bool { return false }

func termWidth(f *os.File) int { return 80 }
