package fairness

import (
	"github.com/evalrun/evalrun/internal/conformance"

	"encoding/json"
	"fmt"
	"math"
	"testing"
)

// conformanceCase is one case of the shared suite (see
// ../shared/conformance/README.md).
type conformanceCase = conformance.Case

// loadConformance reads a suite file, skipping when the suite is absent.
func loadConformance(t *testing.T, name string) []conformanceCase { return conformance.Load(t, name) }

func TestConformance(t *testing.T) {
	for _, c := range loadConformance(t, "fairness.json") {
		t.Run(c.ID, func(t *testing.T) { runConformance(t, c) })
	}
}

// conformanceArgs decodes the common arguments of a case.
type conformanceArgs struct {
	y         []uint8
	score     []float64
	groups    []string
	threshold float64
	reference string
}

func decodeArgs(t *testing.T, c conformanceCase) conformanceArgs {
	t.Helper()
	var a conformanceArgs
	var y []int
	mustDecode(t, c.Args["y_true"], &y)
	a.y = make([]uint8, len(y))
	for i, v := range y {
		a.y[i] = uint8(v)
	}
	var scores []any
	mustDecode(t, c.Args["y_score"], &scores)
	a.score = make([]float64, len(scores))
	for i, v := range scores {
		switch v := v.(type) {
		case float64:
			a.score[i] = v
		case string:
			if v != "NaN" {
				t.Fatalf("score %d: unexpected string %q", i, v)
			}
			a.score[i] = math.NaN()
		default:
			t.Fatalf("score %d: unexpected %T", i, v)
		}
	}
	mustDecode(t, c.Args["groups"], &a.groups)
	if raw, ok := c.Args["threshold"]; ok {
		mustDecode(t, raw, &a.threshold)
	}
	if raw, ok := c.Args["reference"]; ok {
		mustDecode(t, raw, &a.reference)
	}
	return a
}

func mustDecode(t *testing.T, raw json.RawMessage, v any) {
	t.Helper()
	if raw == nil {
		t.Fatalf("missing argument for %T", v)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
}

// checkEstimate compares got with a want value: a number (matched within
// tol*max(1,|want|)) or null (got must be undefined).
func checkEstimate(t *testing.T, name string, got Estimate, want json.RawMessage, tol float64) {
	t.Helper()
	if string(want) == "null" {
		if got.Defined {
			t.Errorf("%s: got %v, want undefined (null)", name, got.Value)
		}
		return
	}
	var w float64
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: decode want %s: %v", name, want, err)
	}
	if !got.Defined {
		t.Errorf("%s: got undefined (%s), want %v", name, got.Reason, w)
		return
	}
	if math.Abs(got.Value-w) > tol*math.Max(1, math.Abs(w)) {
		t.Errorf("%s: got %.17g, want %.17g (tol %g)", name, got.Value, w, tol)
	}
}

func runConformance(t *testing.T, c conformanceCase) {
	a := decodeArgs(t, c)
	_, wantErr := c.Want["error"]
	var err error
	var got map[string]Estimate // flat "path" -> estimate
	switch c.Fn {
	case "group_metrics":
		var gm []GroupMetrics
		gm, err = PerGroup(a.y, a.score, a.groups, a.threshold, 0)
		got = make(map[string]Estimate)
		for i := range gm {
			g := &gm[i]
			if g.Count != nil {
				got["groups."+g.Group+".count"] = Known(float64(*g.Count))
			}
			for _, f := range g.fields() {
				got["groups."+g.Group+"."+f.name] = f.est
			}
		}
	case "demographic_parity":
		var b BetweenGap
		b, err = DemographicParity(a.y, a.score, a.groups, a.threshold)
		got = map[string]Estimate{"difference": b.Difference, "ratio": b.Ratio}
	case "equalized_odds":
		var e EqualizedOddsGap
		e, err = EqualizedOdds(a.y, a.score, a.groups, a.threshold)
		got = map[string]Estimate{"difference": e.Difference, "ratio": e.Ratio, "tpr_difference": e.TPR.Difference}
	case "disparity":
		var ds []GroupDisparity
		ds, err = Disparity(a.y, a.score, a.groups, a.threshold, a.reference)
		got = make(map[string]Estimate)
		for _, d := range ds {
			for _, f := range []namedEstimate{{"selection_rate", d.SelectionRate}, {"tpr", d.TPR}, {"fpr", d.FPR},
				{"fnr", d.FNR}, {"ppv", d.PPV}, {"fdr", d.FDR}, {"for", d.FOR}} {
				got["groups."+d.Group+"."+f.name] = f.est
			}
		}
	case "abroca":
		var v float64
		v, err = ABROCA(a.y, a.score, a.groups)
		got = map[string]Estimate{"abroca": Known(v)}
	case "group_auc":
		var gm []GroupMetrics
		gm, err = PerGroup(a.y, a.score, a.groups, 0.5, 0)
		got = make(map[string]Estimate)
		for _, g := range gm {
			got["auc."+g.Group] = g.AUC
		}
	default:
		t.Fatalf("unknown fn %q", c.Fn)
	}
	if wantErr {
		if err == nil {
			t.Fatalf("want an error, got none")
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	checked := 0
	for key, want := range flattenWant(t, c.Want) {
		g, ok := got[key]
		if !ok {
			t.Errorf("%s: not produced", key)
			continue
		}
		checkEstimate(t, key, g, want, c.Tol)
		checked++
	}
	if checked == 0 {
		t.Fatal("case checked no values")
	}
}

// flattenWant turns nested objects into dotted keys ("groups.F.tpr").
func flattenWant(t *testing.T, want map[string]json.RawMessage) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage)
	var walk func(prefix string, raw json.RawMessage)
	walk = func(prefix string, raw json.RawMessage) {
		var obj map[string]json.RawMessage
		if len(raw) > 0 && raw[0] == '{' {
			if err := json.Unmarshal(raw, &obj); err != nil {
				t.Fatalf("decode want %s: %v", prefix, err)
			}
			for k, v := range obj {
				walk(fmt.Sprintf("%s%s.", prefix, k), v)
			}
			return
		}
		out[prefix[:len(prefix)-1]] = raw
	}
	for k, v := range want {
		walk(k+".", v)
	}
	return out
}
