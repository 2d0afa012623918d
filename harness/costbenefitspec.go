package harness

import (
	"fmt"
	"slices"

	"github.com/evalrun/evalrun/costbenefit"
	"github.com/evalrun/evalrun/pilot"
)

// CostBenefitSpec is the [costbenefit] table: the settings of `evalrun
// costbenefit --spec` (docs/governance.md).
type CostBenefitSpec struct {
	// Model, Split, Dataset and Cutoff pick the evaluation of the run
	// whose predictions give precision at each capacity.
	Model   string `toml:"model"`
	Split   string `toml:"split"`
	Dataset string `toml:"dataset"`
	Cutoff  *int   `toml:"cutoff"`
	// Pilot names the [[abtests]] pilot whose effect is used (default: the
	// only one); Outcome and Arm pick its binary outcome and arm.
	Pilot   string `toml:"pilot"`
	Outcome string `toml:"outcome"`
	Arm     string `toml:"arm"`
	// Capacity is the students contacted per term; costs are per contact
	// and fixed per term.
	Capacity        int      `toml:"capacity"`
	CostPerContact  *float64 `toml:"cost_per_contact"`
	FixedCost       *float64 `toml:"fixed_cost"`
	StudentsPerTerm *int     `toml:"students_per_term"`
	Capacities      []int    `toml:"capacities"`
	Replicates      *int     `toml:"replicates"`
	Level           *float64 `toml:"level"`
	Currency        string   `toml:"currency"`
}

// present reports whether the spec has a [costbenefit] table.
func (c CostBenefitSpec) present() bool {
	return c.Capacity != 0 || c.CostPerContact != nil || c.FixedCost != nil || c.Model != "" || c.Pilot != ""
}

func (s *Spec) checkCostBenefit(ps *problems) {
	c := s.CostBenefit
	if !c.present() {
		return
	}
	// The run may come from another spec: names are checked only against
	// a spec that declares models, splits or datasets.
	if c.Model != "" && len(s.Models) > 0 && !slices.ContainsFunc(s.Models, func(m ModelSpec) bool { return m.Name == c.Model }) {
		ps.add("costbenefit.model", "no model named %q", c.Model)
	}
	if c.Split != "" && len(s.Splits) > 0 && !slices.ContainsFunc(s.Splits, func(sp Split) bool { return sp.Name == c.Split }) {
		ps.add("costbenefit.split", "no split named %q", c.Split)
	}
	if c.Dataset != "" && len(s.Datasets) > 0 && !slices.ContainsFunc(s.Datasets, func(d Dataset) bool { return d.Name == c.Dataset }) {
		ps.add("costbenefit.dataset", "no dataset named %q", c.Dataset)
	}
	switch {
	case c.Pilot != "" && !slices.ContainsFunc(s.Abtests, func(p pilot.Spec) bool { return p.Name == c.Pilot }):
		ps.add("costbenefit.pilot", "no [[abtests]] pilot named %q", c.Pilot)
	case c.Pilot == "" && len(s.Abtests) > 1:
		ps.add("costbenefit.pilot", "missing: the spec declares %d pilots; name the one whose effect to use", len(s.Abtests))
	}
	if c.Capacity < 1 {
		ps.add("costbenefit.capacity", "must be a positive number of students contacted per term, got %d", c.Capacity)
	}
	nonNeg := func(key string, v *float64) {
		if v != nil && !(*v >= 0 && *v < 1e300) {
			ps.add(key, "must be a non-negative amount, got %g", *v)
		}
	}
	nonNeg("costbenefit.cost_per_contact", c.CostPerContact)
	nonNeg("costbenefit.fixed_cost", c.FixedCost)
	if (c.CostPerContact == nil || *c.CostPerContact == 0) && (c.FixedCost == nil || *c.FixedCost == 0) {
		ps.add("costbenefit.cost_per_contact", "give a positive cost_per_contact or fixed_cost")
	}
	if c.StudentsPerTerm != nil && *c.StudentsPerTerm < 1 {
		ps.add("costbenefit.students_per_term", "must be positive, got %d", *c.StudentsPerTerm)
	}
	for _, k := range c.Capacities {
		if k < 1 {
			ps.add("costbenefit.capacities", "capacities must be positive, got %d", k)
			break
		}
	}
	if c.Replicates != nil && *c.Replicates < 100 {
		ps.add("costbenefit.replicates", "must be at least 100, got %d", *c.Replicates)
	}
	if c.Level != nil && !(*c.Level > 0 && *c.Level < 1) {
		ps.add("costbenefit.level", "must lie in (0, 1), got %g", *c.Level)
	}
}

// CostBenefitRequest is the analysis the [costbenefit] table declares for
// the run in runDir: the selected predictions, the pilot's effect (from
// pilots when given, else by analysing the spec's pilot) and the settings.
func CostBenefitRequest(s *Spec, runDir string, pilots []*pilot.Result) (costbenefit.Inputs, *costbenefit.Predictions, error) {
	c := s.CostBenefit
	if !c.present() {
		return costbenefit.Inputs{}, nil, fmt.Errorf("%s: no [costbenefit] table", s.File)
	}
	sel := costbenefit.Selector{Model: c.Model, Split: c.Split, Dataset: c.Dataset}
	if c.Cutoff != nil {
		sel.Cutoff = fmt.Sprint(*c.Cutoff)
	}
	preds, err := costbenefit.ReadPredictions(runDir, sel)
	if err != nil {
		return costbenefit.Inputs{}, nil, err
	}
	if pilots == nil {
		for _, p := range s.Abtests {
			if c.Pilot != "" && p.Name != c.Pilot {
				continue
			}
			r, err := pilot.Run(p, s.Dir)
			if err != nil {
				return costbenefit.Inputs{}, nil, err
			}
			pilots = append(pilots, r)
		}
		if len(pilots) == 0 {
			return costbenefit.Inputs{}, nil, fmt.Errorf("%s: [costbenefit] needs a pilot: declare it in [[abtests]] or pass --pilot", s.File)
		}
	}
	effect, err := costbenefit.EffectFrom(pilots, c.Pilot, c.Outcome, c.Arm)
	if err != nil {
		return costbenefit.Inputs{}, nil, err
	}
	in := costbenefit.Inputs{Scores: preds.Scores, Labels: preds.Labels, Terms: preds.Terms, Effect: effect, Capacity: c.Capacity,
		Capacities: c.Capacities, Seed: TaskRand(s.Experiment.Seed, "costbenefit").Uint64(), Model: preds.Model, Currency: c.Currency}
	if c.CostPerContact != nil {
		in.CostPerContact = *c.CostPerContact
	}
	if c.FixedCost != nil {
		in.FixedCost = *c.FixedCost
	}
	if c.StudentsPerTerm != nil {
		in.StudentsPerTerm = *c.StudentsPerTerm
	}
	if c.Replicates != nil {
		in.Replicates = *c.Replicates
	}
	if c.Level != nil {
		in.Level = *c.Level
	}
	return in, preds, nil
}
