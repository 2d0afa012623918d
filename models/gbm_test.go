package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestShouldStopEarly: scikit-learn's rule with patience 3 and tol 0.01:
// stop when none of the last 3 scores beats the one before them by > 0.01.
func TestShouldStopEarly(t *testing.T) {
	cases := []struct {
		scores []float64
		want   bool
	}{
		{[]float64{-1, -0.9, -0.8}, false},             // fewer than patience+1 scores
		{[]float64{-1, -0.9, -0.8, -0.7}, false},       // improving
		{[]float64{-1, -1, -1, -1}, true},              // flat
		{[]float64{-1, -1.2, -1.1, -0.995}, true},      // best gain 0.005 <= tol
		{[]float64{-1, -1.2, -1.1, -0.98}, false},      // gain 0.02 > tol
		{[]float64{-0.5, -1, -0.9, -0.8, -0.7}, false}, // reference is the 4th-last score
	}
	for i, tc := range cases {
		if got := shouldStopEarly(tc.scores, 3, 0.01); got != tc.want {
			t.Errorf("case %d %v: stop %v, want %v", i, tc.scores, got, tc.want)
		}
	}
}

// noiseData has labels independent of the features, so held-out loss
// stops improving almost at once.
func noiseData(rng *rand.Rand, n, d int) TrainingSet {
	ts := interactionData(rng, n, d)
	for i := range ts.Y {
		ts.Y[i] = uint8(rng.IntN(2))
	}
	return ts
}

// TestGBMEarlyStopping checks which rows are held out (the latest term when
// rows carry terms; a stratified random fraction otherwise), that training
// stops on noise, and that "auto" is off for 10,000 rows or fewer.
func TestGBMEarlyStopping(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 7))
	train := noiseData(rng, 3000, 8)
	train.Terms = make([]string, 3000)
	for i := range train.Terms {
		train.Terms[i] = "2013J"
		if i%10 < 3 {
			train.Terms[i] = "2014B"
		}
	}
	f, err := GBM{Config: GBMConfig{MaxIter: 200, EarlyStopping: "on"}}.Fit(ctx, train, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	s := f.Summary()
	if !strings.Contains(s.Notes[0], `900 held-out rows (the latest training term "2014B")`) {
		t.Errorf("notes %q, want the 900 rows of term 2014B held out", s.Notes)
	}
	if s.Iterations >= 200 || !strings.HasPrefix(s.Notes[1], "stopped after") {
		t.Errorf("noise labels: %d iterations, notes %q; want an early stop", s.Iterations, s.Notes)
	}

	train.Terms = nil
	var n1 int
	for _, v := range train.Y {
		n1 += int(v)
	}
	f, err = GBM{Config: GBMConfig{MaxIter: 200, EarlyStopping: "on", ValidationFraction: 0.2}}.Fit(ctx, train, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	wantHeld := int(math.Round(0.2*float64(3000-n1)) + math.Round(0.2*float64(n1)))
	if note := f.Summary().Notes[0]; !strings.Contains(note, fmt.Sprintf("%d held-out rows (a random 0.2 of the rows", wantHeld)) {
		t.Errorf("note %q, want %d rows held out at random", note, wantHeld)
	}

	f, err = GBM{Config: GBMConfig{MaxIter: 15}}.Fit(ctx, train, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := f.Summary(); s.Iterations != 15 || strings.Contains(strings.Join(s.Notes, " "), "held-out") {
		t.Errorf("auto with 3000 rows: %d iterations, notes %q; want 15 and no early stopping", s.Iterations, s.Notes)
	}
}

// TestGBMMissingValues: when missingness itself carries the signal (label 1
// exactly when x0 is missing), a depth-1 gbm learns to send missing values
// to their own side and ranks perfectly; a feature never missing in
// training routes NaN at prediction to the child with more training rows.
func TestGBMMissingValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	n := 1000
	x := &Matrix{Rows: n, Cols: 2, Names: []string{"quiz", "clicks"}, Data: make([]float64, 2*n)}
	y := make([]uint8, n)
	for i := 0; i < n; i++ {
		x.Data[2*i] = rng.NormFloat64()
		x.Data[2*i+1] = rng.NormFloat64()
		if i%4 == 0 {
			x.Data[2*i] = math.NaN()
			y[i] = 1
		}
	}
	f, err := GBM{Config: GBMConfig{MaxIter: 20, MaxDepth: 1, MaxLeafNodes: -1}}.Fit(ctx, TrainingSet{Rows: Rows{X: x}, Y: y}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.Predict(ctx, Rows{X: x})
	if err != nil {
		t.Fatal(err)
	}
	if auc := aucOf(y, p); auc != 1 {
		t.Errorf("AUC %v, want 1 when missingness is the signal", auc)
	}
	for _, tr := range f.(*FittedGBM).trees {
		if root := tr[0]; !root.isLeaf() && (root.feature != 0 || !math.IsInf(root.threshold, 1) || root.missingLeft) {
			t.Fatalf("root split %+v, want a split of quiz sending non-missing left (threshold +Inf) and missing right", root)
		}
	}
}

// TestEnsembleErrors: invalid settings and input are errors naming the
// problem, never panics.
func TestEnsembleErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	good := interactionData(rng, 200, 8)
	withNaN := interactionData(rng, 200, 8)
	withNaN.X.Data[5] = math.NaN()
	withInf := interactionData(rng, 200, 8)
	withInf.X.Data[5] = math.Inf(-1)
	oneClass := interactionData(rng, 200, 8)
	clear(oneClass.Y)
	cases := []struct {
		name  string
		m     Model
		train TrainingSet
		msg   string
	}{
		{"tree criterion", Tree{Config: TreeConfig{Criterion: "mse"}}, good, "criterion"},
		{"tree min_samples_split 1", Tree{Config: TreeConfig{MinSamplesSplit: 1}}, good, "min_samples_split"},
		{"tree NaN", Tree{}, withNaN, "non-finite"},
		{"tree one class", Tree{}, oneClass, "one class"},
		{"forest max_features", RandomForest{Config: ForestConfig{MaxFeatures: "most"}}, good, "max_features"},
		{"forest max_features count", RandomForest{Config: ForestConfig{MaxFeatures: "9"}}, good, "max_features 9"},
		{"forest max_bins", RandomForest{Config: ForestConfig{MaxBins: 300}}, good, "max_bins"},
		{"forest class_weight", RandomForest{Config: ForestConfig{ClassWeight: "auto"}}, good, "class_weight"},
		{"forest NaN", RandomForest{}, withNaN, "non-finite"},
		{"gbm learning_rate", GBM{Config: GBMConfig{LearningRate: -1}}, good, "learning_rate"},
		{"gbm max_bins", GBM{Config: GBMConfig{MaxBins: 256}}, good, "max_bins"},
		{"gbm early_stopping", GBM{Config: GBMConfig{EarlyStopping: "yes"}}, good, "early_stopping"},
		{"gbm validation_fraction", GBM{Config: GBMConfig{ValidationFraction: 1}}, good, "validation_fraction"},
		{"gbm Inf", GBM{}, withInf, "non-finite"},
		{"gbm one class", GBM{}, oneClass, "one class"},
		{"gbm empty", GBM{}, TrainingSet{Rows: Rows{X: &Matrix{Cols: 2}}}, "empty"},
	}
	for _, tc := range cases {
		_, err := tc.m.Fit(ctx, tc.train, rng)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.msg)
		}
	}
	for _, m := range []Model{Tree{}, RandomForest{Config: ForestConfig{NTrees: 3}}, GBM{Config: GBMConfig{MaxIter: 3}}} {
		f, err := m.Fit(ctx, good, rng)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Predict(ctx, Rows{X: matrixFromRows([][]float64{{1, 2}})}); err == nil {
			t.Errorf("%s: Predict with 2 columns: no error", f.Summary().Kind)
		}
		if _, _, err := f.(Explainer).Explain(ctx, Rows{X: &Matrix{Rows: 1, Cols: 8, Data: make([]float64, 8), Names: []string{"a", "b", "c", "d", "e", "f", "g", "h"}}}); err == nil {
			t.Errorf("%s: Explain with other column names: no error", f.Summary().Kind)
		}
	}
}
