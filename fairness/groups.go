package fairness

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/evalrun/evalrun/metrics"
)

// MissingGroup is the name of the group of rows whose attribute value is
// missing (the empty string, or a value listed in AuditOptions.MissingValues).
const MissingGroup = "(missing)"

// IntersectionSeparator joins the labels of an intersectional group.
const IntersectionSeparator = "|"

// DefaultCalibrationBins is the number of equal-width bins of the expected
// calibration error when none is given.
const DefaultCalibrationBins = 10

// ErrInput is wrapped by every error caused by invalid input (mismatched
// lengths, a label other than 0/1, a NaN score, an unknown reference group,
// an invalid option); callers can test for it with errors.Is.
var ErrInput = errors.New("fairness: invalid input")

// Counts is a group's confusion matrix at the audit threshold: TP and FP
// count flagged rows (score >= threshold) with label 1 and 0; FN and TN
// count unflagged rows with label 1 and 0.
type Counts struct {
	TP int `json:"tp"`
	FP int `json:"fp"`
	TN int `json:"tn"`
	FN int `json:"fn"`
}

// N returns the number of rows.
func (c Counts) N() int { return c.TP + c.FP + c.TN + c.FN }

func (c *Counts) add(o Counts) {
	c.TP += o.TP
	c.FP += o.FP
	c.TN += o.TN
	c.FN += o.FN
}

func (c Counts) minus(o Counts) Counts {
	return Counts{TP: c.TP - o.TP, FP: c.FP - o.FP, TN: c.TN - o.TN, FN: c.FN - o.FN}
}

// rate names one confusion-matrix rate.
type rate int

const (
	rateSelection rate = iota
	rateTPR
	rateFPR
	rateFNR
	ratePPV
	rateFDR
	rateFOR
	rateTNR
	rateNPV
	rateBase
)

// gapRates are the rates whose differences and ratios are audited, in
// report order (the Aequitas disparity set).
var gapRates = []rate{rateSelection, rateTPR, rateFPR, rateFNR, ratePPV, rateFDR, rateFOR}

func (r rate) name() string {
	return [...]string{"selection_rate", "tpr", "fpr", "fnr", "ppv", "fdr", "for", "tnr", "npv", "base_rate"}[r]
}

// parts returns the numerator and denominator of r.
func (r rate) parts(c Counts) (num, den int) {
	switch r {
	case rateSelection:
		return c.TP + c.FP, c.N()
	case rateTPR:
		return c.TP, c.TP + c.FN
	case rateFPR:
		return c.FP, c.FP + c.TN
	case rateFNR:
		return c.FN, c.TP + c.FN
	case ratePPV:
		return c.TP, c.TP + c.FP
	case rateFDR:
		return c.FP, c.TP + c.FP
	case rateFOR:
		return c.FN, c.FN + c.TN
	case rateTNR:
		return c.TN, c.FP + c.TN
	case rateNPV:
		return c.TN, c.FN + c.TN
	default:
		return c.TP + c.FN, c.N()
	}
}

// undefinedReason says why r has a zero denominator.
func (r rate) undefinedReason() string {
	switch r {
	case rateTPR, rateFNR:
		return "no rows with label 1 in the group (TP+FN = 0)"
	case rateFPR, rateTNR:
		return "no rows with label 0 in the group (FP+TN = 0)"
	case ratePPV, rateFDR:
		return "no flagged rows in the group (TP+FP = 0)"
	case rateFOR, rateNPV:
		return "no unflagged rows in the group (FN+TN = 0)"
	default:
		return "the group is empty"
	}
}

// of returns r for the counts c, undefined when its denominator is zero.
func (r rate) of(c Counts) Estimate {
	num, den := r.parts(c)
	return ratioEstimate(num, den, r.undefinedReason())
}

// value returns r for c and false when its denominator is zero; it is the
// allocation-free form used inside resampling loops.
func (r rate) value(c Counts) (float64, bool) {
	num, den := r.parts(c)
	if den == 0 {
		return 0, false
	}
	return float64(num) / float64(den), true
}

// GroupMetrics holds one group's metrics at the audit threshold.
//
// A suppressed group (fewer rows than the minimum group size) carries only
// its name, Suppressed and SuppressedReason: every number, the count
// included, is null. Rates follow the confusion matrix in Confusion:
// BaseRate = (TP+FN)/n, SelectionRate = (TP+FP)/n, TPR = TP/(TP+FN),
// FPR = FP/(FP+TN), FNR = FN/(TP+FN), TNR = TN/(FP+TN), PPV = TP/(TP+FP),
// NPV = TN/(TN+FN), FDR = FP/(TP+FP), FOR = FN/(FN+TN); a zero denominator
// makes the rate undefined. AUC and AveragePrecision are scikit-learn's
// roc_auc_score and average_precision_score within the group (undefined for
// a group without both classes, resp. without positives). Brier, ECE
// (equal-width bins) and CalibrationInTheLarge (the intercept of a logistic
// model with logit(score) as offset; 0 is calibrated, negative means scores
// too high) come from package metrics and are undefined when scores are not
// probabilities in [0, 1].
type GroupMetrics struct {
	Group                 string            `json:"group"`
	Missing               bool              `json:"missing,omitempty"`
	Suppressed            bool              `json:"suppressed"`
	SuppressedReason      string            `json:"suppressed_reason,omitempty"`
	Count                 *int              `json:"count"`
	Confusion             *Counts           `json:"confusion"`
	BaseRate              Estimate          `json:"base_rate"`
	SelectionRate         Estimate          `json:"selection_rate"`
	TPR                   Estimate          `json:"tpr"`
	FPR                   Estimate          `json:"fpr"`
	FNR                   Estimate          `json:"fnr"`
	TNR                   Estimate          `json:"tnr"`
	PPV                   Estimate          `json:"ppv"`
	NPV                   Estimate          `json:"npv"`
	FDR                   Estimate          `json:"fdr"`
	FOR                   Estimate          `json:"for"`
	AUC                   Estimate          `json:"auc"`
	AveragePrecision      Estimate          `json:"average_precision"`
	Brier                 Estimate          `json:"brier"`
	ECE                   Estimate          `json:"ece"`
	CalibrationInTheLarge Estimate          `json:"calibration_in_the_large"`
	Undefined             map[string]string `json:"undefined,omitempty"`
}

func (g *GroupMetrics) fields() []namedEstimate {
	return []namedEstimate{
		{"base_rate", g.BaseRate}, {"selection_rate", g.SelectionRate},
		{"tpr", g.TPR}, {"fpr", g.FPR}, {"fnr", g.FNR}, {"tnr", g.TNR},
		{"ppv", g.PPV}, {"npv", g.NPV}, {"fdr", g.FDR}, {"for", g.FOR},
		{"auc", g.AUC}, {"average_precision", g.AveragePrecision},
		{"brier", g.Brier}, {"ece", g.ECE}, {"calibration_in_the_large", g.CalibrationInTheLarge},
	}
}

// Rate returns the named metric, by its JSON name ("base_rate",
// "selection_rate", "tpr", "fpr", "fnr", "tnr", "ppv", "npv", "fdr", "for",
// "auc", "average_precision", "brier", "ece", "calibration_in_the_large"),
// and false for another name.
func (g *GroupMetrics) Rate(name string) (Estimate, bool) {
	for _, f := range g.fields() {
		if f.name == name {
			return f.est, true
		}
	}
	return Estimate{}, false
}

// partition assigns each row to a group. Groups are ordered by name, with
// MissingGroup last.
type partition struct {
	names    []string
	missing  []bool // names[g] is MissingGroup
	rowGroup []int32
	sizes    []int
}

// newPartition builds the partition of labels; labels must hold one entry
// per row, "" meaning missing.
func newPartition(labels []string) partition {
	index := make(map[string]int32)
	var names []string
	for _, l := range labels {
		if l == "" {
			l = MissingGroup
		}
		if _, ok := index[l]; !ok {
			index[l] = int32(len(names))
			names = append(names, l)
		}
	}
	order := slices.Clone(names)
	slices.SortFunc(order, func(a, b string) int {
		if am, bm := isMissingLabel(a), isMissingLabel(b); am != bm {
			if am {
				return 1
			}
			return -1
		}
		return cmp.Compare(a, b)
	})
	for i, n := range order {
		index[n] = int32(i)
	}
	p := partition{names: order, missing: make([]bool, len(order)), rowGroup: make([]int32, len(labels)), sizes: make([]int, len(order))}
	for i, n := range order {
		p.missing[i] = isMissingLabel(n)
	}
	for i, l := range labels {
		if l == "" {
			l = MissingGroup
		}
		g := index[l]
		p.rowGroup[i] = g
		p.sizes[g]++
	}
	return p
}

// isMissingLabel reports whether a group name is MissingGroup or an
// intersection with a MissingGroup component.
func isMissingLabel(name string) bool {
	return name == MissingGroup || slices.Contains(strings.Split(name, IntersectionSeparator), MissingGroup)
}

// find returns the index of the group named name, or -1.
func (p partition) find(name string) int {
	for i, n := range p.names {
		if n == name {
			return i
		}
	}
	return -1
}

// largest returns the largest group among those for which ok is true
// (ties: the first by name), preferring non-missing groups; -1 if none.
func (p partition) largest(ok func(g int) bool) int {
	best := -1
	for pass := 0; pass < 2 && best < 0; pass++ {
		for g := range p.names {
			if !ok(g) || (pass == 0 && p.missing[g]) {
				continue
			}
			if best < 0 || p.sizes[g] > p.sizes[best] {
				best = g
			}
		}
	}
	return best
}

// checkScored validates labels and scores of n rows.
func checkScored(y []uint8, score []float64) error {
	if len(y) == 0 {
		return fmt.Errorf("no rows: %w", ErrInput)
	}
	if len(score) != len(y) {
		return fmt.Errorf("%d labels but %d scores: %w", len(y), len(score), ErrInput)
	}
	for i, v := range y {
		if v > 1 {
			return fmt.Errorf("label %d at row %d is not 0 or 1: %w", v, i, ErrInput)
		}
	}
	for i, s := range score {
		if math.IsNaN(s) {
			return fmt.Errorf("score at row %d is NaN: %w", i, ErrInput)
		}
	}
	return nil
}

// checkGrouped validates labels, scores and one group label per row.
func checkGrouped(y []uint8, score []float64, groups []string) error {
	if err := checkScored(y, score); err != nil {
		return err
	}
	if len(groups) != len(y) {
		return fmt.Errorf("%d labels but %d group labels: %w", len(y), len(groups), ErrInput)
	}
	return nil
}

// groupCounts returns the confusion matrix of every group of p.
func groupCounts(y []uint8, score []float64, threshold float64, p partition) []Counts {
	out := make([]Counts, len(p.names))
	for i, g := range p.rowGroup {
		c := &out[g]
		flagged := score[i] >= threshold
		switch {
		case flagged && y[i] == 1:
			c.TP++
		case flagged:
			c.FP++
		case y[i] == 1:
			c.FN++
		default:
			c.TN++
		}
	}
	return out
}

// allProbabilities reports whether every score lies in [0, 1].
func allProbabilities(score []float64) bool {
	for _, s := range score {
		if !(s >= 0 && s <= 1) {
			return false
		}
	}
	return true
}

// rateMetrics fills the confusion-matrix fields of m from c.
func rateMetrics(m *GroupMetrics, c Counts) {
	n := c.N()
	cc := c
	m.Count, m.Confusion = &n, &cc
	m.BaseRate = rateBase.of(c)
	m.SelectionRate = rateSelection.of(c)
	m.TPR, m.FPR, m.FNR, m.TNR = rateTPR.of(c), rateFPR.of(c), rateFNR.of(c), rateTNR.of(c)
	m.PPV, m.NPV, m.FDR, m.FOR = ratePPV.of(c), rateNPV.of(c), rateFDR.of(c), rateFOR.of(c)
}

// scoreMetrics fills AUC, average precision and the calibration fields of m
// for the group's labels yg and scores sg. probabilities says whether all
// audit scores lie in [0, 1].
func scoreMetrics(m *GroupMetrics, yg []uint8, sg []float64, probabilities bool, bins int) error {
	pos := 0
	for _, v := range yg {
		pos += int(v)
	}
	neg := len(yg) - pos
	if pos == 0 || neg == 0 {
		m.AUC = Unknown(fmt.Sprintf("the group holds one class (%d rows with label 1, %d with label 0)", pos, neg))
	} else {
		auc, err := metrics.ROCAUC(yg, sg, nil)
		if err != nil {
			return fmt.Errorf("group %q: %w", m.Group, err)
		}
		m.AUC = Known(auc)
	}
	if pos == 0 {
		m.AveragePrecision = Unknown("no rows with label 1 in the group")
	} else {
		ap, err := metrics.AveragePrecision(yg, sg, nil)
		if err != nil {
			return fmt.Errorf("group %q: %w", m.Group, err)
		}
		m.AveragePrecision = Known(ap)
	}
	if !probabilities {
		why := "scores outside [0, 1] are not probabilities"
		m.Brier, m.ECE, m.CalibrationInTheLarge = Unknown(why), Unknown(why), Unknown(why)
		return nil
	}
	brier, err := metrics.Brier(yg, sg)
	if err != nil {
		return fmt.Errorf("group %q: %w", m.Group, err)
	}
	m.Brier = Known(brier)
	cal, err := metrics.Calibration(yg, sg, bins)
	if err != nil {
		return fmt.Errorf("group %q: %w", m.Group, err)
	}
	m.ECE = Known(cal.ECE)
	if cal.Intercept != nil {
		m.CalibrationInTheLarge = Known(*cal.Intercept)
	} else {
		m.CalibrationInTheLarge = Unknown(cal.Undefined)
	}
	return nil
}

// subset returns the labels and scores of the rows of group g, in row order.
func subset(y []uint8, score []float64, p partition, g int) ([]uint8, []float64) {
	yg := make([]uint8, 0, p.sizes[g])
	sg := make([]float64, 0, p.sizes[g])
	for i, r := range p.rowGroup {
		if int(r) == g {
			yg = append(yg, y[i])
			sg = append(sg, score[i])
		}
	}
	return yg, sg
}

// PerGroup returns the metrics of every group at threshold, ordered by
// group name with MissingGroup last. groups holds one label per row ("" is
// missing). calibrationBins is the number of ECE bins (0 means
// DefaultCalibrationBins). No group is suppressed here; see Audit.
// Errors: empty input, mismatched lengths, a label other than 0/1, a NaN
// score or threshold, calibrationBins < 0.
func PerGroup(y []uint8, score []float64, groups []string, threshold float64, calibrationBins int) ([]GroupMetrics, error) {
	if err := checkGrouped(y, score, groups); err != nil {
		return nil, fmt.Errorf("fairness: per-group metrics: %w", err)
	}
	if math.IsNaN(threshold) {
		return nil, fmt.Errorf("fairness: per-group metrics: threshold is NaN: %w", ErrInput)
	}
	if calibrationBins < 0 {
		return nil, fmt.Errorf("fairness: per-group metrics: %d calibration bins: %w", calibrationBins, ErrInput)
	}
	if calibrationBins == 0 {
		calibrationBins = DefaultCalibrationBins
	}
	p := newPartition(groups)
	counts := groupCounts(y, score, threshold, p)
	probabilities := allProbabilities(score)
	out := make([]GroupMetrics, len(p.names))
	for g := range p.names {
		m := &out[g]
		m.Group, m.Missing = p.names[g], p.missing[g]
		rateMetrics(m, counts[g])
		yg, sg := subset(y, score, p, g)
		if err := scoreMetrics(m, yg, sg, probabilities, calibrationBins); err != nil {
			return nil, fmt.Errorf("fairness: per-group metrics: %w", err)
		}
		m.Undefined = undefinedReasons(m.fields())
	}
	return out, nil
}
