// Package fuzzcheck holds the checks the project's fuzz targets share: a
// parser must not allocate without bound on a small input.
package fuzzcheck

import (
	"fmt"
	"runtime"
	"testing"
)

// MaxInput is the largest input, in bytes, the fuzz targets pass to a
// parser; longer inputs are skipped so the fuzzer explores structure rather
// than size.
const MaxInput = 64 << 10

// AllocBudget is the allocation a parser may make for an input of n bytes:
// a fixed 64 MiB for buffers, symbol tables and fixtures, plus 2 KiB per
// input byte. A parser that reads a length or count from its input and
// allocates by it exceeds this on some small input.
func AllocBudget(n int) uint64 { return 64<<20 + 2048*uint64(n) }

// Bounded runs parse and fails t when it allocated more than
// AllocBudget(n) for an input of n bytes. Inputs longer than MaxInput are
// skipped.
func Bounded(t *testing.T, n int, parse func()) {
	t.Helper()
	if n > MaxInput {
		t.Skip("input longer than fuzzcheck.MaxInput")
	}
	if err := check(n, parse); err != nil {
		t.Fatal(err)
	}
}

func check(n int, parse func()) error {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	parse()
	runtime.ReadMemStats(&after)
	if got, budget := after.TotalAlloc-before.TotalAlloc, AllocBudget(n); got > budget {
		return fmt.Errorf("parsing %d input bytes allocated %d bytes, more than the budget of %d", n, got, budget)
	}
	return nil
}
