package metrics

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
)

// randomSmall returns a small random sample with heavy ties, sometimes a
// single class, sometimes a single row.
func randomSmall(rng *rand.Rand) ([]uint8, []float64, []float64) {
	n := 1 + rng.IntN(12)
	y := make([]uint8, n)
	s := make([]float64, n)
	w := make([]float64, n)
	pPos := rng.Float64()
	for i := range n {
		if rng.Float64() < pPos {
			y[i] = 1
		}
		s[i] = float64(rng.IntN(5)) / 4 // 0, .25, .5, .75, 1
		w[i] = float64(rng.IntN(4))     // zero weights included
	}
	return y, s, w
}

// AUC equals the weighted Mann-Whitney pair count with ties one half.
func TestAUCEqualsPairCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for range 3000 {
		y, s, w := randomSmall(rng)
		var won, total float64
		for i := range y {
			for j := range y {
				if y[i] != 1 || y[j] != 0 {
					continue
				}
				pw := w[i] * w[j]
				total += pw
				switch {
				case s[i] > s[j]:
					won += pw
				case s[i] == s[j]:
					won += pw / 2
				}
			}
		}
		auc, err := ROCAUC(y, s, w)
		if total == 0 {
			if err == nil {
				t.Fatalf("y %v s %v w %v: no weighted pairs, want error, got %v", y, s, w, auc)
			}
			continue
		}
		if err != nil || !close(auc, won/total, 1e-12) {
			t.Fatalf("y %v s %v w %v: AUC %v (%v), want %v", y, s, w, auc, err, won/total)
		}
	}
}

// No function panics or returns NaN on random small inputs; every Report
// marshals to JSON.
func TestRandomInputsNeverNaN(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	finite := func(name string, v float64) {
		t.Helper()
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("%s = %v", name, v)
		}
	}
	for range 2000 {
		y, s, w := randomSmall(rng)
		if v, err := ROCAUC(y, s, w); err == nil {
			finite("auc", v)
		}
		if v, err := AveragePrecision(y, s, nil); err == nil {
			finite("ap", v)
		}
		if v, err := LogLoss(y, s); err == nil {
			finite("log loss", v)
		}
		if c, err := Calibration(y, s, 1+rng.IntN(10)); err == nil {
			finite("ece", c.ECE)
			if c.Slope != nil {
				finite("slope", *c.Slope)
			}
		}
		if d, err := DeLongCI(y, s, 0.95); err == nil {
			finite("delong lower", d.Lower)
			finite("delong se", d.SE)
		}
		if d, err := DeLongPaired(y, s, w); err == nil {
			finite("delong z", d.Z)
			finite("delong p", d.PValue)
		}
		r, err := Evaluate(y, s, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatal(err)
		}
		for _, p := range []ThresholdPolicy{{Kind: "max_f1"}, {Kind: "min_cost", CostFN: 3, CostFP: 1},
			{Kind: "target_recall", TargetRecall: 0.7}, {Kind: "top_fraction", Fraction: 0.3}, {Kind: "top_k", K: 2}} {
			if th, err := p.Threshold(y, s, s); err == nil {
				finite(p.String(), th)
			}
		}
		b, err := Bootstrap(y, s, 0.5, BootstrapOptions{Replicates: 20, Level: 0.9, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := json.Marshal(b); err != nil {
			t.Fatalf("bootstrap JSON: %v", err)
		}
		if iso, err := FitIsotonic(y, s); err == nil {
			out, _ := iso.Apply(s)
			for _, v := range out {
				finite("isotonic", v)
			}
		}
	}
}
