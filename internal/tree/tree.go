// Package tree copies files and directory trees as GNU cp does: it walks
// the sources, decides for each file what cp would do with it (copy, link,
// skip, refuse), creates directories, links and special files, and hands
// the data of regular files to zcopy's engine.
//
// The walk is one goroutine and follows cp's order (a directory's entries
// sorted by inode number, as gnulib's savedir does, except on tmpfs and
// NFS). Regular files are copied by a bounded pool of workers, small ones
// in batches. Every file of the walk becomes an item in a bounded queue
// that one goroutine, the sequencer, retires strictly in walk order: it
// waits for the item's work, runs what must follow earlier work (a hard
// link to a file copied just before, a directory's final mode and times
// after its contents), and only then prints the item's messages (the walk
// retires an item itself when nothing before it is waiting). So the
// output and the resulting tree do not depend on which worker finishes
// first, and a file that --verbose or --progress reports as done has all
// of its data written.
//
// Memory stays bounded for huge trees: the walk holds the entry names of
// the directories on the current path only, the queue and the pool are of
// fixed size, and the only maps are the ones cp keeps too (files with
// several links, for --preserve=links, and the command-line operands).
package tree

import (
	"bufio"
	"io"
	"os"
	"runtime"
	"sync"

	"github.com/zcopy/zcopy/internal/copy"
)

// Deref says which symbolic links in the sources are followed.
type Deref uint8

// The dereference modes of cp: -P, -H and -L.
const (
	DerefNever   Deref = iota // -P: copy symbolic links as links
	DerefCmdline              // -H: follow links named on the command line
	DerefAlways               // -L: follow every link
)

// Interactive says what to do with an existing destination.
type Interactive uint8

// The answers of cp's -i and -n.
const (
	Overwrite Interactive = iota // the default: replace it
	Ask                          // -i: ask on standard error, read standard input
	NoClobber                    // -n: leave it alone, silently
)

// Reflink is the --reflink mode.
type Reflink uint8

// The --reflink modes.
const (
	ReflinkAuto   Reflink = iota // share extents where the filesystem can, else copy
	ReflinkAlways                // share extents or fail
	ReflinkNever                 // always copy the data
)

// Sparse is the --sparse mode.
type Sparse uint8

// The --sparse modes.
const (
	SparseAuto   Sparse = iota // keep the source's holes
	SparseAlways               // also make holes of runs of zeros
	SparseNever                // fill holes with zeros
)

// Options are cp's options, as the command line set them.
type Options struct {
	Recursive bool  // -r, -R, -a
	Deref     Deref // -P, -H, -L (the command picks cp's default)
	// CopyContents reads FIFOs and devices met by a recursive copy and
	// copies their data into regular files, as a copy without -R always
	// does, instead of making new FIFOs and device nodes
	// (--copy-contents).
	CopyContents bool

	PreserveMode       bool // --preserve=mode (and the ACLs, which extend it)
	PreserveOwnership  bool // --preserve=ownership
	PreserveTimestamps bool // --preserve=timestamps
	PreserveLinks      bool // --preserve=links, -d
	PreserveXattr      bool // --preserve=xattr
	// RequirePreserve makes a failure to preserve mode, ownership or times
	// an error (-p, -a, --preserve); otherwise it is only a warning.
	RequirePreserve bool
	// RequirePreserveXattr makes a failure to copy an xattr an error
	// (--preserve=xattr named explicitly).
	RequirePreserveXattr bool
	// ReduceDiagnostics silences xattr failures that only mean "not
	// supported here" (-a).
	ReduceDiagnostics bool
	// NoPreserveMode gives new files the default mode 0666 (0777 for
	// directories) less the umask (--no-preserve=mode).
	NoPreserveMode bool

	Interactive       Interactive
	Force             bool // -f: remove a destination that cannot be opened, and retry
	RemoveDestination bool // --remove-destination: remove it before opening
	Update            bool // -u: copy only when the source is newer
	// Backup keeps an existing destination that is not a directory
	// under another name before replacing it (--backup, -b);
	// BackupSuffix is the suffix of simple backups, "~" unless -S or
	// SIMPLE_BACKUP_SUFFIX gives another (see BackupSuffix).
	Backup       Backup
	BackupSuffix string
	Verbose      bool // -v
	Debug        bool // --debug: -v plus how each file's data moved

	// OpenDanglingSymlink writes a regular file through a dangling
	// symbolic link at the destination, creating the file it names; cp
	// does so only when POSIXLY_CORRECT is set, and otherwise refuses.
	OpenDanglingSymlink bool

	HardLink      bool // -l
	SymbolicLink  bool // -s
	OneFileSystem bool // -x
	// AttributesOnly copies no data: only the attributes of files
	// (--attributes-only).
	AttributesOnly bool
	Reflink        Reflink
	Sparse         Sparse
	// Method, when not copy.None, is the one method that moves the data
	// (--method); the kernel refusing it is an error, not a fallback.
	Method copy.Method

	// Jobs is how many regular files are copied at once; 0 picks one
	// worker per CPU, 1 copies in the walk itself.
	Jobs int
	// Track keeps the byte counts that Stats reports (for --progress).
	Track bool
}

// IO is where a copy reports and asks.
type IO struct {
	Prog   string    // the program name that starts messages
	Stdin  io.Reader // -i reads its answers here
	Stdout io.Writer // --verbose, --debug
	Stderr io.Writer // diagnostics and prompts
}

// A Copier runs one cp command: call Copy (or CopyOperands) and then Wait.
type Copier struct {
	opt   Options
	io    IO
	out   *bufio.Writer
	in    *bufio.Reader
	umask uint32
	root  bool // cp's owner_privileges and chown_privileges
	// asRegular is cp's copy_as_regular: a FIFO, device or socket is
	// opened and its data copied into a regular file (without -R, or
	// with --copy-contents), rather than made anew.
	asRegular bool

	// copied maps a source file (dev, ino) to the destination copied from
	// it, for hard links (cp's remember_copied); it also holds the first
	// directory created for each operand, keyed by the destination's
	// identity, to catch a directory copied into itself.
	copied map[devIno]string
	// srcSeen and dstSeen are cp's src_info and dest_info: the operands'
	// sources and destinations, to warn about repeated operands and
	// refuse to overwrite a file this run created. dstSeen maps each
	// operand's destination name to the identities (lstat) of the files
	// this run made there, as cp keeps name, device and inode together:
	// a name whose file is another one now was not just created. The
	// identity of a regular file is filled in by the worker that copied
	// it, and stays zero when the copy failed; the walk reads it only
	// after separate has waited for that work.
	srcSeen map[devIno][]string
	dstSeen map[string][]*devIno
	// dstPrefixes holds every operand's destination and its ancestors:
	// a later operand that writes there waits for the earlier work.
	dstPrefixes map[string]bool

	// magics is the filesystem type of every device met.
	magics fsMagics

	pool   *pool
	failMu sync.Mutex
	failed bool
	// outPending: standard output was written since the last diagnostic
	// (StdoutErr); only retire touches it.
	outPending bool
}

// New prepares a copy with opt, reporting through stdio.
func New(opt Options, stdio IO) *Copier {
	if opt.Debug {
		opt.Verbose = true
	}
	if opt.Jobs <= 0 {
		opt.Jobs = defaultJobs()
	}
	if opt.Interactive == Ask {
		// Prompts read standard input in walk order: one file at a time.
		opt.Jobs = 1
	}
	c := &Copier{
		opt:    opt,
		io:     stdio,
		out:    bufio.NewWriterSize(stdio.Stdout, 32<<10),
		umask:  currentUmask(),
		root:   os.Geteuid() == 0,
		copied: make(map[devIno]string),
		// cp's copy_as_regular, as its main sets it.
		asRegular: !opt.Recursive || opt.CopyContents,
	}
	if stdio.Stdin != nil {
		c.in = bufio.NewReader(stdio.Stdin)
	}
	c.pool = newPool(c, opt.Jobs)
	return c
}

// defaultJobs is one worker per CPU, at least two: a small file costs a
// few system calls on each side, and a second worker overlaps them with
// the walk even on one CPU. More than eight only adds contention.
func defaultJobs() int {
	n := runtime.GOMAXPROCS(0)
	if n < 2 {
		n = 2
	}
	if n > 8 {
		n = 8
	}
	return n
}

// Wait finishes every copy started, prints what is left to print, and
// reports whether everything succeeded.
func (c *Copier) Wait() bool {
	c.pool.close()
	c.out.Flush()
	c.failMu.Lock()
	defer c.failMu.Unlock()
	return !c.failed
}

// StdoutErr returns the first error writing standard output (--verbose,
// --debug), once Wait has returned; after it, nothing more was printed.
// atExit says whether output was still waiting when the copy ended. cp's
// stdio buffers it until a diagnostic (glibc's error() flushes stdout
// first) or exit: the errno of a failure shows in its "write error" only
// when the final flush has something to write and fails again.
func (c *Copier) StdoutErr() (err error, atExit bool) {
	return c.out.Flush(), c.outPending
}

// Fail records a failure reported by the caller, for Wait's answer.
func (c *Copier) Fail() {
	c.failMu.Lock()
	c.failed = true
	c.failMu.Unlock()
}
