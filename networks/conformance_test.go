package networks

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/evalrun/evalrun/internal/conformance"
)

// discoveryFnsElsewhere are the discovery suite's functions whose
// TestConformance lives in a sibling package.
var discoveryFnsElsewhere = map[string]string{
	"kmeans":            "archetypes",
	"silhouette":        "archetypes",
	"adjusted_rand":     "archetypes",
	"prefixspan":        "sequences",
	"association_rules": "rules",
	"spearman":          "rules",
	"kendall_tau_b":     "rules",
}

// TestConformance checks centrality against the discovery suite (networkx
// 2.8.8, see ../shared/conformance/README.md).
func TestConformance(t *testing.T) {
	for _, c := range conformance.Load(t, "discovery.json") {
		if _, ok := discoveryFnsElsewhere[c.Fn]; ok {
			continue
		}
		t.Run(c.ID, func(t *testing.T) {
			if c.Fn != "centrality" {
				t.Fatalf("unknown fn %q", c.Fn)
			}
			var raw [][]any
			var directed bool
			var nodes []string
			decode(t, c.Args["edges"], &raw)
			decode(t, c.Args["directed"], &directed)
			decode(t, c.Args["nodes"], &nodes)
			edges := make([]Edge, len(raw))
			for i, r := range raw {
				edges[i] = Edge{From: r[0].(string), To: r[1].(string)}
				if len(r) > 2 {
					edges[i].Weight = r[2].(float64)
				}
			}
			g, err := NewGraph(nodes, edges, directed)
			if _, wantErr := c.Want["error"]; wantErr {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := Compute(g, Options{})
			if !got.Converged {
				t.Error("not converged")
			}
			measures := map[string][]float64{
				"degree_centrality": got.Degree, "in_degree_centrality": got.InDegree, "out_degree_centrality": got.OutDegree,
				"betweenness": got.Betweenness, "closeness": got.Closeness, "pagerank": got.PageRank, "eigenvector": got.Eigenvector,
			}
			for name, rawWant := range c.Want {
				vals, ok := measures[name]
				if !ok || vals == nil {
					t.Fatalf("no measure %q", name)
				}
				var want map[string]float64
				decode(t, rawWant, &want)
				if len(want) != len(nodes) {
					t.Fatalf("%s: %d nodes in want, %d nodes", name, len(want), len(nodes))
				}
				for node, w := range want {
					i, _ := g.Index(node)
					if math.Abs(vals[i]-w) > c.Tol*math.Max(1, math.Abs(w)) {
						t.Errorf("%s[%s] = %.17g, want %.17g", name, node, vals[i], w)
					}
				}
			}
		})
	}
}

func decode(t *testing.T, raw json.RawMessage, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
}
