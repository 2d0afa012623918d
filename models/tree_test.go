package models

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestTreeRecoversKnownSplit: the label is 1 exactly when x1 > 0.3 (x0 is
// noise), so the best first split is on x1 at the midpoint between the
// largest value <= 0.3 and the smallest above it, and the tree is pure after
// one split (2 leaves).
func TestTreeRecoversKnownSplit(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var rows [][]float64
	var y []uint8
	below, above := math.Inf(-1), math.Inf(1)
	for i := 0; i < 500; i++ {
		x0, x1 := rng.Float64(), math.Round(rng.Float64()*1000)/1000
		rows = append(rows, []float64{x0, x1})
		if x1 > 0.3 {
			y = append(y, 1)
			above = math.Min(above, x1)
		} else {
			y = append(y, 0)
			below = math.Max(below, x1)
		}
	}
	for _, crit := range []string{"gini", "entropy"} {
		f, err := Tree{Config: TreeConfig{Criterion: crit}}.Fit(ctx, TrainingSet{Rows: Rows{X: matrixFromRows(rows)}, Y: y}, rand.New(rand.NewPCG(3, 3)))
		if err != nil {
			t.Fatal(err)
		}
		rules := f.(*FittedTree).Rules()
		if len(rules) != 1 || rules[0].Feature != "x1" || rules[0].Threshold != (below+above)/2 {
			t.Errorf("%s: splits %+v, want one on x1 at %v", crit, rules, (below+above)/2)
		}
		p, err := f.Predict(ctx, Rows{X: matrixFromRows([][]float64{{0.5, below}, {0.5, above}})})
		if err != nil {
			t.Fatal(err)
		}
		if p[0] != 0 || p[1] != 1 {
			t.Errorf("%s: predictions %v, want [0 1]", crit, p)
		}
	}
}
