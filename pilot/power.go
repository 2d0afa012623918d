package pilot

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/evalrun/evalrun/abtest"
)

// PowerRequest describes a two-arm design for Power: a proportions design
// (ControlRate with TreatmentRate or RelativeReduction, or ControlRate
// alone with N for the minimum detectable effect) or a means design (SD
// with MeanDifference, or SD alone with N). Tests are two-sided.
type PowerRequest struct {
	// ControlRate is the control arm's event rate (the baseline DFW rate),
	// in (0, 1); TreatmentRate the treatment arm's, or RelativeReduction
	// the relative reduction giving TreatmentRate = ControlRate·(1 −
	// RelativeReduction) (negative for an increase).
	ControlRate       float64 `json:"control_rate,omitempty"`
	TreatmentRate     float64 `json:"treatment_rate,omitempty"`
	RelativeReduction float64 `json:"relative_reduction,omitempty"`
	// MeanDifference is the treatment − control difference in means and
	// SD the common within-arm standard deviation.
	MeanDifference float64 `json:"mean_difference,omitempty"`
	SD             float64 `json:"sd,omitempty"`
	// Alpha is the two-sided significance level (0: 0.05) and Power the
	// target power (0: 0.8).
	Alpha float64 `json:"alpha"`
	Power float64 `json:"power"`
	// ICC and ClusterSize describe cluster randomization (zero: none).
	ICC         float64 `json:"icc,omitempty"`
	ClusterSize float64 `json:"cluster_size,omitempty"`
	// Ratio is treatment units per control unit (0: 1).
	Ratio float64 `json:"ratio"`
	// N, when positive, is the control-arm size in units at which the
	// power and the minimum detectable effect are computed; without it
	// Power solves for the sample size.
	N float64 `json:"n,omitempty"`
}

// PowerOutput is what Power computed. SampleSize is set without N; Power
// and MDE with N (MDE alone when no effect was given); Curve holds the
// power at control-arm sizes from a quarter to twice the sample size (or
// N), in whole clusters when clustered, when an effect was given.
type PowerOutput struct {
	// Kind is "proportions" or "means".
	Kind       string                   `json:"kind"`
	Request    PowerRequest             `json:"request"`
	SampleSize *abtest.SampleSizeResult `json:"sample_size,omitempty"`
	Power      *abtest.PowerResult      `json:"power,omitempty"`
	MDE        *abtest.MDEResult        `json:"mde,omitempty"`
	Curve      []abtest.PowerPoint      `json:"curve,omitempty"`
	// Summary states the results in plain language.
	Summary []string `json:"summary"`
}

// Power computes the sample size, or the power and minimum detectable
// effect at N, of a two-arm design, matching R's power.prop.test and
// power.t.test when Ratio is 1 and there is no clustering (see
// abtest.SampleSizeTwoProportions and its siblings for the formulas with
// clustering and unequal allocation). Zero Alpha and Power mean 0.05 and
// 0.8. Errors name the offending input.
func Power(req PowerRequest) (PowerOutput, error) {
	if req.Alpha == 0 {
		req.Alpha = DefaultAlpha
	}
	if req.Power == 0 {
		req.Power = 0.8
	}
	prop := req.ControlRate != 0 || req.TreatmentRate != 0 || req.RelativeReduction != 0
	means := req.SD != 0 || req.MeanDifference != 0
	switch {
	case prop && means:
		return PowerOutput{}, fmt.Errorf("power: give proportions (control rate with treatment rate or relative reduction) or means (sd with mean difference), not both")
	case !prop && !means:
		return PowerOutput{}, fmt.Errorf("power: give a control rate (proportions) or an sd (means)")
	}
	if req.TreatmentRate != 0 && req.RelativeReduction != 0 {
		return PowerOutput{}, fmt.Errorf("power: give the treatment rate or the relative reduction, not both")
	}
	if !(req.Power > 0 && req.Power < 1) {
		return PowerOutput{}, fmt.Errorf("power: target power must lie in (0, 1), got %v", req.Power)
	}
	if req.N < 0 || math.IsNaN(req.N) || math.IsInf(req.N, 0) {
		return PowerOutput{}, fmt.Errorf("power: n must be positive and finite, got %v", req.N)
	}
	if prop {
		if !(req.ControlRate > 0 && req.ControlRate < 1) {
			return PowerOutput{}, fmt.Errorf("power: the control (baseline) rate must lie in (0, 1), got %v", req.ControlRate)
		}
		if req.TreatmentRate != 0 && !(req.TreatmentRate > 0 && req.TreatmentRate < 1) {
			return PowerOutput{}, fmt.Errorf("power: the treatment rate must lie in (0, 1), got %v", req.TreatmentRate)
		}
		if req.RelativeReduction != 0 {
			if p1 := req.ControlRate * (1 - req.RelativeReduction); !(p1 > 0 && p1 < 1) {
				return PowerOutput{}, fmt.Errorf("power: a relative reduction of %v from %v gives a treatment rate of %v, outside (0, 1)", req.RelativeReduction, req.ControlRate, p1)
			}
		}
	}
	cluster := abtest.ClusterDesign{ICC: req.ICC, ClusterSize: req.ClusterSize}
	out := PowerOutput{Request: req}
	if prop {
		out.Kind = "proportions"
		return out, powerProportions(&out, req, cluster)
	}
	out.Kind = "means"
	return out, powerMeans(&out, req, cluster)
}

func powerProportions(out *PowerOutput, req PowerRequest, cluster abtest.ClusterDesign) error {
	p1 := req.TreatmentRate
	if req.RelativeReduction != 0 {
		p1 = req.ControlRate * (1 - req.RelativeReduction)
	}
	d := abtest.ProportionsDesign{P1: p1, P2: req.ControlRate, Alpha: req.Alpha, Ratio: req.Ratio, Cluster: cluster}
	hasEffect := p1 != 0
	if !hasEffect && req.N == 0 {
		return fmt.Errorf("power: without a treatment rate or relative reduction give n for the minimum detectable effect")
	}
	effect := ""
	if hasEffect {
		effect = fmt.Sprintf("the rate falling from %s to %s (%s relative reduction)", pct(req.ControlRate), pct(p1), pct(1-p1/req.ControlRate))
		if p1 > req.ControlRate {
			effect = fmt.Sprintf("the rate rising from %s to %s", pct(req.ControlRate), pct(p1))
		}
	}
	var center float64
	if req.N == 0 {
		ss, err := abtest.SampleSizeTwoProportions(d, req.Power)
		if err != nil {
			return err
		}
		out.SampleSize = &ss
		center = float64(ss.N2Units)
		out.Summary = append(out.Summary, sampleSizeStatement(ss, effect, req))
	} else {
		center = req.N
		if hasEffect {
			pw, err := abtest.PowerTwoProportions(d, req.N)
			if err != nil {
				return err
			}
			out.Power = &pw
			out.Summary = append(out.Summary, fmt.Sprintf("with %s: power %s to detect %s at alpha %s", sizesText(pw.N1, pw.N2, cluster), pct(pw.Power), effect, trimFloat(req.Alpha)))
		}
		mde, err := abtest.MDETwoProportions(d, req.N, req.Power)
		if err != nil {
			return err
		}
		out.MDE = &mde
		if mde.Decrease != nil {
			out.Summary = append(out.Summary, fmt.Sprintf("minimum detectable effect with %s at %s power: the rate falling from %s to %s (%s relative reduction)",
				sizesText(mde.N1, mde.N2, cluster), pct(req.Power), pct(req.ControlRate), pct(*mde.Decrease), pct(*mde.RelativeDecrease)))
		} else {
			out.Summary = append(out.Summary, fmt.Sprintf("with %s no reduction of the %s rate is detectable with %s power", sizesText(mde.N1, mde.N2, cluster), pct(req.ControlRate), pct(req.Power)))
		}
	}
	if hasEffect {
		curve, err := abtest.PowerCurveTwoProportions(d, curveSizes(center, req.Ratio, cluster))
		if err != nil {
			return err
		}
		out.Curve = curve
	}
	warnDesign(out, cluster)
	return nil
}

func powerMeans(out *PowerOutput, req PowerRequest, cluster abtest.ClusterDesign) error {
	d := abtest.MeansDesign{Delta: req.MeanDifference, SD: req.SD, Alpha: req.Alpha, Ratio: req.Ratio, Cluster: cluster}
	hasEffect := req.MeanDifference != 0
	if !hasEffect && req.N == 0 {
		return fmt.Errorf("power: without a mean difference give n for the minimum detectable difference")
	}
	effect := fmt.Sprintf("a difference in means of %s (sd %s, standardized %s)", Sig3(req.MeanDifference), Sig3(req.SD), Sig3(req.MeanDifference/req.SD))
	var center float64
	if req.N == 0 {
		ss, err := abtest.SampleSizeTwoMeans(d, req.Power)
		if err != nil {
			return err
		}
		out.SampleSize = &ss
		center = float64(ss.N2Units)
		out.Summary = append(out.Summary, sampleSizeStatement(ss, effect, req))
	} else {
		center = req.N
		if hasEffect {
			pw, err := abtest.PowerTwoMeans(d, req.N)
			if err != nil {
				return err
			}
			out.Power = &pw
			out.Summary = append(out.Summary, fmt.Sprintf("with %s: power %s to detect %s at alpha %s", sizesText(pw.N1, pw.N2, cluster), pct(pw.Power), effect, trimFloat(req.Alpha)))
		}
		mde, err := abtest.MDETwoMeans(d, req.N, req.Power)
		if err != nil {
			return err
		}
		out.MDE = &mde
		out.Summary = append(out.Summary, fmt.Sprintf("minimum detectable difference in means with %s at %s power: %s (standardized %s)",
			sizesText(mde.N1, mde.N2, cluster), pct(req.Power), Sig3(*mde.Increase), Sig3(*mde.Increase/req.SD)))
	}
	if hasEffect {
		curve, err := abtest.PowerCurveTwoMeans(d, curveSizes(center, req.Ratio, cluster))
		if err != nil {
			return err
		}
		out.Curve = curve
	}
	warnDesign(out, cluster)
	return nil
}

func warnDesign(out *PowerOutput, cluster abtest.ClusterDesign) {
	if out.SampleSize != nil {
		out.Summary = append(out.Summary, out.SampleSize.Warnings...)
	}
	if cluster.ClusterSize > 1 {
		out.Summary = append(out.Summary, fmt.Sprintf("design effect %s = 1 + (%s − 1) × ICC %s: clustering inflates every arm's variance by that factor",
			Sig3(cluster.DesignEffect()), trimFloat(cluster.ClusterSize), trimFloat(cluster.ICC)))
	}
}

func sampleSizeStatement(ss abtest.SampleSizeResult, effect string, req PowerRequest) string {
	arms := fmt.Sprintf("%d units per arm (%d in all)", ss.N2Units, ss.Total)
	if ss.N1Units != ss.N2Units {
		arms = fmt.Sprintf("%d treatment and %d control units (%d in all)", ss.N1Units, ss.N2Units, ss.Total)
	}
	if ss.Clusters1 > 0 {
		arms = fmt.Sprintf("%d treatment and %d control clusters of %s: %s", ss.Clusters1, ss.Clusters2, trimFloat(req.ClusterSize), arms)
	}
	return fmt.Sprintf("to detect %s with %s power at alpha %s (two-sided): %s; achieved power %s",
		effect, pct(req.Power), trimFloat(req.Alpha), arms, pct(ss.AchievedPower))
}

func sizesText(n1, n2 float64, cluster abtest.ClusterDesign) string {
	s := fmt.Sprintf("%s treatment and %s control units", Sig3Int(n1), Sig3Int(n2))
	if n1 == n2 {
		s = fmt.Sprintf("%s units per arm", Sig3Int(n2))
	}
	if cluster.ClusterSize > 1 {
		s += fmt.Sprintf(" (%s and %s clusters of %s)", Sig3(n1/cluster.ClusterSize), Sig3(n2/cluster.ClusterSize), trimFloat(cluster.ClusterSize))
	}
	return s
}

// Sig3Int shows a size: whole numbers without decimals, others with three
// significant digits.
func Sig3Int(v float64) string {
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return Sig3(v)
}

func pct(v float64) string {
	s := Sig3(100 * v)
	return s + "%"
}

// curveSizes returns control-arm sizes from a quarter to twice center:
// whole clusters (at least two per arm) when clustered, whole units (at
// least two per arm) otherwise, ascending and distinct.
func curveSizes(center, ratio float64, cluster abtest.ClusterDesign) []float64 {
	k := ratio
	if k == 0 {
		k = 1
	}
	minUnits := math.Max(2, math.Ceil(2/k))
	seen := map[float64]bool{}
	var out []float64
	for _, f := range []float64{0.25, 0.5, 0.75, 1, 1.25, 1.5, 2} {
		n := math.Max(minUnits, math.Ceil(f*center-1e-9))
		if m := cluster.ClusterSize; m > 1 {
			c := math.Max(math.Ceil(n/m-1e-9), math.Max(2, math.Ceil(2/k)))
			n = c * m
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Float64s(out)
	return out
}

// DesignRequest builds the PowerRequest of the spec's `[abtests.design]`
// table: the spec's alpha, and the ratio from design.ratio or else from
// the allocation weights (first treatment arm over control).
func DesignRequest(s Spec) (PowerRequest, error) {
	if s.Design == nil {
		return PowerRequest{}, fmt.Errorf("pilot %s: no [abtests.design] table", s.Name)
	}
	var problems []string
	checkDesign(s.Design, func(sub, format string, args ...any) {
		problems = append(problems, joinKey("design", sub)+": "+fmt.Sprintf(format, args...))
	})
	if s.Alpha != nil && !(*s.Alpha > 0 && *s.Alpha < 1) {
		problems = append(problems, fmt.Sprintf("alpha: must lie in (0, 1), got %v", *s.Alpha))
	}
	if len(problems) > 0 {
		return PowerRequest{}, fmt.Errorf("pilot %s: %w", s.Name, &SpecError{Problems: problems})
	}
	d := s.Design
	req := PowerRequest{
		ControlRate: d.BaselineRate, TreatmentRate: d.TreatmentRate, RelativeReduction: d.RelativeReduction,
		MeanDifference: d.MeanDifference, SD: d.SD, Alpha: s.AlphaValue(), Power: d.Power,
		ICC: d.ICC, ClusterSize: d.ClusterSize, Ratio: d.Ratio, N: d.N,
	}
	if req.Ratio == 0 && len(s.Allocation) == len(s.Arms) && len(s.Arms) >= 2 {
		var wt, wc float64
		treatment := s.firstTreatment()
		for i, a := range s.Arms {
			switch a {
			case s.Control:
				wc = s.Allocation[i]
			case treatment:
				wt = s.Allocation[i]
			}
		}
		if wt > 0 && wc > 0 {
			req.Ratio = wt / wc
		}
	}
	return req, nil
}
