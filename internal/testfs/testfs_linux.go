package testfs

import "golang.org/x/sys/unix"

var (
	unmountFn = unix.Unmount
	errBusy   = unix.EBUSY
)

const mntDetach = unix.MNT_DETACH

func mountTmpfs(dir, data string) error {
	return unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, data)
}
