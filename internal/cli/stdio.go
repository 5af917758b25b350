package cli

// The Go runtime opens /dev/null on each of the descriptors 0, 1 and 2
// that is closed when the process starts, before any code of the program
// runs (runtime.checkfds, Go 1.22; runtime/fds_unix.go). GNU cat, tee and
// cp, started with standard input or output closed, report "Bad file
// descriptor"; without care, zcopy would read an empty input and throw
// its output away with status 0.
//
// CheckStdio, called first thing in main, recognizes the runtime's
// /dev/null as far as it can be told apart from one the parent passed on
// purpose (see standIn), remembers it, and puts in its place /dev/null
// opened the other way round (write-only for standard input, read-only
// for standard output): every read or write then fails with EBADF as it
// would have on the closed descriptor, in the engine, in fmt.Fprintf and
// in the runtime alike, while the descriptor number stays taken, so that
// a file the command opens later cannot land on it.

var closedAtStart [2]bool

// CheckStdio looks at descriptors 0 and 1 as the process found them (see
// above). Call it once, at the start of main.
func CheckStdio() { closedAtStart = checkStdio() }

// StdinClosed reports whether standard input was closed when the process
// started, as far as CheckStdio could tell.
func StdinClosed() bool { return closedAtStart[0] }

// StdoutClosed reports whether standard output was closed when the
// process started, as far as CheckStdio could tell.
func StdoutClosed() bool { return closedAtStart[1] }
