package abtest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// TargetPosition says where a target lies relative to a confidence
// interval.
type TargetPosition string

const (
	// TargetInside: the interval contains the target; the pilot is
	// consistent with the effect reaching it.
	TargetInside TargetPosition = "inside"
	// TargetBelow: the whole interval lies above the target; the effect
	// exceeds it.
	TargetBelow TargetPosition = "below-interval"
	// TargetAbove: the whole interval lies below the target; the effect
	// falls short of it.
	TargetAbove TargetPosition = "above-interval"
)

// TargetComparison states an estimated effect against the target the
// pilot was planned for.
type TargetComparison struct {
	// Quantity names the effect ("relative DFW reduction").
	Quantity string   `json:"quantity"`
	Estimate float64  `json:"estimate"`
	CI       Interval `json:"ci"`
	Target   float64  `json:"target"`
	// Percent marks quantities shown as percentages (Estimate 0.11 is
	// 11%).
	Percent  bool           `json:"percent"`
	Position TargetPosition `json:"position"`
	Level    float64        `json:"level"`
	// Statement is the sentence a report shows, e.g. "relative DFW
	// reduction 11% (95% CI 2% to 19%); the 15% target lies inside the
	// interval".
	Statement string `json:"statement"`
}

// CompareToTarget places target relative to the interval of an estimate
// and writes the statement. ci.Lower must not exceed ci.Upper; all values
// finite.
func CompareToTarget(quantity string, estimate float64, ci Interval, target float64, percent bool, level float64) (TargetComparison, error) {
	for _, v := range []float64{estimate, ci.Lower, ci.Upper, target} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return TargetComparison{}, fmt.Errorf("compare to target: values must be finite, got estimate %v, interval [%v, %v], target %v", estimate, ci.Lower, ci.Upper, target)
		}
	}
	if ci.Lower > ci.Upper {
		return TargetComparison{}, fmt.Errorf("compare to target: interval lower %v exceeds upper %v", ci.Lower, ci.Upper)
	}
	if err := checkLevel(level); err != nil {
		return TargetComparison{}, fmt.Errorf("compare to target: %w", err)
	}
	tc := TargetComparison{Quantity: quantity, Estimate: estimate, CI: ci, Target: target, Percent: percent, Level: level}
	show := func(v float64) string { return formatEffect(v, percent) }
	lv := strconv.FormatFloat(100*level, 'f', -1, 64)
	head := fmt.Sprintf("%s %s (%s%% CI %s to %s)", quantity, show(estimate), lv, show(ci.Lower), show(ci.Upper))
	switch {
	case target < ci.Lower:
		tc.Position = TargetBelow
		tc.Statement = fmt.Sprintf("%s; the whole interval lies above the %s target", head, show(target))
	case target > ci.Upper:
		tc.Position = TargetAbove
		tc.Statement = fmt.Sprintf("%s; the %s target lies above the interval: the effect falls short of it", head, show(target))
	default:
		tc.Position = TargetInside
		tc.Statement = fmt.Sprintf("%s; the %s target lies inside the interval", head, show(target))
	}
	return tc, nil
}

// formatEffect shows v rounded to whole units from 10 up, to one decimal
// below 10 and two below 1, without trailing zeros (11%, 2%, 2.4%, 0.35).
func formatEffect(v float64, percent bool) string {
	suffix := ""
	if percent {
		v *= 100
		suffix = "%"
	}
	digits := 0
	if a := math.Abs(v); a < 10 {
		digits = 1
		if a < 1 {
			digits = 2
		}
	}
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s + suffix
}

// RelativeReductionVsTarget compares the relative reduction of an event
// rate, 1 − RR with RR = (x1/n1)/(x2/n2) treatment over control, and its
// interval [1 − RR_upper, 1 − RR_lower] from the log-RR Wald interval
// (RiskRatio), with a target relative reduction (0.15 for 15%). label
// names the outcome in the statement ("DFW"). The control arm needs at
// least one event.
func RelativeReductionVsTarget(label string, x1, n1, x2, n2 int, target, level float64) (TargetComparison, error) {
	return relativeReductionVsTarget(label, x1, n1, x2, n2, target, level, 1)
}

// relativeReductionVsTarget multiplies the variance of log RR by
// designEffect (1 for individually randomized pilots).
func relativeReductionVsTarget(label string, x1, n1, x2, n2 int, target, level, designEffect float64) (TargetComparison, error) {
	rr, err := riskRatio(x1, n1, x2, n2, level, designEffect)
	if err != nil {
		return TargetComparison{}, fmt.Errorf("relative reduction: %w", err)
	}
	if rr.Estimate == nil || rr.Lower == nil || rr.Upper == nil || x2 == 0 {
		return TargetComparison{}, fmt.Errorf("relative reduction: the control arm has no events: the relative reduction is undefined")
	}
	ci := Interval{Lower: 1 - *rr.Upper, Upper: 1 - *rr.Lower}
	q := "relative reduction"
	if label != "" {
		q = "relative " + label + " reduction"
	}
	return CompareToTarget(q, 1-*rr.Estimate, ci, target, true, level)
}
