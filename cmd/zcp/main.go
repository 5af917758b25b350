// Zcp copies files and directory trees, as GNU cp does, moving the data
// inside the kernel whenever the kernel allows it.
//
// Synopsis:
//
//	zcp [OPTION]... [-T] SOURCE DEST
//	zcp [OPTION]... SOURCE... DIRECTORY
//	zcp [OPTION]... -t DIRECTORY SOURCE...
//
// Each regular file's data goes through zcopy's engine: a reflink
// (FICLONE) where the filesystem shares extents, else copy_file_range,
// else sendfile or splice, and read/write last. -r copies trees with a
// bounded pool of workers, in cp's order and with cp's messages. See
// zcp(1).
package main

import "os"

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}
