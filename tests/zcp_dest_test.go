package tests

// Issue 8, section 5: the destinations this run has just made
// (remembered by name and identity, as GNU cp's dest_info), and writing
// through a dangling symbolic link when POSIXLY_CORRECT asks for it.

import (
	"testing"
)

// mergeSetup has two directories x with the same 100 names, large
// files in a/x (each worth a worker) and one-line files in b/x.
const mergeSetup = `
mkdir -p a/x b/x t
for i in $(seq 1 100); do head -c 65536 /dev/zero > a/x/f$i; echo b$i > b/x/f$i; done
`

// TestZcpJustCreatedLikeCp compares operands that land on a destination
// this run has made: refused when it is the very file made (name and
// identity), allowed otherwise.
func TestZcpJustCreatedLikeCp(t *testing.T) {
	runTwinCases(t, []twinCase{
		// c/1 is a symbolic link to a file that exists: following it
		// finds another file than the one made, but the link itself is
		// the one this run made.
		{name: "through-link-to-file", setup: "mkdir a b c; echo t > tgt; ln -s ../tgt a/1; echo x > b/1", args: "-dR a/1 b/1 c"},
		{name: "through-link-to-file-v", setup: "mkdir a b c; echo t > tgt; ln -s ../tgt a/1; echo x > b/1", args: "-dRv a/1 b/1 c"},
		{name: "through-dangling-link", setup: "mkdir a b c; ln -s foo a/1; echo x > b/1", args: "-dR a/1 b/1 c"},
		{name: "link-onto-link", setup: "mkdir a b c; ln -s foo a/1; ln -s bar b/1", args: "-dR a/1 b/1 c"},
		{name: "dir-onto-link", setup: "mkdir a b c; ln -s foo a/1; mkdir b/1", args: "-dR a/1 b/1 c"},
		{name: "file-onto-file", setup: "mkdir a b c; echo a > a/1; echo b > b/1", args: "a/1 b/1 c"},
		{name: "file-onto-file-v", setup: "mkdir a b c; echo a > a/1; echo b > b/1", args: "-v a/1 b/1 c"},
		{name: "fifo-onto-file", setup: "mkdir a b c; echo a > a/1; mkfifo b/1", args: "a/1 b/1 c"},
		{name: "file-onto-fifo-R", setup: "mkdir a b c; mkfifo a/1; echo b > b/1", args: "-R a/1 b/1 c"},
		// c/1 was there before, a link to c/x: the first operand
		// writes through it, and cp still knows the link it wrote
		// through as just made.
		{name: "through-existing-link", setup: "mkdir a b c; echo x > c/x; ln -s x c/1; echo a > a/1; echo b > b/1", args: "a/1 b/1 c"},
		// c/l is a link to c/b: the destinations c/l/1 and c/b/1 are
		// one file under two names, which cp does not take for the
		// same destination.
		{name: "same-file-other-name", setup: "mkdir -p a b c/b; ln -s b c/l; ln -s a l; ln -s foo a/1; echo x > b/1", args: "-d --parents l/1 b/1 c"},
		// Two operands merged into one directory: the second one's
		// files replace the first one's, which must be all there
		// first (a worker still writing t/x/f made "File exists").
		{name: "dirs-merged", setup: mergeSetup, args: "-r a/x b/x t"},
		{name: "dirs-merged-v", setup: mergeSetup, args: "-rv a/x b/x t"},
		{name: "hard-link-then-file", setup: "mkdir a b c; echo a > a/1; echo b > b/1", args: "-l a/1 b/1 c"},
	})
}

// TestZcpDanglingDestinationLikeCp compares a regular file copied onto a
// dangling symbolic link: refused, unless POSIXLY_CORRECT is set (even
// empty), when the file the link names is created.
func TestZcpDanglingDestinationLikeCp(t *testing.T) {
	posix := []string{"POSIXLY_CORRECT=1"}
	empty := []string{"POSIXLY_CORRECT="}
	const setup = "echo f > f; ln -s target dl; mkdir t; ln -s ../made t/f; ln -s nodir/x deep"
	runTwinCases(t, []twinCase{
		{name: "refused", setup: setup, args: "f dl"},
		{name: "posix", setup: setup, args: "-v f dl", env: posix},
		{name: "posix-empty", setup: setup, args: "f dl", env: empty},
		{name: "posix-into-dir", setup: setup, args: "-v f t", env: posix},
		{name: "into-dir-refused", setup: setup, args: "f t"},
		{name: "posix-p", setup: "echo f > f; chmod 640 f; ln -s target dl", args: "-p f dl", env: posix},
		{name: "posix-missing-dir", setup: setup, args: "f deep", env: posix},
		{name: "posix-T", setup: setup, args: "-T f dl", env: posix},
		{name: "posix-P", setup: setup, args: "-P f dl", env: posix},
		{name: "posix-remove-destination", setup: setup, args: "--remove-destination f dl", env: posix},
		{name: "posix-fifo", setup: "mkfifo f; ln -s target dl", feed: map[string]string{"f": "fifo\n"}, args: "f dl", env: posix},
		{name: "fifo-refused", setup: "mkfifo f; ln -s target dl", feed: map[string]string{"f": "fifo\n"}, args: "f dl"},
	})
}
