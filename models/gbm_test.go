package models

import (
	"math"
	"math/rand/v2"
	"slices"
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

// TestHeldOutRows checks which rows early stopping holds out: ⌈fraction·n⌉
// rows (scikit-learn's train_test_split count), taken from the latest term
// first and from earlier terms only when the later ones are too small,
// stratified by label where drawn at random, and the same for the same rng
// state. The expected counts follow from the rule by hand.
func TestHeldOutRows(t *testing.T) {
	// 3000 rows: rows with i%10 < 3 in 2014B (900 rows), i%10 == 3 in
	// 2013J (300 rows), the rest in 2013B (1800); label 1 in every fourth
	// block of ten rows ((i/10)%4 == 0), so a quarter of each term is
	// positive (225, 75 and 450 rows).
	n := 3000
	terms := make([]string, n)
	y := make([]uint8, n)
	for i := range terms {
		switch {
		case i%10 < 3:
			terms[i] = "2014B"
		case i%10 == 3:
			terms[i] = "2013J"
		default:
			terms[i] = "2013B"
		}
		if (i/10)%4 == 0 {
			y[i] = 1
		}
	}
	cases := []struct {
		name     string
		terms    []string
		fraction float64
		// wantByTerm is the number of held-out rows of each term;
		// wantPos the held-out positives.
		wantByTerm map[string]int
		wantPos    int
		wantHow    string
	}{
		{"subset of the latest term", terms, 0.1, map[string]int{"2014B": 300}, 75,
			`a random 300 of the 900 of term "2014B", stratified by label`},
		// 0.35·3000 = 1050: all 900 of 2014B, then 150 of 2013J with
		// round(150·75/300) = round(37.5) = 38 positives.
		{"latest term too small", terms, 0.35, map[string]int{"2014B": 900, "2013J": 150}, 225 + 38,
			`all 900 of term "2014B"; a random 150 of the 300 of term "2013J", stratified by label`},
		// 0.4·3000 = 1200: 2014B and 2013J whole, nothing drawn.
		{"two whole terms", terms, 0.4, map[string]int{"2014B": 900, "2013J": 300}, 225 + 75,
			`all 900 of term "2014B"; all 300 of term "2013J"`},
		// ⌈0.15·3000⌉ = 450 rows, round(450·750/3000) = round(112.5) =
		// 113 positive, from any term.
		{"no terms", nil, 0.15, nil, 113,
			"a random 0.15 of the rows, stratified by label"},
		{"one term", make([]string, n), 0.1, nil, 75, "a random 0.1 of the rows, stratified by label"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			train := TrainingSet{Rows: Rows{Terms: tc.terms}, Y: y}
			fit, val, how := heldOutRows(train, tc.fraction, rand.New(rand.NewPCG(3, 5)))
			if want := int(math.Ceil(tc.fraction * float64(n))); len(val) != want || len(fit)+len(val) != n {
				t.Fatalf("%d held out and %d kept, want %d held out of %d", len(val), len(fit), want, n)
			}
			if !strings.Contains(how, tc.wantHow) {
				t.Errorf("how %q, want it to contain %q", how, tc.wantHow)
			}
			byTerm := map[string]int{}
			pos := 0
			for _, r := range val {
				byTerm[terms[r]]++
				pos += int(y[r])
			}
			if tc.wantByTerm != nil {
				for term, c := range byTerm {
					if c != tc.wantByTerm[term] {
						t.Errorf("term %s: %d rows held out, want %d (all: %v)", term, c, tc.wantByTerm[term], byTerm)
					}
				}
			}
			if pos != tc.wantPos {
				t.Errorf("%d positives held out, want %d", pos, tc.wantPos)
			}
			fit2, val2, _ := heldOutRows(train, tc.fraction, rand.New(rand.NewPCG(3, 5)))
			if !slices.Equal(fit, fit2) || !slices.Equal(val, val2) {
				t.Errorf("a second split with the same rng state differs")
			}
			seen := make([]bool, n)
			for _, r := range append(append([]int32(nil), fit...), val...) {
				if seen[r] {
					t.Fatalf("row %d both kept and held out", r)
				}
				seen[r] = true
			}
		})
	}
}

// TestGBMEarlyStopping checks that training stops on noise with the
// held-out rows from the latest term, and that "auto" is off for 10,000
// rows or fewer.
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
	if !strings.Contains(s.Notes[0], `300 held-out rows (0.1 of the rows from the latest terms: a random 300 of the 900 of term "2014B"`) {
		t.Errorf("notes %q, want 300 of the 900 rows of term 2014B held out", s.Notes)
	}
	if s.Iterations >= 200 || !strings.HasPrefix(s.Notes[1], "stopped after") {
		t.Errorf("noise labels: %d iterations, notes %q; want an early stop", s.Iterations, s.Notes)
	}

	train.Terms = nil
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

// TestHistogramsAreRowOrderSums: boosting's histograms (four features per
// pass; the root read without a gathered copy, its counts kept from the
// first iteration) are each bin's sums in row order to the bit, for the
// root at two iterations and for a node's rows, with one and two workers,
// on binary, small-count, binned continuous and missing values.
func TestHistogramsAreRowOrderSums(t *testing.T) {
	train := interactionData(rand.New(rand.NewPCG(3, 4)), 5000, 13)
	for i := 0; i < 5000; i += 7 {
		train.X.Data[i*13+6] = math.NaN() // column 6 has missing values
	}
	bm := fitBinMapper(train.X, nil, 255, nil)
	bins := bm.transform(train.X, nil)
	compactMissingBins(bins, bm)
	hasMissing := make([]bool, len(bins))
	hasMissing[6] = true
	rng := rand.New(rand.NewPCG(5, 6))
	grad := make([]float32, train.X.Rows)
	hess := make([]float32, train.X.Rows)
	every := make([]int32, train.X.Rows)
	for i := range every {
		every[i] = int32(i)
	}
	// The node's rows: every third row, shuffled.
	var node []int32
	for i := 0; i < len(every); i += 3 {
		node = append(node, int32(i))
	}
	rng.Shuffle(len(node), func(i, j int) { node[i], node[j] = node[j], node[i] })
	for _, workers := range []int{1, 2} {
		g := newGBMGrower(bins, bm, hasMissing, GBMConfig{Workers: workers})
		for _, rows := range [][]int32{every, node, every} {
			for i := range grad {
				grad[i] = float32(rng.NormFloat64())
				hess[i] = float32(rng.Float64() / 4)
			}
			grad[3] = 0 // a zero gradient among the others
			want := make([]histBin, g.offset[len(bins)])
			for f, col := range bins {
				h := want[g.offset[f]:g.offset[f+1]]
				for _, r := range rows {
					h[col[r]].g += float64(grad[r])
					h[col[r]].h += float64(hess[r])
					h[col[r]].n++
				}
			}
			copy(g.part, rows)
			got := g.getHist()
			g.buildHist(got, 0, len(rows), grad, hess, len(rows) == len(g.part))
			if !slices.Equal(got, want) {
				t.Fatalf("workers %d, %d rows: the histogram differs from the row-order sums", workers, len(rows))
			}
			g.putHist(got)
		}
	}
}
