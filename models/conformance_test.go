package models

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// conformanceCase is one case of the shared conformance suite; see
// ../shared/conformance/README.md.
type conformanceCase struct {
	ID   string                     `json:"id"`
	Fn   string                     `json:"fn"`
	Args map[string]json.RawMessage `json:"args"`
	Want map[string]json.RawMessage `json:"want"`
	Tol  float64                    `json:"tol"`
}

// conformanceDir returns $EVALRUN_CONFORMANCE_DIR, or ../shared/conformance
// relative to the directory holding go.mod ("" if there is none).
func conformanceDir(t *testing.T) string {
	if d := os.Getenv("EVALRUN_CONFORMANCE_DIR"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "conformance")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// TestConformance runs the models suite: every case is a subtest named by
// its id; an unknown fn fails.
func TestConformance(t *testing.T) {
	dir := conformanceDir(t)
	path := filepath.Join(dir, "models.json")
	data, err := os.ReadFile(path)
	if dir == "" || os.IsNotExist(err) {
		t.Skipf("conformance suite %s not found (set EVALRUN_CONFORMANCE_DIR)", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	var suite struct {
		Cases []conformanceCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &suite); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(suite.Cases) == 0 {
		t.Fatalf("%s: no cases", path)
	}
	for _, c := range suite.Cases {
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
