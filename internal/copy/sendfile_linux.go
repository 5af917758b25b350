package copy

// maxSendfile is the count asked of one sendfile(2) call: below the
// kernel's per-call cap of 0x7ffff000 bytes (sendfile(2), NOTES), so that
// files over 4 GiB take several calls and none is cut short silently.
const maxSendfile = 1 << 30

var sendfileCall = directCall{name: "sendfile", call: sendfile, max: maxSendfile, refused: sendfileRefused}

// sendfileMethod copies from a regular file (whose pages it can map) to
// anything with a splice_write: files, sockets, pipes.
func sendfileMethod(dst, src *file, remain int64) (written int64, handled bool, err error) {
	return sendfileCall.pump(dst, src, remain)
}
