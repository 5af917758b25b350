//go:build !linux

package cli

import "os"

// DieOfSIGPIPE exits with the status a shell shows for a death by SIGPIPE.
func DieOfSIGPIPE() { os.Exit(141) }
