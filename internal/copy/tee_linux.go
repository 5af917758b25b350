package copy

import "golang.org/x/sys/unix"

// tee duplicates up to max bytes from the head of the pipe src into the
// pipe dst, consuming nothing. It is how a fan-out gives the same pages
// to several outputs (fanout_pipe_linux.go).
func tee(dst, src *file, max int) (int, error) {
	return waitingEAGAIN(dst, src, dst, func() (int, error) {
		n, err := unix.Tee(src.fd, dst.fd, max, 0)
		return int(n), err
	})
}

// teeRefused is the tee(2) policy. A failed tee consumes nothing and
// gives nothing, so falling back after it is always safe.
func teeRefused(err error) bool {
	switch err {
	case unix.EINVAL:
		// Either end not a pipe, or both ends the same pipe (tee(2)).
		return true
	case unix.ENOSYS:
		// Seccomp profiles that hide tee.
		return true
	}
	return false
}
