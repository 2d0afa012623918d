package metrics

import (
	"math"
	"testing"
)

func TestThresholdPolicy(t *testing.T) {
	trainY := []uint8{1, 0, 1, 0, 1, 0}
	trainS := []float64{0.9, 0.8, 0.7, 0.6, 0.5, 0.4}
	testS := []float64{0.2, 0.5, 0.5, 0.5, 0.9, 0.1}
	tests := []struct {
		policy ThresholdPolicy
		want   float64
	}{
		{ThresholdPolicy{Kind: "value", Value: 0.3}, 0.3},
		// Recall by hand: 1/3 at 0.9 and 0.8, 2/3 at 0.7.
		{ThresholdPolicy{Kind: "target_recall", TargetRecall: 0.5}, 0.7},
		// F1 = 2TP/(TP+FP+P): 0.5, 0.4, 0.667, 0.571, 0.75, 0.667.
		{ThresholdPolicy{Kind: "max_f1"}, 0.5},
		// Costs FN+FP: none 3, then 2, 3, 2, 3, 2, 3: tie at 2, largest wins.
		{ThresholdPolicy{Kind: "min_cost", CostFN: 1, CostFP: 1}, 0.9},
		// 5FN+FP: none 15, then 10, 11, 6, 7, 2, 3.
		{ThresholdPolicy{Kind: "min_cost", CostFN: 5, CostFP: 1}, 0.5},
		// Misses cost nothing: flag none, just above the top training score.
		{ThresholdPolicy{Kind: "min_cost", CostFN: 0, CostFP: 1}, math.Nextafter(0.9, 2)},
		// Capacity kinds rank the test scores: 0.9 (1 row), 0.5 (3 rows), ...
		{ThresholdPolicy{Kind: "top_k", K: 1}, 0.9},
		{ThresholdPolicy{Kind: "top_k", K: 2}, 0.9}, // the 0.5 tie would exceed 2: none of it
		{ThresholdPolicy{Kind: "top_k", K: 4}, 0.5},
		{ThresholdPolicy{Kind: "top_k", K: 100}, 0.1},
		{ThresholdPolicy{Kind: "top_fraction", Fraction: 0.5}, 0.9},   // capacity 3
		{ThresholdPolicy{Kind: "top_fraction", Fraction: 0.67}, 0.5},  // floor(4.02) = 4
		{ThresholdPolicy{Kind: "top_fraction", Fraction: 0.1}, 1e300}, // capacity 0
	}
	for _, tt := range tests {
		t.Run(tt.policy.String(), func(t *testing.T) {
			got, err := tt.policy.Threshold(trainY, trainS, testS)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if want == 1e300 {
				want = math.Nextafter(0.9, 2)
			}
			if got != want {
				t.Errorf("threshold = %v, want %v", got, want)
			}
		})
	}
}

func TestCapacityNeverExceeded(t *testing.T) {
	// 0.29·100 is 28.999999999999996 in float64; the capacity is still 29.
	s := make([]float64, 100)
	for i := range s {
		s[i] = float64(i)
	}
	th, err := ThresholdPolicy{Kind: "top_fraction", Fraction: 0.29}.Threshold(nil, nil, s)
	if err != nil {
		t.Fatal(err)
	}
	if th != 71 {
		t.Errorf("threshold %v, want 71 (flags 29 of 100)", th)
	}
	// The highest group alone exceeds the capacity: nothing is flagged.
	th, err = ThresholdPolicy{Kind: "top_k", K: 1}.Threshold(nil, nil, []float64{0.5, 0.5, 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if th <= 0.5 || th != math.Nextafter(0.5, 1) {
		t.Errorf("threshold %v, want just above 0.5", th)
	}
}

func TestThresholdPolicyValidate(t *testing.T) {
	bad := []ThresholdPolicy{
		{Kind: "percentile"},
		{Kind: ""},
		{Kind: "value", Value: math.NaN()},
		{Kind: "value", Value: math.Inf(1)},
		{Kind: "top_fraction", Fraction: 0},
		{Kind: "top_fraction", Fraction: 1.5},
		{Kind: "top_k", K: 0},
		{Kind: "target_recall", TargetRecall: 0},
		{Kind: "target_recall", TargetRecall: 1.01},
		{Kind: "min_cost", CostFN: -1, CostFP: 1},
		{Kind: "min_cost", CostFN: 0, CostFP: 0},
		{Kind: "min_cost", CostFN: math.Inf(1), CostFP: 1},
	}
	for _, p := range bad {
		if err := p.Validate(); err == nil {
			t.Errorf("%+v: Validate accepted it", p)
		}
		if _, err := p.Threshold([]uint8{0, 1}, []float64{0.1, 0.9}, []float64{0.5}); err == nil {
			t.Errorf("%+v: Threshold accepted it", p)
		}
	}
	good := []ThresholdPolicy{
		{Kind: "value", Value: -3}, {Kind: "top_fraction", Fraction: 1}, {Kind: "top_k", K: 1},
		{Kind: "target_recall", TargetRecall: 1}, {Kind: "max_f1"}, {Kind: "min_cost", CostFN: 1},
	}
	for _, p := range good {
		if err := p.Validate(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
}

func TestThresholdPolicyDataErrors(t *testing.T) {
	tests := []struct {
		name  string
		p     ThresholdPolicy
		y     []uint8
		train []float64
		test  []float64
	}{
		{"max_f1 without labels", ThresholdPolicy{Kind: "max_f1"}, nil, nil, []float64{0.5}},
		{"max_f1 no positives", ThresholdPolicy{Kind: "max_f1"}, []uint8{0, 0}, []float64{0.1, 0.2}, nil},
		{"target_recall no positives", ThresholdPolicy{Kind: "target_recall", TargetRecall: 0.5}, []uint8{0, 0}, []float64{0.1, 0.2}, nil},
		{"min_cost NaN score", ThresholdPolicy{Kind: "min_cost", CostFN: 1, CostFP: 1}, []uint8{0, 1}, []float64{nan, 0.2}, nil},
		{"top_k no test", ThresholdPolicy{Kind: "top_k", K: 3}, []uint8{0, 1}, []float64{0.1, 0.2}, nil},
		{"top_k NaN test", ThresholdPolicy{Kind: "top_k", K: 3}, nil, nil, []float64{0.1, nan}},
		{"top_k +Inf top", ThresholdPolicy{Kind: "top_k", K: 1}, nil, nil, []float64{inf, inf}},
	}
	for _, tt := range tests {
		if _, err := tt.p.Threshold(tt.y, tt.train, tt.test); err == nil {
			t.Errorf("%s: want error", tt.name)
		}
	}
}

func TestThresholdPolicyString(t *testing.T) {
	tests := map[string]ThresholdPolicy{
		"value(0.5)":          {Kind: "value", Value: 0.5},
		"top_fraction(0.1)":   {Kind: "top_fraction", Fraction: 0.1},
		"top_k(50)":           {Kind: "top_k", K: 50},
		"target_recall(0.8)":  {Kind: "target_recall", TargetRecall: 0.8},
		"max_f1":              {Kind: "max_f1"},
		"min_cost(fn=5,fp=1)": {Kind: "min_cost", CostFN: 5, CostFP: 1},
	}
	for want, p := range tests {
		if got := p.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
		if p.UsesLabels() != (p.Kind == "target_recall" || p.Kind == "max_f1" || p.Kind == "min_cost") {
			t.Errorf("%s: UsesLabels wrong", want)
		}
	}
}
