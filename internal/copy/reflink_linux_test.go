package copy

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/fdkind"
	"github.com/zcopy/zcopy/internal/testfs"
)

var errAnyRefusal = errors.New("any refusal")

func TestReflinkRefused(t *testing.T) {
	for _, tc := range []struct {
		err  syscall.Errno
		want bool
	}{
		{unix.EOPNOTSUPP, true},
		{unix.EXDEV, true},
		{unix.EINVAL, true},
		{unix.EBADF, true},
		{unix.ENOTTY, true},
		{unix.EPERM, true},
		{unix.ETXTBSY, true},
		{unix.EACCES, true},
		{unix.ENOSYS, true},
		{unix.EISDIR, true},
		{unix.EIO, false},
		{unix.ENOMEM, false},
		{unix.ENOSPC, false},
		{unix.EDQUOT, false},
		{unix.EOVERFLOW, true}, // an oddball: fall back
	} {
		if got := reflinkRefused(tc.err); got != tc.want {
			t.Errorf("reflinkRefused(%s) = %v; want %v", unix.ErrnoName(tc.err), got, tc.want)
		}
	}
}

// TestReflinkMethod calls FICLONE between real files: a clone where the
// filesystem shares extents, a refusal (handled false, nothing written)
// everywhere else.
func TestReflinkMethod(t *testing.T) {
	type pair struct {
		name     string
		src, dst string
		want     error // nil: a clone; errAnyRefusal: refused, whatever the errno
	}
	data := noise(1<<20, 7)
	tmp := t.TempDir()
	var tmpWant error = errAnyRefusal // overlayfs answers for the filesystem below it
	switch fsMagic(t, tmp) {
	case fdkind.MagicExt4, fdkind.MagicTmpfs:
		tmpWant = unix.EOPNOTSUPP
	case fdkind.MagicBtrfs, fdkind.MagicXFS:
		tmpWant = nil
	}
	pairs := []pair{{"tmpdir-to-tmpdir", tmp, tmp, tmpWant}}
	if os.Geteuid() == 0 {
		bt, xf, tm := testfs.Btrfs(t), testfs.XFS(t), testfs.Tmpfs(t, 16<<20)
		bt2 := testfs.Btrfs(t)
		pairs = append(pairs,
			pair{"btrfs-to-btrfs", bt, bt, nil},
			pair{"xfs-to-xfs", xf, xf, nil},
			pair{"tmpfs-to-tmpfs", tm, tm, unix.EOPNOTSUPP},
			pair{"btrfs-to-xfs", bt, xf, unix.EXDEV},
			pair{"btrfs-to-other-btrfs", bt, bt2, unix.EXDEV},
			pair{"tmpdir-to-btrfs", tmp, bt, unix.EXDEV},
		)
	}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			src, dst := filepath.Join(p.src, "src-"+p.name), filepath.Join(p.dst, "dst-"+p.name)
			s, d, st := copyEnds(t, src, dst, data, Reflink)
			w, handled, err := reflinkMethod(d, s, 1)
			if st.Calls != 1 {
				t.Errorf("%d calls counted; want 1", st.Calls)
			}
			if p.want != nil {
				var rf *refusal
				if w != 0 || handled || !errors.As(err, &rf) || (p.want != errAnyRefusal && !errors.Is(err, p.want)) {
					t.Fatalf("reflinkMethod = %d, %v, %v; want 0, false, a refusal with %v", w, handled, err, p.want)
				}
				return
			}
			if w != int64(len(data)) || !handled || err != nil {
				t.Fatalf("reflinkMethod = %d, %v, %v; want %d, true, nil (remain does not limit a clone)", w, handled, err, len(data))
			}
			sameContent(t, src, dst)
			if !testfs.Shared(t, dst) {
				t.Errorf("filefrag -v: no shared extent in the clone")
			}
		})
	}
}

// TestReflinkFaults puts FICLONE errors in CopyFile's way: refusals fall
// back to a copy unless the clone was required; real errors end the copy
// with nothing else tried.
func TestReflinkFaults(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	writeLayout(t, src, layout{100000, []piece{{0, noise(100000, 8)}}})
	for _, tc := range []struct {
		errno   syscall.Errno
		mode    ReflinkMode
		wantErr bool
		status  string
	}{
		{unix.EOPNOTSUPP, ReflinkAuto, false, "unsupported"},
		{unix.EXDEV, ReflinkAuto, false, "unsupported"},
		{unix.EPERM, ReflinkAuto, false, "unsupported"},
		{unix.EXDEV, ReflinkAlways, true, "unsupported"},
		{unix.EIO, ReflinkAuto, true, "unknown"},
		{unix.ENOSPC, ReflinkAuto, true, "unknown"},
		{unix.EDQUOT, ReflinkAlways, true, "unknown"},
		{unix.ENOMEM, ReflinkAuto, true, "unknown"},
	} {
		t.Run(unix.ErrnoName(tc.errno)+"/reflink="+[...]string{"auto", "always", "never"}[tc.mode], func(t *testing.T) {
			old := reflinkFn
			t.Cleanup(func() { reflinkFn = old })
			reflinkFn = func(dst, src *file, remain int64) (int64, bool, error) {
				dst.count()
				if reflinkRefused(tc.errno) {
					return 0, false, &refusal{tc.errno}
				}
				return 0, true, newError(Write, "ioctl_ficlone", tc.errno)
			}
			dst := filepath.Join(dir, "dst")
			r, err := copyPath(t, dst, src, FileOptions{Reflink: tc.mode})
			if r.ReflinkStatus != tc.status {
				t.Errorf("ReflinkStatus = %q; want %q", r.ReflinkStatus, tc.status)
			}
			if !tc.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				sameContent(t, src, dst)
				if r.Steps[0].Method != Reflink || !errors.Is(r.Steps[0].Refused, tc.errno) {
					t.Errorf("first step %+v; want reflink refused with %v", r.Steps[0], tc.errno)
				}
				return
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.Side != Write || !errors.Is(err, tc.errno) {
				t.Fatalf("CopyFile: %v; want a Write error with %v", err, tc.errno)
			}
			var se *os.SyscallError
			if !errors.As(err, &se) || se.Syscall != "ioctl_ficlone" {
				t.Errorf("CopyFile: %#v; want an *os.SyscallError of ioctl_ficlone", err)
			}
			if len(r.Steps) != 1 || r.Bytes() != 0 {
				t.Errorf("report %s; want the clone alone, no bytes", r.String())
			}
		})
	}
}
