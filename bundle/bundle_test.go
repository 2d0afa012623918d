package bundle

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/features"
	"github.com/evalrun/evalrun/models"
)

// testFrame draws n students with two numeric features and a region.
func testFrame(n int, seed uint64) *datasets.Frame {
	rng := rand.New(rand.NewPCG(seed, 1))
	f := &datasets.Frame{Dataset: "t", Cutoff: 28,
		Numeric:     []datasets.NumericColumn{{Name: "clicks"}, {Name: "late"}},
		Categorical: []datasets.CategoricalColumn{{Name: "region"}}}
	regions := []string{"East", "North", "South"}
	for i := 0; i < n; i++ {
		clicks := rng.Float64() * 100
		late := float64(rng.IntN(4))
		if i%17 == 0 {
			clicks = math.NaN()
		}
		y := uint8(0)
		if rng.Float64() < 1/(1+math.Exp(-(0.8*late-0.03*clicks+0.5))) {
			y = 1
		}
		id := string(rune('a'+i%26)) + string(rune('0'+i/26%10)) + string(rune('0'+i/260))
		f.Keys = append(f.Keys, id)
		f.Students = append(f.Students, id)
		f.Terms = append(f.Terms, "2013J")
		f.Courses = append(f.Courses, "AAA")
		f.Labels = append(f.Labels, y)
		f.Numeric[0].Values = append(f.Numeric[0].Values, clicks)
		f.Numeric[1].Values = append(f.Numeric[1].Values, late)
		f.Categorical[0].Values = append(f.Categorical[0].Values, regions[rng.IntN(3)])
	}
	return f
}

// buildBundle fits a model of the given kind on frame f and bundles it.
func buildBundle(t *testing.T, f *datasets.Frame, m models.Model) *Bundle {
	t.Helper()
	return buildBundleSpec(t, f, m, features.Spec{Numeric: []string{"clicks", "late"}, Categorical: []string{"region"}})
}

// buildBundleNumeric bundles a model over every column of f.
func buildBundleNumeric(t testing.TB, f *datasets.Frame, m models.Model) *Bundle {
	var spec features.Spec
	for _, c := range f.Numeric {
		spec.Numeric = append(spec.Numeric, c.Name)
	}
	for _, c := range f.Categorical {
		spec.Categorical = append(spec.Categorical, c.Name)
	}
	return buildBundleSpec(t, f, m, spec)
}

func buildBundleSpec(t testing.TB, f *datasets.Frame, m models.Model, spec features.Spec) *Bundle {
	rows := make([]int, f.Len())
	for i := range rows {
		rows[i] = i
	}
	enc, err := features.Fit(f, rows, spec)
	if err != nil {
		t.Fatal(err)
	}
	x, kept, _, err := enc.Transform(f, rows)
	if err != nil {
		t.Fatal(err)
	}
	y := make([]uint8, len(kept))
	for j, i := range kept {
		y[j] = f.Labels[i]
	}
	fitted, err := m.Fit(context.Background(), models.TrainingSet{Rows: models.Rows{X: x}, Y: y}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	params, err := fitted.(models.Persistent).MarshalFitted()
	if err != nil {
		t.Fatal(err)
	}
	schema, err := DescribeFeatures(f, rows, spec.Numeric, spec.Categorical)
	if err != nil {
		t.Fatal(err)
	}
	scores, err := fitted.Predict(context.Background(), models.Rows{X: x})
	if err != nil {
		t.Fatal(err)
	}
	hi, mid := 0.6, 0.4
	day := 28
	model := Model{FormatVersion: FormatVersion, Name: "m", Kind: params.Kind, Experiment: "test",
		Dataset:   Dataset{Name: "t", Kind: "csv", Numeric: spec.Numeric, Categorical: spec.Categorical},
		CutoffDay: &day, Outcome: Outcome{Positive: []string{"Fail"}, Description: "failing"},
		Training: Training{Terms: []string{"2013J"}, Rows: len(y), Summary: fitted.Summary()},
		Encoder:  enc.Describe(), Schema: schema, Scores: DescribeScores(scores), Fitted: params,
		Threshold: Threshold{Policy: "value(0.6)", Score: hi, ResolvedOn: "fixed"},
		Bands:     []Band{{Name: "high", MinScore: &hi}, {Name: "medium", MinScore: &mid}, {Name: "low"}},
		Reasons:   2}
	b, err := New(model, NewModelCard(CardInput{Model: &model, Date: "2026-12-06", Version: "test"}))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeBundle(t *testing.T, b *Bundle) string {
	t.Helper()
	dir := t.TempDir()
	files, err := b.Files()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestSaveLoadScores: a bundle written and loaded back scores rows exactly
// as the fitted model does, for every model kind.
func TestSaveLoadScores(t *testing.T) {
	f := testFrame(400, 1)
	current := testFrame(150, 2)
	for _, m := range []models.Model{
		models.Logistic{Config: models.DefaultLogisticConfig()},
		models.Prior{},
		models.Rule{Config: models.RuleConfig{Feature: "late"}},
		models.Tree{Config: models.TreeConfig{MaxDepth: 4}},
		models.RandomForest{Config: models.ForestConfig{NTrees: 20, MinSamplesLeaf: 5}},
		models.GBM{Config: models.GBMConfig{MaxIter: 20}},
	} {
		b := buildBundle(t, f, m)
		t.Run(b.Model.Kind, func(t *testing.T) {
			dir := writeBundle(t, b)
			back, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			files, _ := back.Files()
			orig, _ := b.Files()
			if string(files[0].Data) != string(orig[0].Data) {
				t.Error("model.json written from the loaded bundle differs")
			}
			rows := make([]int, current.Len())
			for i := range rows {
				rows[i] = i
			}
			want, err := b.Apply(context.Background(), current, rows, ApplyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := back.Apply(context.Background(), current, rows, ApplyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for k := range want.Scores {
				if math.Float64bits(want.Scores[k]) != math.Float64bits(got.Scores[k]) {
					t.Fatalf("row %d: loaded bundle scores %v, built one %v", k, got.Scores[k], want.Scores[k])
				}
				if got.Flagged[k] != (got.Scores[k] >= 0.6) {
					t.Fatalf("row %d: flagged %v at score %v, threshold 0.6", k, got.Flagged[k], got.Scores[k])
				}
			}
			if !reflect.DeepEqual(want.Bands, got.Bands) || !reflect.DeepEqual(want.Reasons, got.Reasons) {
				t.Error("bands or reasons differ after loading")
			}
		})
	}
}

// TestInputFlags: out-of-range values, unseen levels and missing inputs are
// flagged per student, not errors.
func TestInputFlags(t *testing.T) {
	b := buildBundle(t, testFrame(300, 1), models.Logistic{Config: models.DefaultLogisticConfig()})
	cur := testFrame(4, 3)
	cur.Numeric[0].Values = []float64{1e6, 50, math.NaN(), -5}
	cur.Numeric[1].Values = []float64{1, 2, 1, 9}
	cur.Categorical[0].Values = []string{"East", "Atlantis", "", "North"}
	s, err := b.Apply(context.Background(), cur, []int{0, 1, 2, 3}, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	clicks, _ := b.Model.Schema.Feature("clicks")
	want := []InputFlags{
		{OutOfRange: []RangeFlag{{Feature: "clicks", Value: 1e6, Min: *clicks.Min, Max: *clicks.Max}}},
		{Unseen: []LevelFlag{{Feature: "region", Level: "Atlantis"}}},
		{Missing: []string{"clicks", "region"}},
		{OutOfRange: []RangeFlag{{Feature: "clicks", Value: -5, Min: *clicks.Min, Max: *clicks.Max}, {Feature: "late", Value: 9, Min: 0, Max: 3}}},
	}
	if !reflect.DeepEqual(s.Flags, want) {
		t.Errorf("flags %+v\nwant %+v", s.Flags, want)
	}
	if w := s.Flags[3].Words(); !strings.Contains(w, "late 9 is above the training range (max 3)") || !strings.Contains(w, "clicks -5 is below") {
		t.Errorf("words %q", w)
	}
	// The encoder counts "Atlantis" and the missing region (training had
	// no missing region) as levels it never saw.
	if s.Stats.UnseenLevels["region"] != 2 {
		t.Errorf("unseen levels counted %v", s.Stats.UnseenLevels)
	}
}

// TestLoadErrors: another format version, a checksum mismatch and data
// missing a feature column are errors naming the file or column.
func TestLoadErrors(t *testing.T) {
	b := buildBundle(t, testFrame(200, 1), models.Logistic{Config: models.DefaultLogisticConfig()})
	edit := func(t *testing.T, name string, fn func(string) string) string {
		dir := writeBundle(t, b)
		p := filepath.Join(dir, name)
		data, _ := os.ReadFile(p)
		os.WriteFile(p, []byte(fn(string(data))), 0o644)
		return dir
	}
	cases := []struct {
		name string
		dir  func(t *testing.T) string
		want string
	}{
		{"manifest version", func(t *testing.T) string {
			return edit(t, ManifestName, func(s string) string { return strings.Replace(s, `"format_version": 3`, `"format_version": 4`, 1) })
		}, "manifest.json: bundle format version 4; this evalrun reads version 3 (retrain"},
		// A version 1 bundle (no training score distribution) is refused
		// with what it lacks, before its files are read.
		{"version 1 bundle", func(t *testing.T) string {
			return edit(t, ManifestName, func(s string) string { return strings.Replace(s, `"format_version": 3`, `"format_version": 1`, 1) })
		}, "manifest.json: bundle format version 1; this evalrun reads version 3, which adds the training score distribution"},
		// A version 2 bundle (tree nodes inside fitted.params) is refused
		// likewise.
		{"version 2 bundle", func(t *testing.T) string {
			return edit(t, ManifestName, func(s string) string { return strings.Replace(s, `"format_version": 3`, `"format_version": 2`, 1) })
		}, "manifest.json: bundle format version 2; this evalrun reads version 3, which lays out tree ensembles' nodes to load faster (retrain"},
		// model.json of another version behind a manifest of this one.
		{"model.json version", func(t *testing.T) string {
			bad := *b
			bad.Model.FormatVersion = 2
			return writeBundle(t, &bad)
		}, "model.json: format version 2; this evalrun reads version 3, which lays out"},
		// A model.json without the score distribution (manifest rewritten
		// to match) does not load.
		{"no training scores", func(t *testing.T) string {
			bad := *b
			bad.Model.Scores = FeatureSchema{}
			return writeBundle(t, &bad)
		}, "model.json: training_scores: want the \"score\" distribution"},
		{"checksum", func(t *testing.T) string {
			return edit(t, ModelFile, func(s string) string { return strings.Replace(s, `"reasons": 2`, `"reasons": 3`, 1) })
		}, "model.json: checksum mismatch"},
		{"missing file", func(t *testing.T) string {
			dir := writeBundle(t, b)
			os.Remove(filepath.Join(dir, CardFile))
			return dir
		}, "model_card.json: listed in the manifest but unreadable"},
		{"not a bundle", func(t *testing.T) string { return t.TempDir() }, "not a model bundle"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.dir(t))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load: %v, want an error containing %q", err, tc.want)
			}
		})
	}
	cur := testFrame(5, 2)
	cur.Numeric = cur.Numeric[:1]
	_, err := b.Apply(context.Background(), cur, []int{0, 1}, ApplyOptions{})
	if err == nil || err.Error() != `no numeric column "late", which the model reads` {
		t.Errorf("missing column: %v", err)
	}
}

// TestSchemaQuantiles: percentiles follow numpy's linear method and values
// are counted exactly for discrete features.
func TestSchemaQuantiles(t *testing.T) {
	f := &datasets.Frame{Keys: []string{"a", "b", "c", "d", "e"},
		Numeric: []datasets.NumericColumn{{Name: "x", Values: []float64{4, 1, math.NaN(), 2, 2}}}}
	s, err := DescribeFeatures(f, []int{0, 1, 2, 3, 4}, []string{"x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := s.Features[0]
	// numpy.percentile([1, 2, 2, 4], [0, 25, 50, 90, 100]) = 1, 1.75, 2, 3.4, 4
	for _, c := range []struct {
		k    int
		want float64
	}{{0, 1}, {25, 1.75}, {50, 2}, {90, 3.4}, {100, 4}} {
		if math.Abs(x.Quantiles[c.k]-c.want) > 1e-12 {
			t.Errorf("q%d = %v, want %v", c.k, x.Quantiles[c.k], c.want)
		}
	}
	if x.Missing != 1 || x.Count != 4 || !reflect.DeepEqual(x.Values, []float64{1, 2, 4}) || !reflect.DeepEqual(x.ValueCounts, []int{1, 2, 1}) {
		t.Errorf("schema %+v", x)
	}
	if *x.Mean != 2.25 || math.Abs(*x.SD-math.Sqrt(1.1875)) > 1e-15 {
		t.Errorf("mean %v sd %v", *x.Mean, *x.SD)
	}
}

// TestDescribeScores: the training scores are summarised as a numeric
// feature: value counts for a model with few distinct scores (a prior),
// only percentiles for many; NaN scores count as missing. The summary
// survives a save and load.
func TestDescribeScores(t *testing.T) {
	few := DescribeScores([]float64{0.3, 0.1, 0.3, math.NaN(), 0.3})
	if few.Name != ScoreFeature || few.Count != 4 || few.Missing != 1 || !reflect.DeepEqual(few.Values, []float64{0.1, 0.3}) || !reflect.DeepEqual(few.ValueCounts, []int{1, 3}) || few.Quantiles[50] != 0.3 {
		t.Errorf("few scores: %+v", few)
	}
	many := make([]float64, 1000)
	for i := range many {
		many[i] = float64(999-i) / 1000
	}
	d := DescribeScores(many)
	// numpy.percentile(arange(1000)/1000, [0, 50, 100]) = 0, 0.4995, 0.999
	if d.Values != nil || d.Count != 1000 || d.Quantiles[0] != 0 || math.Abs(d.Quantiles[50]-0.4995) > 1e-12 || d.Quantiles[100] != 0.999 || many[0] != 0.999 {
		t.Errorf("many scores: values %v, quantiles %v, %v, %v (input sorted in place: %v)", d.Values, d.Quantiles[0], d.Quantiles[50], d.Quantiles[100], many[0] != 0.999)
	}
	b := buildBundle(t, testFrame(300, 3), models.RandomForest{Config: models.ForestConfig{NTrees: 5}})
	back, err := Load(writeBundle(t, b))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Model.Scores, b.Model.Scores) || back.Model.Scores.Count != 300 {
		t.Errorf("scores after load: %+v", back.Model.Scores)
	}
}
