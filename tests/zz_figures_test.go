package tests

import "testing"

// TestZZFaultFigures prints how many faults the fault tests of this run
// injected (signals, failing devices, lowered pipe limits, files changed
// under a copy): the README's Reliability section quotes it. It runs after
// them: go test runs a package's tests in file order, and zz_ sorts last.
func TestZZFaultFigures(t *testing.T) {
	t.Logf("faults injected in this run: %d", faultsInjected.Load())
}
