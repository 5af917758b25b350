package copy

import (
	"os"
	"runtime"
	"runtime/debug"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/fdkind"
)

// mmapWindow is how much of the source one mapping covers. The pages of a
// mapping that write(2) has read count in the process's RSS until it is
// unmapped, so the window bounds the memory (the target is under 10 MiB for
// any size); 4 MiB windows make 256 mmap/munmap pairs per GiB.
const mmapWindow = 4 << 20

// mmapMethod is mmap+write: it maps the regular file src window by window
// from its current offset and writes each window to dst with write(2), so
// that the data is copied once by the CPU (out of the page cache into dst)
// instead of twice by read/write. The source's offset ends after the last
// byte written, as read(2) would leave it (PITFALLS 10).
//
// Each window is sized by the file's size at that moment (fstat), so a
// file that shrank or grew between windows ends, or goes on, as read(2)
// would see it. A file truncated while a window is mapped makes the pages
// past its new end fault: write(2) then stops short or fails with EFAULT
// (the kernel's copy from user space fails; no SIGBUS is raised), and the
// copy ends with ErrShrank. The kernel zeroes the tail of the page that
// holds the new end, so a write already under way when the file shrank
// may have taken up to a page of those zeros; nothing else past the new
// end can reach dst.
func mmapMethod(dst, src *file, remain int64) (written int64, handled bool, err error) {
	if src.info.Kind != fdkind.Regular {
		return 0, false, &refusal{unix.ENODEV}
	}
	off, err := seek(src, 0, unix.SEEK_CUR)
	if err != nil {
		return 0, false, &refusal{err}
	}
	defer func() {
		if written > 0 {
			seek(src, off, unix.SEEK_SET)
		}
	}()
	for remain > 0 {
		size, err := fileSize(src)
		if err != nil {
			return written, true, newError(Read, "fstat", err)
		}
		if off >= size {
			if written == 0 && !src.info.SizeTrusted() {
				// procfs and sysfs sizes are made up (PITFALLS 3).
				return 0, false, &refusal{errNoData}
			}
			return written, true, nil
		}
		w, err := mmapWindowCopy(dst, src, off, min(size-off, remain, mmapWindow))
		written += w
		off += w
		remain -= w
		if err != nil {
			return written, true, err
		}
	}
	return written, true, nil
}

// mmapWindowCopy maps n bytes of src at off and writes them to dst.
func mmapWindowCopy(dst, src *file, off, n int64) (int64, error) {
	m, skip, err := mapWindow(src, off, n)
	if err != nil {
		if err == unix.ENODEV || err == unix.EACCES || err == unix.EINVAL {
			// A file without mmap (some FUSE and special files),
			// or opened write-only: the next method may read it.
			return 0, &refusal{err}
		}
		return 0, newError(Read, "mmap", err)
	}
	defer unmapWindow(m)
	w, err := writeAll(dst, m[skip:])
	dst.wrote(w)
	if err == unix.EFAULT {
		// The pages past w are gone: the file shrank under the mapping.
		return int64(w), &Error{Side: Read, Err: ErrShrank}
	}
	if err != nil {
		return int64(w), newError(Write, "write", err)
	}
	return int64(w), nil
}

// mapWindow maps n bytes of src at off, read-only. mmap's offset must be a
// multiple of the page size: the mapping starts skip bytes before off.
func mapWindow(src *file, off, n int64) (m []byte, skip int64, err error) {
	skip = off & int64(os.Getpagesize()-1)
	src.count()
	// MAP_POPULATE fills the page tables in the one call: without it
	// write(2) takes a page fault every few pages of the window.
	m, err = unix.Mmap(src.fd, off-skip, int(skip+n), unix.PROT_READ, unix.MAP_SHARED|unix.MAP_POPULATE)
	return m, skip, err
}

func unmapWindow(m []byte) {
	// munmap of a mapping that mmap returned fails only for a bad
	// address range: not these.
	_ = unix.Munmap(m)
}

func fileSize(f *file) (int64, error) {
	var st unix.Stat_t
	err := ignoringEINTR(func() error { return unix.Fstat(f.fd, &st) })
	return st.Size, err
}

// mapped calls visit with the data of the regular file src, from its
// current offset to its end, one mapped window at a time, and leaves src's
// offset after the bytes visit was given. It returns the bytes visited.
// An error visit returns ends the walk and is returned as it is.
//
// visit reads the mapping in user space, where the pages past the end of
// a file truncated meanwhile raise SIGBUS. debug.SetPanicOnFault turns
// that, in this goroutine, into a panic that mapped recovers and returns
// as ErrShrank (a Read *Error); a fault elsewhere is not caught.
func mapped(src *file, visit func(p []byte) error) (visited int64, err error) {
	if src.info.Kind != fdkind.Regular {
		return 0, &RefusedError{Method: Mmap, Src: src.info, Err: ErrNotApplicable}
	}
	off, err := seek(src, 0, unix.SEEK_CUR)
	if err != nil {
		return 0, newError(Read, "lseek", err)
	}
	defer func() {
		if visited > 0 {
			seek(src, off, unix.SEEK_SET)
		}
	}()
	for {
		size, err := fileSize(src)
		if err != nil {
			return visited, newError(Read, "fstat", err)
		}
		if off >= size {
			return visited, nil
		}
		n := min(size-off, mmapWindow)
		m, skip, err := mapWindow(src, off, n)
		if err != nil {
			return visited, &RefusedError{Method: Mmap, Src: src.info, Err: err}
		}
		err = visitWindow(m[skip:], visit)
		unmapWindow(m)
		if err != nil {
			return visited, err
		}
		visited += n
		off += n
	}
}

// visitWindow runs visit on p, a mapped window, and turns a fault inside
// p into ErrShrank.
func visitWindow(p []byte, visit func(p []byte) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		// The runtime's fault panics carry the faulting address.
		if f, ok := r.(interface{ Addr() uintptr }); ok && inside(f.Addr(), p) {
			err = &Error{Side: Read, Err: ErrShrank}
			return
		}
		panic(r)
	}()
	err = visit(p)
	runtime.KeepAlive(p)
	return err
}

// inside reports whether addr falls in the pages that p lies on.
func inside(addr uintptr, p []byte) bool {
	if len(p) == 0 {
		return false
	}
	page := uintptr(os.Getpagesize())
	start := uintptr(unsafe.Pointer(&p[0])) &^ (page - 1)
	end := uintptr(unsafe.Pointer(&p[0])) + uintptr(len(p))
	return addr >= start && addr < end+page
}
