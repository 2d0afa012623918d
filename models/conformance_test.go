package models

import (
	"github.com/evalrun/evalrun/internal/conformance"

	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
)

// conformanceCase is one case of the shared suite (see
// ../shared/conformance/README.md).
type conformanceCase = conformance.Case

// loadConformance reads a suite file, skipping when the suite is absent.
func loadConformance(t *testing.T, name string) []conformanceCase { return conformance.Load(t, name) }

// TestConformance runs the models suite: every case is a subtest named by
// its id; an unknown fn fails.
func TestConformance(t *testing.T) {
	for _, c := range loadConformance(t, "models.json") {
		t.Run(c.ID, func(t *testing.T) {
			switch c.Fn {
			case "logistic_l2":
				runLogisticL2Case(t, c)
			default:
				t.Fatalf("unknown fn %q", c.Fn)
			}
		})
	}
}

// conformanceNumber decodes a JSON number or the string "NaN".
func conformanceNumber(t *testing.T, v any) float64 {
	t.Helper()
	switch x := v.(type) {
	case float64:
		return x
	case string:
		if x == "NaN" {
			return math.NaN()
		}
	}
	t.Fatalf("not a number: %v", v)
	return 0
}

func decodeArg(t *testing.T, c conformanceCase, name string, dst any) {
	t.Helper()
	raw, ok := c.Args[name]
	if !ok {
		t.Fatalf("missing argument %q", name)
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		t.Fatalf("argument %q: %v", name, err)
	}
}

// runLogisticL2Case fits Logistic with the default solver (lbfgs, as
// scikit-learn's LogisticRegression defaults: tol 1e-4, max_iter 100)
// without scaling on the case's X, y and C.
func runLogisticL2Case(t *testing.T, c conformanceCase) {
	var xs [][]any
	var ys []any
	var cv any
	decodeArg(t, c, "X", &xs)
	decodeArg(t, c, "y", &ys)
	decodeArg(t, c, "C", &cv)
	m := &Matrix{Rows: len(xs)}
	if len(xs) > 0 {
		m.Cols = len(xs[0])
	}
	for i, row := range xs {
		if len(row) != m.Cols {
			t.Fatalf("X row %d has %d values, want %d", i, len(row), m.Cols)
		}
		for _, v := range row {
			m.Data = append(m.Data, conformanceNumber(t, v))
		}
	}
	y := make([]uint8, len(ys))
	for i, v := range ys {
		switch conformanceNumber(t, v) {
		case 0:
		case 1:
			y[i] = 1
		default:
			y[i] = 255 // invalid: reaches Fit, which must reject it
		}
	}
	cfg := DefaultLogisticConfig()
	cfg.Standardize = false
	cfg.C = conformanceNumber(t, cv)
	f, err := Logistic{Config: cfg}.FitLogistic(context.Background(), TrainingSet{Rows: Rows{X: m}, Y: y})
	if _, wantErr := c.Want["error"]; wantErr {
		if err == nil {
			t.Fatalf("want an error, got none")
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	var wantCoef []float64
	var wantIntercept float64
	if err := json.Unmarshal(c.Want["coef"], &wantCoef); err != nil {
		t.Fatalf("want coef: %v", err)
	}
	if err := json.Unmarshal(c.Want["intercept"], &wantIntercept); err != nil {
		t.Fatalf("want intercept: %v", err)
	}
	coef, intercept := f.Coefficients()
	if len(coef) != len(wantCoef) {
		t.Fatalf("got %d coefficients, want %d", len(coef), len(wantCoef))
	}
	close := func(got, want float64) bool { return math.Abs(got-want) <= c.Tol*math.Max(1, math.Abs(want)) }
	var mismatches []string
	for j := range coef {
		if !close(coef[j], wantCoef[j]) {
			mismatches = append(mismatches, fmt.Sprintf("coef[%d] = %.10g, want %.10g", j, coef[j], wantCoef[j]))
		}
	}
	if !close(intercept, wantIntercept) {
		mismatches = append(mismatches, fmt.Sprintf("intercept = %.10g, want %.10g", intercept, wantIntercept))
	}
	if len(mismatches) > 0 {
		t.Errorf("tol %g: %s", c.Tol, strings.Join(mismatches, "; "))
	}
}
