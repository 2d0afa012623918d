package reports

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/evalrun/evalrun/abtest"
	"github.com/evalrun/evalrun/pilot"
	"github.com/evalrun/evalrun/results"
)

// pilotSections shows each intervention pilot: its plain-language summary
// (a sample-ratio-mismatch alarm first), the checks (arm sizes and the
// sample ratio test, attrition), the warnings, the effects of every arm on
// every outcome with intervals and multiplicity-adjusted p-values, the
// subgroup effects, complier average effects, the target statement and
// the effect forest plot (the summary states the group-sequential
// monitoring). Numbers are
// package pilot's (results.json "abtests"); nothing is recomputed.
func pilotSections(run *results.Run, plots map[string]*renderedPlot) []docSection {
	if len(run.Abtests) == 0 {
		return nil
	}
	s := docSection{ID: sectionPilots, Title: "Intervention pilots"}
	s.text("The analyses of the spec's intervention pilots: the checks come before any effect; effects are treatment − control with the pilot's confidence level, p-values adjusted for every arm and outcome by the spec's multiplicity method. abtest.csv holds every effect; results.json (abtests) the full analysis.")
	for _, r := range run.Abtests {
		if r == nil {
			continue
		}
		pilotSection(&s, r, plots)
	}
	return []docSection{s}
}

func pilotSection(s *docSection, r *pilot.Result, plots map[string]*renderedPlot) {
	a := r.Analysis
	plan := r.Inputs.Plan
	s.heading("Pilot " + r.Name)
	head := fmt.Sprintf("Arm %s against the control arm %s", joinWords(pilotTreatmentArms(plan)), plan.Control)
	if len(pilotTreatmentArms(plan)) > 1 {
		head = "Arms" + head[len("Arm"):]
	}
	var design []string
	if plan.ClusterRandomized {
		design = append(design, "cluster-randomized by "+r.Inputs.Spec.Cluster)
	}
	if r.Inputs.Spec.Strata != "" {
		design = append(design, "stratified by "+r.Inputs.Spec.Strata)
	}
	if len(design) > 0 {
		head += ", " + strings.Join(design, ", ")
	}
	if d := r.Inputs.Data; d.Path != "" {
		head += fmt.Sprintf("; data %s (%d rows, sha256 %s)", d.Path, d.Rows, pilotShortHash(d.SHA256))
	}
	s.text("%s.", head)
	if a.Checks.SRM.Alarm {
		for _, w := range a.Checks.SRM.Warnings {
			s.text("%s", w)
		}
	}
	if len(r.Summary) > 0 {
		s.items(r.Summary)
	}

	if len(a.Checks.ArmSizes) > 0 {
		clustered := false
		for _, c := range a.Checks.ArmSizes {
			clustered = clustered || c.Clusters > 0
		}
		header := []string{"arm", "units"}
		if clustered {
			header = append(header, "clusters")
		}
		header = append(header, "planned share", "expected units")
		t := newTable(fmt.Sprintf("Pilot %s, checks: units per arm against the planned allocation", r.Name), header...)
		for c := 1; c < len(header); c++ {
			t.Numeric[c] = true
		}
		var total float64
		for i := range plan.Arms {
			total += pilotAllocationWeight(plan, i)
		}
		for i, c := range a.Checks.ArmSizes {
			row := []string{c.Arm, strconv.Itoa(c.Units)}
			if clustered {
				row = append(row, strconv.Itoa(c.Clusters))
			}
			share, expected := undefinedCell, undefinedCell
			if i < len(plan.Arms) && total > 0 {
				share = pilotPctText(pilotAllocationWeight(plan, i) / total)
			}
			if i < len(a.Checks.SRM.Expected) {
				expected = dec(a.Checks.SRM.Expected[i], 1)
			}
			t.add(append(row, share, expected)...)
		}
		verdict := "no mismatch"
		if a.Checks.SRM.Alarm {
			verdict = "MISMATCH"
		}
		t.Notes = fmt.Sprintf("Sample ratio mismatch test: chi-square %s, df %d, p %s (alarm below %g): %s.", dec(a.Checks.SRM.Chi2, 2), a.Checks.SRM.DoF, pCell(a.Checks.SRM.PValue), abtest.SRMAlarmP, verdict)
		s.table(t)
	}
	if len(a.Checks.Attrition) > 0 {
		header := []string{"outcome"}
		header = append(header, plan.Arms...)
		header = append(header, "difference", "p")
		t := newTable(fmt.Sprintf("Pilot %s, checks: missing outcomes by arm (missing/assigned, rate) and the difference between arms", r.Name), header...)
		for c := 1; c < len(header); c++ {
			t.Numeric[c] = true
		}
		for _, o := range a.Checks.Attrition {
			byArm := map[string]abtest.AttritionArm{}
			for _, x := range o.Arms {
				byArm[x.Arm] = x
			}
			row := []string{o.Outcome}
			for _, arm := range plan.Arms {
				x, ok := byArm[arm]
				if !ok {
					row = append(row, undefinedCell)
					continue
				}
				row = append(row, fmt.Sprintf("%d/%d (%s)", x.Missing, x.Assigned, pilotPctText(x.Rate)))
			}
			p := undefinedCell
			if o.PValue != nil {
				p = pCell(*o.PValue)
			}
			t.add(append(row, dec(100*o.Differential, 1)+" pp", p)...)
		}
		s.table(t)
	}
	if bal := append(append([]abtest.ArmBalance(nil), a.Checks.Balance...), r.ExtraBalance...); len(bal) > 0 {
		t := newTable(fmt.Sprintf("Pilot %s, checks: covariate balance, standardized mean differences (|SMD| above %g flagged)", r.Name, abtest.SMDThreshold),
			"arm", "covariate", "treated", "control", "SMD", "missing", "flag")
		t.numeric(2, 3, 4, 5)
		for _, b := range bal {
			for _, row := range b.Rows {
				name := row.Covariate
				treated, control := dec(row.MeanTreated, 3), dec(row.MeanControl, 3)
				if row.Level != "" {
					name += " = " + row.Level
					treated, control = pilotPctText(row.MeanTreated), pilotPctText(row.MeanControl)
				}
				flag := ""
				if row.Imbalanced {
					flag = "imbalanced"
				}
				t.add(b.Arm, name, treated, control, decOpt(row.SMD), strconv.Itoa(row.Missing), flag)
			}
		}
		t.Collapsed = true
		s.table(t)
		var suppressed []string
		for _, b := range bal {
			for _, sl := range b.Suppressed {
				suppressed = append(suppressed, fmt.Sprintf("arm %s: %s", b.Arm, sl))
			}
		}
		if len(suppressed) > 0 {
			s.text("Attribute levels of pilot %s suppressed in the balance table (the small-cell rule, privacy.min_group_size):", r.Name)
			s.items(suppressed)
		}
	}
	if len(r.Warnings) > 0 {
		s.text("Warnings of pilot %s:", r.Name)
		s.items(r.Warnings)
	}

	level := levelPercent(plan.Level)
	strategy := string(plan.Multiplicity.Strategy)
	if strategy == "" {
		strategy = string(abtest.StrategyPooled)
	}
	if len(a.Effects) > 0 {
		t := newTable(fmt.Sprintf("Pilot %s: effects, treatment − control, with %s intervals; p adjusted by %s (%s) at alpha %s", r.Name, level, plan.Multiplicity.Method, strategy, strconv.FormatFloat(plan.Multiplicity.Alpha, 'g', -1, 64)),
			"outcome", "arm", "n treated/control", "method", "estimate ("+level+" CI)", "p", "p adjusted", "significant")
		t.numeric(2, 4, 5, 6)
		var notes []string
		for _, e := range a.Effects {
			name := e.Outcome
			if e.Primary {
				name += " (primary)"
			}
			sig := "no"
			if e.Rejected {
				sig = "yes"
			}
			t.add(name, e.Arm, fmt.Sprintf("%d/%d", e.N1, e.N2), pilotMethodWords(e.Method), pilotEffectCell(e.Kind, e.Estimate, e.CI), pCell(e.PValue), pCell(e.AdjustedP), sig)
			if e.Reason != "" {
				notes = append(notes, fmt.Sprintf("%s, %s: %s", e.Outcome, e.Arm, e.Reason))
			}
			if e.Cluster != nil {
				notes = append(notes, fmt.Sprintf("%s, %s: %d clusters, ICC %s, mean cluster size %s, design effect %s", e.Outcome, e.Arm,
					e.Cluster.Clusters, dec(e.Cluster.ICC, 3), dec(e.Cluster.MeanClusterSize, 1), dec(e.Cluster.DesignEffect, 2)))
			}
		}
		t.Notes = "Binary outcomes: risk difference in percentage points (pp); continuous outcomes: difference in means."
		if len(notes) > 0 {
			t.Notes += " " + strings.Join(notes, "; ") + "."
		}
		s.table(t)
		pilotMixedTable(s, r.Name, a.Effects, level)
	}
	if len(a.Subgroups) > 0 {
		t := newTable(fmt.Sprintf("Pilot %s: effects within subgroup levels with %s intervals (risk differences in percentage points, differences in means, or log odds ratios as the scale column says); interaction p adjusted by %s over all subgroup analyses", r.Name, level, plan.Multiplicity.Method),
			"subgroup", "arm", "outcome", "level", "scale", "n treated/control", "effect ("+level+" CI)", "p", "interaction p", "adjusted")
		t.numeric(5, 6, 7, 8, 9)
		kinds := pilotOutcomeKinds(a.Effects)
		for _, g := range a.Subgroups {
			label := g.Attribute + " (exploratory)"
			if !g.Exploratory {
				label = g.Attribute + " (pre-declared)"
			}
			if g.Error != "" {
				t.add(label, g.Arm, g.Outcome, "not estimable: "+g.Error, undefinedCell, undefinedCell, undefinedCell, undefinedCell, undefinedCell, undefinedCell)
				continue
			}
			kind, scale := kinds[g.Outcome], "difference"
			if g.Scale == abtest.ScaleLogOdds {
				// Log odds ratios are not percentage points.
				kind, scale = abtest.Continuous, "log odds ratio"
			}
			for _, l := range g.Levels {
				t.add(label, g.Arm, g.Outcome, l.Level, scale, fmt.Sprintf("%d/%d", l.N1, l.N2), pilotEffectCell(kind, l.Effect, l.CI), pCell(l.PValue), pCell(g.InteractionP), pCell(g.AdjustedP))
			}
		}
		s.table(t)
	}
	if len(a.Compliance) > 0 {
		t := newTable(fmt.Sprintf("Pilot %s: intention to treat and complier average effect (Wald/IV) with %s intervals", r.Name, level),
			"outcome", "arm", "ITT", "complier share", "first-stage F", "CACE ("+level+" CI)", "p", "method")
		t.numeric(2, 3, 4, 5, 6)
		for _, c := range a.Compliance {
			f := "unbounded"
			if c.FirstStageF != nil {
				f = dec(*c.FirstStageF, 1)
			}
			cace, p := undefinedCell, undefinedCell
			if c.CACE != nil {
				cace = sig3(*c.CACE)
				if c.CI != nil {
					cace += " (" + sig3(c.CI.Lower) + " to " + sig3(c.CI.Upper) + ")"
				}
			}
			if c.PValue != nil {
				p = pCell(*c.PValue)
			}
			t.add(c.Outcome, c.Arm, sig3(c.ITT), pilotPctText(c.FirstStage), f, cace, p, c.Method)
		}
		s.table(t)
	}
	if a.Target != nil {
		s.text("Target: %s (%s).", a.Target.Statement, abtest.TargetNote)
	}
	if p := plots[pilotEffectsPlotName(r.Name)]; p != nil {
		s.figure(p)
	}
	if p := plots[pilotPowerPlotName(r.Name)]; p != nil {
		s.figure(p)
	} else if r.Inputs.Spec.Design != nil {
		s.text("The spec declares the pilot's design ([abtests.design]); evalrun power --spec computes its sample size and power curve.")
	}
}

func pilotOutcomeKinds(effects []abtest.Effect) map[string]abtest.OutcomeKind {
	m := map[string]abtest.OutcomeKind{}
	for _, e := range effects {
		m[e.Outcome] = e.Kind
	}
	return m
}

// pilotEffectCell shows an effect and its interval: risk differences in
// percentage points with one decimal, other effects with three
// significant digits.
func pilotEffectCell(kind abtest.OutcomeKind, est float64, ci abtest.Interval) string {
	if !finite(est) {
		return undefinedCell
	}
	if kind == abtest.Binary {
		s := dec(100*est, 1) + " pp"
		if finite(ci.Lower, ci.Upper) {
			s += " (" + dec(100*ci.Lower, 1) + " to " + dec(100*ci.Upper, 1) + " pp)"
		}
		return s
	}
	s := sig3(est)
	if finite(ci.Lower, ci.Upper) {
		s += " (" + sig3(ci.Lower) + " to " + sig3(ci.Upper) + ")"
	}
	return s
}

// pilotMethodWords names an Effect.Method for readers.
func pilotMethodWords(m string) string {
	switch m {
	case "cluster-robust":
		return "cluster-robust OLS (CR1)"
	case "regression-hc2":
		return "OLS, HC2 errors"
	case "cuped":
		return "CUPED"
	case "cmh":
		return "Cochran-Mantel-Haenszel"
	case "fisher-exact":
		return "Fisher exact"
	case "z-test":
		return "z test"
	case "welch":
		return "Welch t"
	}
	return m
}

// abtestHeader are the columns of abtest.csv (see AbtestCSV).
var abtestHeader = []string{
	"pilot", "arm", "outcome", "kind", "primary", "row", "subgroup", "level", "exploratory", "scale", "method",
	"n_treated", "n_control", "estimate", "lower", "upper", "confidence_level", "p_value", "adjusted_p_value", "rejected",
	"interaction_p_value", "interaction_adjusted_p_value", "note",
	"glmm_odds_ratio", "glmm_lower", "glmm_upper", "glmm_p_value", "glmm_clusters", "glmm_cluster_sd", "glmm_icc", "glmm_singular_fit",
}

// glmmCells are the random-intercept sensitivity analysis columns of an
// effect row (empty without one: continuous outcomes, individually
// randomized pilots, a GLMM that could not be fitted, subgroup rows).
func glmmCells(m *abtest.MixedEffectResult) []string {
	if m == nil {
		return make([]string, 8)
	}
	return []string{gFinite(m.OddsRatio), gFinite(m.CI.Lower), gFinite(m.CI.Upper), gFinite(m.PValue), strconv.Itoa(m.Clusters),
		gFinite(m.ClusterSD), gFinite(m.ICC), strconv.FormatBool(m.SingularFit)}
}

// AbtestCSV writes the effects of every pilot of the run, one row per
// arm × outcome effect (row = "effect") followed by that effect's subgroup
// levels (row = "subgroup"). Columns:
//
//   - pilot, arm, outcome, kind (binary or continuous), primary (true or
//     false);
//   - row: "effect" or "subgroup"; subgroup and level name the attribute
//     and its level, exploratory is true unless the subgroup was
//     pre-declared (empty on effect rows);
//   - scale: "difference" (risk difference or difference in means, as
//     proportions, not percentage points) or "log-odds" (a subgroup's log
//     odds ratio); method: the analysis of an effect row;
//   - n_treated, n_control: units analysed; estimate, lower, upper: the
//     effect treatment − control and its interval at confidence_level;
//   - p_value; adjusted_p_value and rejected: the multiplicity-adjusted
//     p-value and decision of effect rows; interaction_p_value and
//     interaction_adjusted_p_value: the subgroup's interaction test
//     (repeated on each of its levels);
//   - note: why an effect was not rejected procedurally, or why a
//     subgroup analysis could not be run (its level and numbers empty);
//   - glmm_odds_ratio, glmm_lower, glmm_upper, glmm_p_value, glmm_clusters,
//     glmm_cluster_sd, glmm_icc, glmm_singular_fit: on the effect row of a
//     cluster-randomized binary outcome, the random-intercept logistic
//     sensitivity analysis (abtest.MixedEffectResult): the conditional odds
//     ratio with its Wald interval at confidence_level and Wald p-value,
//     the clusters, the SD of their random intercepts, the latent-scale
//     ICC and whether the fit is singular (SD 0); empty otherwise.
//
// Numbers are written in full precision; undefined ones are empty cells.
// Nil pilots are skipped.
func AbtestCSV(run *results.Run) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(abtestHeader)
	for _, r := range run.Abtests {
		if r == nil {
			continue
		}
		level := gFinite(r.Inputs.Plan.Level)
		for _, e := range r.Analysis.Effects {
			w.Write(append([]string{r.Name, e.Arm, e.Outcome, string(e.Kind), strconv.FormatBool(e.Primary), "effect", "", "", "", string(abtest.ScaleDifference), e.Method,
				strconv.Itoa(e.N1), strconv.Itoa(e.N2), gFinite(e.Estimate), gFinite(e.CI.Lower), gFinite(e.CI.Upper), level, gFinite(e.PValue), gFinite(e.AdjustedP), strconv.FormatBool(e.Rejected),
				"", "", e.Reason}, glmmCells(e.Mixed)...))
			for _, g := range r.Analysis.Subgroups {
				if g.Arm != e.Arm || g.Outcome != e.Outcome {
					continue
				}
				exploratory := strconv.FormatBool(g.Exploratory)
				if g.Error != "" {
					w.Write(append([]string{r.Name, e.Arm, e.Outcome, string(e.Kind), strconv.FormatBool(e.Primary), "subgroup", g.Attribute, "", exploratory, string(g.Scale), "",
						"", "", "", "", "", level, "", "", "", "", "", g.Error}, glmmCells(nil)...))
					continue
				}
				for _, l := range g.Levels {
					w.Write(append([]string{r.Name, e.Arm, e.Outcome, string(e.Kind), strconv.FormatBool(e.Primary), "subgroup", g.Attribute, l.Level, exploratory, string(g.Scale), "",
						strconv.Itoa(l.N1), strconv.Itoa(l.N2), gFinite(l.Effect), gFinite(l.CI.Lower), gFinite(l.CI.Upper), gFinite(g.Level), gFinite(l.PValue), "", "",
						gFinite(g.InteractionP), gFinite(g.AdjustedP), ""}, glmmCells(nil)...))
				}
			}
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// gFinite formats v in full precision, or an empty cell when it is NaN or
// infinite.
func gFinite(v float64) string {
	if !finite(v) {
		return ""
	}
	return g(v)
}

func abtestFile(run *results.Run, _ *results.RiskList) ([]File, error) {
	if len(run.Abtests) == 0 {
		return nil, nil
	}
	b, err := AbtestCSV(run)
	if err != nil {
		return nil, fmt.Errorf("abtest.csv: %w", err)
	}
	return []File{{"abtest.csv", b}}, nil
}

// pilotMixedTable renders the random-intercept logistic sensitivity
// analyses of a cluster-randomized pilot's binary outcomes, if any.
func pilotMixedTable(s *docSection, name string, effects []abtest.Effect, level string) {
	var rows []abtest.Effect
	for _, e := range effects {
		if e.Mixed != nil {
			rows = append(rows, e)
		}
	}
	if len(rows) == 0 {
		return
	}
	t := newTable(fmt.Sprintf("Pilot %s: sensitivity analysis, random-intercept logistic regression (conditional odds ratios with %s Wald intervals)", name, level),
		"Outcome", "Arm", "Clusters", "Conditional OR", "CI", "p", "Cluster SD", "Latent ICC", "Singular fit")
	var warnings []string
	for _, e := range rows {
		m := e.Mixed
		singular := "no"
		if m.SingularFit {
			singular = "yes"
		}
		t.add(e.Outcome, e.Arm, strconv.Itoa(m.Clusters), dec(m.OddsRatio, 3), dec(m.CI.Lower, 3)+"–"+dec(m.CI.Upper, 3), pCell(m.PValue),
			dec(m.ClusterSD, 3), dec(m.ICC, 3), singular)
		for _, w := range m.Warnings {
			warnings = append(warnings, fmt.Sprintf("%s, %s: %s", e.Outcome, e.Arm, w))
		}
	}
	t.Notes = strings.ToUpper(abtest.MixedEffectNote[:1]) + abtest.MixedEffectNote[1:] + "."
	if len(warnings) > 0 {
		t.Notes += " " + strings.Join(warnings, "; ") + "."
	}
	s.table(t)
}
