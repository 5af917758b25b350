package copy

import (
	"bytes"

	"golang.org/x/sys/unix"
)

// seekFn is a variable so that tests can make SEEK_DATA/SEEK_HOLE lie.
var seekFn = seek

// seek is lseek(2), retrying EINTR. Regular files never return EAGAIN.
func seek(f *file, off int64, whence int) (int64, error) {
	var n int64
	err := ignoringEINTR(func() (err error) {
		n, err = unix.Seek(f.fd, off, whence)
		return err
	})
	if err == nil {
		f.pos = n // lseek answers with the new offset, whatever whence
	}
	return n, err
}

// looksSparse is GNU cp's test for a source worth scanning for holes: it
// holds fewer 512-byte blocks than its size needs. A file without holes
// then costs no lseek at all. Files whose size is made up (procfs) never
// look sparse: their st_blocks and st_size are both 0.
func looksSparse(blocks, size int64) bool {
	return blocks < size/512
}

// extent is a range [off, end) of a file.
type extent struct{ off, end int64 }

// nextData finds the first data extent of src at or after off and below
// size, with SEEK_DATA then SEEK_HOLE. ok is false when the rest of the
// file up to size is a hole. The extent returned starts at or after off and
// is never empty, so a loop that moves off to its end always advances
// and ends by size, even on a file being written or a filesystem that
// answers wrongly (PITFALLS 15).
func nextData(src *file, off, size int64) (e extent, ok bool, err error) {
	src.posKnown = false // SEEK_DATA and SEEK_HOLE move it
	data, err := seekFn(src, off, unix.SEEK_DATA)
	if err == unix.ENXIO {
		// ENXIO: no data at or after off (the final hole, or past EOF).
		return extent{}, false, nil
	}
	if err != nil {
		return extent{}, false, err
	}
	if data < off {
		// A filesystem that answers below the offset asked would make
		// the caller go back: treat the rest as data.
		data = off
	}
	if data >= size {
		return extent{}, false, nil
	}
	hole, err := seekFn(src, data, unix.SEEK_HOLE)
	if err == unix.ENXIO {
		// The file shrank below data since SEEK_DATA: nothing more.
		return extent{}, false, nil
	}
	if err != nil {
		return extent{}, false, err
	}
	if hole <= data || hole > size {
		// Every file has a virtual hole at its end, so hole > data;
		// a file that grew past size is copied up to size.
		hole = size
	}
	return extent{data, hole}, true, nil
}

// punchHole deallocates [off, off+n) of dst without changing its size.
// Holes made by seeking past written data need it on xfs, whose
// speculative preallocation beyond EOF would otherwise turn into allocated
// blocks under the next write (GNU cp's create_hole). Filesystems without
// hole punching keep what they allocated: the content is right either way.
func punchHole(dst *file, off, n int64) error {
	if n <= 0 {
		return nil
	}
	err := ignoringEINTR(func() error {
		return unix.Fallocate(dst.fd, unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, off, n)
	})
	switch err {
	case unix.EOPNOTSUPP, unix.ENOSYS:
		return nil
	}
	return err
}

// zeroBlock is compared with the data read to find runs of zeros.
var zeroBlock [bufSize]byte

func allZero(p []byte) bool { return bytes.Equal(p, zeroBlock[:len(p)]) }

// zeroScan copies what src holds from its offset to dst at dst's offset
// through a buffer, up to n bytes or src's EOF, and leaves every
// blk-aligned block of zeros as a hole (cp --sparse=always). Both offsets
// are equal on entry, so blocks are aligned on file offsets. It returns the
// bytes of data written and of zeros skipped; their sum is how far both
// offsets moved. A hole at the end is seeked over and punched but not
// written: the caller sets dst's size.
//
// It is the read/write method plus zero detection; the data crosses user
// space, which is what looking at it costs.
func zeroScan(dst, src *file, off, n, blk int64, punch bool) (data, holes int64, err error) {
	buf := getBuf()
	defer putBuf(buf)
	if blk <= 0 || blk > int64(len(*buf)) {
		blk = 4096
	}
	var hole int64 // zeros skipped in src but not yet seeked over in dst
	flushHole := func() error {
		if hole == 0 {
			return nil
		}
		end, err := seek(dst, hole, unix.SEEK_CUR)
		if err != nil {
			return newError(Write, "lseek", err)
		}
		if punch {
			if err := punchHole(dst, end-hole, hole); err != nil {
				return newError(Write, "fallocate", err)
			}
		}
		holes += hole
		hole = 0
		return nil
	}
	pos := off
	for n > 0 {
		nr, err := read(src, (*buf)[:min(n, int64(len(*buf)))])
		if err != nil {
			return data, holes, newError(Read, "read", err)
		}
		if nr == 0 {
			break
		}
		p := (*buf)[:nr]
		run := -1 // start in p of the data not yet written
		for i := 0; i < nr; {
			end := min(nr, i+int(blk-(pos+int64(i))%blk))
			if allZero(p[i:end]) {
				if run >= 0 {
					w, err := writeAll(dst, p[run:i])
					data += int64(w)
					if err != nil {
						return data, holes, newError(Write, "write", err)
					}
					run = -1
				}
				hole += int64(end - i)
			} else if run < 0 {
				if err := flushHole(); err != nil {
					return data, holes, err
				}
				run = i
			}
			i = end
		}
		if run >= 0 {
			w, err := writeAll(dst, p[run:])
			data += int64(w)
			if err != nil {
				return data, holes, newError(Write, "write", err)
			}
		}
		pos += int64(nr)
		n -= int64(nr)
	}
	return data, holes, flushHole()
}
