package fuzzcheck

import (
	"strings"
	"testing"
)

var sink []byte

// TestCheckBudget checks both sides of the budget: 1 MiB for a 10-byte
// input is within the fixed allowance, 128 MiB is not.
func TestCheckBudget(t *testing.T) {
	if err := check(10, func() { sink = make([]byte, 1<<20) }); err != nil {
		t.Errorf("1 MiB for 10 bytes: %v", err)
	}
	err := check(10, func() { sink = make([]byte, 128<<20) })
	if err == nil || !strings.Contains(err.Error(), "budget") {
		t.Errorf("128 MiB for 10 bytes: got %v, want a budget error", err)
	}
	sink = nil
}
