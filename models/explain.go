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
