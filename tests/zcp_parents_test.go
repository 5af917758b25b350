package tests

// Issue 8, section 4: the directories --parents makes or finds on the
// way to an operand's destination.

import "testing"

// TestZcpParentsLikeCp compares --parents where a source on the way is
// not a directory and where some of the directories exist already, with
// and without -p.
func TestZcpParentsLikeCp(t *testing.T) {
	const tree = `
mkdir -p d/e/f t u/d/e
echo g > d/e/g
echo h > d/e/f/h
chmod 750 d; chmod 705 d/e; chmod 2711 d/e/f
mkdir -p t/d; chmod 777 t/d
chmod 700 u/d u/d/e
`
	runTwinCases(t, []twinCase{
		{name: "file-on-the-way", setup: "touch f; mkdir d", args: "--parents f/g d"},
		{name: "file-on-the-way-v", setup: "touch f; mkdir d", args: "-v --parents f/g d"},
		{name: "file-on-the-way-p", setup: "touch f; mkdir d", args: "-p --parents f/g d"},
		{name: "file-on-the-way-deeper", setup: "mkdir -p a d; touch a/f", args: "--parents a/f/g d"},
		{name: "file-existing-on-the-way", setup: "mkdir -p d/a; touch a", args: "--parents a/b/c d"},
		{name: "file-existing-on-the-way-p", setup: "mkdir -p d/a; touch a", args: "-p --parents a/b/c d"},
		{name: "missing-on-the-way", setup: "mkdir d", args: "--parents nothing/g d"},
		{name: "dst-not-dir-on-the-way", setup: "mkdir -p a/b d; touch a/b/c d/a", args: "--parents a/b/c d"},
		{name: "existing-parent", setup: tree, args: "-v --parents d/e/g t"},
		{name: "existing-parent-p", setup: tree, args: "-pv --parents d/e/g t"},
		{name: "existing-parent-timestamps", setup: tree, args: "--preserve=timestamps --parents d/e/g t"},
		{name: "existing-parent-mode", setup: tree, args: "--preserve=mode --parents d/e/f/h t"},
		{name: "existing-parent-p-deeper", setup: tree, args: "-p --parents d/e/f/h t"},
		{name: "all-parents-exist-p", setup: tree, args: "-p --parents d/e/g u"},
		{name: "existing-parent-rp", setup: tree, args: "-rp --parents d/e t"},
		{name: "existing-parent-a", setup: tree, args: "-a --parents d/e/f t"},
		{name: "two-operands-p", setup: tree, args: "-p --parents d/e/g d/e/f/h t"},
	})
}

// TestZcpParentsOwnerLikeCpAsRoot compares -p --parents where the source
// directories belong to another user: every directory on the way gets
// their owner, the one that existed too.
func TestZcpParentsOwnerLikeCpAsRoot(t *testing.T) {
	needRoot(t, "give directories away")
	const setup = `
mkdir -p d/e t/d
echo g > d/e/g
chown 65534:65534 d d/e
chmod 750 d d/e
chmod 755 t/d
`
	runTwinCases(t, withSetup(setup, "-p --parents d/e/g t", "--parents d/e/g t", "--preserve=ownership --parents d/e/g t"))
}
