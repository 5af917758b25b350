package tree

import (
	"sync"

	"golang.org/x/sys/unix"
)

// inflight keeps the destinations being written, so that the progress
// shown counts the data of a large file as it goes in, not only once the
// file is done: the engine moves up to 1 GiB in one system call, and a
// reflink all at once, so the destination's size is the honest measure.
//
// The destinations are descriptors: one is in files from before its data
// is copied until finish, which comes before it is closed, and bytes
// holds the lock while it asks fstat, so it never asks about a descriptor
// closed (or reused) meanwhile.
type inflight struct {
	mu    sync.Mutex
	files map[int]struct{}
	done  int64 // bytes of the files no longer in flight
}

func (f *inflight) add(fd int) {
	f.mu.Lock()
	if f.files == nil {
		f.files = make(map[int]struct{})
	}
	f.files[fd] = struct{}{}
	f.mu.Unlock()
}

// finish moves a file's bytes from in flight to done.
func (f *inflight) finish(fd int, bytes int64) {
	f.mu.Lock()
	delete(f.files, fd)
	f.done += bytes
	f.mu.Unlock()
}

// bytes is the data written so far: finished files, and the size of
// those in flight.
func (f *inflight) bytes() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.done
	for fd := range f.files {
		var st unix.Stat_t
		if unix.Fstat(fd, &st) == nil {
			n += st.Size
		}
	}
	return n
}

// Stats reports the data bytes written so far and the files retired. It
// counts bytes only with Options.Track set.
func (c *Copier) Stats() (bytes, files int64) {
	return c.pool.inflight.bytes(), c.pool.files.Load()
}
