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
// prepared row set: each row's leaf in every tree, and for each call at
// once, the spans of the column being rescored (the values that keep each
// row on its path in each tree) and the last leaf reached off each path.
const maxRescoreBytes = 256 << 20

// ColumnRescorer keeps, for every row and tree, the leaf the row reaches.
// A row whose path in a tree never tests column j reaches the same leaf
// whatever its value of j. Where the path tests j, the first call for
// column j records (once, reused while j stays the same, as permutation
// importance calls it repeat after repeat) the first node of the path that
// tests j and the interval of values of j that go the same way at every
// node of the path testing j: a new value inside it reaches the same leaf
// without a walk, and one outside it is walked from that first node, the
// nodes above it not depending on j. The walks compare ranks among each
// column's thresholds with 8-byte nodes, as Predict does (binnedTrees,
// rankRescorer), or values when the ensemble has too many thresholds for
// ranks (valueRescorer). The leaf values are then added in tree order, as
// Predict adds them, so the scores are the same to the bit.
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
// The path to a leaf is the same for every row that reaches it, so the
// ranks of column j that keep a row on its path in a tree (its span) and
// the first node of the path testing j depend only on the row's leaf (and
// on whether the row's value of j is missing): they are worked out once
// per column for every leaf in one pass over each tree. A row whose new
// rank equals its own, or lies within its span in every tree (its row
// span), keeps its score, computed once; only the other rows are
// rescored, tree by tree. In a tree where the new rank leaves the row's
// span, the row is walked from the first node testing j, and the leaf it
// reaches is remembered with the ranks that reach it, so the next repeats
// draw the same leaf without a walk when their rank lies among them (a
// column with two values is walked at most once per row and tree).
//
// A call takes all rows through one tree before the next, so that each
// tree is fetched once, on the calling goroutine: calls for different
// columns run in parallel, each with its own spans (a call takes the
// spans of a finished call, preferring those of its own column).
func (e *treeEnsemble) rankRescorer(ctx context.Context, x *Matrix, b *binnedTrees) func(j int, col, dst []float64) error {
	return e.rankRescorerStates(ctx, x, b, 0)
}

// rankRescorerStates is rankRescorer with at most maxStates calls at once
// (0: as many as maxRescoreBytes leaves room for, at least one).
func (e *treeEnsemble) rankRescorerStates(ctx context.Context, x *Matrix, b *binnedTrees, maxStates int) func(j int, col, dst []float64) error {
	nt, rows, cols := len(b.nodes), x.Rows, x.Cols
	r := &rankRescore{e: e, b: b, rows: rows, cols: cols, offsets: make([]int, nt+1)}
	for t, tree := range b.nodes {
		r.offsets[t+1] = r.offsets[t] + len(tree)
	}
	r.ranks = make([]uint16, rows*cols)
	b.rank(x.Data, cols, r.ranks)
	r.leaves = make([]int32, rows*nt)
	r.leafValues = make([]float64, rows*nt)
	r.base = make([]float64, rows)
	parallelBlocks(rows, predictBlock, func(lo, hi int) {
		acc := r.base[lo:hi]
		for t, tree := range b.nodes {
			values := b.values[t]
			for i := lo; i < hi; i++ {
				at := t*rows + i
				r.leaves[at] = rankLeaf(tree, r.ranks[i*cols:(i+1)*cols])
				r.leafValues[at] = values[r.leaves[at]]
				acc[i-lo] += r.leafValues[at]
			}
		}
		e.finishScores(acc)
	})
	// As many states as calls at once, within maxRescoreBytes (at least
	// one): a call finding none idle and no room for another waits.
	pairs := float64(rows) * float64(nt)
	shared := pairs * (4 + 8)
	perState := pairs*2*8 + float64(r.offsets[nt])*8 + float64(rows)*48
	if maxStates <= 0 {
		maxStates = max(1, int((maxRescoreBytes-shared)/perState))
	}
	var (
		mu    sync.Mutex
		freed = sync.NewCond(&mu)
		idle  []*rankRescoreState
		made  int
	)
	return func(j int, col, dst []float64) error {
		if err := e.checkRescore(ctx, x, j, col, dst); err != nil {
			return err
		}
		mu.Lock()
		for len(idle) == 0 && made == maxStates {
			freed.Wait()
		}
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
		} else {
			made++
		}
		mu.Unlock()
		if s == nil {
			s = r.newState()
		}
		r.rescore(s, j, col, dst)
		mu.Lock()
		idle = append(idle, s)
		freed.Signal()
		mu.Unlock()
		return nil
	}
}

// rankRescore is what the rank rescorer keeps of the rows: their ranks
// (cols a row), leaves[t*rows+i] the leaf row i reaches in tree t and
// leafValues[t*rows+i] its value (tree-major, as the rescoring takes them)
// and base[i] row i's score, its leaf values added in tree order as the
// rescoring adds them. Node k of tree t is node offsets[t]+k of the trees
// laid end to end.
type rankRescore struct {
	e                *treeEnsemble
	b                *binnedTrees
	rows, cols       int
	offsets          []int
	ranks            []uint16
	leaves           []int32
	leafValues, base []float64
}

// rankRescoreState is one call's working memory and what it keeps of the
// column it last rescored: nodeSpans[offsets[t]+k] the span of the column
// on the path to node k of tree t (rankLeafSpans), spans[t*rows+i] row
// i's span in tree t, rowSpans[i] the intersection of row i's spans,
// alts[t*rows+i] the last leaf reached off row i's path in tree t (first
// is the leaf; 0, the root, for none) and the ranks reaching it,
// ownRanks[i] row i's rank, and lastScores[i] row i's score with rank
// lastRanks[i] (its own rank, whose score is base[i], when none was
// computed).
type rankRescoreState struct {
	column              int
	nodeSpans, rowSpans []rankSpan
	spans, alts         []rankSpan
	colRanks, ownRanks  []uint16
	lastRanks           []uint16
	lastScores          []float64
	moved               []int32
	acc, values         []float64
	walks               rankWalks
}

func (r *rankRescore) newState() *rankRescoreState {
	return &rankRescoreState{
		column:     -1,
		nodeSpans:  make([]rankSpan, r.offsets[len(r.b.nodes)]),
		rowSpans:   make([]rankSpan, r.rows),
		spans:      make([]rankSpan, r.rows*len(r.b.nodes)),
		alts:       make([]rankSpan, r.rows*len(r.b.nodes)),
		colRanks:   make([]uint16, r.rows),
		ownRanks:   make([]uint16, r.rows),
		lastRanks:  make([]uint16, r.rows),
		lastScores: make([]float64, r.rows),
		moved:      make([]int32, r.rows),
		acc:        make([]float64, r.rows),
		values:     make([]float64, r.rows),
		walks:      newRankWalks(r.rows),
	}
}

// prepare works out the spans of column j.
func (r *rankRescore) prepare(s *rankRescoreState, j int) {
	rows := r.rows
	for i := range s.rowSpans {
		s.rowSpans[i] = rankSpan{lo: 0, hi: binNaN}
		s.ownRanks[i] = r.ranks[i*r.cols+j]
	}
	copy(s.lastRanks, s.ownRanks)
	for t, tree := range r.b.nodes {
		nodeSpans := s.nodeSpans[r.offsets[t]:r.offsets[t+1]]
		rankLeafSpans(tree, j, nodeSpans)
		leaves, spans := r.leaves[t*rows:(t+1)*rows], s.spans[t*rows:(t+1)*rows]
		for i, k := range leaves {
			sp := nodeSpans[k]
			if s.ownRanks[i] == binNaN && sp.first >= 0 {
				sp.lo, sp.hi = binNaN, binNaN
			}
			spans[i] = sp
			rs := &s.rowSpans[i]
			rs.lo, rs.hi = max(rs.lo, sp.lo), min(rs.hi, sp.hi)
		}
	}
	clear(s.alts)
	s.column = j
}

// rescore writes to dst the scores of the rows with column j's values
// replaced by col.
func (r *rankRescore) rescore(s *rankRescoreState, j int, col, dst []float64) {
	b, rows, cols := r.b, r.rows, r.cols
	if s.column != j {
		r.prepare(s, j)
	}
	b.rankColumn(j, col, s.colRanks)
	// Rows whose rank leaves their row span are rescored; the others keep
	// their score, and those given the rank of their last rescoring get
	// its score again (every rescoring of a column with two values but
	// the first).
	moved := s.moved[:0]
	for i := range rows {
		rk := s.colRanks[i]
		if sp := s.rowSpans[i]; rk == s.ownRanks[i] || (rk >= sp.lo && rk <= sp.hi) {
			dst[i] = r.base[i]
			continue
		}
		if rk == s.lastRanks[i] {
			dst[i] = s.lastScores[i]
			continue
		}
		moved = append(moved, int32(i))
	}
	w := &s.walks
	acc, values := s.acc[:len(moved)], s.values[:len(moved)]
	clear(acc)
	for t, tree := range b.nodes {
		off := t * rows
		leaves := b.values[t]
		n := 0
		for c, i := range moved {
			rk := s.colRanks[i]
			sp := s.spans[off+int(i)]
			if rk >= sp.lo && rk <= sp.hi {
				values[c] = r.leafValues[off+int(i)]
				continue
			}
			if a := s.alts[off+int(i)]; a.first != 0 && rk >= a.lo && rk <= a.hi {
				values[c] = leaves[a.first]
				continue
			}
			// Off the row's path and off the last leaf reached: walk
			// again from the first node testing j.
			w.rows[n], w.from[n], w.ranks[n], w.at[n] = i, sp.first, rk, c
			n++
		}
		w.walk(tree, r.ranks, cols, j, n)
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
		s.lastRanks[i], s.lastScores[i] = s.colRanks[i], acc[c]
	}
}

// rankLeafSpans sets spans[k], for every node k of tree (leaves
// included), to the span of column j on the path from the root to k: the
// first node of the path testing j and the ranks [lo, hi] of j (not
// binNaN) that take the path at every node testing j, or {0, binNaN, −1}
// when no node of the path tests j. Children come after their parent in
// the breadth-first order of the nodes, so one pass sets them all.
func rankLeafSpans(tree []uint64, j int, spans []rankSpan) {
	spans[0] = rankSpan{lo: 0, hi: binNaN, first: -1}
	for k, v := range tree {
		lo := uint32(v >> 48)
		if lo == binLeaf {
			continue
		}
		left := int32(uint32(v))
		s := spans[k]
		if int(uint32(v>>32&0xFFFF)&binColumnMask) != j {
			spans[left], spans[left+1] = s, s
			continue
		}
		if s.first < 0 {
			s = rankSpan{lo: 0, hi: binNaN - 1, first: int32(k)}
		}
		// Left: r < lo, so r <= lo − 1 (lo >= 1 at an internal node);
		// right: r >= lo.
		l, rt := s, s
		l.hi = min(s.hi, uint16(lo-1))
		rt.lo = max(s.lo, uint16(lo))
		spans[left], spans[left+1] = l, rt
	}
}

// rankLeaf returns the leaf row ranks reaches in tree (binnedTrees).
func rankLeaf(tree []uint64, ranks []uint16) int32 {
	k := int32(0)
	for {
		v := tree[k]
		lo := uint32(v >> 48)
		if lo == binLeaf {
			return k
		}
		col := uint32(v >> 32 & 0xFFFF)
		k = int32(uint32(v)) + binnedStep(uint32(ranks[col&binColumnMask]), lo, col)
	}
}

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
		dst[i] = rankOf(ts, v)
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
