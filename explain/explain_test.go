package explain

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/evalrun/evalrun/models"
)

// scoreFirst scores each row by its first column: only that column matters.
type scoreFirst struct{}

func (scoreFirst) Predict(_ context.Context, rows models.Rows) ([]float64, error) {
	out := make([]float64, rows.X.Rows)
	for i := range out {
		out[i] = rows.X.At(i, 0)
	}
	return out, nil
}
func (scoreFirst) Summary() models.Summary { return models.Summary{Kind: "test"} }

func TestPermutationImportance(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 400
	x := &models.Matrix{Rows: n, Cols: 2, Names: []string{"signal", "noise"}, Data: make([]float64, 2*n)}
	y := make([]uint8, n)
	for i := 0; i < n; i++ {
		y[i] = uint8(i % 2)
		x.Data[2*i] = float64(y[i]) + r.NormFloat64()*0.5
		x.Data[2*i+1] = r.NormFloat64()
	}
	before := append([]float64(nil), x.Data...)
	imp, err := PermutationImportance(context.Background(), scoreFirst{}, models.Rows{X: x}, y, 5, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	if imp[0].Feature != "signal" || imp[0].Mean < 0.2 || imp[1].Mean != 0 || imp[1].SD != 0 {
		t.Errorf("importances %+v: want signal first with a large drop and noise exactly 0 (the model ignores it)", imp)
	}
	for i := range before {
		if x.Data[i] != before[i] {
			t.Fatal("PermutationImportance modified its input rows")
		}
	}
	again, _ := PermutationImportance(context.Background(), scoreFirst{}, models.Rows{X: x}, y, 5, rand.New(rand.NewPCG(3, 4)))
	if again[0] != imp[0] {
		t.Errorf("same seed, different result: %+v vs %+v", again[0], imp[0])
	}
	if _, err := PermutationImportance(context.Background(), scoreFirst{}, models.Rows{X: x}, y, 0, r); err == nil {
		t.Error("repeats = 0 accepted")
	}
}

func TestTopReasons(t *testing.T) {
	x := &models.Matrix{Rows: 2, Cols: 4, Names: []string{"a", "b", "c", "d"}, Data: []float64{1, 2, 3, 4, 5, 6, 7, 8}}
	contrib := [][]float64{{0.1, 0.5, -0.2, 0.3}, {-1, -2, 0.4, 0}}
	got := TopReasons(contrib, x, 3)
	want := [][]Reason{
		{{Feature: "b", Value: 2, Contribution: 0.5}, {Feature: "d", Value: 4, Contribution: 0.3}, {Feature: "a", Value: 1, Contribution: 0.1}},
		{{Feature: "c", Value: 7, Contribution: 0.4}},
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("row %d: %+v, want %+v", i, got[i], want[i])
		}
		for k := range want[i] {
			if got[i][k] != want[i][k] {
				t.Errorf("row %d reason %d: %+v, want %+v", i, k, got[i][k], want[i][k])
			}
		}
	}
}

// predictOnly hides every method of a fitted model but Predict and Summary,
// so PermutationImportance scores whole shuffled matrices.
type predictOnly struct{ f models.Fitted }

func (p predictOnly) Predict(ctx context.Context, rows models.Rows) ([]float64, error) {
	return p.f.Predict(ctx, rows)
}
func (p predictOnly) Summary() models.Summary { return p.f.Summary() }

// TestPermutationImportanceRescoringIsExact: with a forest, rescoring only
// the trees whose path tests the shuffled column gives exactly the
// importances of scoring every shuffled matrix with Predict.
func TestPermutationImportanceRescoringIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	n, d := 600, 5
	x := &models.Matrix{Rows: n, Cols: d, Names: []string{"a", "b", "c", "d", "e"}, Data: make([]float64, n*d)}
	y := make([]uint8, n)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			x.Data[i*d+j] = r.NormFloat64()
		}
		if x.Data[i*d]+0.5*x.Data[i*d+1]+r.NormFloat64() > 0 {
			y[i] = 1
		}
	}
	rows := models.Rows{X: x}
	fitted, err := models.RandomForest{Config: models.ForestConfig{NTrees: 20, MinSamplesLeaf: 5}}.Fit(context.Background(), models.TrainingSet{Rows: rows, Y: y}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := fitted.(models.ColumnRescorer); !ok {
		t.Fatal("a fitted forest does not rescore columns")
	}
	fast, err := PermutationImportance(context.Background(), fitted, rows, y, 3, rand.New(rand.NewPCG(7, 7)))
	if err != nil {
		t.Fatal(err)
	}
	slow, err := PermutationImportance(context.Background(), predictOnly{fitted}, rows, y, 3, rand.New(rand.NewPCG(7, 7)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range slow {
		if fast[i] != slow[i] {
			t.Errorf("importance %d: rescoring %+v, Predict %+v", i, fast[i], slow[i])
		}
	}
	if slow[0].Feature != "a" || slow[0].Mean <= 0 {
		t.Errorf("importances %+v: want a first with a positive drop", slow)
	}
}

func TestTrainingRangesAndOutside(t *testing.T) {
	x := &models.Matrix{Rows: 4, Cols: 2, Names: []string{"clicks", "missed"}, Data: []float64{0, 1, 4, 0, 8, 2, 12, math.NaN()}}
	ranges := TrainingRanges(x)
	// clicks 0, 4, 8, 12: mean 6, sample SD sqrt(80/3); missed 1, 0, 2.
	want := []Range{{Min: 0, Max: 12, Mean: 6, SD: math.Sqrt(80.0 / 3)}, {Min: 0, Max: 2, Mean: 1, SD: 1}}
	for j := range want {
		if g, w := ranges[j], want[j]; g.Min != w.Min || g.Max != w.Max || math.Abs(g.Mean-w.Mean) > 1e-12 || math.Abs(g.SD-w.SD) > 1e-12 {
			t.Errorf("column %d: %+v, want %+v", j, g, w)
		}
	}
	reasons := [][]Reason{{{Feature: "clicks", Value: 36, Contribution: 5.8}, {Feature: "missed", Value: 2, Contribution: 0.4}}, {{Feature: "clicks", Value: -1}, {Feature: "other", Value: 99}}}
	MarkOutsideTraining(reasons, x.Names, ranges)
	if r := reasons[0][0].OutsideTraining; r == nil || r.Max != 12 {
		t.Errorf("36 clicks against a training range 0 to 12 not marked: %+v", r)
	} else if sd := r.SDsFromMean(36); math.Abs(sd-30/math.Sqrt(80.0/3)) > 1e-12 {
		t.Errorf("SDs from the mean %g", sd)
	}
	if reasons[0][1].OutsideTraining != nil {
		t.Error("2 missed, the training maximum, marked as outside")
	}
	if reasons[1][0].OutsideTraining == nil || reasons[1][1].OutsideTraining != nil {
		t.Errorf("below the minimum must be marked, an unknown column not: %+v", reasons[1])
	}
}
