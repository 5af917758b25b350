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
	ReadWrite:     "read/write",
}

// String returns the method's name as --debug prints it.
func (m Method) String() string {
	if int(m) < len(methodNames) {
		return methodNames[m]
	}
	return "unknown"
}

// ZeroCopy reports whether m keeps the data out of user space.
func (m Method) ZeroCopy() bool { return m != None && m != ReadWrite }

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
			fmt.Fprintf(&b, " refused (%s)", errnoName(s.Refused))
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

// Options tune a copy. The zero value copies everything to EOF.
type Options struct {
	// Limit, when positive, is the most bytes to copy.
	Limit int64
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

// errnoName renders an errno by its symbolic name for --debug.
func errnoName(err error) string {
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
