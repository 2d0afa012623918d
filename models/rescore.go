package models

import (
	"context"
	"fmt"
	"math"
	"sync"
)

// ColumnRescorer is implemented by fitted models that can score rows with
// one column's values replaced much faster than Predict can score the
// modified matrix, as permutation importance does for every column.
type ColumnRescorer interface {
	// ColumnRescorer prepares rows (which must not change while the
	// returned function is in use) and returns a function that writes to
	// dst the scores of rows with column j replaced by col (col[i] the new
	// value of row i): exactly what Predict returns for those rows. The
	// function may be called from several goroutines at once (with their
	// own col and dst); calls for the same column one after the other are
	// the cheapest, as permutation importance makes them. ok is false
	// when the model declines (rows too many to prepare in memory); the
	// caller then uses Predict.
	ColumnRescorer(ctx context.Context, rows Rows) (rescore func(j int, col, dst []float64) error, ok bool, err error)
}

// maxRescoreBytes bounds the memory a tree ensemble's rescorer keeps per
// prepared row set (each row's leaf value and path features in every tree,
// and for the column being rescored where its path first tests it, the
// interval of the column's values that keep it on that path and the last
// leaf reached off it).
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
	if float64(x.Rows)*float64(nt)*float64(8+8*words+2*rescoreSpanBytes) > maxRescoreBytes {
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
//
// A row whose new rank equals its own, or lies within the ranks that keep
// its path in every tree (its row span for the column), keeps its score:
// the score of the unchanged rows, computed once. Only the other rows are
// rescored, tree by tree; the spans of a row are worked out for a column
// the first time the row's rank changes (rows whose shuffled values never
// differ from their own are never walked). In a tree where the new rank
// leaves the row's span, the leaf it reaches from the first node testing
// the column is remembered with the ranks that reach it, so the next
// repeats draw the same leaf without a walk when their rank lies among
// them (a column with two values is walked at most once per row and
// tree).
//
// A call takes all rows through one tree before the next, so that each
// tree is fetched once, on the calling goroutine: calls for different
// columns run in parallel, each with its own spans (a call takes the
// spans of a finished call, preferring those of its own column).
func (e *treeEnsemble) rankRescorer(ctx context.Context, x *Matrix, b *binnedTrees) func(j int, col, dst []float64) error {
	nt, rows, cols := len(b.nodes), x.Rows, x.Cols
	words := (cols + 63) / 64
	r := &rankRescore{e: e, b: b, rows: rows, cols: cols, words: words}
	r.ranks = make([]uint16, rows*cols)
	b.rank(x.Data, cols, r.ranks)
	r.leaf = make([]float64, rows*nt)
	r.paths = make([]uint64, rows*nt*words)
	r.base = make([]float64, rows)
	parallelBlocks(rows, predictBlock, func(lo, hi int) {
		acc := r.base[lo:hi]
		for t, tree := range b.nodes {
			values := b.values[t]
			for i := lo; i < hi; i++ {
				at := t*rows + i
				r.leaf[at] = values[binnedPath(tree, r.ranks[i*cols:(i+1)*cols], r.paths[at*words:(at+1)*words])]
				acc[i-lo] += r.leaf[at]
			}
		}
		e.finishScores(acc)
	})
	var mu sync.Mutex
	var idle []*rankRescoreState
	return func(j int, col, dst []float64) error {
		if err := e.checkRescore(ctx, x, j, col, dst); err != nil {
			return err
		}
		mu.Lock()
		var s *rankRescoreState
		if n := len(idle); n > 0 {
			k := n - 1
			for i, t := range idle {
				if t.column == j {
					k = i
				}
			}
			s = idle[k]
			idle = append(idle[:k], idle[k+1:]...)
		}
		mu.Unlock()
		if s == nil {
			s = r.newState()
		}
		r.rescore(s, j, col, dst)
		mu.Lock()
		idle = append(idle, s)
		mu.Unlock()
		return nil
	}
}

// rankRescore is what the rank rescorer keeps of the rows: their ranks
// (cols a row), leaf[t*rows+i] and paths[(t*rows+i)*words:] the leaf
// value row i reaches in tree t and the features tested on the way
// (tree-major, as the rescoring walks them), and base[i] row i's score,
// its leaf values added in tree order as the rescoring adds them.
type rankRescore struct {
	e                 *treeEnsemble
	b                 *binnedTrees
	rows, cols, words int
	ranks             []uint16
	leaf, base        []float64
	paths             []uint64
}

// rankRescoreState is one call's working memory and what it keeps of the
// column it last rescored: spans[t*rows+i] keeps row i on its path in
// tree t, alts[t*rows+i] the last leaf reached off it (first is the leaf)
// and the ranks reaching it, rowSpans[i] the intersection of row i's spans
// (first is rowUnprepared until worked out).
type rankRescoreState struct {
	column      int
	spans, alts []rankSpan
	rowSpans    []rankSpan
	colRanks    []uint16
	todo, moved []int32
	acc, values []float64
	walks       rankWalks
}

func (r *rankRescore) newState() *rankRescoreState {
	pairs := r.rows * len(r.b.nodes)
	return &rankRescoreState{
		column:   -1,
		spans:    make([]rankSpan, pairs),
		alts:     make([]rankSpan, pairs),
		rowSpans: make([]rankSpan, r.rows),
		colRanks: make([]uint16, r.rows),
		todo:     make([]int32, r.rows),
		moved:    make([]int32, r.rows),
		acc:      make([]float64, r.rows),
		values:   make([]float64, r.rows),
		walks:    newRankWalks(r.rows),
	}
}

// rescore writes to dst the scores of the rows with column j's values
// replaced by col.
func (r *rankRescore) rescore(s *rankRescoreState, j int, col, dst []float64) {
	b, rows, cols := r.b, r.rows, r.cols
	ranks := r.ranks
	word, bit := j/64, uint64(1)<<(j%64)
	if s.column != j {
		for i := range s.rowSpans {
			s.rowSpans[i].first = rowUnprepared
		}
		s.column = j
	}
	b.rankColumn(j, col, s.colRanks)
	w := &s.walks
	// Rows whose rank changes and whose spans are not yet known: their
	// spans in every tree testing j, from the root with their own ranks.
	todo := s.todo[:0]
	for i := range rows {
		if s.colRanks[i] != ranks[i*cols+j] && s.rowSpans[i].first == rowUnprepared {
			todo = append(todo, int32(i))
			s.rowSpans[i] = rankSpan{lo: 0, hi: binNaN}
		}
	}
	if len(todo) > 0 {
		for t, tree := range b.nodes {
			off := t * rows
			n := 0
			for _, i := range todo {
				at := off + int(i)
				if r.paths[at*r.words+word]&bit == 0 {
					// Every rank, binNaN included, keeps a path that
					// does not test j.
					s.spans[at] = rankSpan{lo: 0, hi: binNaN}
					continue
				}
				w.rows[n], w.from[n], w.ranks[n], w.at[n] = i, 0, ranks[int(i)*cols+j], at
				n++
			}
			w.walk(tree, ranks, cols, j, n)
			for c, at := range w.at[:n] {
				sp := w.spans[c]
				s.spans[at] = sp
				s.alts[at] = rankSpan{lo: 1, hi: 0}
				rs := &s.rowSpans[w.rows[c]]
				rs.lo, rs.hi = max(rs.lo, sp.lo), min(rs.hi, sp.hi)
			}
		}
	}
	// Rows whose rank leaves their row span are rescored; the others keep
	// their score.
	moved := s.moved[:0]
	for i := range rows {
		rk := s.colRanks[i]
		if sp := s.rowSpans[i]; rk == ranks[i*cols+j] || (rk >= sp.lo && rk <= sp.hi) {
			dst[i] = r.base[i]
			continue
		}
		moved = append(moved, int32(i))
	}
	acc, values := s.acc[:len(moved)], s.values[:len(moved)]
	clear(acc)
	for t, tree := range b.nodes {
		off := t * rows
		leaves := b.values[t]
		n := 0
		for c, i := range moved {
			at := off + int(i)
			rk := s.colRanks[i]
			if sp := s.spans[at]; rk >= sp.lo && rk <= sp.hi {
				values[c] = r.leaf[at]
				continue
			}
			if a := s.alts[at]; rk >= a.lo && rk <= a.hi {
				values[c] = leaves[a.first]
				continue
			}
			// Off the row's path and off the last leaf reached: walk
			// again from the first node testing j.
			w.rows[n], w.from[n], w.ranks[n], w.at[n] = i, s.spans[at].first, rk, c
			n++
		}
		w.walk(tree, ranks, cols, j, n)
		for k, c := range w.at[:n] {
			sp := w.spans[k]
			sp.first = w.leaves[k]
			s.alts[off+int(moved[c])] = sp
			values[c] = leaves[sp.first]
		}
		for c, v := range values {
			acc[c] += v
		}
	}
	r.e.finishScores(acc)
	for c, i := range moved {
		dst[i] = acc[c]
	}
}

// rowUnprepared marks a row whose spans for the column being rescored are
// not worked out yet (rankSpan.first of a row span).
const rowUnprepared = -1

// rankWalks are walks down one tree (binnedTrees) taken together: walk c
// is row rows[c] from node from[c] with rank ranks[c] for the column
// walked, ending with spans[c] and the leaf leaves[c]; at[c] is the
// caller's.
type rankWalks struct {
	rows, from, leaves, active []int32
	at                         []int
	ranks                      []uint16
	spans                      []rankSpan
}

func newRankWalks(n int) rankWalks {
	return rankWalks{
		rows: make([]int32, n), from: make([]int32, n), leaves: make([]int32, n),
		at: make([]int, n), active: make([]int32, n),
		ranks: make([]uint16, n), spans: make([]rankSpan, n),
	}
}

// walk takes the first n walks down tree to their leaves, with the ranks
// of walk c's row (rowRanks[rows[c]*cols:]) but ranks[c] for column j.
// from[c] must be a node on the row's path above which no node tests j;
// spans[c] is then the span of the path below it: the first node testing
// j (−1 when none does) and the ranks [lo, hi] of j that take the same way
// at every node testing j (binNaN alone when ranks[c] is binNaN; every
// rank but binNaN when no node tests j). The walks take one node each in
// turn, so that the processor overlaps their loads instead of waiting on
// each node. from is overwritten.
func (w *rankWalks) walk(tree []uint64, rowRanks []uint16, cols, j, n int) {
	active := w.active[:n]
	for c := range active {
		active[c] = int32(c)
		w.spans[c] = rankSpan{lo: 0, hi: binNaN - 1, first: -1}
		if w.ranks[c] == binNaN {
			w.spans[c].lo, w.spans[c].hi = binNaN, binNaN
		}
	}
	for m := n; m > 0; {
		for a := 0; a < m; {
			c := active[a]
			k := w.from[c]
			v := tree[k]
			lo := uint32(v >> 48)
			if lo == binLeaf {
				w.leaves[c] = k
				m--
				active[a] = active[m]
				continue
			}
			a++
			col := uint32(v >> 32 & 0xFFFF)
			f := col & binColumnMask
			if int(f) != j {
				w.from[c] = int32(uint32(v)) + binnedStep(uint32(rowRanks[int(w.rows[c])*cols+int(f)]), lo, col)
				continue
			}
			s := &w.spans[c]
			if s.first < 0 {
				s.first = k
			}
			r := w.ranks[c]
			step := binnedStep(uint32(r), lo, col)
			if r != binNaN {
				// Left: r < lo, so r <= lo − 1; right: r >= lo.
				if step == 0 {
					s.hi = min(s.hi, uint16(lo-1))
				} else {
					s.lo = max(s.lo, uint16(lo))
				}
			}
			w.from[c] = int32(uint32(v)) + step
		}
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
	// One call at a time: each spreads its rows over the processors.
	var mu sync.Mutex
	return func(j int, col, dst []float64) error {
		if err := e.checkRescore(ctx, x, j, col, dst); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
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
