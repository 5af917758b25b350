package copy

// A direct method is one system call that reads src and writes dst at their
// current offsets: copy_file_range, sendfile, or splice when one side is a
// pipe. They share one loop and differ in the call, its per-call limit and
// the errnos that mean "not for this pair".
type directCall struct {
	name    string
	call    func(dst, src *file, max int) (int, error)
	max     int64 // largest count one call is asked for
	refused func(error) bool
}

// pump runs d until src is at EOF, remain bytes have moved, or an error.
func (d *directCall) pump(dst, src *file, remain int64) (written int64, handled bool, err error) {
	for remain > 0 {
		n, err := d.call(dst, src, int(min(remain, d.max)))
		if n > 0 {
			written += int64(n)
			remain -= int64(n)
			dst.wrote(n)
			continue
		}
		if err == nil {
			// 0 bytes is the end only where the source says so. A
			// source whose size is made up (PITFALLS 3), or a file
			// still short of the size it had, goes on with the next
			// method from this byte, at the start or part way.
			if !atEOF(src) {
				return written, written > 0, &refusal{errNoData}
			}
			return written, true, nil
		}
		if d.refused(err) {
			return written, written > 0, &refusal{err}
		}
		return written, true, newError(sideOf(err, src, dst), d.name, err)
	}
	return written, true, nil
}
