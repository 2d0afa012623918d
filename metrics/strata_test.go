package metrics

import "testing"

func TestEvaluateStrata(t *testing.T) {
	y := []uint8{1, 0, 1, 1, 0, 0}
	s := []float64{0.9, 0.2, 0.6, 0.8, 0.7, 0.1}
	strata := []string{"b", "b", "b", "a", "a", "c"}
	r, err := EvaluateStrata(y, s, 0.5, strata)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Strata) != 3 || r.Strata[0].Stratum != "a" || r.Strata[2].Stratum != "c" || r.Strata[1].N != 3 {
		t.Fatalf("strata %+v", r.Strata)
	}
	// By hand. a: y 1 0 at .8 .7, both flagged: AUC 1, precision 1/2,
	// accuracy 1/2. b: y 1 0 1 at .9 .2 .6: AUC 1, precision 1, accuracy 1.
	// c: one negative, nothing flagged: AUC, precision, recall undefined.
	want := map[string]struct {
		v float64
		n int
	}{
		"auc": {1, 2}, "precision": {0.75, 2}, "recall": {1, 2}, "accuracy": {5.0 / 6, 3},
		"base_rate": {(0.5 + 2.0/3 + 0) / 3, 3}, "specificity": {(0 + 1 + 1) / 3.0, 3},
	}
	for _, m := range r.Macro {
		w, ok := want[m.Metric]
		if !ok {
			continue
		}
		if m.Value == nil || m.Strata != w.n {
			t.Errorf("%s: %+v, want %v over %d strata", m.Metric, m, w.v, w.n)
			continue
		}
		assertClose(t, m.Metric, *m.Value, w.v, 1e-15)
	}
	if _, err := EvaluateStrata(y, s, 0.5, strata[:5]); err == nil {
		t.Error("short strata: want error")
	}
}
