package metrics

import (
	"math"
	"testing"
)

func TestConfusionAt(t *testing.T) {
	y := []uint8{1, 0, 1, 0, 1}
	s := []float64{0.9, 0.8, 0.7, 0.6, 0.5}
	tests := []struct {
		threshold float64
		want      Confusion
	}{
		{0.7, Confusion{TP: 2, FP: 1, TN: 1, FN: 1}}, // score >= threshold is flagged
		{0.95, Confusion{TP: 0, FP: 0, TN: 2, FN: 3}},
		{math.Inf(-1), Confusion{TP: 3, FP: 2}},
	}
	for _, tt := range tests {
		got, err := ConfusionAt(y, s, tt.threshold)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("threshold %v: %+v, want %+v", tt.threshold, got, tt.want)
		}
	}
	if _, err := ConfusionAt(y, s, nan); err == nil {
		t.Error("NaN threshold: want error")
	}
	if _, err := ConfusionAt(y, s[:4], 0.5); err == nil {
		t.Error("length mismatch: want error")
	}
}

// und marks an undefined ratio in the table below.
const und = -1.0

func TestConfusionRatios(t *testing.T) {
	tests := []struct {
		name string
		c    Confusion
		// precision recall f1 accuracy specificity balanced fpr fnr npv fdr for selection
		want [12]float64
	}{
		// The threshold_metrics/n12 conformance case, and the rates by hand.
		{"n12", Confusion{TP: 3, FP: 1, TN: 6, FN: 2},
			[12]float64{0.75, 0.6, 6.0 / 9, 0.75, 6.0 / 7, (0.6 + 6.0/7) / 2, 1.0 / 7, 0.4, 0.75, 0.25, 0.25, 4.0 / 12}},
		// Nothing flagged: precision undefined but F1 = 0 (recall is 0).
		{"nothing flagged", Confusion{TN: 2, FN: 3},
			[12]float64{und, 0, 0, 0.4, 1, 0.5, 0, 1, 0.4, und, 0.6, 0}},
		// No positives, nothing flagged: recall and F1 undefined.
		{"no positives", Confusion{TN: 4},
			[12]float64{und, und, und, 1, 1, und, 0, und, 1, und, 0, 0}},
		// Everything flagged, no negatives.
		{"all positive", Confusion{TP: 2},
			[12]float64{1, 1, 1, 1, und, und, und, 0, und, 0, und, 1}},
		{"empty", Confusion{},
			[12]float64{und, und, und, und, und, und, und, und, und, und, und, und}},
	}
	names := [12]string{"precision", "recall", "f1", "accuracy", "specificity", "balanced accuracy",
		"fpr", "fnr", "npv", "fdr", "for", "selection rate"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			got := [12]func() (float64, bool){c.Precision, c.Recall, c.F1, c.Accuracy, c.Specificity,
				c.BalancedAccuracy, c.FPR, c.FNR, c.NPV, c.FDR, c.FOR, c.SelectionRate}
			for i, f := range got {
				v, ok := f()
				if tt.want[i] == und {
					if ok {
						t.Errorf("%s = %v, want undefined", names[i], v)
					}
					continue
				}
				if !ok {
					t.Errorf("%s undefined, want %v", names[i], tt.want[i])
					continue
				}
				assertClose(t, names[i], v, tt.want[i], 1e-15)
			}
		})
	}
}

func TestFBeta(t *testing.T) {
	c := Confusion{TP: 3, FP: 1, TN: 6, FN: 2}
	f1, _ := c.F1()
	if v, ok := c.FBeta(1); !ok || !close(v, f1, 1e-15) {
		t.Errorf("FBeta(1) = %v, %v; want F1 %v", v, ok, f1)
	}
	// F2 by hand: 5·3 / (5·3 + 4·2 + 1) = 15/24.
	if v, ok := c.FBeta(2); !ok || !close(v, 15.0/24, 1e-15) {
		t.Errorf("FBeta(2) = %v, %v; want 0.625", v, ok)
	}
	if _, ok := c.FBeta(0); ok {
		t.Error("FBeta(0) should be undefined")
	}
}
