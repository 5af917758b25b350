// Command iocopy is the library baseline of make bench: what plain Go's
// io.Copy does with the same descriptors, whatever the standard library
// picks underneath (it has zero-copy paths of its own).
//
//	iocopy [FILE]          FILE (or stdin) to stdout, as cat
//	iocopy -tee [FILE]...  stdin to stdout and every FILE, as tee (io.MultiWriter)
//	iocopy -cp SRC DST     SRC to a new DST, as cp
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	tee := flag.Bool("tee", false, "copy stdin to stdout and to every FILE")
	cp := flag.Bool("cp", false, "copy SRC to DST")
	flag.Parse()
	if err := run(*tee, *cp, flag.Args()); err != nil {
		fmt.Fprintf(os.Stderr, "iocopy: %v\n", err)
		os.Exit(1)
	}
}

func run(tee, cp bool, args []string) error {
	switch {
	case cp:
		if len(args) != 2 {
			return fmt.Errorf("usage: iocopy -cp SRC DST")
		}
		src, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer src.Close()
		dst, err := os.Create(args[1])
		if err != nil {
			return err
		}
		if _, err := io.Copy(dst, src); err != nil {
			dst.Close()
			return err
		}
		return dst.Close()
	case tee:
		ws := []io.Writer{os.Stdout}
		for _, a := range args {
			f, err := os.Create(a)
			if err != nil {
				return err
			}
			defer f.Close()
			ws = append(ws, f)
		}
		_, err := io.Copy(io.MultiWriter(ws...), os.Stdin)
		return err
	}
	src := os.Stdin
	if len(args) == 1 {
		f, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		src = f
	}
	_, err := io.Copy(os.Stdout, src)
	return err
}
