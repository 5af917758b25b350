//go:build !linux

package fdkind

import (
	"fmt"
	"runtime"
)

func stat(fd int) (Info, error) {
	return Info{Kind: Unknown}, fmt.Errorf("fdkind: not implemented on %s/%s", runtime.GOOS, runtime.GOARCH)
}
