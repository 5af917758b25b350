package copy

import "github.com/zcopy/zcopy/internal/fdkind"

// Plan is the pure planner, for the method-matrix table test.
func Plan(src, dst fdkind.Info) []Method { return plan(src, dst) }
