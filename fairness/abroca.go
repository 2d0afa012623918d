package fairness

import (
	"errors"
	"fmt"
	"math"

	"github.com/evalrun/evalrun/metrics"
)

// ABROCACurves returns the absolute between-ROC area of two ROC curves: the
// integral over FPR in [0, 1] of |TPR_A(x) - TPR_B(x)|, each curve being
// the piecewise-linear function through its points (Gardner, Brooks & Baker
// 2019, "Evaluating the fairness of predictive student models through
// slicing analysis").
//
// The integral is exact, not taken on a grid: between consecutive
// breakpoints of either curve both curves are linear, so the difference is
// linear and its absolute value is integrated in closed form, splitting at
// the crossing point when the curves cross inside the interval. Vertical
// steps (several points at one FPR, as produced by runs of positives or by
// tied scores) have no width and contribute nothing; the curve just left of
// such an FPR uses its lowest point there and just right of it its highest.
//
// Each curve is given as FPR and TPR slices of equal length, with points in
// ROC order (both coordinates non-decreasing), starting at (0, 0) and
// ending at (1, 1), as metrics.ROCCurve returns them. Errors: fewer than two
// points, mismatched lengths, a NaN or decreasing coordinate, or a curve
// that does not start at (0, 0) or end at (1, 1).
func ABROCACurves(fprA, tprA, fprB, tprB []float64) (float64, error) {
	if err := checkCurve("curve A", fprA, tprA); err != nil {
		return 0, fmt.Errorf("fairness: abroca: %w", err)
	}
	if err := checkCurve("curve B", fprB, tprB); err != nil {
		return 0, fmt.Errorf("fairness: abroca: %w", err)
	}
	return abrocaArea(fprA, tprA, fprB, tprB), nil
}

func checkCurve(name string, fpr, tpr []float64) error {
	if len(fpr) != len(tpr) {
		return fmt.Errorf("%s: %d FPR values but %d TPR values: %w", name, len(fpr), len(tpr), ErrInput)
	}
	if len(fpr) < 2 {
		return fmt.Errorf("%s: %d points, need at least 2: %w", name, len(fpr), ErrInput)
	}
	for i := range fpr {
		if math.IsNaN(fpr[i]) || math.IsNaN(tpr[i]) {
			return fmt.Errorf("%s: point %d is NaN: %w", name, i, ErrInput)
		}
		if i > 0 && (fpr[i] < fpr[i-1] || tpr[i] < tpr[i-1]) {
			return fmt.Errorf("%s: point %d decreases: %w", name, i, ErrInput)
		}
	}
	last := len(fpr) - 1
	if fpr[0] != 0 || tpr[0] != 0 || fpr[last] != 1 || tpr[last] != 1 {
		return fmt.Errorf("%s: must run from (0, 0) to (1, 1): %w", name, ErrInput)
	}
	return nil
}

// abrocaArea integrates |A - B| over [0, 1]; the curves must be valid (see
// ABROCACurves).
func abrocaArea(xa, ya, xb, yb []float64) float64 {
	// ia (ib) is the last point of A (B) at or left of the current x, so
	// A's value just right of x is ya[ia].
	ia, ib := lastAt(xa, 0, 0), lastAt(xb, 0, 0)
	x, ra, rb := 0.0, ya[ia], yb[ib]
	area := 0.0
	for ia+1 < len(xa) || ib+1 < len(xb) {
		nxa, nxb := math.Inf(1), math.Inf(1)
		if ia+1 < len(xa) {
			nxa = xa[ia+1]
		}
		if ib+1 < len(xb) {
			nxb = xb[ib+1]
		}
		nx := min(nxa, nxb)
		la, lb := leftLimit(xa, ya, ia, nx), leftLimit(xb, yb, ib, nx)
		area += absLinearArea(nx-x, ra-rb, la-lb)
		if nxa == nx {
			ia = lastAt(xa, ia+1, nx)
			ra = ya[ia]
		} else {
			ra = la
		}
		if nxb == nx {
			ib = lastAt(xb, ib+1, nx)
			rb = yb[ib]
		} else {
			rb = lb
		}
		x = nx
	}
	return area
}

// lastAt returns the last index j >= i with xs[j] == x (xs[i] must be x).
func lastAt(xs []float64, i int, x float64) int {
	for i+1 < len(xs) && xs[i+1] == x {
		i++
	}
	return i
}

// leftLimit returns the curve's value just left of nx, where point i is at
// or left of the current x < nx <= xs[i+1].
func leftLimit(xs, ys []float64, i int, nx float64) float64 {
	if xs[i+1] == nx {
		return ys[i+1]
	}
	return ys[i] + (ys[i+1]-ys[i])*(nx-xs[i])/(xs[i+1]-xs[i])
}

// absLinearArea integrates |d| over an interval of width h on which d is
// linear from d0 to d1, splitting at the root when the sign changes.
func absLinearArea(h, d0, d1 float64) float64 {
	if d0*d1 >= 0 { // no sign change (d0*d1 cannot overflow: |d| <= 1)
		return h * math.Abs(d0+d1) / 2
	}
	a, b := math.Abs(d0), math.Abs(d1)
	return h * (a*a + b*b) / (2 * (a + b))
}

// ABROCA returns the absolute between-ROC area of the two groups in groups
// (one label per row; exactly two distinct labels, "" counting as
// MissingGroup): the area between the groups' ROC curves through every
// distinct score (scikit-learn roc_curve with drop_intermediate=False),
// integrated exactly by ABROCACurves. It is symmetric in the two groups and
// lies in [0, 1]. Errors: as PerGroup, a number of groups other than two,
// or a group without both classes (its ROC curve does not exist).
func ABROCA(y []uint8, score []float64, groups []string) (float64, error) {
	if err := checkGrouped(y, score, groups); err != nil {
		return 0, fmt.Errorf("fairness: abroca: %w", err)
	}
	p := newPartition(groups)
	if len(p.names) != 2 {
		return 0, fmt.Errorf("fairness: abroca: need exactly 2 groups, got %d (%s): %w", len(p.names), quoteList(p.names), ErrInput)
	}
	var fpr, tpr [2][]float64
	for g := range 2 {
		yg, sg := subset(y, score, p, g)
		f, t, _, err := metrics.ROCCurve(yg, sg, nil)
		if err != nil {
			if errors.Is(err, metrics.ErrSingleClass) {
				return 0, fmt.Errorf("fairness: abroca: group %q holds one class, its ROC curve is undefined: %w", p.names[g], ErrInput)
			}
			return 0, fmt.Errorf("fairness: abroca: group %q: %w", p.names[g], err)
		}
		fpr[g], tpr[g] = f, t
	}
	return abrocaArea(fpr[0], tpr[0], fpr[1], tpr[1]), nil
}
