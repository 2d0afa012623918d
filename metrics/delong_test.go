package metrics

import (
	"math"
	"testing"
)

func TestDeLongCIByHand(t *testing.T) {
	// Placements for the scikit-learn doc example: positives 0.35 and 0.8
	// beat 1/2 and 2/2 negatives; negatives 0.1 and 0.4 are beaten by 2/2
	// and 1/2 positives. S10 = S01 = 0.125, Var = 0.125/2 + 0.125/2.
	r, err := DeLongCI(docY, docScore, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	se := math.Sqrt(0.125)
	assertClose(t, "auc", r.AUC, 0.75, 1e-15)
	assertClose(t, "se", r.SE, se, 1e-15)
	assertClose(t, "lower", r.Lower, 0.75-1.959963984540054*se, 1e-12)
	// pROC clips the interval to [0, 1].
	assertClose(t, "upper", r.Upper, 1, 0)
}

func TestDeLongCIPerfect(t *testing.T) {
	r, err := DeLongCI([]uint8{0, 0, 1, 1}, []float64{1, 2, 3, 4}, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	if r.AUC != 1 || r.SE != 0 || r.Lower != 1 || r.Upper != 1 {
		t.Errorf("perfect separation: %+v, want AUC 1, SE 0, interval [1, 1]", r)
	}
}

func TestDeLongErrors(t *testing.T) {
	tests := []struct {
		name  string
		y     []uint8
		s     []float64
		level float64
	}{
		{"one positive", []uint8{0, 0, 1}, []float64{1, 2, 3}, 0.95},
		{"no negatives", []uint8{1, 1, 1}, []float64{1, 2, 3}, 0.95},
		{"level 1", []uint8{0, 0, 1, 1}, []float64{1, 2, 3, 4}, 1},
		{"level 0", []uint8{0, 0, 1, 1}, []float64{1, 2, 3, 4}, 0},
		{"nan", []uint8{0, 0, 1, 1}, []float64{1, nan, 3, 4}, 0.95},
		{"length", []uint8{0, 0, 1, 1}, []float64{1, 3, 4}, 0.95},
	}
	for _, tt := range tests {
		if _, err := DeLongCI(tt.y, tt.s, tt.level); err == nil {
			t.Errorf("%s: want error", tt.name)
		}
	}
	if _, err := DeLongPaired([]uint8{0, 0, 1, 1}, []float64{1, 2, 3, 4}, []float64{1, 2, 3}); err == nil {
		t.Error("paired length mismatch: want error")
	}
}

func TestDeLongPairedIdenticalRankings(t *testing.T) {
	// b is a monotone transform of a: identical placements, so no evidence
	// of a difference; the test reports z = 0, p = 1 instead of 0/0.
	a := []float64{0.1, 0.4, 0.35, 0.8, 0.6}
	b := make([]float64, len(a))
	for i, v := range a {
		b[i] = math.Exp(3 * v)
	}
	y := []uint8{0, 0, 1, 1, 0}
	r, err := DeLongPaired(y, a, b)
	if err != nil {
		t.Fatal(err)
	}
	if r.Z != 0 || r.PValue != 1 || r.Diff != 0 || r.AUCA != r.AUCB {
		t.Errorf("identical rankings: %+v", r)
	}
}

func TestDeLongPairedAntisymmetric(t *testing.T) {
	// b = -a: AUC_b = 1 - AUC_a, and Var(A - B) = 4 Var(A), so
	// z = (2 AUC_a - 1) / (2 SE_a).
	y := []uint8{0, 0, 1, 1, 0, 1}
	a := []float64{0.1, 0.4, 0.35, 0.8, 0.6, 0.7}
	b := make([]float64, len(a))
	for i, v := range a {
		b[i] = -v
	}
	ci, err := DeLongCI(y, a, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	r, err := DeLongPaired(y, a, b)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "auc_b", r.AUCB, 1-ci.AUC, 1e-15)
	assertClose(t, "z", r.Z, (2*ci.AUC-1)/(2*ci.SE), 1e-12)
	assertClose(t, "p", r.PValue, math.Erfc(math.Abs(r.Z)/math.Sqrt2), 1e-15)
	lo, hi, err := r.DiffInterval(0.95)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "diff lower", lo, r.Diff-1.959963984540054*r.SE, 1e-12)
	assertClose(t, "diff upper", hi, min(r.Diff+1.959963984540054*r.SE, 1), 1e-12)
}
