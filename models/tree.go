package models

import (
	"context"
	"fmt"
	"math/rand/v2"
)

// TreeConfig configures a CART classification tree (scikit-learn
// DecisionTreeClassifier with the best splitter). A zero field takes the
// scikit-learn default.
type TreeConfig struct {
	// Criterion is "gini" (default when empty) or "entropy".
	Criterion string
	// MaxDepth limits the edges from the root to a leaf; 0: unlimited.
	MaxDepth int
	// MinSamplesLeaf is the fewest training rows in a leaf; 0 means 1.
	MinSamplesLeaf int
	// MinSamplesSplit is the fewest rows a node needs to be split; 0 means 2.
	MinSamplesSplit int
	// ClassWeight is "" (weight 1) or "balanced" (n / (2·n_class)).
	ClassWeight string
}

// DefaultTreeConfig returns scikit-learn's defaults: gini, unlimited depth,
// min_samples_leaf 1, min_samples_split 2, no class weights.
func DefaultTreeConfig() TreeConfig {
	return TreeConfig{Criterion: "gini", MinSamplesLeaf: 1, MinSamplesSplit: 2}
}

// resolve validates the configuration and fills defaults.
func (c TreeConfig) resolve(kind string) (TreeConfig, splitCriterion, error) {
	var crit splitCriterion
	switch c.Criterion {
	case "", "gini":
		c.Criterion = "gini"
	case "entropy", "log_loss":
		c.Criterion, crit = "entropy", criterionEntropy
	default:
		return c, 0, fmt.Errorf("%s: criterion %q: want \"gini\" or \"entropy\"", kind, c.Criterion)
	}
	if c.MaxDepth < 0 || c.MinSamplesLeaf < 0 || c.MinSamplesSplit < 0 || c.MinSamplesSplit == 1 {
		return c, 0, fmt.Errorf("%s: max_depth %d, min_samples_leaf %d, min_samples_split %d: want max_depth >= 0 (0: unlimited), min_samples_leaf >= 1, min_samples_split >= 2",
			kind, c.MaxDepth, c.MinSamplesLeaf, c.MinSamplesSplit)
	}
	if c.MinSamplesLeaf == 0 {
		c.MinSamplesLeaf = 1
	}
	if c.MinSamplesSplit == 0 {
		c.MinSamplesSplit = 2
	}
	if c.ClassWeight != "" && c.ClassWeight != "balanced" {
		return c, 0, fmt.Errorf("%s: class_weight %q: want \"\" or \"balanced\"", kind, c.ClassWeight)
	}
	return c, crit, nil
}

func (c TreeConfig) params() map[string]any {
	return map[string]any{"criterion": c.Criterion, "max_depth": c.MaxDepth, "min_samples_leaf": c.MinSamplesLeaf,
		"min_samples_split": c.MinSamplesSplit, "class_weight": c.ClassWeight}
}

// Tree is an untrained CART classification tree.
type Tree struct {
	Config TreeConfig
}

// FittedTree is a trained tree. Its raw score is the probability: the
// weighted share of positive training rows in the row's leaf.
type FittedTree struct {
	*treeEnsemble
	config TreeConfig
}

var _ Explainer = (*FittedTree)(nil)

// Fit grows the tree on all training rows (no bootstrap). rng orders the
// features examined at each node, which only matters to break ties between
// equally good splits; it may be nil (a fixed source is used then).
//
// Fit returns an error for a missing or empty training set, labels other than
// 0/1, a single class, NaN or ±Inf features (scikit-learn 1.2 trees do not
// take missing values) and invalid settings.
func (m Tree) Fit(ctx context.Context, train TrainingSet, rng *rand.Rand) (Fitted, error) {
	cfg, crit, err := m.Config.resolve("tree")
	if err != nil {
		return nil, err
	}
	if err := validateTraining("tree", train, false, true); err != nil {
		return nil, err
	}
	w0, w1, _ := classWeights(train.Y, cfg.ClassWeight)
	n, d := train.X.Rows, train.X.Cols
	if d == 0 {
		return nil, fmt.Errorf("tree: training set has no feature columns")
	}
	if rng == nil {
		rng = rand.New(rand.NewPCG(0, 0))
	}
	cols := rankColumns(train.X)
	g := newCARTGrower(cols, train.Y, cartParams{criterion: crit, maxDepth: cfg.MaxDepth,
		minSamplesLeaf: cfg.MinSamplesLeaf, minSamplesSplit: cfg.MinSamplesSplit, maxFeatures: d})
	idx := make([]int32, n)
	w := make([]float64, n)
	for i := range idx {
		idx[i] = int32(i)
		w[i] = w0
		if train.Y[i] == 1 {
			w[i] = w1
		}
	}
	nodes := g.grow(idx, w, rng)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("tree: %w", err)
	}
	return &FittedTree{treeEnsemble: newTreeEnsemble("tree", copyNames(train.X.Names, d), [][]treeNode{nodes}, 1, 0, false, false), config: cfg}, nil
}

// Summary reports the settings, depth and number of leaves.
func (f *FittedTree) Summary() Summary {
	t := f.trees[0]
	return Summary{
		Kind:   "tree",
		Params: f.config.params(),
		Notes:  []string{fmt.Sprintf("%d leaves, depth %d", countLeaves(t), treeDepth(t))},
	}
}

// Rules returns the tree's splits in depth-first order, for inspection and
// tests: for each internal node its feature name and threshold (rows with
// value <= threshold go left).
func (f *FittedTree) Rules() []TreeSplit {
	var out []TreeSplit
	for _, n := range f.trees[0] {
		if !n.isLeaf() {
			out = append(out, TreeSplit{Feature: f.names[n.feature], Threshold: n.threshold})
		}
	}
	return out
}

// TreeSplit is one split of a fitted tree.
type TreeSplit struct {
	Feature   string
	Threshold float64
}
