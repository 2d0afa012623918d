package fairness

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Attribute is one protected attribute: its name and one value per row.
// The empty string, and any value listed in AuditOptions.MissingValues, is
// missing; missing rows form the group MissingGroup.
type Attribute struct {
	Name   string
	Values []string
}

// Intersection crosses two or more attributes, named by their Attribute
// names. Its name is the names joined with "|" ("gender|age_band") and each
// row's group is its values joined with "|" ("F|35-55"); a missing component
// appears as "(missing)" ("F|(missing)") and the group counts as missing.
type Intersection struct {
	Attributes []string
}

// Name returns the intersection's name, its attributes joined with "|".
func (x Intersection) Name() string { return strings.Join(x.Attributes, IntersectionSeparator) }

// ReferenceMode says what each group of an attribute is compared with.
type ReferenceMode string

const (
	// ReferenceLargest compares every group with the attribute's largest
	// reported (non-suppressed) group, preferring non-missing groups; ties
	// go to the first group by name. The zero ReferenceMode means this.
	ReferenceLargest ReferenceMode = "largest"
	// ReferenceGroup compares every group with the group named in
	// Reference.Group; a name that is not a group of the attribute is an
	// error naming it, and so is a group suppressed for its size.
	ReferenceGroup ReferenceMode = "group"
	// ReferenceBetween summarises each metric across groups as fairlearn's
	// method="between_groups" does: largest minus smallest value and
	// smallest over largest. ABROCA and the disparity table, which need
	// one comparator, then use the largest group.
	ReferenceBetween ReferenceMode = "between"
)

// Reference chooses the comparator of one attribute or intersection.
type Reference struct {
	Mode  ReferenceMode
	Group string // the reference group's name, for ReferenceGroup only
}

// BetweenGroups is the Reference field of gaps summarised between groups.
const BetweenGroups = "between groups"

// Metric families that can be audited; AuditOptions.Metrics selects among
// them. Each rate family yields <family>_difference and <family>_ratio
// gaps; equalized_odds yields equalized_odds_difference and
// equalized_odds_ratio; calibration yields ece_difference; auc yields
// auc_difference; abroca yields abroca.
const (
	MetricSelectionRate = "selection_rate" // demographic parity
	MetricTPR           = "tpr"            // equal opportunity
	MetricFPR           = "fpr"
	MetricFNR           = "fnr"
	MetricPPV           = "ppv" // predictive parity
	MetricFDR           = "fdr"
	MetricFOR           = "for"
	MetricEqualizedOdds = "equalized_odds"
	MetricCalibration   = "calibration"
	MetricAUC           = "auc"
	MetricABROCA        = "abroca"
)

// AllMetrics lists every metric family in report order.
var AllMetrics = []string{
	MetricSelectionRate, MetricTPR, MetricFPR, MetricFNR, MetricPPV, MetricFDR, MetricFOR,
	MetricEqualizedOdds, MetricCalibration, MetricAUC, MetricABROCA,
}

// Adjustment is a multiple-testing adjustment of the permutation p-values
// of one audit (all attributes, groups and metrics together).
type Adjustment string

const (
	// AdjustHolm is Holm's step-down method (R p.adjust "holm"); the zero
	// Adjustment means this.
	AdjustHolm Adjustment = "holm"
	// AdjustBH is Benjamini-Hochberg (R p.adjust "BH").
	AdjustBH Adjustment = "BH"
	// AdjustNone leaves p-values unadjusted.
	AdjustNone Adjustment = "none"
)

// VerdictRule says how a gap is compared with its threshold.
type VerdictRule string

const (
	// RuleInterval (the zero VerdictRule) decides on the bootstrap
	// interval: PASS when it lies inside the allowed range, FAIL when it
	// lies entirely outside, INCONCLUSIVE when it straddles an edge.
	RuleInterval VerdictRule = "interval"
	// RulePoint decides on the point estimate alone: PASS inside the
	// allowed range, FAIL outside.
	RulePoint VerdictRule = "point"
)

// GapThreshold is one fairness threshold. Metric is a gap metric name:
// "<family>_difference" or "<family>_ratio" for a rate family,
// "equalized_odds_difference", "equalized_odds_ratio", "ece_difference",
// "auc_difference" or "abroca". A difference (and abroca) passes when
// -Max <= gap <= Max; a ratio passes when Low <= ratio <= High (the
// Aequitas band, for example 0.8 to 1.25). Both ranges are inclusive, with
// a relative tolerance of 1e-12 so that a gap exactly on the edge
// (0.4/0.5 = 0.8) is inside it. Attributes limits the threshold to the
// named attributes and intersections; nil means all.
type GapThreshold struct {
	Metric     string
	Max        float64
	Low, High  float64
	Attributes []string
}

// isRatio reports whether the threshold's metric is a ratio.
func (t GapThreshold) isRatio() bool { return strings.HasSuffix(t.Metric, "_ratio") }

// allowed returns the inclusive allowed range.
func (t GapThreshold) allowed() (lo, hi float64) {
	if t.isRatio() {
		return t.Low, t.High
	}
	return -t.Max, t.Max
}

// AuditOptions configures Audit. The zero value of every field except
// Threshold has a documented meaning; DefaultAuditOptions returns the
// values evalrun uses when a spec says nothing.
type AuditOptions struct {
	// Threshold flags a row when score >= Threshold. A threshold policy is
	// applied by the caller (metrics.ThresholdPolicy) and its value passed
	// here; it is echoed in the result.
	Threshold float64
	// MinGroupSize suppresses groups (and intersectional groups) with
	// fewer rows: they are listed with no numbers and left out of every
	// gap. 0 suppresses nothing.
	MinGroupSize int
	// Intersections to audit besides the attributes.
	Intersections []Intersection
	// References maps an attribute or intersection name to its
	// comparator; absent names use ReferenceLargest.
	References map[string]Reference
	// MissingValues lists values treated as missing besides "".
	MissingValues []string
	// Metrics selects metric families (see AllMetrics); nil means all.
	// Per-group metrics are always reported.
	Metrics []string
	// CalibrationBins is the number of equal-width ECE bins (at most
	// 65535); 0 means 10.
	CalibrationBins int
	// BootstrapReplicates is the number of bootstrap replicates behind
	// each gap's interval; 0 computes no intervals (then only RulePoint
	// verdicts are possible).
	BootstrapReplicates int
	// Permutations is the number of group-label permutations behind each
	// permutation-test p-value; 0 computes no p-values.
	Permutations int
	// PermutationStopAfter, when positive, stops an ABROCA permutation
	// test once that many permutations were at least as extreme as the
	// observed ABROCA, and reports the Besag-Clifford (1991) sequential
	// p-value h/l (h extremes in l permutations), which is valid like the
	// full test. A test far from significance then costs about h/p
	// permutations instead of Permutations; a significant one runs them
	// all. 0 runs every permutation. Rate tests, which are cheap (counts
	// only), always run every permutation.
	PermutationStopAfter int
	// ConfidenceLevel of the bootstrap intervals; 0 means 0.95.
	ConfidenceLevel float64
	// Seed of every random draw of the audit.
	Seed uint64
	// Workers running replicates in parallel; 0 means 2. Results do not
	// depend on it.
	Workers int
	// PValueAdjustment across all tests of the audit; "" means Holm.
	PValueAdjustment Adjustment
	// Thresholds produce the verdicts.
	Thresholds []GapThreshold
	// VerdictRule; "" means RuleInterval.
	VerdictRule VerdictRule
	// Power and Alpha of the minimum detectable gap; 0 means 0.8 and 0.05.
	Power, Alpha float64
}

// DefaultAuditOptions returns threshold 0.5, minimum group size 30, 10
// calibration bins, 1,000 bootstrap replicates and 1,000 permutations
// (ABROCA tests stopping after 20 extreme permutations), 95% intervals,
// seed 1, Holm adjustment, interval verdicts, power 0.8 at alpha 0.05, and
// every metric family.
func DefaultAuditOptions() AuditOptions {
	return AuditOptions{
		Threshold: 0.5, MinGroupSize: 30, CalibrationBins: DefaultCalibrationBins,
		BootstrapReplicates: 1000, Permutations: 1000, PermutationStopAfter: 20, ConfidenceLevel: 0.95, Seed: 1,
		Workers: 2, PValueAdjustment: AdjustHolm, VerdictRule: RuleInterval, Power: 0.8, Alpha: 0.05,
	}
}

// withDefaults fills zero fields and validates the options.
func (o AuditOptions) withDefaults() (AuditOptions, error) {
	if o.CalibrationBins == 0 {
		o.CalibrationBins = DefaultCalibrationBins
	}
	if o.ConfidenceLevel == 0 {
		o.ConfidenceLevel = 0.95
	}
	if o.Workers == 0 {
		o.Workers = 2
	}
	if o.PValueAdjustment == "" {
		o.PValueAdjustment = AdjustHolm
	}
	if o.VerdictRule == "" {
		o.VerdictRule = RuleInterval
	}
	if o.Power == 0 {
		o.Power = 0.8
	}
	if o.Alpha == 0 {
		o.Alpha = 0.05
	}
	if o.Metrics == nil {
		o.Metrics = AllMetrics
	}
	bad := func(format string, args ...any) (AuditOptions, error) {
		return o, fmt.Errorf(format+": %w", append(args, ErrInput)...)
	}
	switch {
	case math.IsNaN(o.Threshold):
		return bad("threshold is NaN")
	case o.MinGroupSize < 0:
		return bad("min_group_size %d is negative", o.MinGroupSize)
	case o.CalibrationBins < 1 || o.CalibrationBins > math.MaxUint16:
		return bad("%d calibration bins (want 1 to %d)", o.CalibrationBins, math.MaxUint16)
	case o.BootstrapReplicates < 0 || o.Permutations < 0 || o.PermutationStopAfter < 0:
		return bad("negative number of replicates (bootstrap %d, permutations %d)", o.BootstrapReplicates, o.Permutations)
	case !(o.ConfidenceLevel > 0 && o.ConfidenceLevel < 1):
		return bad("confidence level %g is not in (0, 1)", o.ConfidenceLevel)
	case o.Workers < 1:
		return bad("%d workers", o.Workers)
	case !(o.Power > 0 && o.Power < 1) || !(o.Alpha > 0 && o.Alpha < 1):
		return bad("power %g and alpha %g must lie in (0, 1)", o.Power, o.Alpha)
	}
	switch o.PValueAdjustment {
	case AdjustHolm, AdjustBH, AdjustNone:
	default:
		return bad("unknown p-value adjustment %q (want holm, BH or none)", o.PValueAdjustment)
	}
	switch o.VerdictRule {
	case RuleInterval, RulePoint:
	default:
		return bad("unknown verdict rule %q (want interval or point)", o.VerdictRule)
	}
	for _, m := range o.Metrics {
		if !slices.Contains(AllMetrics, m) {
			return bad("unknown metric %q (want one of %s)", m, strings.Join(AllMetrics, ", "))
		}
	}
	for _, t := range o.Thresholds {
		family, ok := gapFamily(t.Metric)
		if !ok {
			return bad("threshold: %s", unknownGapMetric(t.Metric))
		}
		if !slices.Contains(o.Metrics, family) {
			return bad("threshold on %q but metric %q is not audited", t.Metric, family)
		}
		if t.isRatio() {
			if !(t.Low <= t.High) || math.IsNaN(t.Low) || math.IsNaN(t.High) {
				return bad("threshold on %q: band %g to %g is empty", t.Metric, t.Low, t.High)
			}
		} else if !(t.Max >= 0) {
			return bad("threshold on %q: bound %g is negative or NaN", t.Metric, t.Max)
		}
	}
	if len(o.Thresholds) > 0 && o.VerdictRule == RuleInterval && o.BootstrapReplicates == 0 {
		return bad("interval verdicts need bootstrap replicates (set BootstrapReplicates or use the point rule)")
	}
	return o, nil
}

// GapMetrics returns every gap metric name a threshold may use, in
// report order: "<rate>_difference" and "<rate>_ratio" for each audited
// rate, then "equalized_odds_difference", "equalized_odds_ratio",
// "ece_difference", "auc_difference" and "abroca". These fairlearn-style
// identifiers are the measures' only names, in specs, flags, JSON, CSV,
// the terminal and the reports.
func GapMetrics() []string {
	var out []string
	for _, r := range gapRates {
		out = append(out, r.name()+"_difference", r.name()+"_ratio")
	}
	return append(out, "equalized_odds_difference", "equalized_odds_ratio", "ece_difference", "auc_difference", "abroca")
}

// unknownGapMetric is the error text of a gap metric name that is not
// one of GapMetrics, listing the valid names.
func unknownGapMetric(metric string) string {
	return fmt.Sprintf("unknown gap metric %q (want one of %s)", metric, strings.Join(GapMetrics(), ", "))
}

// gapFamily returns the metric family of a gap metric name.
func gapFamily(metric string) (string, bool) {
	switch metric {
	case "ece_difference":
		return MetricCalibration, true
	case "auc_difference":
		return MetricAUC, true
	case "abroca":
		return MetricABROCA, true
	case "equalized_odds_difference", "equalized_odds_ratio":
		return MetricEqualizedOdds, true
	}
	for _, r := range gapRates {
		if metric == r.name()+"_difference" || metric == r.name()+"_ratio" {
			return r.name(), true
		}
	}
	return "", false
}

// Validate reports the first invalid option as Audit would (wrapping
// ErrInput), so that a spec can be checked before any data is read. Names
// of attributes, intersections and reference groups are checked by Audit.
func (o AuditOptions) Validate() error {
	if _, err := o.withDefaults(); err != nil {
		return fmt.Errorf("fairness: options: %w", err)
	}
	return nil
}
