// Ztee copies standard input to standard output and to every FILE, as GNU
// tee does, duplicating the input's pages inside the kernel instead of
// copying its bytes whenever the kernel allows it.
//
// Synopsis:
//
//	ztee [OPTION]... [FILE]...
//
// With stdin a pipe, tee(2) duplicates its pages into every output that is
// a pipe, outputs that are not pipes get them spliced from an internal
// pipe, and the last output consumes stdin with splice(2). With stdin a
// regular file, each output is fed from the file with copy_file_range(2),
// sendfile(2) or splice(2). Outputs that refuse these (O_APPEND files with
// -a, terminals, /dev/full) get write(2), and only they. The options, the
// messages and the exit status are GNU tee's; --debug tells, for each
// output, which system calls moved how many bytes. See ztee(1).
package main

import "os"

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}
