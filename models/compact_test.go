package models

import (
	"math"
	"math/rand/v2"
	"testing"
)

// referenceRaw is the raw score the tree-by-tree block prediction must
// reproduce to the bit: each row walks every source tree (leafFor) and the
// leaf values are added in tree order.
func referenceRaw(e *treeEnsemble, x []float64) float64 {
	var s float64
	for _, t := range e.trees {
		s += t[leafFor(t, x)].value
	}
	return e.init + e.scale*s
}

// TestCompactPredictionIsExact: forests, boosting (with missing values
// routed by each split's learned direction) and single trees predict
// exactly what walking the fitted nodes row by row gives, for row counts
// that do and do not fill whole blocks.
func TestCompactPredictionIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	train := interactionData(rng, 800, 8)
	withNaN := interactionData(rng, 800, 8)
	for i := range withNaN.X.Data {
		if i%7 == 3 {
			withNaN.X.Data[i] = math.NaN()
		}
	}
	for _, tc := range []struct {
		name  string
		m     Model
		train TrainingSet
	}{
		{"random_forest", RandomForest{Config: ForestConfig{NTrees: 15, MinSamplesLeaf: 2}}, train},
		{"gbm with NaN", GBM{Config: GBMConfig{MaxIter: 25, LearningRate: 0.2}}, withNaN},
		{"tree", Tree{Config: TreeConfig{MaxDepth: 8}}, train},
	} {
		f, err := tc.m.Fit(ctx, tc.train, rand.New(rand.NewPCG(3, 99)))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{1, predictBlock, 3*predictBlock + 17, 1000} {
			test := interactionData(rng, n, 8)
			if tc.name == "gbm with NaN" {
				for i := range test.X.Data {
					if i%5 == 1 {
						test.X.Data[i] = math.NaN()
					}
				}
			}
			p, err := f.Predict(ctx, test.Rows)
			if err != nil {
				t.Fatal(err)
			}
			var e *treeEnsemble
			switch f := f.(type) {
			case *FittedForest:
				e = f.treeEnsemble
			case *FittedGBM:
				e = f.treeEnsemble
			case *FittedTree:
				e = f.treeEnsemble
			}
			for i := 0; i < n; i++ {
				want := referenceRaw(e, test.X.Row(i))
				if e.logOdds {
					want = sigmoid(want)
				}
				if math.Float64bits(p[i]) != math.Float64bits(want) {
					t.Fatalf("%s, %d rows: row %d predicted %v, walking the nodes gives %v", tc.name, n, i, p[i], want)
				}
			}
		}
	}
}

// TestColumnRescorerMatchesPredict: for a forest and for boosting with
// missing values, rescoring rows with one column replaced gives Predict's
// scores on the modified matrix to the bit, for every column; values the
// model cannot take are refused.
func TestColumnRescorerMatchesPredict(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	train := interactionData(rng, 1200, 8)
	for i := range train.X.Data {
		if i%11 == 4 {
			train.X.Data[i] = math.NaN()
		}
	}
	clean := interactionData(rng, 1200, 8)
	for _, tc := range []struct {
		name  string
		m     Model
		train TrainingSet
	}{
		{"random_forest", RandomForest{Config: ForestConfig{NTrees: 12, MinSamplesLeaf: 3}}, clean},
		{"gbm with NaN", GBM{Config: GBMConfig{MaxIter: 20, LearningRate: 0.2}}, train},
	} {
		test := interactionData(rng, 300, 8)
		_, f := fitPredict(t, tc.m, tc.train, test.Rows, 4)
		rs, ok, err := f.(ColumnRescorer).ColumnRescorer(ctx, test.Rows)
		if err != nil || !ok {
			t.Fatalf("%s: rescorer %v, %v", tc.name, ok, err)
		}
		col := make([]float64, test.X.Rows)
		got := make([]float64, test.X.Rows)
		for j := 0; j < test.X.Cols; j++ {
			mod := &Matrix{Rows: test.X.Rows, Cols: test.X.Cols, Names: test.X.Names, Data: append([]float64(nil), test.X.Data...)}
			for i := range col {
				col[i] = test.X.At(rng.IntN(test.X.Rows), j)
				if tc.name == "gbm with NaN" && i%9 == 0 {
					col[i] = math.NaN()
				}
				mod.Data[i*mod.Cols+j] = col[i]
			}
			want, err := f.Predict(ctx, Rows{X: mod})
			if err != nil {
				t.Fatal(err)
			}
			if err := rs(j, col, got); err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("%s: column %d, row %d: rescored %v, Predict %v", tc.name, j, i, got[i], want[i])
				}
			}
		}
		col[0] = math.Inf(1)
		if err := rs(0, col, got); err == nil {
			t.Errorf("%s: an infinite value was rescored", tc.name)
		}
		col[0] = math.NaN()
		if err := rs(0, col, got); (err == nil) != (tc.name == "gbm with NaN") {
			t.Errorf("%s: NaN rescored: error %v (only gbm takes missing values)", tc.name, err)
		}
		if err := rs(test.X.Cols, col, got); err == nil {
			t.Errorf("%s: column out of range rescored", tc.name)
		}
	}
}

// TestExplainSharedDecisionsIsExact: boosting's TreeSHAP values, computed
// once per pattern of decisions and replayed for rows sharing it, equal
// the values of explaining every row through every tree, to the bit; rows
// repeat (as students with the same features do) and include missing
// values.
func TestExplainSharedDecisionsIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	train := interactionData(rng, 600, 8)
	for i := range train.X.Data {
		if i%13 == 2 {
			train.X.Data[i] = math.NaN()
		}
	}
	test := interactionData(rng, 400, 8)
	for i := range test.X.Data {
		switch {
		case i%17 == 5:
			test.X.Data[i] = math.NaN()
		case i >= 200*8: // the second half repeats the first
			test.X.Data[i] = test.X.Data[i-200*8]
		}
	}
	_, f := fitPredict(t, GBM{Config: GBMConfig{MaxIter: 12, LearningRate: 0.3}}, train, test.Rows, 6)
	e := f.(*FittedGBM).treeEnsemble
	got, _, err := e.Explain(ctx, test.Rows)
	if err != nil {
		t.Fatal(err)
	}
	shared := 0
	for i := 0; i < test.X.Rows; i++ {
		want := make([]float64, test.X.Cols)
		for _, nodes := range e.trees {
			newFastTreeSHAP(nodes, test.X.Cols).add(test.X.Row(i), want, e.scale)
		}
		for j := range want {
			if math.Float64bits(got[i][j]) != math.Float64bits(want[j]) {
				t.Fatalf("row %d feature %d: %v, explaining the row alone %v", i, j, got[i][j], want[j])
			}
		}
		if i >= 200 {
			shared++
		}
	}
	if len(internalNodes(e.trees[0])) > 64 || shared == 0 {
		t.Fatal("the test does not exercise shared decisions")
	}
}
