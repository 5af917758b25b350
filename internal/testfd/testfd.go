// Package testfd gives tests descriptors of every kind, made the way the
// kernel rules on them require: pipes, Unix and TCP socket pairs,
// pseudo-terminals and loop block devices, each a real *os.File whose
// flags are exactly the ones asked for.
//
// Every descriptor is created close-on-exec, so that a child started by a
// parallel test never inherits another test's descriptor (a stray write end
// keeps a pipe's reader from ever seeing EOF); exec.Cmd clears the flag on
// the ones it hands over. Every descriptor is closed by t.Cleanup. The
// files are made with os.NewFile, which leaves a blocking descriptor
// blocking and makes a nonblocking one pollable: the test's end of a
// nonblocking pipe waits in Go's poller and never sees EAGAIN.
//
// What the machine cannot give (no pseudo-terminals, no loop devices) is
// testfs.Unavailable: a skip, or a failure under CI=true.
//
//	r, w := testfd.Pipe(t, unix.O_NONBLOCK)
//	master, slave := testfd.Pty(t, 0)
//	testfd.SetTermios(t, slave, testfd.MakeRaw)
package testfd
