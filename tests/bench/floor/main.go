// Command floor is the start-up floor of a Go command: it copies its one
// file operand (a one-line file in the benchmark) to stdout with raw
// system calls and nothing else. zcat's start-up is compared with it: what
// zcat costs beyond floor is its own initialisation, not the Go runtime's.
package main

import (
	"os"
	"syscall"
)

func main() {
	if len(os.Args) != 2 {
		os.Exit(2)
	}
	fd, err := syscall.Open(os.Args[1], syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		os.Exit(1)
	}
	var buf [4096]byte
	for {
		n, err := syscall.Read(fd, buf[:])
		if err != nil {
			os.Exit(1)
		}
		if n == 0 {
			return
		}
		if _, err := syscall.Write(1, buf[:n]); err != nil {
			os.Exit(1)
		}
	}
}
