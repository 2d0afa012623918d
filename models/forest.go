package models

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/evalrun/evalrun/internal/workpool"
)

// ForestConfig configures a random forest of CART trees (scikit-learn
// RandomForestClassifier). A zero field takes the scikit-learn default.
type ForestConfig struct {
	// NTrees is the number of trees; 0 means 100.
	NTrees int
	// Criterion, MaxDepth, MinSamplesLeaf and MinSamplesSplit are as in
	// TreeConfig.
	Criterion       string
	MaxDepth        int
	MinSamplesLeaf  int
	MinSamplesSplit int
	// MaxFeatures is the number of features drawn at each node: "sqrt"
	// (default when empty: max(1, ⌊√d⌋)), "log2" (max(1, ⌊log2 d⌋)), "all",
	// an integer count ("5"), or a fraction in (0, 1] ("0.3": max(1, ⌊0.3·d⌋)).
	// As in scikit-learn, a drawn feature that is constant in the node
	// counts towards the number, and more are drawn only while every
	// feature drawn is constant; so deep nodes, where many one-hot columns
	// are constant, examine fewer features and stop splitting sooner.
	MaxFeatures string
	// MaxBins bounds the candidate thresholds per feature: values are
	// grouped into at most MaxBins quantile bins fitted on the training rows
	// (as HistGradientBoosting's binning), which is exact for features with
	// at most MaxBins distinct values and makes training several times
	// faster; 0 means 255 (the most allowed); -1 means exact CART on every
	// distinct value, as scikit-learn's RandomForestClassifier.
	MaxBins int
	// DisableBootstrap grows every tree on all rows instead of a bootstrap
	// sample of n rows drawn with replacement.
	DisableBootstrap bool
	// ClassWeight is "" (weight 1), "balanced" (n / (2·n_class) on the
	// whole training set) or "balanced_subsample" (the same on each
	// bootstrap sample).
	ClassWeight string
	// Workers is the number of goroutines growing trees; 0 means 2. The
	// forest is the same whatever Workers and GOMAXPROCS are.
	Workers int
}

// DefaultForestConfig returns scikit-learn's defaults: 100 trees, gini,
// unlimited depth, min_samples_leaf 1, min_samples_split 2, sqrt features,
// bootstrap; and 255 bins per feature, two workers.
func DefaultForestConfig() ForestConfig {
	return ForestConfig{NTrees: 100, Criterion: "gini", MinSamplesLeaf: 1, MinSamplesSplit: 2, MaxFeatures: "sqrt", MaxBins: 255, Workers: 2}
}

// MaxFeaturesCount resolves a max_features setting (ForestConfig.MaxFeatures)
// to the number of features drawn at each node among d.
func MaxFeaturesCount(spec string, d int) (int, error) {
	switch spec {
	case "", "sqrt":
		return max(1, int(math.Sqrt(float64(d)))), nil
	case "log2":
		return max(1, int(math.Log2(float64(d)))), nil
	case "all":
		return d, nil
	}
	if k, err := strconv.Atoi(spec); err == nil {
		if k < 1 || k > d {
			return 0, fmt.Errorf("max_features %d: want 1..%d", k, d)
		}
		return k, nil
	}
	f, err := strconv.ParseFloat(spec, 64)
	if err != nil || !(f > 0 && f <= 1) {
		return 0, fmt.Errorf("max_features %q: want \"sqrt\", \"log2\", \"all\", a count or a fraction in (0, 1]", spec)
	}
	return max(1, int(f*float64(d))), nil
}

// RandomForest is an untrained random forest.
type RandomForest struct {
	Config ForestConfig
}

// FittedForest is a trained random forest. Its raw score is the
// probability: the mean over trees of the leaf's weighted share of positive
// rows.
type FittedForest struct {
	*treeEnsemble
	config      ForestConfig
	maxFeatures int
}

var _ Explainer = (*FittedForest)(nil)

// Fit grows the trees in Config.Workers goroutines. Tree t draws its
// bootstrap sample and feature orders from a PCG source seeded with (s, t),
// where s is one value drawn from rng, so the forest depends only on the
// training set, the configuration and rng's state — not on the number of
// workers or cores. rng may be nil (a fixed source is used then).
//
// Fit returns an error for a missing or empty training set, labels other than
// 0/1, a single class, NaN or ±Inf features and invalid settings.
func (m RandomForest) Fit(ctx context.Context, train TrainingSet, rng *rand.Rand) (Fitted, error) {
	cfg := m.Config
	tc, crit, err := TreeConfig{Criterion: cfg.Criterion, MaxDepth: cfg.MaxDepth, MinSamplesLeaf: cfg.MinSamplesLeaf, MinSamplesSplit: cfg.MinSamplesSplit}.resolve("random_forest")
	if err != nil {
		return nil, err
	}
	cfg.Criterion, cfg.MinSamplesLeaf, cfg.MinSamplesSplit = tc.Criterion, tc.MinSamplesLeaf, tc.MinSamplesSplit
	if cfg.MaxBins == 0 {
		cfg.MaxBins = 255
	}
	if cfg.MaxBins != -1 && (cfg.MaxBins < 2 || cfg.MaxBins > 255) {
		return nil, fmt.Errorf("random_forest: max_bins %d: want 2..255, or -1 for every distinct value", cfg.MaxBins)
	}
	if cfg.NTrees < 0 || cfg.Workers < 0 {
		return nil, fmt.Errorf("random_forest: n_trees %d and workers %d must not be negative", cfg.NTrees, cfg.Workers)
	}
	if cfg.NTrees == 0 {
		cfg.NTrees = 100
	}
	if cfg.Workers == 0 {
		cfg.Workers = 2
	}
	if cfg.MaxFeatures == "" {
		cfg.MaxFeatures = "sqrt"
	}
	switch cfg.ClassWeight {
	case "", "balanced", "balanced_subsample":
	default:
		return nil, fmt.Errorf("random_forest: class_weight %q: want \"\", \"balanced\" or \"balanced_subsample\"", cfg.ClassWeight)
	}
	if err := validateTraining("random_forest", train, false, true); err != nil {
		return nil, err
	}
	n, d := train.X.Rows, train.X.Cols
	if d == 0 {
		return nil, fmt.Errorf("random_forest: training set has no feature columns")
	}
	mf, err := MaxFeaturesCount(cfg.MaxFeatures, d)
	if err != nil {
		return nil, fmt.Errorf("random_forest: %w", err)
	}
	if rng == nil {
		rng = rand.New(rand.NewPCG(0, 0))
	}
	seed := rng.Uint64()
	var cols *rankedColumns
	if cfg.MaxBins == -1 {
		cols = rankColumns(train.X)
	} else {
		cols = binnedColumns(train.X, cfg.MaxBins, rand.New(rand.NewPCG(seed, math.MaxUint64)))
	}
	params := cartParams{criterion: crit, maxDepth: cfg.MaxDepth, minSamplesLeaf: cfg.MinSamplesLeaf, minSamplesSplit: cfg.MinSamplesSplit, maxFeatures: mf}
	// "balanced_subsample" weights are computed per tree below.
	cw0, cw1 := 1.0, 1.0
	if cfg.ClassWeight == "balanced" {
		cw0, cw1, _ = classWeights(train.Y, "balanced")
	}

	trees := make([][]treeNode, cfg.NTrees)
	// Cancellation stops the handing out of trees; the error is checked
	// below, also when it came after the last tree.
	_ = workpool.RunWorkers(ctx, cfg.NTrees, cfg.Workers, func(int) func(t int) error {
		g := newCARTGrower(cols, train.Y, params)
		counts := make([]int32, n)
		w := make([]float64, n)
		idx := make([]int32, 0, n)
		return func(t int) error {
			trng := rand.New(rand.NewPCG(seed, uint64(t)))
			clear(counts)
			if cfg.DisableBootstrap {
				for i := range counts {
					counts[i] = 1
				}
			} else {
				for k := 0; k < n; k++ {
					counts[trng.IntN(n)]++
				}
			}
			w0, w1 := cw0, cw1
			if cfg.ClassWeight == "balanced_subsample" {
				var s0, s1 float64
				for i, c := range counts {
					if train.Y[i] == 1 {
						s1 += float64(c)
					} else {
						s0 += float64(c)
					}
				}
				w0, w1 = 0, 0
				if s0 > 0 {
					w0 = (s0 + s1) / (2 * s0)
				}
				if s1 > 0 {
					w1 = (s0 + s1) / (2 * s1)
				}
			}
			idx = idx[:0]
			for i, c := range counts {
				if c == 0 {
					continue
				}
				idx = append(idx, int32(i))
				if train.Y[i] == 1 {
					w[i] = float64(c) * w1
				} else {
					w[i] = float64(c) * w0
				}
			}
			trees[t] = g.grow(idx, w, trng)
			return nil
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("random_forest: %w", err)
	}
	e := newTreeEnsemble("random_forest", copyNames(train.X.Names, d), trees, 1/float64(cfg.NTrees), 0, false, false)
	return &FittedForest{treeEnsemble: e, config: cfg, maxFeatures: mf}, nil
}

// Summary reports the settings, the features examined per node, and the
// trees' mean number of leaves and largest depth.
func (f *FittedForest) Summary() Summary {
	var leaves int
	for _, t := range f.trees {
		leaves += countLeaves(t)
	}
	return Summary{
		Kind: "random_forest",
		Params: map[string]any{"n_trees": f.config.NTrees, "criterion": f.config.Criterion, "max_depth": f.config.MaxDepth,
			"min_samples_leaf": f.config.MinSamplesLeaf, "min_samples_split": f.config.MinSamplesSplit,
			"max_features": f.config.MaxFeatures, "max_bins": f.config.MaxBins, "bootstrap": !f.config.DisableBootstrap, "class_weight": f.config.ClassWeight},
		Notes: []string{fmt.Sprintf("%d features drawn per split (constant ones included, as scikit-learn); %.1f leaves per tree on average; largest depth %d",
			f.maxFeatures, float64(leaves)/float64(len(f.trees)), f.maxDepth)},
	}
}
