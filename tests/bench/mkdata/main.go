// Command mkdata makes the inputs of the benchmark:
//
//	mkdata file PATH SIZE           a file of SIZE pseudo-random bytes
//	mkdata tree DIR N MAXSIZE       N files of 0..MAXSIZE pseudo-random bytes,
//	                                100 to a directory, under DIR
//
// The content is incompressible and reproducible (a fixed PCG seed), and
// written far faster than /dev/urandom gives it.
package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "mkdata: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	switch {
	case len(args) == 3 && args[0] == "file":
		size, err := strconv.ParseInt(args[2], 10, 64)
		if err != nil {
			return err
		}
		return writeFile(args[1], size, rand.New(rand.NewPCG(1, 2)))
	case len(args) == 4 && args[0] == "tree":
		n, err := strconv.Atoi(args[2])
		if err != nil {
			return err
		}
		maxSize, err := strconv.ParseInt(args[3], 10, 64)
		if err != nil {
			return err
		}
		return writeTree(args[1], n, maxSize)
	}
	return fmt.Errorf("usage: mkdata file PATH SIZE | mkdata tree DIR N MAXSIZE")
}

func fill(buf []byte, r *rand.Rand) {
	for i := 0; i+8 <= len(buf); i += 8 {
		binary.LittleEndian.PutUint64(buf[i:], r.Uint64())
	}
}

func writeFile(name string, size int64, r *rand.Rand) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	buf := make([]byte, min(size, 1<<20)+8)
	for size > 0 {
		n := min(size, int64(len(buf)-8))
		fill(buf[:n+8], r)
		if _, err := f.Write(buf[:n]); err != nil {
			f.Close()
			return err
		}
		size -= n
	}
	return f.Close()
}

func writeTree(dir string, n int, maxSize int64) error {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < n; i++ {
		sub := filepath.Join(dir, fmt.Sprintf("d%04d", i/100))
		if i%100 == 0 {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				return err
			}
		}
		var size int64
		if maxSize > 0 {
			size = r.Int64N(maxSize + 1)
		}
		if err := writeFile(filepath.Join(sub, fmt.Sprintf("f%06d", i)), size, r); err != nil {
			return err
		}
	}
	return nil
}
