package explain

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/evalrun/evalrun/internal/workpool"
	"github.com/evalrun/evalrun/metrics"
	"github.com/evalrun/evalrun/models"
)

// Importance is the permutation importance of one feature column.
type Importance struct {
	Feature string `json:"feature"`
	// Mean and SD are the mean and standard deviation over repeats of the
	// AUC drop (AUC on the test rows minus AUC with the column shuffled).
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
}

// PermutationImportance shuffles each column of rows.X repeats times (with
// rng) and records the drop in ROC AUC of fitted's scores against y. The
// result is sorted by decreasing mean drop, ties by feature name. rows is
// not modified. The shuffles are drawn from rng column after column,
// repeat after repeat, before any is scored, so the result does not depend
// on how many columns are scored at once (as many as there are
// processors, when fitted rescores columns).
func PermutationImportance(ctx context.Context, fitted models.Fitted, rows models.Rows, y []uint8, repeats int, rng *rand.Rand) ([]Importance, error) {
	if repeats < 1 {
		return nil, fmt.Errorf("permutation importance: repeats = %d, need at least 1", repeats)
	}
	base, err := fitted.Predict(ctx, rows)
	if err != nil {
		return nil, err
	}
	baseAUC, err := metrics.ROCAUC(y, base, nil)
	if err != nil {
		return nil, fmt.Errorf("permutation importance: %w", err)
	}
	aucs := newRescoredAUC(y, base)
	x := rows.X
	// perms[(j*repeats+r)*x.Rows:] is the shuffle of column j in repeat r.
	perms := make([]int32, x.Cols*repeats*x.Rows)
	perm := make([]int, x.Rows)
	for k := range x.Cols * repeats {
		for i := range perm {
			perm[i] = i
		}
		rng.Shuffle(len(perm), func(a, b int) { perm[a], perm[b] = perm[b], perm[a] })
		for i, p := range perm {
			perms[k*x.Rows+i] = int32(p)
		}
	}
	drops := make([]float64, x.Cols*repeats)
	// A model that can rescore one changed column (tree ensembles: only
	// the trees whose path tests it) gives the same scores as Predict on
	// the shuffled matrix, without walking every tree again, and takes
	// several columns at once.
	var rescore func(j int, col, dst []float64) error
	if rs, ok := fitted.(models.ColumnRescorer); ok {
		f, ok, err := rs.ColumnRescorer(ctx, rows)
		if err != nil {
			return nil, err
		}
		if ok {
			rescore = f
		}
	}
	if rescore != nil {
		err = workpool.Run(ctx, x.Cols, 0, func(j int) error {
			col := make([]float64, x.Rows)
			scores := make([]float64, x.Rows)
			var scratch rescoredScratch
			for r := range repeats {
				k := j*repeats + r
				for i, p := range perms[k*x.Rows : (k+1)*x.Rows] {
					col[i] = x.Data[int(p)*x.Cols+j]
				}
				if err := rescore(j, col, scores); err != nil {
					return err
				}
				auc, err := aucs.auc(scores, &scratch)
				if err != nil {
					return fmt.Errorf("permutation importance: %w", err)
				}
				drops[k] = baseAUC - auc
			}
			return nil
		})
	} else {
		err = predictShuffled(ctx, fitted, rows, aucs, repeats, perms, baseAUC, drops)
	}
	if err != nil {
		return nil, err
	}
	out := make([]Importance, x.Cols)
	for j := range out {
		d := drops[j*repeats : (j+1)*repeats]
		out[j] = Importance{Feature: x.Names[j], Mean: mean(d), SD: sd(d)}
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Mean != out[b].Mean {
			return out[a].Mean > out[b].Mean
		}
		return out[a].Feature < out[b].Feature
	})
	return out, nil
}

// predictShuffled fills drops (repeats a column) with the AUC drops of
// fitted's Predict on rows with each column shuffled by perms in turn, one
// column at a time (Predict spreads the rows over the processors).
func predictShuffled(ctx context.Context, fitted models.Fitted, rows models.Rows, aucs *rescoredAUC, repeats int, perms []int32, baseAUC float64, drops []float64) error {
	x := rows.X
	var scratch rescoredScratch
	shuffled := &models.Matrix{Rows: x.Rows, Cols: x.Cols, Names: x.Names, Data: append([]float64(nil), x.Data...)}
	for j := 0; j < x.Cols; j++ {
		for r := range repeats {
			k := j*repeats + r
			for i, p := range perms[k*x.Rows : (k+1)*x.Rows] {
				shuffled.Data[i*x.Cols+j] = x.Data[int(p)*x.Cols+j]
			}
			scores, err := fitted.Predict(ctx, models.Rows{X: shuffled, Keys: rows.Keys, Terms: rows.Terms, Groups: rows.Groups})
			if err != nil {
				return err
			}
			auc, err := aucs.auc(scores, &scratch)
			if err != nil {
				return fmt.Errorf("permutation importance: %w", err)
			}
			drops[k] = baseAUC - auc
		}
		for i := 0; i < x.Rows; i++ {
			shuffled.Data[i*x.Cols+j] = x.Data[i*x.Cols+j]
		}
	}
	return nil
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func sd(v []float64) float64 {
	if len(v) < 2 {
		return 0
	}
	m := mean(v)
	s := 0.0
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return math.Sqrt(s / float64(len(v)-1))
}
