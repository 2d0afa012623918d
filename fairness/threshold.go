package fairness

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseGapThreshold reads a threshold written the way the issue and specs
// state them:
//
//	tpr_difference <= 0.10              -0.10 <= gap <= 0.10
//	abroca <= 0.05
//	selection_rate_ratio in [0.8, 1.25] 0.8 <= ratio <= 1.25
//
// Spaces are optional. A difference (or abroca) takes "<= bound" with a
// non-negative bound; a ratio takes "in [low, high]" with low <= high.
// Errors name the text and wrap ErrInput, as do unknown gap metrics.
func ParseGapThreshold(text string) (GapThreshold, error) {
	bad := func(why string) (GapThreshold, error) {
		return GapThreshold{}, fmt.Errorf("fairness: threshold %q: %s: %w", text, why, ErrInput)
	}
	s := strings.TrimSpace(text)
	if metric, rest, ok := strings.Cut(s, "<="); ok {
		t := GapThreshold{Metric: strings.TrimSpace(metric)}
		if _, known := gapFamily(t.Metric); !known {
			return bad(unknownGapMetric(t.Metric))
		}
		if t.isRatio() {
			return bad("a ratio takes a band: in [low, high]")
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
		if err != nil || !(v >= 0) {
			return bad("the bound must be a non-negative number")
		}
		t.Max = v
		return t, nil
	}
	metric, rest, ok := strings.Cut(s, " in ")
	if !ok {
		return bad(`want "<metric> <= bound" or "<metric>_ratio in [low, high]"`)
	}
	t := GapThreshold{Metric: strings.TrimSpace(metric)}
	if _, known := gapFamily(t.Metric); !known {
		return bad(unknownGapMetric(t.Metric))
	}
	if !t.isRatio() {
		return bad("a difference takes a bound: <= bound")
	}
	rest = strings.TrimSpace(rest)
	if !strings.HasPrefix(rest, "[") || !strings.HasSuffix(rest, "]") {
		return bad("the band must be written [low, high]")
	}
	lo, hi, ok := strings.Cut(rest[1:len(rest)-1], ",")
	if !ok {
		return bad("the band must be written [low, high]")
	}
	var err1, err2 error
	t.Low, err1 = strconv.ParseFloat(strings.TrimSpace(lo), 64)
	t.High, err2 = strconv.ParseFloat(strings.TrimSpace(hi), 64)
	if err1 != nil || err2 != nil || !(t.Low <= t.High) {
		return bad("the band needs two numbers, low <= high")
	}
	return t, nil
}

// String writes t the way ParseGapThreshold reads it (without Attributes).
func (t GapThreshold) String() string {
	if t.isRatio() {
		return fmt.Sprintf("%s in [%g, %g]", t.Metric, t.Low, t.High)
	}
	return fmt.Sprintf("%s <= %g", t.Metric, t.Max)
}
