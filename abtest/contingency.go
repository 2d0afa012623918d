package abtest

import (
	"fmt"
	"math"
)

// ChiSquareResult is a Pearson chi-square test.
type ChiSquareResult struct {
	Chi2   float64 `json:"chi2"`
	DoF    int     `json:"dof"`
	PValue float64 `json:"p_value"`
	// Expected holds the expected counts under the null hypothesis, in the
	// layout of the input.
	Expected [][]float64 `json:"expected,omitempty"`
	Warnings []string    `json:"warnings,omitempty"`
}

// ChiSquareContingency returns Pearson's chi-square test of independence of
// the rows and columns of an r×c table of counts, as
// scipy.stats.chi2_contingency(table, correction=yates). Yates' continuity
// correction applies only when the table has one degree of freedom (2×2),
// moving each observed count by at most 0.5 toward its expected count. The
// table must be rectangular with at least one row and column, non-negative
// counts, and no zero row or column total (then an expected count is zero
// and the statistic is undefined). A table with zero degrees of freedom has
// chi2 0 and p-value 1. A warning is added when an expected count is below 5.
func ChiSquareContingency(table [][]int, yates bool) (ChiSquareResult, error) {
	if len(table) == 0 || len(table[0]) == 0 {
		return ChiSquareResult{}, fmt.Errorf("chi-square: empty table")
	}
	r, c := len(table), len(table[0])
	rows := make([]float64, r)
	cols := make([]float64, c)
	var total float64
	for i, row := range table {
		if len(row) != c {
			return ChiSquareResult{}, fmt.Errorf("chi-square: row %d has %d cells, row 0 has %d", i, len(row), c)
		}
		for j, v := range row {
			if v < 0 {
				return ChiSquareResult{}, fmt.Errorf("chi-square: cell [%d][%d] is negative (%d)", i, j, v)
			}
			rows[i] += float64(v)
			cols[j] += float64(v)
			total += float64(v)
		}
	}
	for i, s := range rows {
		if s == 0 {
			return ChiSquareResult{}, fmt.Errorf("chi-square: row %d is all zero: expected counts would be zero", i)
		}
	}
	for j, s := range cols {
		if s == 0 {
			return ChiSquareResult{}, fmt.Errorf("chi-square: column %d is all zero: expected counts would be zero", j)
		}
	}
	res := ChiSquareResult{DoF: (r - 1) * (c - 1), Expected: make([][]float64, r)}
	small := false
	for i := range table {
		res.Expected[i] = make([]float64, c)
		for j := range table[i] {
			e := rows[i] * cols[j] / total
			res.Expected[i][j] = e
			if e < 5 {
				small = true
			}
		}
	}
	if res.DoF == 0 {
		res.PValue = 1
		return res, nil
	}
	for i := range table {
		for j, v := range table[i] {
			o, e := float64(v), res.Expected[i][j]
			if yates && res.DoF == 1 {
				d := e - o
				o += math.Copysign(math.Min(0.5, math.Abs(d)), d)
			}
			res.Chi2 += (o - e) * (o - e) / e
		}
	}
	res.PValue = chiSquareP(res.Chi2, float64(res.DoF))
	if small {
		res.Warnings = append(res.Warnings, "an expected count is below 5: the chi-square approximation is poor; prefer Fisher's exact test for a 2x2 table")
	}
	return res, nil
}

// SRMAlarmP is the p-value below which a sample ratio mismatch is a loud
// warning: the assignment or the data pipeline is probably broken and no
// effect should be trusted until it is explained.
const SRMAlarmP = 0.001

// SRMResult is a sample-ratio-mismatch check.
type SRMResult struct {
	Chi2   float64 `json:"chi2"`
	DoF    int     `json:"dof"`
	PValue float64 `json:"p_value"`
	// Expected holds the expected count of each arm (0 for arms planned at
	// ratio 0, which are left out of the test).
	Expected []float64 `json:"expected"`
	// Alarm is PValue < SRMAlarmP.
	Alarm    bool     `json:"alarm"`
	Warnings []string `json:"warnings,omitempty"`
}

// SampleRatioMismatch tests observed arm sizes against the planned
// allocation with Pearson's chi-square goodness-of-fit test, as
// scipy.stats.chisquare(observed, expected) with expected proportional to
// planned. planned holds one non-negative weight per arm (any scale: 0.5/0.5,
// 1/1 and 50/50 are the same plan); an arm planned at weight 0 is left out of
// the test, as GrowthBook does. At least two arms need a positive weight and
// the counts of those arms must not all be zero.
func SampleRatioMismatch(observed []int, planned []float64) (SRMResult, error) {
	if len(observed) != len(planned) {
		return SRMResult{}, fmt.Errorf("sample ratio mismatch: %d observed counts but %d planned weights", len(observed), len(planned))
	}
	var wsum, total float64
	k := 0
	for i, w := range planned {
		if !(w >= 0) || math.IsInf(w, 0) {
			return SRMResult{}, fmt.Errorf("sample ratio mismatch: planned weight %d is %v: must be finite and non-negative", i, w)
		}
		if observed[i] < 0 {
			return SRMResult{}, fmt.Errorf("sample ratio mismatch: observed count %d is negative (%d)", i, observed[i])
		}
		if w > 0 {
			wsum += w
			total += float64(observed[i])
			k++
		}
	}
	if k < 2 {
		return SRMResult{}, fmt.Errorf("sample ratio mismatch: need at least two arms with a positive planned weight, got %d", k)
	}
	if total == 0 {
		return SRMResult{}, fmt.Errorf("sample ratio mismatch: no units in the planned arms")
	}
	res := SRMResult{DoF: k - 1, Expected: make([]float64, len(planned))}
	for i, w := range planned {
		if w == 0 {
			continue
		}
		e := total * w / wsum
		if !(e > 0) {
			return SRMResult{}, fmt.Errorf("sample ratio mismatch: planned weight %d (%v) is too small relative to the others: its expected count underflows", i, w)
		}
		res.Expected[i] = e
		d := float64(observed[i]) - e
		res.Chi2 += d * d / e
	}
	if !allFinite(res.Chi2) {
		return SRMResult{}, errOverflow("sample ratio mismatch")
	}
	res.PValue = chiSquareP(res.Chi2, float64(res.DoF))
	res.Alarm = res.PValue < SRMAlarmP
	if res.Alarm {
		res.Warnings = append(res.Warnings, fmt.Sprintf("SAMPLE RATIO MISMATCH: arm sizes differ from the planned allocation (chi-square %.2f, p = %.2g < %g); assignment or data loss is suspect: do not trust effect estimates until this is explained", res.Chi2, res.PValue, SRMAlarmP))
	}
	return res, nil
}
