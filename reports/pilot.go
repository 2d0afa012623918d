package reports

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/evalrun/evalrun/abtest"
	"github.com/evalrun/evalrun/pilot"
)

// WritePilot writes the analysis of an intervention pilot for the
// terminal: what was read, the checks first (arm sizes and sample ratio
// mismatch, attrition, balance) and the warnings, then the effects of
// every arm on every outcome with intervals and multiplicity-adjusted
// p-values, descriptive comparisons, subgroups labelled pre-declared or
// exploratory, complier average effects, the target statement, the
// group-sequential monitoring and the plain-language summary. A sample
// ratio mismatch alarm is printed before anything else. Tables and text
// fit in 100 columns.
func WritePilot(w io.Writer, r *pilot.Result) error {
	a := r.Analysis
	plan := r.Inputs.Plan
	spec := r.Inputs.Spec
	head := fmt.Sprintf("pilot %s: %s against control %q", r.Name, strings.Join(pilotTreatmentArms(plan), ", "), plan.Control)
	var design []string
	if plan.ClusterRandomized {
		design = append(design, "cluster-randomized by "+spec.Cluster)
	}
	if spec.Strata != "" {
		design = append(design, "stratified by "+spec.Strata)
	}
	if len(design) > 0 {
		head += ", " + strings.Join(design, ", ")
	}
	pilotWrapText(w, "", head)
	d := r.Inputs.Data
	fmt.Fprintf(w, "data: %s, %d rows, sha256 %s\n", d.Path, d.Rows, pilotShortHash(d.SHA256))
	if len(d.Missing) > 0 {
		var parts []string
		for _, m := range d.Missing {
			parts = append(parts, fmt.Sprintf("%s %d", m.Column, m.Missing))
		}
		pilotWrapText(w, "", "empty cells (missing, never imputed): "+strings.Join(parts, ", "))
	}
	if a.Checks.SRM.Alarm {
		fmt.Fprintln(w)
		for _, s := range a.Checks.SRM.Warnings {
			pilotWrapText(w, "!! ", s)
		}
	}

	fmt.Fprintf(w, "\nchecks\n")
	if err := pilotWriteArmSizes(w, a.Checks, plan); err != nil {
		return err
	}
	if err := pilotWriteAttrition(w, a.Checks.Attrition, plan); err != nil {
		return err
	}
	if err := pilotWriteBalance(w, append(append([]abtest.ArmBalance(nil), a.Checks.Balance...), r.ExtraBalance...)); err != nil {
		return err
	}
	if len(a.Exclusions) > 0 {
		fmt.Fprintf(w, "\nexclusions\n")
		for _, ex := range a.Exclusions {
			what := ex.Reason
			if ex.Outcome != "" {
				what = ex.Outcome + ": " + what
			}
			pilotWrapText(w, "  ", fmt.Sprintf("%d units (%s): %s", ex.Units, pilotByArmText(ex.ByArm, plan.Arms), what))
		}
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintf(w, "\nwarnings\n")
		for _, s := range r.Warnings {
			pilotWrapText(w, "  warning: ", s)
		}
	}
	if p := r.Preregistration; p != nil {
		fmt.Fprintf(w, "\npre-registration\n")
		pilotWrapText(w, "  ", fmt.Sprintf("lock %s (sha256 %s): %s", p.Lock, pilotShortHash(p.Hash), p.Statement))
		pilotWrapText(w, "  ", fmt.Sprintf("%d deviation(s) from the plan, %d exploratory analysis(es); listed under warnings", len(p.Deviations), len(p.Exploratory)))
	}

	level := strconv.FormatFloat(100*plan.Level, 'f', -1, 64) + "% CI"
	m := plan.Multiplicity
	strategy := string(m.Strategy)
	if strategy == "" {
		strategy = string(abtest.StrategyPooled)
	}
	fmt.Fprintf(w, "\neffects: treatment − control; p adjusted by %s (%s) at alpha %s\n", m.Method, strategy, strconv.FormatFloat(m.Alpha, 'g', -1, 64))
	if err := pilotWriteEffects(w, a.Effects, level); err != nil {
		return err
	}
	for _, e := range a.Effects {
		if e.Cluster != nil {
			fmt.Fprintf(w, "  %s, %s: %d clusters, ICC %s, mean cluster size %s, design effect %s\n", e.Outcome, e.Arm,
				e.Cluster.Clusters, pilotFixed(e.Cluster.ICC, 3), pilotFixed(e.Cluster.MeanClusterSize, 1), pilotFixed(e.Cluster.DesignEffect, 2))
		}
		if e.Reason != "" {
			pilotWrapText(w, "  ", fmt.Sprintf("%s, %s: %s", e.Outcome, e.Arm, e.Reason))
		}
	}
	pilotWriteMixed(w, a.Effects, level)
	better := map[string]string{}
	for _, o := range r.Inputs.Spec.Outcomes {
		better[o.Name] = o.BetterDirection()
	}
	if err := pilotWriteDescriptive(w, a.Effects, level, better); err != nil {
		return err
	}
	if len(a.Subgroups) > 0 {
		fmt.Fprintln(w)
		pilotWrapText(w, "", fmt.Sprintf("subgroups (%s scale; interaction p adjusted by %s over all subgroup analyses)", pilotSubgroupScale(a.Subgroups), m.Method))
		for _, g := range a.Subgroups {
			if err := pilotWriteSubgroup(w, g, level); err != nil {
				return err
			}
		}
	}
	if len(a.Compliance) > 0 {
		fmt.Fprintf(w, "\ncompliance: intention to treat and complier average effect (Wald/IV)\n")
		if err := pilotWriteCompliance(w, a.Compliance, level); err != nil {
			return err
		}
	}
	if a.Target != nil {
		fmt.Fprintf(w, "\ntarget\n")
		pilotWrapText(w, "  ", a.Target.Statement)
		pilotWrapText(w, "  ", "("+abtest.TargetNote+")")
	}
	if r.Sequential != nil {
		if err := pilotWriteSequential(w, r.Sequential); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nsummary\n")
	for _, s := range r.Summary {
		pilotWrapText(w, "  - ", s)
	}
	return nil
}

func pilotTreatmentArms(plan abtest.Plan) []string {
	var out []string
	for _, a := range plan.Arms {
		if a != plan.Control {
			out = append(out, a)
		}
	}
	return out
}

func pilotShortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// wrapText writes text after prefix, wrapped at 100 columns with
// continuation lines indented to the prefix's width.
func pilotWrapText(w io.Writer, prefix, text string) {
	const width = 100
	indent := strings.Repeat(" ", len([]rune(prefix)))
	line := prefix
	empty := true
	for _, word := range strings.Fields(text) {
		if !empty && len([]rune(line))+1+len([]rune(word)) > width {
			fmt.Fprintln(w, line)
			line, empty = indent, true
		}
		if !empty {
			line += " "
		}
		line += word
		empty = false
	}
	fmt.Fprintln(w, line)
}

func pilotFixed(v float64, digits int) string { return strconv.FormatFloat(v, 'f', digits, 64) }

func pilotPctText(v float64) string { return strconv.FormatFloat(100*v, 'f', 1, 64) + "%" }

func pilotPText(p float64) string {
	if p < 0.001 {
		return "<0.001"
	}
	return pilotFixed(p, 3)
}

func pilotOptP(p *float64) string {
	if p == nil {
		return "-"
	}
	return pilotPText(*p)
}

func pilotByArmText(m map[string]int, arms []string) string {
	var parts []string
	for _, a := range arms {
		if n, ok := m[a]; ok {
			parts = append(parts, fmt.Sprintf("%s %d", a, n))
		}
	}
	return strings.Join(parts, ", ")
}

func pilotWriteArmSizes(w io.Writer, c abtest.Checks, plan abtest.Plan) error {
	clustered := false
	for _, s := range c.ArmSizes {
		clustered = clustered || s.Clusters > 0
	}
	var total float64
	for i := range plan.Arms {
		total += pilotAllocationWeight(plan, i)
	}
	t := borderless(w)
	header := []any{"arm", "units", "planned", "expected"}
	if clustered {
		header = append(header[:2:2], "clusters", "planned", "expected")
	}
	t.Header(header...)
	for i, s := range c.ArmSizes {
		row := []any{s.Arm, strconv.Itoa(s.Units)}
		if clustered {
			row = append(row, strconv.Itoa(s.Clusters))
		}
		expected := "-"
		if i < len(c.SRM.Expected) {
			expected = pilotFixed(c.SRM.Expected[i], 1)
		}
		row = append(row, pilotPctText(pilotAllocationWeight(plan, i)/total), expected)
		if err := t.Append(row...); err != nil {
			return fmt.Errorf("arm size table: %w", err)
		}
	}
	fmt.Fprintln(w)
	if err := t.Render(); err != nil {
		return fmt.Errorf("arm size table: %w", err)
	}
	verdict := "no mismatch"
	if c.SRM.Alarm {
		verdict = "MISMATCH"
	}
	fmt.Fprintf(w, "sample ratio mismatch: chi-square %s, df %d, p %s (alarm below %g): %s\n", pilotFixed(c.SRM.Chi2, 2), c.SRM.DoF, pilotPText(c.SRM.PValue), abtest.SRMAlarmP, verdict)
	return nil
}

func pilotAllocationWeight(plan abtest.Plan, i int) float64 {
	if plan.Allocation == nil {
		return 1
	}
	return plan.Allocation[i]
}

func pilotWriteAttrition(w io.Writer, att []abtest.OutcomeAttrition, plan abtest.Plan) error {
	if len(att) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\nattrition: missing outcomes by arm\n")
	t := borderless(w)
	header := []any{"outcome"}
	for _, a := range plan.Arms {
		header = append(header, a)
	}
	header = append(header, "difference", "p")
	t.Header(header...)
	for _, o := range att {
		row := []any{o.Outcome}
		byArm := map[string]abtest.AttritionArm{}
		for _, a := range o.Arms {
			byArm[a.Arm] = a
		}
		for _, a := range plan.Arms {
			x, ok := byArm[a]
			if !ok {
				row = append(row, "-")
				continue
			}
			row = append(row, fmt.Sprintf("%d/%d %s", x.Missing, x.Assigned, pilotPctText(x.Rate)))
		}
		row = append(row, pilotFixed(100*o.Differential, 1)+" pp", pilotOptP(o.PValue))
		if err := t.Append(row...); err != nil {
			return fmt.Errorf("attrition table: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("attrition table: %w", err)
	}
	return nil
}

func pilotWriteBalance(w io.Writer, bal []abtest.ArmBalance) error {
	if len(bal) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\nbalance: standardized mean differences (|SMD| > %g flagged)\n", abtest.SMDThreshold)
	t := borderless(w)
	t.Header("arm", "covariate", "treated", "control", "SMD", "missing", "")
	for _, b := range bal {
		for _, r := range b.Rows {
			name := r.Covariate
			treated, control := pilotFixed(r.MeanTreated, 3), pilotFixed(r.MeanControl, 3)
			if r.Level != "" {
				name += "=" + r.Level
				treated, control = pilotPctText(r.MeanTreated), pilotPctText(r.MeanControl)
			}
			smd := "-"
			if r.SMD != nil {
				smd = pilotFixed(*r.SMD, 3)
			}
			flag := ""
			if r.Imbalanced {
				flag = "imbalanced"
			}
			if err := t.Append(b.Arm, name, treated, control, smd, strconv.Itoa(r.Missing), flag); err != nil {
				return fmt.Errorf("balance table: %w", err)
			}
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("balance table: %w", err)
	}
	for _, b := range bal {
		for _, sl := range b.Suppressed {
			pilotWrapText(w, "suppressed: ", fmt.Sprintf("arm %s: %s", b.Arm, sl))
		}
	}
	return nil
}

// shortMethod abbreviates an Effect.Method for the effects table.
func pilotShortMethod(m string) string {
	switch m {
	case "cluster-robust":
		return "CR1"
	case "regression-hc2":
		return "HC2"
	case "cuped":
		return "CUPED"
	case "cmh":
		return "CMH"
	case "fisher-exact":
		return "Fisher"
	case "z-test":
		return "z"
	case "welch":
		return "Welch"
	}
	return m
}

// effectText shows a risk difference in percentage points and a
// difference in means with three significant digits.
func pilotEffectText(kind abtest.OutcomeKind, v float64) string {
	if kind == abtest.Binary {
		return pilotFixed(100*v, 1) + " pp"
	}
	return pilot.Sig3(v)
}

func pilotWriteEffects(w io.Writer, effects []abtest.Effect, level string) error {
	t := borderless(w)
	t.Header("outcome", "arm", "n t/c", "method", "estimate", level, "p", "p adj", "reject")
	for _, e := range effects {
		name := e.Outcome
		if e.Primary {
			name += " *"
		}
		reject := "no"
		if e.Rejected {
			reject = "yes"
		}
		ci := pilotEffectText(e.Kind, e.CI.Lower) + " to " + pilotEffectText(e.Kind, e.CI.Upper)
		if err := t.Append(name, e.Arm, fmt.Sprintf("%d/%d", e.N1, e.N2), pilotShortMethod(e.Method), pilotEffectText(e.Kind, e.Estimate), ci,
			pilotPText(e.PValue), pilotPText(e.AdjustedP), reject); err != nil {
			return fmt.Errorf("effects table: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("effects table: %w", err)
	}
	fmt.Fprintln(w, "  * primary outcome; pp = percentage points; method: CR1 cluster-robust OLS (G−1 df),")
	fmt.Fprintln(w, "    HC2 robust OLS, CUPED, CMH (Mantel-Haenszel risk difference), Fisher exact, z test, Welch t")
	return nil
}

// writeDescriptive writes the comparisons every report shows beside the
// analysis: rates with risk ratio, odds ratio and NNT, or means with
// Cohen's d and Mann-Whitney.
// better maps each outcome to its good direction (pilot.OutcomeSpec's
// BetterDirection), which says whether an NNT is a benefit or a harm.
func pilotWriteDescriptive(w io.Writer, effects []abtest.Effect, level string, better map[string]string) error {
	var binary, continuous []abtest.Effect
	for _, e := range effects {
		if e.Kind == abtest.Binary && e.Proportions != nil {
			binary = append(binary, e)
		} else if e.Welch != nil {
			continuous = append(continuous, e)
		}
	}
	if len(binary) > 0 {
		fmt.Fprintf(w, "\nbinary outcomes, unadjusted (%s)\n", level)
		t := borderless(w)
		t.Header("outcome", "arm", "treated", "control", "risk ratio", "odds ratio", "NNT", "h")
		for _, e := range binary {
			p := e.Proportions
			if err := t.Append(e.Outcome, e.Arm, fmt.Sprintf("%d/%d %s", p.X1, p.N1, pilotPctText(p.P1)), fmt.Sprintf("%d/%d %s", p.X2, p.N2, pilotPctText(p.P2)),
				pilotRatioText(e.RiskRatio), pilotRatioText(e.OddsRatio), pilotNntText(e.NNT, better[e.Outcome]), pilotFixed(p.CohensH, 3)); err != nil {
				return fmt.Errorf("binary table: %w", err)
			}
		}
		if err := t.Render(); err != nil {
			return fmt.Errorf("binary table: %w", err)
		}
	}
	if len(continuous) > 0 {
		fmt.Fprintf(w, "\ncontinuous outcomes, unadjusted\n")
		t := borderless(w)
		t.Header("outcome", "arm", "mean t", "mean c", "Welch diff", level, "Cohen's d", "Mann-Whitney p")
		for _, e := range continuous {
			wl := e.Welch
			d := "-"
			if wl.CohensD != nil {
				d = pilotFixed(*wl.CohensD, 3)
			}
			mw := "-"
			if e.MannWhitney != nil {
				mw = pilotPText(e.MannWhitney.PValue)
			}
			if err := t.Append(e.Outcome, e.Arm, pilot.Sig3(wl.MeanA), pilot.Sig3(wl.MeanB), pilot.Sig3(wl.Diff),
				pilot.Sig3(wl.CI.Lower)+" to "+pilot.Sig3(wl.CI.Upper), d, mw); err != nil {
				return fmt.Errorf("continuous table: %w", err)
			}
		}
		if err := t.Render(); err != nil {
			return fmt.Errorf("continuous table: %w", err)
		}
	}
	return nil
}

func pilotRatioText(r *abtest.RatioResult) string {
	if r == nil || r.Estimate == nil {
		return "-"
	}
	s := pilotFixed(*r.Estimate, 2)
	if r.Lower != nil && r.Upper != nil {
		s += " (" + pilotFixed(*r.Lower, 2) + "-" + pilotFixed(*r.Upper, 2) + ")"
	}
	return s
}

// pilotNntText writes the number needed to treat, marked "(harm)" when
// the treatment moved the outcome against its better direction ("lower"
// or "higher"); a benefit, or an outcome without direction, is unmarked.
func pilotNntText(n *abtest.NNTResult, better string) string {
	if n == nil || n.NNT == nil {
		return "-"
	}
	s := pilotFixed(*n.NNT, 1)
	if better != "" && n.TreatmentHigher != (better == pilot.BetterHigher) {
		s += " (harm)"
	}
	return s
}

func pilotSubgroupScale(gs []abtest.SubgroupAnalysis) string {
	for _, g := range gs {
		if g.Error == "" && g.Scale != "" {
			return string(g.Scale)
		}
	}
	return string(abtest.ScaleDifference)
}

func pilotWriteSubgroup(w io.Writer, g abtest.SubgroupAnalysis, level string) error {
	label := "exploratory"
	if !g.Exploratory {
		label = "pre-declared"
	}
	head := fmt.Sprintf("%s (%s), %s on %s", g.Attribute, label, g.Arm, g.Outcome)
	if g.Error != "" {
		fmt.Fprintln(w)
		pilotWrapText(w, "", head+": not estimable: "+g.Error)
		return nil
	}
	fmt.Fprintf(w, "\n%s: interaction p %s, adjusted %s\n", head, pilotPText(g.InteractionP), pilotPText(g.AdjustedP))
	t := borderless(w)
	t.Header("level", "n t/c", "effect", level, "p")
	for _, l := range g.Levels {
		v := pilot.Sig3
		if g.Scale == abtest.ScaleLogOdds {
			v = func(x float64) string { return pilotFixed(x, 3) }
		}
		if err := t.Append(l.Level, fmt.Sprintf("%d/%d", l.N1, l.N2), v(l.Effect), v(l.CI.Lower)+" to "+v(l.CI.Upper), pilotPText(l.PValue)); err != nil {
			return fmt.Errorf("subgroup table: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("subgroup table: %w", err)
	}
	for _, s := range g.Warnings {
		pilotWrapText(w, "  warning: ", s)
	}
	return nil
}

func pilotWriteCompliance(w io.Writer, cs []abtest.ComplianceAnalysis, level string) error {
	t := borderless(w)
	t.Header("outcome", "arm", "ITT", "complier share", "F", "CACE", level, "p", "method")
	for _, c := range cs {
		f := "unbounded"
		if c.FirstStageF != nil {
			f = pilotFixed(*c.FirstStageF, 1)
		}
		cace, ci, p := "-", "-", "-"
		if c.CACE != nil {
			cace = pilot.Sig3(*c.CACE)
		}
		if c.CI != nil {
			ci = pilot.Sig3(c.CI.Lower) + " to " + pilot.Sig3(c.CI.Upper)
		}
		if c.PValue != nil {
			p = pilotPText(*c.PValue)
		}
		if err := t.Append(c.Outcome, c.Arm, pilot.Sig3(c.ITT), pilotPctText(c.FirstStage), f, cace, ci, p, c.Method); err != nil {
			return fmt.Errorf("compliance table: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("compliance table: %w", err)
	}
	for _, c := range cs {
		for _, s := range c.Warnings {
			pilotWrapText(w, "  warning: ", c.Outcome+", "+c.Arm+": "+s)
		}
	}
	return nil
}

func pilotWriteSequential(w io.Writer, s *pilot.SequentialResult) error {
	fmt.Fprintln(w)
	pilotWrapText(w, "", fmt.Sprintf("group-sequential monitoring: %s vs control on %s, %s spending, alpha %s (z from %s)",
		s.Arm, s.Outcome, s.Spending, strconv.FormatFloat(s.Alpha, 'g', -1, 64), s.Source))
	t := borderless(w)
	t.Header("look", "information", "alpha spent", "boundary |z|", "nominal p", "observed z", "crossed")
	for i, b := range s.Boundaries {
		z, crossed := "-", "-"
		if i < len(s.Looks) {
			z = pilotFixed(s.Looks[i].Statistic, 3)
			crossed = "no"
			if s.Looks[i].Crossed {
				crossed = "yes"
			}
		}
		if err := t.Append(strconv.Itoa(b.Look), pilotFixed(b.Information, 3), pilotFixed(b.CumulativeAlpha, 4), pilotFixed(b.Z, 3), pilotFixed(b.NominalP, 4), z, crossed); err != nil {
			return fmt.Errorf("sequential table: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("sequential table: %w", err)
	}
	pilotWrapText(w, "  ", s.Statement)
	return nil
}

// WritePower writes a sample size, power or minimum detectable effect
// computation (pilot.Power) and its power curve.
func WritePower(w io.Writer, out *pilot.PowerOutput) error {
	req := out.Request
	fmt.Fprintf(w, "design: two %s, two-sided alpha %s, target power %s", out.Kind, strconv.FormatFloat(req.Alpha, 'g', -1, 64), strconv.FormatFloat(req.Power, 'g', -1, 64))
	if req.Ratio != 0 && req.Ratio != 1 {
		fmt.Fprintf(w, ", %s treatment units per control unit", strconv.FormatFloat(req.Ratio, 'g', -1, 64))
	}
	if req.ClusterSize > 1 {
		fmt.Fprintf(w, ", clusters of %s with ICC %s", strconv.FormatFloat(req.ClusterSize, 'g', -1, 64), strconv.FormatFloat(req.ICC, 'g', -1, 64))
	}
	fmt.Fprintln(w)
	for _, s := range out.Summary {
		pilotWrapText(w, "  - ", s)
	}
	if len(out.Curve) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\npower curve\n")
	t := borderless(w)
	clustered := req.ClusterSize > 1
	if clustered {
		t.Header("clusters t", "clusters c", "units t", "units c", "total", "power")
	} else {
		t.Header("units t", "units c", "total", "power")
	}
	for _, p := range out.Curve {
		row := []any{pilot.Sig3Int(p.N1), pilot.Sig3Int(p.N2), pilot.Sig3Int(p.N1 + p.N2), pilotFixed(p.Power, 3)}
		if clustered {
			row = append([]any{pilot.Sig3Int(p.N1 / req.ClusterSize), pilot.Sig3Int(p.N2 / req.ClusterSize)}, row...)
		}
		if err := t.Append(row...); err != nil {
			return fmt.Errorf("power curve: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("power curve: %w", err)
	}
	return nil
}

// WriteAssignment writes the counts per stratum and arm of an assignment
// (pilot.Assign) and its balance table.
func WriteAssignment(w io.Writer, out *pilot.AssignmentOutput) error {
	res := out.Result
	kept := 0
	for _, a := range res.Assignments {
		if a.Previous {
			kept++
		}
	}
	pilotWrapText(w, "", fmt.Sprintf("assignment %s: %s randomization, seed %d, %d units (%d kept from previous assignments)",
		out.Experiment, out.Method, out.Seed, len(res.Assignments), kept))
	fmt.Fprintf(w, "roster: %s, %d rows, sha256 %s\n", out.Roster.Path, out.Roster.Rows, pilotShortHash(out.Roster.SHA256))
	if out.Previous != nil {
		fmt.Fprintf(w, "previous: %s, %d rows, sha256 %s\n", out.Previous.Path, out.Previous.Rows, pilotShortHash(out.Previous.SHA256))
	}
	fmt.Fprintln(w)
	t := borderless(w)
	header := []any{"stratum"}
	for _, a := range res.Arms {
		header = append(header, a)
	}
	clustered := out.Method == abtest.AssignCluster
	if clustered {
		for _, a := range res.Arms {
			header = append(header, a+" clusters")
		}
	}
	t.Header(header...)
	for _, s := range res.Strata {
		name := s.Stratum
		if name == "" {
			name = "(all)"
		}
		row := []any{name}
		for _, c := range s.Counts {
			row = append(row, strconv.Itoa(c))
		}
		if clustered {
			for _, c := range s.Clusters {
				row = append(row, strconv.Itoa(c))
			}
		}
		if err := t.Append(row...); err != nil {
			return fmt.Errorf("assignment table: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("assignment table: %w", err)
	}
	if err := pilotWriteBalance(w, out.Balance); err != nil {
		return err
	}
	for _, s := range out.Warnings {
		pilotWrapText(w, "warning: ", s)
	}
	return nil
}

// pilotWriteMixed prints the random-intercept logistic sensitivity
// analyses of a cluster-randomized pilot's binary outcomes, if any.
func pilotWriteMixed(w io.Writer, effects []abtest.Effect, level string) {
	first := true
	for _, e := range effects {
		m := e.Mixed
		if m == nil {
			continue
		}
		if first {
			fmt.Fprintln(w)
			pilotWrapText(w, "", abtest.MixedEffectNote)
			first = false
		}
		line := fmt.Sprintf("%s, %s: conditional odds ratio %s (%s %s to %s), p %s; %d clusters, cluster SD %s, latent ICC %s",
			e.Outcome, e.Arm, pilotFixed(m.OddsRatio, 3), level, pilotFixed(m.CI.Lower, 3), pilotFixed(m.CI.Upper, 3), pilotPText(m.PValue),
			m.Clusters, pilotFixed(m.ClusterSD, 3), pilotFixed(m.ICC, 3))
		if m.SingularFit {
			line += "; singular fit"
		}
		pilotWrapText(w, "  ", line)
		for _, warn := range m.Warnings {
			pilotWrapText(w, "    ", "warning: "+warn)
		}
	}
}
