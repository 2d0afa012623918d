package archetypes

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/evalrun/evalrun/internal/conformance"
)

// discoveryFnsElsewhere are the discovery suite's functions whose
// TestConformance lives in a sibling package (sequences, rules, networks).
var discoveryFnsElsewhere = map[string]string{
	"prefixspan":        "sequences",
	"association_rules": "rules",
	"spearman":          "rules",
	"kendall_tau_b":     "rules",
	"centrality":        "networks",
}

// TestConformance checks kmeans, silhouette and adjusted_rand against the
// discovery suite (scikit-learn 1.2.1 values, see
// ../shared/conformance/README.md).
func TestConformance(t *testing.T) {
	for _, c := range conformance.Load(t, "discovery.json") {
		if pkg, ok := discoveryFnsElsewhere[c.Fn]; ok {
			_ = pkg // checked by that package's TestConformance
			continue
		}
		t.Run(c.ID, func(t *testing.T) {
			_, wantErr := c.Want["error"]
			got, err := runCase(t, c)
			if wantErr {
				if err == nil {
					t.Fatalf("want an error, got %v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for name, raw := range c.Want {
				g, ok := got[name]
				if !ok {
					t.Fatalf("no output %q", name)
				}
				if name == "labels" {
					var want []int
					mustDecode(t, raw, &want)
					if !samePartition(g.([]int), want) {
						t.Errorf("labels %v are not the partition %v", g, want)
					}
					continue
				}
				var want any
				mustDecode(t, raw, &want)
				compareNumbers(t, name, g, want, c.Tol)
			}
		})
	}
}

func runCase(t *testing.T, c conformance.Case) (map[string]any, error) {
	switch c.Fn {
	case "kmeans":
		var X, init [][]float64
		var maxIter int
		var tol float64
		mustDecode(t, c.Args["X"], &X)
		mustDecode(t, c.Args["init"], &init)
		mustDecode(t, c.Args["max_iter"], &maxIter)
		mustDecode(t, c.Args["tol"], &tol)
		r, err := Lloyd(X, init, maxIter, tol)
		return map[string]any{"labels": r.Labels, "centers": r.Centers, "inertia": r.Inertia, "n_iter": float64(r.Iterations)}, err
	case "silhouette":
		var X [][]float64
		var labels []int
		mustDecode(t, c.Args["X"], &X)
		mustDecode(t, c.Args["labels"], &labels)
		s, err := Silhouette(X, labels)
		return map[string]any{"score": s}, err
	case "adjusted_rand":
		var a, b []int
		mustDecode(t, c.Args["labels_a"], &a)
		mustDecode(t, c.Args["labels_b"], &b)
		ari, err := AdjustedRand(a, b)
		return map[string]any{"ari": ari}, err
	}
	t.Fatalf("unknown fn %q", c.Fn)
	return nil, nil
}

func mustDecode(t *testing.T, raw json.RawMessage, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
}

// compareNumbers compares a number or nested list of numbers with the
// suite's rule |got − want| ≤ tol·max(1, |want|).
func compareNumbers(t *testing.T, name string, got, want any, tol float64) {
	t.Helper()
	switch w := want.(type) {
	case float64:
		g, ok := got.(float64)
		if !ok || math.IsNaN(g) || math.Abs(g-w) > tol*math.Max(1, math.Abs(w)) {
			t.Errorf("%s = %v, want %.17g (tol %g)", name, got, w, tol)
		}
	case []any:
		var gs []any
		switch g := got.(type) {
		case [][]float64:
			for _, r := range g {
				gs = append(gs, r)
			}
		case []float64:
			for _, x := range g {
				gs = append(gs, x)
			}
		default:
			t.Fatalf("%s: got %T, want a list", name, got)
		}
		if len(gs) != len(w) {
			t.Fatalf("%s: got %d elements, want %d", name, len(gs), len(w))
		}
		for i := range w {
			compareNumbers(t, name, gs[i], w[i], tol)
		}
	default:
		t.Fatalf("%s: unexpected want %v", name, want)
	}
}

// samePartition reports whether two labelings are the same partition up to
// renaming.
func samePartition(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	ab, ba := map[int]int{}, map[int]int{}
	for i := range a {
		if x, ok := ab[a[i]]; ok && x != b[i] {
			return false
		}
		if x, ok := ba[b[i]]; ok && x != a[i] {
			return false
		}
		ab[a[i]], ba[b[i]] = b[i], a[i]
	}
	return true
}
