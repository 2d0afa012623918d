package abtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// WeakInstrumentF is the first-stage F statistic below which the
// complier average effect is flagged as resting on a weak instrument.
const WeakInstrumentF = 10

// CACEResult is the complier average causal effect estimated by the Wald
// (instrumental-variable) ratio: the intention-to-treat effect on the
// outcome divided by the effect of assignment on treatment received.
type CACEResult struct {
	// ITT is mean(y | assigned treatment) − mean(y | assigned control).
	ITT   float64 `json:"itt"`
	ITTSE float64 `json:"itt_se"`
	// FirstStage is the difference in mean treatment received between the
	// arms (the complier share when received is 0/1 and controls cannot
	// obtain the treatment), with its standard error and F = (FS/SE)²;
	// FirstStageF is nil when unbounded (received is constant within each
	// arm and differs between them, as under full compliance).
	FirstStage   float64  `json:"first_stage"`
	FirstStageSE float64  `json:"first_stage_se"`
	FirstStageF  *float64 `json:"first_stage_f"`
	// CACE is ITT/FirstStage; nil when FirstStage is zero.
	CACE *float64 `json:"cace"`
	// SE and CI are from the delta method or the bootstrap (Method); the
	// p-value tests CACE = 0 with the normal approximation to CACE/SE.
	SE       *float64  `json:"se"`
	CI       *Interval `json:"ci"`
	PValue   *float64  `json:"p_value"`
	Method   string    `json:"method"`
	Level    float64   `json:"level"`
	Warnings []string  `json:"warnings,omitempty"`
}

type caceMoments struct {
	my1, my0, md1, md0 float64
	vy1, vy0, vd1, vd0 float64
	cyd1, cyd0         float64
	n1, n0             float64
}

func caceInput(y, received []float64, treated []bool) error {
	if len(received) != len(y) {
		return fmt.Errorf("complier average effect: %d outcomes but %d treatment-received values", len(y), len(received))
	}
	nt, nc, err := checkTreated(len(y), treated, "complier average effect")
	if err != nil {
		return err
	}
	if nt < 2 || nc < 2 {
		return fmt.Errorf("complier average effect: each arm needs at least 2 units, got %d and %d", nt, nc)
	}
	if err := checkFinite("complier average effect: y", y); err != nil {
		return err
	}
	if err := checkFinite("complier average effect: received", received); err != nil {
		return err
	}
	return nil
}

func moments(y, d []float64, treated []bool, idx []int) caceMoments {
	var m caceMoments
	for _, i := range idx {
		if treated[i] {
			m.n1++
			m.my1 += y[i]
			m.md1 += d[i]
		} else {
			m.n0++
			m.my0 += y[i]
			m.md0 += d[i]
		}
	}
	m.my1 /= m.n1
	m.md1 /= m.n1
	m.my0 /= m.n0
	m.md0 /= m.n0
	for _, i := range idx {
		if treated[i] {
			dy, dd := y[i]-m.my1, d[i]-m.md1
			m.vy1 += dy * dy
			m.vd1 += dd * dd
			m.cyd1 += dy * dd
		} else {
			dy, dd := y[i]-m.my0, d[i]-m.md0
			m.vy0 += dy * dy
			m.vd0 += dd * dd
			m.cyd0 += dy * dd
		}
	}
	m.vy1 /= m.n1 - 1
	m.vd1 /= m.n1 - 1
	m.cyd1 /= m.n1 - 1
	m.vy0 /= m.n0 - 1
	m.vd0 /= m.n0 - 1
	m.cyd0 /= m.n0 - 1
	return m
}

func caceBase(y, received []float64, treated []bool, level float64) (CACEResult, caceMoments) {
	idx := make([]int, len(y))
	for i := range idx {
		idx[i] = i
	}
	m := moments(y, received, treated, idx)
	r := CACEResult{Level: level}
	r.ITT = m.my1 - m.my0
	r.ITTSE = math.Sqrt(m.vy1/m.n1 + m.vy0/m.n0)
	r.FirstStage = m.md1 - m.md0
	r.FirstStageSE = math.Sqrt(m.vd1/m.n1 + m.vd0/m.n0)
	f := 0.0
	if r.FirstStageSE > 0 {
		f = (r.FirstStage / r.FirstStageSE) * (r.FirstStage / r.FirstStageSE)
		r.FirstStageF = &f
	} else if r.FirstStage == 0 {
		r.FirstStageF = &f
	}
	if r.FirstStage != 0 {
		r.CACE = defined(r.ITT / r.FirstStage)
	}
	if r.FirstStageF != nil && *r.FirstStageF < WeakInstrumentF {
		r.Warnings = append(r.Warnings, fmt.Sprintf("weak first stage (F = %.1f < %d): assignment barely changes treatment received; the complier effect is unreliable", *r.FirstStageF, WeakInstrumentF))
	}
	return r, m
}

// ComplierAverageEffect returns the Wald/IV estimate of the complier
// average causal effect with a delta-method interval:
//
//	Var(CACE) ≈ (Var(ITT) − 2·CACE·Cov(ITT, FS) + CACE²·Var(FS)) / FS²
//
// where the covariance of the two differences comes from the within-arm
// covariances of y and received. received[i] is the treatment unit i
// actually received (1 received, 0 not; fractions allowed for dose).
// Intention-to-treat (ITT) is always reported alongside. Each arm needs at
// least 2 units; values must be finite.
func ComplierAverageEffect(y, received []float64, treated []bool, level float64) (CACEResult, error) {
	if err := checkLevel(level); err != nil {
		return CACEResult{}, fmt.Errorf("complier average effect: %w", err)
	}
	if err := caceInput(y, received, treated); err != nil {
		return CACEResult{}, err
	}
	r, m := caceBase(y, received, treated, level)
	if !allFinite(r.ITT, r.ITTSE, r.FirstStage, r.FirstStageSE, m.cyd1, m.cyd0) {
		return CACEResult{}, errOverflow("complier average effect")
	}
	r.Method = "delta"
	if r.CACE == nil {
		r.Warnings = append(r.Warnings, "assignment did not change treatment received: the complier effect is undefined")
		return r, nil
	}
	c := *r.CACE
	cov := m.cyd1/m.n1 + m.cyd0/m.n0
	v := (r.ITTSE*r.ITTSE - 2*c*cov + c*c*r.FirstStageSE*r.FirstStageSE) / (r.FirstStage * r.FirstStage)
	if v > 0 {
		se := math.Sqrt(v)
		z := zCrit(level)
		r.SE = &se
		r.CI = &Interval{Lower: c - z*se, Upper: c + z*se}
		r.PValue = defined(twoSidedNormalP(c / se))
	}
	return r, nil
}

// ComplierAverageEffectBootstrap is ComplierAverageEffect with a
// percentile bootstrap interval from reps resamples drawn within each arm
// (so arm sizes stay fixed) using rng; SE is the bootstrap standard
// deviation. Resamples whose first stage is zero are skipped and counted
// in Warnings. reps must be at least 100.
func ComplierAverageEffectBootstrap(y, received []float64, treated []bool, level float64, reps int, rng *rand.Rand) (CACEResult, error) {
	if err := checkLevel(level); err != nil {
		return CACEResult{}, fmt.Errorf("complier average effect: %w", err)
	}
	if reps < 100 {
		return CACEResult{}, fmt.Errorf("complier average effect: bootstrap needs at least 100 resamples, got %d", reps)
	}
	if rng == nil {
		return CACEResult{}, fmt.Errorf("complier average effect: bootstrap needs a random source")
	}
	if err := caceInput(y, received, treated); err != nil {
		return CACEResult{}, err
	}
	r, m := caceBase(y, received, treated, level)
	if !allFinite(r.ITT, r.ITTSE, r.FirstStage, r.FirstStageSE, m.cyd1, m.cyd0) {
		return CACEResult{}, errOverflow("complier average effect")
	}
	r.Method = "bootstrap"
	if r.CACE == nil {
		r.Warnings = append(r.Warnings, "assignment did not change treatment received: the complier effect is undefined")
		return r, nil
	}
	var arm1, arm0 []int
	for i, t := range treated {
		if t {
			arm1 = append(arm1, i)
		} else {
			arm0 = append(arm0, i)
		}
	}
	idx := make([]int, len(y))
	est := make([]float64, 0, reps)
	skipped := 0
	for range reps {
		k := 0
		for _, arm := range [][]int{arm1, arm0} {
			for range arm {
				idx[k] = arm[rng.IntN(len(arm))]
				k++
			}
		}
		m := moments(y, received, treated, idx)
		fs := m.md1 - m.md0
		if fs == 0 {
			skipped++
			continue
		}
		est = append(est, (m.my1-m.my0)/fs)
	}
	if skipped > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("%d of %d bootstrap resamples had no first stage and were skipped", skipped, reps))
	}
	if len(est) < reps/2 {
		return r, nil
	}
	sort.Float64s(est)
	_, variance := meanVar(est)
	se := math.Sqrt(variance)
	r.SE = &se
	tail := (1 - level) / 2
	r.CI = &Interval{Lower: quantileSorted(est, tail), Upper: quantileSorted(est, 1-tail)}
	if se > 0 {
		r.PValue = defined(twoSidedNormalP(*r.CACE / se))
	}
	return r, nil
}

// quantileSorted returns the q quantile of sorted xs by linear
// interpolation between order statistics (R type 7).
func quantileSorted(xs []float64, q float64) float64 {
	h := (float64(len(xs)) - 1) * q
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[i] + (h-lo)*(xs[i+1]-xs[i])
}
