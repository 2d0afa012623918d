package rules

import (
	"fmt"

	"github.com/evalrun/evalrun/abtest"
)

// ClassRule is an association rule with the outcome as consequent and the
// evidence for it.
type ClassRule struct {
	Rule
	// P is Fisher's exact two-sided p-value of the 2×2 table antecedent
	// (held or not) × consequent (held or not); Q the Benjamini-Hochberg
	// adjusted p over all rules found; Significant is Q ≤ FDR.
	P           float64 `json:"p"`
	Q           float64 `json:"q"`
	Significant bool    `json:"significant"`
	// Holdout re-measures the rule on held-out transactions (nil when none
	// were given).
	Holdout *RuleCheck `json:"holdout,omitempty"`
}

// RuleCheck is a rule re-measured on other transactions.
type RuleCheck struct {
	CountBoth       int `json:"count_both"`
	CountAntecedent int `json:"count_antecedent"`
	CountConsequent int `json:"count_consequent"`
	N               int `json:"n"`
	// Confidence and Lift are nil when the antecedent (or consequent) does
	// not occur.
	Confidence *float64 `json:"confidence"`
	Lift       *float64 `json:"lift"`
	// P is Fisher's exact two-sided p-value; Confirmed means the lift lies
	// on the same side of 1 as in discovery and P ≤ Alpha.
	P         float64 `json:"p"`
	Confirmed bool    `json:"confirmed"`
}

// ClassRuleOptions configure ClassRules.
type ClassRuleOptions struct {
	RuleOptions
	// FDR is the Benjamini-Hochberg level (default 0.05).
	FDR float64
	// Alpha is the held-out Fisher test's level (default 0.05).
	Alpha float64
}

// ClassRules mines the rules with opt.Consequent (required) as consequent
// from train, tests each with Fisher's exact test and Benjamini-Hochberg,
// and re-measures each on holdout (may be nil).
func ClassRules(train, holdout [][]string, opt ClassRuleOptions) ([]ClassRule, error) {
	if opt.Consequent == "" {
		return nil, fmt.Errorf("rules: class rules need the outcome item as consequent")
	}
	if opt.FDR == 0 {
		opt.FDR = 0.05
	}
	if opt.Alpha == 0 {
		opt.Alpha = 0.05
	}
	if !(opt.FDR > 0 && opt.FDR < 1) || !(opt.Alpha > 0 && opt.Alpha < 1) {
		return nil, fmt.Errorf("rules: fdr %v and alpha %v must be in (0, 1)", opt.FDR, opt.Alpha)
	}
	found, err := AssociationRules(train, opt.RuleOptions)
	if err != nil {
		return nil, err
	}
	out := make([]ClassRule, len(found))
	ps := make([]float64, len(found))
	for i, r := range found {
		p, err := fisherP(r.CountBoth, r.CountAntecedent, r.CountConsequent, r.N)
		if err != nil {
			return nil, err
		}
		out[i] = ClassRule{Rule: r, P: p}
		ps[i] = p
	}
	qs, err := abtest.AdjustPValues(ps, abtest.AdjustBH)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	for i := range out {
		out[i].Q = qs[i]
		out[i].Significant = qs[i] <= opt.FDR
		if holdout != nil {
			c, err := Check(holdout, out[i].Antecedent, out[i].Consequent, out[i].Lift, opt.Alpha)
			if err != nil {
				return nil, err
			}
			out[i].Holdout = &c
		}
	}
	return out, nil
}

// Check re-measures the rule antecedent → consequent on transactions: it is
// confirmed when its lift lies on the same side of 1 as discoveryLift and
// Fisher's exact p ≤ alpha.
func Check(transactions [][]string, antecedent []string, consequent string, discoveryLift, alpha float64) (RuleCheck, error) {
	c := RuleCheck{N: len(transactions)}
	for _, t := range transactions {
		has := map[string]bool{}
		for _, it := range t {
			has[it] = true
		}
		all := true
		for _, a := range antecedent {
			all = all && has[a]
		}
		if all {
			c.CountAntecedent++
		}
		if has[consequent] {
			c.CountConsequent++
			if all {
				c.CountBoth++
			}
		}
	}
	if c.N == 0 {
		return c, fmt.Errorf("rules: check: no held-out transactions")
	}
	if c.CountAntecedent > 0 {
		conf := float64(c.CountBoth) / float64(c.CountAntecedent)
		c.Confidence = &conf
		if c.CountConsequent > 0 {
			lift := conf / (float64(c.CountConsequent) / float64(c.N))
			c.Lift = &lift
		}
	}
	p, err := fisherP(c.CountBoth, c.CountAntecedent, c.CountConsequent, c.N)
	if err != nil {
		return c, err
	}
	c.P = p
	c.Confirmed = c.Lift != nil && p <= alpha && *c.Lift != 1 && (*c.Lift > 1) == (discoveryLift > 1)
	return c, nil
}

// fisherP is Fisher's exact two-sided p-value of antecedent × consequent.
func fisherP(both, countA, countC, n int) (float64, error) {
	t := [2][2]int{{both, countA - both}, {countC - both, n - countA - countC + both}}
	f, err := abtest.FisherExact(t)
	if err != nil {
		return 0, fmt.Errorf("rules: fisher exact: %w", err)
	}
	return f.PValue, nil
}
