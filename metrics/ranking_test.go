package metrics

import "testing"

func TestTopK(t *testing.T) {
	y := []uint8{1, 0, 1, 0}
	s := []float64{0.9, 0.5, 0.5, 0.5}
	tests := []struct {
		k             int
		tp, prec, rec float64
		threshold     float64
		tied          bool
	}{
		{1, 1, 1, 0.5, 0.9, false},
		// One place left for three tied rows holding one positive: 1/3
		// expected positive, so TP = 4/3.
		{2, 4.0 / 3, 2.0 / 3, 2.0 / 3, 0.5, true},
		{3, 5.0 / 3, 5.0 / 9, 5.0 / 6, 0.5, true},
		{4, 2, 0.5, 1, 0.5, false},
	}
	for _, tt := range tests {
		r, err := TopK(y, s, tt.k)
		if err != nil {
			t.Fatal(err)
		}
		assertClose(t, "tp", r.TruePositives, tt.tp, 1e-15)
		assertClose(t, "precision", r.Precision, tt.prec, 1e-15)
		assertClose(t, "recall", *r.Recall, tt.rec, 1e-15)
		if r.Threshold != tt.threshold || r.TiedAtBoundary != tt.tied || r.K != tt.k {
			t.Errorf("k=%d: %+v", tt.k, r)
		}
	}
	r, err := TopK([]uint8{0, 0}, []float64{1, 2}, 1)
	if err != nil || r.Recall != nil || r.Precision != 0 {
		t.Errorf("no positives: %+v, %v; want precision 0, recall undefined", r, err)
	}
	for _, k := range []int{0, 5} {
		if _, err := TopK(y, s, k); err == nil {
			t.Errorf("k=%d: want error", k)
		}
	}
}

func TestThresholdForRecall(t *testing.T) {
	y := []uint8{1, 0, 1, 0, 1}
	s := []float64{0.9, 0.8, 0.7, 0.6, 0.5}
	tests := []struct {
		target, threshold, recall, precision float64
		flagged                              int
	}{
		{0.3, 0.9, 1.0 / 3, 1, 1},
		{0.5, 0.7, 2.0 / 3, 2.0 / 3, 3},
		{2.0 / 3, 0.7, 2.0 / 3, 2.0 / 3, 3}, // recall exactly at target qualifies
		{1, 0.5, 1, 0.6, 5},
	}
	for _, tt := range tests {
		r, err := ThresholdForRecall(y, s, tt.target)
		if err != nil {
			t.Fatal(err)
		}
		if r.Threshold != tt.threshold || r.Flagged != tt.flagged {
			t.Errorf("target %v: threshold %v flagged %d, want %v %d", tt.target, r.Threshold, r.Flagged, tt.threshold, tt.flagged)
		}
		assertClose(t, "recall", r.Recall, tt.recall, 1e-15)
		assertClose(t, "precision", r.Precision, tt.precision, 1e-15)
		if r.Confusion.Flagged() != r.Flagged || r.Confusion.N() != len(y) {
			t.Errorf("confusion %+v inconsistent", r.Confusion)
		}
	}
	for _, target := range []float64{0, 1.1, nan} {
		if _, err := ThresholdForRecall(y, s, target); err == nil {
			t.Errorf("target %v: want error", target)
		}
	}
	if _, err := ThresholdForRecall([]uint8{0, 0}, []float64{1, 2}, 0.5); err == nil {
		t.Error("no positives: want error")
	}
}
