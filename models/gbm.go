package models

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
)

// GBMConfig configures histogram-based gradient boosting for the log loss
// (scikit-learn HistGradientBoostingClassifier 1.2). A zero field takes the
// scikit-learn default.
type GBMConfig struct {
	// LearningRate shrinks every leaf value; 0 means 0.1.
	LearningRate float64
	// MaxIter is the number of boosting iterations (trees); 0 means 100.
	MaxIter int
	// MaxLeafNodes bounds the leaves per tree, grown best-first (the leaf
	// whose split most reduces the loss is split next); 0 means 31, -1 means
	// no bound.
	MaxLeafNodes int
	// MaxDepth bounds the edges from the root to a leaf; 0: unlimited.
	MaxDepth int
	// MinSamplesLeaf is the fewest training rows in a leaf; 0 means 20.
	MinSamplesLeaf int
	// L2Regularization is added to the hessian sum in every leaf value
	// −G/(H + L2) and split gain; 0 means none.
	L2Regularization float64
	// MaxBins is the number of bins for non-missing values (2..255); 0
	// means 255. Missing values (NaN) get a bin of their own.
	MaxBins int
	// EarlyStopping is "auto" (default when empty: on when the training set
	// has more than 10,000 rows, as scikit-learn), "on" or "off". When on,
	// ⌈ValidationFraction·n⌉ training rows are held out (as scikit-learn's
	// train_test_split) and training stops once the held-out mean log loss
	// has not improved by more than Tol for NIterNoChange iterations (as
	// scikit-learn's scoring "loss"). The held-out rows are taken by time
	// when the rows carry more than one term (TrainingSet.Terms, ordered as
	// strings): a random subset of the latest term, stratified by label;
	// only if the latest term has fewer rows than needed is it held out
	// whole and the rest drawn from the term before it (and so on).
	// Without terms they are a random ValidationFraction of all rows,
	// stratified by label. The draws use the rng passed to Fit, so the
	// split is deterministic. The bin thresholds, the baseline and the
	// trees are fitted on the remaining rows only, and every tree built is
	// kept (as scikit-learn).
	EarlyStopping string
	// ValidationFraction is the share of the training rows held out for
	// early stopping, in (0, 1); 0 means 0.1.
	ValidationFraction float64
	// NIterNoChange is the patience of early stopping; 0 means 10.
	NIterNoChange int
	// Tol is the least improvement of the held-out loss that counts; 0
	// means 1e-7.
	Tol float64
	// ClassWeight is "" (weight 1) or "balanced" (n / (2·n_class)); the
	// weights multiply gradients and hessians, the baseline and the
	// held-out loss.
	ClassWeight string
	// Workers is the number of goroutines building histograms; 0 means 2.
	// The model is the same whatever Workers and GOMAXPROCS are.
	Workers int
}

// DefaultGBMConfig returns scikit-learn's defaults: learning rate 0.1, 100
// iterations, 31 leaves, unlimited depth, 20 rows per leaf, no L2, 255 bins,
// early stopping "auto" with 10% held out, patience 10 and tol 1e-7; two
// workers.
func DefaultGBMConfig() GBMConfig {
	return GBMConfig{LearningRate: 0.1, MaxIter: 100, MaxLeafNodes: 31, MinSamplesLeaf: 20, MaxBins: 255,
		EarlyStopping: "auto", ValidationFraction: 0.1, NIterNoChange: 10, Tol: 1e-7, Workers: 2}
}

func (c GBMConfig) resolve() (GBMConfig, error) {
	def := DefaultGBMConfig()
	if c.LearningRate == 0 {
		c.LearningRate = def.LearningRate
	}
	if c.MaxIter == 0 {
		c.MaxIter = def.MaxIter
	}
	if c.MaxLeafNodes == 0 {
		c.MaxLeafNodes = def.MaxLeafNodes
	}
	if c.MinSamplesLeaf == 0 {
		c.MinSamplesLeaf = def.MinSamplesLeaf
	}
	if c.MaxBins == 0 {
		c.MaxBins = def.MaxBins
	}
	if c.EarlyStopping == "" {
		c.EarlyStopping = "auto"
	}
	if c.ValidationFraction == 0 {
		c.ValidationFraction = def.ValidationFraction
	}
	if c.NIterNoChange == 0 {
		c.NIterNoChange = def.NIterNoChange
	}
	if c.Tol == 0 {
		c.Tol = def.Tol
	}
	if c.Workers == 0 {
		c.Workers = def.Workers
	}
	switch {
	case !(c.LearningRate > 0) || math.IsInf(c.LearningRate, 0):
		return c, fmt.Errorf("gbm: learning_rate %v: want > 0", c.LearningRate)
	case c.MaxIter < 1:
		return c, fmt.Errorf("gbm: max_iter %d: want >= 1", c.MaxIter)
	case c.MaxLeafNodes < -1 || c.MaxLeafNodes == 1:
		return c, fmt.Errorf("gbm: max_leaf_nodes %d: want >= 2, or -1 for no bound", c.MaxLeafNodes)
	case c.MaxDepth < 0:
		return c, fmt.Errorf("gbm: max_depth %d: want >= 0 (0: unlimited)", c.MaxDepth)
	case c.MinSamplesLeaf < 1:
		return c, fmt.Errorf("gbm: min_samples_leaf %d: want >= 1", c.MinSamplesLeaf)
	case !(c.L2Regularization >= 0) || math.IsInf(c.L2Regularization, 0):
		return c, fmt.Errorf("gbm: l2_regularization %v: want >= 0", c.L2Regularization)
	case c.MaxBins < 2 || c.MaxBins > 255:
		return c, fmt.Errorf("gbm: max_bins %d: want 2..255", c.MaxBins)
	case c.EarlyStopping != "auto" && c.EarlyStopping != "on" && c.EarlyStopping != "off":
		return c, fmt.Errorf("gbm: early_stopping %q: want \"auto\", \"on\" or \"off\"", c.EarlyStopping)
	case !(c.ValidationFraction > 0 && c.ValidationFraction < 1):
		return c, fmt.Errorf("gbm: validation_fraction %v: want in (0, 1)", c.ValidationFraction)
	case c.NIterNoChange < 1:
		return c, fmt.Errorf("gbm: n_iter_no_change %d: want >= 1", c.NIterNoChange)
	case !(c.Tol >= 0):
		return c, fmt.Errorf("gbm: tol %v: want >= 0", c.Tol)
	case c.Workers < 1:
		return c, fmt.Errorf("gbm: workers %d: want >= 1", c.Workers)
	case c.ClassWeight != "" && c.ClassWeight != "balanced":
		return c, fmt.Errorf("gbm: class_weight %q: want \"\" or \"balanced\"", c.ClassWeight)
	}
	return c, nil
}

// GBM is an untrained histogram gradient boosting classifier.
type GBM struct {
	Config GBMConfig
}

// FittedGBM is a trained gradient boosting classifier. Its raw score is the
// log-odds: the baseline log-odds of the training rows plus the sum of the
// trees' (shrunk) leaf values.
type FittedGBM struct {
	*treeEnsemble
	config GBMConfig
	notes  []string
}

var _ Explainer = (*FittedGBM)(nil)

// Fit trains the ensemble. rng draws the held-out rows for early stopping
// and the rows used to find bin thresholds when there are more than
// 200,000; it may be nil (a fixed source is used then). Gradients and
// hessians are rounded to float32 as in scikit-learn, so that with early
// stopping off the trees match HistGradientBoostingClassifier's.
//
// Missing values (NaN) are allowed: at each split they go to the side that
// reduces the loss more when the training rows reaching the split have
// missing values, else to the child with more training rows (as
// scikit-learn). Fit returns an error for a missing or empty training set,
// labels other than 0/1, a single class, ±Inf features, invalid settings,
// and a held-out or remaining set without rows.
func (m GBM) Fit(ctx context.Context, train TrainingSet, rng *rand.Rand) (Fitted, error) {
	cfg, err := m.Config.resolve()
	if err != nil {
		return nil, err
	}
	if err := validateTraining("gbm", train, true, true); err != nil {
		return nil, err
	}
	if rng == nil {
		rng = rand.New(rand.NewPCG(0, 0))
	}
	x := train.X
	n, d := x.Rows, x.Cols
	if d == 0 {
		return nil, fmt.Errorf("gbm: training set has no feature columns")
	}
	cw0, cw1, _ := classWeights(train.Y, cfg.ClassWeight)
	sw := func(i int) float64 {
		if train.Y[i] == 1 {
			return cw1
		}
		return cw0
	}

	early := cfg.EarlyStopping == "on" || (cfg.EarlyStopping == "auto" && n > 10000)
	var notes []string
	var fitRows, valRows []int32
	if early {
		var how string
		fitRows, valRows, how = heldOutRows(train, cfg.ValidationFraction, rng)
		if len(fitRows) == 0 || len(valRows) == 0 {
			return nil, fmt.Errorf("gbm: early stopping: %s leaves %d rows to train on and %d held out", how, len(fitRows), len(valRows))
		}
		notes = append(notes, fmt.Sprintf("early stopping on %d held-out rows (%s)", len(valRows), how))
	} else {
		fitRows = make([]int32, n)
		for i := range fitRows {
			fitRows[i] = int32(i)
		}
	}
	nFit := len(fitRows)
	y := make([]float64, nFit)
	w := make([]float64, nFit)
	var sw1, swAll float64
	for k, r := range fitRows {
		y[k] = float64(train.Y[r])
		w[k] = sw(int(r))
		swAll += w[k]
		sw1 += w[k] * y[k]
	}
	if sw1 == 0 || sw1 == swAll {
		return nil, fmt.Errorf("gbm: the rows left for training after holding out rows for early stopping have only one class")
	}
	const eps = 2.220446049250313e-16
	p0 := min(max(sw1/swAll, eps), 1-eps)
	init := math.Log(p0 / (1 - p0))

	bm := fitBinMapper(x, fitRows, cfg.MaxBins, rng)
	bins := bm.transform(x, fitRows)
	hasMissing := make([]bool, d)
	for j := range bins {
		for _, b := range bins[j] {
			if int(b) == bm.missingBin {
				hasMissing[j] = true
				break
			}
		}
	}
	compactMissingBins(bins, bm)
	gr := newGBMGrower(bins, bm, hasMissing, cfg)

	raw := make([]float64, nFit)
	for k := range raw {
		raw[k] = init
	}
	var valBins [][]uint8
	var valRaw, valY, valW []float64
	var scores []float64
	if early {
		valBins = bm.transform(x, valRows)
		compactMissingBins(valBins, bm)
		valRaw = make([]float64, len(valRows))
		valY = make([]float64, len(valRows))
		valW = make([]float64, len(valRows))
		for k, r := range valRows {
			valRaw[k] = init
			valY[k] = float64(train.Y[r])
			valW[k] = sw(int(r))
		}
		scores = append(scores, -weightedLogLoss(valY, valRaw, valW))
	}

	// Gradients and hessians are stored in float32, as scikit-learn does
	// (its G_H_DTYPE), and summed in float64: with the same rounding, the
	// trees are scikit-learn's split for split instead of drifting apart
	// after the first near-tie.
	grad := make([]float32, nFit)
	hess := make([]float32, nFit)
	var trees [][]treeNode
	stopped := false
	for it := 0; it < cfg.MaxIter; it++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("gbm: %w", err)
		}
		parallelRange(nFit, cfg.Workers, func(lo, hi int) {
			for k := lo; k < hi; k++ {
				p := sigmoid(raw[k])
				grad[k] = float32(w[k] * (p - y[k]))
				hess[k] = float32(w[k] * p * (1 - p))
			}
		})
		nodes, binSplits, leafRows := gr.grow(grad, hess)
		for li, rows := range leafRows {
			v := nodes[li].value
			if rows == nil {
				continue
			}
			for _, r := range rows {
				raw[r] += v
			}
		}
		trees = append(trees, nodes)
		if early {
			for k := range valRaw {
				valRaw[k] += nodes[binnedLeaf(nodes, binSplits, valBins, k, bm)].value
			}
			scores = append(scores, -weightedLogLoss(valY, valRaw, valW))
			if shouldStopEarly(scores, cfg.NIterNoChange, cfg.Tol) {
				stopped = true
				break
			}
		}
	}
	if early {
		if stopped {
			notes = append(notes, fmt.Sprintf("stopped after %d of %d iterations: held-out log loss %.6g, no improvement above tol %g in the last %d",
				len(trees), cfg.MaxIter, -scores[len(scores)-1], cfg.Tol, cfg.NIterNoChange))
		} else {
			notes = append(notes, fmt.Sprintf("ran all %d iterations; held-out log loss %.6g", cfg.MaxIter, -scores[len(scores)-1]))
		}
	}
	var leaves int
	for _, t := range trees {
		leaves += countLeaves(t)
	}
	notes = append(notes, fmt.Sprintf("%d trees, %.1f leaves per tree on average", len(trees), float64(leaves)/float64(len(trees))))
	e := newTreeEnsemble("gbm", copyNames(x.Names, d), trees, 1, init, true, true)
	return &FittedGBM{treeEnsemble: e, config: cfg, notes: notes}, nil
}

// Summary reports the settings, the number of iterations kept and the early
// stopping outcome.
func (f *FittedGBM) Summary() Summary {
	c := f.config
	init := f.init
	return Summary{
		Kind: "gbm",
		Params: map[string]any{"learning_rate": c.LearningRate, "max_iter": c.MaxIter, "max_leaf_nodes": c.MaxLeafNodes,
			"max_depth": c.MaxDepth, "min_samples_leaf": c.MinSamplesLeaf, "l2_regularization": c.L2Regularization,
			"max_bins": c.MaxBins, "early_stopping": c.EarlyStopping, "validation_fraction": c.ValidationFraction,
			"n_iter_no_change": c.NIterNoChange, "tol": c.Tol, "class_weight": c.ClassWeight},
		Intercept:        &init,
		CoefficientScale: "log-odds: the intercept is the baseline log-odds of the training rows",
		Iterations:       len(f.trees),
		Notes:            append([]string(nil), f.notes...),
	}
}

// heldOutRows splits the rows into those to train on and those held out
// for early stopping, and describes how. ⌈fraction·n⌉ rows are held out (as
// scikit-learn's train_test_split). When the rows carry more than one term,
// they are taken by time: terms from the latest (greatest in string order)
// backwards, each taken whole while it holds no more rows than are still
// needed, and the rest drawn at random from the next term; otherwise the
// rows are drawn at random from all rows. A random draw is stratified by
// label within its term (class counts rounded, the positives' count
// clamped to what the term has) and uses rng only, so the split is
// deterministic.
func heldOutRows(train TrainingSet, fraction float64, rng *rand.Rand) (fit, val []int32, how string) {
	n := len(train.Y)
	need := int(math.Ceil(fraction * float64(n)))
	isVal := make([]bool, n)
	// groups lists the candidate row sets, latest term first.
	var groups [][]int32
	var names []string
	if len(train.Terms) == n {
		byTerm := map[string][]int32{}
		for i, t := range train.Terms {
			byTerm[t] = append(byTerm[t], int32(i))
		}
		if len(byTerm) > 1 {
			for t := range byTerm {
				names = append(names, t)
			}
			slices.Sort(names)
			slices.Reverse(names)
			for _, t := range names {
				groups = append(groups, byTerm[t])
			}
		}
	}
	if groups == nil {
		all := make([]int32, n)
		for i := range all {
			all[i] = int32(i)
		}
		drawStratified(all, train.Y, need, isVal, rng)
		how = fmt.Sprintf("a random %.3g of the rows, stratified by label", fraction)
	} else {
		var parts []string
		for g, rows := range groups {
			if need == 0 {
				break
			}
			if len(rows) <= need {
				for _, r := range rows {
					isVal[r] = true
				}
				need -= len(rows)
				parts = append(parts, fmt.Sprintf("all %d of term %q", len(rows), names[g]))
				continue
			}
			drawStratified(rows, train.Y, need, isVal, rng)
			parts = append(parts, fmt.Sprintf("a random %d of the %d of term %q, stratified by label", need, len(rows), names[g]))
			need = 0
		}
		how = fmt.Sprintf("%.3g of the rows from the latest terms: %s", fraction, strings.Join(parts, "; "))
	}
	for i := range isVal {
		if isVal[i] {
			val = append(val, int32(i))
		} else {
			fit = append(fit, int32(i))
		}
	}
	return fit, val, how
}

// drawStratified marks k of rows (k <= len(rows)) in isVal, drawn at random
// with rng within each label: round(k·n1/len(rows)) positives, clamped to
// the positives and negatives available, and the rest negatives.
func drawStratified(rows []int32, y []uint8, k int, isVal []bool, rng *rand.Rand) {
	var pos, neg []int32
	for _, r := range rows {
		if y[r] == 1 {
			pos = append(pos, r)
		} else {
			neg = append(neg, r)
		}
	}
	k1 := int(math.Round(float64(k) * float64(len(pos)) / float64(len(rows))))
	k1 = min(max(k1, k-len(neg)), len(pos))
	for _, c := range []struct {
		rows []int32
		k    int
	}{{neg, k - k1}, {pos, k1}} {
		// Partial Fisher–Yates: the first c.k entries become a uniform
		// random subset.
		for i := 0; i < c.k; i++ {
			j := i + rng.IntN(len(c.rows)-i)
			c.rows[i], c.rows[j] = c.rows[j], c.rows[i]
			isVal[c.rows[i]] = true
		}
	}
}

// weightedLogLoss is the weighted mean log loss of raw log-odds.
func weightedLogLoss(y, raw, w []float64) float64 {
	var s, sw float64
	for k := range y {
		// log(1+e^r) − y·r is the log loss of p = σ(r).
		s += w[k] * (softplus(raw[k]) - y[k]*raw[k])
		sw += w[k]
	}
	return s / sw
}

// shouldStopEarly is scikit-learn's rule: stop when none of the last
// nIterNoChange scores beats the score before them by more than tol.
func shouldStopEarly(scores []float64, nIterNoChange int, tol float64) bool {
	ref := nIterNoChange + 1
	if len(scores) < ref {
		return false
	}
	refScore := scores[len(scores)-ref] + tol
	for _, s := range scores[len(scores)-ref+1:] {
		if s > refScore {
			return false
		}
	}
	return true
}

// gbmSplitInfo is a node's best split on binned data.
type gbmSplitInfo struct {
	gain           float64
	feature        int
	bin            int // bins <= bin go left (missing: missingLeft)
	missingLeft    bool
	gLeft, hLeft   float64
	nLeft          int
	gRight, hRight float64
	nRight         int
}

type histBin struct {
	g, h float64
	n    uint32
}

// gbmGrowNode is a node while a tree grows.
type gbmGrowNode struct {
	id         int32
	start, end int
	depth      int
	g, h       float64
	value      float64
	hist       []histBin // all features' bins (gbmGrower.offset), nil once not needed
	split      gbmSplitInfo
	splittable bool
}

// gbmGrower grows one tree per boosting iteration on binned columns.
type gbmGrower struct {
	bins       [][]uint8
	bm         *binMapper
	hasMissing []bool
	cfg        GBMConfig
	offset     []int // feature f's bins are hist[offset[f]:offset[f+1]], the last for missing values
	part, tmp  []int32
	og, oh     []float32
	pool       [][]histBin
	// rootCounts are the root's rows per bin (every row), filled by the
	// first buildHist at the root.
	rootCounts []uint32
}

func newGBMGrower(bins [][]uint8, bm *binMapper, hasMissing []bool, cfg GBMConfig) *gbmGrower {
	n := len(bins[0])
	offset := make([]int, len(bins)+1)
	for f := range bins {
		offset[f+1] = offset[f] + bm.nonMissingBins(f) + 1
	}
	return &gbmGrower{bins: bins, bm: bm, hasMissing: hasMissing, cfg: cfg, offset: offset,
		part: make([]int32, n), tmp: make([]int32, n), og: make([]float32, n), oh: make([]float32, n)}
}

// compactMissingBins recodes the missing-value bin of each feature from
// bm.missingBin to the bin right after the feature's non-missing bins, so
// that histograms need only as many bins as each feature has.
func compactMissingBins(bins [][]uint8, bm *binMapper) {
	for f, col := range bins {
		m := uint8(bm.nonMissingBins(f))
		for k, b := range col {
			if int(b) == bm.missingBin {
				col[k] = m
			}
		}
	}
}

func (g *gbmGrower) getHist() []histBin {
	if k := len(g.pool); k > 0 {
		h := g.pool[k-1]
		g.pool = g.pool[:k-1]
		clear(h)
		return h
	}
	return make([]histBin, g.offset[len(g.bins)])
}

func (g *gbmGrower) putHist(h []histBin) {
	if h != nil {
		g.pool = append(g.pool, h)
	}
}

// buildHist fills hist with the gradient and hessian sums of the rows
// part[start:end], feature by feature in cfg.Workers goroutines (each
// feature summed by one goroutine in row order, so results do not depend on
// scheduling). root says the rows are the root's: every row in row order,
// so its rows index themselves and its counts are the same at every
// iteration (rootCounts).
func (g *gbmGrower) buildHist(hist []histBin, start, end int, grad, hess []float32, root bool) {
	d := len(g.bins)
	var rows []int32
	var og, oh []float32
	if root {
		og, oh = grad, hess
		if g.rootCounts == nil {
			g.rootCounts = make([]uint32, len(hist))
			for f, col := range g.bins {
				c := g.rootCounts[g.offset[f]:g.offset[f+1]]
				for _, b := range col {
					c[b]++
				}
			}
		}
	} else {
		rows = g.part[start:end]
		og, oh = g.og[:len(rows)], g.oh[:len(rows)]
		for k, r := range rows {
			og[k] = grad[r]
			oh[k] = hess[r]
		}
	}
	work := func(f0, f1 int) {
		if root {
			g.rootHist(hist, f0, f1, grad, hess)
			return
		}
		f := f0
		// Four features per pass over the rows: consecutive rows often
		// fall in the same bin (binary and one-hot features), and one
		// feature's additions then wait on each other; four features'
		// do not. Each bin still adds its rows in row order.
		for ; f+4 <= f1; f += 4 {
			c0, c1, c2, c3 := g.bins[f], g.bins[f+1], g.bins[f+2], g.bins[f+3]
			h0 := hist[g.offset[f]:g.offset[f+1]]
			h1 := hist[g.offset[f+1]:g.offset[f+2]]
			h2 := hist[g.offset[f+2]:g.offset[f+3]]
			h3 := hist[g.offset[f+3]:g.offset[f+4]]
			for k, r := range rows {
				gk, hk := float64(og[k]), float64(oh[k])
				b0, b1, b2, b3 := &h0[c0[r]], &h1[c1[r]], &h2[c2[r]], &h3[c3[r]]
				b0.g += gk
				b0.h += hk
				b0.n++
				b1.g += gk
				b1.h += hk
				b1.n++
				b2.g += gk
				b2.h += hk
				b2.n++
				b3.g += gk
				b3.h += hk
				b3.n++
			}
		}
		for ; f < f1; f++ {
			col := g.bins[f]
			h := hist[g.offset[f]:g.offset[f+1]]
			for k, r := range rows {
				b := &h[col[r]]
				b.g += float64(og[k])
				b.h += float64(oh[k])
				b.n++
			}
		}
	}
	workers := g.cfg.Workers
	n := end - start
	if workers <= 1 || n*d < 20000 {
		work(0, d)
		return
	}
	var wg sync.WaitGroup
	for wk := 0; wk < workers; wk++ {
		f0, f1 := wk*d/workers, (wk+1)*d/workers
		wg.Add(1)
		go func() { defer wg.Done(); work(f0, f1) }()
	}
	wg.Wait()
}

// rootHist is buildHist's work on features f0..f1−1 at the root: row k is
// row k, and the counts are rootCounts. Each bin adds its rows in row order,
// as at every other node.
func (g *gbmGrower) rootHist(hist []histBin, f0, f1 int, grad, hess []float32) {
	f := f0
	for ; f+4 <= f1; f += 4 {
		c0, c1, c2, c3 := g.bins[f], g.bins[f+1], g.bins[f+2], g.bins[f+3]
		h0 := hist[g.offset[f]:g.offset[f+1]]
		h1 := hist[g.offset[f+1]:g.offset[f+2]]
		h2 := hist[g.offset[f+2]:g.offset[f+3]]
		h3 := hist[g.offset[f+3]:g.offset[f+4]]
		c1, c2, c3 = c1[:len(c0)], c2[:len(c0)], c3[:len(c0)]
		grad, hess := grad[:len(c0)], hess[:len(c0)]
		for k, b := range c0 {
			gk, hk := float64(grad[k]), float64(hess[k])
			b0, b1, b2, b3 := &h0[b], &h1[c1[k]], &h2[c2[k]], &h3[c3[k]]
			b0.g += gk
			b0.h += hk
			b1.g += gk
			b1.h += hk
			b2.g += gk
			b2.h += hk
			b3.g += gk
			b3.h += hk
		}
	}
	for ; f < f1; f++ {
		h := hist[g.offset[f]:g.offset[f+1]]
		for k, b := range g.bins[f] {
			bin := &h[b]
			bin.g += float64(grad[k])
			bin.h += float64(hess[k])
		}
	}
	for f := f0; f < f1; f++ {
		h := hist[g.offset[f]:g.offset[f+1]]
		for b, c := range g.rootCounts[g.offset[f]:g.offset[f+1]] {
			h[b].n = c
		}
	}
}

// nodeValue is scikit-learn's leaf value −G/(H + λ), before shrinkage.
func (g *gbmGrower) nodeValue(sg, sh float64) float64 {
	return -sg / (sh + g.cfg.L2Regularization + 1e-15)
}

// findSplit computes the best split of node nd from its histogram, as
// scikit-learn's splitter: for each feature, bins scanned left to right with
// missing values going right, then (if the feature has missing values)
// right to left with missing values going left; the largest gain wins,
// the first found on ties.
func (g *gbmGrower) findSplit(nd *gbmGrowNode) {
	d := len(g.bins)
	workers := min(g.cfg.Workers, d)
	if workers <= 1 {
		nd.split = g.findSplitIn(nd, 0, d)
		nd.splittable = nd.split.gain > 0
		return
	}
	// Each worker finds the best split of a contiguous block of features;
	// blocks are combined in feature order keeping the first on ties, so
	// the result is the serial one.
	part := make([]gbmSplitInfo, workers)
	var wg sync.WaitGroup
	for wk := 0; wk < workers; wk++ {
		f0, f1 := wk*d/workers, (wk+1)*d/workers
		wg.Add(1)
		go func() { defer wg.Done(); part[wk] = g.findSplitIn(nd, f0, f1) }()
	}
	wg.Wait()
	best := part[0]
	for _, p := range part[1:] {
		if p.gain > best.gain {
			best = p
		}
	}
	nd.split = best
	nd.splittable = best.gain > 0
}

// findSplitIn returns the best split on features f0..f1−1 (gain −1 if none).
func (g *gbmGrower) findSplitIn(nd *gbmGrowNode, f0, f1 int) gbmSplitInfo {
	best := gbmSplitInfo{gain: -1}
	n := nd.end - nd.start
	lossCurrent := nd.g * nd.value
	minLeaf := g.cfg.MinSamplesLeaf
	const minHess = 1e-3
	gain := func(gl, hl, gr, hr float64) float64 {
		return lossCurrent - gl*g.nodeValue(gl, hl) - gr*g.nodeValue(gr, hr)
	}
	for f := f0; f < f1; f++ {
		h := nd.hist[g.offset[f]:g.offset[f+1]]
		nonMissing := g.bm.nonMissingBins(f)
		miss := 0
		if g.hasMissing[f] {
			miss = 1
		}
		var gl, hl float64
		var nl int
		for b := 0; b < nonMissing-1+miss; b++ {
			nl += int(h[b].n)
			hl += h[b].h
			gl += h[b].g
			nr := n - nl
			hr := nd.h - hl
			gr := nd.g - gl
			if nl < minLeaf {
				continue
			}
			if nr < minLeaf {
				break
			}
			if hl < minHess {
				continue
			}
			if hr < minHess {
				break
			}
			if gn := gain(gl, hl, gr, hr); gn > best.gain && gn > 0 {
				best = gbmSplitInfo{gain: gn, feature: f, bin: b, missingLeft: false, gLeft: gl, hLeft: hl, nLeft: nl, gRight: gr, hRight: hr, nRight: nr}
			}
		}
		// Without missing values in this node, the right-to-left scan
		// sees the same partitions with the same gains, and ties keep the
		// left-to-right split: skip it.
		if miss == 0 || h[nonMissing].n == 0 {
			continue
		}
		var gr, hr float64
		var nr int
		for b := nonMissing - 2; b >= 0; b-- {
			nr += int(h[b+1].n)
			hr += h[b+1].h
			gr += h[b+1].g
			nl := n - nr
			hl := nd.h - hr
			gl := nd.g - gr
			if nr < minLeaf {
				continue
			}
			if nl < minLeaf {
				break
			}
			if hr < minHess {
				continue
			}
			if hl < minHess {
				break
			}
			if gn := gain(gl, hl, gr, hr); gn > best.gain && gn > 0 {
				best = gbmSplitInfo{gain: gn, feature: f, bin: b, missingLeft: true, gLeft: gl, hLeft: hl, nLeft: nl, gRight: gr, hRight: hr, nRight: nr}
			}
		}
	}
	return best
}

// grow builds one tree for the gradients and hessians of the training rows.
// It returns the nodes (leaf values shrunk by the learning rate, thresholds
// on the raw feature scale), each internal node's split bin (for routing
// binned rows) and, for each leaf, the rows that reached it.
func (g *gbmGrower) grow(grad, hess []float32) ([]treeNode, []int, [][]int32) {
	n := len(g.part)
	for i := range g.part {
		g.part[i] = int32(i)
	}
	var sg, sh float64
	for i := 0; i < n; i++ {
		sg += float64(grad[i])
		sh += float64(hess[i])
	}
	// A node's cover is its number of training rows (the "count" shap uses
	// for scikit-learn's HistGradientBoosting), TreeSHAP's branch weight.
	nodes := []treeNode{{left: -1, right: -1, feature: -1, cover: float64(n)}}
	splitBin := []int{-1}
	grow := []*gbmGrowNode{{id: 0, start: 0, end: n, g: sg, h: sh, value: 0}}
	var splittable []*gbmGrowNode
	leaves := 0 // finalized leaves
	finalize := func(nd *gbmGrowNode) {
		nodes[nd.id].value = nd.value * g.cfg.LearningRate
		g.putHist(nd.hist)
		nd.hist = nil
		leaves++
	}
	root := grow[0]
	if n < 2*g.cfg.MinSamplesLeaf || sh < 1e-3 {
		finalize(root)
	} else {
		root.hist = g.getHist()
		g.buildHist(root.hist, 0, n, grad, hess, true)
		g.findSplit(root)
		if root.splittable {
			splittable = append(splittable, root)
		} else {
			finalize(root)
		}
	}
	for len(splittable) > 0 {
		// The node with the largest gain, the earliest on ties.
		bi := 0
		for i, nd := range splittable {
			if nd.split.gain > splittable[bi].split.gain {
				bi = i
			}
		}
		nd := splittable[bi]
		splittable = slices.Delete(splittable, bi, bi+1)
		s := nd.split

		// Stable partition of the node's rows.
		col := g.bins[s.feature]
		missingCode := g.bm.nonMissingBins(s.feature)
		rows := g.part[nd.start:nd.end]
		nl, nr := 0, 0
		for _, r := range rows {
			b := int(col[r])
			var left bool
			if b == missingCode {
				left = s.missingLeft
			} else {
				left = b <= s.bin
			}
			if left {
				rows[nl] = r
				nl++
			} else {
				g.tmp[nr] = r
				nr++
			}
		}
		copy(rows[nl:], g.tmp[:nr])

		depth := nd.depth + 1
		l := int32(len(nodes))
		left := &gbmGrowNode{id: l, start: nd.start, end: nd.start + nl, depth: depth, g: s.gLeft, h: s.hLeft, value: g.nodeValue(s.gLeft, s.hLeft)}
		right := &gbmGrowNode{id: l + 1, start: nd.start + nl, end: nd.end, depth: depth, g: s.gRight, h: s.hRight, value: g.nodeValue(s.gRight, s.hRight)}
		missingLeft := s.missingLeft
		if !g.hasMissing[s.feature] {
			missingLeft = nl > nr
		}
		threshold := math.Inf(1)
		if s.bin < g.bm.nonMissingBins(s.feature)-1 {
			threshold = g.bm.thresholds[s.feature][s.bin]
		}
		pn := &nodes[nd.id]
		pn.left, pn.right, pn.feature, pn.threshold, pn.missingLeft = l, l+1, int32(s.feature), threshold, missingLeft
		pn.value = nd.value * g.cfg.LearningRate
		nodes = append(nodes,
			treeNode{left: -1, right: -1, feature: -1, cover: float64(nl)},
			treeNode{left: -1, right: -1, feature: -1, cover: float64(nr)})
		splitBin[nd.id] = s.bin
		splitBin = append(splitBin, -1, -1)
		grow = append(grow, left, right)

		nLeaves := leaves + len(splittable) + 2
		if g.cfg.MaxLeafNodes > 0 && nLeaves == g.cfg.MaxLeafNodes {
			g.putHist(nd.hist)
			nd.hist = nil
			finalize(left)
			finalize(right)
			for _, o := range splittable {
				finalize(o)
			}
			splittable = nil
			break
		}
		leftLeaf := (g.cfg.MaxDepth > 0 && depth == g.cfg.MaxDepth) || nl < 2*g.cfg.MinSamplesLeaf
		rightLeaf := (g.cfg.MaxDepth > 0 && depth == g.cfg.MaxDepth) || nr < 2*g.cfg.MinSamplesLeaf
		if leftLeaf && rightLeaf {
			g.putHist(nd.hist)
			nd.hist = nil
			finalize(left)
			finalize(right)
			continue
		}
		// The smaller child's histogram from its rows, the larger's by
		// subtraction from the parent's (reusing its memory).
		small, large := left, right
		if nl >= nr {
			small, large = right, left
		}
		small.hist = g.getHist()
		g.buildHist(small.hist, small.start, small.end, grad, hess, false)
		large.hist = nd.hist
		nd.hist = nil
		parallelRange(len(large.hist), g.cfg.Workers, func(lo, hi int) {
			lh, sh := large.hist[lo:hi], small.hist[lo:hi]
			for k := range lh {
				lh[k].g -= sh[k].g
				lh[k].h -= sh[k].h
				lh[k].n -= sh[k].n
			}
		})
		for _, c := range []*gbmGrowNode{left, right} {
			isLeaf := (c == left && leftLeaf) || (c == right && rightLeaf)
			if isLeaf {
				finalize(c)
				continue
			}
			g.findSplit(c)
			if c.splittable {
				splittable = append(splittable, c)
			} else {
				finalize(c)
			}
		}
	}
	leafRows := make([][]int32, len(nodes))
	for _, nd := range grow {
		if nodes[nd.id].left < 0 {
			leafRows[nd.id] = g.part[nd.start:nd.end]
		}
	}
	return nodes, splitBin, leafRows
}

// binnedLeaf returns the leaf reached by binned row k (missing values coded
// as by compactMissingBins).
func binnedLeaf(nodes []treeNode, splitBin []int, bins [][]uint8, k int, bm *binMapper) int {
	i := 0
	for nodes[i].left >= 0 {
		n := &nodes[i]
		b := int(bins[n.feature][k])
		var left bool
		if b == bm.nonMissingBins(int(n.feature)) {
			left = n.missingLeft
		} else {
			left = b <= splitBin[i]
		}
		if left {
			i = int(n.left)
		} else {
			i = int(n.right)
		}
	}
	return i
}

// parallelRange runs fn on about equal parts [lo, hi) of [0, n) in up to
// workers goroutines (one when n is small). fn must write only inside its
// part, so the result does not depend on scheduling.
func parallelRange(n, workers int, fn func(lo, hi int)) {
	if workers <= 1 || n < 4096 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for wk := 0; wk < workers; wk++ {
		lo, hi := wk*n/workers, (wk+1)*n/workers
		wg.Add(1)
		go func() { defer wg.Done(); fn(lo, hi) }()
	}
	wg.Wait()
}
