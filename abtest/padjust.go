package abtest

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// AdjustMethod names a multiplicity adjustment of p-values.
type AdjustMethod string

// Adjustment methods, as R's p.adjust.
const (
	// AdjustNone leaves p-values unchanged.
	AdjustNone AdjustMethod = "none"
	// AdjustBonferroni multiplies by the number of tests (family-wise error).
	AdjustBonferroni AdjustMethod = "bonferroni"
	// AdjustHolm is Holm's step-down procedure (family-wise error).
	AdjustHolm AdjustMethod = "holm"
	// AdjustHochberg is Hochberg's step-up procedure (family-wise error,
	// valid under independence or positive dependence).
	AdjustHochberg AdjustMethod = "hochberg"
	// AdjustBH is Benjamini-Hochberg (false discovery rate, independence or
	// positive dependence).
	AdjustBH AdjustMethod = "BH"
	// AdjustBY is Benjamini-Yekutieli (false discovery rate under any
	// dependence).
	AdjustBY AdjustMethod = "BY"
)

// ParseAdjustMethod maps a method name, case-insensitively, to an
// AdjustMethod. It accepts R's names (holm, hochberg, BH, BY, bonferroni,
// none) and "fdr" for BH.
func ParseAdjustMethod(name string) (AdjustMethod, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "none":
		return AdjustNone, nil
	case "bonferroni":
		return AdjustBonferroni, nil
	case "holm":
		return AdjustHolm, nil
	case "hochberg":
		return AdjustHochberg, nil
	case "bh", "fdr", "benjamini-hochberg":
		return AdjustBH, nil
	case "by", "benjamini-yekutieli":
		return AdjustBY, nil
	}
	return "", fmt.Errorf("unknown multiplicity method %q (want holm, hochberg, BH, BY, bonferroni or none)", name)
}

// AdjustPValues returns p-values adjusted for multiplicity, in the order
// given, as R's p.adjust(p, method). Every p-value must lie in [0, 1] (NaN is
// an error: drop undefined tests first). An empty input gives an empty
// result.
func AdjustPValues(p []float64, method AdjustMethod) ([]float64, error) {
	for i, v := range p {
		if !(v >= 0 && v <= 1) {
			return nil, fmt.Errorf("adjust p-values: p[%d] = %v is not in [0, 1]", i, v)
		}
	}
	switch method {
	case AdjustNone, AdjustBonferroni, AdjustHolm, AdjustHochberg, AdjustBH, AdjustBY:
	default:
		return nil, fmt.Errorf("adjust p-values: unknown method %q", method)
	}
	n := len(p)
	out := make([]float64, n)
	if n == 0 {
		return out, nil
	}
	fn := float64(n)
	// ascending order, ties in input order (R's order() is stable).
	asc := make([]int, n)
	for i := range asc {
		asc[i] = i
	}
	sort.SliceStable(asc, func(i, j int) bool { return p[asc[i]] < p[asc[j]] })
	// descending order, ties in input order.
	desc := make([]int, n)
	for i := range desc {
		desc[i] = i
	}
	sort.SliceStable(desc, func(i, j int) bool { return p[desc[i]] > p[desc[j]] })

	switch method {
	case AdjustNone:
		copy(out, p)
	case AdjustBonferroni:
		for i, v := range p {
			out[i] = math.Min(1, fn*v)
		}
	case AdjustHolm:
		run := 0.0
		for i, k := range asc {
			run = math.Max(run, (fn-float64(i))*p[k])
			out[k] = math.Min(1, run)
		}
	case AdjustHochberg:
		run := math.Inf(1)
		for i, k := range desc {
			run = math.Min(run, float64(i+1)*p[k])
			out[k] = math.Min(1, run)
		}
	case AdjustBH, AdjustBY:
		q := 1.0
		if method == AdjustBY {
			q = 0
			for i := 1; i <= n; i++ {
				q += 1 / float64(i)
			}
		}
		run := math.Inf(1)
		for i, k := range desc {
			rank := fn - float64(i) // rank of p[k] in ascending order
			run = math.Min(run, q*fn/rank*p[k])
			out[k] = math.Min(1, run)
		}
	}
	return out, nil
}
