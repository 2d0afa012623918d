package models

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
)

// Importance is the permutation importance of one feature: how much the
// score drops when the feature's values are shuffled across rows.
type Importance struct {
	Feature string `json:"feature"`
	// Mean and SD are the mean and population standard deviation (ddof 0,
	// as scikit-learn) of the drops over the repeats.
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
	// Drops holds baseline score − permuted score for each repeat.
	Drops []float64 `json:"drops"`
}

// ScoreFunc scores predictions against labels; higher is better (for
// example metrics.ROCAUC with nil weights).
type ScoreFunc func(y []uint8, score []float64) (float64, error)

// PermutationImportance computes scikit-learn's permutation_importance for
// a fitted model on rows with labels y: for each feature, repeats times,
// the feature's column is shuffled (other columns untouched), the rows are
// predicted again and scored; the importance is the baseline score minus the
// shuffled score. As in scikit-learn, one seed is drawn from rng and every
// feature uses the same sequence of shuffles. rows is not modified. The
// result has one entry per column, in column order (unnamed columns are
// called x0, x1, ...).
//
// It returns an error when repeats < 1, y does not have one label per row,
// rows has no matrix or no rows, or predicting or scoring fails.
func PermutationImportance(ctx context.Context, f Fitted, rows Rows, y []uint8, score ScoreFunc, repeats int, rng *rand.Rand) ([]Importance, error) {
	if repeats < 1 {
		return nil, fmt.Errorf("permutation importance: repeats %d: want >= 1", repeats)
	}
	if rows.X == nil || rows.X.Rows == 0 {
		return nil, fmt.Errorf("permutation importance: no rows")
	}
	x := rows.X
	if len(y) != x.Rows {
		return nil, fmt.Errorf("permutation importance: %d labels for %d rows", len(y), x.Rows)
	}
	if len(x.Data) != x.Rows*x.Cols {
		return nil, fmt.Errorf("permutation importance: matrix data holds %d values, want %d", len(x.Data), x.Rows*x.Cols)
	}
	p, err := f.Predict(ctx, rows)
	if err != nil {
		return nil, fmt.Errorf("permutation importance: %w", err)
	}
	baseline, err := score(y, p)
	if err != nil {
		return nil, fmt.Errorf("permutation importance: baseline score: %w", err)
	}
	seed := rng.Uint64()
	work := &Matrix{Rows: x.Rows, Cols: x.Cols, Data: append([]float64(nil), x.Data...), Names: x.Names}
	shuffled := Rows{X: work, Keys: rows.Keys, Terms: rows.Terms, Groups: rows.Groups}
	col := make([]float64, x.Rows)
	perm := make([]int, x.Rows)
	out := make([]Importance, x.Cols)
	names := copyNames(x.Names, x.Cols)
	for j := 0; j < x.Cols; j++ {
		for i := range col {
			col[i] = x.Data[i*x.Cols+j]
		}
		shuffleRNG := rand.New(rand.NewPCG(seed, 0))
		imp := Importance{Feature: names[j], Drops: make([]float64, repeats)}
		for r := 0; r < repeats; r++ {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("permutation importance: %w", err)
			}
			for i := range perm {
				perm[i] = i
			}
			shuffleRNG.Shuffle(len(perm), func(a, b int) { perm[a], perm[b] = perm[b], perm[a] })
			for i, k := range perm {
				work.Data[i*x.Cols+j] = col[k]
			}
			ps, err := f.Predict(ctx, shuffled)
			if err != nil {
				return nil, fmt.Errorf("permutation importance: feature %s: %w", imp.Feature, err)
			}
			s, err := score(y, ps)
			if err != nil {
				return nil, fmt.Errorf("permutation importance: feature %s: %w", imp.Feature, err)
			}
			imp.Drops[r] = baseline - s
		}
		for i := range col {
			work.Data[i*x.Cols+j] = col[i]
		}
		var sum float64
		for _, d := range imp.Drops {
			sum += d
		}
		imp.Mean = sum / float64(repeats)
		var ss float64
		for _, d := range imp.Drops {
			ss += (d - imp.Mean) * (d - imp.Mean)
		}
		imp.SD = math.Sqrt(ss / float64(repeats))
		out[j] = imp
	}
	return out, nil
}
