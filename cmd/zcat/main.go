// Zcat concatenates files to standard output, as GNU cat does, moving the
// data inside the kernel whenever the kernel allows it.
//
// Synopsis:
//
//	zcat [OPTION]... [FILE]...
//
// With no FILE, or when FILE is -, zcat reads standard input. Plain
// concatenation goes through zcopy's engine (copy_file_range, sendfile,
// splice, read/write last); the formatting options (-A -b -e -E -n -s -t -T
// -v) need the bytes in user space and produce GNU cat's output byte for
// byte. See zcat(1).
package main

import "os"

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}
