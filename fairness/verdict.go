package fairness

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// Outcome is the verdict on one threshold, or the overall status of an
// audit.
type Outcome string

const (
	// Pass: the gap's interval (or point estimate, under RulePoint) lies
	// inside the allowed range.
	Pass Outcome = "PASS"
	// Fail: the interval lies entirely outside the allowed range (or the
	// point estimate does, under RulePoint).
	Fail Outcome = "FAIL"
	// Inconclusive: the interval straddles an edge of the allowed range,
	// or the gap or its interval is undefined, so the data cannot say.
	Inconclusive Outcome = "INCONCLUSIVE"
	// NotEvaluated is the status of an audit without thresholds.
	NotEvaluated Outcome = "NOT_EVALUATED"
)

// Exit codes for a command gating a deployment on an audit. 1 and 2 are
// left to the command for errors and usage.
const (
	// ExitPass: no verdict failed (and none was inconclusive, when that
	// counts as failure), or there were no thresholds.
	ExitPass = 0
	// ExitFail: at least one verdict is FAIL.
	ExitFail = 3
	// ExitInconclusive: no verdict failed but at least one is
	// INCONCLUSIVE, and the caller asked for inconclusive to fail
	// (fail_on_inconclusive = true).
	ExitInconclusive = 4
)

// ExitCode returns the exit code for an audit status: ExitFail for Fail,
// ExitInconclusive for Inconclusive when failOnInconclusive, else ExitPass.
func (o Outcome) ExitCode(failOnInconclusive bool) int {
	switch {
	case o == Fail:
		return ExitFail
	case o == Inconclusive && failOnInconclusive:
		return ExitInconclusive
	}
	return ExitPass
}

// Verdict is the decision on one threshold for one gap. AllowedLow and
// AllowedHigh are the inclusive allowed range (-Max to Max for a
// difference, Low to High for a ratio).
type Verdict struct {
	Attribute        string            `json:"attribute"`
	Metric           string            `json:"metric"`
	Group            string            `json:"group,omitempty"`
	Reference        string            `json:"reference"`
	AllowedLow       float64           `json:"allowed_low"`
	AllowedHigh      float64           `json:"allowed_high"`
	Rule             VerdictRule       `json:"rule"`
	Estimate         Estimate          `json:"estimate"`
	Lower            Estimate          `json:"lower"`
	Upper            Estimate          `json:"upper"`
	MinDetectableGap Estimate          `json:"min_detectable_gap"`
	Outcome          Outcome           `json:"outcome"`
	Reason           string            `json:"reason"`
	Undefined        map[string]string `json:"undefined,omitempty"`
}

// edgeTolerance makes the allowed range inclusive in the face of rounding:
// a value within 1e-12 (relative) of an edge counts as on the edge.
func edgeTolerance(edge float64) float64 { return 1e-12 * math.Max(1, math.Abs(edge)) }

// Judge decides a gap against the inclusive allowed range [lo, hi].
// Under RuleInterval: Pass when lo <= lower and upper <= hi, Fail when
// upper < lo or lower > hi, Inconclusive otherwise or when the interval is
// undefined. Under RulePoint: Pass when lo <= estimate <= hi, Fail
// otherwise, Inconclusive when the estimate is undefined. Edges are
// inclusive with a relative tolerance of 1e-12. The reason explains the
// decision in words.
func Judge(estimate, lower, upper Estimate, lo, hi float64, rule VerdictRule) (Outcome, string) {
	rng := fmt.Sprintf("[%g, %g]", lo, hi)
	inside := func(v float64) bool { return v >= lo-edgeTolerance(lo) && v <= hi+edgeTolerance(hi) }
	if !estimate.Defined {
		return Inconclusive, "the gap is undefined: " + estimate.Reason
	}
	if rule == RulePoint {
		if inside(estimate.Value) {
			return Pass, fmt.Sprintf("estimate %.4g lies inside %s", estimate.Value, rng)
		}
		return Fail, fmt.Sprintf("estimate %.4g lies outside %s", estimate.Value, rng)
	}
	if !lower.Defined || !upper.Defined {
		why := lower.Reason
		if lower.Defined {
			why = upper.Reason
		}
		return Inconclusive, "no interval: " + why
	}
	iv := fmt.Sprintf("interval [%.4g, %.4g]", lower.Value, upper.Value)
	switch {
	case inside(lower.Value) && inside(upper.Value):
		return Pass, iv + " lies inside " + rng
	case upper.Value < lo-edgeTolerance(lo) || lower.Value > hi+edgeTolerance(hi):
		return Fail, iv + " lies entirely outside " + rng
	}
	return Inconclusive, iv + " straddles an edge of " + rng
}

// verdicts judges every threshold against every matching gap.
func verdicts(dims []*dimension, opts AuditOptions) []Verdict {
	out := []Verdict{}
	for _, t := range opts.Thresholds {
		lo, hi := t.allowed()
		for _, d := range dims {
			if t.Attributes != nil && !slices.Contains(t.Attributes, d.name) {
				continue
			}
			matched := false
			for i := range d.gaps {
				g := &d.gaps[i]
				if g.Metric != t.Metric {
					continue
				}
				matched = true
				v := Verdict{
					Attribute: d.name, Metric: g.Metric, Group: g.Group, Reference: g.Reference,
					AllowedLow: lo, AllowedHigh: hi, Rule: opts.VerdictRule,
					Estimate: g.Estimate, Lower: g.Lower, Upper: g.Upper, MinDetectableGap: g.MinDetectableGap,
				}
				v.Outcome, v.Reason = Judge(g.Estimate, g.Lower, g.Upper, lo, hi, opts.VerdictRule)
				v.Undefined = undefinedReasons([]namedEstimate{{"estimate", v.Estimate}, {"lower", v.Lower},
					{"upper", v.Upper}, {"min_detectable_gap", v.MinDetectableGap}})
				out = append(out, v)
			}
			if !matched {
				// A gate must not pass silently on an attribute it could
				// not check.
				why := fmt.Sprintf("fewer than two reported groups in %s: the gap does not exist", d.name)
				none := Unknown(why)
				out = append(out, Verdict{
					Attribute: d.name, Metric: t.Metric, AllowedLow: lo, AllowedHigh: hi, Rule: opts.VerdictRule,
					Estimate: none, Lower: none, Upper: none, MinDetectableGap: none,
					Outcome: Inconclusive, Reason: why,
					Undefined: map[string]string{"estimate": why, "lower": why, "upper": why, "min_detectable_gap": why},
				})
			}
		}
	}
	return out
}

// overallStatus is Fail if any verdict fails, else Inconclusive if any is
// inconclusive, else Pass; NotEvaluated without verdicts.
func overallStatus(vs []Verdict) Outcome {
	if len(vs) == 0 {
		return NotEvaluated
	}
	status := Pass
	for _, v := range vs {
		switch v.Outcome {
		case Fail:
			return Fail
		case Inconclusive:
			status = Inconclusive
		}
	}
	return status
}

// AdjustPValues adjusts p-values for multiple testing as R 4.2.2 p.adjust
// does: AdjustHolm (step-down, "holm"), AdjustBH (Benjamini-Hochberg,
// "BH") or AdjustNone. The result is in input order. Errors: an unknown
// method, or a p-value outside [0, 1] or NaN.
func AdjustPValues(p []float64, method Adjustment) ([]float64, error) {
	for i, v := range p {
		if !(v >= 0 && v <= 1) {
			return nil, fmt.Errorf("fairness: adjust p-values: p-value %d is %g: %w", i, v, ErrInput)
		}
	}
	n := len(p)
	out := make([]float64, n)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	switch method {
	case AdjustNone:
		copy(out, p)
	case AdjustHolm, "":
		sort.SliceStable(order, func(a, b int) bool { return p[order[a]] < p[order[b]] })
		running := 0.0
		for k, i := range order {
			running = math.Max(running, math.Min(1, float64(n-k)*p[i]))
			out[i] = running
		}
	case AdjustBH:
		sort.SliceStable(order, func(a, b int) bool { return p[order[a]] > p[order[b]] })
		running := 1.0
		for k, i := range order {
			rank := n - k
			running = math.Min(running, float64(n)/float64(rank)*p[i])
			out[i] = math.Min(1, running)
		}
	default:
		return nil, fmt.Errorf("fairness: adjust p-values: unknown method %q: %w", method, ErrInput)
	}
	return out, nil
}

// adjustAudit adjusts every defined p-value of the audit together.
func adjustAudit(dims []*dimension, method Adjustment) {
	type ref struct {
		d *dimension
		t int
	}
	var refs []ref
	var ps []float64
	for _, d := range dims {
		for t := range d.tests {
			if d.tests[t].p.Defined {
				refs = append(refs, ref{d, t})
				ps = append(ps, d.tests[t].p.Value)
			}
		}
	}
	adj, err := AdjustPValues(ps, method)
	if err != nil {
		panic("fairness: adjusting permutation p-values: " + err.Error())
	}
	for k, r := range refs {
		test := &r.d.tests[r.t]
		test.adj = Known(adj[k])
		for _, s := range append([]int{test.spec}, test.shared...) {
			r.d.gaps[s].AdjustedPValue = test.adj
		}
	}
	for _, d := range dims {
		for t := range d.tests {
			test := &d.tests[t]
			if !test.p.Defined {
				for _, s := range append([]int{test.spec}, test.shared...) {
					d.gaps[s].AdjustedPValue = test.p
				}
			}
		}
	}
}

// MinDetectableGap returns the smallest true difference between two
// proportions that a two-sided two-proportion z-test at level alpha
// detects with probability power, for n1 and n2 trials and pooled
// proportion p (the normal-approximation power formula):
//
//	(z_{1-alpha/2} + z_{power}) * sqrt(p(1-p)(1/n1 + 1/n2)).
//
// For example p = 0.3, n1 = n2 = 200, alpha 0.05, power 0.8 gives 0.1283.
// Errors: n1 or n2 < 1, p outside [0, 1], alpha or power outside (0, 1).
func MinDetectableGap(p float64, n1, n2 int, alpha, power float64) (float64, error) {
	switch {
	case n1 < 1 || n2 < 1:
		return 0, fmt.Errorf("fairness: min detectable gap: group sizes %d and %d: %w", n1, n2, ErrInput)
	case !(p >= 0 && p <= 1):
		return 0, fmt.Errorf("fairness: min detectable gap: proportion %g: %w", p, ErrInput)
	case !(alpha > 0 && alpha < 1) || !(power > 0 && power < 1):
		return 0, fmt.Errorf("fairness: min detectable gap: alpha %g, power %g: %w", alpha, power, ErrInput)
	}
	return detectableZ(alpha, power) * math.Sqrt(p*(1-p)*(1/float64(n1)+1/float64(n2))), nil
}

func detectableZ(alpha, power float64) float64 {
	return distuv.UnitNormal.Quantile(1-alpha/2) + distuv.UnitNormal.Quantile(power)
}

// minDetectable returns the minimum detectable gap of gap i: the
// two-proportion formula for rate gaps (for a ratio divided by the
// reference's rate, or between groups by the largest rate: the smallest
// detectable |ratio - 1|); the larger of the TPR and FPR values for
// equalized odds; (z_{1-alpha/2} + z_power) times the bootstrap standard
// error for AUC and ECE gaps; undefined for ABROCA.
func (d *dimension) minDetectable(i int, opts AuditOptions, se Estimate) Estimate {
	s := d.specs[i]
	switch s.kind {
	case kindRateDiff, kindRateRatio:
		return d.rateDetectable(s.r, &s, s.included[0], s.kind == kindRateRatio, opts)
	case kindEODiff, kindEORatio:
		ratio := s.kind == kindEORatio
		t := d.rateDetectable(rateTPR, &s, s.included[0], ratio, opts)
		f := d.rateDetectable(rateFPR, &s, s.included[1], ratio, opts)
		switch {
		case !t.Defined:
			return t
		case !f.Defined:
			return f
		}
		return Known(math.Max(t.Value, f.Value))
	case kindECEDiff, kindAUCDiff:
		if !se.Defined {
			return Unknown("needs the bootstrap standard error: " + se.Reason)
		}
		return Known(detectableZ(opts.Alpha, opts.Power) * se.Value)
	}
	return Unknown("no power formula for ABROCA (non-negative, biased upward in small groups): judge it by its interval and p-value")
}

// rateDetectable applies MinDetectableGap to rate r of the gap's groups:
// the compared group and its reference, or between groups the two groups
// with the smallest denominators (the least powered pair) with the rate
// pooled over all included groups.
func (d *dimension) rateDetectable(r rate, s *gapSpec, included []int, ratio bool, opts AuditOptions) Estimate {
	groups := included
	if s.group >= 0 {
		groups = []int{s.group, s.ref}
	}
	if len(groups) < 2 {
		return Unknown("fewer than two groups with a defined " + r.name())
	}
	dens := make([]int, 0, len(groups))
	num, den := 0, 0
	scale := 0.0
	for _, g := range groups {
		a, b := r.parts(d.counts[g])
		num, den = num+a, den+b
		dens = append(dens, b)
		if v, ok := r.value(d.counts[g]); ok && (s.group < 0 && v > scale || s.group >= 0 && g == s.ref) {
			scale = v
		}
	}
	if s.group < 0 {
		slices.Sort(dens)
	}
	if dens[0] == 0 || dens[1] == 0 {
		return Unknown(r.name() + " has a zero denominator in a compared group")
	}
	p := float64(num) / float64(den)
	if p == 0 || p == 1 {
		return Unknown(fmt.Sprintf("pooled %s is %g: the power formula has no variance", r.name(), p))
	}
	m, err := MinDetectableGap(p, dens[0], dens[1], opts.Alpha, opts.Power)
	if err != nil {
		return Unknown(err.Error())
	}
	if ratio {
		if scale == 0 {
			return Unknown("the reference " + r.name() + " is 0: no ratio scale")
		}
		m /= scale
	}
	return Known(m)
}

// WorstOutcome returns the worst of several audit statuses: FAIL, else
// INCONCLUSIVE, else PASS, else NOT_EVALUATED (also for none).
func WorstOutcome(statuses ...Outcome) Outcome {
	worst := NotEvaluated
	for _, s := range statuses {
		switch {
		case s == Fail:
			return Fail
		case s == Inconclusive:
			worst = Inconclusive
		case s == Pass && worst == NotEvaluated:
			worst = Pass
		}
	}
	return worst
}
