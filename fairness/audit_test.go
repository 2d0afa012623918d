package fairness

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

// cohort builds rows from (group, label, score) triples.
type row struct {
	group string
	y     uint8
	score float64
}

func split(rows []row) ([]uint8, []float64, []string) {
	y := make([]uint8, len(rows))
	s := make([]float64, len(rows))
	g := make([]string, len(rows))
	for i, r := range rows {
		y[i], s[i], g[i] = r.y, r.score, r.group
	}
	return y, s, g
}

// repeat returns k copies of r.
func repeat(k int, r row) []row {
	out := make([]row, k)
	for i := range out {
		out[i] = r
	}
	return out
}

func cohort(parts ...[]row) []row {
	var out []row
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func findGroup(t *testing.T, a AttributeResult, name string) GroupMetrics {
	t.Helper()
	for _, g := range a.Groups {
		if g.Group == name {
			return g
		}
	}
	t.Fatalf("attribute %s: no group %q", a.Name, name)
	return GroupMetrics{}
}

func findGap(t *testing.T, a AttributeResult, metric, group string) Gap {
	t.Helper()
	for _, g := range a.Gaps {
		if g.Metric == metric && g.Group == group {
			return g
		}
	}
	t.Fatalf("attribute %s: no gap %s for %q", a.Name, metric, group)
	return Gap{}
}

func hasGapFor(a AttributeResult, group string) bool {
	for _, g := range a.Gaps {
		if g.Group == group || g.Reference == group {
			return true
		}
	}
	return false
}

func hasWarning(ws []string, substr string) bool {
	for _, w := range ws {
		if strings.Contains(w, substr) {
			return true
		}
	}
	return false
}

func quickOptions() AuditOptions {
	o := DefaultAuditOptions()
	o.BootstrapReplicates, o.Permutations, o.MinGroupSize = 200, 200, 0
	return o
}

// mixed returns n rows of group g: a quarter positives, scores spread so
// that some of each class are flagged at 0.5.
func mixed(g string, n int) []row {
	out := make([]row, n)
	for i := range out {
		y := uint8(0)
		if i%4 == 0 {
			y = 1
		}
		s := float64(i%10)/10 + 0.05
		if y == 1 {
			s = math.Min(0.95, s+0.2)
		}
		out[i] = row{g, y, s}
	}
	return out
}

func TestAuditGroupWithOneClass(t *testing.T) {
	// Group X holds only label 0: TPR, FNR, AUC and ABROCA are undefined
	// there, the gaps involving them are undefined and say why, and the
	// rest of the audit is unaffected.
	rows := cohort(mixed("A", 80), mixed("B", 60), repeat(20, row{"X", 0, 0.3}), repeat(20, row{"X", 0, 0.7}))
	y, s, g := split(rows)
	res, err := Audit(y, s, []Attribute{{"group", g}}, quickOptions())
	if err != nil {
		t.Fatal(err)
	}
	a := res.Attributes[0]
	x := findGroup(t, a, "X")
	for name, e := range map[string]Estimate{"tpr": x.TPR, "fnr": x.FNR, "auc": x.AUC, "average_precision": x.AveragePrecision} {
		if e.Defined {
			t.Errorf("X %s = %v, want undefined", name, e.Value)
		}
		if x.Undefined[name] == "" {
			t.Errorf("X %s: no reason in Undefined", name)
		}
	}
	if !strings.Contains(x.AUC.Reason, "one class") {
		t.Errorf("X AUC reason %q does not mention one class", x.AUC.Reason)
	}
	if !x.FPR.Defined || x.FPR.Value != 0.5 {
		t.Errorf("X FPR = %+v, want 0.5 (20 of 40 negatives flagged)", x.FPR)
	}
	for _, m := range []string{"tpr_difference", "auc_difference", "abroca"} {
		gap := findGap(t, a, m, "X")
		if gap.Estimate.Defined || !strings.Contains(gap.Estimate.Reason, `"X"`) {
			t.Errorf("%s for X: %+v, want undefined naming X", m, gap.Estimate)
		}
		if gap.Lower.Defined || gap.PValue.Defined {
			t.Errorf("%s for X: interval or p-value defined for an undefined gap", m)
		}
	}
	if gap := findGap(t, a, "fpr_difference", "X"); !gap.Estimate.Defined || !gap.Lower.Defined {
		t.Errorf("fpr_difference for X should be defined with an interval: %+v", gap)
	}
	if gap := findGap(t, a, "tpr_difference", "B"); !gap.Estimate.Defined {
		t.Errorf("tpr_difference for B undefined: %s", gap.Estimate.Reason)
	}
	// Between groups, the TPR gap skips X and names it.
	opts := quickOptions()
	opts.References = map[string]Reference{"group": {Mode: ReferenceBetween}}
	res, err = Audit(y, s, []Attribute{{"group", g}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	gap := findGap(t, res.Attributes[0], "tpr_difference", "")
	if !gap.Estimate.Defined || len(gap.SkippedGroups) != 1 || gap.SkippedGroups[0] != "X" {
		t.Errorf("between-groups tpr_difference = %+v, want defined, skipping X", gap)
	}
	if !hasWarning(res.Attributes[0].Warnings, "tpr_difference skips") {
		t.Errorf("no warning about the skipped group: %q", res.Attributes[0].Warnings)
	}
}

func TestAuditGroupWithNoFlaggedStudents(t *testing.T) {
	// Nobody in group Z is flagged: selection rate 0, PPV and FDR
	// undefined (no flagged rows), so its PPV gap is undefined; with Z as
	// the reference, selection-rate ratios are undefined (division by 0).
	rows := cohort(mixed("A", 80), repeat(15, row{"Z", 1, 0.2}), repeat(25, row{"Z", 0, 0.1}))
	y, s, g := split(rows)
	opts := quickOptions()
	opts.References = map[string]Reference{"group": {Mode: ReferenceGroup, Group: "Z"}}
	res, err := Audit(y, s, []Attribute{{"group", g}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	a := res.Attributes[0]
	z := findGroup(t, a, "Z")
	if !z.SelectionRate.Defined || z.SelectionRate.Value != 0 {
		t.Errorf("Z selection rate = %+v, want 0", z.SelectionRate)
	}
	if z.PPV.Defined || z.FDR.Defined || !strings.Contains(z.PPV.Reason, "no flagged rows") {
		t.Errorf("Z PPV = %+v, FDR = %+v, want undefined (no flagged rows)", z.PPV, z.FDR)
	}
	if !z.TPR.Defined || z.TPR.Value != 0 || !z.FNR.Defined || z.FNR.Value != 1 {
		t.Errorf("Z TPR %+v FNR %+v, want 0 and 1", z.TPR, z.FNR)
	}
	ratio := findGap(t, a, "selection_rate_ratio", "A")
	if ratio.Estimate.Defined || !strings.Contains(ratio.Estimate.Reason, "is 0") {
		t.Errorf("selection_rate_ratio A/Z = %+v, want undefined: reference rate is 0", ratio.Estimate)
	}
	diff := findGap(t, a, "selection_rate_difference", "A")
	if sa := findGroup(t, a, "A").SelectionRate; !diff.Estimate.Defined || diff.Estimate.Value != sa.Value {
		t.Errorf("selection_rate_difference A-Z = %+v, want A's selection rate %v minus 0", diff.Estimate, sa.Value)
	}
	if ppv := findGap(t, a, "ppv_difference", "A"); ppv.Estimate.Defined {
		t.Errorf("ppv_difference with reference Z = %v, want undefined", ppv.Estimate.Value)
	}
	if !hasWarning(a.Warnings, `"Z" has selection_rate = 0`) {
		t.Errorf("no warning about Z's degenerate selection rate: %q", a.Warnings)
	}
}

func TestAuditSuppressesSmallGroups(t *testing.T) {
	rows := cohort(mixed("A", 60), mixed("B", 40), mixed("tiny", 9))
	y, s, g := split(rows)
	age := make([]string, len(rows))
	for i := range age {
		age[i] = []string{"young", "old"}[i%2]
	}
	opts := quickOptions()
	opts.MinGroupSize = 10
	opts.Intersections = []Intersection{{[]string{"group", "age"}}}
	res, err := Audit(y, s, []Attribute{{"group", g}, {"age", age}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	a := res.Attributes[0]
	tiny := findGroup(t, a, "tiny")
	if !tiny.Suppressed || tiny.Count != nil || tiny.Confusion != nil || tiny.TPR.Defined || tiny.AUC.Defined {
		t.Errorf("tiny group not suppressed or carries numbers: %+v", tiny)
	}
	if hasGapFor(a, "tiny") {
		t.Error("a gap involves the suppressed group")
	}
	// With only one group left, a threshold cannot be checked: the verdict
	// is INCONCLUSIVE, not a silent pass.
	opts.MinGroupSize = 50
	opts.Intersections = nil
	opts.Thresholds = []GapThreshold{{Metric: "tpr_difference", Max: 0.1, Attributes: []string{"group"}}}
	res2, err := Audit(y, s, []Attribute{{"group", g}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res2.Verdicts) != 1 || res2.Verdicts[0].Outcome != Inconclusive || res2.Status != Inconclusive {
		t.Errorf("one reported group: verdicts %+v, status %s; want one INCONCLUSIVE", res2.Verdicts, res2.Status)
	}
	if !hasWarning(a.Warnings, `"tiny" has fewer than 10 rows: suppressed`) {
		t.Errorf("no suppression warning: %q", a.Warnings)
	}
	raw, err := json.Marshal(tiny)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"count":null`) || !strings.Contains(string(raw), `"tpr":null`) {
		t.Errorf("suppressed group JSON shows numbers: %s", raw)
	}
	// The intersection suppresses its small cells the same way: tiny|old
	// has 4 rows, A|old 30.
	x := res.Attributes[2]
	if x.Name != "group|age" {
		t.Fatalf("third result is %q, want the intersection", x.Name)
	}
	if g := findGroup(t, x, "tiny|old"); !g.Suppressed {
		t.Error("intersectional cell tiny|old not suppressed")
	}
	if g := findGroup(t, x, "A|old"); g.Suppressed || g.Count == nil || *g.Count != 30 {
		t.Errorf("A|old: %+v, want 30 rows reported", g)
	}
}

func TestAuditMissingValues(t *testing.T) {
	rows := cohort(mixed("F", 60), mixed("M", 50), mixed("", 25), mixed("NA", 15))
	y, s, g := split(rows)
	band := make([]string, len(rows))
	for i := range band {
		band[i] = []string{"low", "high"}[i%2]
	}
	opts := quickOptions()
	opts.MissingValues = []string{"NA"}
	opts.Intersections = []Intersection{{[]string{"gender", "band"}}}
	res, err := Audit(y, s, []Attribute{{"gender", g}, {"band", band}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	a := res.Attributes[0]
	names := []string{}
	for _, gm := range a.Groups {
		names = append(names, gm.Group)
	}
	if strings.Join(names, ",") != "F,M,(missing)" {
		t.Fatalf("groups %q, want F, M, (missing) last", names)
	}
	missing := findGroup(t, a, MissingGroup)
	if !missing.Missing || missing.Count == nil || *missing.Count != 40 {
		t.Errorf("missing group: %+v, want 40 rows (25 empty + 15 NA), Missing true", missing)
	}
	if !hasWarning(a.Warnings, "missing gender value") {
		t.Errorf("no warning about missing values: %q", a.Warnings)
	}
	if gap := findGap(t, a, "tpr_difference", MissingGroup); !gap.Estimate.Defined {
		t.Errorf("the missing group has no TPR gap: %+v", gap)
	}
	x := res.Attributes[2]
	last := x.Groups[len(x.Groups)-1]
	if !last.Missing || !strings.HasPrefix(last.Group, MissingGroup+"|") {
		t.Errorf("intersection's last group %q (missing %v), want a (missing)|... group", last.Group, last.Missing)
	}
}

func TestAuditUnknownReference(t *testing.T) {
	y, s, g := split(cohort(mixed("F", 40), mixed("M", 40)))
	opts := quickOptions()
	opts.References = map[string]Reference{"gender": {Mode: ReferenceGroup, Group: "female"}}
	_, err := Audit(y, s, []Attribute{{"gender", g}}, opts)
	if err == nil {
		t.Fatal("no error for an unknown reference group")
	}
	if !errors.Is(err, ErrInput) {
		t.Errorf("error %v does not wrap ErrInput", err)
	}
	for _, want := range []string{`reference group "female"`, `attribute "gender"`, `"F", "M"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	// A suppressed reference is refused too, naming it.
	opts.References = map[string]Reference{"gender": {Mode: ReferenceGroup, Group: "M"}}
	opts.MinGroupSize = 50
	if _, err := Audit(y, s, []Attribute{{"gender", g}}, opts); err == nil || !strings.Contains(err.Error(), `"M"`) {
		t.Errorf("suppressed reference: error %v, want one naming M", err)
	}
	// So is a reference for an attribute that does not exist.
	opts.MinGroupSize = 0
	opts.References = map[string]Reference{"sex": {Mode: ReferenceLargest}}
	if _, err := Audit(y, s, []Attribute{{"gender", g}}, opts); err == nil || !strings.Contains(err.Error(), `"sex"`) {
		t.Errorf("reference for unknown attribute: error %v, want one naming sex", err)
	}
}

func TestJudgeEdgesInclusive(t *testing.T) {
	k := Known
	none := Unknown("no bootstrap replicates requested")
	tests := []struct {
		name              string
		est, lower, upper Estimate
		lo, hi            float64
		rule              VerdictRule
		want              Outcome
	}{
		{"interval exactly the band", k(1), k(0.8), k(1.25), 0.8, 1.25, RuleInterval, Pass},
		{"upper on the low edge", k(0.75), k(0.7), k(0.8), 0.8, 1.25, RuleInterval, Inconclusive},
		{"entirely below", k(0.75), k(0.7), k(0.79), 0.8, 1.25, RuleInterval, Fail},
		{"entirely above", k(1.4), k(1.26), k(1.5), 0.8, 1.25, RuleInterval, Fail},
		{"lower on the high edge", k(1.3), k(1.25), k(1.4), 0.8, 1.25, RuleInterval, Inconclusive},
		{"rounded edge 0.4/0.5", k(0.4 / 0.5), k(0.4 / 0.5), k(1), 0.8, 1.25, RuleInterval, Pass},
		{"difference on the bound", k(0.1), k(-0.1), k(0.1), -0.1, 0.1, RuleInterval, Pass},
		{"difference 0.6-0.5 on the bound", k(0.6 - 0.5), k(0.6 - 0.5), k(0.6 - 0.5), -0.1, 0.1, RuleInterval, Pass},
		{"difference just beyond", k(0.1000001), k(0.1000001), k(0.2), -0.1, 0.1, RuleInterval, Fail},
		{"straddles", k(0.05), k(-0.02), k(0.12), -0.1, 0.1, RuleInterval, Inconclusive},
		{"point on the edge", k(0.8), none, none, 0.8, 1.25, RulePoint, Pass},
		{"point outside", k(0.79), none, none, 0.8, 1.25, RulePoint, Fail},
		{"no interval", k(1), none, none, 0.8, 1.25, RuleInterval, Inconclusive},
		{"undefined gap", Unknown("reference rate is 0"), none, none, 0.8, 1.25, RulePoint, Inconclusive},
	}
	for _, tc := range tests {
		got, reason := Judge(tc.est, tc.lower, tc.upper, tc.lo, tc.hi, tc.rule)
		if got != tc.want {
			t.Errorf("%s: %s (%s), want %s", tc.name, got, reason, tc.want)
		}
		if reason == "" {
			t.Errorf("%s: empty reason", tc.name)
		}
	}
}

func TestAuditRatioOnBandEdge(t *testing.T) {
	// Selection rates 0.4 (B) and 0.5 (A, the reference): the ratio is
	// exactly 0.8, the band's inclusive lower edge, so the point rule
	// passes; 0.39 would fail.
	var rows []row
	for i := range 100 {
		rows = append(rows, row{"A", uint8(i % 2), map[bool]float64{true: 0.9, false: 0.1}[i < 50]})
	}
	for i := range 50 {
		rows = append(rows, row{"B", uint8(i % 2), map[bool]float64{true: 0.9, false: 0.1}[i < 20]})
	}
	y, s, g := split(rows)
	opts := quickOptions()
	opts.VerdictRule = RulePoint
	opts.Thresholds = []GapThreshold{
		{Metric: "selection_rate_ratio", Low: 0.8, High: 1.25},
		{Metric: "selection_rate_difference", Max: 0.1},
	}
	res, err := Audit(y, s, []Attribute{{"group", g}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Verdicts) != 2 {
		t.Fatalf("%d verdicts, want 2", len(res.Verdicts))
	}
	for _, v := range res.Verdicts {
		if v.Outcome != Pass {
			t.Errorf("%s = %v: %s (%s), want PASS on the edge", v.Metric, v.Estimate.Value, v.Outcome, v.Reason)
		}
	}
	if res.Status != Pass || res.Status.ExitCode(true) != ExitPass {
		t.Errorf("status %s", res.Status)
	}
	opts.Thresholds[0].Low = 0.81
	res, err = Audit(y, s, []Attribute{{"group", g}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdicts[0].Outcome != Fail || res.Status != Fail || res.Status.ExitCode(false) != ExitFail {
		t.Errorf("ratio 0.8 against band from 0.81: %s, status %s", res.Verdicts[0].Outcome, res.Status)
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		status Outcome
		strict bool
		want   int
	}{
		{Pass, true, 0}, {NotEvaluated, true, 0}, {Fail, false, 3}, {Fail, true, 3},
		{Inconclusive, false, 0}, {Inconclusive, true, 4},
	}
	for _, tc := range tests {
		if got := tc.status.ExitCode(tc.strict); got != tc.want {
			t.Errorf("%s (fail on inconclusive %v): exit %d, want %d", tc.status, tc.strict, got, tc.want)
		}
	}
	vs := []Verdict{{Outcome: Pass}, {Outcome: Inconclusive}, {Outcome: Pass}}
	if got := overallStatus(vs); got != Inconclusive {
		t.Errorf("overall of PASS, INCONCLUSIVE: %s", got)
	}
	vs = append(vs, Verdict{Outcome: Fail})
	if got := overallStatus(vs); got != Fail {
		t.Errorf("overall with a FAIL: %s", got)
	}
}

func TestAuditDeterministicAcrossWorkers(t *testing.T) {
	y, s, attrs := benchCohort(3000, 5)
	var first []byte
	for _, workers := range []int{1, 2, 3} {
		opts := DefaultAuditOptions()
		opts.BootstrapReplicates, opts.Permutations, opts.Workers = 60, 60, workers
		opts.Intersections = []Intersection{{[]string{"gender", "age_band"}}}
		res, err := Audit(y, s, attrs[:3], opts)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = raw
		} else if string(raw) != string(first) {
			t.Fatalf("results with %d workers differ from 1 worker", workers)
		}
	}
}

func TestAdjustPValues(t *testing.T) {
	// Expected values: R 4.2.2 p.adjust, as recorded in
	// ../shared/conformance/abtest.json (p_adjust cases).
	p := []float64{0.05383600514334648, 0.1134120647101426, 0.08675942135812927, 0.14126575972861677,
		0.1926824171282799, 0.18830640855567315, 0.12066713338328156, 0.001335714664605603}
	tests := []struct {
		method Adjustment
		p      []float64
		want   []float64
	}{
		{AdjustHolm, p, []float64{0.376852036003425, 0.567060323550713, 0.520556528148776, 0.567060323550713,
			0.567060323550713, 0.567060323550713, 0.567060323550713, 0.0106857173168448}},
		{AdjustBH, p, []float64{0.188354346304822, 0.188354346304822, 0.188354346304822, 0.188354346304822,
			0.19268241712828, 0.19268241712828, 0.188354346304822, 0.0106857173168448}},
		{AdjustHolm, []float64{0.01, 0.04, 0.03, 0.005, 0.55, 0.6}, []float64{0.05, 0.12, 0.12, 0.03, 1, 1}},
		{AdjustNone, []float64{0.3, 0.01}, []float64{0.3, 0.01}},
	}
	for _, tc := range tests {
		got, err := AdjustPValues(tc.p, tc.method)
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-8 {
				t.Errorf("%s[%d] = %v, want %v", tc.method, i, got[i], tc.want[i])
			}
		}
	}
	if _, err := AdjustPValues([]float64{0.5}, "bonferroni-ish"); err == nil {
		t.Error("no error for an unknown method")
	}
	if _, err := AdjustPValues([]float64{math.NaN()}, AdjustBH); err == nil {
		t.Error("no error for a NaN p-value")
	}
}

func TestMinDetectableGap(t *testing.T) {
	// (z_0.975 + z_0.8) * sqrt(0.3*0.7*(1/200+1/200)) = 2.8015852 *
	// 0.0458258 = 0.1283850 (z values from R qnorm).
	got, err := MinDetectableGap(0.3, 200, 200, 0.05, 0.8)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-0.12838496) > 1e-6 {
		t.Errorf("MinDetectableGap = %v, want 0.128385", got)
	}
	if _, err := MinDetectableGap(0.3, 0, 10, 0.05, 0.8); err == nil {
		t.Error("no error for an empty group")
	}
}

func TestAuditOptionErrors(t *testing.T) {
	y, s, g := split(cohort(mixed("F", 40), mixed("M", 40)))
	attrs := []Attribute{{"gender", g}}
	bad := []struct {
		name string
		edit func(*AuditOptions)
		want string
	}{
		{"unknown metric", func(o *AuditOptions) { o.Metrics = []string{"tpr", "accuracy"} }, `"accuracy"`},
		{"threshold on unaudited family", func(o *AuditOptions) {
			o.Metrics = []string{"tpr"}
			o.Thresholds = []GapThreshold{{Metric: "fpr_difference", Max: 0.1}}
		}, "not audited"},
		{"unknown gap metric", func(o *AuditOptions) { o.Thresholds = []GapThreshold{{Metric: "tpr_gap", Max: 0.1}} }, `"tpr_gap"`},
		{"empty band", func(o *AuditOptions) { o.Thresholds = []GapThreshold{{Metric: "tpr_ratio", Low: 1.25, High: 0.8}} }, "empty"},
		{"interval rule without bootstrap", func(o *AuditOptions) {
			o.BootstrapReplicates = 0
			o.Thresholds = []GapThreshold{{Metric: "tpr_difference", Max: 0.1}}
		}, "bootstrap"},
		{"bad level", func(o *AuditOptions) { o.ConfidenceLevel = 1.5 }, "confidence level"},
		{"intersection of unknown attribute", func(o *AuditOptions) { o.Intersections = []Intersection{{[]string{"gender", "age"}}} }, `"age"`},
		{"threshold on unknown attribute", func(o *AuditOptions) {
			o.Thresholds = []GapThreshold{{Metric: "tpr_difference", Max: 0.1, Attributes: []string{"sex"}}}
		}, `"sex"`},
	}
	for _, tc := range bad {
		opts := quickOptions()
		tc.edit(&opts)
		_, err := Audit(y, s, attrs, opts)
		if err == nil || !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want ErrInput mentioning %s", tc.name, err, tc.want)
		}
	}
	if _, err := Audit(y, s[:10], attrs, quickOptions()); err == nil {
		t.Error("no error for mismatched lengths")
	}
	y[3] = 2
	if _, err := Audit(y, s, attrs, quickOptions()); err == nil || !strings.Contains(err.Error(), "row 3") {
		t.Errorf("label 2: error %v, want one naming row 3", err)
	}
	y[3] = 0
	s[5] = math.NaN()
	if _, err := Audit(y, s, attrs, quickOptions()); err == nil || !strings.Contains(err.Error(), "row 5") {
		t.Errorf("NaN score: error %v, want one naming row 5", err)
	}
}

func TestAuditBootstrapUndefinedReplicates(t *testing.T) {
	// Group R has 2 positives in 30 rows: a resample holds no positive
	// with probability (28/30)^30 = 12.6%, so its TPR gap is undefined in
	// about that share of replicates, more than the 10% allowed: the
	// interval is null with the reason, and one warning names the pair.
	rows := cohort(mixed("A", 200), repeat(2, row{"R", 1, 0.9}), repeat(14, row{"R", 0, 0.7}), repeat(14, row{"R", 0, 0.2}))
	y, s, g := split(rows)
	opts := quickOptions()
	opts.BootstrapReplicates = 1000
	opts.Metrics = []string{MetricTPR, MetricFPR}
	res, err := Audit(y, s, []Attribute{{"group", g}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	a := res.Attributes[0]
	gap := findGap(t, a, "tpr_difference", "R")
	if share := float64(gap.BootstrapUndefined) / 1000; share < 0.09 || share > 0.16 {
		t.Errorf("TPR gap undefined in %d of 1000 replicates, want about 126", gap.BootstrapUndefined)
	}
	if gap.Lower.Defined || !strings.Contains(gap.Lower.Reason, "more than 10%") {
		t.Errorf("interval %+v, want undefined: too many undefined replicates", gap.Lower)
	}
	if fpr := findGap(t, a, "fpr_difference", "R"); !fpr.Lower.Defined || fpr.BootstrapUndefined != 0 {
		t.Errorf("FPR gap: %+v, want a defined interval", fpr)
	}
	if !hasWarning(a.Warnings, `"R" vs "A": gaps undefined in some of the 1000 bootstrap replicates`) {
		t.Errorf("no aggregated warning: %q", a.Warnings)
	}
}

func TestWorstOutcome(t *testing.T) {
	for i, c := range []struct {
		in   []Outcome
		want Outcome
	}{
		{nil, NotEvaluated},
		{[]Outcome{NotEvaluated, Pass}, Pass},
		{[]Outcome{Pass, Inconclusive, Pass}, Inconclusive},
		{[]Outcome{Inconclusive, Fail, Pass}, Fail},
	} {
		if got := WorstOutcome(c.in...); got != c.want {
			t.Errorf("case %d: WorstOutcome(%v) = %s, want %s", i, c.in, got, c.want)
		}
	}
}
