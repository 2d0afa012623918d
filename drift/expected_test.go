package drift

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
)

// TestExpectedHandComputed: risks 0.9, 0.8, 0.3, 0.1 at threshold 0.5 flag
// two students; expected precision (0.9+0.8)/2, recall 1.7/2.1.
func TestExpectedHandComputed(t *testing.T) {
	e, err := Expected([]float64{0.9, 0.8, 0.3, 0.1}, 0.5, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if e.Flagged != 2 || !near(*e.Precision, 0.85, 1e-15) || !near(*e.Recall, 1.7/2.1, 1e-15) || !near(e.ExpectedPositives, 2.1, 1e-15) {
		t.Errorf("got %+v", e)
	}
	// SE of precision: sqrt(0.9·0.1 + 0.8·0.2)/2 = 0.25.
	if lo := 0.85 - 1.959963984540054*0.25; !near(e.PrecisionRange[0], lo, 1e-12) {
		t.Errorf("precision interval %v, want lower %v", e.PrecisionRange, lo)
	}
	if _, err := Expected([]float64{0.2, 1.5}, 0.5, 0.95); err == nil {
		t.Error("no error for a risk above 1")
	}
	none, err := Expected([]float64{0.1, 0.2}, 0.5, 0.95)
	if err != nil || none.Precision != nil || none.Recall == nil || *none.Recall != 0 {
		t.Errorf("nobody flagged: %+v, %v", none, err)
	}
}

// TestExpectedIntervalCoverage: when outcomes are drawn from calibrated
// risks, the realized precision and recall fall inside the expected
// intervals in about 95% of terms (300 terms of 2,000 students; binomial
// tolerance 3.3 SE).
func TestExpectedIntervalCoverage(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 13))
	const reps, n = 300, 2000
	var inP, inR int
	risks := make([]float64, n)
	for i := 0; i < reps; i++ {
		for j := range risks {
			u := r.Float64()
			risks[j] = u * u // skewed towards low risk
		}
		e, err := Expected(risks, 0.5, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		var tp, fp, fn float64
		for _, p := range risks {
			y := r.Float64() < p
			switch {
			case p >= 0.5 && y:
				tp++
			case p >= 0.5:
				fp++
			case y:
				fn++
			}
		}
		if prec := tp / (tp + fp); prec >= e.PrecisionRange[0] && prec <= e.PrecisionRange[1] {
			inP++
		}
		if rec := tp / (tp + fn); rec >= e.RecallRange[0] && rec <= e.RecallRange[1] {
			inR++
		}
	}
	tol := 3.3 * math.Sqrt(0.95*0.05/reps)
	for name, k := range map[string]int{"precision": inP, "recall": inR} {
		if c := float64(k) / reps; math.Abs(c-0.95) > tol {
			t.Errorf("%s interval covered %.3f of terms, want 0.95 ± %.3f", name, c, tol)
		}
	}
}

func TestReliability(t *testing.T) {
	e, _ := Expected([]float64{0.9, 0.1}, 0.5, 0.95)
	feats := []FeatureResult{{Name: "clicks", Drifted: true, Method: MethodWasserstein, Score: 0.3, Threshold: 0.1}, {Name: "age"}, {Name: "region"}}
	e.AssessReliability(Summarize(feats, DefaultOptions()), []string{"age"}, nil)
	if !e.Reliable {
		t.Errorf("a drifted feature outside the top features made the estimate unreliable: %v", e.Reasons)
	}
	e.AssessReliability(Summarize(feats, DefaultOptions()), []string{"clicks"}, nil)
	if e.Reliable || len(e.Reasons) != 1 {
		t.Errorf("reliable %v, reasons %q", e.Reliable, e.Reasons)
	}
	// Two of three features drifted: dataset drift, and the score drifted.
	feats[1].Drifted = true
	score := FeatureResult{Name: "score", Drifted: true, Method: MethodKS, Score: 0.001, Threshold: 0.05}
	e.AssessReliability(Summarize(feats, DefaultOptions()), nil, &score)
	if e.Reliable || len(e.Reasons) != 2 {
		t.Errorf("reliable %v, reasons %q", e.Reliable, e.Reasons)
	}
}

// TestFeatureJSON: an infinite chi-square survives a JSON round trip as
// null; finite statistics keep their value.
func TestFeatureJSON(t *testing.T) {
	for _, f := range []FeatureResult{
		{Name: "g", Method: MethodChiSquare, Statistic: math.Inf(1), Score: 0, Drifted: true},
		{Name: "x", Method: MethodKS, Statistic: 0.25, Score: 0.01, Drifted: true},
		{Name: "w", Method: MethodWasserstein, Score: 0.2},
	} {
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		var back FeatureResult
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if back != f {
			t.Errorf("%s: round trip %+v, want %+v (JSON %s)", f.Name, back, f, b)
		}
	}
}
