package tests

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/zcopy/zcopy/internal/testfd"
)

// formatFill is the work directory of the formatting cases: files whose
// state (line numbers, a blank run, a held carriage return, a last line
// without newline) carries over to the next operand.
func formatFill(t *testing.T, dir string) {
	t.Helper()
	var bin bytes.Buffer
	for c := 0; c < 256; c++ {
		bin.WriteByte(byte(c))
		if c%16 == 15 {
			bin.WriteString("\n")
		}
	}
	var big bytes.Buffer
	for i := 0; big.Len() < 300<<10; i++ {
		fmt.Fprintf(&big, "line %d\t%s\n", i, strings.Repeat("x", i%97))
		if i%13 == 0 {
			big.WriteString("\n\n\n")
		}
	}
	files := map[string]string{
		"a":          "alpha\nbeta\n",
		"b":          "gamma\n\ndelta\n",
		"lines":      "one\ntwo\n\n\n\nthree\n\n",
		"blank":      "\n\n\n",
		"blank1":     "\n",
		"nonl":       "no newline at the end",
		"empty":      "",
		"tabs":       "\ta\tb\t\n\t\t\n",
		"crlf":       "dos\r\nline\r\n\r\n",
		"cr-end":     "ends in a carriage return\r",
		"nl-start":   "\nstarts with a newline\n",
		"cr-alone":   "a\rb\r\r\n",
		"bin":        bin.String(),
		"high":       "caf\xc3\xa9 \x80\x9f\xa0\xff\x7f\x1b[0m\n",
		"big":        big.String(),
		"many-lines": strings.Repeat("\n", 1000001),
		"-n":         "a file named -n\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestZcatFormatting runs the formatting options end to end, zcat against
// GNU cat, with state carried across operands and standard input mixed in.
func TestZcatFormatting(t *testing.T) {
	zcat := bin(t, "zcat")
	cat := gnu(t, "cat")
	scripts := []string{
		`cat -n a b`,
		`cat -n a nonl b nonl`,
		`cat -n nonl nonl`,
		`cat -b lines blank nonl lines`,
		`cat -b blank1 a`,
		`cat -bn a blank b`,
		`cat -nb a blank b`,
		`cat -s blank blank lines blank`,
		`cat -s blank1 blank1 a blank1`,
		`cat -sn lines blank b`,
		`cat -sb lines blank b`,
		`cat -E a crlf nonl`,
		`cat -E cr-end nl-start`,
		`cat -E cr-end`,
		`cat -E cr-end empty nl-start`,
		`cat -E cr-alone crlf`,
		`cat -nE cr-end nl-start`,
		`cat -A bin high crlf`,
		`cat -v bin high`,
		`cat -vE cr-end nl-start`,
		`cat -e bin`,
		`cat -t bin tabs`,
		`cat -T tabs`,
		`cat -vET bin`,
		`cat -vT tabs crlf`,
		`cat -u a b`,
		`cat -u -n a b`,
		`cat -n a - b < lines`,
		`cat -n - - < a`,
		`cat -s - blank < blank`,
		`cat -n -- -n a`,
		`cat a -n b`,
		`cat a -- -n`,
		`POSIXLY_CORRECT=1 cat a -- -n`,
		`cat --number --squeeze-blank lines blank`,
		`cat --squ --numb lines`,
		`cat --show-a bin`,
		`cat --show-ends --show-tabs --show-nonprinting tabs crlf`,
		`cat --number-nonblank lines`,
		`cat -n big`,
		`cat -bs big lines`,
		`cat -A big`,
		`cat -n < big`,
		`cat -n many-lines`,
		`cat -b many-lines a`,
		`cat -s many-lines a`,
		`cat -n nonl | cat`,
		`printf 'x\ny' | cat -n - nonl`,
		`cat big | cat -n`,
		`cat -E crlf > out; cat -n out`,
		`cat -n a missing b`,
		`cat -n a dir b`,
	}
	fill := func(t *testing.T, dir string) {
		formatFill(t, dir)
		if err := os.Mkdir(filepath.Join(dir, "dir"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, script := range scripts {
		t.Run(script, func(t *testing.T) {
			t.Parallel()
			g := asCat(t, cat, script, fill, nil)
			z := asCat(t, zcat, script, fill, nil)
			if z.stdout != g.stdout {
				t.Errorf("%s: output differs from GNU cat's: %s", script, diffBytes([]byte(z.stdout), []byte(g.stdout)))
				z.stdout, g.stdout = "", ""
			}
			compareCats(t, script, z, g)
		})
	}
}

// TestZcatFormattedInteractive feeds zcat -n a line at a time: each
// numbered line must be out by the time zcat waits for the next one, as
// with GNU cat, and nothing may be written twice. "zcat waits" is read in
// /proc: a thread of zcat sleeps in read(0, ...) and the input pipe is
// empty.
func TestZcatFormattedInteractive(t *testing.T) {
	zcat := bin(t, "zcat")
	for _, args := range [][]string{{"-n"}, {"-E"}, {"-s"}, {"-A"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			inR, inW := testfd.Pipe(t, 0)
			outR, outW := testfd.Pipe(t, 0)
			cmd := exec.Command(zcat, args...)
			cmd.Stdin, cmd.Stdout = inR, outW
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			inR.Close()
			outW.Close()
			var got bytes.Buffer
			for i, line := range []string{"first\n", "\n", "\n", "third\r\n", "tab\there\n"} {
				if _, err := inW.WriteString(line); err != nil {
					t.Fatal(err)
				}
				waitReading(t, cmd.Process.Pid, inW)
				n := pipeBytes(t, outR)
				b := make([]byte, n)
				if _, err := outR.Read(b); n > 0 && err != nil {
					t.Fatal(err)
				}
				got.Write(b)
				if i == 0 && n == 0 {
					t.Fatalf("zcat %v waits for input with %q read and nothing written", args, line)
				}
			}
			inW.Close()
			rest := new(bytes.Buffer)
			rest.ReadFrom(outR)
			got.Write(rest.Bytes())
			if err := cmd.Wait(); err != nil {
				t.Fatalf("zcat %v: %v; stderr %q", args, err, stderr.String())
			}
			want, err := exec.Command("sh", "-c", `printf 'first\n\n\nthird\r\ntab\there\n' | /usr/bin/cat "$@"`, "sh", strings.Join(args, " ")).Output()
			if err != nil {
				t.Skipf("GNU cat: %v", err)
			}
			if d := diffBytes(got.Bytes(), want); d != "" {
				t.Errorf("zcat %v wrote %s", args, d)
			}
		})
	}
}

// waitReading returns once the process pid sleeps in read(2) on its
// standard input and the pipe w feeds is empty: everything written so far
// has been read, and the process is waiting for more.
func waitReading(t *testing.T, pid int, w *os.File) {
	t.Helper()
	want := strconv.Itoa(unix.SYS_READ) + " 0x0 "
	for {
		if pipeBytes(t, w) == 0 {
			tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/syscall", pid))
			for _, p := range tasks {
				b, err := os.ReadFile(p)
				if err == nil && strings.HasPrefix(string(b), want) {
					return
				}
			}
			if len(tasks) == 0 {
				t.Fatalf("process %d has gone", pid)
			}
		}
		// Let zcat run: this loop waits for a state, not for a time.
		unix.Nanosleep(&unix.Timespec{Nsec: 1e6}, nil)
	}
}

// pipeBytes is the number of bytes the pipe behind f holds (FIONREAD, alias TIOCINQ,
// which answers on either end).
func pipeBytes(t *testing.T, f *os.File) int {
	t.Helper()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var ierr error
	rc.Control(func(fd uintptr) { n, ierr = unix.IoctlGetInt(int(fd), unix.TIOCINQ) })
	if ierr != nil {
		t.Fatal(ierr)
	}
	return n
}
