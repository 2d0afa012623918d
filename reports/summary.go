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

// PlainSummary returns the plain-language summary at the top of every
// report, one paragraph per question, generated from the numbers of run
// and risk (risk may be nil): what the focus model finds at its threshold,
// which model ranks students best and whether the difference was tested,
// how early the risk can be told (with several cutoffs), how sure the
// numbers are, how well the probabilities are calibrated, whether the
// model is fair by the spec's thresholds, and whom advisors should call
// first and why, then each intervention pilot's own summary
// (run.Abtests), its sentences joined, and a sentence per event log (the
// largest drop in active students, how many stopped, the commonest
// engagement pattern with its at-risk rate). The focus evaluation is the risk list's, else the
// first fitted model's (see focusEvaluation). A run without evaluations
// yields the pilots' sentences, or a single sentence saying it evaluated
// no model. Nothing is recomputed: every number is a
// field of run or risk.
func PlainSummary(run *results.Run, risk *results.RiskList) []string {
	var pilots []string
	for _, p := range run.Abtests {
		if p != nil && len(p.Summary) > 0 {
			parts := make([]string, len(p.Summary))
			for i, line := range p.Summary {
				if !strings.HasSuffix(line, ".") {
					line += "."
				}
				parts[i] = line
			}
			pilots = append(pilots, "Intervention pilot "+p.Name+": "+strings.Join(parts, " "))
		}
	}
	pilots = append(pilots, eventLogSentences(run)...)
	f := focusEvaluation(run, risk)
	if f == nil {
		if len(pilots) > 0 {
			return pilots
		}
		return []string{"The run evaluated no model."}
	}
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
		}
	}
	add(headlineSentence(run, f))
	add(bestModelSentence(run, f))
	add(howEarlySentence(run, f))
	add(howSureSentence(f))
	add(calibrationSentence(f))
	add(leakageSentence(run))
	out = append(out, fairnessSentences(run, f)...)
	add(whoToCallSentence(risk))
	return append(out, pilots...)
}

// policyPhrase describes a threshold policy (as metrics.ThresholdPolicy
// String writes it) as the start of a sentence.
func policyPhrase(policy string) string {
	inner := func(prefix string) (string, bool) {
		if strings.HasPrefix(policy, prefix+"(") && strings.HasSuffix(policy, ")") {
			return policy[len(prefix)+1 : len(policy)-1], true
		}
		return "", false
	}
	if v, ok := inner("top_fraction"); ok {
		if x, err := strconv.ParseFloat(v, 64); err == nil {
			return "Flagging the " + strconv.FormatFloat(100*x, 'g', 4, 64) + "% highest-risk students"
		}
	}
	if v, ok := inner("top_k"); ok {
		return "Flagging the " + v + " highest-risk students"
	}
	if v, ok := inner("value"); ok {
		return "Flagging students whose risk score is at least " + v
	}
	if v, ok := inner("target_recall"); ok {
		if x, err := strconv.ParseFloat(v, 64); err == nil {
			return "Flagging students above the threshold chosen on training data for " + strconv.FormatFloat(100*x, 'g', 4, 64) + "% recall"
		}
	}
	if policy == "max_f1" {
		return "Flagging students above the threshold that maximised F1 on training data"
	}
	if v, ok := inner("min_cost"); ok {
		return "Flagging students above the least-cost threshold (" + v + ")"
	}
	if policy == "" {
		return "Flagging students above the threshold"
	}
	return "Flagging students by the policy " + policy
}

// headlineSentence says what the focus model finds at its threshold.
func headlineSentence(run *results.Run, f *results.Evaluation) string {
	m := f.Metrics
	var b strings.Builder
	b.WriteString(policyPhrase(run.ThresholdPolicy))
	if f.Cutoff != nil {
		fmt.Fprintf(&b, " on day %d", *f.Cutoff)
	}
	fmt.Fprintf(&b, " (%d of %d test students in %s), the %s model", m.Flagged, m.N, strings.Join(f.TestTerms, " and "), f.Model)
	if m.Recall == nil {
		fmt.Fprintf(&b, " has no defined recall (%s).", undefinedReason(m.Undefined, "recall"))
		return b.String()
	}
	fmt.Fprintf(&b, " finds %s%%", wholePercent(*m.Recall))
	if iv := bootInterval(f, "recall"); iv != nil {
		fmt.Fprintf(&b, " (%s%%)", rangeText(wholePercent(iv.Lower), wholePercent(iv.Upper)))
	}
	fmt.Fprintf(&b, " of the %d students who turned out to be at risk", m.Positives)
	if m.Precision != nil {
		fmt.Fprintf(&b, "; %s%%", wholePercent(*m.Precision))
		if iv := bootInterval(f, "precision"); iv != nil {
			fmt.Fprintf(&b, " (%s%%)", rangeText(wholePercent(iv.Lower), wholePercent(iv.Upper)))
		}
		b.WriteString(" of the students it flags are at risk")
	}
	fmt.Fprintf(&b, " (the base rate is %s%%).", wholePercent(m.BaseRate))
	return b.String()
}

func undefinedReason(reasons map[string]string, key string) string {
	if r, ok := reasons[key]; ok && r != "" {
		return r
	}
	return "undefined"
}

// bestModelSentence ranks the models of the focus fold by AUC and says
// whether the leader's difference from the runner-up (or the baseline)
// was tested.
func bestModelSentence(run *results.Run, f *results.Evaluation) string {
	var evals []*results.Evaluation
	for i := range run.Evaluations {
		e := &run.Evaluations[i]
		if keyOf(e) == keyOf(f) && e.Metrics.AUC != nil {
			evals = append(evals, e)
		}
	}
	if len(evals) < 2 {
		return ""
	}
	sort.SliceStable(evals, func(a, b int) bool { return *evals[a].Metrics.AUC > *evals[b].Metrics.AUC })
	best, second := evals[0], evals[1]
	var b strings.Builder
	fmt.Fprintf(&b, "Best at ranking students by risk (AUC, %s): %s with %s", dayText(f.Cutoff), best.Model, aucWithCI(best))
	for i, e := range evals[1:] {
		sep := ", then "
		if i > 0 {
			sep = ", "
		}
		fmt.Fprintf(&b, "%s%s %s", sep, e.Model, aucWithCI(e))
	}
	b.WriteString(".")
	if c := findComparison(run, best, second); c != nil {
		fmt.Fprintf(&b, " %s", comparisonClause(c, best.Model, second.Model))
	} else {
		fmt.Fprintf(&b, " The run did not compare %s with %s directly", best.Model, second.Model)
		bi, si := aucDeLong(best), aucDeLong(second)
		if bi != nil && si != nil {
			if bi.Lower > si.Upper {
				b.WriteString("; their AUC intervals do not overlap")
			} else {
				b.WriteString("; their AUC intervals overlap")
			}
		}
		b.WriteString(".")
		for i := range run.Comparisons {
			c := &run.Comparisons[i]
			if c.Dataset == best.Dataset && sameCutoff(c.Cutoff, best.Cutoff) && c.Split == best.Split && c.ModelA == best.Model && c.DeLong != nil {
				fmt.Fprintf(&b, " %s", comparisonClause(c, best.Model, c.ModelB))
				break
			}
		}
	}
	return b.String()
}

func aucWithCI(e *results.Evaluation) string {
	s := dec(*e.Metrics.AUC, 3)
	if iv := aucDeLong(e); iv != nil {
		s += " (" + rangeText(dec(iv.Lower, 3), dec(iv.Upper, 3)) + ")"
	}
	return s
}

// findComparison returns the comparison of two evaluations' models on
// their fold, in either direction, with a DeLong test; nil when absent.
func findComparison(run *results.Run, a, b *results.Evaluation) *results.Comparison {
	for i := range run.Comparisons {
		c := &run.Comparisons[i]
		if c.Dataset != a.Dataset || !sameCutoff(c.Cutoff, a.Cutoff) || c.Split != a.Split || c.DeLong == nil {
			continue
		}
		if (c.ModelA == a.Model && c.ModelB == b.Model) || (c.ModelA == b.Model && c.ModelB == a.Model) {
			return c
		}
	}
	return nil
}

// comparisonClause states a DeLong comparison from the point of view of
// model over other.
func comparisonClause(c *results.Comparison, model, other string) string {
	d := c.DeLong
	diff, lo, hi := d.Diff, d.Lower, d.Upper
	if c.ModelA != model {
		diff, lo, hi = -diff, -hi, -lo
	}
	verdict := "the difference is not significant"
	if d.PHolm < 0.05 {
		verdict = "the difference is significant"
	}
	return fmt.Sprintf("Against %s its AUC is %s higher (%s), Holm-adjusted p %s over %d DeLong tests: %s at the 5%% level.",
		other, signedDec(diff), rangeText(signedDec(lo), signedDec(hi)), pWords(d.PHolm), d.Tests, verdict)
}

func signedDec(v float64) string { return dec(v, 3) }

// pWords writes a p-value for a sentence: "< 0.001" or "= 0.042".
func pWords(p float64) string {
	if p < 0.001 {
		return "< 0.001"
	}
	return "= " + dec(p, 3)
}

// howEarlySentence gives the focus model's AUC at every cutoff of its
// dataset and split, when there are several.
func howEarlySentence(run *results.Run, f *results.Evaluation) string {
	var parts []string
	for i := range run.Evaluations {
		e := &run.Evaluations[i]
		if e.Dataset != f.Dataset || e.Split != f.Split || e.Model != f.Model || e.Cutoff == nil || e.Metrics.AUC == nil {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s on day %d", aucWithCI(e), *e.Cutoff))
	}
	if len(parts) < 2 {
		return ""
	}
	return fmt.Sprintf("How early can we tell: the %s model's AUC is %s.", f.Model, joinWords(parts))
}

// joinWords joins "a", "b" and "c" as "a, b and c".
func joinWords(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// howSureSentence says what the intervals are.
func howSureSentence(f *results.Evaluation) string {
	u := f.Uncertainty
	if u == nil {
		return fmt.Sprintf("How sure: the run computed no intervals; the numbers come from %d test students and carry sampling error.", f.Metrics.N)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "How sure: the ranges in brackets are %s intervals", levelPercent(u.Level))
	var parts []string
	if u.AUCDeLong != nil {
		parts = append(parts, "DeLong's for the AUC")
	}
	if bs := u.Bootstrap; bs != nil {
		kind := "BCa"
		if u.Interval == "percentile" {
			kind = "percentile"
		}
		parts = append(parts, fmt.Sprintf("%s bootstrap intervals (%d %s replicates) for the other metrics", kind, bs.Replicates, bs.Scheme))
	}
	if len(parts) > 0 {
		b.WriteString(" (" + joinWords(parts) + ")")
	}
	fmt.Fprintf(&b, " over the %d test students; they describe the sampling variation of the test set at the chosen threshold, not of choosing it.", f.Metrics.N)
	return b.String()
}

// calibrationSentence describes the focus model's calibration.
func calibrationSentence(f *results.Evaluation) string {
	c := f.Calibration
	if c == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Calibration: the %s model's predicted risks are off by %s points on average (expected calibration error %s)", f.Model, dec(100*c.ECE, 1), dec(c.ECE, 3))
	if c.Slope != nil {
		fmt.Fprintf(&b, "; calibration slope %s (1 is ideal, below 1 means overconfident)", dec(*c.Slope, 2))
	}
	if c.Intercept != nil {
		dir := "the mean predicted risk matches the observed rate"
		switch {
		case *c.Intercept > 0:
			dir = "positive means predicted risks are too low on average"
		case *c.Intercept < 0:
			dir = "negative means predicted risks are too high on average"
		}
		fmt.Fprintf(&b, "; calibration-in-the-large %s on the log-odds scale (0 is ideal; %s)", dec(*c.Intercept, 2), dir)
	}
	if c.Slope == nil && c.Undefined != "" {
		fmt.Fprintf(&b, "; no slope: %s", c.Undefined)
	}
	b.WriteString(".")
	if r := f.Recalibrated; r != nil && r.Calibration != nil {
		fmt.Fprintf(&b, " After %s recalibration (fitted on %s) the error is %s points.", r.Method, r.FittedOn, dec(100*r.Calibration.ECE, 1))
	}
	return b.String()
}

// leakageSentence names the leakage suspects, features that predict the
// outcome too well on the training rows, with their numbers.
func leakageSentence(run *results.Run) string {
	rows := leakageRows(run)
	if len(rows) == 0 {
		return ""
	}
	var names []string
	seen := map[string]bool{}
	for _, r := range rows {
		sp := r.suspect
		var w string
		if sp.Kind == leakage.KindMissingness {
			w = fmt.Sprintf("%s (%d training rows missing it, %s%% of them at risk against %s%% of the others)", sp.Feature, sp.MissingRows,
				dec(100**sp.MissingAtRiskRate, 0), dec(100**sp.PresentAtRiskRate, 0))
		} else {
			w = fmt.Sprintf("%s (training AUC %s on its own)", sp.Feature, dec(*sp.AUC, 3))
		}
		if !seen[sp.Feature+sp.Kind] {
			seen[sp.Feature+sp.Kind] = true
			names = append(names, w)
		}
	}
	const most = 4
	more := ""
	if len(names) > most {
		more = fmt.Sprintf(" and %d more", len(names)-most)
		names = names[:most]
	}
	return fmt.Sprintf("Possible leakage: %s%s predict the outcome too well to be trusted as known on the prediction day; check how they are measured (table in the data section).", strings.Join(names, "; "), more)
}

// FailingChecks names every failing fairness verdict of run, in the
// order of the evaluations, as "fnr_difference of disability Y vs N
// (logistic, day 28, split 2013-to-2014)".
func FailingChecks(run *results.Run) []string {
	var out []string
	for _, e := range run.Evaluations {
		if e.Fairness == nil {
			continue
		}
		for _, v := range e.Fairness.Verdicts {
			if v.Outcome == fairness.Fail {
				out = append(out, fmt.Sprintf("%s of %s %s (%s, %s, split %s)", v.Metric, v.Attribute, groupsVs(v.Group, v.Reference), e.Model, dayText(e.Cutoff), e.Split))
			}
		}
	}
	return out
}

// fairnessSentences give the overall fairness status and the focus
// audit's verdicts in words, failures first.
func fairnessSentences(run *results.Run, f *results.Evaluation) []string {
	counts := map[fairness.Outcome]int{}
	audits, total := 0, 0
	for _, e := range run.Evaluations {
		if e.Fairness == nil {
			continue
		}
		audits++
		for _, v := range e.Fairness.Verdicts {
			counts[v.Outcome]++
			total++
		}
	}
	if audits == 0 {
		return nil
	}
	if total == 0 {
		return []string{fmt.Sprintf("Fairness: the spec sets no thresholds, so the %d audited evaluations have no verdicts (status %s); the group tables below show the gaps.", audits, run.FairnessStatus)}
	}
	first := fmt.Sprintf("Is it fair by the spec's thresholds? %s: %s in %s: %d FAIL, %d INCONCLUSIVE (the interval straddles the limit, so the data cannot tell), %d PASS.",
		run.FairnessStatus, plural(total, "check"), plural(audits, "audited evaluation"), counts[fairness.Fail], counts[fairness.Inconclusive], counts[fairness.Pass])
	if failing := FailingChecks(run); len(failing) > 0 {
		const named = 5
		lead := "The failing check: "
		if len(failing) > 1 {
			lead = "The failing checks: "
		}
		list := failing
		if len(list) > named {
			list = append(list[:named:named], fmt.Sprintf("%d more in the fairness section", len(failing)-named))
		}
		first += " " + lead + strings.Join(list, "; ") + "."
	}
	out := []string{first}
	a := focusAudit(run, f)
	if a == nil || len(a.Fairness.Verdicts) == 0 {
		return out
	}
	order := []fairness.Outcome{fairness.Fail, fairness.Inconclusive, fairness.Pass}
	const most = 4
	shown := 0
	var b strings.Builder
	fmt.Fprintf(&b, "For the %s model on %s:", a.Model, dayText(a.Cutoff))
	for _, o := range order {
		for _, v := range a.Fairness.Verdicts {
			if v.Outcome != o || shown == most {
				continue
			}
			b.WriteString(" " + VerdictWords(v))
			shown++
		}
	}
	if rest := len(a.Fairness.Verdicts) - shown; rest > 0 {
		fmt.Fprintf(&b, " (%d more in the fairness section.)", rest)
	}
	return append(out, b.String())
}

// rateNames says what each audited rate is, in words.
var rateNames = map[string]string{
	"selection_rate": "selection rate (share of students flagged)",
	"tpr":            "detection rate (share of at-risk students flagged)",
	"fpr":            "false-alarm rate (share of students not at risk who are flagged)",
	"fnr":            "miss rate (share of at-risk students not flagged)",
	"tnr":            "share of students not at risk left unflagged",
	"ppv":            "precision (share of flagged students who are at risk)",
	"npv":            "share of unflagged students who are not at risk",
	"fdr":            "false-discovery rate (share of flagged students not at risk)",
	"for":            "false-omission rate (share of unflagged students at risk)",
	"equalized_odds": "larger of its detection-rate and false-alarm-rate gaps",
	"ece":            "calibration error",
	"auc":            "AUC",
}

// VerdictWords states a fairness verdict in plain words, e.g. "Its miss
// rate (share of at-risk students not flagged) for disability = Y is 6
// points higher than for disability = N (1 to 11 points), beyond the
// allowed ±5 points: FAIL." Differences of rates are in percentage
// points, ratios as "times", AUC differences and ABROCA as numbers.
func VerdictWords(v fairness.Verdict) string {
	who := func(g string) string { return v.Attribute + " = " + g }
	between := v.Group == ""
	base, isRatio := strings.CutSuffix(v.Metric, "_ratio")
	if !isRatio {
		base = strings.TrimSuffix(v.Metric, "_difference")
	}
	points := base != "auc" && base != "abroca"
	scale := func(x float64) string {
		if points {
			return dec(100*x, 0)
		}
		return dec(x, 3)
	}
	name := rateNames[base]
	if name == "" {
		name = base
	}
	var claim, ivText, limit string
	switch {
	case !v.Estimate.Defined:
		claim = fmt.Sprintf("The %s gap for %s cannot be computed (%s)", v.Metric, v.Attribute, v.Estimate.Reason)
	case base == "abroca":
		claim = fmt.Sprintf("The area between the ROC curves of %s and %s (ABROCA) is %s", who(v.Group), who(v.Reference), dec(v.Estimate.Value, 3))
	case isRatio && between:
		claim = fmt.Sprintf("Among %s groups the lowest %s is %s times the highest", v.Attribute, name, dec(v.Estimate.Value, 2))
	case isRatio:
		claim = fmt.Sprintf("Its %s for %s is %s times that for %s", name, who(v.Group), dec(v.Estimate.Value, 2), who(v.Reference))
	case between:
		claim = fmt.Sprintf("Its %s differs by %s%s between the highest and lowest %s groups", name, scale(v.Estimate.Value), unitWord(points), v.Attribute)
	default:
		dir := "higher"
		if v.Estimate.Value < 0 {
			dir = "lower"
		}
		mag := v.Estimate.Value
		if mag < 0 {
			mag = -mag
		}
		claim = fmt.Sprintf("Its %s for %s is %s%s %s than for %s", name, who(v.Group), scale(mag), unitWord(points), dir, who(v.Reference))
	}
	if v.Lower.Defined && v.Upper.Defined {
		if isRatio {
			ivText = " (" + rangeText(dec(v.Lower.Value, 2), dec(v.Upper.Value, 2)) + ")"
		} else {
			ivText = " (" + rangeText(scale(v.Lower.Value), scale(v.Upper.Value)) + unitWord(points) + ")"
		}
	}
	switch {
	case isRatio:
		limit = "the allowed " + dec2(v.AllowedLow) + " to " + dec2(v.AllowedHigh)
	case v.AllowedLow == -v.AllowedHigh:
		limit = "the allowed ±" + scaleLimit(v.AllowedHigh, points)
	default:
		limit = "the allowed " + scaleLimit(v.AllowedLow, points) + " to " + scaleLimit(v.AllowedHigh, points)
	}
	var judged string
	switch v.Outcome {
	case fairness.Pass:
		judged = "within " + limit
	case fairness.Fail:
		judged = "beyond " + limit
	default:
		if !v.Estimate.Defined || !v.Lower.Defined || !v.Upper.Defined {
			judged = "no interval to judge against " + limit
		} else {
			judged = "the interval straddles " + limit
		}
	}
	return claim + ivText + ", " + judged + ": " + string(v.Outcome) + "."
}

// plural writes "1 check" or "3 checks".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func unitWord(points bool) string {
	if points {
		return " points"
	}
	return ""
}

func dec2(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

func scaleLimit(v float64, points bool) string {
	if points {
		return strconv.FormatFloat(100*v, 'g', 4, 64) + " points"
	}
	return dec2(v)
}

// reasonLabels name the features behind risk-list reasons for the
// "most frequent reasons" sentence.
var reasonLabels = map[string]string{
	"missed":                   "missed assessments",
	"submitted":                "few assessments submitted",
	"mean_score":               "low assessment scores",
	"late_submissions":         "late submissions",
	"clicks_total":             "little VLE activity",
	"active_days":              "few active days",
	"days_since_last_activity": "days since the last VLE activity",
	"num_of_prev_attempts":     "previous attempts at the module",
	"studied_credits":          "credits studied",
}

func reasonLabel(feature string) string {
	if l, ok := reasonLabels[feature]; ok {
		return l
	}
	if strings.HasPrefix(feature, "clicks_week_") {
		return "clicks in week " + strings.TrimPrefix(feature, "clicks_week_")
	}
	if strings.HasPrefix(feature, "clicks_type_") {
		return "few clicks on VLE " + strings.TrimPrefix(feature, "clicks_type_") + " material"
	}
	if name, ok := strings.CutSuffix(feature, "_missing"); ok {
		return strings.ReplaceAll(name, "_", " ") + " unknown"
	}
	if name, level, ok := strings.Cut(feature, "="); ok {
		return name + " " + level
	}
	return strings.ReplaceAll(feature, "_", " ")
}

// whoToCallSentence says whom advisors should call first and why.
func whoToCallSentence(risk *results.RiskList) string {
	if risk == nil || len(risk.Students) == 0 {
		return ""
	}
	bands := map[string]int{}
	featureCount := map[string]int{}
	for _, s := range risk.Students {
		bands[s.Band]++
		if s.Band == "high" {
			for i, r := range s.Reasons {
				if i == 3 {
					break
				}
				featureCount[r.Feature]++
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Who to call first: the %s in the high band (flagged by the %s model, risk score %s or more), highest risk first", plural(bands["high"], "student"), risk.Model, dec(risk.Threshold, 3))
	if bands["medium"] > 0 {
		fmt.Fprintf(&b, ", then the %d in the medium band if there is capacity", bands["medium"])
	}
	b.WriteString(".")
	type fc struct {
		f string
		n int
	}
	var top []fc
	for f, n := range featureCount {
		top = append(top, fc{f, n})
	}
	sort.Slice(top, func(i, j int) bool {
		if top[i].n != top[j].n {
			return top[i].n > top[j].n
		}
		return top[i].f < top[j].f
	})
	if len(top) > 3 {
		top = top[:3]
	}
	if len(top) > 0 {
		var parts []string
		for _, t := range top {
			parts = append(parts, fmt.Sprintf("%s (%d of %d)", reasonLabel(t.f), t.n, bands["high"]))
		}
		fmt.Fprintf(&b, " The most frequent reasons among them: %s.", joinWords(parts))
	}
	first := risk.Students[0]
	fmt.Fprintf(&b, " First on the list: student %s (%s, %s, risk %s)", first.Key, first.Course, first.Term, dec(first.Score, 2))
	var reasons []string
	for i, r := range first.Reasons {
		if i == 3 {
			break
		}
		reasons = append(reasons, LabelledReasonWords(r, first.Features, risk.Cutoff, risk.Labels))
	}
	if len(reasons) > 0 {
		b.WriteString(": " + strings.Join(reasons, "; "))
	}
	b.WriteString(".")
	return b.String()
}

// eventLogSentences states, per event log, the week with the largest fall
// in active students, how many students stopped early and the commonest
// weekly engagement pattern with its at-risk rate.
func eventLogSentences(run *results.Run) []string {
	var out []string
	for _, l := range run.EventLogs {
		d := l.Description
		if d == nil {
			continue
		}
		var parts []string
		if len(d.LargestDrops) > 0 {
			dr := d.LargestDrops[0]
			parts = append(parts, fmt.Sprintf("the largest fall in active students came in week %d (%d to %d, %s%% fewer)", dr.Week, dr.ActiveBefore, dr.Active, dec(100*dr.RelativeDrop, 0)))
		}
		parts = append(parts, fmt.Sprintf("%s stopped at least %d days before day %d", studentsText(len(d.Stopped)), d.QuietDays, d.EndDay))
		if len(d.Patterns) > 0 {
			p := d.Patterns[0]
			s := fmt.Sprintf("the commonest pattern of weekly activity over weeks 0 to %d, %s (%s)", len(p.Pattern)-1, patternCell(p), studentsText(p.Students))
			if p.OutcomeRate != nil {
				s += fmt.Sprintf(", had an at-risk rate of %s%%", dec(100**p.OutcomeRate, 1))
			}
			parts = append(parts, s)
		}
		out = append(out, "Event log "+l.Dataset+": "+strings.Join(parts, "; ")+".")
	}
	return out
}
