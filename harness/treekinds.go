package harness

import (
	"fmt"

	"github.com/evalrun/evalrun/models"
)

// treeParams are the keys of kind = "tree" (CART, as scikit-learn's
// DecisionTreeClassifier).
type treeParams struct {
	Criterion       string `toml:"criterion"` // "gini" (default) or "entropy"
	MaxDepth        int    `toml:"max_depth"` // 0: unlimited
	MinSamplesLeaf  int    `toml:"min_samples_leaf"`
	MinSamplesSplit int    `toml:"min_samples_split"`
	ClassWeight     string `toml:"class_weight"`
}

// forestParams are the keys of kind = "random_forest".
type forestParams struct {
	NTrees          int    `toml:"n_trees"`
	Criterion       string `toml:"criterion"`
	MaxDepth        int    `toml:"max_depth"`
	MinSamplesLeaf  int    `toml:"min_samples_leaf"`
	MinSamplesSplit int    `toml:"min_samples_split"`
	// MaxFeatures: "sqrt" (default), "log2", "all", a count or a fraction.
	MaxFeatures string `toml:"max_features"`
	Bootstrap   *bool  `toml:"bootstrap"`
	// MaxBins bins each feature into at most this many quantile bins for
	// speed (default 255); -1 searches every threshold (exact CART).
	MaxBins int `toml:"max_bins"`
	// ClassWeight: "", "balanced" or "balanced_subsample".
	ClassWeight string `toml:"class_weight"`
}

// gbmParams are the keys of kind = "gbm" (histogram gradient boosting for
// log loss, as scikit-learn's HistGradientBoostingClassifier).
type gbmParams struct {
	LearningRate       float64 `toml:"learning_rate"`
	MaxIter            int     `toml:"max_iter"`
	MaxLeaves          int     `toml:"max_leaves"`
	MaxDepth           int     `toml:"max_depth"`
	MinSamplesLeaf     int     `toml:"min_samples_leaf"`
	L2                 float64 `toml:"l2"`
	MaxBins            int     `toml:"max_bins"`
	EarlyStopping      string  `toml:"early_stopping"` // "auto", "on", "off"
	ValidationFraction float64 `toml:"validation_fraction"`
	NIterNoChange      int     `toml:"n_iter_no_change"`
	ClassWeight        string  `toml:"class_weight"`
}

func nonNegative(key string, v int) error {
	if v < 0 {
		return paramError{key, fmt.Sprintf("must not be negative, got %d", v)}
	}
	return nil
}

func checkCriterion(c string) error {
	if c != "" && c != "gini" && c != "entropy" {
		return paramError{"criterion", fmt.Sprintf("must be \"gini\" or \"entropy\", got %q", c)}
	}
	return nil
}

// firstProblem returns the first non-nil error.
func firstProblem(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func init() {
	modelKinds["tree"] = modelKind{
		newParams: func() any { return &treeParams{} },
		check: func(p any) error {
			tp := p.(*treeParams)
			return firstProblem(checkCriterion(tp.Criterion), nonNegative("max_depth", tp.MaxDepth),
				nonNegative("min_samples_leaf", tp.MinSamplesLeaf), nonNegative("min_samples_split", tp.MinSamplesSplit),
				checkClassWeight(tp.ClassWeight))
		},
		build: func(p any, _ buildContext) (models.Model, error) {
			tp := p.(*treeParams)
			return models.Tree{Config: models.TreeConfig{Criterion: tp.Criterion, MaxDepth: tp.MaxDepth,
				MinSamplesLeaf: tp.MinSamplesLeaf, MinSamplesSplit: tp.MinSamplesSplit, ClassWeight: tp.ClassWeight}}, nil
		},
	}
	modelKinds["random_forest"] = modelKind{
		newParams: func() any { return &forestParams{} },
		check: func(p any) error {
			fp := p.(*forestParams)
			var cw error
			if fp.ClassWeight != "" && fp.ClassWeight != "balanced" && fp.ClassWeight != "balanced_subsample" {
				cw = paramError{"class_weight", fmt.Sprintf("must be \"balanced\" or \"balanced_subsample\" (or left out), got %q", fp.ClassWeight)}
			}
			var bins error
			if fp.MaxBins != 0 && fp.MaxBins != -1 && (fp.MaxBins < 2 || fp.MaxBins > 255) {
				bins = paramError{"max_bins", fmt.Sprintf("must be between 2 and 255, or -1 for exact splits, got %d", fp.MaxBins)}
			}
			return firstProblem(checkCriterion(fp.Criterion), bins, nonNegative("n_trees", fp.NTrees), nonNegative("max_depth", fp.MaxDepth),
				nonNegative("min_samples_leaf", fp.MinSamplesLeaf), nonNegative("min_samples_split", fp.MinSamplesSplit), cw)
		},
		build: func(p any, _ buildContext) (models.Model, error) {
			fp := p.(*forestParams)
			return models.RandomForest{Config: models.ForestConfig{NTrees: fp.NTrees, Criterion: fp.Criterion, MaxDepth: fp.MaxDepth,
				MinSamplesLeaf: fp.MinSamplesLeaf, MinSamplesSplit: fp.MinSamplesSplit, MaxFeatures: fp.MaxFeatures,
				DisableBootstrap: fp.Bootstrap != nil && !*fp.Bootstrap, MaxBins: fp.MaxBins, ClassWeight: fp.ClassWeight}}, nil
		},
	}
	modelKinds["gbm"] = modelKind{
		newParams: func() any { return &gbmParams{} },
		check: func(p any) error {
			gp := p.(*gbmParams)
			var es, lr, vf error
			if gp.EarlyStopping != "" && gp.EarlyStopping != "auto" && gp.EarlyStopping != "on" && gp.EarlyStopping != "off" {
				es = paramError{"early_stopping", fmt.Sprintf("must be \"auto\", \"on\" or \"off\", got %q", gp.EarlyStopping)}
			}
			if gp.LearningRate < 0 || gp.LearningRate > 1 {
				lr = paramError{"learning_rate", fmt.Sprintf("must lie in (0, 1], got %g", gp.LearningRate)}
			}
			if gp.ValidationFraction < 0 || gp.ValidationFraction >= 1 {
				vf = paramError{"validation_fraction", fmt.Sprintf("must lie in (0, 1), got %g", gp.ValidationFraction)}
			}
			var l2 error
			if gp.L2 < 0 {
				l2 = paramError{"l2", fmt.Sprintf("must not be negative, got %g", gp.L2)}
			}
			var bins error
			if gp.MaxBins != 0 && (gp.MaxBins < 2 || gp.MaxBins > 255) {
				bins = paramError{"max_bins", fmt.Sprintf("must be between 2 and 255, got %d", gp.MaxBins)}
			}
			return firstProblem(lr, nonNegative("max_iter", gp.MaxIter), nonNegative("max_depth", gp.MaxDepth),
				nonNegative("min_samples_leaf", gp.MinSamplesLeaf), l2, bins, es, vf, nonNegative("n_iter_no_change", gp.NIterNoChange),
				checkClassWeight(gp.ClassWeight))
		},
		build: func(p any, _ buildContext) (models.Model, error) {
			gp := p.(*gbmParams)
			return models.GBM{Config: models.GBMConfig{LearningRate: gp.LearningRate, MaxIter: gp.MaxIter, MaxLeafNodes: gp.MaxLeaves,
				MaxDepth: gp.MaxDepth, MinSamplesLeaf: gp.MinSamplesLeaf, L2Regularization: gp.L2, MaxBins: gp.MaxBins,
				EarlyStopping: gp.EarlyStopping, ValidationFraction: gp.ValidationFraction, NIterNoChange: gp.NIterNoChange,
				ClassWeight: gp.ClassWeight}}, nil
		},
	}
}
