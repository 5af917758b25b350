// Zcopy is the companion of zcat, ztee and zcp: it tells what zcopy's
// engine would do with a pair of files and what this kernel offers, and
// prints the shell completions of all four commands.
//
// Synopsis:
//
//	zcopy probe [--json] SOURCE [DEST]
//	zcopy doctor [DIR]
//	zcopy completion bash|zsh|fish [COMMAND]...
//
// Unlike the other three, zcopy parses its command line with
// github.com/urfave/cli/v2: it has no GNU tool to be exact to, and its
// start-up time does not matter. See zcopy(1).
package main

import "os"

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}
