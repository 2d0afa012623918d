package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

// TestColumnRescorerConcurrentCalls: one rescorer called from several
// goroutines at once, each rescoring its own column repeat after repeat
// (two of them the same column, so that its kept spans change hands),
// gives Predict's scores on every shuffled matrix to the bit, for a
// forest and for boosting, by rank (also with two calls at most at once,
// the others waiting) and by value. Run with -race.
func TestColumnRescorerConcurrentCalls(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	train := interactionData(rng, 800, 8)
	test := interactionData(rng, 250, 8)
	x := test.X
	for _, m := range []Model{
		RandomForest{Config: ForestConfig{NTrees: 10, MinSamplesLeaf: 3}},
		GBM{Config: GBMConfig{MaxIter: 15, LearningRate: 0.2}},
	} {
		f, err := m.Fit(ctx, train, rand.New(rand.NewPCG(3, 3)))
		if err != nil {
			t.Fatal(err)
		}
		e := ensembleOf(f)
		// Column of goroutine g; columns 1 and 3 (binary) twice.
		columns := []int{0, 1, 2, 3, 4, 5, 6, 7, 1, 3}
		const repeats = 4
		cols := make([][][]float64, len(columns))
		want := make([][][]float64, len(columns))
		for g, j := range columns {
			for range repeats {
				mod := &Matrix{Rows: x.Rows, Cols: x.Cols, Names: x.Names, Data: append([]float64(nil), x.Data...)}
				col := make([]float64, x.Rows)
				for i, p := range rng.Perm(x.Rows) {
					col[i] = x.At(p, j)
					mod.Data[i*x.Cols+j] = col[i]
				}
				p, err := f.Predict(ctx, Rows{X: mod})
				if err != nil {
					t.Fatal(err)
				}
				cols[g] = append(cols[g], col)
				want[g] = append(want[g], p)
			}
		}
		for _, states := range []int{0, 2, -1} {
			byRank := states >= 0
			rs, ok, err := e.columnRescorer(ctx, test.Rows, byRank)
			if err != nil || !ok {
				t.Fatalf("%s: rescorer %v, %v", e.kind, ok, err)
			}
			if states > 0 {
				rs = e.rankRescorerStates(ctx, x, e.binnedTrees(x.Cols), states)
			}
			var wg sync.WaitGroup
			errs := make([]string, len(columns))
			for g, j := range columns {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got := make([]float64, x.Rows)
					for r := range repeats {
						if err := rs(j, cols[g][r], got); err != nil {
							errs[g] = err.Error()
							return
						}
						for i := range got {
							if math.Float64bits(got[i]) != math.Float64bits(want[g][r][i]) {
								errs[g] = fmt.Sprintf("repeat %d, row %d: rescored %v, Predict %v", r, i, got[i], want[g][r][i])
								return
							}
						}
					}
				}()
			}
			wg.Wait()
			for g, msg := range errs {
				if msg != "" {
					t.Errorf("%s by rank %v (states %d), column %d (goroutine %d): %s", e.kind, byRank, states, columns[g], g, msg)
				}
			}
		}
	}
}
