package copy_test

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/copy"
	"github.com/zcopy/zcopy/internal/fdkind"
)

// The errno policies: which errnos mean "this method is not for this pair,
// carry on with the next one" and which are real errors. A real error
// must never be taken for a refusal once bytes have moved, and a refusal
// the kernel documents must never end a copy that another method can do.
func TestRefusalPolicies(t *testing.T) {
	type row struct {
		err  unix.Errno
		want bool
		why  string
	}
	tests := []struct {
		name   string
		policy func(error) bool
		rows   []row
	}{
		{"copy_file_range", copy.CfrRefused, []row{
			{unix.ENOSYS, true, "no copy_file_range before 4.5, or hidden by seccomp"},
			{unix.EXDEV, true, "across filesystems before 5.3 and from 5.19"},
			{unix.EINVAL, true, "not regular files, or flags the filesystem refuses"},
			{unix.EBADF, true, "O_APPEND destination (PITFALLS 1)"},
			{unix.EOPNOTSUPP, true, "filesystem without support (NFS)"},
			{unix.EPERM, true, "seccomp answering EPERM"},
			{unix.EIO, true, "CIFS; a real EIO shows again on the fallback"},
			{unix.EFBIG, true, "at EOF on 6.17 (PITFALLS 2)"},
			{unix.ENOSPC, false, "the destination is full"},
			{unix.EDQUOT, false, "quota exceeded"},
			{unix.EINTR, false, "retried by the wrapper, never seen here"},
			{unix.EAGAIN, false, "waited for by the wrapper"},
			{unix.ENOMEM, true, "do_splice_direct's pipe past pipe-user-pages-hard"},
			{unix.ETXTBSY, false, "a real error"},
			{unix.EISDIR, false, "a real error"},
		}},
		{"sendfile", copy.SendfileRefused, []row{
			{unix.EINVAL, true, "O_APPEND destination, source without splice_read, destination without splice_write"},
			{unix.ENOSYS, true, "no sendfile"},
			{unix.EOPNOTSUPP, true, "not supported for this pair"},
			{unix.ENOMEM, true, "do_splice_direct's pipe past pipe-user-pages-hard"},
			{unix.EIO, false, "a real read error"},
			{unix.EPIPE, false, "the reader went away"},
			{unix.ENOSPC, false, "the destination is full"},
			{unix.EBADF, false, "not open for reading or writing: a real error"},
			{unix.ECONNRESET, false, "the peer reset the connection"},
			{unix.EAGAIN, false, "waited for by the wrapper"},
		}},
		{"splice", copy.SpliceRefused, []row{
			{unix.EINVAL, true, "no pipe, O_APPEND destination, tty, /dev/full, datagram socket"},
			{unix.ENOSYS, true, "no splice"},
			{unix.EOPNOTSUPP, true, "not supported for this pair"},
			{unix.EIO, false, "a real read error"},
			{unix.EPIPE, false, "the reader went away"},
			{unix.ENOSPC, false, "the destination is full"},
			{unix.EBADF, false, "a real error"},
			{unix.ESPIPE, false, "an offset given for a pipe: a bug, not a refusal"},
			{unix.EAGAIN, false, "waited for by the wrapper"},
		}},
	}
	for _, tt := range tests {
		for _, r := range tt.rows {
			if got := tt.policy(r.err); got != r.want {
				t.Errorf("%s: refused(%s) = %v; want %v (%s)", tt.name, unix.ErrnoName(r.err), got, r.want, r.why)
			}
		}
		if tt.policy(nil) {
			t.Errorf("%s: refused(nil) = true; want false", tt.name)
		}
	}
}

func TestSideOf(t *testing.T) {
	file := fdkind.Info{Kind: fdkind.Regular, Readable: true, Writable: true}
	rdonly := fdkind.Info{Kind: fdkind.Regular, Readable: true}
	pipe := fdkind.Info{Kind: fdkind.Pipe, Readable: true, Writable: true}
	sock := fdkind.Info{Kind: fdkind.Socket, Readable: true, Writable: true, Stream: true}
	tests := []struct {
		err      unix.Errno
		src, dst fdkind.Info
		want     copy.Side
	}{
		// Only a destination fails these way.
		{unix.EPIPE, file, pipe, copy.Write},
		{unix.EPIPE, pipe, sock, copy.Write},
		{unix.ENOSPC, pipe, file, copy.Write},
		{unix.EDQUOT, sock, file, copy.Write},
		{unix.EFBIG, file, file, copy.Write},
		{unix.EROFS, file, file, copy.Write},
		{unix.ETXTBSY, file, file, copy.Write},
		// A connection reset is the socket's side.
		{unix.ECONNRESET, file, sock, copy.Write},
		{unix.ECONNRESET, pipe, sock, copy.Write},
		{unix.ECONNRESET, sock, pipe, copy.Read},
		{unix.ENOTCONN, file, sock, copy.Write},
		{unix.ENOTCONN, sock, file, copy.Read},
		// EBADF: the side that was not opened for what it must do.
		{unix.EBADF, file, rdonly, copy.Write},
		{unix.EBADF, fdkind.Info{Kind: fdkind.Regular, Writable: true}, file, copy.Read},
		// The rest is the source's.
		{unix.EIO, file, pipe, copy.Read},
		{unix.EIO, sock, file, copy.Read},
		{unix.ENOMEM, file, file, copy.Read},
		{unix.EISDIR, file, pipe, copy.Read},
	}
	for _, tt := range tests {
		if got := copy.SideOf(tt.err, tt.src, tt.dst); got != tt.want {
			t.Errorf("sideOf(%s, %s, %s) = %v; want %v", unix.ErrnoName(tt.err), copy.Describe(tt.src), copy.Describe(tt.dst), got, tt.want)
		}
	}
}
