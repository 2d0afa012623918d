package explain

import (
	"cmp"
	"math"
	"slices"

	"github.com/evalrun/evalrun/metrics"
)

// rescoredAUC computes the ROC AUC of scores that differ from base scores
// in some rows only, as permutation importance gets them (a shuffled
// column leaves most rows' scores as they were): the rows whose score
// changed are sorted and merged into the rows sorted once by base score,
// instead of sorting every row again. The result is metrics.ROCAUC's to
// the bit: the same groups of equal scores in decreasing order, with the
// same whole-number counts, and the same trapezoids added in the same
// order.
type rescoredAUC struct {
	y    []uint8
	base []float64
	// order holds the rows by decreasing base score.
	order []int32
	P, N  float64
}

// newRescoredAUC prepares for scores against y differing from base, which
// metrics.ROCAUC must have accepted with y (labels 0 and 1, both present;
// finite scores).
func newRescoredAUC(y []uint8, base []float64) *rescoredAUC {
	a := &rescoredAUC{y: y, base: base, order: make([]int32, len(base))}
	for i := range a.order {
		a.order[i] = int32(i)
	}
	slices.SortFunc(a.order, func(p, q int32) int { return cmp.Compare(base[q], base[p]) })
	for _, v := range y {
		if v == 1 {
			a.P++
		} else {
			a.N++
		}
	}
	return a
}

// rescoredScratch is one goroutine's working memory for rescoredAUC.auc.
type rescoredScratch struct {
	moved []int32
	// changed[i] is set for the rows of moved.
	changed []bool
}

// auc returns metrics.ROCAUC(a.y, scores, nil), scores as long as base.
func (a *rescoredAUC) auc(scores []float64, s *rescoredScratch) (float64, error) {
	if len(s.changed) != len(scores) {
		s.changed = make([]bool, len(scores))
	}
	moved := s.moved[:0]
	for i, v := range scores {
		if v != a.base[i] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return metrics.ROCAUC(a.y, scores, nil)
			}
			moved = append(moved, int32(i))
			s.changed[i] = true
		}
	}
	s.moved = moved
	slices.SortFunc(moved, func(p, q int32) int { return cmp.Compare(scores[q], scores[p]) })
	// The rows in decreasing score order: the unchanged ones in base
	// order, the changed ones merged in. A group of equal scores closes
	// when the next score differs.
	var tps, fps, prevTPR, prevFPR, area float64
	var pos, neg float64
	first := true
	value := 0.0
	add := func(i int32) {
		v := scores[i]
		if !first && v != value {
			tps += pos
			fps += neg
			tpr, fpr := tps/a.P, fps/a.N
			area += (fpr - prevFPR) * (tpr + prevTPR) / 2
			prevTPR, prevFPR = tpr, fpr
			pos, neg = 0, 0
		}
		first, value = false, v
		if a.y[i] == 1 {
			pos++
		} else {
			neg++
		}
	}
	m := 0
	for _, i := range a.order {
		if s.changed[i] {
			continue
		}
		for m < len(moved) && scores[moved[m]] > scores[i] {
			add(moved[m])
			m++
		}
		add(i)
	}
	for ; m < len(moved); m++ {
		add(moved[m])
	}
	tps += pos
	fps += neg
	tpr, fpr := tps/a.P, fps/a.N
	area += (fpr - prevFPR) * (tpr + prevTPR) / 2
	for _, i := range moved {
		s.changed[i] = false
	}
	return area, nil
}
