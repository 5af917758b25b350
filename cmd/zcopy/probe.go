package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/copy"
	"github.com/zcopy/zcopy/internal/fdkind"
)

func probeCommand() *cli.Command {
	return &cli.Command{
		Name:      "probe",
		Usage:     "say what the engine would do for SOURCE -> DEST, moving no byte",
		ArgsUsage: "SOURCE [DEST]",
		Description: "SOURCE and DEST are paths, or - for standard input and standard output\n" +
			"as they are; with no DEST, standard output. probe prints what each end is,\n" +
			"the methods the planner would try, in order, and why the faster ones are\n" +
			"ruled out. It opens SOURCE and DEST only to look at them: nothing is\n" +
			"created, read or written.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print the same as one JSON object"},
		},
		Action: probeAction,
	}
}

// end is one side of a probed copy.
type end struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Describe string `json:"describe"` // as --debug prints it
	FS       string `json:"fs,omitempty"`
	Append   bool   `json:"append"`
	Size     *int64 `json:"size,omitempty"`      // regular files and block devices
	PipeSize int    `json:"pipe_size,omitempty"` // bytes a pipe holds
	New      bool   `json:"new,omitempty"`       // DEST does not exist yet
	info     fdkind.Info
}

type ruling struct {
	Method string `json:"method"`
	Reason string `json:"reason"`
}

type plan struct {
	Methods  []string `json:"methods"`
	RuledOut []ruling `json:"ruled_out"`
	Doubts   []ruling `json:"doubts"`
}

type probeResult struct {
	Source      end   `json:"source"`
	Destination end   `json:"destination"`
	Plan        plan  `json:"plan"`          // zcat and ztee (copy.Copy)
	Zcp         *plan `json:"zcp,omitempty"` // zcp (copy.CopyFile), for a file copied to a path
}

func probeAction(c *cli.Context) error {
	args := c.Args().Slice()
	if len(args) < 1 || len(args) > 2 {
		return usagef("probe takes SOURCE and an optional DEST, not %d operands", len(args))
	}
	src, err := probeSource(args[0], c.App.Reader)
	if err != nil {
		return err
	}
	dstName := "-"
	if len(args) == 2 {
		dstName = args[1]
	}
	dst, err := probeDest(dstName, args[0], c.App.Writer)
	if err != nil {
		return err
	}
	r := probeResult{Source: src, Destination: dst,
		Plan: explain(copy.Explain(src.info, dst.info, copy.ExplainOptions{}))}
	if dstName != "-" && src.info.Kind == fdkind.Regular && dst.info.Kind == fdkind.Regular {
		p := explain(copy.Explain(src.info, dst.info, copy.ExplainOptions{File: true}))
		r.Zcp = &p
	}
	w := c.App.Writer
	if c.Bool("json") {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	return printProbe(w, r)
}

func printProbe(w io.Writer, r probeResult) error {
	var b strings.Builder
	fmt.Fprintf(&b, "source:       %s: %s\n", r.Source.Name, endText(r.Source))
	fmt.Fprintf(&b, "destination:  %s: %s\n", r.Destination.Name, endText(r.Destination))
	printPlan(&b, "zcat, ztee", r.Plan)
	if r.Zcp != nil {
		printPlan(&b, "zcp", *r.Zcp)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func printPlan(b *strings.Builder, who string, p plan) {
	fmt.Fprintf(b, "plan (%s): %s\n", who, strings.Join(p.Methods, ", then "))
	for i, d := range p.Doubts {
		label := ""
		if i == 0 {
			label = "  may refuse:"
		}
		fmt.Fprintf(b, "%-14s%s: %s\n", label, d.Method, d.Reason)
	}
	for i, d := range p.RuledOut {
		label := ""
		if i == 0 {
			label = "  ruled out:"
		}
		fmt.Fprintf(b, "%-14s%s: %s\n", label, d.Method, d.Reason)
	}
}

func endText(e end) string {
	var parts []string
	switch e.info.Kind {
	case fdkind.Regular:
		s := "regular file"
		if e.FS != "" {
			s += " on " + e.FS
		}
		parts = append(parts, s)
	case fdkind.Pipe:
		parts = append(parts, "pipe")
		if e.PipeSize > 0 {
			parts = append(parts, fmt.Sprintf("buffer of %d bytes", e.PipeSize))
		}
	case fdkind.Socket:
		if e.info.Stream {
			parts = append(parts, "stream socket")
		} else {
			parts = append(parts, "datagram socket")
		}
	case fdkind.TTY:
		parts = append(parts, "terminal")
	case fdkind.CharDev:
		parts = append(parts, "character device")
	case fdkind.BlockDev:
		parts = append(parts, "block device")
	default:
		parts = append(parts, e.info.Kind.String())
	}
	if e.New {
		parts = append(parts, "to be created")
	} else if e.Size != nil {
		parts = append(parts, fmt.Sprintf("%d bytes", *e.Size))
	}
	if e.info.Append {
		parts = append(parts, "O_APPEND")
	}
	if e.info.Nonblock {
		parts = append(parts, "O_NONBLOCK")
	}
	return strings.Join(parts, ", ") + " [" + e.Describe + "]"
}

// probeSource describes SOURCE as zcat would open it: "-" is standard
// input as it is.
func probeSource(name string, stdin io.Reader) (end, error) {
	if name == "-" {
		f, ok := stdin.(*os.File)
		if !ok {
			return end{}, fmt.Errorf("standard input is not a file descriptor")
		}
		return describeFile("standard input", f, false)
	}
	// O_NONBLOCK: opening a FIFO must not wait for a writer, nor a
	// device for a carrier; zcat would open it blocking, so the flag is
	// taken back out of the description. O_NOCTTY: a terminal does not
	// become ours.
	fd, err := openRetry(name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC)
	if err != nil {
		return end{}, &os.PathError{Op: "open", Path: name, Err: err}
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	e, err := describeFile(name, f, true)
	return e, err
}

// probeDest describes DEST as `zcat SOURCE > DEST` or zcp would meet it:
// "-" is standard output as it is; a directory stands for the file of
// SOURCE's name in it; a missing file is described from the directory it
// would be created in. Nothing is created or written: a path is opened
// with O_PATH, or read-only for a device (terminals answer TCGETS only
// on a real descriptor).
func probeDest(name, srcName string, stdout io.Writer) (end, error) {
	if name == "-" {
		f, ok := stdout.(*os.File)
		if !ok {
			return end{}, fmt.Errorf("standard output is not a file descriptor")
		}
		return describeFile("standard output", f, false)
	}
	path := name
	if st, err := os.Stat(path); err == nil && st.IsDir() && srcName != "-" {
		path = filepath.Join(path, filepath.Base(srcName))
	}
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		if err != unix.ENOENT {
			return end{}, &os.PathError{Op: "stat", Path: path, Err: err}
		}
		return newFileEnd(path)
	}
	flags := unix.O_PATH | unix.O_CLOEXEC
	if st.Mode&unix.S_IFMT == unix.S_IFCHR {
		flags = unix.O_RDONLY | unix.O_NONBLOCK | unix.O_NOCTTY | unix.O_CLOEXEC
	}
	fd, err := openRetry(path, flags)
	if err != nil {
		return end{}, &os.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	e, err := describeFile(path, f, true)
	// What zcat's shell and zcp would open: for writing, truncated,
	// blocking, not appending.
	e.info.Readable, e.info.Writable, e.info.Append, e.info.Nonblock = false, true, false, false
	e.Append = false
	e.Describe = copy.Describe(e.info)
	return e, err
}

// newFileEnd describes a destination file that does not exist yet: a
// regular file on the filesystem of the directory it would be made in.
func newFileEnd(path string) (end, error) {
	dir := filepath.Dir(path)
	fd, err := openRetry(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return end{}, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	f := os.NewFile(uintptr(fd), dir)
	defer f.Close()
	d, err := fdkind.Of(f)
	if err != nil {
		return end{}, &os.PathError{Op: "stat", Path: dir, Err: err}
	}
	info := fdkind.Info{Kind: fdkind.Regular, Writable: true, Dev: d.Dev, FSMagic: d.FSMagic}
	return end{Name: path, Kind: info.Kind.String(), Describe: copy.Describe(info), FS: info.FSName(),
		New: true, info: info}, nil
}

// describeFile describes the open f. opened says that probe opened it
// itself, nonblocking: the flag is not the command's.
func describeFile(name string, f *os.File, opened bool) (end, error) {
	info, err := fdkind.Of(f)
	if err != nil {
		return end{}, &os.PathError{Op: "fstat", Path: name, Err: err}
	}
	if opened {
		info.Nonblock = false
	}
	e := end{Name: name, Kind: info.Kind.String(), Describe: copy.Describe(info), FS: info.FSName(),
		Append: info.Append, info: info}
	if info.Kind == fdkind.Regular || info.Kind == fdkind.BlockDev {
		size := info.Size
		e.Size = &size
	}
	if info.Kind == fdkind.Pipe {
		if rc, err := f.SyscallConn(); err == nil {
			rc.Control(func(fd uintptr) {
				if n, err := unix.FcntlInt(fd, unix.F_GETPIPE_SZ, 0); err == nil {
					e.PipeSize = n
				}
			})
		}
	}
	return e, nil
}

func openRetry(path string, flags int) (int, error) {
	for {
		fd, err := unix.Open(path, flags, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

func explain(x copy.Explanation) plan {
	p := plan{RuledOut: []ruling{}, Doubts: []ruling{}}
	for _, m := range x.Methods {
		p.Methods = append(p.Methods, m.String())
	}
	for _, r := range x.RuledOut {
		p.RuledOut = append(p.RuledOut, ruling{r.Method.String(), reasonText(r.Reason)})
	}
	for _, r := range x.Doubts {
		p.Doubts = append(p.Doubts, ruling{r.Method.String(), reasonText(r.Reason)})
	}
	return p
}

// reasonText words the engine's reasons.
func reasonText(r copy.Reason) string {
	switch r {
	case copy.AppendDst:
		return "O_APPEND destination: no zero-copy call writes to it"
	case copy.TTYEnd:
		return "a terminal at one end: splice may refuse it, read/write never does"
	case copy.VirtualSrc:
		return "procfs, sysfs or FUSE file: its size is made up, so read/write"
	case copy.SrcNotFile:
		return "the source is not a regular file"
	case copy.DstNotFile:
		return "the destination is not a regular file"
	case copy.NoPipeEnd:
		return "neither end is a pipe"
	case copy.PipeEnd:
		return "an end is a pipe: splice goes directly"
	case copy.DatagramEnd:
		return "a datagram socket: splice moves stream sockets only"
	case copy.NotFileCopy:
		return "only zcp clones"
	case copy.ReflinkOff:
		return "ruled out by --reflink=never"
	case copy.OtherFS:
		return "different filesystems: no reflink (EXDEV)"
	case copy.OtherFSType:
		return "different filesystem types: EXDEV from Linux 5.19, then the next method"
	case copy.CheaperServes:
		return "a method before it in the plan serves this pair"
	case copy.NoPlan:
		return "no zero-copy call serves this pair"
	}
	return "?"
}
