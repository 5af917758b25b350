package main

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// The rows of issue 9 beyond cat's and tee's pipes: a file to a TCP socket
// (sendfile), a socket to a file (splice through a pipe), a file to a file
// on another filesystem (copy_file_range refused with EXDEV; sendfile).
// They have no target of their own: the table says where zcat stands.

func (h *harness) sockets() {
	section("zcat: sockets and another filesystem")
	zcat, why := h.command("zcat")
	if zcat == "" {
		fmt.Println("  skipped: " + why)
		return
	}
	ts := h.catTools(zcat)
	// A file of its own, page-cached: the rows have no target and run
	// on a smaller input, with fewer rounds.
	n := h.cfg.side
	reps := h.cfg.sideReps

	file := h.path("side")
	if err := sh(h.helper("mkdata"), "file", file, fmt.Sprint(n)); err != nil {
		h.fail(9, "sockets (no target)", err)
		return
	}
	unix.Sync()
	defer os.Remove(file)
	fmt.Printf("  %d+ rounds a row (no target)\n", reps)
	fmt.Printf("  file -> TCP socket on loopback: TOOL FILE > socket, drain on the other end; FILE %s\n", fmtSize(n))
	if _, err := h.compareN(reps, n, ts, func(t tool) variant {
		return variant{t.name, func() (sample, error) {
			cl, sv, err := tcpPair()
			if err != nil {
				return sample{}, err
			}
			c, d := newStage("tool", append(t.argv[:len(t.argv):len(t.argv)], file)...), newStage("drain", h.helper("drain"))
			c.stdout, d.stdin = cl, sv
			s, err := runStages([]*stage{c, d}, []*os.File{cl, sv})
			if err == nil {
				err = expect(n, d)
			}
			return s, err
		}}
	}); err != nil {
		h.fail(9, "file -> TCP socket (no target)", err)
	}

	out := h.path("sock.out")
	fmt.Printf("  TCP socket -> file: source > socket, TOOL < socket > FILE on %s; %s\n", fsType(h.work), fmtSize(n))
	if _, err := h.compareN(reps, n, ts, func(t tool) variant {
		return variant{t.name, func() (sample, error) {
			defer os.Remove(out)
			cl, sv, err := tcpPair()
			if err != nil {
				return sample{}, err
			}
			f, err := os.Create(out)
			if err != nil {
				closeAll([]*os.File{cl, sv})
				return sample{}, err
			}
			src, c := newStage("source", h.helper("source"), "-n", fmt.Sprint(n), file), newStage("tool", t.argv...)
			src.stdout, c.stdin, c.stdout = cl, sv, f
			s, err := runStages([]*stage{src, c}, []*os.File{cl, sv, f})
			if err == nil {
				err = checkSize(out, n)
			}
			return s, err
		}}
	}); err != nil {
		h.fail(9, "TCP socket -> file (no target)", err)
	}

	dir, done, why := h.otherFS(n)
	if dir == "" {
		fmt.Println("  file -> file on another filesystem: skipped: " + why)
		return
	}
	defer done()
	out = filepath.Join(dir, "cat.out")
	fmt.Printf("  file -> file across filesystems: TOOL FILE > OUT, FILE on %s, OUT on %s; %s\n", fsType(h.work), fsType(dir), fmtSize(n))
	if _, err := h.compareN(reps, n, ts, func(t tool) variant {
		return variant{t.name, func() (sample, error) {
			defer os.Remove(out)
			f, err := os.Create(out)
			if err != nil {
				return sample{}, err
			}
			c := newStage("tool", append(t.argv[:len(t.argv):len(t.argv)], file)...)
			c.stdout = f
			s, err := runStages([]*stage{c}, []*os.File{f})
			if err == nil {
				err = checkSize(out, n)
			}
			return s, err
		}}
	}); err != nil {
		h.fail(9, "file -> file across filesystems (no target)", err)
	}
}

func checkSize(name string, want int64) error {
	st, err := os.Stat(name)
	if err != nil {
		return err
	}
	if st.Size() != want {
		return fmt.Errorf("wrong output: %s has %d bytes, want %d", name, st.Size(), want)
	}
	return nil
}

// tcpPair returns the two ends of a TCP connection on loopback, as
// blocking descriptors (a shell's redirection to /dev/tcp gives one; the
// net package would make them nonblocking).
func tcpPair() (client, server *os.File, err error) {
	ln, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	defer unix.Close(ln)
	if err := unix.Bind(ln, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return nil, nil, err
	}
	if err := unix.Listen(ln, 1); err != nil {
		return nil, nil, err
	}
	sa, err := unix.Getsockname(ln)
	if err != nil {
		return nil, nil, err
	}
	cl, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	if err := unix.Connect(cl, sa); err != nil {
		unix.Close(cl)
		return nil, nil, err
	}
	sv, _, err := unix.Accept4(ln, unix.SOCK_CLOEXEC)
	if err != nil {
		unix.Close(cl)
		return nil, nil, err
	}
	return os.NewFile(uintptr(cl), "tcp-client"), os.NewFile(uintptr(sv), "tcp-server"), nil
}

// otherFS returns a directory on a filesystem other than the scratch
// directory's, with room for size bytes: a tmpfs of the bench's own as
// root, else /dev/shm.
func (h *harness) otherFS(size int64) (dir string, done func(), why string) {
	if os.Geteuid() == 0 {
		dir = h.path("other-fs")
		if err := os.Mkdir(dir, 0o755); err != nil {
			return "", nil, err.Error()
		}
		if err := sh("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size+(64<<20)), "zcopy-bench", dir); err != nil {
			os.Remove(dir)
			return "", nil, err.Error()
		}
		return dir, h.atExit(func() { unmount(dir) }), ""
	}
	if fsType("/dev/shm") == "tmpfs" && fsType(h.work) != "tmpfs" {
		d, err := os.MkdirTemp("/dev/shm", "zcopy-bench.")
		if err != nil {
			return "", nil, err.Error()
		}
		return d, func() { os.RemoveAll(d) }, ""
	}
	return "", nil, "not root, and no /dev/shm on another filesystem type"
}
