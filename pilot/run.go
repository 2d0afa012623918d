package pilot

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/evalrun/evalrun/abtest"
)

// Result is the analysis of one pilot: what was read, the plan, abtest's
// analysis, the monitoring boundaries and a plain-language summary. It is
// deterministic (no timestamps) and encodes as JSON; docs/pilots.md
// describes the fields.
type Result struct {
	Name   string `json:"name"`
	Inputs Inputs `json:"inputs"`
	// Analysis is abtest.Analyze's result: checks, effects with
	// multiplicity control, subgroups, complier effects, the target.
	Analysis abtest.Analysis `json:"analysis"`
	// ExtraBalance holds the balance (standardized mean differences, all
	// assigned units) of the declared covariates and attributes that the
	// plan does not use; Analysis.Checks.Balance covers the adjust_for and
	// pre_period covariates and the subgroup attributes.
	ExtraBalance []abtest.ArmBalance `json:"extra_balance,omitempty"`
	// Sequential is the group-sequential monitoring, when declared.
	Sequential *SequentialResult `json:"sequential,omitempty"`
	// Design is Power(DesignRequest(spec)): the planned sample size, power
	// and power curve, when the spec has [abtests.design].
	Design *PowerOutput `json:"design,omitempty"`
	// Summary states the results in plain language, the sample-ratio
	// alarm first.
	Summary []string `json:"summary"`
	// PowerAtPilotSize is the design's power at the size the pilot
	// reached (with [abtests.design] and an effect to detect).
	PowerAtPilotSize *PilotPower `json:"power_at_pilot_size,omitempty"`
	// Warnings lists everything a report must show: Analysis.Warnings,
	// then warnings of the extra balance and the monitoring, then the
	// deviations from the pre-registered plan.
	Warnings []string `json:"warnings,omitempty"`
	// Preregistration compares the analysis with the plan lock the spec
	// names (plan_lock); nil without one.
	Preregistration *Preregistration `json:"preregistration,omitempty"`
}

// Inputs records what the analysis was run on.
type Inputs struct {
	Spec Spec        `json:"spec"`
	Data LoadReport  `json:"data"`
	Plan abtest.Plan `json:"plan"`
}

// SequentialResult is the group-sequential monitoring of one comparison.
type SequentialResult struct {
	Arm     string `json:"arm"`
	Outcome string `json:"outcome"`
	// Spending is the Lan-DeMets spending function, Alpha the overall
	// two-sided level.
	Spending abtest.SpendingFunction `json:"spending"`
	Alpha    float64                 `json:"alpha"`
	// Boundaries holds every planned look's boundary.
	Boundaries []abtest.Boundary `json:"boundaries"`
	// Looks holds the looks done so far with their statistics.
	Looks []abtest.SequentialLook `json:"looks"`
	// Source is "spec" (the z statistics of sequential.z) or "look column"
	// (each look analysed on the units of looks 1..k; its z is the normal
	// score of the primary analysis' two-sided p-value, signed like the
	// estimate).
	Source string `json:"source"`
	// CrossedAt is the first look whose boundary was crossed (0: none).
	CrossedAt int `json:"crossed_at"`
	// Statement says where the monitoring stands.
	Statement string `json:"statement"`
}

// Resolve returns path resolved against baseDir when it is relative.
func Resolve(baseDir, path string) string {
	if path == "" || filepath.IsAbs(path) || baseDir == "" {
		return path
	}
	return filepath.Join(baseDir, path)
}

// Run checks the spec, reads its data (the data path resolved against
// baseDir), runs abtest.Analyze with the plan the spec declares and, when
// declared, the group-sequential monitoring, and writes the summary.
// Errors: a spec that fails Check (*SpecError), a data file with problems
// (*DataFileError), and data the plan cannot be applied to (abtest's
// errors).
func Run(s Spec, baseDir string) (*Result, error) {
	if err := s.checkErr(""); err != nil {
		return nil, fmt.Errorf("pilot %s: %w", s.Name, err)
	}
	var pre *Preregistration
	if s.PlanLock != "" {
		var err error
		if pre, err = checkPreregistration(s, baseDir); err != nil {
			return nil, fmt.Errorf("pilot %s: %w", s.Name, err)
		}
	}
	p, rep, looks, err := readPilot(Resolve(baseDir, s.Data), s)
	if err != nil {
		return nil, fmt.Errorf("pilot %s: %w", s.Name, err)
	}
	plan := s.Plan()
	a, err := abtest.Analyze(p, plan)
	if err != nil {
		return nil, fmt.Errorf("pilot %s: %w", s.Name, err)
	}
	r := &Result{Name: s.Name, Inputs: Inputs{Spec: s, Data: rep, Plan: plan}, Analysis: a}
	r.ExtraBalance, r.Warnings = extraBalance(p, s)
	if s.Sequential != nil {
		seq, err := monitor(s, plan, p, looks, a)
		if err != nil {
			return nil, fmt.Errorf("pilot %s: sequential monitoring: %w", s.Name, err)
		}
		r.Sequential = seq
	}
	if s.Design != nil {
		req, err := DesignRequest(s)
		if err != nil {
			return nil, fmt.Errorf("pilot %s: design: %w", s.Name, err)
		}
		d, err := Power(req)
		if err != nil {
			return nil, fmt.Errorf("pilot %s: design: %w", s.Name, err)
		}
		r.Design = &d
		if pw, ok := powerAtPilotSize(req, r.Analysis, s.Control); ok {
			r.PowerAtPilotSize = &pw
		}
	}
	r.Warnings = append(analysisWarnings(a), r.Warnings...)
	r.Summary = summarize(r, s)
	if pre != nil {
		r.Preregistration = pre
		w, line := pre.lines()
		r.Warnings = append(r.Warnings, w...)
		r.Summary = append(r.Summary, line)
	}
	return r, nil
}

// analysisWarnings returns a.Warnings with each exclusion warning naming
// its outcome (abtest's "excluded N units: reason" omits it).
func analysisWarnings(a abtest.Analysis) []string {
	out := append([]string(nil), a.Warnings...)
	var idx []int
	for i, w := range out {
		if strings.HasPrefix(w, "excluded ") {
			idx = append(idx, i)
		}
	}
	if len(idx) != len(a.Exclusions) {
		return out
	}
	for k, i := range idx {
		ex := a.Exclusions[k]
		if ex.Outcome != "" {
			out[i] = fmt.Sprintf("excluded %d units from the analysis of %s: %s", ex.Units, ex.Outcome, ex.Reason)
		}
	}
	return out
}

// extraBalance computes the balance of the covariates and attributes the
// plan does not use, on all assigned units, and the warnings it raises.
func extraBalance(p abtest.Pilot, s Spec) ([]abtest.ArmBalance, []string) {
	used := map[string]bool{}
	for _, c := range s.AdjustFor {
		used[c] = true
	}
	for _, o := range s.Outcomes {
		used[o.PrePeriod] = true
	}
	for _, g := range s.Subgroups {
		used["attr:"+g.Attribute] = true
	}
	var out []abtest.ArmBalance
	var warnings []string
	for _, arm := range s.Arms {
		if arm == s.Control {
			continue
		}
		var rows []int
		var treated []bool
		for i, a := range p.Arms {
			if a == arm || a == s.Control {
				rows = append(rows, i)
				treated = append(treated, a == arm)
			}
		}
		ab := abtest.ArmBalance{Arm: arm}
		for _, c := range p.Covariates {
			if used[c.Name] {
				continue
			}
			row, err := abtest.BalanceNumeric(c.Name, pickFloats(c.Values, rows), treated)
			if err != nil {
				warnings = append(warnings, fmt.Sprintf("balance of %s (arm %s) not computed: %v", c.Name, arm, err))
				continue
			}
			ab.Rows = append(ab.Rows, row)
		}
		for _, at := range p.Attributes {
			if used["attr:"+at.Name] {
				continue
			}
			vals := make([]string, len(rows))
			for k, i := range rows {
				vals[k] = at.Values[i]
			}
			rs, suppressed, err := abtest.BalanceCategorical(at.Name, vals, treated, s.MinGroupSize)
			if err != nil {
				warnings = append(warnings, fmt.Sprintf("balance of %s (arm %s) not computed: %v", at.Name, arm, err))
				continue
			}
			ab.Rows = append(ab.Rows, rs...)
			if suppressed > 0 {
				sl := abtest.SuppressedLevels{Covariate: at.Name, Levels: suppressed, MinGroupSize: s.MinGroupSize}
				ab.Suppressed = append(ab.Suppressed, sl)
				warnings = append(warnings, fmt.Sprintf("balance of arm %s: %s", arm, sl))
			}
		}
		for _, row := range ab.Rows {
			if row.Imbalanced {
				warnings = append(warnings, fmt.Sprintf("covariate imbalance in arm %s: %s has standardized mean difference %s (threshold %.1f)", arm, balanceName(row), smdText(row.SMD), abtest.SMDThreshold))
			}
		}
		if len(ab.Rows) > 0 || len(ab.Suppressed) > 0 {
			out = append(out, ab)
		}
	}
	return out, warnings
}

func balanceName(r abtest.BalanceRow) string {
	if r.Level != "" {
		return r.Covariate + "=" + r.Level
	}
	return r.Covariate
}

func smdText(smd *float64) string {
	if smd == nil {
		return "undefined"
	}
	return fmt.Sprintf("%.2f", *smd)
}

func pickFloats(xs []float64, rows []int) []float64 {
	out := make([]float64, len(rows))
	for k, i := range rows {
		out[k] = xs[i]
	}
	return out
}

// monitor computes the boundaries and compares the observed statistics.
func monitor(s Spec, plan abtest.Plan, p abtest.Pilot, looks []int, full abtest.Analysis) (*SequentialResult, error) {
	q := s.Sequential
	spending, _ := parseSpending(q.Spending)
	info := q.Information
	if len(info) == 0 {
		for k := 1; k <= q.Looks; k++ {
			info = append(info, float64(k)/float64(q.Looks))
		}
	}
	res := &SequentialResult{Arm: q.Arm, Outcome: q.Outcome, Spending: spending, Alpha: s.AlphaValue(), Source: "spec"}
	if res.Arm == "" {
		res.Arm = s.firstTreatment()
	}
	if res.Outcome == "" {
		res.Outcome = s.firstPrimary()
	}
	design := abtest.SequentialDesign{Alpha: res.Alpha, Spending: spending, Looks: info}
	bs, err := abtest.GroupSequentialBoundaries(design)
	if err != nil {
		return nil, err
	}
	res.Boundaries = bs
	z := q.Z
	if q.LookColumn != "" {
		res.Source = "look column"
		last := slices.Max(looks)
		for k := 1; k <= last; k++ {
			var e abtest.Effect
			if k == last {
				e, _ = findEffect(full, res.Arm, res.Outcome)
			} else {
				sub := subsetPilot(p, looks, k)
				interim := plan
				interim.Subgroups, interim.Target = nil, nil
				sub.Received = nil
				a, err := abtest.Analyze(sub, interim)
				if err != nil {
					return nil, fmt.Errorf("look %d (units of looks 1 to %d): %w", k, k, err)
				}
				e, _ = findEffect(a, res.Arm, res.Outcome)
			}
			z = append(z, zFromP(e.Estimate, e.PValue))
		}
	}
	if len(z) > 0 {
		observed, err := abtest.MonitorSequential(design, z)
		if err != nil {
			return nil, err
		}
		res.Looks = observed
	}
	for _, l := range res.Looks {
		if l.Crossed {
			res.CrossedAt = l.Look
			break
		}
	}
	res.Statement = sequentialStatement(res, q.Looks)
	return res, nil
}

func findEffect(a abtest.Analysis, arm, outcome string) (abtest.Effect, bool) {
	for _, e := range a.Effects {
		if e.Arm == arm && e.Outcome == outcome {
			return e, true
		}
	}
	return abtest.Effect{}, false
}

// zFromP is the normal score with two-sided p-value p, signed like the
// estimate.
func zFromP(estimate, p float64) float64 {
	z := distuv.UnitNormal.Quantile(1 - p/2)
	if math.IsInf(z, 1) {
		z = 40 // p underflowed to 0: beyond any boundary
	}
	if estimate < 0 {
		z = -z
	}
	return z
}

// subsetPilot keeps the units whose look is at most k.
func subsetPilot(p abtest.Pilot, looks []int, k int) abtest.Pilot {
	var keep []int
	for i, l := range looks {
		if l <= k {
			keep = append(keep, i)
		}
	}
	strs := func(xs []string) []string {
		if xs == nil {
			return nil
		}
		out := make([]string, len(keep))
		for j, i := range keep {
			out[j] = xs[i]
		}
		return out
	}
	out := abtest.Pilot{IDs: strs(p.IDs), Arms: strs(p.Arms), Clusters: strs(p.Clusters), Strata: strs(p.Strata)}
	if p.Received != nil {
		out.Received = pickFloats(p.Received, keep)
	}
	for _, o := range p.Outcomes {
		out.Outcomes = append(out.Outcomes, abtest.Outcome{Name: o.Name, Values: pickFloats(o.Values, keep)})
	}
	for _, c := range p.Covariates {
		out.Covariates = append(out.Covariates, abtest.Covariate{Name: c.Name, Values: pickFloats(c.Values, keep)})
	}
	for _, a := range p.Attributes {
		out.Attributes = append(out.Attributes, abtest.Attribute{Name: a.Name, Values: strs(a.Values)})
	}
	return out
}

func sequentialStatement(r *SequentialResult, planned int) string {
	name := "O'Brien-Fleming"
	if r.Spending == abtest.SpendingPocock {
		name = "Pocock"
	}
	head := fmt.Sprintf("group-sequential monitoring of %s vs control on %s (%s spending, %d planned looks)", r.Arm, r.Outcome, name, planned)
	if len(r.Looks) == 0 {
		return head + ": no look yet"
	}
	if r.CrossedAt > 0 {
		l := r.Looks[r.CrossedAt-1]
		return fmt.Sprintf("%s: look %d at information %s crossed the boundary (z = %.2f, |z| >= %.2f): stop for efficacy", head, l.Look, trimFloat(l.Information), l.Statistic, l.Z)
	}
	l := r.Looks[len(r.Looks)-1]
	next := "continue to the next look"
	if len(r.Looks) == planned {
		next = "final look: no boundary was crossed, the effect is not significant under the sequential design"
	}
	return fmt.Sprintf("%s: look %d at information %s: z = %.2f inside the boundary ±%.2f: %s", head, l.Look, trimFloat(l.Information), l.Statistic, l.Z, next)
}

func trimFloat(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }

// summarize writes the plain-language summary: short sentences a dean
// reads, each outcome's result in words with its direction (the
// outcome's better), the range of plausible effects, whether it could be
// chance, and the pilot's power against the planned power. The tables
// keep the methods and every number.
func summarize(r *Result, s Spec) []string {
	a := r.Analysis
	var out []string
	if a.Checks.SRM.Alarm {
		out = append(out, a.Checks.SRM.Warnings...)
	}
	var sizes []string
	for _, c := range a.Checks.ArmSizes {
		t := fmt.Sprintf("%d in %s", c.Units, c.Arm)
		if c.Clusters > 0 {
			t += fmt.Sprintf(" (%d clusters)", c.Clusters)
		}
		sizes = append(sizes, t)
	}
	out = append(out, fmt.Sprintf("%d units took part: %s.", r.Inputs.Data.Rows, strings.Join(sizes, ", ")))
	level := strconv.FormatFloat(100*s.LevelValue(), 'f', -1, 64) + "%"
	better := map[string]string{}
	for _, o := range s.Outcomes {
		better[o.Name] = o.BetterDirection()
	}
	for _, e := range a.Effects {
		out = append(out, effectSentences(e, s.Control, better[e.Outcome], level)...)
	}
	if a.Target != nil {
		out = append(out, upperFirst(a.Target.Statement)+".")
	}
	for _, c := range a.Compliance {
		if c.CACE == nil {
			out = append(out, fmt.Sprintf("Offering %s did not change who received it, so its effect on those who took it up cannot be estimated.", c.Arm))
			continue
		}
		ci := ""
		if c.CI != nil {
			ci = fmt.Sprintf(" (%s range %s to %s)", level, Sig3(c.CI.Lower), Sig3(c.CI.Upper))
		}
		out = append(out, fmt.Sprintf("Offering %s changed who received it for %s%% of students. Among them, the effect on %s was %s%s.",
			c.Arm, Sig3(100*c.FirstStage), c.Outcome, Sig3(*c.CACE), ci))
	}
	for _, g := range a.Subgroups {
		label := "an exploratory look"
		if !g.Exploratory {
			label = "planned in advance"
		}
		switch {
		case g.Error != "":
			out = append(out, fmt.Sprintf("Subgroups by %s (%s) could not be compared: %s.", g.Attribute, label, g.Error))
		case g.AdjustedP < s.AlphaValue():
			out = append(out, fmt.Sprintf("The effect of %s on %s seems to differ by %s (%s; adjusted p %s).", g.Arm, g.Outcome, g.Attribute, label, PText(g.AdjustedP)))
		default:
			out = append(out, fmt.Sprintf("There is no clear sign that the effect of %s on %s differs by %s (%s; adjusted p %s).", g.Arm, g.Outcome, g.Attribute, label, PText(g.AdjustedP)))
		}
	}
	if q := r.Sequential; q != nil {
		out = append(out, sequentialPlain(q, len(q.Boundaries)))
	}
	out = append(out, powerSentences(r)...)
	if n := len(r.Warnings); n > 0 {
		skip := 0
		if a.Checks.SRM.Alarm {
			skip = len(a.Checks.SRM.Warnings)
		}
		if n-skip > 0 {
			out = append(out, fmt.Sprintf("There are %d further warnings: read them before the results.", n-skip))
		}
	}
	return out
}

// effectSentences say one effect in words: the arms' rates or the
// change, whether it is better or worse by the outcome's direction
// (better is "lower", "higher" or "" for none), the range of plausible
// effects, and whether it could be chance.
func effectSentences(e abtest.Effect, control, better, level string) []string {
	role := "a secondary outcome"
	if e.Primary {
		role = "the primary outcome"
	}
	dir := ""
	if better != "" {
		dir = "; " + better + " is better"
	}
	var out []string
	unit := ""
	amount := Sig3(math.Abs(e.Estimate))
	if e.Kind == abtest.Binary {
		unit = " percentage points"
		amount = strconv.FormatFloat(100*math.Abs(e.Estimate), 'f', 1, 64)
		if p := e.Proportions; p != nil {
			out = append(out, fmt.Sprintf("Outcome %s (%s%s): %s%% with %s, %s%% with %s.", e.Outcome, role, dir,
				strconv.FormatFloat(100*p.P1, 'f', 1, 64), e.Arm, strconv.FormatFloat(100*p.P2, 'f', 1, 64), control))
		} else {
			out = append(out, fmt.Sprintf("Outcome %s (%s%s).", e.Outcome, role, dir))
		}
	} else {
		out = append(out, fmt.Sprintf("Outcome %s (%s%s).", e.Outcome, role, dir))
	}
	change := "did not change it"
	switch {
	case e.Estimate > 0:
		change = "raised it by " + amount + unit
	case e.Estimate < 0:
		change = "lowered it by " + amount + unit
	}
	judge := ""
	switch {
	case better == "" || e.Estimate == 0:
	case (e.Estimate < 0) == (better == BetterLower):
		judge = ", which is better"
	default:
		judge = ", which is worse"
	}
	out = append(out, fmt.Sprintf("Compared with %s, %s %s%s.", control, e.Arm, change, judge))
	if e.Kind == abtest.Binary {
		out = append(out, fmt.Sprintf("The plausible range (%s) runs from %s to %s.", level, signedPoints(e.CI.Lower), signedPoints(e.CI.Upper)))
	} else {
		out = append(out, fmt.Sprintf("The plausible range (%s) runs from %s to %s.", level, Sig3(e.CI.Lower), Sig3(e.CI.Upper)))
	}
	switch {
	case e.Rejected:
		out = append(out, fmt.Sprintf("This is unlikely to be chance (adjusted p %s).", PText(e.AdjustedP)))
	case e.Reason != "":
		out = append(out, fmt.Sprintf("It is not counted as a finding: %s (adjusted p %s).", e.Reason, PText(e.AdjustedP)))
	default:
		out = append(out, fmt.Sprintf("It could be chance (adjusted p %s).", PText(e.AdjustedP)))
	}
	return out
}

// signedPoints writes a risk difference in percentage points with a word
// for its sign: "4.1 percentage points lower", "no change".
func signedPoints(v float64) string {
	p := strconv.FormatFloat(100*math.Abs(v), 'f', 1, 64)
	switch {
	case v < 0:
		return p + " percentage points lower"
	case v > 0:
		return p + " percentage points higher"
	}
	return "no change"
}

// PilotPower is the power of the pilot as run: the design's test at the
// control-arm size the pilot reached, against the power planned.
type PilotPower struct {
	ControlUnits int     `json:"control_units"`
	Power        float64 `json:"power"`
	Planned      float64 `json:"planned"`
}

// powerAtPilotSize computes the design's power at the control arm's
// size in the analysed data; ok is false without an effect to detect or
// a control arm.
func powerAtPilotSize(req PowerRequest, a abtest.Analysis, control string) (PilotPower, bool) {
	n := 0
	for _, c := range a.Checks.ArmSizes {
		if c.Arm == control {
			n = c.Units
		}
	}
	if n == 0 {
		return PilotPower{}, false
	}
	req.N = float64(n)
	out, err := Power(req)
	if err != nil || out.Power == nil {
		return PilotPower{}, false
	}
	return PilotPower{ControlUnits: n, Power: out.Power.Power, Planned: out.Request.Power}, true
}

// sequentialPlain says where group-sequential monitoring stands in plain
// words (SequentialResult.Statement keeps the statistics).
func sequentialPlain(q *SequentialResult, planned int) string {
	switch {
	case len(q.Looks) == 0:
		return fmt.Sprintf("The results of %s on %s are checked at %d planned looks; none has been made yet.", q.Arm, q.Outcome, planned)
	case q.CrossedAt > 0:
		return fmt.Sprintf("At look %d of %d the effect of %s on %s crossed the stopping boundary: the pilot may stop early.", q.CrossedAt, planned, q.Arm, q.Outcome)
	case len(q.Looks) < planned:
		return fmt.Sprintf("At look %d of %d the effect of %s on %s has not crossed the stopping boundary: continue to the next look.", len(q.Looks), planned, q.Arm, q.Outcome)
	}
	return fmt.Sprintf("At the last of %d planned looks the effect of %s on %s did not cross the stopping boundary, so the sequential plan finds it not significant.", planned, q.Arm, q.Outcome)
}

// powerSentences state the pilot's power to detect the effect it was
// planned for, at the size it reached, against the planned power.
func powerSentences(r *Result) []string {
	pw := r.PowerAtPilotSize
	if pw == nil {
		return nil
	}
	got, planned := pw.Power, pw.Planned
	out := []string{fmt.Sprintf("With %d units in the control arm the pilot had a %s%% chance (its power) to detect the effect it was planned for; %s%% was planned.",
		pw.ControlUnits, strconv.FormatFloat(100*got, 'f', 0, 64), strconv.FormatFloat(100*planned, 'f', 0, 64))}
	if got < planned {
		out = append(out, "So a result that is not clear may mean the pilot was too small, not that the intervention does nothing.")
	}
	return out
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// effectQuantity names what an Effect's Estimate measures.
func effectQuantity(e abtest.Effect) string {
	if e.Kind == abtest.Binary {
		return "risk difference"
	}
	return "difference in means"
}

// effectValue shows a risk difference in percentage points and a
// difference in means with three significant digits.
func effectValue(e abtest.Effect, v float64) string {
	if e.Kind == abtest.Binary {
		return strconv.FormatFloat(100*v, 'f', 1, 64) + " pp"
	}
	return Sig3(v)
}

// MethodName spells out an abtest Effect.Method for reports.
func MethodName(m string) string {
	switch m {
	case "cluster-robust":
		return "cluster-robust (CR1)"
	case "regression-hc2":
		return "regression (HC2)"
	case "cuped":
		return "CUPED"
	case "cmh":
		return "CMH"
	case "fisher-exact":
		return "Fisher exact"
	case "z-test":
		return "z test"
	case "welch":
		return "Welch t"
	}
	return m
}

// PText shows a p-value with three decimals, or "< 0.001".
func PText(p float64) string {
	if p < 0.001 {
		return "< 0.001"
	}
	return "= " + strconv.FormatFloat(p, 'f', 3, 64)
}

// Sig3 shows v with three significant digits in fixed notation (0.0123,
// 1.23, 123; at most six decimals).
func Sig3(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	d := 2 - int(math.Floor(math.Log10(math.Abs(v))))
	d = max(0, min(6, d))
	s := strconv.FormatFloat(v, 'f', d, 64)
	if s == "-0" {
		return "0"
	}
	return s
}
