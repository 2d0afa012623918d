package rules

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/evalrun/evalrun/internal/conformance"
)

// discoveryFnsElsewhere are the discovery suite's functions whose
// TestConformance lives in a sibling package.
var discoveryFnsElsewhere = map[string]string{
	"kmeans":        "archetypes",
	"silhouette":    "archetypes",
	"adjusted_rand": "archetypes",
	"prefixspan":    "sequences",
	"centrality":    "networks",
}

// TestConformance checks association_rules (brute force), spearman and
// kendall_tau_b (scipy 1.10.1) against the discovery suite.
func TestConformance(t *testing.T) {
	for _, c := range conformance.Load(t, "discovery.json") {
		if _, ok := discoveryFnsElsewhere[c.Fn]; ok {
			continue
		}
		t.Run(c.ID, func(t *testing.T) {
			_, wantErr := c.Want["error"]
			var err error
			switch c.Fn {
			case "association_rules":
				err = checkRules(t, c, wantErr)
			case "spearman", "kendall_tau_b":
				var x, y []float64
				decode(t, c.Args["x"], &x)
				decode(t, c.Args["y"], &y)
				f, coef := Spearman, "rho"
				if c.Fn == "kendall_tau_b" {
					f, coef = KendallTauB, "tau"
				}
				var got Correlation
				got, err = f(x, y)
				if err == nil && !wantErr {
					compareNullable(t, coef, got.Coef, c.Want[coef], c.Tol)
					compareNullable(t, "p_value", got.P, c.Want["p_value"], c.Tol)
				}
			default:
				t.Fatalf("unknown fn %q", c.Fn)
			}
			if wantErr && err == nil {
				t.Fatal("want an error")
			}
			if !wantErr && err != nil {
				t.Fatal(err)
			}
		})
	}
}

func checkRules(t *testing.T, c conformance.Case, wantErr bool) error {
	var tr [][]string
	var opt RuleOptions
	decode(t, c.Args["transactions"], &tr)
	decode(t, c.Args["min_support"], &opt.MinSupport)
	decode(t, c.Args["min_confidence"], &opt.MinConfidence)
	if raw, ok := c.Args["consequent"]; ok && string(raw) != "null" {
		decode(t, raw, &opt.Consequent)
	}
	got, err := AssociationRules(tr, opt)
	if err != nil || wantErr {
		return err
	}
	var want []struct {
		Antecedent []string `json:"antecedent"`
		Consequent string   `json:"consequent"`
		Support    float64  `json:"support"`
		Confidence float64  `json:"confidence"`
		Lift       float64  `json:"lift"`
		Leverage   float64  `json:"leverage"`
		Conviction *float64 `json:"conviction"`
	}
	decode(t, c.Want["rules"], &want)
	if len(got) != len(want) {
		t.Fatalf("%d rules, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if !equalStrings(g.Antecedent, w.Antecedent) || g.Consequent != w.Consequent {
			t.Fatalf("rule %d: %v -> %s, want %v -> %s", i, g.Antecedent, g.Consequent, w.Antecedent, w.Consequent)
		}
		for _, f := range []struct {
			name      string
			got, want float64
		}{{"support", g.Support, w.Support}, {"confidence", g.Confidence, w.Confidence}, {"lift", g.Lift, w.Lift}, {"leverage", g.Leverage, w.Leverage}} {
			if math.Abs(f.got-f.want) > c.Tol*math.Max(1, math.Abs(f.want)) {
				t.Errorf("rule %d %s = %.17g, want %.17g", i, f.name, f.got, f.want)
			}
		}
		if (g.Conviction == nil) != (w.Conviction == nil) {
			t.Errorf("rule %d conviction %v, want %v", i, g.Conviction, w.Conviction)
		} else if w.Conviction != nil && math.Abs(*g.Conviction-*w.Conviction) > c.Tol*math.Max(1, math.Abs(*w.Conviction)) {
			t.Errorf("rule %d conviction = %.17g, want %.17g", i, *g.Conviction, *w.Conviction)
		}
	}
	return nil
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func decode(t *testing.T, raw json.RawMessage, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
}

// compareNullable compares a value that may be undefined (nil; null in the
// suite).
func compareNullable(t *testing.T, name string, got *float64, raw json.RawMessage, tol float64) {
	t.Helper()
	var want *float64
	decode(t, raw, &want)
	switch {
	case want == nil && got == nil:
	case want == nil || got == nil:
		t.Errorf("%s = %v, want %v", name, ptrString(got), ptrString(want))
	case math.Abs(*got-*want) > tol*math.Max(1, math.Abs(*want)):
		t.Errorf("%s = %.17g, want %.17g (tol %g)", name, *got, *want, tol)
	}
}

func ptrString(p *float64) any {
	if p == nil {
		return "null"
	}
	return *p
}
