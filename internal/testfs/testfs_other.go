//go:build !linux

package testfs

import (
	"errors"
	"runtime"
)

var errNotLinux = errors.New("testfs: mounts are made on linux only, not on " + runtime.GOOS)

var (
	unmountFn = func(string, int) error { return errNotLinux }
	errBusy   = errors.New("busy")
)

const mntDetach = 0

func mountTmpfs(dir, data string) error { return errNotLinux }
