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
// prepared row set (each row's leaf value and path features in every tree,
// and for the column being rescored where its path first tests it and the
// interval of the column's values that keep it on that path).
const maxRescoreBytes = 256 << 20

// ColumnRescorer keeps, for every row and tree, the leaf value the row
// reaches and the set of features tested on its path. A row whose path in a
// tree never tests column j reaches the same leaf whatever its value of j,
// so only the trees whose path tests j are looked at again. For those, the
// first call for column j records (once, reused while j stays the same, as
// permutation importance calls it repeat after repeat) the first node of
// the path that tests j and the interval of values of j that go the same
// way at every node of the path testing j: a new value inside it reaches
// the same leaf without a walk, and one outside it is walked from that
// first node, the nodes above it not depending on j. The walks compare
// ranks among each column's thresholds with 8-byte nodes, as Predict does
// (binnedTrees), or values when the ensemble has too many thresholds for
// ranks. The leaf values are then added in tree order, as Predict adds
// them, so the scores are the same to the bit.
func (e *treeEnsemble) ColumnRescorer(ctx context.Context, rows Rows) (func(j int, col, dst []float64) error, bool, error) {
	return e.columnRescorer(ctx, rows, true)
}

// columnRescorer is ColumnRescorer, by rank when byRank is set and the
// trees can be laid out by rank, else by value.
func (e *treeEnsemble) columnRescorer(ctx context.Context, rows Rows, byRank bool) (func(j int, col, dst []float64) error, bool, error) {
	if err := validatePredictRows(e.kind, rows, e.names, len(e.names), e.allowNaN); err != nil {
		return nil, false, err
	}
	x := rows.X
	nt := len(e.trees)
	words := (x.Cols + 63) / 64
	if float64(x.Rows)*float64(nt)*float64(8+8*words+rescoreSpanBytes) > maxRescoreBytes {
		return nil, false, nil
	}
	if b := e.binnedTrees(x.Cols); byRank && b != nil {
		return e.rankRescorer(ctx, x, b), true, nil
	}
	return e.valueRescorer(ctx, x), true, nil
}

// checkRescore refuses a column out of range, lengths that do not match
// the rows and values the model cannot take.
func (e *treeEnsemble) checkRescore(ctx context.Context, x *Matrix, j int, col, dst []float64) error {
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
	return nil
}

// finishScores turns sums of leaf values into Predict's scores.
func (e *treeEnsemble) finishScores(acc []float64) {
	for i := range acc {
		r := e.init + e.scale*acc[i]
		if e.logOdds {
			r = sigmoid(r)
		}
		acc[i] = r
	}
}

// rankRescorer is ColumnRescorer over the trees laid out by rank.
func (e *treeEnsemble) rankRescorer(ctx context.Context, x *Matrix, b *binnedTrees) func(j int, col, dst []float64) error {
	nt, cols := len(b.nodes), x.Cols
	words := (cols + 63) / 64
	ranks := make([]uint16, x.Rows*cols)
	b.rank(x.Data, cols, ranks)
	// leaf[t*rows+i] and paths[(t*rows+i)*words:] for row i and tree t:
	// tree-major, as the rescoring walks them.
	leaf := make([]float64, x.Rows*nt)
	paths := make([]uint64, x.Rows*nt*words)
	parallelBlocks(x.Rows, predictBlock, func(lo, hi int) {
		for t, tree := range b.nodes {
			values := b.values[t]
			for i := lo; i < hi; i++ {
				at := t*x.Rows + i
				leaf[at] = values[binnedPath(tree, ranks[i*cols:(i+1)*cols], paths[at*words:(at+1)*words])]
			}
		}
	})
	spans := make([]rankSpan, x.Rows*nt)
	colRanks := make([]uint16, x.Rows)
	prepared := -1
	return func(j int, col, dst []float64) error {
		if err := e.checkRescore(ctx, x, j, col, dst); err != nil {
			return err
		}
		word, bit := j/64, uint64(1)<<(j%64)
		if prepared != j {
			parallelBlocks(x.Rows, predictBlock, func(lo, hi int) {
				for t, tree := range b.nodes {
					base := t * x.Rows
					for i := lo; i < hi; i++ {
						if paths[(base+i)*words+word]&bit != 0 {
							spans[base+i] = binnedSpan(tree, ranks[i*cols:(i+1)*cols], j)
						} else {
							// Every rank, binNaN included, keeps
							// a path that does not test j.
							spans[base+i] = rankSpan{lo: 0, hi: binNaN}
						}
					}
				}
			})
			prepared = j
		}
		parallelBlocks(x.Rows, predictBlock, func(lo, hi int) {
			b.rankColumn(j, col[lo:hi], colRanks[lo:hi])
			acc := dst[lo:hi]
			clear(acc)
			for t, tree := range b.nodes {
				base := t * x.Rows
				values := b.values[t]
				for i := lo; i < hi; i++ {
					at := base + i
					s := spans[at]
					if r := colRanks[i]; r >= s.lo && r <= s.hi {
						acc[i-lo] += leaf[at]
					} else {
						acc[i-lo] += values[binnedLeafFrom(tree, s.first, ranks[i*cols:(i+1)*cols], j, r)]
					}
				}
			}
			e.finishScores(acc)
		})
		return nil
	}
}

// rankColumn writes to dst the ranks of values of column j: the number of
// the column's thresholds below each value, binNaN for NaN.
func (b *binnedTrees) rankColumn(j int, values []float64, dst []uint16) {
	ts := b.thresholds[j]
	for i, v := range values {
		if v != v {
			dst[i] = binNaN
			continue
		}
		lo, hi := 0, len(ts)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if ts[m] < v {
				lo = m + 1
			} else {
				hi = m
			}
		}
		dst[i] = uint16(lo)
	}
}

// rankSpan is where a row's path in a tree first tests a column and the
// ranks [lo, hi] of the column's values that keep the row on that path
// (binNaN alone when the row's value is missing; every rank, binNaN
// included, when the path does not test the column).
type rankSpan struct {
	lo, hi uint16
	first  int32
}

// binnedPath returns the leaf row ranks reaches in tree and sets in path
// (one bit per feature, cleared first) the features tested on the way.
func binnedPath(tree []uint64, ranks []uint16, path []uint64) int32 {
	clear(path)
	k := int32(0)
	for {
		v := tree[k]
		lo := uint32(v >> 48)
		if lo == binLeaf {
			return k
		}
		col := uint32(v >> 32 & 0xFFFF)
		f := col & binColumnMask
		path[f>>6] |= 1 << (f & 63)
		k = int32(uint32(v)) + binnedStep(uint32(ranks[f]), lo, col)
	}
}

// binnedStep is 1 when a row of rank r goes right at a node of lo and col
// (see binnedTrees), 0 when it goes left.
func binnedStep(r, lo, col uint32) int32 {
	// r − lo wraps to a large number when r < lo.
	return b2i(r-lo < binNaN-lo+col>>15)
}

// binnedSpan returns the span of column j on the path of row ranks in
// tree, a path that tests j.
func binnedSpan(tree []uint64, ranks []uint16, j int) rankSpan {
	r := ranks[j]
	s := rankSpan{lo: 0, hi: binNaN - 1, first: -1}
	if r == binNaN {
		s.lo, s.hi = binNaN, binNaN
	}
	k := int32(0)
	for {
		v := tree[k]
		lo := uint32(v >> 48)
		if lo == binLeaf {
			return s
		}
		col := uint32(v >> 32 & 0xFFFF)
		f := col & binColumnMask
		step := binnedStep(uint32(ranks[f]), lo, col)
		if int(f) == j {
			if s.first < 0 {
				s.first = k
			}
			if r != binNaN {
				// Left: r < lo, so r <= lo − 1; right: r >= lo.
				if step == 0 {
					s.hi = min(s.hi, uint16(lo-1))
				} else {
					s.lo = max(s.lo, uint16(lo))
				}
			}
		}
		k = int32(uint32(v)) + step
	}
}

// binnedLeafFrom returns the leaf row ranks reaches in tree with column
// j's rank replaced by r, starting at node k (a node on the row's path
// above which no node tests j).
func binnedLeafFrom(tree []uint64, k int32, ranks []uint16, j int, r uint16) int32 {
	for {
		v := tree[k]
		lo := uint32(v >> 48)
		if lo == binLeaf {
			return k
		}
		col := uint32(v >> 32 & 0xFFFF)
		f := col & binColumnMask
		rr := uint32(ranks[f])
		if int(f) == j {
			rr = uint32(r)
		}
		k = int32(uint32(v)) + binnedStep(rr, lo, col)
	}
}

// valueRescorer is ColumnRescorer over the compact trees, comparing
// values with thresholds.
func (e *treeEnsemble) valueRescorer(ctx context.Context, x *Matrix) func(j int, col, dst []float64) error {
	nt := len(e.trees)
	words := (x.Cols + 63) / 64
	compact := e.compactTrees()
	leaf := make([]float64, x.Rows*nt)
	paths := make([]uint64, x.Rows*nt*words)
	parallelBlocks(x.Rows, predictBlock, func(lo, hi int) {
		for t, tree := range compact {
			for i := lo; i < hi; i++ {
				at := t*x.Rows + i
				leaf[at] = compactPath(tree, x.Row(i), paths[at*words:(at+1)*words])
			}
		}
	})
	spans := make([]rescoreSpan, x.Rows*nt)
	prepared := -1
	return func(j int, col, dst []float64) error {
		if err := e.checkRescore(ctx, x, j, col, dst); err != nil {
			return err
		}
		word, bit := j/64, uint64(1)<<(j%64)
		if prepared != j {
			parallelBlocks(x.Rows, predictBlock, func(lo, hi int) {
				for t, tree := range compact {
					base := t * x.Rows
					for i := lo; i < hi; i++ {
						if paths[(base+i)*words+word]&bit != 0 {
							spans[base+i] = compactSpan(tree, x.Row(i), j)
						}
					}
				}
			})
			prepared = j
		}
		// Tree by tree over blocks of rows, as Predict: each row's leaf
		// values are still added in tree order.
		parallelBlocks(x.Rows, predictBlock, func(lo, hi int) {
			acc := dst[lo:hi]
			clear(acc)
			for t, tree := range compact {
				base := t * x.Rows
				for i := lo; i < hi; i++ {
					at := base + i
					if paths[at*words+word]&bit == 0 {
						acc[i-lo] += leaf[at]
						continue
					}
					s := &spans[at]
					v := col[i]
					if (v > s.lo && v <= s.hi) || (v != v && s.missing) {
						acc[i-lo] += leaf[at]
					} else {
						acc[i-lo] += compactLeafValueFrom(tree, s.first, x.Row(i), j, v)
					}
				}
			}
			e.finishScores(acc)
		})
		return nil
	}
}

// rescoreSpan is where a row's path in a tree first tests a column and
// which of the column's values keep the row on that path: those in
// (lo, hi] when the row's value is a number (missing is false), NaN when
// it is NaN (missing is true; lo and hi then bound nothing: lo = +Inf).
type rescoreSpan struct {
	lo, hi  float64
	first   int32
	missing bool
}

// rescoreSpanBytes is the size of a rescoreSpan.
const rescoreSpanBytes = 24

// compactSpan returns the span of column j on row x's path in t, a path
// that tests j.
func compactSpan(t []compactNode, x []float64, j int) rescoreSpan {
	v := x[j]
	s := rescoreSpan{lo: math.Inf(-1), hi: math.Inf(1), first: -1, missing: v != v}
	if s.missing {
		s.lo = math.Inf(1)
	}
	k := int32(0)
	for {
		n := &t[k]
		if n.feature < 0 {
			return s
		}
		f := n.feature &^ missingRightBit
		if int(f) == j {
			if s.first < 0 {
				s.first = k
			}
			if !s.missing {
				if v <= n.threshold {
					s.hi = min(s.hi, n.threshold)
				} else {
					s.lo = max(s.lo, n.threshold)
				}
			}
		}
		k = n.child(x[f])
	}
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

// compactLeafValueFrom is compactLeafValue for row x with column j's value
// replaced by v, starting at node k (a node on the row's path above which
// no node tests j).
func compactLeafValueFrom(t []compactNode, k int32, x []float64, j int, v float64) float64 {
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
