package copy

import "testing"

func TestKernelRelease(t *testing.T) {
	tests := []struct {
		in           string
		major, minor int
	}{
		{"6.18.44-fc-v595", 6, 18},
		{"5.3.0", 5, 3},
		{"5.2.21-generic", 5, 2},
		{"4.19", 4, 19},
		{"5", 5, 0},
		{"", 0, 0},
		{"abc", 0, 0},
	}
	for _, tt := range tests {
		if major, minor := kernelRelease(tt.in); major != tt.major || minor != tt.minor {
			t.Errorf("kernelRelease(%q) = %d.%d; want %d.%d", tt.in, major, minor, tt.major, tt.minor)
		}
	}
	if !cfrUsable() {
		t.Error("cfrUsable() = false on this kernel; the tests assume 5.3 or later")
	}
}
