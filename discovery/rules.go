package discovery

import (
	"fmt"
	"sort"
	"strings"

	"github.com/evalrun/evalrun/rules"
)

// Outcome items of class rules.
const (
	itemAtRisk = "at risk"
	itemOther  = "not at risk"
)

// engagement returns per-row engagement features as of the cutoff: events
// of each action, all events, active days and sessions.
func engagement(spec Spec, pop *Population, log *Log) ([]string, [][]float64) {
	items, code := actionItems(log)
	names := make([]string, 0, len(items)+3)
	for _, it := range items {
		names = append(names, display(it)+" events")
	}
	names = append(names, "all events", "active days", "sessions")
	cols := make([][]float64, len(names))
	for c := range cols {
		cols[c] = make([]float64, len(pop.Keys))
	}
	per := log.byStudent(len(pop.Keys), spec.CutoffDay)
	gap := int64(spec.GapMinutes) * 60000
	na := len(items)
	for row, ev := range per {
		days := map[int32]bool{}
		for k, e := range ev {
			cols[code[log.Action[e]]][row] += float64(log.Count[e])
			cols[na][row] += float64(log.Count[e])
			days[log.Day[e]] = true
			if k == 0 || log.Time[e]-log.Time[ev[k-1]] > gap {
				cols[na+2][row]++
			}
		}
		cols[na+1][row] = float64(len(days))
	}
	return names, cols
}

// transactions turns rows into item sets: "high <feature>" when the row's
// value exceeds the median of the fitting rows, and the outcome item.
func transactions(pop *Population, names []string, cols [][]float64, medians []float64, rows []int) [][]string {
	out := make([][]string, len(rows))
	for i, row := range rows {
		var t []string
		for c := range cols {
			if cols[c][row] > medians[c] {
				t = append(t, "high "+names[c])
			}
		}
		if pop.Outcome[row] == 1 {
			t = append(t, itemAtRisk)
		} else {
			t = append(t, itemOther)
		}
		out[i] = t
	}
	return out
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func runRules(spec Spec, in Input, r *Result) error {
	pop := in.Population
	if in.Log == nil {
		return fmt.Errorf("rule mining needs an event log")
	}
	fit, held := discoverySplit(spec, pop, r)
	r.Students, r.HeldOut = len(fit), len(held)
	if len(fit) < 3 {
		return fmt.Errorf("%d students with an outcome in the training terms: too few", len(fit))
	}
	names, cols := engagement(spec, pop, in.Log)
	medians := make([]float64, len(cols))
	for c := range cols {
		v := make([]float64, len(fit))
		for i, row := range fit {
			v[i] = cols[c][row]
		}
		medians[c] = median(v)
	}
	train := transactions(pop, names, cols, medians, fit)
	var holdout [][]string
	if len(held) > 0 {
		holdout = transactions(pop, names, cols, medians, held)
	}
	res := &RulesResult{MinSupport: spec.MinSupport, MinConf: spec.MinConfidence, FDR: spec.FDR, Level: spec.Level}
	for _, row := range fit {
		if pop.Outcome[row] == 1 {
			res.AtRiskRate++
		}
	}
	res.AtRiskRate /= float64(len(fit))
	for _, n := range names {
		res.Items = append(res.Items, "high "+n)
	}
	for _, cons := range []string{itemOther, itemAtRisk} {
		found, err := rules.ClassRules(train, holdout, rules.ClassRuleOptions{
			RuleOptions: rules.RuleOptions{MinSupport: spec.MinSupport, MinConfidence: spec.MinConfidence, Consequent: cons, MaxAntecedent: spec.MaxAntecedent},
			FDR:         spec.FDR})
		if err != nil {
			return err
		}
		for _, c := range found {
			rr := RuleResult{Antecedent: c.Antecedent, Consequent: c.Consequent, Students: c.CountAntecedent, Support: c.Support, Confidence: c.Confidence,
				Lift: c.Lift, Leverage: c.Leverage, Conviction: c.Conviction, P: c.P, Q: c.Q, Significant: c.Significant}
			rr.ConfidenceLower, rr.ConfidenceUpper = wilson(c.CountBoth, c.CountAntecedent, spec.Level)
			if h := c.Holdout; h != nil {
				rr.HeldOutConfidence, rr.HeldOutLift, rr.HeldOutP, rr.Confirmed = h.Confidence, h.Lift, num(h.P), h.Confirmed
			}
			rr.Sentence = fmt.Sprintf("students with %s: %.0f%% %s (%d students; %.0f%% of all)",
				strings.Join(c.Antecedent, " and "), 100*c.Confidence, c.Consequent, c.CountAntecedent, 100*float64(c.CountConsequent)/float64(c.N))
			res.Rules = append(res.Rules, rr)
		}
	}
	sort.SliceStable(res.Rules, func(a, b int) bool { return res.Rules[a].P < res.Rules[b].P })
	outcome := make([]float64, len(fit))
	fc := make([][]float64, len(cols))
	for c := range cols {
		fc[c] = make([]float64, len(fit))
		for i, row := range fit {
			fc[c][i] = cols[c][row]
		}
	}
	for i, row := range fit {
		outcome[i] = float64(pop.Outcome[row])
	}
	corr, err := rules.Correlations(names, fc, outcome, spec.FDR)
	if err != nil {
		return err
	}
	res.Correlations = correlationResults(corr)
	r.Rules = res
	return nil
}

func correlationResults(corr []rules.FeatureCorrelation) []CorrelationResult {
	var out []CorrelationResult
	for _, c := range corr {
		out = append(out, CorrelationResult{Feature: c.Feature, N: c.Spearman.N, Spearman: c.Spearman.Coef, SpearmanP: c.Spearman.P, SpearmanQ: c.SpearmanQ,
			KendallTauB: c.Kendall.Coef, KendallP: c.Kendall.P, KendallQ: c.KendallQ, Significant: c.Significant})
	}
	return out
}
