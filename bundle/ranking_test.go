package bundle

import (
	"reflect"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/explain"
	"github.com/evalrun/evalrun/features"
	"github.com/evalrun/evalrun/models"
	"github.com/evalrun/evalrun/results"
)

// TestRankFeatures: encoded columns are mapped to their feature through
// each evaluation's encoding (value, missing indicator, levels including
// the missing level), summed per feature and averaged over the
// evaluations that measured importance; a feature the bundle does not read
// is left out and a column outside the encoding is an error.
func TestRankFeatures(t *testing.T) {
	schema := Schema{Features: []FeatureSchema{{Name: "clicks"}, {Name: "late"}, {Name: "region"}}}
	enc := features.Description{
		Columns:     []string{"clicks", "late", "dropped", "clicks_missing", "region=(missing)", "region=North", "region=South"},
		Numeric:     []features.NumericDescription{{Name: "clicks", Indicator: "clicks_missing"}, {Name: "late"}, {Name: "dropped"}},
		Categorical: []features.CategoricalDescription{{Name: "region", Levels: []string{"", "North", "South"}}},
	}
	eval := func(split string, imp ...explain.Importance) results.Evaluation {
		e := results.Evaluation{Split: split, TestTerms: []string{"2014" + split}, Importance: imp}
		e.Features.Encoding = enc
		return e
	}
	// Hand-computed: clicks (0.10 + 0.02 + 0.06) / 2 = 0.09, region
	// (0.01 + 0.03 + 0.04 + 0.02) / 2 = 0.05, late (−0.01 + 0.01) / 2 = 0.
	evals := []results.Evaluation{
		eval("B", explain.Importance{Feature: "clicks", Mean: 0.10}, explain.Importance{Feature: "clicks_missing", Mean: 0.02},
			explain.Importance{Feature: "region=(missing)", Mean: 0.01}, explain.Importance{Feature: "region=North", Mean: 0.03},
			explain.Importance{Feature: "late", Mean: -0.01}, explain.Importance{Feature: "dropped", Mean: 0.5}),
		eval("none"),
		eval("J", explain.Importance{Feature: "clicks", Mean: 0.06}, explain.Importance{Feature: "region=South", Mean: 0.06},
			explain.Importance{Feature: "late", Mean: 0.01}),
	}
	r, err := RankFeatures(schema, evals)
	if err != nil {
		t.Fatal(err)
	}
	var got []RankedFeature
	for _, f := range r.Features {
		got = append(got, RankedFeature{f.Name, float64(int(f.Importance*1e6+0.5)) / 1e6})
	}
	want := []RankedFeature{{"clicks", 0.09}, {"region", 0.05}, {"late", 0}}
	if !reflect.DeepEqual(got, want) || len(r.Evaluations) != 2 || r.Evaluations[1] != "split J: test terms 2014J" {
		t.Errorf("ranking %+v from %q, want %+v", got, r.Evaluations, want)
	}
	// Top keeps positive importances only.
	if top := r.Top(3); !reflect.DeepEqual(top, []string{"clicks", "region"}) {
		t.Errorf("top %q", top)
	}
	if none, err := RankFeatures(schema, []results.Evaluation{eval("none")}); none != nil || err != nil || none.Top(3) != nil {
		t.Errorf("no importance: %+v, %v", none, err)
	}
	_, err = RankFeatures(schema, []results.Evaluation{eval("X", explain.Importance{Feature: "region=West", Mean: 0.1})})
	if err == nil || !strings.Contains(err.Error(), `split X: column "region=West" is not in the evaluation's encoding`) {
		t.Errorf("unknown column: %v", err)
	}
}

// TestRankingOfUnknownFeature: a bundle whose ranking names a feature the
// schema lacks does not build.
func TestRankingOfUnknownFeature(t *testing.T) {
	b := buildBundle(t, testFrame(200, 1), models.Logistic{Config: models.DefaultLogisticConfig()})
	m := b.Model
	m.Ranking = &FeatureRanking{Method: RankingMethod, Features: []RankedFeature{{Name: "clicks", Importance: 0.1}, {Name: "gpa", Importance: 0.05}}}
	if _, err := New(m, b.Card); err == nil || !strings.Contains(err.Error(), `feature_ranking: "gpa" is not a feature of the schema`) {
		t.Errorf("New: %v", err)
	}
}
