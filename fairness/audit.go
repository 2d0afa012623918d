package fairness

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/evalrun/evalrun/internal/workpool"
	"github.com/evalrun/evalrun/metrics"
)

// groupState is what the gaps of one dimension are computed from, for the
// observed data or for one replicate: per group, its confusion matrix and
// (when audited) AUC, ECE and ABROCA against the comparator.
type groupState struct {
	counts                 Counts
	auc, ece, abroca       float64
	aucOK, eceOK, abrocaOK bool
	// Reasons, filled for the observed state only.
	aucWhy, eceWhy, abrocaWhy string
}

// gapKind is the statistic of a gap.
type gapKind int

const (
	kindRateDiff gapKind = iota
	kindRateRatio
	kindEODiff
	kindEORatio
	kindECEDiff
	kindAUCDiff
	kindABROCA
)

// gapSpec defines one gap of a dimension.
type gapSpec struct {
	kind   gapKind
	r      rate
	metric string
	group  int // compared group; -1 between groups
	ref    int // comparator; -1 between groups
	// included are the groups of a between-groups summary (those whose
	// value is defined on the observed data); for equalized odds
	// included[0] holds TPR's and included[1] FPR's.
	included [2][]int
	skipped  []string
}

// dimension is one attribute or intersection being audited.
type dimension struct {
	name       string
	components []string
	part       partition
	suppressed []bool
	mode       ReferenceMode
	comparator int // -1 when no group is reported
	counts     []Counts
	groups     []GroupMetrics
	sorted     []sortedGroup // per group; empty for suppressed groups
	obs        []groupState
	specs      []gapSpec
	gaps       []Gap
	reps       [][]float64 // [spec][replicate], NaN = undefined
	tests      []permTest
	pools      []pairPool // ABROCA permutation pools, one per tested group
	rateTests  int        // tests that are not ABROCA tests
	needRows   bool       // bootstrap replicates need a pass over rows
	needCurves bool       // ... and ROC curves (ABROCA)
	needECE    bool       // ... and ECE
	passOrder  []int      // reported groups, comparator first
	// reportedGroups caches reported().
	reportedGroups []int
	warnings       []string
}

// reported returns the indices of groups that are not suppressed.
func (d *dimension) reported() []int {
	var out []int
	for g := range d.part.names {
		if !d.suppressed[g] {
			out = append(out, g)
		}
	}
	return out
}

// auditInput holds the validated rows shared by every dimension.
type auditInput struct {
	y             []uint8
	score         []float64
	order         []int32 // rows by descending score, ties in row order
	probabilities bool
	bin           []uint16 // ECE bin of each row (probabilities only)
}

// Audit audits score (flagging score >= opts.Threshold) for labels y over
// each attribute and each intersection in opts.
//
// For every attribute and intersection it reports each group's metrics
// (GroupMetrics), suppressing groups smaller than opts.MinGroupSize; the
// Aequitas disparities of each reported group against the comparator; and
// the gaps of the selected metric families (see Gap) with bootstrap
// intervals (rows resampled with replacement within each group, so every
// group keeps its size in every replicate), permutation p-values (group
// labels permuted among the rows of the two groups compared, or of all
// reported groups for between-groups summaries) adjusted across the whole
// audit, and minimum detectable gaps. Each threshold of opts yields one
// Verdict per matching gap (an INCONCLUSIVE one when an attribute has no
// such gap, for example a single reported group), and Status summarises
// them.
//
// Rate gaps are resampled and permuted through each group's confusion
// counts (multinomial and multivariate hypergeometric draws, exactly
// equivalent to resampling or permuting rows; one permutation serves all
// rate tests of a group). AUC, ECE and ABROCA replicates pass once over
// each group's rows, sorted once, with rows of equal score and label
// merged. ABROCA permutation tests may stop early (see
// AuditOptions.PermutationStopAfter). Every bootstrap replicate,
// permutation and ABROCA test has its own generator, seeded from opts.Seed
// and the task's name, so results are identical for any opts.Workers and
// GOMAXPROCS.
//
// Cost: about 9 CPU-seconds for 100,000 rows, 5 attributes, 2
// intersections, every metric, 1,000 replicates and 1,000 permutations
// (BenchmarkAuditFull); bootstrap replicates dominate.
//
// Errors: empty input or mismatched lengths, labels other than 0/1, NaN
// scores, no attributes, duplicate or empty attribute names, an intersection naming an
// unknown attribute or fewer than two, a reference for an unknown
// attribute, a reference group that is not a group of its attribute (the
// error names it) or that is suppressed, and invalid options.
func Audit(y []uint8, score []float64, attributes []Attribute, opts AuditOptions) (AuditResult, error) {
	res, err := audit(y, score, attributes, opts)
	if err != nil {
		return AuditResult{}, fmt.Errorf("fairness: audit: %w", err)
	}
	return res, nil
}

func audit(y []uint8, score []float64, attributes []Attribute, opts AuditOptions) (AuditResult, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return AuditResult{}, err
	}
	if err := checkScored(y, score); err != nil {
		return AuditResult{}, err
	}
	in := newAuditInput(y, score, opts.CalibrationBins)
	dims, err := buildDimensions(y, attributes, opts)
	if err != nil {
		return AuditResult{}, err
	}
	res := AuditResult{
		Rows: len(y), Threshold: opts.Threshold, MinGroupSize: opts.MinGroupSize,
		CalibrationBins: opts.CalibrationBins, BootstrapReplicates: opts.BootstrapReplicates,
		Permutations: opts.Permutations, PermutationStopAfter: opts.PermutationStopAfter, ConfidenceLevel: opts.ConfidenceLevel, Seed: opts.Seed,
		PValueAdjustment: opts.PValueAdjustment, VerdictRule: opts.VerdictRule,
		Power: opts.Power, Alpha: opts.Alpha, Metrics: slices.Clone(opts.Metrics),
		Warnings: []string{},
	}
	if !in.probabilities {
		res.Warnings = append(res.Warnings, "scores are not all in [0, 1]: Brier, ECE, calibration-in-the-large and ece_difference are undefined")
	}
	if err := prepareDimensions(dims, in, opts); err != nil {
		return AuditResult{}, err
	}
	runResampling(dims, opts)
	for _, d := range dims {
		d.finishGaps(opts)
	}
	adjustAudit(dims, opts.PValueAdjustment)
	for _, d := range dims {
		res.Attributes = append(res.Attributes, d.result())
	}
	res.Verdicts = verdicts(dims, opts)
	res.Status = overallStatus(res.Verdicts)
	if len(opts.Thresholds) == 0 {
		res.Warnings = append(res.Warnings, "no thresholds: no verdicts, status NOT_EVALUATED")
	}
	return res, nil
}

// prepareDimensions computes each dimension's point estimates and gaps and
// prepares its resampling, on opts.Workers goroutines (dimensions are
// independent, so the result does not depend on the scheduling).
func prepareDimensions(dims []*dimension, in *auditInput, opts AuditOptions) error {
	errs := make([]error, len(dims))
	workpool.For(len(dims), opts.Workers, func(i int) {
		d := dims[i]
		if err := d.observe(in, opts); err != nil {
			errs[i] = fmt.Errorf("%s: %w", d.name, err)
			return
		}
		d.defineGaps(opts, in.probabilities)
		d.prepareResampling(in, opts)
	})
	return errors.Join(errs...)
}

// newAuditInput sorts the rows once and bins the probabilities.
func newAuditInput(y []uint8, score []float64, bins int) *auditInput {
	in := &auditInput{y: y, score: score, probabilities: allProbabilities(score)}
	in.order = make([]int32, len(y))
	for i := range in.order {
		in.order[i] = int32(i)
	}
	slices.SortStableFunc(in.order, func(a, b int32) int { return cmp.Compare(score[b], score[a]) })
	if in.probabilities {
		in.bin = make([]uint16, len(y))
		edges := calibrationEdges(bins)
		for i, p := range score {
			in.bin[i] = uint16(calibrationBin(p, edges))
		}
	}
	return in
}

// calibrationEdges returns the bin edges of metrics.Calibration: k*(1/bins),
// with the last edge exactly 1.
func calibrationEdges(bins int) []float64 {
	step := 1 / float64(bins)
	edges := make([]float64, bins+1)
	for k := range edges {
		edges[k] = float64(k) * step
	}
	edges[bins] = 1
	return edges
}

// calibrationBin returns the number of interior edges <= p, the bin
// metrics.Calibration assigns (numpy searchsorted side="right").
func calibrationBin(p float64, edges []float64) int {
	lo, hi := 0, len(edges)-2
	for lo < hi {
		mid := (lo + hi) / 2
		if edges[mid+1] <= p {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// buildDimensions validates attributes, intersections and references and
// partitions the rows of each.
func buildDimensions(y []uint8, attributes []Attribute, opts AuditOptions) ([]*dimension, error) {
	missing := make(map[string]bool)
	for _, v := range opts.MissingValues {
		missing[v] = true
	}
	clean := func(v string) string {
		if missing[v] || v == MissingGroup {
			return ""
		}
		return v
	}
	if len(attributes) == 0 {
		return nil, fmt.Errorf("no attributes to audit: %w", ErrInput)
	}
	byName := make(map[string][]string)
	var dims []*dimension
	for _, a := range attributes {
		switch {
		case a.Name == "":
			return nil, fmt.Errorf("attribute with an empty name: %w", ErrInput)
		case byName[a.Name] != nil:
			return nil, fmt.Errorf("attribute %q given twice: %w", a.Name, ErrInput)
		case len(a.Values) != len(y):
			return nil, fmt.Errorf("attribute %q has %d values for %d rows: %w", a.Name, len(a.Values), len(y), ErrInput)
		}
		labels := make([]string, len(y))
		for i, v := range a.Values {
			labels[i] = clean(v)
		}
		byName[a.Name] = labels
		dims = append(dims, &dimension{name: a.Name, part: newPartition(labels)})
	}
	for _, x := range opts.Intersections {
		name := x.Name()
		if len(x.Attributes) < 2 {
			return nil, fmt.Errorf("intersection %q needs at least two attributes: %w", name, ErrInput)
		}
		cols := make([][]string, len(x.Attributes))
		for k, an := range x.Attributes {
			if byName[an] == nil {
				return nil, fmt.Errorf("intersection %q: unknown attribute %q: %w", name, an, ErrInput)
			}
			if slices.Index(x.Attributes, an) != k {
				return nil, fmt.Errorf("intersection %q names %q twice: %w", name, an, ErrInput)
			}
			cols[k] = byName[an]
		}
		if byName[name] != nil {
			return nil, fmt.Errorf("intersection %q given twice or clashing with an attribute: %w", name, ErrInput)
		}
		labels := make([]string, len(y))
		parts := make([]string, len(cols))
		for i := range labels {
			for k, c := range cols {
				parts[k] = c[i]
				if parts[k] == "" {
					parts[k] = MissingGroup
				}
			}
			labels[i] = strings.Join(parts, IntersectionSeparator)
		}
		byName[name] = labels
		dims = append(dims, &dimension{name: name, components: slices.Clone(x.Attributes), part: newPartition(labels)})
	}
	for name := range opts.References {
		if byName[name] == nil {
			return nil, fmt.Errorf("reference given for unknown attribute %q: %w", name, ErrInput)
		}
	}
	for _, t := range opts.Thresholds {
		for _, name := range t.Attributes {
			if byName[name] == nil {
				return nil, fmt.Errorf("threshold on %s names unknown attribute %q: %w", t.Metric, name, ErrInput)
			}
		}
	}
	for _, d := range dims {
		ref := opts.References[d.name]
		switch ref.Mode {
		case "", ReferenceLargest:
			d.mode = ReferenceLargest
		case ReferenceGroup, ReferenceBetween:
			d.mode = ref.Mode
		default:
			return nil, fmt.Errorf("%s: unknown reference mode %q (want largest, group or between): %w", d.name, ref.Mode, ErrInput)
		}
		d.suppressed = make([]bool, len(d.part.names))
		for g, size := range d.part.sizes {
			d.suppressed[g] = size < opts.MinGroupSize
		}
		reportable := func(g int) bool { return !d.suppressed[g] }
		d.comparator = d.part.largest(reportable)
		if d.mode == ReferenceGroup {
			g := d.part.find(ref.Group)
			if g < 0 {
				return nil, unknownReference(d.name, ref.Group, d.part.names)
			}
			if d.suppressed[g] {
				return nil, fmt.Errorf("reference group %q of attribute %q has fewer than min_group_size %d rows and is suppressed: %w",
					ref.Group, d.name, opts.MinGroupSize, ErrInput)
			}
			d.comparator = g
		}
	}
	return dims, nil
}

// observe computes the per-group metrics and the observed state.
func (d *dimension) observe(in *auditInput, opts AuditOptions) error {
	d.counts = groupCounts(in.y, in.score, opts.Threshold, d.part)
	d.groups = make([]GroupMetrics, len(d.part.names))
	d.obs = make([]groupState, len(d.part.names))
	// Rows of each group in descending score order.
	rows := make([][]int32, len(d.part.names))
	for _, i := range in.order {
		g := d.part.rowGroup[i]
		if !d.suppressed[g] {
			rows[g] = append(rows[g], i)
		}
	}
	missingRows := 0
	for g, name := range d.part.names {
		m := &d.groups[g]
		m.Group, m.Missing = name, d.part.missing[g]
		if m.Missing {
			missingRows += d.part.sizes[g]
		}
		if d.suppressed[g] {
			m.Suppressed = true
			m.SuppressedReason = fmt.Sprintf("fewer than %d rows (min_group_size)", opts.MinGroupSize)
			why := "suppressed: " + m.SuppressedReason
			for _, f := range []*Estimate{&m.BaseRate, &m.SelectionRate, &m.TPR, &m.FPR, &m.FNR, &m.TNR, &m.PPV, &m.NPV,
				&m.FDR, &m.FOR, &m.AUC, &m.AveragePrecision, &m.Brier, &m.ECE, &m.CalibrationInTheLarge} {
				*f = Unknown(why)
			}
			d.warnings = append(d.warnings, fmt.Sprintf("group %q has fewer than %d rows: suppressed, no numbers reported and left out of every gap", name, opts.MinGroupSize))
			continue
		}
		rateMetrics(m, d.counts[g])
		yg := make([]uint8, len(rows[g]))
		sg := make([]float64, len(rows[g]))
		for k, i := range rows[g] {
			yg[k], sg[k] = in.y[i], in.score[i]
		}
		if err := scoreMetrics(m, yg, sg, in.probabilities, opts.CalibrationBins); err != nil {
			return err
		}
		m.Undefined = undefinedReasons(m.fields())
		st := &d.obs[g]
		st.counts = d.counts[g]
		st.auc, st.aucOK, st.aucWhy = m.AUC.Value, m.AUC.Defined, m.AUC.Reason
		st.ece, st.eceOK, st.eceWhy = m.ECE.Value, m.ECE.Defined, m.ECE.Reason
	}
	if missingRows > 0 {
		what := fmt.Sprintf("rows with a missing %s value form their own group %q", d.name, MissingGroup)
		if d.components != nil {
			what = fmt.Sprintf("rows missing a component of %s form groups with a %q component", d.name, MissingGroup)
		}
		d.warnings = append(d.warnings, what+", reported like any other")
	}
	for _, g := range d.reported() {
		// Complements (FNR, FDR) would repeat the same warning.
		for _, r := range []rate{rateSelection, rateTPR, rateFPR, ratePPV, rateFOR} {
			audited := has(opts, r.name()) || (r == rateTPR || r == rateFPR) && has(opts, MetricEqualizedOdds) ||
				r == rateTPR && has(opts, MetricFNR) || r == ratePPV && has(opts, MetricFDR)
			if v, ok := r.value(d.counts[g]); audited && ok && (v == 0 || v == 1) {
				d.warnings = append(d.warnings, fmt.Sprintf("group %q has %s = %g: resampling within the group cannot vary it, so bootstrap intervals of its gaps understate the uncertainty", d.part.names[g], r.name(), v))
			}
		}
	}
	d.sorted = make([]sortedGroup, len(d.part.names))
	for g := range d.part.names {
		if !d.suppressed[g] {
			d.sorted[g] = newSortedGroup(in, rows[g])
		}
	}
	reported := d.reported()
	d.reportedGroups = reported
	switch {
	case len(reported) == 0:
		d.warnings = append(d.warnings, "every group is suppressed: no gaps")
	case len(reported) == 1:
		d.warnings = append(d.warnings, fmt.Sprintf("only group %q is reported: no gaps", d.part.names[reported[0]]))
	}
	// Observed ABROCA of every reported group against the comparator.
	if d.comparator >= 0 {
		refCurve := d.sorted[d.comparator].rocCurve()
		for _, g := range reported {
			if g == d.comparator {
				continue
			}
			st := &d.obs[g]
			curve := d.sorted[g].rocCurve()
			switch {
			case !curve.ok:
				st.abrocaWhy = fmt.Sprintf("group %q holds one class: its ROC curve is undefined", d.part.names[g])
			case !refCurve.ok:
				st.abrocaWhy = fmt.Sprintf("reference group %q holds one class: its ROC curve is undefined", d.part.names[d.comparator])
			default:
				st.abroca, st.abrocaOK = abrocaArea(curve.fpr, curve.tpr, refCurve.fpr, refCurve.tpr), true
			}
		}
	}
	return nil
}

// rocCurve is a group's ROC curve through every distinct score.
type rocCurve struct {
	fpr, tpr []float64
	ok       bool
}

// rocCurve returns the group's ROC curve from metrics.ROCCurve.
func (sg *sortedGroup) rocCurve() rocCurve {
	score := make([]float64, len(sg.y))
	copy(score, sg.score)
	fpr, tpr, _, err := metrics.ROCCurve(sg.y, score, nil)
	if err != nil {
		if !errors.Is(err, metrics.ErrSingleClass) {
			panic("fairness: ROC curve of validated rows: " + err.Error())
		}
		return rocCurve{}
	}
	return rocCurve{fpr: fpr, tpr: tpr, ok: true}
}

// has reports whether the audit includes the metric family.
func has(opts AuditOptions, family string) bool { return slices.Contains(opts.Metrics, family) }

// defineGaps lists the gaps of the dimension and computes their point
// estimates.
func (d *dimension) defineGaps(opts AuditOptions, probabilities bool) {
	reported := d.reported()
	if len(reported) < 2 {
		return
	}
	names := d.part.names
	add := func(s gapSpec) { d.specs = append(d.specs, s) }
	type famKind struct {
		family string
		kinds  []gapKind
		r      rate
	}
	var fams []famKind
	for _, r := range gapRates {
		fams = append(fams, famKind{r.name(), []gapKind{kindRateDiff, kindRateRatio}, r})
	}
	fams = append(fams,
		famKind{MetricEqualizedOdds, []gapKind{kindEODiff, kindEORatio}, rateTPR},
		famKind{MetricCalibration, []gapKind{kindECEDiff}, 0},
		famKind{MetricAUC, []gapKind{kindAUCDiff}, 0},
		famKind{MetricABROCA, []gapKind{kindABROCA}, 0})
	for _, f := range fams {
		if !has(opts, f.family) {
			continue
		}
		for _, k := range f.kinds {
			metric := gapMetricName(k, f.r)
			between := d.mode == ReferenceBetween && k != kindABROCA
			if between {
				s := gapSpec{kind: k, r: f.r, metric: metric, group: -1, ref: -1}
				s.included[0], s.skipped = d.includedFor(k, f.r, reported)
				if k == kindEODiff || k == kindEORatio {
					var skippedFPR []string
					s.included[1], skippedFPR = d.includedFor(k, rateFPR, reported)
					for _, n := range skippedFPR {
						if !slices.Contains(s.skipped, n) {
							s.skipped = append(s.skipped, n)
						}
					}
				}
				add(s)
				continue
			}
			for _, g := range reported {
				if g == d.comparator {
					continue
				}
				add(gapSpec{kind: k, r: f.r, metric: metric, group: g, ref: d.comparator})
			}
		}
	}
	for _, s := range d.specs {
		gap := Gap{Metric: s.metric, Reference: BetweenGroups, SkippedGroups: s.skipped}
		if s.group >= 0 {
			gap.Group, gap.Reference = names[s.group], names[s.ref]
		}
		if v, ok := evalGap(&s, d.obs); ok {
			gap.Estimate = Known(v)
		} else {
			gap.Estimate = Unknown(d.explainGap(&s))
		}
		if len(s.skipped) > 0 {
			d.warnings = append(d.warnings, fmt.Sprintf("%s skips groups %s: undefined there", s.metric, quoteList(s.skipped)))
		}
		d.gaps = append(d.gaps, gap)
	}
	if !probabilities && has(opts, MetricCalibration) {
		d.warnings = append(d.warnings, "ece_difference is undefined: scores are not probabilities")
	}
}

// includedFor returns the reported groups whose value of the statistic is
// defined on the observed data, and the names of the others.
func (d *dimension) includedFor(k gapKind, r rate, reported []int) ([]int, []string) {
	var in []int
	var skipped []string
	for _, g := range reported {
		st := d.obs[g]
		ok := false
		switch k {
		case kindECEDiff:
			ok = st.eceOK
		case kindAUCDiff:
			ok = st.aucOK
		default:
			_, ok = r.value(st.counts)
		}
		if ok {
			in = append(in, g)
		} else {
			skipped = append(skipped, d.part.names[g])
		}
	}
	return in, skipped
}

// gapMetricName returns the gap metric name of kind k for rate r.
func gapMetricName(k gapKind, r rate) string {
	switch k {
	case kindRateDiff:
		return r.name() + "_difference"
	case kindRateRatio:
		return r.name() + "_ratio"
	case kindEODiff:
		return "equalized_odds_difference"
	case kindEORatio:
		return "equalized_odds_ratio"
	case kindECEDiff:
		return "ece_difference"
	case kindAUCDiff:
		return "auc_difference"
	default:
		return "abroca"
	}
}

// statValue returns the value of one group's statistic: rate r for the
// rate kinds, else the ECE, AUC or ABROCA named by kind.
func statValue(kind gapKind, r rate, st *groupState) (float64, bool) {
	switch kind {
	case kindECEDiff:
		return st.ece, st.eceOK
	case kindAUCDiff:
		return st.auc, st.aucOK
	case kindABROCA:
		return st.abroca, st.abrocaOK
	}
	return r.value(st.counts)
}

// compare returns the pair difference or ratio (group vs ref), or between
// groups max - min or min / max over included.
func compare(s *gapSpec, kind gapKind, r rate, ratio bool, included []int, st []groupState) (float64, bool) {
	if s.group >= 0 {
		a, ok := statValue(kind, r, &st[s.group])
		if !ok {
			return 0, false
		}
		b, ok := statValue(kind, r, &st[s.ref])
		if !ok {
			return 0, false
		}
		if !ratio {
			return a - b, true
		}
		if b == 0 {
			return 0, false
		}
		return a / b, true
	}
	if len(included) < 2 {
		return 0, false
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, g := range included {
		v, ok := statValue(kind, r, &st[g])
		if !ok {
			return 0, false
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	if !ratio {
		return hi - lo, true
	}
	if hi == 0 {
		return 0, false
	}
	return lo / hi, true
}

// evalGap returns the value of gap s on state st, false when undefined.
func evalGap(s *gapSpec, st []groupState) (float64, bool) {
	switch s.kind {
	case kindRateDiff, kindRateRatio:
		return compare(s, kindRateDiff, s.r, s.kind == kindRateRatio, s.included[0], st)
	case kindEODiff, kindEORatio:
		ratio := s.kind == kindEORatio
		t, ok := compare(s, kindRateDiff, rateTPR, ratio, s.included[0], st)
		if !ok {
			return 0, false
		}
		f, ok := compare(s, kindRateDiff, rateFPR, ratio, s.included[1], st)
		if !ok {
			return 0, false
		}
		switch {
		case !ratio:
			return max(math.Abs(t), math.Abs(f)), true
		case s.group < 0:
			return min(t, f), true
		case farFromOne(f, t):
			return f, true
		}
		return t, true
	case kindECEDiff, kindAUCDiff:
		return compare(s, s.kind, 0, false, s.included[0], st)
	}
	return st[s.group].abroca, st[s.group].abrocaOK
}

// farFromOne reports whether ratio a is farther from 1 than b on the log
// scale (0 is infinitely far).
func farFromOne(a, b float64) bool {
	la, lb := math.Abs(math.Log(a)), math.Abs(math.Log(b))
	return la > lb
}

// explainGap says why gap s is undefined on the observed data.
func (d *dimension) explainGap(s *gapSpec) string {
	names := d.part.names
	if s.group < 0 {
		switch {
		case len(s.included[0]) < 2 || (s.kind == kindEODiff || s.kind == kindEORatio) && len(s.included[1]) < 2:
			return "fewer than two reported groups have a defined value"
		default:
			return "the largest group value is 0"
		}
	}
	side := func(g int, what string) string {
		role := "group"
		if g == s.ref {
			role = "reference group"
		}
		return fmt.Sprintf("%s %q: %s", role, names[g], what)
	}
	switch s.kind {
	case kindABROCA:
		return d.obs[s.group].abrocaWhy
	case kindECEDiff:
		for _, g := range []int{s.group, s.ref} {
			if !d.obs[g].eceOK {
				return side(g, "ECE undefined: "+d.obs[g].eceWhy)
			}
		}
	case kindAUCDiff:
		for _, g := range []int{s.group, s.ref} {
			if !d.obs[g].aucOK {
				return side(g, "AUC undefined: "+d.obs[g].aucWhy)
			}
		}
	default:
		rs := []rate{s.r}
		if s.kind == kindEODiff || s.kind == kindEORatio {
			rs = []rate{rateTPR, rateFPR}
		}
		for _, r := range rs {
			for _, g := range []int{s.group, s.ref} {
				if _, ok := r.value(d.obs[g].counts); !ok {
					return side(g, r.name()+" undefined: "+r.undefinedReason())
				}
			}
			if s.kind == kindRateRatio || s.kind == kindEORatio {
				if v, _ := r.value(d.obs[s.ref].counts); v == 0 {
					return side(s.ref, r.name()+" is 0")
				}
			}
		}
	}
	return "undefined"
}

// result assembles the AttributeResult.
func (d *dimension) result() AttributeResult {
	r := AttributeResult{
		Name: d.name, Components: d.components, ReferenceMode: d.mode,
		Groups: d.groups, Gaps: d.gaps, Warnings: d.warnings,
		Disparity: []GroupDisparity{},
	}
	if r.Gaps == nil {
		r.Gaps = []Gap{}
	}
	if r.Warnings == nil {
		r.Warnings = []string{}
	}
	if d.comparator >= 0 {
		r.Reference = d.part.names[d.comparator]
		for _, g := range d.reported() {
			r.Disparity = append(r.Disparity, disparityOf(d.part.names[g], r.Reference, d.counts[g], d.counts[d.comparator]))
		}
	}
	for i := range r.Gaps {
		r.Gaps[i].Undefined = undefinedReasons(r.Gaps[i].fields())
	}
	return r
}
