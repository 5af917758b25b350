// Package copy is zcopy's engine: it moves every byte from one descriptor
// to another with the cheapest mechanism the kernel accepts for that pair.
//
// A planner (plan.go) turns the kinds of the two descriptors into an ordered
// list of methods: copy_file_range, sendfile, splice (direct, or through an
// internal pipe when neither side is a pipe) and read/write last. Each
// method, one file per system call, follows one contract:
//
//	func(dst, src *file, remain int64) (written int64, handled bool, err error)
//
// handled == false means nothing was read or written and the next method may
// start. Once a byte has moved, handled is true. A method that the kernel
// refuses part way (an errno in the refusal policy of errno_linux.go) returns
// what it wrote and the refusal; the driver then carries on with the next
// method from exactly that byte. Any other error ends the copy and is
// returned as an *Error that says whether reading or writing failed.
//
// Every copy yields a Report: which methods moved how many bytes in how many
// system calls, and which were refused with what errno. The commands print it
// for --debug and the tests assert on it.
package copy

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/fdkind"
)

// Method names a way of moving data.
type Method uint8

// The methods, cheapest first.
const (
	None          Method = iota
	Reflink              // ioctl(FICLONE): share the extents, copy nothing
	CopyFileRange        // copy_file_range(2): in-kernel file to file copy
	Sendfile             // sendfile(2): file to anything, through the page cache
	Splice               // splice(2): one side is a pipe
	SplicePipe           // splice(2) twice, through an internal pipe
	Tee                  // tee(2): duplicate a pipe's pages into another pipe
	Mmap                 // mmap(2) of the source, write(2) from the mapping
	ReadWrite            // read(2) and write(2) through a user-space buffer
)

var methodNames = [...]string{
	None:          "none",
	Reflink:       "reflink",
	CopyFileRange: "copy_file_range",
	Sendfile:      "sendfile",
	Splice:        "splice",
	SplicePipe:    "splice-via-pipe",
	Tee:           "tee",
	Mmap:          "mmap",
	ReadWrite:     "read/write",
}

// String returns the method's name as --debug prints it.
func (m Method) String() string {
	if int(m) < len(methodNames) {
		return methodNames[m]
	}
	return "unknown"
}

// ForceNames are the names by which a caller may force a method (the
// commands' --method and ZCOPY_METHOD), in the order of ForceMethods.
// "auto" is None: the planner chooses.
var ForceNames = []string{"auto", "copy_file_range", "sendfile", "splice", "mmap", "readwrite"}

// ForceMethods are the methods that ForceNames name.
var ForceMethods = []Method{None, CopyFileRange, Sendfile, Splice, Mmap, ReadWrite}

// ZeroCopy reports whether m keeps the data out of user space. Mmap does
// not: write(2) copies the data from a user-space address, though no
// read(2) copied it there.
func (m Method) ZeroCopy() bool { return m != None && m != ReadWrite && m != Mmap }

// Step is what one method did during a copy.
type Step struct {
	Method  Method
	Bytes   int64 // bytes written to the destination by this method
	Calls   int   // system calls made, EOF, refusals and EAGAIN retries included
	Refused error // why the method gave up and the next one took over, or nil
	// ViaUser counts the bytes of Bytes that crossed user space: what an
	// internal pipe held when the destination refused splice.
	ViaUser int64
}

// Report tells how a copy went.
type Report struct {
	Src, Dst fdkind.Info
	Steps    []Step
}

// UserBytes says how much of the data crossed user space: copied into it
// by read(2), and copied out of it by write(2). read/write does both;
// mmap only the write (the page cache is mapped, not read); the zero-copy
// methods neither, except what an internal pipe held when the destination
// refused splice (Step.ViaUser).
func (r *Report) UserBytes() (read, written int64) {
	for _, s := range r.Steps {
		switch s.Method {
		case ReadWrite:
			read += s.Bytes
			written += s.Bytes
		case Mmap:
			written += s.Bytes
		default:
			read += s.ViaUser
			written += s.ViaUser
		}
	}
	return read, written
}

// Bytes is the number of bytes written to the destination.
func (r *Report) Bytes() int64 {
	var n int64
	for _, s := range r.Steps {
		n += s.Bytes
	}
	return n
}

// BytesBy is the number of bytes that method m wrote.
func (r *Report) BytesBy(m Method) int64 {
	var n int64
	for _, s := range r.Steps {
		if s.Method == m {
			n += s.Bytes
		}
	}
	return n
}

// Methods lists the methods that ran, in order (refused ones included).
func (r *Report) Methods() []Method {
	ms := make([]Method, len(r.Steps))
	for i, s := range r.Steps {
		ms[i] = s.Method
	}
	return ms
}

// String renders the report as one line for --debug, for example
// "file(ext4) -> pipe: copy_file_range refused (EINVAL), splice 4097 bytes in 2 calls".
func (r *Report) String() string {
	var b strings.Builder
	b.WriteString(Describe(r.Src))
	b.WriteString(" -> ")
	b.WriteString(Describe(r.Dst))
	b.WriteString(":")
	if len(r.Steps) == 0 {
		b.WriteString(" nothing to do")
	}
	for i, s := range r.Steps {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " %s", s.Method)
		if s.Bytes > 0 || s.Refused == nil {
			fmt.Fprintf(&b, " %d bytes in %d calls", s.Bytes, s.Calls)
		}
		if s.Refused != nil {
			if s.Bytes > 0 {
				b.WriteString(" then")
			}
			fmt.Fprintf(&b, " refused (%s)", ErrnoName(s.Refused))
		}
	}
	return b.String()
}

// Describe renders a descriptor's kind for --debug: "pipe", "file(ext4)",
// "file(proc)", "file(tmpfs,append)", "socket(stream)", "tty".
func Describe(i fdkind.Info) string {
	var attrs []string
	if fs := i.FSName(); fs != "" && i.Kind == fdkind.Regular {
		attrs = append(attrs, fs)
	}
	if i.Kind == fdkind.Socket {
		if i.Stream {
			attrs = append(attrs, "stream")
		} else {
			attrs = append(attrs, "datagram")
		}
	}
	if i.Append {
		attrs = append(attrs, "append")
	}
	if i.Nonblock {
		attrs = append(attrs, "nonblock")
	}
	if len(attrs) == 0 {
		return i.Kind.String()
	}
	return i.Kind.String() + "(" + strings.Join(attrs, ",") + ")"
}

// Side says which end of a copy an error belongs to.
type Side uint8

// The sides of a copy.
const (
	Read  Side = iota + 1 // reading the source failed
	Write                 // writing the destination failed
)

// Error is a failed copy: which side failed and the system call's error
// (an *os.SyscallError wrapping a syscall.Errno, usable with errors.Is).
type Error struct {
	Side Side
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// IsWrite reports whether err is a failure to write the destination.
func IsWrite(err error) bool {
	var ce *Error
	return errors.As(err, &ce) && ce.Side == Write
}

// RefusedError is a method that the caller forced (Options.Force,
// FileOptions.Force, FanoutOptions.Force) and that the kernel, or a rule of
// the planner, refused for this pair of descriptors. Nothing else was
// tried: a forced method never falls back.
type RefusedError struct {
	Method   Method
	Src, Dst fdkind.Info
	// Err is the errno the kernel answered, errNoData for a call that
	// returned 0 bytes from a source that may have more, or
	// ErrNotApplicable when the planner knows the method cannot serve.
	Err error
}

func (e *RefusedError) Error() string { return e.What() + ": " + e.Err.Error() }

// What names the method and the pair without the cause:
// "splice refused for file(ext4) -> file(ext4)".
func (e *RefusedError) What() string {
	return e.Method.String() + " refused for " + Describe(e.Src) + " -> " + Describe(e.Dst)
}

func (e *RefusedError) Unwrap() error { return e.Err }

// ErrNotApplicable is a forced method that cannot serve a pair by the
// rules of its system call: sendfile and copy_file_range do not read a
// pipe, mmap maps only regular files.
var ErrNotApplicable = errors.New("the method does not apply to this pair")

// ErrShrank is a source file that got shorter while it was mapped (the
// mmap method): the kernel reports the pages past the new end as a fault
// (EFAULT from write(2), SIGBUS in user space), never as data.
var ErrShrank = errors.New("file shrank while being read")

// Options tune a copy. The zero value copies everything to EOF.
type Options struct {
	// Limit, when positive, is the most bytes to copy.
	Limit int64
	// Force, when not None, is the one method to use (--method): the
	// planner returns it alone (Splice through an internal pipe when
	// neither end is a pipe), and when the kernel refuses it the copy
	// ends with a *RefusedError instead of falling back.
	Force Method
	// Progress, when not nil, grows by the bytes written to dst as they
	// are written, one bounded system call at a time, so that another
	// goroutine can show how far the copy is. It adds no system call.
	Progress *atomic.Int64
	// Methods, when not empty, replaces the plan (for tests and --debug work).
	Methods []Method
	// Src and Dst, when not nil, are descriptions the caller has just made
	// of src and dst (fdkind.Of), so that the engine does not ask again.
	Src, Dst *fdkind.Info
}

// Copy moves the data of src, from its current offset to EOF, to dst at
// its current offset (or its end, for O_APPEND), and advances both offsets
// as read(2) and write(2) would. It never changes the flags of either open
// file description. The report says what moved the data, also on error.
// Errors are *Error values, or a *RefusedError with Options.Force.
func Copy(dst, src *os.File, opt Options) (*Report, error) {
	return copyFiles(dst, src, opt)
}

// refusal is a method's way of saying "the kernel will not do this for this
// pair; carry on with the next method from the byte where I stopped".
type refusal struct{ err error }

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

// errNoData stands for a zero-copy call that returned 0 at the start on a
// source that may still have data (PITFALLS 3).
var errNoData = errors.New("0 bytes from a source that may have more")

// ErrnoName is the symbolic name of the errno behind err (EXDEV), for
// --debug and zcopy doctor; err's text when it has none.
func ErrnoName(err error) string {
	var r *refusal
	if errors.As(err, &r) {
		err = r.err
	}
	var en syscall.Errno
	if errors.As(err, &en) {
		if name := unix.ErrnoName(en); name != "" {
			return name
		}
	}
	return err.Error()
}

// Mapped is the mmap method for a caller that reads the bytes itself (cat's
// formatting options): it maps the regular file src window by window, a
// few MiB at a time, from its current offset to its end, and calls visit
// on each window. src's offset ends after the bytes visited. It returns
// the bytes visited and the first error: visit's as it returned it, a
// Read *Error with ErrShrank when the file was truncated under a window
// that visit was reading (the SIGBUS that the truncated pages raise is
// caught in this goroutine only), or a *RefusedError when src cannot be
// mapped. visit must not keep p: it is unmapped when visit returns. As
// with the mmap method, the kernel zeroes the rest of the page that holds
// a new end: visit may have read those zeros (under a page) before the
// next page faulted.
func Mapped(src *os.File, visit func(p []byte) error) (int64, error) {
	return mappedFile(src, visit)
}
