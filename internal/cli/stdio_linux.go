package cli

import "golang.org/x/sys/unix"

// kcmpFile is KCMP_FILE of <linux/kcmp.h>: do two descriptors share one
// open file description?
const kcmpFile = 0

func checkStdio() (closed [2]bool) {
	var st [3]fdState
	for fd := range st {
		st[fd] = stateOf(fd)
	}
	if !st[0].devNull && !st[1].devNull {
		return closed // the common case: two fstat calls
	}
	// The flags checkfds's open(O_RDWR) gets, as this kernel sets them
	// (64-bit kernels add their own O_LARGEFILE, which x/sys calls 0).
	ref := -1
	if nfd, err := unix.Open("/dev/null", unix.O_RDWR|unix.O_CLOEXEC, 0); err == nil {
		if fl, err := unix.FcntlInt(uintptr(nfd), unix.F_GETFL, 0); err == nil {
			ref = fl
		}
		unix.Close(nfd)
	}
	sameOFD := func(a, b int) (bool, error) {
		pid := uintptr(unix.Getpid())
		r, _, e := unix.RawSyscall6(unix.SYS_KCMP, pid, pid, kcmpFile, uintptr(a), uintptr(b), 0)
		if e != 0 {
			return false, e
		}
		return r == 0, nil
	}
	for fd := range closed {
		closed[fd] = standIn(fd, st, ref, sameOFD)
	}
	for fd, mode := range [2]int{unix.O_WRONLY, unix.O_RDONLY} {
		if !closed[fd] {
			continue
		}
		nfd, err := unix.Open("/dev/null", mode|unix.O_CLOEXEC, 0)
		if err != nil {
			closed[fd] = false
			continue
		}
		if nfd != fd {
			if unix.Dup3(nfd, fd, 0) != nil {
				closed[fd] = false
			}
			unix.Close(nfd)
		}
	}
	return closed
}

// stateOf reads what standIn needs of descriptor fd.
func stateOf(fd int) fdState {
	var s fdState
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != unix.Mkdev(1, 3) {
		return s
	}
	var null unix.Stat_t
	if unix.Stat("/dev/null", &null) != nil || null.Dev != st.Dev || null.Ino != st.Ino {
		return s
	}
	s.devNull = true
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		return s
	}
	fdfl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	if err != nil {
		return s
	}
	s.flags, s.fdFlags, s.known = fl, fdfl, true
	return s
}

// fdState is what can be known of a standard descriptor.
type fdState struct {
	devNull bool // it is the file at /dev/null
	known   bool // flags and fdFlags were read
	flags   int  // F_GETFL
	fdFlags int  // F_GETFD
}

// standIn reports whether descriptor fd (0 or 1) looks like the runtime's
// /dev/null: the very file at /dev/null, with the flags of an open with
// O_RDWR and nothing else (checkfds's open; ref has them), not
// close-on-exec, and sharing its open file description with no other
// standard descriptor: checkfds opens one per closed descriptor, while a
// parent that sends all of them to /dev/null, as daemon(3) does, dups one.
// A shell's `>/dev/null` opens O_WRONLY, `</dev/null` O_RDONLY, and so do
// systemd, Go's os/exec and Rust's Stdio::null. What cannot be told
// apart is a parent that opens /dev/null O_RDWR for this descriptor
// alone (Python's subprocess.DEVNULL for one stream, libuv's "ignore"):
// it is taken for a closed descriptor. sameOFD is kcmp(KCMP_FILE); when
// it fails, two /dev/null descriptors might be one and neither counts.
func standIn(fd int, st [3]fdState, ref int, sameOFD func(a, b int) (bool, error)) bool {
	s := st[fd]
	if !s.devNull || !s.known || s.flags != ref || s.flags&unix.O_ACCMODE != unix.O_RDWR || s.fdFlags&unix.FD_CLOEXEC != 0 {
		return false
	}
	for other := range st {
		if other == fd || !st[other].devNull {
			continue
		}
		same, err := sameOFD(fd, other)
		if err != nil || same {
			return false
		}
	}
	return true
}
