//go:build unix

package bundle

import (
	"syscall"
	"time"
)

// cpuTime is the process's user and system CPU time, reported by the
// benchmarks beside wall time: on a shared machine wall time also counts
// waiting for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
