package fairness

import (
	"fmt"
	"math"
	"strings"
)

// BetweenGap summarises one metric across groups the way fairlearn's
// method="between_groups" does: Difference is the largest minus the
// smallest group value and Ratio the smallest divided by the largest.
// Groups whose value is undefined are skipped and listed in SkippedGroups.
// Difference is undefined with fewer than two defined groups; Ratio also
// when the largest value is 0.
type BetweenGap struct {
	Metric        string            `json:"metric"`
	Difference    Estimate          `json:"difference"`
	Ratio         Estimate          `json:"ratio"`
	HighestGroup  string            `json:"highest_group,omitempty"`
	LowestGroup   string            `json:"lowest_group,omitempty"`
	SkippedGroups []string          `json:"skipped_groups,omitempty"`
	Undefined     map[string]string `json:"undefined,omitempty"`
}

// betweenOf summarises values (one per group, named by names).
func betweenOf(metric string, names []string, values []Estimate) BetweenGap {
	b := BetweenGap{Metric: metric}
	hi, lo := -1, -1
	for g, v := range values {
		if !v.Defined {
			b.SkippedGroups = append(b.SkippedGroups, names[g])
			continue
		}
		if hi < 0 || v.Value > values[hi].Value {
			hi = g
		}
		if lo < 0 || v.Value < values[lo].Value {
			lo = g
		}
	}
	defined := len(values) - len(b.SkippedGroups)
	if defined < 2 {
		why := fmt.Sprintf("fewer than two groups have a defined %s", metric)
		b.Difference, b.Ratio = Unknown(why), Unknown(why)
	} else {
		b.HighestGroup, b.LowestGroup = names[hi], names[lo]
		b.Difference = Known(values[hi].Value - values[lo].Value)
		if values[hi].Value == 0 {
			b.Ratio = Unknown(fmt.Sprintf("every group's %s is 0", metric))
		} else {
			b.Ratio = Known(values[lo].Value / values[hi].Value)
		}
	}
	b.Undefined = undefinedReasons([]namedEstimate{{"difference", b.Difference}, {"ratio", b.Ratio}})
	return b
}

// rateBetween summarises rate r over the groups of counts.
func rateBetween(r rate, names []string, counts []Counts) BetweenGap {
	values := make([]Estimate, len(counts))
	for g, c := range counts {
		values[g] = r.of(c)
	}
	return betweenOf(r.name(), names, values)
}

// groupedCounts validates the input and returns the partition of groups and
// each group's confusion matrix.
func groupedCounts(what string, y []uint8, score []float64, groups []string, threshold float64) (partition, []Counts, error) {
	if err := checkGrouped(y, score, groups); err != nil {
		return partition{}, nil, fmt.Errorf("fairness: %s: %w", what, err)
	}
	if math.IsNaN(threshold) {
		return partition{}, nil, fmt.Errorf("fairness: %s: threshold is NaN: %w", what, ErrInput)
	}
	p := newPartition(groups)
	return p, groupCounts(y, score, threshold, p), nil
}

// DemographicParity returns the between-groups gap in selection rate (the
// share of rows flagged, score >= threshold): fairlearn
// demographic_parity_difference and demographic_parity_ratio with
// method="between_groups". groups holds one label per row ("" is
// MissingGroup). Errors: as PerGroup.
func DemographicParity(y []uint8, score []float64, groups []string, threshold float64) (BetweenGap, error) {
	p, counts, err := groupedCounts("demographic parity", y, score, groups, threshold)
	if err != nil {
		return BetweenGap{}, err
	}
	return rateBetween(rateSelection, p.names, counts), nil
}

// EqualizedOddsGap is fairlearn's equalized-odds summary: Difference is the
// larger of the between-groups TPR and FPR differences and Ratio the
// smaller of their ratios (each undefined when either part is). TPR holds
// the equal-opportunity gap.
type EqualizedOddsGap struct {
	Difference Estimate          `json:"difference"`
	Ratio      Estimate          `json:"ratio"`
	TPR        BetweenGap        `json:"tpr"`
	FPR        BetweenGap        `json:"fpr"`
	Undefined  map[string]string `json:"undefined,omitempty"`
}

// equalizedOddsOf combines the TPR and FPR between-groups gaps.
func equalizedOddsOf(tpr, fpr BetweenGap) EqualizedOddsGap {
	e := EqualizedOddsGap{TPR: tpr, FPR: fpr}
	e.Difference = worse(tpr.Difference, fpr.Difference, math.Max)
	e.Ratio = worse(tpr.Ratio, fpr.Ratio, math.Min)
	e.Undefined = undefinedReasons([]namedEstimate{{"difference", e.Difference}, {"ratio", e.Ratio}})
	return e
}

// worse combines two estimates with pick, undefined when either is.
func worse(a, b Estimate, pick func(x, y float64) float64) Estimate {
	switch {
	case !a.Defined:
		return Unknown("TPR part undefined: " + a.Reason)
	case !b.Defined:
		return Unknown("FPR part undefined: " + b.Reason)
	}
	return Known(pick(a.Value, b.Value))
}

// EqualizedOdds returns fairlearn equalized_odds_difference and
// equalized_odds_ratio (agg="worst_case", method="between_groups") at
// threshold, with the equal-opportunity (TPR) gap alongside. Errors: as
// PerGroup.
func EqualizedOdds(y []uint8, score []float64, groups []string, threshold float64) (EqualizedOddsGap, error) {
	p, counts, err := groupedCounts("equalized odds", y, score, groups, threshold)
	if err != nil {
		return EqualizedOddsGap{}, err
	}
	return equalizedOddsOf(rateBetween(rateTPR, p.names, counts), rateBetween(rateFPR, p.names, counts)), nil
}

// GroupDisparity holds the Aequitas-style disparities of one group: each
// rate of the group divided by the same rate of Reference. A disparity is
// undefined when either rate is undefined or the reference's rate is 0.
// The reference group's own disparities are 1 where defined.
type GroupDisparity struct {
	Group         string            `json:"group"`
	Reference     string            `json:"reference"`
	SelectionRate Estimate          `json:"selection_rate"`
	TPR           Estimate          `json:"tpr"`
	FPR           Estimate          `json:"fpr"`
	FNR           Estimate          `json:"fnr"`
	PPV           Estimate          `json:"ppv"`
	FDR           Estimate          `json:"fdr"`
	FOR           Estimate          `json:"for"`
	Undefined     map[string]string `json:"undefined,omitempty"`
}

// rateRatio returns r(group)/r(reference) with the reason when undefined.
func rateRatio(r rate, group, reference Counts) Estimate {
	num, ok := r.value(group)
	if !ok {
		return Unknown("group's " + r.name() + " is undefined: " + r.undefinedReason())
	}
	den, ok := r.value(reference)
	if !ok {
		return Unknown("reference group's " + r.name() + " is undefined: " + r.undefinedReason())
	}
	if den == 0 {
		return Unknown("reference group's " + r.name() + " is 0")
	}
	return Known(num / den)
}

// disparityOf returns the disparities of group against reference.
func disparityOf(group, reference string, g, ref Counts) GroupDisparity {
	d := GroupDisparity{Group: group, Reference: reference}
	d.SelectionRate = rateRatio(rateSelection, g, ref)
	d.TPR, d.FPR, d.FNR = rateRatio(rateTPR, g, ref), rateRatio(rateFPR, g, ref), rateRatio(rateFNR, g, ref)
	d.PPV, d.FDR, d.FOR = rateRatio(ratePPV, g, ref), rateRatio(rateFDR, g, ref), rateRatio(rateFOR, g, ref)
	d.Undefined = undefinedReasons([]namedEstimate{
		{"selection_rate", d.SelectionRate}, {"tpr", d.TPR}, {"fpr", d.FPR}, {"fnr", d.FNR},
		{"ppv", d.PPV}, {"fdr", d.FDR}, {"for", d.FOR},
	})
	return d
}

// unknownReference is the error for a reference group that does not exist.
func unknownReference(attribute, reference string, names []string) error {
	where := ""
	if attribute != "" {
		where = fmt.Sprintf(" of attribute %q", attribute)
	}
	return fmt.Errorf("reference group %q%s not found; groups are %s: %w",
		reference, where, quoteList(names), ErrInput)
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// Disparity returns every group's disparities against the group named
// reference (Aequitas bias report: pprev, tpr, fpr, fnr, ppv, fdr, for
// disparities), ordered by group name with MissingGroup last. Errors: as
// PerGroup, and a reference that is not one of the groups (the error names
// it and lists the groups).
func Disparity(y []uint8, score []float64, groups []string, threshold float64, reference string) ([]GroupDisparity, error) {
	p, counts, err := groupedCounts("disparity", y, score, groups, threshold)
	if err != nil {
		return nil, err
	}
	ref := p.find(reference)
	if ref < 0 {
		return nil, fmt.Errorf("fairness: disparity: %w", unknownReference("", reference, p.names))
	}
	out := make([]GroupDisparity, len(p.names))
	for g := range p.names {
		out[g] = disparityOf(p.names[g], reference, counts[g], counts[ref])
	}
	return out, nil
}
