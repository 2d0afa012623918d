package pilot

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Preregistration is the comparison of a pilot's analysis with its
// pre-registered plan (the spec's plan_lock).
type Preregistration struct {
	// Lock is the lock file as the spec names it; Hash and LockedAt come
	// from it; Forced says it was locked after outcomes were recorded.
	Lock      string `json:"lock"`
	Hash      string `json:"hash"`
	LockedAt  string `json:"locked_at"`
	Forced    bool   `json:"forced"`
	Statement string `json:"statement"`
	// Deviations lists every difference between the analysed plan and
	// the locked one, in the order of the spec's keys.
	Deviations []Deviation `json:"deviations"`
	// Exploratory lists the analyses that the locked plan did not
	// contain: their results are exploratory, not confirmatory.
	Exploratory []string `json:"exploratory"`
}

// Deviation is one difference from the locked plan.
type Deviation struct {
	// Key is the spec key that differs; Locked and Now its values (JSON).
	Key     string `json:"key"`
	Locked  string `json:"locked"`
	Now     string `json:"now"`
	Message string `json:"message"`
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// CompareWithLock returns the deviations of the spec's plan from the
// locked plan and the analyses the lock did not contain.
func CompareWithLock(locked LockedPlan, s Spec) (devs []Deviation, exploratory []string) {
	now := LockedPlanOf(s)
	add := func(key string, was, is any, format string, args ...any) {
		devs = append(devs, Deviation{Key: key, Locked: jsonText(was), Now: jsonText(is), Message: fmt.Sprintf(format, args...)})
	}
	same := func(a, b any) bool { return jsonText(a) == jsonText(b) }
	for _, f := range []struct {
		key     string
		was, is any
		what    string
	}{
		{"unit", locked.Unit, now.Unit, "the unit column"},
		{"arm", locked.Arm, now.Arm, "the arm column"},
		{"arms", locked.Arms, now.Arms, "the arms"},
		{"control", locked.Control, now.Control, "the control arm"},
		{"allocation", locked.Allocation, now.Allocation, "the planned allocation"},
		{"cluster", locked.Cluster, now.Cluster, "the cluster column"},
		{"cluster_randomized", locked.ClusterRandomized, now.ClusterRandomized, "cluster randomization"},
		{"strata", locked.Strata, now.Strata, "the strata column"},
		{"received", locked.Received, now.Received, "the treatment-received column"},
	} {
		if !same(f.was, f.is) {
			add(f.key, f.was, f.is, "%s changed from %s to %s", f.what, jsonText(f.was), jsonText(f.is))
		}
	}
	// Outcomes: primary set, then each outcome.
	primaries := func(os []OutcomeSpec) []string {
		var p []string
		for _, o := range os {
			if o.Primary {
				p = append(p, o.Name)
			}
		}
		return p
	}
	if lp, np := primaries(locked.Outcomes), primaries(now.Outcomes); !slices.Equal(lp, np) {
		add("outcomes.primary", lp, np, "the primary outcome changed from %s to %s", strings.Join(lp, ", "), strings.Join(np, ", "))
	}
	lockedOutcome := map[string]OutcomeSpec{}
	for _, o := range locked.Outcomes {
		lockedOutcome[o.Name] = o
	}
	nowOutcome := map[string]bool{}
	for i, o := range now.Outcomes {
		nowOutcome[o.Name] = true
		key := fmt.Sprintf("outcomes[%d]", i)
		l, ok := lockedOutcome[o.Name]
		if !ok {
			add(key+".name", nil, o.Name, "outcome %s was added after the plan was locked: its analyses are exploratory", o.Name)
			for _, a := range now.Arms {
				if a != now.Control {
					exploratory = append(exploratory, fmt.Sprintf("effect of %s on %s (outcome not in the plan)", a, o.Name))
				}
			}
			continue
		}
		if l.Kind != o.Kind {
			add(key+".kind", l.Kind, o.Kind, "outcome %s changed kind from %s to %s", o.Name, l.Kind, o.Kind)
		}
		if l.PrePeriod != o.PrePeriod {
			add(key+".pre_period", l.PrePeriod, o.PrePeriod, "the pre-period measure of %s changed from %q to %q", o.Name, l.PrePeriod, o.PrePeriod)
		}
	}
	for _, o := range locked.Outcomes {
		if !nowOutcome[o.Name] {
			add("outcomes", o.Name, nil, "outcome %s of the plan is no longer analysed", o.Name)
		}
	}
	// Arms not in the plan give exploratory effects.
	for _, a := range now.Arms {
		if a != now.Control && !slices.Contains(locked.Arms, a) {
			exploratory = append(exploratory, fmt.Sprintf("effects of arm %s (arm not in the plan)", a))
		}
	}
	if locked.Alpha != now.Alpha {
		add("alpha", locked.Alpha, now.Alpha, "alpha changed from %v to %v", locked.Alpha, now.Alpha)
	}
	// A level left at its default 1 − alpha follows alpha: only alpha
	// deviates then.
	defaultLevel := locked.Level == 1-locked.Alpha && now.Level == 1-now.Alpha
	if locked.Level != now.Level && !defaultLevel {
		add("level", locked.Level, now.Level, "the confidence level changed from %v to %v", locked.Level, now.Level)
	}
	if locked.Multiplicity.Method != now.Multiplicity.Method {
		add("multiplicity.method", locked.Multiplicity.Method, now.Multiplicity.Method, "the multiplicity adjustment changed from %s to %s", locked.Multiplicity.Method, now.Multiplicity.Method)
	}
	if locked.Multiplicity.Strategy != now.Multiplicity.Strategy {
		add("multiplicity.strategy", locked.Multiplicity.Strategy, now.Multiplicity.Strategy, "the multiplicity strategy changed from %s to %s", locked.Multiplicity.Strategy, now.Multiplicity.Strategy)
	}
	if !slices.Equal(locked.AdjustFor, now.AdjustFor) {
		add("adjust_for", locked.AdjustFor, now.AdjustFor, "the adjustment covariates changed from %s to %s", jsonText(locked.AdjustFor), jsonText(now.AdjustFor))
	}
	if !slices.Equal(locked.Covariates, now.Covariates) {
		add("covariates", locked.Covariates, now.Covariates, "the declared covariates changed from %s to %s", jsonText(locked.Covariates), jsonText(now.Covariates))
	}
	if !slices.Equal(locked.Attributes, now.Attributes) {
		add("attributes", locked.Attributes, now.Attributes, "the declared attributes changed from %s to %s", jsonText(locked.Attributes), jsonText(now.Attributes))
	}
	// Subgroups.
	lockedSub := map[string]SubgroupSpec{}
	for _, g := range locked.Subgroups {
		lockedSub[g.Attribute] = g
	}
	nowSub := map[string]bool{}
	for i, g := range now.Subgroups {
		nowSub[g.Attribute] = true
		key := fmt.Sprintf("subgroups[%d]", i)
		l, ok := lockedSub[g.Attribute]
		if !ok {
			add(key+".attribute", nil, g.Attribute, "a new subgroup analysis by %s was added after the plan was locked: it is exploratory", g.Attribute)
			exploratory = append(exploratory, fmt.Sprintf("subgroups by %s (not in the plan)", g.Attribute))
			continue
		}
		if l.PreDeclared != g.PreDeclared {
			add(key+".pre_declared", l.PreDeclared, g.PreDeclared, "the subgroup analysis by %s changed pre_declared from %v to %v", g.Attribute, l.PreDeclared, g.PreDeclared)
		}
	}
	for _, g := range locked.Subgroups {
		if !nowSub[g.Attribute] {
			add("subgroups", g.Attribute, nil, "the planned subgroup analysis by %s was dropped", g.Attribute)
		}
	}
	if locked.SubgroupScale != now.SubgroupScale {
		add("subgroup_scale", locked.SubgroupScale, now.SubgroupScale, "the subgroup scale changed from %s to %s", locked.SubgroupScale, now.SubgroupScale)
	}
	if !reflect.DeepEqual(targetView(locked.Target), targetView(now.Target)) {
		add("target", targetView(locked.Target), targetView(now.Target), "the target changed from %s to %s", jsonText(targetView(locked.Target)), jsonText(targetView(now.Target)))
	}
	if !same(locked.Sequential, now.Sequential) {
		add("sequential", locked.Sequential, now.Sequential, "the sequential monitoring plan changed from %s to %s", jsonText(locked.Sequential), jsonText(now.Sequential))
	}
	return devs, exploratory
}

// targetView is the comparable content of a target (nil stays nil).
func targetView(t *TargetSpec) map[string]any {
	if t == nil {
		return nil
	}
	m := map[string]any{"outcome": t.Outcome, "arm": t.Arm}
	if t.RelativeReduction != nil {
		m["relative_reduction"] = *t.RelativeReduction
	}
	if t.Difference != nil {
		m["difference"] = *t.Difference
	}
	return m
}

// checkPreregistration reads the spec's plan lock and compares.
func checkPreregistration(s Spec, baseDir string) (*Preregistration, error) {
	l, err := ReadLock(Resolve(baseDir, s.PlanLock))
	if err != nil {
		return nil, err
	}
	lp, ok := l.Pilot(s.Name)
	if !ok {
		var names []string
		for _, p := range l.Pilots {
			names = append(names, p.Name)
		}
		return nil, fmt.Errorf("plan lock %s has no pilot %q (it locks: %s)", s.PlanLock, s.Name, strings.Join(names, ", "))
	}
	p := &Preregistration{Lock: s.PlanLock, Hash: l.Hash, LockedAt: l.LockedAt, Forced: lp.Forced, Statement: lp.Statement}
	p.Deviations, p.Exploratory = CompareWithLock(lp.Plan, s)
	if p.Deviations == nil {
		p.Deviations = []Deviation{}
	}
	if p.Exploratory == nil {
		p.Exploratory = []string{}
	}
	return p, nil
}

// preregistrationLines returns the warnings and the summary sentence.
func (p *Preregistration) lines() (warnings []string, summary string) {
	if p.Forced {
		warnings = append(warnings, "the plan lock was written after outcome values were recorded: "+p.Statement)
	}
	for _, d := range p.Deviations {
		warnings = append(warnings, "deviation from the pre-registered plan: "+d.Message)
	}
	for _, e := range p.Exploratory {
		warnings = append(warnings, "exploratory (not in the pre-registered plan): "+e)
	}
	short := p.Hash
	if len(short) > 12 {
		short = short[:12]
	}
	switch {
	case len(p.Deviations) == 0 && !p.Forced:
		summary = fmt.Sprintf("The analysis follows the plan pre-registered at %s (lock %s) without deviation.", p.LockedAt, short)
	case len(p.Deviations) == 0:
		summary = fmt.Sprintf("The analysis follows the plan locked at %s (lock %s), but that lock was written after outcomes were recorded.", p.LockedAt, short)
	default:
		summary = fmt.Sprintf("The analysis deviates from the plan pre-registered at %s (lock %s) in %d way(s); analyses outside the plan are exploratory.", p.LockedAt, short, len(p.Deviations))
	}
	return warnings, summary
}
