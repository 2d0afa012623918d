//go:build !unix

package bundle

import "time"

// cpuTime is unavailable here: the benchmarks report 0 CPU time.
func cpuTime() time.Duration { return 0 }
