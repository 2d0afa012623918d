package models

import (
	"math"
	"strings"
	"testing"
)

// TestPrior: every row gets the training share of positives (3 of 8).
func TestPrior(t *testing.T) {
	train := TrainingSet{Rows: Rows{X: matrixFromRows([][]float64{{1}, {2}, {3}, {4}, {5}, {6}, {7}, {math.NaN()}})}, Y: []uint8{1, 0, 0, 1, 0, 0, 1, 0}}
	f, err := Prior{}.Fit(ctx, train, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.Predict(ctx, Rows{X: matrixFromRows([][]float64{{10}, {-3}})})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range p {
		assertClose(t, "prior score", v, 3.0/8.0, 1e-15)
	}
	if s := f.Summary(); s.Kind != "prior" || s.Intercept == nil || *s.Intercept != 3.0/8.0 {
		t.Errorf("summary %+v, want kind prior with intercept 0.375", s)
	}
	one, err := Prior{}.Fit(ctx, TrainingSet{Rows: Rows{X: matrixFromRows([][]float64{{1}, {2}})}, Y: []uint8{0, 0}}, nil)
	if err != nil {
		t.Fatalf("single-class training set: %v", err)
	}
	if p, _ := one.Predict(ctx, Rows{X: matrixFromRows([][]float64{{1}})}); p[0] != 0 {
		t.Errorf("single-class prior %v, want 0", p[0])
	}
	if _, err := (Prior{}).Fit(ctx, TrainingSet{Rows: Rows{X: &Matrix{}}}, nil); err == nil {
		t.Error("empty training set: no error")
	}
}

// TestRule: the score is the feature (negated for "lower"); an unknown
// feature or direction, and a missing value, are errors naming them.
func TestRule(t *testing.T) {
	x := &Matrix{Rows: 3, Cols: 2, Names: []string{"clicks", "late"}, Data: []float64{10, 0, 5, 2, 0, 3}}
	train := TrainingSet{Rows: Rows{X: x}, Y: []uint8{0, 1, 1}}
	cases := []struct {
		cfg  RuleConfig
		want []float64
	}{
		{RuleConfig{Feature: "late"}, []float64{0, 2, 3}},
		{RuleConfig{Feature: "late", Direction: "higher"}, []float64{0, 2, 3}},
		{RuleConfig{Feature: "clicks", Direction: "lower"}, []float64{-10, -5, 0}},
	}
	for _, tc := range cases {
		f, err := Rule{Config: tc.cfg}.Fit(ctx, train, nil)
		if err != nil {
			t.Fatal(err)
		}
		p, err := f.Predict(ctx, train.Rows)
		if err != nil {
			t.Fatal(err)
		}
		for i := range p {
			if p[i] != tc.want[i] {
				t.Errorf("%+v: score[%d] = %v, want %v", tc.cfg, i, p[i], tc.want[i])
			}
		}
		if s := f.Summary(); s.Params["feature"] != tc.cfg.Feature || !strings.Contains(s.Notes[0], tc.cfg.Feature) {
			t.Errorf("summary %+v does not name feature %q", s, tc.cfg.Feature)
		}
	}
	if _, err := (Rule{Config: RuleConfig{Feature: "absences"}}).Fit(ctx, train, nil); err == nil || !strings.Contains(err.Error(), `"absences"`) {
		t.Errorf("unknown feature: error %v, want one naming \"absences\"", err)
	}
	if _, err := (Rule{Config: RuleConfig{Feature: "late", Direction: "up"}}).Fit(ctx, train, nil); err == nil || !strings.Contains(err.Error(), `"up"`) {
		t.Errorf("unknown direction: error %v", err)
	}
	f, err := Rule{Config: RuleConfig{Feature: "late"}}.Fit(ctx, train, nil)
	if err != nil {
		t.Fatal(err)
	}
	missing := Rows{X: &Matrix{Rows: 1, Cols: 2, Names: x.Names, Data: []float64{1, math.NaN()}}, Keys: []string{"s42"}}
	if _, err := f.Predict(ctx, missing); err == nil || !strings.Contains(err.Error(), `"s42"`) {
		t.Errorf("missing value: error %v, want one naming key s42", err)
	}
}
