package harness

import (
	"fmt"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/models"
	"github.com/evalrun/evalrun/multilevel"
)

// mixedLogisticParams are the keys of kind = "mixed_logistic": fixed
// effects on the dataset's features plus a random intercept per group of
// Group, fitted as lme4's glmer (package multilevel).
type mixedLogisticParams struct {
	// Group is the grouping column: "course" or a categorical column
	// (for OULAD "code_module").
	Group string `toml:"group"`
	// NAGQ is the number of adaptive Gauss-Hermite nodes: 1 (default) is
	// the Laplace approximation.
	NAGQ int `toml:"n_agq"`
}

func init() {
	modelKinds["mixed_logistic"] = modelKind{
		newParams: func() any { return &mixedLogisticParams{} },
		check: func(p any) error {
			mp := p.(*mixedLogisticParams)
			if mp.Group == "" {
				return paramError{"group", "missing: the column whose groups get a random intercept (\"course\" or a categorical column such as \"code_module\")"}
			}
			if mp.NAGQ < 0 || mp.NAGQ > multilevel.MaxNAGQ {
				return paramError{"n_agq", fmt.Sprintf("must lie between 1 and %d, got %d", multilevel.MaxNAGQ, mp.NAGQ)}
			}
			return nil
		},
		build: func(p any, _ buildContext) (models.Model, error) {
			mp := p.(*mixedLogisticParams)
			return models.MixedLogistic{Config: models.MixedLogisticConfig{GroupColumn: mp.Group, NAGQ: mp.NAGQ}}, nil
		},
	}
}

// groupColumn returns the grouping column a model's parameters name, ""
// for kinds without one.
func groupColumn(params any) string {
	if mp, ok := params.(*mixedLogisticParams); ok {
		return mp.Group
	}
	return ""
}

// groupedRows returns the fold's training and test rows as a model with
// these parameters sees them: with each row's group label when the kind is
// multilevel, else unchanged.
func groupedRows(params any, f *datasets.Frame, p *preparedFold) (train, test models.Rows, err error) {
	train, test = p.train, p.test
	col := groupColumn(params)
	if col == "" {
		return train, test, nil
	}
	if train.Groups, err = rowLabels(f, col, p.trainKept); err != nil {
		return train, test, err
	}
	if test.Groups, err = rowLabels(f, col, p.testKept); err != nil {
		return train, test, err
	}
	return train, test, nil
}

// checkGroupColumns reports models whose grouping column a dataset lacks.
func checkGroupColumns(s *Spec, ld *loadedDataset, f *datasets.Frame, ps *problems) {
	for i, m := range s.Models {
		col := groupColumn(m.Params)
		if col == "" {
			continue
		}
		if col == "course" {
			labelled := false
			for _, c := range f.Courses {
				labelled = labelled || c != ""
			}
			if !labelled {
				ps.add(fmt.Sprintf("models[%d].group", i), "dataset %q has no course column (csv datasets name it with course = \"...\"), so \"course\" cannot group the random intercept", ld.spec.Name)
			}
			continue
		}
		if _, ok := f.CategoricalByName(col); !ok {
			ps.add(fmt.Sprintf("models[%d].group", i), "no categorical column %q in dataset %q for the random intercept (use \"course\" or one of: %s)",
				col, ld.spec.Name, joinLimited(categoricalNames(f), 12))
		}
	}
}

func categoricalNames(f *datasets.Frame) []string {
	out := make([]string, len(f.Categorical))
	for i, c := range f.Categorical {
		out[i] = c.Name
	}
	return out
}
