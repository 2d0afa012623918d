package models

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// sumModel is a fitted model scoring each row by the sum of its features.
type sumModel struct{}

func (sumModel) Predict(_ context.Context, rows Rows) ([]float64, error) {
	out := make([]float64, rows.X.Rows)
	for i := range out {
		for _, v := range rows.X.Row(i) {
			out[i] += v
		}
	}
	return out, nil
}

func (sumModel) Summary() Summary { return Summary{Kind: "sum"} }

func aucScore(y []uint8, s []float64) (float64, error) { return aucOf(y, s), nil }

// TestPermutationImportance: a feature the model ignores has drops of
// exactly 0; two identical columns get identical drops (every feature uses
// the same shuffles, as scikit-learn); the input is not modified; the same
// rng state gives the same result; SD is the population SD of the drops.
func TestPermutationImportance(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	n := 300
	x := &Matrix{Rows: n, Cols: 3, Names: []string{"a", "a_copy", "noise"}}
	y := make([]uint8, n)
	for i := 0; i < n; i++ {
		a := rng.NormFloat64()
		x.Data = append(x.Data, a, a, 0.01*rng.NormFloat64())
		if a+0.5*rng.NormFloat64() > 0 {
			y[i] = 1
		}
	}
	before := slices.Clone(x.Data)
	rule, err := Rule{Config: RuleConfig{Feature: "a"}}.Fit(ctx, TrainingSet{Rows: Rows{X: x}, Y: y}, nil)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := PermutationImportance(ctx, rule, Rows{X: x}, y, aucScore, 5, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if imp[0].Feature != "a" || imp[0].Mean < 0.2 {
		t.Errorf("importance of a %+v, want a large drop (AUC falls from ~0.9 to ~0.5)", imp[0])
	}
	for _, k := range []int{1, 2} {
		for _, d := range imp[k].Drops {
			if d != 0 {
				t.Errorf("feature %s ignored by the rule has drop %v, want 0", imp[k].Feature, d)
			}
		}
	}
	var ss float64
	for _, d := range imp[0].Drops {
		ss += (d - imp[0].Mean) * (d - imp[0].Mean)
	}
	assertClose(t, "SD", imp[0].SD, math.Sqrt(ss/5), 1e-15)

	sum, err := PermutationImportance(ctx, sumModel{}, Rows{X: x}, y, aucScore, 4, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sum[0].Drops, sum[1].Drops) {
		t.Errorf("identical columns got drops %v and %v, want the same shuffles", sum[0].Drops, sum[1].Drops)
	}
	again, err := PermutationImportance(ctx, sumModel{}, Rows{X: x}, y, aucScore, 4, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	for j := range sum {
		if !slices.Equal(sum[j].Drops, again[j].Drops) {
			t.Errorf("feature %d: drops %v then %v with the same seed", j, sum[j].Drops, again[j].Drops)
		}
	}
	if !slices.Equal(before, x.Data) {
		t.Error("PermutationImportance modified its input")
	}
	for _, tc := range []struct {
		repeats int
		y       []uint8
		msg     string
	}{{0, y, "repeats"}, {3, y[:10], "10 labels for 300 rows"}} {
		if _, err := PermutationImportance(ctx, rule, Rows{X: x}, tc.y, aucScore, tc.repeats, rng); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("error %v, want one containing %q", err, tc.msg)
		}
	}
}
