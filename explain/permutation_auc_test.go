package explain

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/evalrun/evalrun/metrics"
)

// TestRescoredAUCIsROCAUC: the AUC of scores merged from the changed rows
// and the base order equals metrics.ROCAUC to the bit, with many ties
// (scores on a coarse grid, changed scores landing on unchanged ones, −0
// against +0), no row changed, every row changed, and one class rare; a
// NaN score is refused as metrics.ROCAUC refuses it.
func TestRescoredAUCIsROCAUC(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for c, tc := range []struct {
		n          int
		grid       float64 // scores are multiples of grid (0: continuous)
		changed    float64 // fraction of rows whose score changes
		positive   float64
		signedZero bool
	}{
		{n: 500, grid: 0.05, changed: 0.3, positive: 0.4},
		{n: 500, grid: 0, changed: 0.3, positive: 0.4},
		{n: 300, grid: 0.1, changed: 0, positive: 0.5},
		{n: 300, grid: 0.1, changed: 1, positive: 0.5},
		{n: 400, grid: 0.2, changed: 0.5, positive: 0.03},
		{n: 200, grid: 0.5, changed: 0.5, positive: 0.5, signedZero: true},
	} {
		score := func() float64 {
			v := rng.NormFloat64()
			if tc.grid > 0 {
				v = math.Round(v/tc.grid) * tc.grid
			}
			if tc.signedZero && v == 0 && rng.IntN(2) == 0 {
				v = math.Copysign(0, -1)
			}
			return v
		}
		y := make([]uint8, tc.n)
		base := make([]float64, tc.n)
		y[0], y[1] = 0, 1
		for i := range y {
			if i > 1 && rng.Float64() < tc.positive {
				y[i] = 1
			}
			base[i] = score()
		}
		a := newRescoredAUC(y, base)
		var s rescoredScratch
		for round := range 20 {
			scores := append([]float64(nil), base...)
			for i := range scores {
				if rng.Float64() < tc.changed {
					scores[i] = score()
				}
			}
			want, err := metrics.ROCAUC(y, scores, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := a.auc(scores, &s)
			if err != nil {
				t.Fatal(err)
			}
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("case %d round %d: merged AUC %v, metrics.ROCAUC %v", c, round, got, want)
			}
		}
		scores := append([]float64(nil), base...)
		scores[tc.n/2] = math.NaN()
		if _, err := a.auc(scores, &s); err == nil {
			t.Errorf("case %d: a NaN score was accepted", c)
		}
	}
}
