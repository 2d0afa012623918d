package bundle

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/evalrun/evalrun/features"
	"github.com/evalrun/evalrun/results"
)

// FeatureRanking ranks the features the model reads (the schema's raw
// features, not encoded columns) by permutation importance, taken from
// the temporal evaluations of the run that trained the bundle.
type FeatureRanking struct {
	// Method says how the importance was measured.
	Method string `json:"method"`
	// Evaluations names the evaluations it was measured on
	// ("split 2013-to-2014: test terms 2014J").
	Evaluations []string `json:"evaluations"`
	// Features are ranked by decreasing importance (ties by name); a
	// feature whose columns no evaluation measured is left out.
	Features []RankedFeature `json:"features"`
}

// RankedFeature is one feature's importance: the drop in test AUC when its
// encoded columns are shuffled one at a time, summed over its columns and
// averaged over the evaluations.
type RankedFeature struct {
	Name       string  `json:"name"`
	Importance float64 `json:"importance"`
}

// RankingMethod is FeatureRanking.Method.
const RankingMethod = "permutation importance: the drop in test AUC when a column is shuffled, summed over a feature's encoded columns and averaged over the evaluations"

// RankFeatures ranks the schema's features by the permutation importance
// of evals (results.Evaluation.Importance, per encoded column). Each
// evaluation's columns are mapped to the feature they encode through its
// own encoding (a numeric feature, its missing indicator, or a level of a
// categorical feature); features outside the schema are not ranked. A
// feature's importance is the sum over its columns (so a categorical
// feature counts every level) and the mean over the evaluations that
// measured importance. It returns nil when none did.
func RankFeatures(schema Schema, evals []results.Evaluation) (*FeatureRanking, error) {
	known := map[string]bool{}
	for _, f := range schema.Features {
		known[f.Name] = true
	}
	sums := map[string]float64{}
	r := &FeatureRanking{Method: RankingMethod}
	n := 0
	for _, e := range evals {
		if len(e.Importance) == 0 {
			continue
		}
		owner := columnOwners(e.Features.Encoding)
		for _, im := range e.Importance {
			f, ok := owner[im.Feature]
			if !ok {
				return nil, fmt.Errorf("feature ranking: split %s: column %q is not in the evaluation's encoding", e.Split, im.Feature)
			}
			// A feature the evaluation encoded but the deployed model
			// does not read (left out of its fit) is not ranked.
			if known[f] {
				sums[f] += im.Mean
			}
		}
		n++
		r.Evaluations = append(r.Evaluations, fmt.Sprintf("split %s: test terms %s", e.Split, strings.Join(e.TestTerms, ", ")))
	}
	if n == 0 {
		return nil, nil
	}
	for name, s := range sums {
		r.Features = append(r.Features, RankedFeature{Name: name, Importance: s / float64(n)})
	}
	slices.SortFunc(r.Features, func(a, b RankedFeature) int {
		if c := cmp.Compare(b.Importance, a.Importance); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return r, nil
}

// columnOwners maps each encoded column to the feature it encodes.
func columnOwners(d features.Description) map[string]string {
	out := map[string]string{}
	for _, nd := range d.Numeric {
		out[nd.Name] = nd.Name
		if nd.Indicator != "" {
			out[nd.Indicator] = nd.Name
		}
	}
	for _, cd := range d.Categorical {
		for _, l := range cd.Levels {
			if l == "" {
				l = features.MissingLevel
			}
			out[cd.Name+"="+l] = cd.Name
		}
	}
	return out
}

// Top returns the names of up to n features of positive importance, most
// important first.
func (r *FeatureRanking) Top(n int) []string {
	if r == nil {
		return nil
	}
	var out []string
	for _, f := range r.Features {
		if len(out) == n || f.Importance <= 0 {
			break
		}
		out = append(out, f.Name)
	}
	return out
}
