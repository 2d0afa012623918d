package metrics

import (
	"cmp"
	"math"
	"slices"
)

// scoreGroups holds the rows of a scored sample grouped by distinct score,
// in descending score order, with the total (weighted) positive and negative
// mass at each score. Every ranking and threshold metric is a function of
// these groups, which is what lets a bootstrap replicate be a vector of
// counts per group instead of a re-sort.
type scoreGroups struct {
	value []float64 // distinct scores, strictly descending
	pos   []float64 // positive mass at value[i]
	neg   []float64 // negative mass at value[i]
}

// sortDescending returns the row indices ordered by descending score; ties
// (scores equal as cmp.Compare sees them: -0 equals +0, NaNs equal each
// other and come last) keep their row order, the order of a stable sort,
// so results never depend on the sort algorithm. Samples of
// radixSortMin rows or more are sorted by a stable radix sort of the
// scores' bits, fewer by comparison (TestSortDescendingRadixIsComparison).
func sortDescending(score []float64) []int {
	if len(score) >= radixSortMin && len(score) <= math.MaxInt32 {
		return radixSortDescending(score)
	}
	return compareSortDescending(score)
}

// radixSortMin is the sample size from which a radix sort is the faster.
const radixSortMin = 512

// compareSortDescending is sortDescending by comparison: it sorts (score,
// row) pairs, row breaking ties, which gives a stable sort's order without
// its extra moves.
func compareSortDescending(score []float64) []int {
	type scoredRow struct {
		score float64
		row   int
	}
	rows := make([]scoredRow, len(score))
	for i, s := range score {
		rows[i] = scoredRow{s, i}
	}
	slices.SortFunc(rows, func(a, b scoredRow) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.row, b.row)
	})
	idx := make([]int, len(score))
	for i, r := range rows {
		idx[i] = r.row
	}
	return idx
}

// radixSortDescending is sortDescending by a least-significant-byte radix
// sort of 64-bit keys that order the scores as cmp.Compare does, largest
// first; being stable, it keeps tied rows in row order. A byte that every
// key shares is skipped.
func radixSortDescending(score []float64) []int {
	type keyedRow struct {
		key uint64
		row int32
	}
	n := len(score)
	a, b := make([]keyedRow, n), make([]keyedRow, n)
	var counts [8][256]int32
	for i, s := range score {
		k := uint64(math.MaxUint64) // NaN: after everything
		if !math.IsNaN(s) {
			if s == 0 {
				s = 0 // -0 sorts as +0
			}
			bits := math.Float64bits(s)
			if bits>>63 == 1 {
				bits = ^bits
			} else {
				bits |= 1 << 63
			}
			k = ^bits // ascending keys are descending scores
		}
		a[i] = keyedRow{k, int32(i)}
		for d := range 8 {
			counts[d][byte(k>>(8*d))]++
		}
	}
	for d := range 8 {
		c := &counts[d]
		if c[byte(a[0].key>>(8*d))] == int32(n) {
			continue // every key has this byte
		}
		var next [256]int32
		var sum int32
		for v := range 256 {
			next[v] = sum
			sum += c[v]
		}
		shift := 8 * uint(d)
		for _, r := range a {
			v := byte(r.key >> shift)
			b[next[v]] = r
			next[v]++
		}
		a, b = b, a
	}
	idx := make([]int, n)
	for i, r := range a {
		idx[i] = int(r.row)
	}
	return idx
}

// groupScores builds the groups of (y, score, w); w may be nil. Rows with
// zero weight are dropped, as scikit-learn's _binary_clf_curve does, so they
// add no threshold. The inputs must already be validated.
func groupScores(y []uint8, score, w []float64) scoreGroups {
	idx := sortDescending(score)
	var g scoreGroups
	for _, i := range idx {
		wi := 1.0
		if w != nil {
			wi = w[i]
			if wi == 0 {
				continue
			}
		}
		if n := len(g.value); n == 0 || g.value[n-1] != score[i] {
			g.value = append(g.value, score[i])
			g.pos = append(g.pos, 0)
			g.neg = append(g.neg, 0)
		}
		n := len(g.value) - 1
		if y[i] == 1 {
			g.pos[n] += wi
		} else {
			g.neg[n] += wi
		}
	}
	return g
}

// groupIndex returns, for each row, the index of its group in g (rows with
// zero weight included: they get the index of their score's group if one
// exists, else -1). Used by the bootstrap to map resampled rows to groups.
func groupIndex(g scoreGroups, score []float64) []int {
	out := make([]int, len(score))
	for i, s := range score {
		// value is strictly descending: find the first value <= s.
		j, found := slices.BinarySearchFunc(g.value, s, func(v, t float64) int { return cmp.Compare(t, v) })
		if found {
			out[i] = j
		} else {
			out[i] = -1
		}
	}
	return out
}

// totals returns the total positive and negative mass.
func (g scoreGroups) totals() (pos, neg float64) {
	for i := range g.value {
		pos += g.pos[i]
		neg += g.neg[i]
	}
	return pos, neg
}

// auc returns the trapezoidal area under the ROC curve through every
// distinct threshold, computed as scikit-learn does (fpr = fps/fps[-1],
// tpr = tps/tps[-1], trapezoids). Ties between a positive and a negative
// count one half. P and N are the totals and must both be positive.
func aucFromCounts[T int32 | float64](pos, neg []T, P, N float64) float64 {
	var tps, fps, prevTPR, prevFPR, area float64
	for i := range pos {
		tps += float64(pos[i])
		fps += float64(neg[i])
		tpr, fpr := tps/P, fps/N
		area += (fpr - prevFPR) * (tpr + prevTPR) / 2
		prevTPR, prevFPR = tpr, fpr
	}
	return area
}

// apFromCounts returns scikit-learn's average precision: the sum over
// distinct thresholds (descending) of (R_i - R_{i-1}) * P_i. P must be
// positive.
func apFromCounts[T int32 | float64](pos, neg []T, P float64) float64 {
	var tps, fps, prevRecall, ap float64
	for i := range pos {
		tps += float64(pos[i])
		fps += float64(neg[i])
		if pos[i] == 0 {
			continue // recall unchanged: the term is zero
		}
		recall := tps / P
		ap += (recall - prevRecall) * (tps / (tps + fps))
		prevRecall = recall
	}
	return ap
}

// aucAPFromCounts returns the AUC and average precision of integer
// counts per group (the bootstrap's inner loop) in one pass. The AUC is
// computed exactly in integers as the pair count U = Σ pos·(negatives
// below + ties/2), which equals aucFromCounts' trapezoids up to rounding;
// auc is NaN when N is 0. P must be positive.
func aucAPFromCounts(pos, neg []int32, P, N int64) (auc, ap float64) {
	var tps, fps, u2 int64
	for i := range pos {
		p, q := int64(pos[i]), int64(neg[i])
		tps += p
		fps += q
		u2 += p * (2*(N-fps) + q) // twice the pairs won by these positives
		if p != 0 {
			ap += float64(p) * float64(tps) / float64(tps+fps)
		}
	}
	ap /= float64(P)
	if N == 0 {
		return math.NaN(), ap
	}
	return float64(u2) / (2 * float64(P) * float64(N)), ap
}
