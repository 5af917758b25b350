package cli

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// DieOfSIGPIPE ends the process by SIGPIPE, as cat and tee end when their
// reader goes away (status 141 in a shell). Go's runtime only does this by
// itself for os.File writes to fds 1 and 2; a raw splice or write that
// returns EPIPE does not kill the process (PITFALLS 8). So the default
// action is put back, as the runtime's own dieFromSignal does, and the
// signal raised on this thread.
//
// The runtime replaces the disposition it inherited before main runs, so a
// SIGPIPE ignored by the parent cannot be told from the default here: zcopy
// always dies by the signal, where GNU would then print "Broken pipe".
func DieOfSIGPIPE() {
	// A zeroed struct kernel_sigaction is SIG_DFL with no flags and an
	// empty mask on every architecture; 8 words cover the largest layout.
	var act [8]uintptr
	unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(unix.SIGPIPE), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
	var set unix.Sigset_t
	set.Val[0] = 1 << (uint(unix.SIGPIPE) - 1)
	unix.PthreadSigmask(unix.SIG_UNBLOCK, &set, nil)
	unix.Tgkill(unix.Getpid(), unix.Gettid(), unix.SIGPIPE)
	os.Exit(128 + int(unix.SIGPIPE))
}
