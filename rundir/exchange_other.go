//go:build !linux

package rundir

import "golang.org/x/sys/unix"

// exchange is unsupported outside Linux: Commit takes the two-rename path,
// whose interruption the next Open repairs.
func exchange(a, b string) error { return unix.ENOSYS }

// renameNoReplace is unsupported outside Linux: Commit renames plainly
// (the lock keeps other evalruns out).
func renameNoReplace(from, to string) error { return unix.ENOSYS }
