package tests

import (
	"strings"
	"testing"
)

// TestZcpManPage checks that man/zcp.1 documents every option that
// zcp --help lists (TestManLint lints it with the other pages).
func TestZcpManPage(t *testing.T) {
	_, opts := checkManOptions(t, "zcp")
	long := 0
	for _, o := range opts {
		if strings.HasPrefix(o, "--") {
			long++
		}
	}
	if long < 20 {
		t.Fatalf("zcp --help lists %d long options", long)
	}
}
