package metrics

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// AUCInterval is an AUC with its DeLong standard error and a two-sided
// normal confidence interval at Level.
type AUCInterval struct {
	AUC   float64 `json:"auc"`
	SE    float64 `json:"se"`
	Lower float64 `json:"lower"`
	Upper float64 `json:"upper"`
	Level float64 `json:"level"`
}

// PairedDeLong is DeLong's test that two scores of the same rows have equal
// AUC. Diff is AUCA - AUCB, SE its DeLong standard error, Z = Diff/SE and
// PValue the two-sided normal p-value. When both scores rank every
// positive-negative pair identically, SE is 0, Diff is 0 and the test
// reports Z = 0, PValue = 1.
type PairedDeLong struct {
	AUCA   float64 `json:"auc_a"`
	AUCB   float64 `json:"auc_b"`
	Diff   float64 `json:"diff"`
	SE     float64 `json:"se"`
	Z      float64 `json:"z"`
	PValue float64 `json:"p_value"`
}

// DiffInterval returns the two-sided normal interval for AUCA - AUCB at the
// given level in (0, 1), clipped to [-1, 1].
func (p PairedDeLong) DiffInterval(level float64) (lower, upper float64, err error) {
	z, err := normalQuantileForLevel(level)
	if err != nil {
		return 0, 0, err
	}
	return max(p.Diff-z*p.SE, -1), min(p.Diff+z*p.SE, 1), nil
}

// normalQuantileForLevel returns z with P(|Z| <= z) = level.
func normalQuantileForLevel(level float64) (float64, error) {
	if !(level > 0 && level < 1) {
		return 0, fmt.Errorf("level %g is not in (0, 1): %w", level, ErrParameter)
	}
	return distuv.UnitNormal.Quantile((1 + level) / 2), nil
}

// delongPlacements holds the structural components of DeLong et al.
// (1988): v10[i] is the share of negatives ranked below positive i (ties
// one half) and v01[j] the share of positives ranked above negative j; the
// AUC is the mean of either.
type delongPlacements struct {
	auc      float64
	v10, v01 []float64
}

func placements(y []uint8, score []float64) delongPlacements {
	g := groupScores(y, score, nil)
	P, N := g.totals()
	gi := groupIndex(g, score)
	// posAbove[k]: positives in groups before k; negBelow[k]: negatives after k.
	posAbove := make([]float64, len(g.value))
	negBelow := make([]float64, len(g.value))
	var acc float64
	for k := range g.value {
		posAbove[k] = acc
		acc += g.pos[k]
	}
	acc = 0
	for k := len(g.value) - 1; k >= 0; k-- {
		negBelow[k] = acc
		acc += g.neg[k]
	}
	d := delongPlacements{
		auc: aucFromCounts(g.pos, g.neg, P, N),
		v10: make([]float64, 0, int(P)),
		v01: make([]float64, 0, int(N)),
	}
	for i, k := range gi {
		if y[i] == 1 {
			d.v10 = append(d.v10, (negBelow[k]+g.neg[k]/2)/N)
		} else {
			d.v01 = append(d.v01, (posAbove[k]+g.pos[k]/2)/P)
		}
	}
	return d
}

// delongInput validates labels and each score, and requires two rows of
// each class (DeLong's variance divides by m-1 and n-1).
func delongInput(name string, y []uint8, scores ...[]float64) error {
	pos, err := checkLabels(y)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for _, s := range scores {
		if err := checkScores("scores", s, len(y)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if pos < 2 || len(y)-pos < 2 {
		return fmt.Errorf("%s: %d positives and %d negatives, need at least 2 of each: %w",
			name, pos, len(y)-pos, ErrSingleClass)
	}
	return nil
}

// covariance returns sum((a-ma)(b-mb))/(len-1).
func covariance(a []float64, ma float64, b []float64, mb float64) float64 {
	var s float64
	for i := range a {
		s += (a[i] - ma) * (b[i] - mb)
	}
	return s / float64(len(a)-1)
}

// DeLongCI returns the AUC of score for labels y with DeLong's standard
// error and a normal interval at level in (0, 1), as R pROC 1.18.0
// ci.auc(roc(y, score, direction = "<"), method = "delong") and
// sqrt(var(roc, method = "delong")): with placements V10 (positives) and
// V01 (negatives), Var = S10/m + S01/n where S10 and S01 are their sample
// variances (denominators m-1 and n-1). The interval is AUC ± z·SE clipped
// to [0, 1], as pROC does. Higher scores mean positive: unlike pROC's
// default direction = "auto", an AUC below 0.5 is not flipped.
// Errors: those of ROCAUC, fewer than 2 rows of either class, level outside
// (0, 1).
func DeLongCI(y []uint8, score []float64, level float64) (AUCInterval, error) {
	if err := delongInput("delong interval", y, score); err != nil {
		return AUCInterval{}, err
	}
	z, err := normalQuantileForLevel(level)
	if err != nil {
		return AUCInterval{}, fmt.Errorf("delong interval: %w", err)
	}
	d := placements(y, score)
	m, n := float64(len(d.v10)), float64(len(d.v01))
	variance := covariance(d.v10, d.auc, d.v10, d.auc)/m + covariance(d.v01, d.auc, d.v01, d.auc)/n
	se := math.Sqrt(variance)
	return AUCInterval{
		AUC:   d.auc,
		SE:    se,
		Lower: max(d.auc-z*se, 0),
		Upper: min(d.auc+z*se, 1),
		Level: level,
	}, nil
}

// errDeLongDegenerate is returned by DeLongPaired in the impossible-looking
// case of a zero standard error with unequal AUCs.
var errDeLongDegenerate = errors.New("metrics: DeLong variance is zero but the AUCs differ")

// DeLongPaired tests whether scores a and b of the same rows (labels y)
// have equal ROC AUC, as R pROC 1.18.0 roc.test(roc(y, a, direction = "<"),
// roc(y, b, direction = "<"), method = "delong", paired = TRUE): the
// covariance matrix of the two AUCs is S10/m + S01/n built from both
// scores' placements, z = (AUC_a - AUC_b)/sqrt(Var_a + Var_b - 2Cov) and
// the p-value is two-sided. Errors: those of DeLongCI (for either score).
func DeLongPaired(y []uint8, a, b []float64) (PairedDeLong, error) {
	if err := delongInput("paired delong", y, a, b); err != nil {
		return PairedDeLong{}, err
	}
	da, db := placements(y, a), placements(y, b)
	m, n := float64(len(da.v10)), float64(len(da.v01))
	// Var(A - B) from the 2x2 covariance of placements.
	s10 := covariance(da.v10, da.auc, da.v10, da.auc) + covariance(db.v10, db.auc, db.v10, db.auc) -
		2*covariance(da.v10, da.auc, db.v10, db.auc)
	s01 := covariance(da.v01, da.auc, da.v01, da.auc) + covariance(db.v01, db.auc, db.v01, db.auc) -
		2*covariance(da.v01, da.auc, db.v01, db.auc)
	variance := s10/m + s01/n
	r := PairedDeLong{AUCA: da.auc, AUCB: db.auc, Diff: da.auc - db.auc}
	if slices.Equal(da.v10, db.v10) && slices.Equal(da.v01, db.v01) {
		// Both scores order every positive-negative pair alike: the AUCs
		// are equal in every resample, so there is no evidence of a
		// difference (rounding would otherwise give 0/0).
		r.AUCB, r.Diff, r.Z, r.PValue = r.AUCA, 0, 0, 1
		return r, nil
	}
	if !(variance > 0) {
		return PairedDeLong{}, fmt.Errorf("paired delong: %w", errDeLongDegenerate)
	}
	r.SE = math.Sqrt(variance)
	r.Z = r.Diff / r.SE
	r.PValue = math.Erfc(math.Abs(r.Z) / math.Sqrt2)
	return r, nil
}
