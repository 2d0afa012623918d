package models

import (
	"context"
	"fmt"
	"math"
)

// ColumnRescorer is implemented by fitted models that can score rows with
// one column's values replaced much faster than Predict can score the
// modified matrix, as permutation importance does for every column.
type ColumnRescorer interface {
	// ColumnRescorer prepares rows (which must not change while the
	// returned function is in use) and returns a function that writes to
	// dst the scores of rows with column j replaced by col (col[i] the new
	// value of row i): exactly what Predict returns for those rows. The
	// function may be called from one goroutine at a time. ok is false
	// when the model declines (rows too many to prepare in memory); the
	// caller then uses Predict.
	ColumnRescorer(ctx context.Context, rows Rows) (rescore func(j int, col, dst []float64) error, ok bool, err error)
}

// maxRescoreBytes bounds the memory a tree ensemble's rescorer keeps per
// prepared row set (each row's leaf value and path features in every tree).
const maxRescoreBytes = 256 << 20

// ColumnRescorer keeps, for every row and tree, the leaf value the row
// reaches and the set of features tested on its path. A row whose path in a
// tree never tests column j reaches the same leaf whatever its value of j,
// so only the trees whose path tests j are walked again; the leaf values are
// then added in tree order, as Predict adds them, so the scores are the
// same to the bit.
func (e *treeEnsemble) ColumnRescorer(ctx context.Context, rows Rows) (func(j int, col, dst []float64) error, bool, error) {
	if err := validatePredictRows(e.kind, rows, e.names, len(e.names), e.allowNaN); err != nil {
		return nil, false, err
	}
	x := rows.X
	nt := len(e.trees)
	words := (x.Cols + 63) / 64
	if float64(x.Rows)*float64(nt)*float64(8+8*words) > maxRescoreBytes {
		return nil, false, nil
	}
	compact := e.compactTrees()
	// leaf[t*rows+i] and paths[(t*rows+i)*words:] for row i and tree t:
	// tree-major, as the rescoring walks them.
	leaf := make([]float64, x.Rows*nt)
	paths := make([]uint64, x.Rows*nt*words)
	parallelRows(x.Rows, func(lo, hi int) {
		for t, tree := range compact {
			for i := lo; i < hi; i++ {
				at := t*x.Rows + i
				leaf[at] = compactPath(tree, x.Row(i), paths[at*words:(at+1)*words])
			}
		}
	})
	rescore := func(j int, col, dst []float64) error {
		if j < 0 || j >= x.Cols || len(col) != x.Rows || len(dst) != x.Rows {
			return fmt.Errorf("%s: rescoring column %d of %d with %d values into %d scores for %d rows", e.kind, j, x.Cols, len(col), len(dst), x.Rows)
		}
		for i, v := range col {
			if math.IsInf(v, 0) || (!e.allowNaN && math.IsNaN(v)) {
				return fmt.Errorf("%s: non-finite value %v in row %d, column %s", e.kind, v, i, columnName(x.Names, j))
			}
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s: %w", e.kind, err)
		}
		word, bit := j/64, uint64(1)<<(j%64)
		// Tree by tree over blocks of rows, as Predict: each row's leaf
		// values are still added in tree order.
		parallelRows(x.Rows, func(lo, hi int) {
			for b := lo; b < hi; b += predictBlock {
				end := min(b+predictBlock, hi)
				acc := dst[b:end]
				clear(acc)
				for t, tree := range compact {
					base := t * x.Rows
					for i := b; i < end; i++ {
						if paths[(base+i)*words+word]&bit != 0 {
							acc[i-b] += compactLeafValueWith(tree, x.Row(i), j, col[i])
						} else {
							acc[i-b] += leaf[base+i]
						}
					}
				}
				for i := range acc {
					r := e.init + e.scale*acc[i]
					if e.logOdds {
						r = sigmoid(r)
					}
					acc[i] = r
				}
			}
		})
		return nil
	}
	return rescore, true, nil
}

// compactPath returns the value of the leaf row x reaches and sets in path
// (one bit per feature, cleared first) the features tested on the way.
func compactPath(t []compactNode, x []float64, path []uint64) float64 {
	clear(path)
	k := int32(0)
	for {
		n := &t[k]
		if n.feature < 0 {
			return n.threshold
		}
		f := n.feature &^ missingRightBit
		path[f>>6] |= 1 << (uint(f) & 63)
		v := x[f]
		k = n.child(v)
	}
}

// compactLeafValueWith is compactLeafValue for row x with column j's value
// replaced by v.
func compactLeafValueWith(t []compactNode, x []float64, j int, v float64) float64 {
	k := int32(0)
	for {
		n := &t[k]
		if n.feature < 0 {
			return n.threshold
		}
		f := n.feature &^ missingRightBit
		u := v
		if int(f) != j {
			u = x[f]
		}
		k = n.child(u)
	}
}
