package metrics

import (
	"errors"
	"math"
	"testing"
)

// close reports |got-want| <= tol*max(1, |want|), the conformance rule.
func close(got, want, tol float64) bool {
	return !math.IsNaN(got) && math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func assertClose(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if !close(got, want, tol) {
		t.Errorf("%s = %.17g, want %.17g (tol %g)", name, got, want, tol)
	}
}

func assertSlice(t *testing.T, name string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %v", name, got, want)
		return
	}
	for i := range got {
		if !close(got[i], want[i], tol) {
			t.Errorf("%s[%d] = %.17g, want %.17g (all: %v)", name, i, got[i], want[i], got)
		}
	}
}

func assertErrIs(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("error = %v, want %v", err, target)
	}
}

var (
	nan = math.NaN()
	inf = math.Inf(1)
)
