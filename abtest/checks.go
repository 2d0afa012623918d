package abtest

import (
	"fmt"
	"math"
	"sort"
)

// AttritionArm is the missing-outcome count of one arm.
type AttritionArm struct {
	Arm      string  `json:"arm"`
	Assigned int     `json:"assigned"`
	Missing  int     `json:"missing"`
	Rate     float64 `json:"rate"`
}

// Attrition thresholds: a differential attrition at or above
// DifferentialAttritionWarn (5 percentage points), or a test of
// missingness by arm with p below AttritionAlpha, adds a warning.
const (
	DifferentialAttritionWarn = 0.05
	AttritionAlpha            = 0.05
)

// AttritionResult describes missing outcomes by arm.
type AttritionResult struct {
	Arms []AttritionArm `json:"arms"`
	// Overall is the missing share of all assigned units.
	Overall float64 `json:"overall"`
	// Differential is the largest minus the smallest arm rate.
	Differential float64 `json:"differential"`
	// PValue tests that the missing rate is the same in every arm: Fisher's
	// exact test for two arms, Pearson's chi-square otherwise; 1 when no
	// outcome is missing, nil when every outcome is.
	PValue   *float64 `json:"p_value"`
	Warnings []string `json:"warnings,omitempty"`
}

// Attrition tabulates missing outcomes by arm: arms[i] is unit i's arm and
// missing[i] whether its outcome is missing. Arms are reported in the
// order of armOrder, which must list every arm present (nil: sorted
// labels). Differential attrition threatens the comparability that
// randomization created, so a report shows this before any effect.
func Attrition(arms []string, missing []bool, armOrder []string) (AttritionResult, error) {
	if len(arms) != len(missing) {
		return AttritionResult{}, fmt.Errorf("attrition: %d arm labels but %d missing flags", len(arms), len(missing))
	}
	if len(arms) == 0 {
		return AttritionResult{}, fmt.Errorf("attrition: no units")
	}
	counts := map[string]*AttritionArm{}
	for i, a := range arms {
		c := counts[a]
		if c == nil {
			c = &AttritionArm{Arm: a}
			counts[a] = c
		}
		c.Assigned++
		if missing[i] {
			c.Missing++
		}
	}
	order, err := orderArms(counts, armOrder)
	if err != nil {
		return AttritionResult{}, fmt.Errorf("attrition: %w", err)
	}
	var res AttritionResult
	var totalMissing int
	lo, hi := math.Inf(1), math.Inf(-1)
	table := make([][]int, 0, len(order))
	for _, a := range order {
		c := counts[a]
		c.Rate = float64(c.Missing) / float64(c.Assigned)
		lo, hi = math.Min(lo, c.Rate), math.Max(hi, c.Rate)
		totalMissing += c.Missing
		res.Arms = append(res.Arms, *c)
		table = append(table, []int{c.Missing, c.Assigned - c.Missing})
	}
	res.Overall = float64(totalMissing) / float64(len(arms))
	res.Differential = hi - lo
	switch {
	case totalMissing == 0:
		one := 1.0
		res.PValue = &one
	case totalMissing == len(arms):
		res.Warnings = append(res.Warnings, "every outcome is missing")
	case len(table) == 2:
		f, err := FisherExact([2][2]int{{table[0][0], table[0][1]}, {table[1][0], table[1][1]}})
		if err != nil {
			return AttritionResult{}, fmt.Errorf("attrition: %w", err)
		}
		res.PValue = &f.PValue
	case len(table) > 2:
		c, err := ChiSquareContingency(table, false)
		if err != nil {
			return AttritionResult{}, fmt.Errorf("attrition: %w", err)
		}
		res.PValue = &c.PValue
	}
	if len(order) > 1 && (res.Differential >= DifferentialAttritionWarn || (res.PValue != nil && *res.PValue < AttritionAlpha)) {
		p := "undefined"
		if res.PValue != nil {
			p = fmt.Sprintf("%.3g", *res.PValue)
		}
		res.Warnings = append(res.Warnings, fmt.Sprintf("differential attrition: missing-outcome rates differ by %.1f percentage points between arms (p = %s); effects on complete cases may be biased", 100*res.Differential, p))
	}
	return res, nil
}

// orderArms returns the arms of counts in the order of armOrder (nil:
// sorted), failing when an arm present is not listed.
func orderArms[T any](counts map[string]T, armOrder []string) ([]string, error) {
	if armOrder == nil {
		out := make([]string, 0, len(counts))
		for a := range counts {
			out = append(out, a)
		}
		sort.Strings(out)
		return out, nil
	}
	listed := map[string]bool{}
	var out []string
	for _, a := range armOrder {
		listed[a] = true
		if _, ok := counts[a]; ok {
			out = append(out, a)
		}
	}
	for a := range counts {
		if !listed[a] {
			return nil, fmt.Errorf("arm %q is not a declared arm", a)
		}
	}
	return out, nil
}

// SMDThreshold is the absolute standardized mean difference above which a
// covariate counts as imbalanced.
const SMDThreshold = 0.1

// BalanceRow is the balance of one covariate (or one level of a
// categorical covariate) between treated and control units.
type BalanceRow struct {
	Covariate string `json:"covariate"`
	// Level is the category for a categorical covariate ("" for numeric).
	Level       string  `json:"level,omitempty"`
	MeanTreated float64 `json:"mean_treated"`
	MeanControl float64 `json:"mean_control"`
	// SMD is (MeanTreated − MeanControl)/√((s²_t + s²_c)/2) (for a
	// category, with s² = p(1−p)); nil when undefined: both arms constant
	// with different values.
	SMD        *float64 `json:"smd"`
	Imbalanced bool     `json:"imbalanced"`
	// Missing counts units without a value, excluded from the row.
	Missing int `json:"missing"`
}

// BalanceNumeric returns the standardized mean difference of a numeric
// covariate between treated and control units; NaN values are missing and
// excluded. Each arm needs two non-missing values. When both arms are
// constant the SMD is 0 if their values agree and undefined (nil, and
// imbalanced) otherwise.
func BalanceNumeric(name string, values []float64, treated []bool) (BalanceRow, error) {
	if len(values) != len(treated) {
		return BalanceRow{}, fmt.Errorf("balance %s: %d values but %d treatment indicators", name, len(values), len(treated))
	}
	var t, c []float64
	row := BalanceRow{Covariate: name}
	for i, v := range values {
		switch {
		case math.IsInf(v, 0):
			return BalanceRow{}, fmt.Errorf("balance %s: value %d is infinite", name, i)
		case math.IsNaN(v):
			row.Missing++
		case treated[i]:
			t = append(t, v)
		default:
			c = append(c, v)
		}
	}
	if len(t) < 2 || len(c) < 2 {
		return BalanceRow{}, fmt.Errorf("balance %s: each arm needs at least 2 non-missing values, got %d and %d", name, len(t), len(c))
	}
	mt, vt := meanVar(t)
	mc, vc := meanVar(c)
	row.MeanTreated, row.MeanControl = mt, mc
	if !allFinite(mt, mc, vt+vc, mt-mc) {
		return BalanceRow{}, errOverflow("balance " + name)
	}
	setSMD(&row, mt-mc, math.Sqrt((vt+vc)/2))
	return row, nil
}

func setSMD(row *BalanceRow, diff, sd float64) {
	switch {
	case sd > 0:
		row.SMD = defined(diff / sd)
	case diff == 0:
		zero := 0.0
		row.SMD = &zero
	}
	row.Imbalanced = row.SMD == nil || math.Abs(*row.SMD) > SMDThreshold
}

// BalanceCategorical returns one row per level (sorted) of a categorical
// covariate, comparing the share of treated and control units in the level
// with the SMD (p_t − p_c)/√((p_t(1−p_t) + p_c(1−p_c))/2). The empty label
// is missing and excluded. Each arm needs a non-missing value.
//
// The small-cell rule: a level held by fewer than minLevelSize units (both
// arms together) is suppressed. It gets no row, and its units count in no
// other level's shares (the shares are among the units of the levels
// shown), so that its share cannot be recovered as one minus the others;
// suppressed counts such levels. With every level suppressed there are no
// rows and no error. minLevelSize 0 (or 1) keeps every level.
func BalanceCategorical(name string, values []string, treated []bool, minLevelSize int) (rows []BalanceRow, suppressed int, err error) {
	if len(values) != len(treated) {
		return nil, 0, fmt.Errorf("balance %s: %d values but %d treatment indicators", name, len(values), len(treated))
	}
	nt, nc, missing := 0, 0, 0
	countT, countC := map[string]int{}, map[string]int{}
	for i, v := range values {
		switch {
		case v == "":
			missing++
		case treated[i]:
			nt++
			countT[v]++
		default:
			nc++
			countC[v]++
		}
	}
	if nt == 0 || nc == 0 {
		return nil, 0, fmt.Errorf("balance %s: each arm needs a non-missing value, got %d and %d", name, nt, nc)
	}
	levels := map[string]bool{}
	for v := range countT {
		levels[v] = true
	}
	for v := range countC {
		levels[v] = true
	}
	for v := range levels {
		if countT[v]+countC[v] < minLevelSize {
			delete(levels, v)
			nt -= countT[v]
			nc -= countC[v]
			suppressed++
		}
	}
	if len(levels) == 0 {
		return nil, suppressed, nil
	}
	order, _ := orderArms(levels, nil)
	rows = make([]BalanceRow, 0, len(order))
	for _, v := range order {
		// An arm without a unit in the levels shown has shares of 0.
		pt, pc := share(countT[v], nt), share(countC[v], nc)
		row := BalanceRow{Covariate: name, Level: v, MeanTreated: pt, MeanControl: pc, Missing: missing}
		setSMD(&row, pt-pc, math.Sqrt((pt*(1-pt)+pc*(1-pc))/2))
		rows = append(rows, row)
	}
	return rows, suppressed, nil
}

func share(k, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(k) / float64(n)
}

// SuppressedLevels counts the levels of a categorical covariate that the
// small-cell rule left out of a balance table (see BalanceCategorical).
type SuppressedLevels struct {
	Covariate string `json:"covariate"`
	// Levels is how many levels had fewer than MinGroupSize units in the
	// arm and control together.
	Levels       int `json:"levels"`
	MinGroupSize int `json:"min_group_size"`
}

// String says what was suppressed, for warnings and reports.
func (s SuppressedLevels) String() string {
	noun := "levels"
	if s.Levels == 1 {
		noun = "level"
	}
	return fmt.Sprintf("%d %s of %s with fewer than %d units (min_group_size) suppressed; the shares of the other levels are among their own units", s.Levels, noun, s.Covariate, s.MinGroupSize)
}
