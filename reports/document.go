package reports

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/evalrun/evalrun/fairness"
	"github.com/evalrun/evalrun/leakage"
	"github.com/evalrun/evalrun/results"
)

// The Markdown and HTML reports render the same document: sections of
// paragraphs, tables and figures built once from the run, so both show the
// same tables with the same numbers.

// reportDoc is a report before rendering.
type reportDoc struct {
	Title    string
	Intro    []string
	Summary  []string
	Sections []docSection
}

// docSection is one top-level section (an <h2>).
type docSection struct {
	ID     string
	Title  string
	Blocks []docBlock
}

// docBlock is one element of a section; exactly one field is set.
type docBlock struct {
	Heading string // a sub-heading (<h3>)
	Text    string
	Items   []string
	Table   *docTable
	Figure  *renderedPlot
	Risk    *riskBlock
}

// docTable is a table with a caption; Numeric marks right-aligned columns
// and Verdict the column holding PASS/FAIL/INCONCLUSIVE (-1 for none).
type docTable struct {
	Caption string
	Header  []string
	Numeric []bool
	Rows    [][]string
	Verdict int
	Notes   string
	// Collapsed tables are long detail the HTML report folds away
	// (<details>); Markdown shows them in full.
	Collapsed bool
}

// riskBlock is the advisors' risk list, showing its first Show students.
type riskBlock struct {
	List *results.RiskList
	Show int
}

// Report section identifiers: the HTML ids and the order of sections.
const (
	sectionSummary  = "summary"
	sectionModels   = "models"
	sectionEarly    = "how-early"
	sectionCalib    = "calibration"
	sectionFairness = "fairness"
	sectionRisk     = "risk-list"
	sectionPilots   = "pilots"
	sectionEvents   = "event-logs"
	sectionData     = "data"
	sectionTimings  = "timings"
)

// riskRowsMarkdown and riskRowsHTML are how many students of the risk
// list the reports show (risk_list.csv holds all of them).
const (
	riskRowsMarkdown = 20
	riskRowsHTML     = 50
)

func newTable(caption string, header ...string) *docTable {
	return &docTable{Caption: caption, Header: header, Numeric: make([]bool, len(header)), Verdict: -1}
}

func (t *docTable) numeric(cols ...int) *docTable {
	for _, c := range cols {
		t.Numeric[c] = true
	}
	return t
}

func (t *docTable) add(cells ...string) { t.Rows = append(t.Rows, cells) }

func (s *docSection) text(format string, args ...any) {
	s.Blocks = append(s.Blocks, docBlock{Text: fmt.Sprintf(format, args...)})
}

func (s *docSection) heading(h string)       { s.Blocks = append(s.Blocks, docBlock{Heading: h}) }
func (s *docSection) table(t *docTable)      { s.Blocks = append(s.Blocks, docBlock{Table: t}) }
func (s *docSection) items(items []string)   { s.Blocks = append(s.Blocks, docBlock{Items: items}) }
func (s *docSection) figure(p *renderedPlot) { s.Blocks = append(s.Blocks, docBlock{Figure: p}) }

// buildDocument assembles the report of run and risk (risk may be nil).
// plots maps plot names (see plotNames) to rendered plots; a figure is
// included only when its plot exists. riskRows is how many students of
// the risk list to show.
func buildDocument(run *results.Run, risk *results.RiskList, plots map[string]*renderedPlot, riskRows int) reportDoc {
	doc := reportDoc{Title: "evalrun report: " + run.Experiment}
	if run.Description != "" {
		doc.Intro = append(doc.Intro, run.Description)
	}
	if len(run.Evaluations) > 0 {
		doc.Intro = append(doc.Intro, fmt.Sprintf("Seed %d, spec sha256 %s, threshold policy %s. Every number below is read from results.json; intervals are %s unless a column says otherwise.",
			run.Seed, shortSpecHash(run.SpecSHA256), run.ThresholdPolicy, intervalWords(run)))
	} else {
		doc.Intro = append(doc.Intro, fmt.Sprintf("Seed %d, spec sha256 %s. Every number below is read from results.json.", run.Seed, shortSpecHash(run.SpecSHA256)))
	}
	doc.Summary = PlainSummary(run, risk)
	focus := focusEvaluation(run, risk)
	if len(run.Evaluations) > 0 {
		doc.Sections = append(doc.Sections,
			modelsSection(run, plots),
			earlySection(run, plots),
			calibrationSection(run, focus, plots),
			fairnessSection(run, focus, plots),
			riskSection(risk, riskRows),
		)
	}
	for _, build := range extraSections {
		doc.Sections = append(doc.Sections, build(run, plots)...)
	}
	doc.Sections = append(doc.Sections, dataSection(run, focus))
	if len(run.Timings) > 0 {
		doc.Sections = append(doc.Sections, timingsSection(run))
	}
	return doc
}

// timingsSection shows how long each evaluation's steps took (the
// manifest's timings), as scikit-learn's cross_validate reports fit and
// score times. It is the report's last section and the only part that
// changes between reruns of the same spec.
func timingsSection(run *results.Run) docSection {
	s := docSection{ID: sectionTimings, Title: "How long it took"}
	t := newTable("Wall-clock seconds of each evaluation's steps (also in manifest.json; they vary between runs and machines)",
		"dataset", "cutoff", "split", "model", "fit", "predict", "explain", "bootstrap", "audit", "total")
	t.numeric(1, 4, 5, 6, 7, 8, 9)
	var sum results.ModelTiming
	for _, tm := range run.Timings {
		total := tm.Fit + tm.Predict + tm.Explain + tm.Bootstrap + tm.Audit
		t.add(tm.Dataset, cutoffValue(tm.Cutoff), tm.Split, tm.Model, seconds(tm.Fit), seconds(tm.Predict), seconds(tm.Explain), seconds(tm.Bootstrap), seconds(tm.Audit), seconds(total))
		sum.Fit, sum.Predict, sum.Explain, sum.Bootstrap, sum.Audit = sum.Fit+tm.Fit, sum.Predict+tm.Predict, sum.Explain+tm.Explain, sum.Bootstrap+tm.Bootstrap, sum.Audit+tm.Audit
	}
	t.add("all", "", "", "", seconds(sum.Fit), seconds(sum.Predict), seconds(sum.Explain), seconds(sum.Bootstrap), seconds(sum.Audit), seconds(sum.Fit+sum.Predict+sum.Explain+sum.Bootstrap+sum.Audit))
	t.Collapsed = len(run.Timings) > 12
	s.table(t)
	return s
}

// seconds writes a duration in seconds with three significant digits.
func seconds(v float64) string {
	switch {
	case v < 0.001:
		return "<0.001"
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// extraSections build the report sections of run-level results beyond the
// predictions, in order, each returning no section when the run lacks its
// results; plots maps plot names to the rendered plots the sections may
// show.
var extraSections = []func(run *results.Run, plots map[string]*renderedPlot) []docSection{pilotSections, eventLogSections, discoverySections}

func shortSpecHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	if h == "" {
		return "(none)"
	}
	return h
}

// intervalWords describes the run's intervals for the introduction.
func intervalWords(run *results.Run) string {
	lv := levelPercent(runLevel(run))
	if lv == "" {
		return "not computed in this run"
	}
	kind := "BCa"
	if intervalKind(run) == "percentile" {
		kind = "percentile"
	}
	return lv + " (DeLong for AUC, " + kind + " bootstrap for the other metrics)"
}

// modelsSection answers "which model is best": the metrics with their
// intervals, the model-vs-baseline comparisons, and ROC and PR plots.
func modelsSection(run *results.Run, plots map[string]*renderedPlot) docSection {
	s := docSection{ID: sectionModels, Title: "Which model is best"}
	lv := levelPercent(runLevel(run))
	ci := ""
	if lv != "" {
		ci = " (" + lv + " CI)"
	}
	for _, k := range datasetSplits(run) {
		t := newTable(fmt.Sprintf("%s, split %s: test-set metrics of every model at its threshold%s; AUC intervals by DeLong, the others by bootstrap", k.ds, k.split, ci),
			"cutoff", "model", "test n", "base rate", "threshold", "flagged",
			"AUC"+ci, "average precision"+ci, "precision"+ci, "recall"+ci, "F1"+ci, "Brier"+ci)
		t.numeric(0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
		for i := range run.Evaluations {
			e := &run.Evaluations[i]
			if e.Dataset != k.ds || e.Split != k.split {
				continue
			}
			m := e.Metrics
			t.add(cutoffValue(e.Cutoff), e.Model, strconv.Itoa(m.N), dec(m.BaseRate, 3), dec(e.Threshold, 3), strconv.Itoa(m.Flagged),
				withInterval(m.AUC, aucDeLong(e)), withInterval(m.AveragePrecision, bootInterval(e, "average_precision")),
				withInterval(m.Precision, bootInterval(e, "precision")), withInterval(m.Recall, bootInterval(e, "recall")),
				withInterval(m.F1, bootInterval(e, "f1")), withInterval(m.Brier, bootInterval(e, "brier")))
		}
		t.Notes = undefinedCell + " undefined (e.g. precision when nothing is flagged, Brier for scores that are not probabilities); the reason is in results.json."
		s.table(t)
	}
	randomInterceptTable(&s, run)
	if len(run.Comparisons) > 0 {
		kind := intervalKind(run)
		c := newTable(fmt.Sprintf("Model vs baseline: differences (model − vs) with %s intervals; AUC by DeLong's paired test, p Holm-adjusted over all DeLong tests of the run; the other differences by paired bootstrap", lv),
			"dataset", "cutoff", "split", "model", "vs", "ΔAUC", "p", "p Holm", "Δ average precision", "Δ precision", "Δ recall")
		c.numeric(1, 5, 6, 7, 8, 9, 10)
		for _, cmp := range run.Comparisons {
			dAUC, p, ph := undefinedCell, undefinedCell, undefinedCell
			if d := cmp.DeLong; d != nil {
				dAUC = withInterval(&d.Diff, &interval{d.Lower, d.Upper})
				p, ph = pCell(d.PValue), pCell(d.PHolm)
			}
			c.add(cmp.Dataset, cutoffValue(cmp.Cutoff), cmp.Split, cmp.ModelA, cmp.ModelB, dAUC, p, ph,
				pairedCell(cmp, "average_precision", kind), pairedCell(cmp, "precision", kind), pairedCell(cmp, "recall", kind))
		}
		s.table(c)
	}
	if len(run.FoldComparisons) > 0 {
		c := newTable("Differences across the folds of rolling splits: Nadeau-Bengio corrected resampled t-test, p Holm-adjusted over every corrected test",
			"dataset", "cutoff", "split", "model", "vs", "metric", "folds", "mean difference (CI)", "p", "p Holm", "note")
		c.numeric(1, 6, 7, 8, 9)
		for _, fc := range run.FoldComparisons {
			diff, p, ph := undefinedCell, undefinedCell, undefinedCell
			if tt := fc.Test; tt != nil {
				diff = withInterval(&tt.Mean, &interval{tt.Lower, tt.Upper})
				p = pCell(tt.PValue)
			}
			if fc.PHolm != nil {
				ph = pCell(*fc.PHolm)
			}
			c.add(fc.Dataset, cutoffValue(fc.Cutoff), fc.Split, fc.ModelA, fc.ModelB, fc.Metric, strconv.Itoa(fc.Folds), diff, p, ph, fc.Note)
		}
		s.table(c)
	}
	order, _ := folds(run)
	for _, k := range order {
		for _, kind := range []string{"roc", "pr"} {
			if p := plots[plotName(kind, k)]; p != nil {
				s.figure(p)
			}
		}
	}
	return s
}

// pairedCell formats the paired-bootstrap difference of a metric.
func pairedCell(c results.Comparison, metric, kind string) string {
	if c.Bootstrap == nil {
		return undefinedCell
	}
	iv, ok := c.Bootstrap.Interval(metric)
	if !ok {
		return undefinedCell
	}
	return withInterval(iv.Estimate, pickBounds(iv, kind))
}

// earlySection answers "how early can we tell": each model's main
// metrics against the cutoff day.
func earlySection(run *results.Run, plots map[string]*renderedPlot) docSection {
	s := docSection{ID: sectionEarly, Title: "How early can we tell"}
	days := map[datasetSplit][]int{}
	for _, e := range run.Evaluations {
		k := datasetSplit{e.Dataset, e.Split}
		if e.Cutoff != nil && !containsInt(days[k], *e.Cutoff) {
			days[k] = append(days[k], *e.Cutoff)
		}
	}
	any := false
	for _, k := range datasetSplits(run) {
		ds := days[k]
		if len(ds) < 2 {
			continue
		}
		any = true
		sort.Ints(ds)
		header := []string{"model", "metric"}
		for _, d := range ds {
			header = append(header, "day "+strconv.Itoa(d))
		}
		t := newTable(fmt.Sprintf("%s, split %s: metrics by cutoff day (intervals as in the metrics table)", k.ds, k.split), header...)
		for c := 2; c < len(header); c++ {
			t.Numeric[c] = true
		}
		for _, model := range modelOrder(run) {
			rows := map[string][]string{}
			names := []string{"AUC", "average precision", "recall", "precision"}
			found := false
			for _, d := range ds {
				e := findEvaluation(run, k.ds, d, k.split, model)
				if e == nil {
					for _, n := range names {
						rows[n] = append(rows[n], undefinedCell)
					}
					continue
				}
				found = true
				m := e.Metrics
				rows["AUC"] = append(rows["AUC"], withInterval(m.AUC, aucDeLong(e)))
				rows["average precision"] = append(rows["average precision"], withInterval(m.AveragePrecision, bootInterval(e, "average_precision")))
				rows["recall"] = append(rows["recall"], withInterval(m.Recall, bootInterval(e, "recall")))
				rows["precision"] = append(rows["precision"], withInterval(m.Precision, bootInterval(e, "precision")))
			}
			if !found {
				continue
			}
			for _, n := range names {
				t.add(append([]string{model, n}, rows[n]...)...)
			}
		}
		s.table(t)
		if p := plots[cutoffPlotName(k.ds, k.split)]; p != nil {
			s.figure(p)
		}
	}
	if !any {
		s.text("The run has one cutoff per dataset, so it cannot say how the metrics change with the prediction day.")
	}
	return s
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func findEvaluation(run *results.Run, dataset string, day int, split, model string) *results.Evaluation {
	for i := range run.Evaluations {
		e := &run.Evaluations[i]
		if e.Dataset == dataset && e.Cutoff != nil && *e.Cutoff == day && e.Split == split && e.Model == model {
			return e
		}
	}
	return nil
}

// calibrationSection shows the calibration of every model with
// probabilities and the reliability bins of the focus evaluation.
func calibrationSection(run *results.Run, focus *results.Evaluation, plots map[string]*renderedPlot) docSection {
	s := docSection{ID: sectionCalib, Title: "Are the probabilities trustworthy (calibration)"}
	t := newTable("Calibration of the test probabilities: expected calibration error (ECE), calibration slope (1 is ideal) and calibration-in-the-large (0 is ideal; log-odds)",
		"dataset", "cutoff", "split", "model", "ECE", "slope", "in-the-large", "recalibrated", "ECE after")
	t.numeric(1, 4, 5, 6, 8)
	var without []string
	for i := range run.Evaluations {
		e := &run.Evaluations[i]
		c := e.Calibration
		if c == nil {
			if !containsString(without, e.Model) {
				without = append(without, e.Model)
			}
			continue
		}
		rec, after := undefinedCell, undefinedCell
		if r := e.Recalibrated; r != nil {
			rec = r.Method + " (" + r.FittedOn + ")"
			if r.Calibration != nil {
				after = dec(r.Calibration.ECE, 3)
			}
		}
		slope, icpt := decOpt(c.Slope), decOpt(c.Intercept)
		if c.Slope == nil && c.Undefined != "" {
			slope = undefinedCell + " (" + c.Undefined + ")"
		}
		t.add(e.Dataset, cutoffValue(e.Cutoff), e.Split, e.Model, dec(c.ECE, 3), slope, icpt, rec, after)
	}
	if len(t.Rows) == 0 {
		s.text("No model produced probabilities, so there is no calibration to show.")
		return s
	}
	s.table(t)
	if len(without) > 0 {
		s.text("Not shown: %s (scores that are not probabilities).", strings.Join(without, ", "))
	}
	if focus != nil && focus.Calibration != nil {
		b := newTable(fmt.Sprintf("Reliability bins of %s: students per bin of predicted risk, mean predicted risk and observed at-risk rate", evalLabel(focus)),
			"predicted risk", "students", "at risk", "mean predicted", "observed rate")
		b.numeric(1, 2, 3, 4)
		for _, bin := range focus.Calibration.Bins {
			b.add(rangeText(dec(bin.Lower, 1), dec(bin.Upper, 1)), strconv.Itoa(bin.Count), strconv.Itoa(bin.Positives), decOpt(bin.MeanPredicted), decOpt(bin.ObservedRate))
		}
		s.table(b)
	}
	order, _ := folds(run)
	for _, k := range order {
		if p := plots[plotName("reliability", k)]; p != nil {
			s.figure(p)
		}
	}
	return s
}

func containsString(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// fairnessSection shows the verdicts of every audit and, for the focus
// audit, every attribute's groups (suppressed ones marked) and gaps.
func fairnessSection(run *results.Run, focus *results.Evaluation, plots map[string]*renderedPlot) docSection {
	s := docSection{ID: sectionFairness, Title: "Is it fair"}
	fa := focusAudit(run, focus)
	if fa == nil {
		s.text("The spec asked for no fairness audit.")
		return s
	}
	s.text("Overall status: %s. A verdict is PASS when the gap's interval lies inside the allowed range, FAIL when it lies entirely outside, and INCONCLUSIVE when it straddles a limit or cannot be computed (the data cannot tell); the minimum detectable gap is the smallest true gap the groups' sizes could detect.", run.FairnessStatus)
	for i := range run.Evaluations {
		e := &run.Evaluations[i]
		if e.Fairness == nil {
			continue
		}
		a := e.Fairness
		s.heading(fmt.Sprintf("%s: %s", evalLabel(e), a.Status))
		if len(a.Verdicts) == 0 {
			s.text("No thresholds: no verdicts.")
		} else {
			t := newTable(fmt.Sprintf("Fairness verdicts of %s at threshold %s (%s intervals, %d bootstrap replicates)", evalLabel(e), dec(a.Threshold, 3), levelPercent(a.ConfidenceLevel), a.BootstrapReplicates),
				"verdict", "attribute", "group vs reference", "gap", "estimate", "CI", "allowed", "min. detectable", "why")
			t.Verdict = 0
			t.numeric(4, 7)
			for _, v := range a.Verdicts {
				t.add(string(v.Outcome), v.Attribute, groupsVs(v.Group, v.Reference), gapLabel(v.Metric), estCell(v.Estimate), estInterval(v.Lower, v.Upper),
					allowedText(v.AllowedLow, v.AllowedHigh), estCell(v.MinDetectableGap), v.Reason)
			}
			s.table(t)
		}
		if p := plots[forestPlotName(e)]; p != nil {
			s.figure(p)
		}
		for _, w := range a.Warnings {
			s.text("Warning: %s", w)
		}
		sweepTables(&s, e)
	}
	s.heading("Groups and gaps of " + evalLabel(fa))
	s.text("Every group is listed; groups below the minimum size of %d are suppressed (no numbers). Differences are the group's value minus the reference's; ratios and the permutation p-values of every gap are in fairness.csv.", fa.Fairness.MinGroupSize)
	for _, attr := range fa.Fairness.Attributes {
		ref := attr.Reference
		if attr.ReferenceMode == "between" {
			ref = "between groups (largest group for ABROCA)"
		}
		g := newTable(fmt.Sprintf("%s: rates per group (reference %s)", attr.Name, ref),
			"group", "students", "base rate", "selection rate", "TPR", "FNR", "FPR", "PPV", "AUC", "ECE")
		g.numeric(1, 2, 3, 4, 5, 6, 7, 8, 9)
		for _, gm := range attr.Groups {
			name := gm.Group
			if gm.Missing {
				name += " (missing)"
			}
			if gm.Suppressed {
				g.add(name, "suppressed: "+gm.SuppressedReason, undefinedCell, undefinedCell, undefinedCell, undefinedCell, undefinedCell, undefinedCell, undefinedCell, undefinedCell)
				continue
			}
			n := undefinedCell
			if gm.Count != nil {
				n = strconv.Itoa(*gm.Count)
			}
			g.add(name, n, estCell(gm.BaseRate), estCell(gm.SelectionRate), estCell(gm.TPR), estCell(gm.FNR), estCell(gm.FPR), estCell(gm.PPV), estCell(gm.AUC), estCell(gm.ECE))
		}
		s.table(g)
		gt := newTable(fmt.Sprintf("%s: gaps with %s bootstrap intervals and adjusted permutation p-values (%s)", attr.Name, levelPercent(fa.Fairness.ConfidenceLevel), fa.Fairness.PValueAdjustment),
			"gap", "group vs reference", "estimate", "CI", "p adj.", "min. detectable")
		gt.numeric(2, 4, 5)
		for _, gap := range attr.Gaps {
			if strings.HasSuffix(gap.Metric, "_ratio") {
				continue
			}
			gt.add(gapLabel(gap.Metric), groupsVs(gap.Group, gap.Reference), estCell(gap.Estimate), estInterval(gap.Lower, gap.Upper), pEstimate(gap.AdjustedPValue), estCell(gap.MinDetectableGap))
		}
		if len(gt.Rows) > 0 {
			gt.Collapsed = true
			s.table(gt)
		}
		if p := plots[groupROCPlotName(fa, attr.Name)]; p != nil {
			s.figure(p)
		}
		for _, w := range attr.Warnings {
			s.text("Warning (%s): %s", attr.Name, w)
		}
	}
	return s
}

func pEstimate(e fairness.Estimate) string {
	if !e.Defined {
		return undefinedCell
	}
	return pCell(e.Value)
}

func groupsVs(group, reference string) string {
	if group == "" {
		return reference
	}
	return group + " vs " + reference
}

// sweepTables shows an evaluation's audits at the spec's fairness.sweep
// thresholds: each group's rates at each threshold, as Fairness
// Indicators show them, and the verdicts there (reported, not gating).
func sweepTables(s *docSection, e *results.Evaluation) {
	if len(e.FairnessSweep) == 0 {
		return
	}
	var thrs []string
	for _, a := range e.FairnessSweep {
		thrs = append(thrs, dec(a.Threshold, 3))
	}
	s.text("Threshold sweep of %s: the same audit at thresholds %s besides the operating threshold %s. The run's fairness status is decided at the operating threshold only; these verdicts show how the gaps move with the threshold.",
		evalLabel(e), joinWords(thrs), dec(e.Threshold, 3))
	t := newTable(fmt.Sprintf("%s: rates per group at each sweep threshold", evalLabel(e)),
		"threshold", "attribute", "group", "students", "selection rate", "TPR", "FPR", "FNR", "PPV")
	t.numeric(0, 3, 4, 5, 6, 7, 8)
	t.Collapsed = true
	for _, a := range e.FairnessSweep {
		for _, attr := range a.Attributes {
			for _, g := range attr.Groups {
				if g.Suppressed {
					t.add(dec(a.Threshold, 3), attr.Name, g.Group, "suppressed: "+g.SuppressedReason, "", "", "", "", "")
					continue
				}
				n := undefinedCell
				if g.Count != nil {
					n = strconv.Itoa(*g.Count)
				}
				t.add(dec(a.Threshold, 3), attr.Name, g.Group, n, estCell(g.SelectionRate), estCell(g.TPR), estCell(g.FPR), estCell(g.FNR), estCell(g.PPV))
			}
		}
	}
	s.table(t)
	v := newTable(fmt.Sprintf("%s: verdicts at each sweep threshold", evalLabel(e)),
		"threshold", "verdict", "attribute", "group vs reference", "gap", "estimate", "CI", "allowed")
	v.Verdict = 1
	v.numeric(0, 5)
	for _, a := range e.FairnessSweep {
		for _, vd := range a.Verdicts {
			v.add(dec(a.Threshold, 3), string(vd.Outcome), vd.Attribute, groupsVs(vd.Group, vd.Reference), gapLabel(vd.Metric), estCell(vd.Estimate), estInterval(vd.Lower, vd.Upper), allowedText(vd.AllowedLow, vd.AllowedHigh))
		}
	}
	if len(v.Rows) > 0 {
		s.table(v)
	}
}

// gapLabel names a gap metric in tables and plots. Every measure has one
// name everywhere (spec, command line, JSON, CSV, terminal, reports): the
// fairlearn-style identifier itself, e.g. "selection_rate_ratio".
func gapLabel(metric string) string { return metric }

func allowedText(lo, hi float64) string {
	if lo == -hi {
		return "±" + dec2(hi)
	}
	return dec2(lo) + " to " + dec2(hi)
}

// riskSection lists the students advisors should call first.
func riskSection(risk *results.RiskList, rows int) docSection {
	s := docSection{ID: sectionRisk, Title: "Who should advisors call first"}
	if risk == nil || len(risk.Students) == 0 {
		s.text("The run produced no risk list (no fitted model's scores to rank).")
		return s
	}
	bands := map[string]int{}
	for _, st := range risk.Students {
		bands[st.Band]++
	}
	ids := "pseudonymous keys, not real ids"
	if !risk.Pseudonymized {
		ids = "real student ids (the spec opted in)"
	}
	s.text("Students of %s ranked by the %s model's risk score, highest first: %d in the high band (flagged: score %s or more), %d in the medium band (the next 20%% of students by rank), %d low. Students are shown by %s. The top %d are listed here; risk_list.csv holds all %d.",
		dayText(risk.Cutoff)+", split "+risk.Split, risk.Model, bands["high"], dec(risk.Threshold, 3), bands["medium"], bands["low"], ids, min(rows, len(risk.Students)), len(risk.Students))
	s.Blocks = append(s.Blocks, docBlock{Risk: &riskBlock{List: risk, Show: rows}})
	return s
}

// riskReasons returns a student's top three reasons in words.
func riskReasons(list *results.RiskList, s results.RiskStudent) []string {
	var out []string
	for i, r := range s.Reasons {
		if i == 3 {
			break
		}
		out = append(out, LabelledReasonWords(r, s.Features, list.Cutoff, list.Labels))
	}
	return out
}

// dataSection shows the data behind the run, what cleaning removed, the
// focus model's feature importance and grid selection, and the warnings.
func dataSection(run *results.Run, focus *results.Evaluation) docSection {
	s := docSection{ID: sectionData, Title: "Data, features and warnings"}
	for _, d := range run.Datasets {
		t := newTable(fmt.Sprintf("Dataset %s (%s): students per cutoff and term", d.Name, d.Kind), "cutoff", "term", "students", "at risk", "rate")
		t.numeric(2, 3, 4)
		var cleaning []string
		for _, c := range d.Cutoffs {
			t.add(cutoffValue(c.Day), "all", strconv.Itoa(c.Rows), strconv.Itoa(c.Positives), dec(percent(c.Positives, c.Rows)/100, 3))
			for _, term := range c.Terms {
				t.add(cutoffValue(c.Day), term.Term, strconv.Itoa(term.Rows), strconv.Itoa(term.Positives), dec(percent(term.Positives, term.Rows)/100, 3))
			}
			for _, cl := range c.Cleaning {
				if cl.Count == 0 {
					continue
				}
				cleaning = append(cleaning, fmt.Sprintf("%s: %d %s (%s)", dayText(c.Day), cl.Count, cl.Rule, cl.Detail))
			}
			for _, n := range c.Notes {
				cleaning = append(cleaning, dayText(c.Day)+": "+n)
			}
		}
		s.table(t)
		if len(cleaning) > 0 {
			s.text("Cleaning and exclusions of %s (rules with a zero count omitted):", d.Name)
			s.items(cleaning)
		}
	}
	if rows := leakageRows(run); len(rows) > 0 {
		t := newTable("Leakage suspects: features that predict the outcome too well on the training rows (a single-feature AUC above 0.9, or missingness that nearly determines the outcome); check how each is measured before trusting the models",
			"dataset", "cutoff", "split", "feature", "check", "training AUC", "rows missing", "at-risk rate when missing", "at-risk rate when present")
		t.numeric(1, 5, 6, 7, 8)
		for _, r := range rows {
			sp := r.suspect
			auc, miss, rm, rp := undefinedCell, undefinedCell, undefinedCell, undefinedCell
			if sp.AUC != nil {
				auc = dec(*sp.AUC, 3)
			}
			if sp.Kind == leakage.KindMissingness {
				miss = strconv.Itoa(sp.MissingRows)
				rm, rp = dec(*sp.MissingAtRiskRate, 3), dec(*sp.PresentAtRiskRate, 3)
			}
			t.add(r.dataset, cutoffValue(r.cutoff), r.split, sp.Feature, leakageCheck(sp.Kind), auc, miss, rm, rp)
		}
		s.table(t)
	}
	if focus != nil && len(focus.Importance) > 0 {
		t := newTable(fmt.Sprintf("Permutation importance of %s: drop in test AUC when the feature is shuffled (mean and standard deviation over repeats), top 10", evalLabel(focus)),
			"feature", "AUC drop", "sd")
		t.numeric(1, 2)
		for i, im := range focus.Importance {
			if i == 10 {
				break
			}
			t.add(im.Feature, dec(im.Mean, 4), dec(im.SD, 4))
		}
		s.table(t)
	}
	if focus != nil && focus.Selection != nil {
		sel := focus.Selection
		s.text("%s chose its parameters by %s on %s (%d rows, metric %s): %s.", focus.Model, sel.Method, sel.ValidationTerm, sel.ValidationRows, sel.Metric, paramsText(sel.Chosen))
	}
	var notes []string
	notes = append(notes, run.Warnings...)
	for _, e := range run.Evaluations {
		for _, n := range e.Notes {
			notes = append(notes, evalLabel(&e)+": "+n)
		}
		if e.Uncertainty != nil {
			for _, n := range e.Uncertainty.Notes {
				notes = append(notes, evalLabel(&e)+": "+n)
			}
		}
	}
	if len(notes) > 0 {
		s.text("Warnings and notes:")
		s.items(notes)
	}
	return s
}

// leakageRow is one leakage suspect of one fold.
type leakageRow struct {
	dataset, split string
	cutoff         *int
	suspect        leakage.Suspect
}

// leakageRows lists the leakage suspects of every fold once (the models
// of a fold share its features), in the order of the evaluations.
func leakageRows(run *results.Run) []leakageRow {
	var out []leakageRow
	seen := map[string]bool{}
	for i := range run.Evaluations {
		e := &run.Evaluations[i]
		for _, sp := range e.Features.LeakageSuspects {
			k := fmt.Sprintf("%s|%s|%s|%s|%s", e.Dataset, cutoffValue(e.Cutoff), e.Split, sp.Feature, sp.Kind)
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, leakageRow{dataset: e.Dataset, cutoff: e.Cutoff, split: e.Split, suspect: sp})
		}
	}
	return out
}

func leakageCheck(kind string) string {
	if kind == leakage.KindMissingness {
		return "missingness nearly determines the outcome"
	}
	return "single-feature AUC above 0.9"
}

func paramsText(p map[string]any) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s = %v", k, p[k]))
	}
	return strings.Join(parts, ", ")
}
