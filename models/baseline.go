package models

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
)

// Prior is the no-information baseline: it scores every row with the share of
// positive labels in the training rows (scikit-learn
// DummyClassifier(strategy="prior")).
type Prior struct{}

// FittedPrior is a trained Prior.
type FittedPrior struct {
	rate  float64
	n     int
	names []string
}

// Fit records the training base rate. It returns an error for a missing or
// empty training set or labels other than 0/1; a single-class training set is
// allowed (the rate is then 0 or 1). Feature values are not used and may be
// NaN. rng is not used.
func (Prior) Fit(ctx context.Context, train TrainingSet, _ *rand.Rand) (Fitted, error) {
	if err := validateTraining("prior", train, true, false); err != nil {
		return nil, err
	}
	var pos int
	for _, v := range train.Y {
		pos += int(v)
	}
	return &FittedPrior{rate: float64(pos) / float64(len(train.Y)), n: len(train.Y), names: copyNames(train.X.Names, train.X.Cols)}, nil
}

// Predict returns the training base rate for every row.
func (f *FittedPrior) Predict(ctx context.Context, rows Rows) ([]float64, error) {
	if rows.X == nil {
		return nil, fmt.Errorf("prior: rows have no feature matrix")
	}
	out := make([]float64, rows.X.Rows)
	for i := range out {
		out[i] = f.rate
	}
	return out, nil
}

// Summary reports the base rate as the intercept (on the probability scale).
func (f *FittedPrior) Summary() Summary {
	r := f.rate
	return Summary{
		Kind:             "prior",
		Intercept:        &r,
		CoefficientScale: "probability: the intercept is the training base rate",
		Notes:            []string{fmt.Sprintf("every row scored %.6g, the share of positive labels in %d training rows", f.rate, f.n)},
	}
}

// RuleConfig configures a one-feature rule.
type RuleConfig struct {
	// Feature is the column whose value is the risk score.
	Feature string
	// Direction is "higher" (the default when empty: a higher value is
	// riskier) or "lower" (a lower value is riskier; the score is the
	// negated value).
	Direction string
}

// Rule scores each row by one feature: a monotone risk score, not a
// probability.
type Rule struct {
	Config RuleConfig
}

// FittedRule is a trained Rule.
type FittedRule struct {
	feature string
	col     int
	sign    float64
	names   []string
}

// Fit checks the configuration against the training columns. It returns an
// error naming the feature when it is not a column, for an unknown
// direction, and for a missing or empty training set. Labels and values are
// not used. rng is not used.
func (m Rule) Fit(ctx context.Context, train TrainingSet, _ *rand.Rand) (Fitted, error) {
	sign := 1.0
	switch m.Config.Direction {
	case "", "higher":
	case "lower":
		sign = -1
	default:
		return nil, fmt.Errorf("rule: direction %q: want \"higher\" or \"lower\"", m.Config.Direction)
	}
	if err := validateTraining("rule", train, true, false); err != nil {
		return nil, err
	}
	col := train.X.ColumnIndex(m.Config.Feature)
	if col < 0 {
		return nil, fmt.Errorf("rule: feature %q is not a column of the training data", m.Config.Feature)
	}
	return &FittedRule{feature: m.Config.Feature, col: col, sign: sign, names: copyNames(train.X.Names, train.X.Cols)}, nil
}

// Predict returns the feature value (negated for direction "lower") for each
// row. The rows must have the training columns; a NaN in the feature is an
// error naming the row (and its key when rows carry keys), since a missing
// value has no place in a ranking.
func (f *FittedRule) Predict(ctx context.Context, rows Rows) ([]float64, error) {
	if err := validatePredictRows("rule", rows, f.names, len(f.names), true); err != nil {
		return nil, err
	}
	out := make([]float64, rows.X.Rows)
	for i := range out {
		v := rows.X.At(i, f.col)
		if math.IsNaN(v) {
			where := fmt.Sprintf("row %d", i)
			if i < len(rows.Keys) {
				where += fmt.Sprintf(" (key %q)", rows.Keys[i])
			}
			return nil, fmt.Errorf("rule: feature %q is missing in %s", f.feature, where)
		}
		out[i] = f.sign * v
	}
	return out, nil
}

// Summary names the feature and the direction.
func (f *FittedRule) Summary() Summary {
	dir := "higher"
	if f.sign < 0 {
		dir = "lower"
	}
	return Summary{
		Kind:   "rule",
		Params: map[string]any{"feature": f.feature, "direction": dir},
		Notes:  []string{fmt.Sprintf("score is the value of feature %q; a %s value is riskier", f.feature, dir)},
	}
}
