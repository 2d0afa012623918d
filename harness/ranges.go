package harness

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/BurntSushi/toml"
)

// numericRule is the valid range of a numeric spec key whose Go field
// cannot tell "left out" from "written as 0" (0 selects the default), or
// whose range nothing else checks. docs/spec.md ("Safety") lists them.
type numericRule struct {
	// zero is false when a written 0 is an error: for these keys 0 only
	// ever meant "use the default", and a written value is never
	// silently replaced.
	zero bool
	// min and max bound the value; open makes min exclusive.
	min, max float64
	open     bool
	// also lists values allowed outside [min, max] (-1 for "none").
	also []float64
	// want says the valid range in words ("be at least 1"); def is the
	// default when the key is left out ("" when there is none).
	want, def string
}

var anyCount = math.Inf(1)

// numericRules maps a spec key, without array indexes ("models.n_trees",
// also matching "models.grid.n_trees" values), to its rule.
var numericRules = map[string]numericRule{
	"experiment.seed":                             {zero: true, min: 0, max: math.MaxInt64, want: "be between 0 and 2^63-1"},
	"experiment.workers":                          {min: 1, max: 1024, want: "be between 1 and 1024", def: "2"},
	"privacy.min_group_size":                      {min: 1, max: anyCount, want: "be at least 1", def: "10"},
	"fairness.min_group_size":                     {min: 1, max: anyCount, want: "be at least 1", def: "privacy.min_group_size"},
	"metrics.level":                               {min: 0, max: 1, open: true, want: "lie in (0, 1)", def: "0.95"},
	"metrics.calibration_bins":                    {min: 1, max: 1000, want: "be between 1 and 1000", def: "10"},
	"splits.min_train":                            {min: 1, max: anyCount, want: "be at least 1", def: "1"},
	"datasets.students":                           {min: 1, max: 1_000_000, want: "be between 1 and 1000000", def: "4000"},
	"datasets.cleaning.max_events_per_minute":     {zero: true, min: 0, max: anyCount, want: "be 0 (off) or more", def: "60"},
	"datasets.cleaning.regular_gaps":              {zero: true, min: 0, max: anyCount, want: "be 0 (off) or more", def: "20"},
	"datasets.cleaning.regular_tolerance_seconds": {zero: true, min: 0, max: anyCount, want: "be 0 or more seconds", def: "0.5"},
	"features.idle_gap_minutes":                   {min: 0, max: anyCount, open: true, want: "be positive minutes", def: "30"},
	"models.max_iter":                             {min: 1, max: anyCount, want: "be at least 1", def: "100"},
	"models.tol":                                  {min: 0, max: anyCount, open: true, want: "be positive", def: "1e-4 for lbfgs"},
	"models.n_trees":                              {min: 1, max: anyCount, want: "be at least 1", def: "100"},
	"models.min_samples_leaf":                     {min: 1, max: anyCount, want: "be at least 1"},
	"models.min_samples_split":                    {min: 2, max: anyCount, want: "be at least 2", def: "2"},
	"models.max_leaves":                           {min: 2, max: anyCount, also: []float64{-1}, want: "be at least 2 (-1: no limit)", def: "31"},
	"models.learning_rate":                        {min: 0, max: 1, open: true, want: "lie in (0, 1]", def: "0.1"},
	"models.validation_fraction":                  {min: 0, max: 1, open: true, want: "lie in (0, 1)", def: "0.1"},
	"models.n_iter_no_change":                     {min: 1, max: anyCount, want: "be at least 1", def: "10"},
	"models.max_bins":                             {min: math.Inf(-1), max: math.Inf(1), want: "be between 2 and 255 (-1: exact splits, random_forest only)", def: "255"},
	"models.n_agq":                                {min: 1, max: 25, want: "lie between 1 and 25", def: "1 (the Laplace approximation)"},
	"abtests.assignment.seed":                     {zero: true, min: 0, max: math.MaxInt64, want: "be between 0 and 2^63-1"},
	"abtests.design.baseline_rate":                {min: 0, max: 1, open: true, want: "lie in (0, 1)"},
	"abtests.design.relative_reduction":           {min: 0, max: 1, open: true, want: "lie in (0, 1)"},
	"abtests.design.treatment_rate":               {min: 0, max: 1, open: true, want: "lie in (0, 1)"},
	"abtests.design.mean_difference":              {min: math.Inf(-1), max: math.Inf(1), want: "be a non-zero difference"},
	"abtests.design.sd":                           {min: 0, max: math.Inf(1), open: true, want: "be positive"},
	"abtests.design.power":                        {min: 0, max: 1, open: true, want: "lie in (0, 1)", def: "0.8"},
	"abtests.design.cluster_size":                 {min: 1, max: math.Inf(1), open: true, want: "be above 1"},
	"abtests.design.ratio":                        {min: 0, max: math.Inf(1), open: true, want: "be positive", def: "1"},
	"abtests.design.n":                            {min: 0, max: math.Inf(1), open: true, want: "be positive"},
}

// checkNumbers walks the decoded document and reports every number
// written for a key of numericRules that is outside its range, 0 where 0
// is not a value, or not finite.
func (s *Spec) checkNumbers(doc map[string]any, ps *problems) {
	var walk func(path, plain string, v any)
	walk = func(path, plain string, v any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(joinKey(path, k), joinKey(plain, k), x[k])
			}
		case []map[string]any:
			for i, t := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), plain, t)
			}
		case []any:
			for i, e := range x {
				if t, ok := e.(map[string]any); ok {
					walk(fmt.Sprintf("%s[%d]", path, i), plain, t)
				} else {
					walk(path, plain, e) // a grid axis or a list of numbers
				}
			}
		case int64:
			s.checkNumber(path, plain, float64(x), ps)
		case float64:
			s.checkNumber(path, plain, x, ps)
		}
	}
	walk("", "", doc)
}

func (s *Spec) checkNumber(path, plain string, v float64, ps *problems) {
	rule, ok := numericRules[plain]
	if !ok {
		// Grid axes take the rule of the hyperparameter they vary.
		if model, param, grid := cutGrid(plain); grid {
			rule, ok = numericRules[model+"."+param]
		}
	}
	if !ok {
		return
	}
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		ps.add(path, "must %s, got %v", rule.want, v)
	case v == 0 && !rule.zero && rule.def != "":
		ps.add(path, "must %s; 0 is not a value here (leave the key out for the default, %s)", rule.want, rule.def)
	case v == 0 && !rule.zero:
		ps.add(path, "must %s; 0 is not a value here (leave the key out if it does not apply)", rule.want)
	case slices.Contains(rule.also, v):
		return
	case v < rule.min || (rule.open && v == rule.min) || v > rule.max:
		ps.add(path, "must %s, got %v", rule.want, v)
	default:
		return
	}
	// Later checks of the same key would only repeat the problem.
	ps.claimed[path] = true
}

// cutGrid splits "models.grid.n_trees" into "models" and "n_trees".
func cutGrid(plain string) (string, string, bool) {
	const prefix = "models.grid."
	if len(plain) > len(prefix) && plain[:len(prefix)] == prefix {
		return "models", plain[len(prefix):], true
	}
	return "", "", false
}

// decodeDocument decodes the spec into plain maps for checkNumbers.
func decodeDocument(data []byte) (map[string]any, error) {
	var doc map[string]any
	_, err := toml.Decode(string(data), &doc)
	return doc, err
}
