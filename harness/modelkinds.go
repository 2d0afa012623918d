package harness

import (
	"fmt"
	"sort"

	"github.com/evalrun/evalrun/external"
	"github.com/evalrun/evalrun/models"
)

// modelKind describes one `kind` of [[models]]: its TOML keys (the fields of
// the struct newParams returns), their checks, and how to build the model.
type modelKind struct {
	newParams func() any
	check     func(params any) error
	build     func(params any, bc buildContext) (models.Model, error)
	// scoresNotProbabilities marks kinds whose scores rank students but
	// are not probabilities: Brier and log loss are undefined for them.
	scoresNotProbabilities bool
	// external marks scores computed outside the harness: shuffling a
	// feature cannot change them, so there is no permutation importance.
	external bool
}

// ModelKinds lists the model kinds a spec may name.
func ModelKinds() []string {
	kinds := make([]string, 0, len(modelKinds))
	for k := range modelKinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}

// logisticParams are the keys of kind = "logistic".
type logisticParams struct {
	// C is the inverse L2 strength, as in scikit-learn (default 1).
	C *float64 `toml:"C"`
	// Standardize scales features by training mean and SD (default true).
	Standardize *bool `toml:"standardize"`
	MaxIter     int   `toml:"max_iter"`
	// Solver is "lbfgs" (default: scikit-learn's solver and stopping
	// point) or "newton" (the exact minimizer).
	Solver string `toml:"solver"`
	// Tol is the solver's tolerance (default 1e-4 for lbfgs, as
	// scikit-learn; 1e-10 for newton).
	Tol float64 `toml:"tol"`
	// ClassWeight is "" or "balanced".
	ClassWeight string `toml:"class_weight"`
}

// priorParams: kind = "prior" has no hyperparameters.
type priorParams struct{}

// ruleParams are the keys of kind = "rule".
type ruleParams struct {
	// Feature is the one encoded feature column that is the score.
	Feature string `toml:"feature"`
	// Direction is "higher" (default: a higher value is riskier) or "lower".
	Direction string `toml:"direction"`
}

var modelKinds = map[string]modelKind{
	"logistic": {
		newParams: func() any { return &logisticParams{} },
		check: func(p any) error {
			lp := p.(*logisticParams)
			if lp.C != nil && *lp.C <= 0 {
				return paramError{"C", fmt.Sprintf("must be positive, got %g", *lp.C)}
			}
			if lp.MaxIter < 0 {
				return paramError{"max_iter", fmt.Sprintf("must be positive, got %d", lp.MaxIter)}
			}
			if lp.Solver != "" && lp.Solver != models.LogisticSolverLBFGS && lp.Solver != models.LogisticSolverNewton {
				return paramError{"solver", fmt.Sprintf("must be \"lbfgs\" or \"newton\", got %q", lp.Solver)}
			}
			if lp.Tol < 0 {
				return paramError{"tol", fmt.Sprintf("must be positive, got %g", lp.Tol)}
			}
			return checkClassWeight(lp.ClassWeight)
		},
		build: func(p any, _ buildContext) (models.Model, error) {
			lp := p.(*logisticParams)
			cfg := models.DefaultLogisticConfig()
			cfg.ClassWeight = lp.ClassWeight
			cfg.Tol = lp.Tol
			if lp.Solver != "" {
				cfg.Solver = lp.Solver
			}
			if lp.MaxIter > 0 {
				cfg.MaxIter = lp.MaxIter
			}
			if lp.C != nil {
				cfg.C = *lp.C
			}
			if lp.Standardize != nil {
				cfg.Standardize = *lp.Standardize
			}
			return models.Logistic{Config: cfg}, nil
		},
	},
	"prior": {
		newParams: func() any { return &priorParams{} },
		check:     func(any) error { return nil },
		build:     func(any, buildContext) (models.Model, error) { return models.Prior{}, nil },
	},
	"rule": {
		newParams: func() any { return &ruleParams{} },
		check: func(p any) error {
			rp := p.(*ruleParams)
			if rp.Feature == "" {
				return paramError{"feature", "missing: the feature column whose value is the risk score"}
			}
			if rp.Direction != "" && rp.Direction != "higher" && rp.Direction != "lower" {
				return paramError{"direction", fmt.Sprintf("must be \"higher\" or \"lower\", got %q", rp.Direction)}
			}
			return nil
		},
		build: func(p any, _ buildContext) (models.Model, error) {
			rp := p.(*ruleParams)
			return models.Rule{Config: models.RuleConfig{Feature: rp.Feature, Direction: rp.Direction}}, nil
		},
		scoresNotProbabilities: true,
	},
}

func checkClassWeight(cw string) error {
	if cw != "" && cw != "balanced" {
		return paramError{"class_weight", fmt.Sprintf("must be \"balanced\" or left out, got %q", cw)}
	}
	return nil
}

// paramError is a problem with one hyperparameter key of a model.
type paramError struct {
	key, msg string
}

func (e paramError) Error() string { return e.key + ": " + e.msg }

// buildContext is what a model kind may need beyond its parameters: the
// fold it is built for and the run's shared inputs.
type buildContext struct {
	model, split, cutoff string
	// predictions holds the loaded files of "predictions" models by name.
	predictions map[string]*external.PredictionsFile
}

// buildModel constructs the model a ModelSpec declares for one fold.
func buildModel(m ModelSpec, bc buildContext) (models.Model, error) {
	kind, ok := modelKinds[m.Kind]
	if !ok {
		return nil, fmt.Errorf("unknown model kind %q", m.Kind)
	}
	bc.model = m.Name
	return kind.build(m.Params, bc)
}
