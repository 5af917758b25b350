package copy

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/fdkind"
)

// pipeSize is the capacity zcopy asks for its own pipes and for the pipes it
// is handed: a splice moves at most one pipe's worth, and the default 64 KiB
// costs a factor of several in throughput (PITFALLS 13). 1 MiB is the
// default /proc/sys/fs/pipe-max-size and what Go's internal/poll uses.
const pipeSize = 1 << 20

// pipeMaxSize is /proc/sys/fs/pipe-max-size, read once and only when an
// unprivileged F_SETPIPE_SZ to pipeSize was refused.
var pipeMaxSize = sync.OnceValue(func() int {
	b, err := os.ReadFile("/proc/sys/fs/pipe-max-size")
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
})

// growPipe raises the capacity of the pipe fd to pipeSize, or to the system
// maximum if that is lower, and returns the capacity it has. Failures are
// not errors: EPERM above pipe-max-size or past pipe-user-pages-soft, EBUSY
// when shrinking below the content; a smaller pipe still works.
func growPipe(fd int) int {
	size, err := unix.FcntlInt(uintptr(fd), unix.F_GETPIPE_SZ, 0)
	if err != nil || size >= pipeSize {
		return size
	}
	n, err := unix.FcntlInt(uintptr(fd), unix.F_SETPIPE_SZ, pipeSize)
	if err == unix.EPERM {
		if max := pipeMaxSize(); max > size {
			n, err = unix.FcntlInt(uintptr(fd), unix.F_SETPIPE_SZ, min(max, pipeSize))
		}
	}
	if err != nil {
		return size
	}
	return n
}

// pipeInfo describes the internal pipes: blocking, and never seen by anyone
// else.
var pipeInfo = fdkind.Info{Kind: fdkind.Pipe, Readable: true, Writable: true}

// pipe is an internal pipe. data counts the bytes it holds.
type pipe struct {
	r, w int
	size int
	data int
}

// Internal pipes are cached: a copy of many operands (zcat a b c, zcp -r)
// makes one pipe, not one per operand.
var pipePool sync.Pool

func getPipe() (*pipe, error) {
	if p, ok := pipePool.Get().(*pipe); ok {
		return p, nil
	}
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
		return nil, err
	}
	p := &pipe{r: fds[0], w: fds[1]}
	p.size = growPipe(p.w)
	if p.size <= 0 {
		p.size = unix.Getpagesize()
	}
	// sync.Pool drops what it holds at garbage collections without a
	// word: the finalizer closes the descriptors of a dropped pipe, as
	// internal/poll's newPipe does.
	runtime.SetFinalizer(p, destroyPipe)
	return p, nil
}

// putPipe returns p to the pool, or destroys it if it still holds data.
func putPipe(p *pipe) {
	if p.data != 0 {
		runtime.SetFinalizer(p, nil)
		destroyPipe(p)
		return
	}
	pipePool.Put(p)
}

func destroyPipe(p *pipe) {
	unix.Close(p.r)
	unix.Close(p.w)
}

// drain writes what p holds to dst through user space.
func (p *pipe) drain(dst *file) (int64, error) {
	var written int64
	buf := getBuf()
	defer putBuf(buf)
	for p.data > 0 {
		n, err := unix.Read(p.r, (*buf)[:min(p.data, len(*buf))])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return written, err
		}
		w, err := writeAll(dst, (*buf)[:n])
		written += int64(w)
		p.data -= n
		if err != nil {
			return written, err
		}
	}
	return written, nil
}
