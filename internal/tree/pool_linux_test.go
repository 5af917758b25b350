package tree

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// makeTree makes a tree of n files in nested directories, with sizes from
// empty to several pipe-fulls (copied in batches) and a few over
// batchBelow (copied one by one), and a few hard links.
func makeTree(t *testing.T, root string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		dir := filepath.Join(root, fmt.Sprintf("d%d", i%9), fmt.Sprintf("e%d", i%4))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, fmt.Sprintf("f%d", i))
		size := (i * 4099) % 200000
		if i%50 == 7 {
			size = batchBelow + i
		}
		if err := os.WriteFile(name, bytes.Repeat([]byte{byte(i)}, size), 0o640); err != nil {
			t.Fatal(err)
		}
		if i%17 == 0 {
			os.Link(name, filepath.Join(root, fmt.Sprintf("d%d", (i+1)%9), fmt.Sprintf("link%d", i)))
		}
	}
}

func listTree(t *testing.T, root string) string {
	t.Helper()
	var lines []string
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, p)
		line := fmt.Sprintf("%s %v %d %s", rel, fi.Mode(), fi.Size(), fi.ModTime().UTC())
		if fi.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			line += fmt.Sprintf(" %x", b[:min(len(b), 8)])
		}
		lines = append(lines, line)
		return nil
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestJobsDoNotChangeTheResult copies one tree with one worker (the walk
// copies inline) and with many: the same messages in the same order, the
// same tree, times and all.
func TestJobsDoNotChangeTheResult(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	makeTree(t, src, 300)
	var outs, trees []string
	for _, jobs := range []int{1, 2, 8} {
		dst := filepath.Join(dir, fmt.Sprintf("dst%d", jobs))
		var out, errb bytes.Buffer
		c := New(Options{Recursive: true, PreserveLinks: true, PreserveMode: true,
			PreserveTimestamps: true, PreserveOwnership: true, RequirePreserve: true,
			Verbose: true, Jobs: jobs},
			IO{Prog: "zcp", Stdout: &out, Stderr: &errb})
		if err := c.Run(Operands{Files: []string{src, dst}}); err != nil {
			t.Fatal(err)
		}
		if !c.Wait() || errb.Len() > 0 {
			t.Fatalf("jobs=%d: failed: %s", jobs, errb.String())
		}
		outs = append(outs, strings.ReplaceAll(out.String(), dst, "DST"))
		trees = append(trees, listTree(t, dst))
	}
	for i := 1; i < len(outs); i++ {
		if outs[i] != outs[0] {
			t.Errorf("messages with more workers differ from one worker's:\n%s\nwant:\n%s", outs[i], outs[0])
		}
		if trees[i] != trees[0] {
			t.Errorf("tree with more workers differs from one worker's")
		}
	}
	if n := strings.Count(outs[0], "\n"); n < 300 {
		t.Errorf("%d lines of --verbose for 300 files and their directories", n)
	}
}

func TestParseDirent(t *testing.T) {
	// A record of 24 bytes: inode 7, name "ab", padding zeros.
	b := make([]byte, 24)
	b[0] = 7
	b[16] = 24
	copy(b[19:], "ab")
	ino, name, reclen, ok := parseDirent(b)
	if !ok || ino != 7 || string(name) != "ab" || reclen != 24 {
		t.Errorf("parseDirent = %d, %q, %d, %v; want 7, \"ab\", 24, true", ino, name, reclen, ok)
	}
	if _, _, _, ok := parseDirent(b[:10]); ok {
		t.Errorf("parseDirent of a short buffer succeeded")
	}
	b[16] = 200
	if _, _, _, ok := parseDirent(b); ok {
		t.Errorf("parseDirent of a record longer than the buffer succeeded")
	}
}

// TestManyItemsBetweenSmallFiles copies a small file followed by more
// directories and symbolic links than the sequencer's queue holds, with
// workers: the batch that holds the small file must reach a worker before
// the queue fills behind it, or the walk and the sequencer wait for each
// other forever.
func TestManyItemsBetweenSmallFiles(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "a"), []byte("small\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2*seqWindow; i++ {
		if err := os.Symlink("a", filepath.Join(src, fmt.Sprintf("l%04d", i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(src, "z"), []byte("last\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "dst")
	var out, errb bytes.Buffer
	c := New(Options{Recursive: true, Verbose: true, Jobs: 2}, IO{Prog: "zcp", Stdout: &out, Stderr: &errb})
	if err := c.Run(Operands{Files: []string{src, dst}}); err != nil {
		t.Fatal(err)
	}
	if !c.Wait() || errb.Len() > 0 {
		t.Fatalf("failed: %s", errb.String())
	}
	for _, name := range []string{"a", "z"} {
		if b, err := os.ReadFile(filepath.Join(dst, name)); err != nil || len(b) == 0 {
			t.Errorf("%s: %q, %v; want its content", name, b, err)
		}
	}
	if n := strings.Count(out.String(), "\n"); n != 2*seqWindow+3 {
		t.Errorf("%d lines of --verbose; want %d", n, 2*seqWindow+3)
	}
}
