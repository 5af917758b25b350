package tests

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestZcpManPage lints man/zcp.1 with mandoc and checks that it documents
// every long option that zcp --help lists.
func TestZcpManPage(t *testing.T) {
	mandoc := needTool(t, "mandoc")
	zcp := bin(t, "zcp")
	if out, err := exec.Command(mandoc, "-Tlint", "-Wall", "../man/zcp.1").CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("mandoc -Tlint man/zcp.1: %v\n%s", err, out)
	}
	help, err := exec.Command(zcp, "--help").Output()
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile("../man/zcp.1")
	if err != nil {
		t.Fatal(err)
	}
	man := strings.ReplaceAll(string(page), `\-`, "-")
	opts := regexp.MustCompile(`--[a-z-]+`).FindAllString(string(help), -1)
	if len(opts) < 20 {
		t.Fatalf("zcp --help lists %d long options", len(opts))
	}
	for _, o := range opts {
		if !strings.Contains(man, o) {
			t.Errorf("man/zcp.1 does not document %s", o)
		}
	}
}
