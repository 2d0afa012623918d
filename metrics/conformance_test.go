package metrics

import (
	"github.com/evalrun/evalrun/internal/conformance"

	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// conformanceCase is one case of the shared suite (see
// ../shared/conformance/README.md).
type conformanceCase = conformance.Case

// loadConformance reads a suite file, skipping when the suite is absent.
func loadConformance(t *testing.T, name string) []conformanceCase { return conformance.Load(t, name) }

// caseArgs decodes a case's arguments; the string "NaN" stands for NaN.
type caseArgs struct {
	t    *testing.T
	args map[string]json.RawMessage
}

func (a caseArgs) raw(name string) json.RawMessage {
	a.t.Helper()
	r, ok := a.args[name]
	if !ok {
		a.t.Fatalf("missing argument %q", name)
	}
	return r
}

func decodeNumber(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case string:
		if x == "NaN" {
			return math.NaN(), nil
		}
	}
	return 0, fmt.Errorf("not a number: %v", v)
}

func (a caseArgs) floats(name string) []float64 {
	a.t.Helper()
	var vs []any
	if err := json.Unmarshal(a.raw(name), &vs); err != nil {
		a.t.Fatalf("argument %q: %v", name, err)
	}
	out := make([]float64, len(vs))
	for i, v := range vs {
		f, err := decodeNumber(v)
		if err != nil {
			a.t.Fatalf("argument %q[%d]: %v", name, i, err)
		}
		out[i] = f
	}
	return out
}

func (a caseArgs) optionalFloats(name string) []float64 {
	if _, ok := a.args[name]; !ok {
		return nil
	}
	return a.floats(name)
}

// labels decodes 0/1 labels; other values are kept (clamped into uint8)
// so that invalid-label cases reach the function under test.
func (a caseArgs) labels(name string) []uint8 {
	fs := a.floats(name)
	out := make([]uint8, len(fs))
	for i, f := range fs {
		switch {
		case f == 0:
			out[i] = 0
		case f == 1:
			out[i] = 1
		default:
			out[i] = 255
		}
	}
	return out
}

func (a caseArgs) number(name string) float64 {
	a.t.Helper()
	var v any
	if err := json.Unmarshal(a.raw(name), &v); err != nil {
		a.t.Fatalf("argument %q: %v", name, err)
	}
	f, err := decodeNumber(v)
	if err != nil {
		a.t.Fatalf("argument %q: %v", name, err)
	}
	return f
}

// optional is a result value that may be undefined.
type optional struct {
	v  float64
	ok bool
}

func def(v float64) optional             { return optional{v, true} }
func fromOK(v float64, ok bool) optional { return optional{v, ok} }
func fromPtr(p *float64) optional {
	if p == nil {
		return optional{}
	}
	return optional{*p, true}
}

// runConformanceCase calls the function named by c.Fn and returns its
// outputs by the names used in the suite's want.
func runConformanceCase(t *testing.T, c conformanceCase) (map[string]optional, error) {
	a := caseArgs{t, c.Args}
	switch c.Fn {
	case "roc_auc":
		v, err := ROCAUC(a.labels("y_true"), a.floats("y_score"), a.optionalFloats("sample_weight"))
		return map[string]optional{"auc": def(v)}, err
	case "average_precision":
		v, err := AveragePrecision(a.labels("y_true"), a.floats("y_score"), a.optionalFloats("sample_weight"))
		return map[string]optional{"ap": def(v)}, err
	case "brier":
		v, err := Brier(a.labels("y_true"), a.floats("y_prob"))
		return map[string]optional{"brier": def(v)}, err
	case "log_loss":
		v, err := LogLoss(a.labels("y_true"), a.floats("y_prob"))
		return map[string]optional{"log_loss": def(v)}, err
	case "threshold_metrics":
		cm, err := ConfusionAt(a.labels("y_true"), a.floats("y_score"), a.number("threshold"))
		return map[string]optional{
			"tp": def(float64(cm.TP)), "fp": def(float64(cm.FP)),
			"tn": def(float64(cm.TN)), "fn": def(float64(cm.FN)),
			"precision":         fromOK(cm.Precision()),
			"recall":            fromOK(cm.Recall()),
			"f1":                fromOK(cm.F1()),
			"accuracy":          fromOK(cm.Accuracy()),
			"specificity":       fromOK(cm.Specificity()),
			"balanced_accuracy": fromOK(cm.BalancedAccuracy()),
		}, err
	case "auc_ci_delong":
		r, err := DeLongCI(a.labels("y_true"), a.floats("y_score"), a.number("level"))
		return map[string]optional{"auc": def(r.AUC), "lower": def(r.Lower), "upper": def(r.Upper), "se": def(r.SE)}, err
	case "delong_paired":
		r, err := DeLongPaired(a.labels("y_true"), a.floats("score_a"), a.floats("score_b"))
		return map[string]optional{"auc_a": def(r.AUCA), "auc_b": def(r.AUCB), "z": def(r.Z), "p_value": def(r.PValue)}, err
	case "calibration":
		r, err := Calibration(a.labels("y_true"), a.floats("y_prob"), int(a.number("bins")))
		return map[string]optional{"ece": def(r.ECE), "slope": fromPtr(r.Slope), "intercept": fromPtr(r.Intercept)}, err
	case "top_k":
		r, err := TopK(a.labels("y_true"), a.floats("y_score"), int(a.number("k")))
		return map[string]optional{"precision_at_k": def(r.Precision), "recall_at_k": fromPtr(r.Recall)}, err
	case "threshold_for_recall":
		r, err := ThresholdForRecall(a.labels("y_true"), a.floats("y_score"), a.number("target_recall"))
		return map[string]optional{"threshold": def(r.Threshold), "recall": def(r.Recall), "precision": def(r.Precision)}, err
	}
	t.Fatalf("unknown conformance function %q", c.Fn)
	return nil, nil
}

func TestConformance(t *testing.T) {
	runConformanceSuite(t, loadConformance(t, "metrics.json"))
}

// TestExtraConformanceCases runs this package's own hand-computed cases
// (testdata/metrics_extra.json, same format and rules as the shared suite).
func TestExtraConformanceCases(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "metrics_extra.json"))
	if err != nil {
		t.Fatal(err)
	}
	var suite struct {
		Cases []conformanceCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &suite); err != nil {
		t.Fatal(err)
	}
	runConformanceSuite(t, suite.Cases)
}

func runConformanceSuite(t *testing.T, cases []conformanceCase) {
	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			got, err := runConformanceCase(t, c)
			if raw, ok := c.Want["error"]; ok && string(raw) == "true" {
				if err == nil {
					t.Fatalf("want an error, got %v", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if len(c.Want) == 0 {
				t.Fatal("case has no expected values")
			}
			for name, raw := range c.Want {
				g, known := got[name]
				if !known {
					t.Errorf("%s: output not produced by %s", name, c.Fn)
					continue
				}
				if string(raw) == "null" {
					if g.ok {
						t.Errorf("%s = %v, want undefined (null)", name, g.v)
					}
					continue
				}
				var want float64
				if err := json.Unmarshal(raw, &want); err != nil {
					t.Fatalf("%s: want %s: %v", name, raw, err)
				}
				if !g.ok {
					t.Errorf("%s undefined, want %v", name, want)
					continue
				}
				if math.IsNaN(g.v) || math.Abs(g.v-want) > c.Tol*math.Max(1, math.Abs(want)) {
					t.Errorf("%s = %.17g, want %.17g (tol %g)", name, g.v, want, c.Tol)
				}
			}
		})
	}
}
