package models

import (
	"context"
	"fmt"
	"sync"

	"github.com/evalrun/evalrun/internal/workpool"
)

// treeEnsemble is the prediction side of a tree, a forest or a boosted
// ensemble: raw score = init + scale · Σ_t tree_t(x); with logOdds the
// probability is the logistic of the raw score, else the raw score itself.
type treeEnsemble struct {
	kind     string
	names    []string
	trees    [][]treeNode
	scale    float64
	init     float64
	logOdds  bool
	allowNaN bool
	maxDepth int
	// compact holds trees in the prediction layout (compactTrees).
	compactOnce sync.Once
	compact     [][]compactNode
	// binned holds the trees in the prediction layout over threshold
	// ranks (binnedTrees), nil when a column has too many thresholds.
	binnedOnce sync.Once
	binned     *binnedTrees
}

func newTreeEnsemble(kind string, names []string, trees [][]treeNode, scale, init float64, logOdds, allowNaN bool) *treeEnsemble {
	e := &treeEnsemble{kind: kind, names: names, trees: trees, scale: scale, init: init, logOdds: logOdds, allowNaN: allowNaN}
	for _, t := range trees {
		e.maxDepth = max(e.maxDepth, treeDepth(t))
	}
	return e
}

// parallelRows runs fn on row ranges [lo, hi) in two goroutines (or one for
// few rows); each row's result depends only on the row.
func parallelRows(n int, fn func(lo, hi int)) {
	if n < 256 {
		fn(0, n)
		return
	}
	workpool.For(2, 2, func(p int) { fn(workpool.Split(n, 2, p)) })
}

// Predict returns the probability of label 1 for each row. Rows must have
// the training columns; NaN is allowed only for gbm (routed by each split's
// learned missing-value direction); ±Inf is always an error.
func (e *treeEnsemble) Predict(ctx context.Context, rows Rows) ([]float64, error) {
	if err := validatePredictRows(e.kind, rows, e.names, len(e.names), e.allowNaN); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", e.kind, err)
	}
	x := rows.X
	out := make([]float64, x.Rows)
	parallelBlocks(x.Rows, blockRows(x.Cols), func(lo, hi int) {
		e.rawScores(x, lo, hi, out[lo:hi])
		if e.logOdds {
			for i := lo; i < hi; i++ {
				out[i] = sigmoid(out[i])
			}
		}
	})
	return out, nil
}

// RawScore returns the score Explain's values add up to: the log-odds for
// gbm, the probability for tree and random_forest.
func (e *treeEnsemble) RawScore(ctx context.Context, rows Rows) ([]float64, error) {
	if err := validatePredictRows(e.kind, rows, e.names, len(e.names), e.allowNaN); err != nil {
		return nil, err
	}
	out := make([]float64, rows.X.Rows)
	e.rawScores(rows.X, 0, rows.X.Rows, out)
	return out, nil
}

// RawScoreScale reports "log-odds" (gbm) or "probability" (tree, forest).
func (e *treeEnsemble) RawScoreScale() string {
	if e.logOdds {
		return "log-odds"
	}
	return "probability"
}

// shapBlockRows is the number of rows that go through a tree together in
// Explain. Large blocks keep a cut's common row states in cache while
// the block's rows look them up (BenchmarkOULADForestExplain: a fifth less
// CPU than blocks of 32).
const shapBlockRows = 512

// Explain returns exact path-dependent TreeSHAP values (Lundberg et al.
// 2018: Shapley values of E[f(x) | x_S], a feature outside S sending the row
// down both branches in proportion to the training cover) for each row and
// feature, averaged over the trees of a forest and summed over the trees of
// a boosted ensemble, and the base value (the cover-weighted expected raw
// score, the same for every row): base + Σ_j contributions[i][j] equals the
// raw score of row i (RawScoreScale). The values are computed in time
// linear in the number of nodes per row and tree (fastTreeSHAP), tree by
// tree over blocks of shapBlockRows rows (with cuts when there are at
// least shapCutMinRows rows), in two goroutines. With trees of
// more than 64 internal nodes (forests) each goroutine takes half of the
// trees for every row, so the row states of a tree's small subtrees are
// shared by all rows, and the second half's values are added to the
// first's at the end; otherwise each takes half of the rows. The split is
// the same on any number of cores.
func (e *treeEnsemble) Explain(ctx context.Context, rows Rows) (contributions [][]float64, base []float64, err error) {
	if err := validatePredictRows(e.kind, rows, e.names, len(e.names), e.allowNaN); err != nil {
		return nil, nil, err
	}
	b := e.init
	for _, t := range e.trees {
		b += e.scale * expectedValue(t)
	}
	x := rows.X
	contributions = make([][]float64, x.Rows)
	base = make([]float64, x.Rows)
	for i := range contributions {
		contributions[i] = make([]float64, x.Cols)
		base[i] = b
	}
	large := false
	for _, nodes := range e.trees {
		large = large || countLeaves(nodes)-1 > maxKeyedInternal
	}
	var errs [2]error
	if large && len(e.trees) >= 2 {
		second := make([][]float64, x.Rows)
		for i := range second {
			second[i] = make([]float64, x.Cols)
		}
		half := len(e.trees) / 2
		workpool.For(2, 2, func(p int) {
			if p == 0 {
				errs[0] = e.explainTrees(ctx, e.trees[:half], x, 0, x.Rows, contributions)
			} else {
				errs[1] = e.explainTrees(ctx, e.trees[half:], x, 0, x.Rows, second)
			}
		})
		for i, phi := range contributions {
			for j, v := range second[i] {
				phi[j] += v
			}
		}
	} else {
		parallelRows(x.Rows, func(lo, hi int) {
			part := 0
			if lo > 0 {
				part = 1
			}
			errs[part] = e.explainTrees(ctx, e.trees, x, lo, hi, contributions)
		})
	}
	for _, err := range errs {
		if err != nil {
			return nil, nil, fmt.Errorf("%s: explain: %w", e.kind, err)
		}
	}
	return contributions, base, nil
}

// explainTrees adds the TreeSHAP values of rows [lo, hi) of x under trees
// to phis, tree by tree, so each row's contributions receive the trees'
// additions in tree order. Trees of more than 64 internal nodes take the
// rows in blocks; in smaller trees (boosting), rows taking the same
// direction at every node share their values: the first such row's
// additions are recorded and replayed for the others.
func (e *treeEnsemble) explainTrees(ctx context.Context, trees [][]treeNode, x *Matrix, lo, hi int, phis [][]float64) error {
	type recorded struct{ from, to int }
	var seen shapStates // a row's directions to its index in recs
	var recs []recorded
	var dirs []uint64
	xs := make([][]float64, shapBlockRows)
	// Rows validated without NaN (!allowNaN) skip the test for missing values.
	s := &fastTreeSHAP{noCuts: x.Rows < shapCutMinRows, complete: !e.allowNaN}
	for _, nodes := range trees {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.reset(nodes, x.Cols)
		if len(s.splits) > maxKeyedInternal {
			for b := lo; b < hi; b += shapBlockRows {
				end := min(hi, b+shapBlockRows)
				for i := b; i < end; i++ {
					xs[i-b] = x.Row(i)
				}
				s.addBlock(xs[:end-b], phis[b:end], e.scale)
			}
			continue
		}
		seen.reset()
		recs = recs[:0]
		s.record = s.record[:0]
		dirs = grown(dirs, s.dirWords)
		for i := lo; i < hi; i++ {
			row, phi := x.Row(i), phis[i]
			// The row's direction at every internal node, in one word.
			s.rowDirections(dirs, row)
			if at, ok := seen.get(0, dirs[0]); ok {
				r := recs[at]
				for _, a := range s.record[r.from:r.to] {
					phi[a.feature] += a.value
				}
				continue
			}
			from := len(s.record)
			s.addRecorded(row, phi, e.scale)
			seen.put(0, dirs[0], int32(len(recs)))
			recs = append(recs, recorded{from, len(s.record)})
		}
	}
	return nil
}
