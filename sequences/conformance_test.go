package sequences

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/evalrun/evalrun/internal/conformance"
)

// discoveryFnsElsewhere are the discovery suite's functions whose
// TestConformance lives in a sibling package.
var discoveryFnsElsewhere = map[string]string{
	"kmeans":            "archetypes",
	"silhouette":        "archetypes",
	"adjusted_rand":     "archetypes",
	"association_rules": "rules",
	"spearman":          "rules",
	"kendall_tau_b":     "rules",
	"centrality":        "networks",
}

// TestConformance checks prefixspan against the discovery suite (brute
// force, see ../shared/conformance/README.md).
func TestConformance(t *testing.T) {
	for _, c := range conformance.Load(t, "discovery.json") {
		if _, ok := discoveryFnsElsewhere[c.Fn]; ok {
			continue
		}
		t.Run(c.ID, func(t *testing.T) {
			if c.Fn != "prefixspan" {
				t.Fatalf("unknown fn %q", c.Fn)
			}
			var seqs [][]string
			var minSupport float64
			if err := json.Unmarshal(c.Args["sequences"], &seqs); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(c.Args["min_support"], &minSupport); err != nil {
				t.Fatal(err)
			}
			got, err := PrefixSpan(seqs, minSupport)
			if _, wantErr := c.Want["error"]; wantErr {
				if err == nil {
					t.Fatalf("want an error, got %d patterns", len(got))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var want []NamedPattern
			if err := json.Unmarshal(c.Want["patterns"], &want); err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 {
				got = []NamedPattern{}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %d patterns %v\nwant %d %v", len(got), got, len(want), want)
			}
		})
	}
}
