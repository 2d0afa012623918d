package models

import "context"

// Explainer is a fitted model that splits each row's raw score into
// per-feature contributions: for every row i,
//
//	base[i] + Σ_j contributions[i][j] = raw score of row i
//
// where the raw score is on the scale RawScoreScale names: "log-odds" (the
// logit of Predict's probability: logistic regression, gradient boosting) or
// "probability" (Predict itself: a tree, a random forest). contributions[i]
// has one value per training column, in column order; base holds one value
// per row (the same value for every row, except under mixed_logistic, whose
// base includes the row's group's random intercept).
type Explainer interface {
	Fitted
	Explain(ctx context.Context, rows Rows) (contributions [][]float64, base []float64, err error)
	// RawScore returns each row's raw score, on the scale RawScoreScale names.
	RawScore(ctx context.Context, rows Rows) ([]float64, error)
	RawScoreScale() string
}

var _ Explainer = (*FittedLogistic)(nil)

// GroupEffectExplainer is an Explainer whose raw score also holds a random
// effect of each row's group (mixed_logistic's random intercept), which
// Explain counts in base. GroupEffects returns, for every row of rows, the
// amount its group adds to the raw score (its conditional mode; 0 for a
// group the training rows did not hold, scored at the population level);
// GroupColumn names the grouping column.
type GroupEffectExplainer interface {
	Explainer
	GroupColumn() string
	GroupEffects(rows Rows) ([]float64, error)
}

var _ GroupEffectExplainer = (*FittedMixedLogistic)(nil)
