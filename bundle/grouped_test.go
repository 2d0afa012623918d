package bundle

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/evalrun/evalrun/features"
	"github.com/evalrun/evalrun/models"
)

// TestMixedLogisticBundle: a random-intercept model (groups: region) saved
// and loaded back scores current rows bit for bit as fitted, adds each
// known region's conditional mode, scores an unseen region at the
// population level and flags it as unseen.
func TestMixedLogisticBundle(t *testing.T) {
	f := testFrame(400, 1)
	current := testFrame(150, 2)
	current.Categorical[0].Values[3] = "West" // a region training never saw
	rows := make([]int, f.Len())
	for i := range rows {
		rows[i] = i
	}
	spec := features.Spec{Numeric: []string{"clicks", "late"}}
	enc, err := features.Fit(f, rows, spec)
	if err != nil {
		t.Fatal(err)
	}
	x, kept, _, err := enc.Transform(f, rows)
	if err != nil {
		t.Fatal(err)
	}
	y := make([]uint8, len(kept))
	groups := make([]string, len(kept))
	for j, i := range kept {
		y[j], groups[j] = f.Labels[i], f.Categorical[0].Values[i]
	}
	m := models.MixedLogistic{Config: models.MixedLogisticConfig{GroupColumn: "region"}}
	fitted, err := m.Fit(context.Background(), models.TrainingSet{Rows: models.Rows{X: x, Groups: groups}, Y: y}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	params, err := fitted.(models.Persistent).MarshalFitted()
	if err != nil {
		t.Fatal(err)
	}
	schema, err := DescribeFeatures(f, rows, spec.Numeric, nil)
	if err != nil {
		t.Fatal(err)
	}
	scores, err := fitted.Predict(context.Background(), models.Rows{X: x, Groups: groups})
	if err != nil {
		t.Fatal(err)
	}
	hi := 0.6
	day := 28
	model := Model{FormatVersion: FormatVersion, Name: "mixed", Kind: params.Kind, Experiment: "test",
		Dataset:   Dataset{Name: "t", Kind: "csv", Numeric: spec.Numeric},
		CutoffDay: &day, Outcome: Outcome{Positive: []string{"Fail"}, Description: "failing"},
		Training: Training{Terms: []string{"2013J"}, Rows: len(y), Summary: fitted.Summary()},
		Encoder:  enc.Describe(), Schema: schema, Scores: DescribeScores(scores), Fitted: params,
		Threshold: Threshold{Policy: "value(0.6)", Score: hi, ResolvedOn: "fixed"},
		Bands:     []Band{{Name: "high", MinScore: &hi}, {Name: "low"}},
		Reasons:   2}
	b, err := New(model, NewModelCard(CardInput{Model: &model, Date: "2026-12-06", Version: "test"}))
	if err != nil {
		t.Fatal(err)
	}
	back, err := Load(writeBundle(t, b))
	if err != nil {
		t.Fatal(err)
	}
	all := make([]int, current.Len())
	for i := range all {
		all[i] = i
	}
	got, err := back.Apply(context.Background(), current, all, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The fitted model on the same encoded rows with their regions.
	cx, ckept, _, err := enc.Transform(current, all)
	if err != nil {
		t.Fatal(err)
	}
	cg := make([]string, len(ckept))
	for j, i := range ckept {
		cg[j] = current.Categorical[0].Values[i]
	}
	want, err := fitted.Predict(context.Background(), models.Rows{X: cx, Groups: cg})
	if err != nil {
		t.Fatal(err)
	}
	s := fitted.Summary()
	for k, i := range got.Rows {
		if math.Float64bits(want[k]) != math.Float64bits(got.Scores[k]) {
			t.Fatalf("row %d: bundle scores %v, fitted model %v", k, got.Scores[k], want[k])
		}
		unseen := false
		for _, u := range got.Flags[k].Unseen {
			unseen = unseen || (u.Feature == "region" && u.Level == "West")
		}
		if unseen != (current.Categorical[0].Values[i] == "West") {
			t.Errorf("row %d (region %s): unseen flag %v", k, current.Categorical[0].Values[i], unseen)
		}
		if unseen {
			eta := *s.Intercept + s.Coefficients["clicks"]*cx.At(k, 0) + s.Coefficients["late"]*cx.At(k, 1)
			if p := 1 / (1 + math.Exp(-eta)); math.Abs(p-got.Scores[k]) > 1e-12 {
				t.Errorf("unseen region: score %v, population level %v", got.Scores[k], p)
			}
		}
	}
	noRegion := testFrame(10, 3)
	noRegion.Categorical = nil
	if err := back.CheckColumns(noRegion); err == nil {
		t.Error("a frame without the grouping column: want a MissingColumnError")
	}
}
