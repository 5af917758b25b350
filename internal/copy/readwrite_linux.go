package copy

import "sync"

// bufSize is the read/write buffer: GNU cat's io_blksize default, 128 KiB,
// the size past which larger buffers stop paying off on Linux.
const bufSize = 128 << 10

var bufPool = sync.Pool{New: func() any { b := make([]byte, bufSize); return &b }}

func getBuf() *[]byte  { return bufPool.Get().(*[]byte) }
func putBuf(b *[]byte) { bufPool.Put(b) }

// readWriteMethod is the last resort: read(2) into a buffer, write(2) all
// of it. It works for every pair the kernel lets us read and write, and
// stops at the first short read of 0 (EOF), never sizing by st_size.
func readWriteMethod(dst, src *file, remain int64) (written int64, handled bool, err error) {
	buf := getBuf()
	defer putBuf(buf)
	for remain > 0 {
		n, err := read(src, (*buf)[:min(remain, int64(len(*buf)))])
		if err != nil {
			return written, true, newError(Read, "read", err)
		}
		if n == 0 {
			return written, true, nil
		}
		w, err := writeAll(dst, (*buf)[:n])
		written += int64(w)
		remain -= int64(w)
		dst.wrote(w)
		if err != nil {
			return written, true, newError(Write, "write", err)
		}
	}
	return written, true, nil
}
