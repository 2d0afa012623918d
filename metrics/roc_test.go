package metrics

import (
	"testing"
)

// The 4-row example of the scikit-learn documentation (roc_auc_score,
// roc_curve, average_precision_score, precision_recall_curve docstrings).
var (
	docY     = []uint8{0, 0, 1, 1}
	docScore = []float64{0.1, 0.4, 0.35, 0.8}
)

func TestRankingMetrics(t *testing.T) {
	tests := []struct {
		name    string
		y       []uint8
		score   []float64
		w       []float64
		auc, ap float64
	}{
		// scikit-learn docstrings: roc_auc_score 0.75, average_precision_score 0.8333.
		{"sklearn doc", docY, docScore, nil, 0.75, 5.0 / 6},
		// One tied pair: counts one half; AP: one threshold, precision 1/2.
		{"tie", []uint8{0, 1}, []float64{0.5, 0.5}, nil, 0.5, 0.5},
		// Perfect and reversed ranking.
		{"perfect", []uint8{0, 0, 1}, []float64{1, 2, 3}, nil, 1, 1},
		// Reversed: AP by hand: thresholds 3,2 add no recall; at 1: R=1, P=1/3.
		{"reversed", []uint8{1, 0, 0}, []float64{1, 2, 3}, nil, 0, 1.0 / 3},
		// Weighted by hand: P = 6, N = 4; pairs won 2·1 + 4·1 + 4·3 = 18 of 24.
		// AP: at 0.4 R = 4/6, P = 1; at 0.2 R = 1, P = 6/9: 2/3 + (1/3)(2/3).
		{"weighted", []uint8{0, 1, 0, 1}, []float64{0.1, 0.2, 0.3, 0.4}, []float64{1, 2, 3, 4}, 0.75, 8.0 / 9},
		// A zero-weight row changes nothing.
		{"zero weight", []uint8{0, 1, 0, 1, 0}, []float64{0.1, 0.2, 0.3, 0.4, 0.9}, []float64{1, 2, 3, 4, 0}, 0.75, 8.0 / 9},
		// Infinite scores are ordered like any other.
		{"infinite", []uint8{0, 1, 0, 1}, []float64{-inf, inf, 0, 1}, nil, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auc, err := ROCAUC(tt.y, tt.score, tt.w)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "auc", auc, tt.auc, 1e-12)
			ap, err := AveragePrecision(tt.y, tt.score, tt.w)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "ap", ap, tt.ap, 1e-12)
		})
	}
}

// Integer weights must equal replicating rows.
func TestWeightsEqualReplication(t *testing.T) {
	y := []uint8{0, 1, 1, 0, 1, 0, 0, 1}
	s := []float64{0.3, 0.3, 0.8, 0.5, 0.1, 0.9, 0.3, 0.6}
	w := []float64{2, 1, 3, 1, 2, 1, 4, 1}
	var ry []uint8
	var rs []float64
	for i := range y {
		for range int(w[i]) {
			ry = append(ry, y[i])
			rs = append(rs, s[i])
		}
	}
	for _, f := range []struct {
		name string
		fn   func([]uint8, []float64, []float64) (float64, error)
	}{{"auc", ROCAUC}, {"ap", AveragePrecision}} {
		weighted, err1 := f.fn(y, s, w)
		replicated, err2 := f.fn(ry, rs, nil)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		assertClose(t, f.name, weighted, replicated, 1e-12)
	}
}

func TestROCCurve(t *testing.T) {
	// scikit-learn 1.2.1 roc_curve(docY, docScore, drop_intermediate=False):
	// thresholds start at max+1 = 1.8.
	fpr, tpr, th, err := ROCCurve(docY, docScore, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertSlice(t, "fpr", fpr, []float64{0, 0, 0.5, 0.5, 1}, 1e-15)
	assertSlice(t, "tpr", tpr, []float64{0, 0.5, 0.5, 1, 1}, 1e-15)
	assertSlice(t, "thresholds", th, []float64{1.8, 0.8, 0.4, 0.35, 0.1}, 1e-15)

	// A zero-weight row adds no threshold.
	_, _, th, err = ROCCurve([]uint8{0, 1, 1}, []float64{0.2, 0.7, 0.9}, []float64{1, 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	assertSlice(t, "thresholds with zero weight", th, []float64{1.7, 0.7, 0.2}, 1e-15)
}

func TestPrecisionRecallCurve(t *testing.T) {
	// scikit-learn 1.2.1 precision_recall_curve docstring.
	p, r, th, err := PrecisionRecallCurve(docY, docScore, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertSlice(t, "precision", p, []float64{0.5, 2.0 / 3, 0.5, 1, 1}, 1e-15)
	assertSlice(t, "recall", r, []float64{1, 1, 0.5, 0.5, 0}, 1e-15)
	assertSlice(t, "thresholds", th, []float64{0.1, 0.35, 0.4, 0.8}, 1e-15)
}

func TestRankingErrors(t *testing.T) {
	tests := []struct {
		name  string
		y     []uint8
		score []float64
		w     []float64
		want  error
		apOK  bool // AveragePrecision accepts it (needs positives only)
	}{
		{"empty", nil, nil, nil, ErrEmpty, false},
		{"length", []uint8{0, 1}, []float64{0.1}, nil, ErrLength, false},
		{"weights length", []uint8{0, 1}, []float64{0.1, 0.2}, []float64{1}, ErrLength, false},
		{"label 2", []uint8{0, 2}, []float64{0.1, 0.2}, nil, ErrLabel, false},
		{"nan score", []uint8{0, 1}, []float64{nan, 0.2}, nil, ErrNaN, false},
		{"nan weight", []uint8{0, 1}, []float64{0.1, 0.2}, []float64{nan, 1}, ErrNaN, false},
		{"negative weight", []uint8{0, 1}, []float64{0.1, 0.2}, []float64{-1, 1}, ErrWeight, false},
		{"infinite weight", []uint8{0, 1}, []float64{0.1, 0.2}, []float64{inf, 1}, ErrWeight, false},
		{"no positives", []uint8{0, 0}, []float64{0.1, 0.2}, nil, ErrSingleClass, false},
		{"positives weigh zero", []uint8{0, 1}, []float64{0.1, 0.2}, []float64{1, 0}, ErrSingleClass, false},
		{"no negatives", []uint8{1, 1}, []float64{0.1, 0.2}, nil, ErrSingleClass, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ROCAUC(tt.y, tt.score, tt.w)
			assertErrIs(t, err, tt.want)
			_, _, _, err = ROCCurve(tt.y, tt.score, tt.w)
			assertErrIs(t, err, tt.want)
			ap, err := AveragePrecision(tt.y, tt.score, tt.w)
			if tt.apOK {
				if err != nil || ap != 1 {
					t.Errorf("AveragePrecision = %v, %v; want 1 (only positives)", ap, err)
				}
			} else {
				assertErrIs(t, err, tt.want)
			}
		})
	}
}
