package models

import (
	"context"
	"math/rand/v2"
)

// Matrix is a dense row-major design matrix with named columns.
type Matrix struct {
	Rows, Cols int
	// Data holds Rows*Cols values, row i at Data[i*Cols:(i+1)*Cols].
	Data []float64
	// Names are the Cols column names.
	Names []string
}

// Row returns row i as a slice aliasing Data.
func (m *Matrix) Row(i int) []float64 { return m.Data[i*m.Cols : (i+1)*m.Cols] }

// At returns the value at row i, column j.
func (m *Matrix) At(i, j int) float64 { return m.Data[i*m.Cols+j] }

// ColumnIndex returns the index of the named column, or -1.
func (m *Matrix) ColumnIndex(name string) int {
	for j, n := range m.Names {
		if n == name {
			return j
		}
	}
	return -1
}

// Rows describes a set of rows handed to a model: the features, and the
// identity of each row so that models trained elsewhere can be joined by key.
type Rows struct {
	X *Matrix
	// Keys identify rows (dataset row keys); Terms are their terms.
	Keys  []string
	Terms []string
	// Groups are each row's label in the grouping column of a multilevel
	// model (GroupedModel); nil for models that need none. Code that
	// selects or reorders rows keeps Groups aligned with Keys.
	Groups []string
}

// Select returns the rows idx of r, in that order, with their keys, terms
// and groups (the matrix is copied). When idx has one index per row it
// returns r itself: callers pass increasing indexes, so that is every row
// in order.
func (r Rows) Select(idx []int) Rows {
	if len(idx) == r.X.Rows {
		return r
	}
	x := &Matrix{Rows: len(idx), Cols: r.X.Cols, Names: r.X.Names, Data: make([]float64, 0, len(idx)*r.X.Cols)}
	out := Rows{X: x, Keys: make([]string, len(idx)), Terms: make([]string, len(idx))}
	if r.Groups != nil {
		out.Groups = make([]string, len(idx))
	}
	for j, i := range idx {
		x.Data = append(x.Data, r.X.Row(i)...)
		out.Keys[j], out.Terms[j] = r.Keys[i], r.Terms[i]
		if r.Groups != nil {
			out.Groups[j] = r.Groups[i]
		}
	}
	return out
}

// TrainingSet is Rows with their 0/1 labels.
type TrainingSet struct {
	Rows
	Y []uint8
}

// Model is an untrained model configured from the spec.
type Model interface {
	// Fit trains on train. rng is the model's own seeded source; models
	// that need no randomness ignore it. Fit must not keep train.
	Fit(ctx context.Context, train TrainingSet, rng *rand.Rand) (Fitted, error)
}

// Fitted is a trained model.
type Fitted interface {
	// Predict returns one score per row of rows: the probability of the
	// at-risk outcome (or a monotone risk score for rule models).
	Predict(ctx context.Context, rows Rows) ([]float64, error)
	// Summary describes the fitted model for results.json.
	Summary() Summary
}

// Summary is the part of a fitted model written to results.json: values must
// be deterministic for a given training set and seed.
type Summary struct {
	Kind string `json:"kind"`
	// Params are the hyperparameters used.
	Params map[string]any `json:"params,omitempty"`
	// Coefficients maps feature names to coefficients (linear models),
	// on the scale documented in CoefficientScale.
	Coefficients     map[string]float64 `json:"coefficients,omitempty"`
	CoefficientScale string             `json:"coefficient_scale,omitempty"`
	Intercept        *float64           `json:"intercept,omitempty"`
	// Iterations and Converged report optimizer behaviour where relevant.
	Iterations int      `json:"iterations,omitempty"`
	Converged  *bool    `json:"converged,omitempty"`
	Notes      []string `json:"notes,omitempty"`
	// RandomIntercept describes the random intercept of a multilevel
	// model (mixed_logistic); nil for other kinds.
	RandomIntercept *RandomInterceptSummary `json:"random_intercept,omitempty"`
}
