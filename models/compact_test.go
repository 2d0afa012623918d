package models

import (
	"fmt"
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
		block := blockRows(8)
		for _, n := range []int{1, predictBlock, 1000, block, 2*block + 17} {
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
			e := ensembleOf(f)
			if e.binnedTrees(8) == nil {
				t.Fatalf("%s: not predicted by rank", tc.name)
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

// TestRankPredictionAtThresholds: prediction by rank (binnedTrees) gives
// exactly what comparing values gives for values equal to a threshold,
// just above or below one, below and above them all, and −0 and +0, for a
// forest and for boosting (which takes missing values: blocks with and
// without them are stepped differently).
func TestRankPredictionAtThresholds(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	train := interactionData(rng, 1500, 8)
	for i := range train.X.Data {
		if i%9 == 0 {
			train.X.Data[i] = 0
		}
	}
	for _, tc := range []struct {
		name    string
		m       Model
		missing bool
	}{
		{"forest", RandomForest{Config: ForestConfig{NTrees: 20, MinSamplesLeaf: 2, MaxBins: -1}}, false},
		{"gbm", GBM{Config: GBMConfig{MaxIter: 30, LearningRate: 0.2}}, false},
		{"gbm with missing values", GBM{Config: GBMConfig{MaxIter: 30, LearningRate: 0.2}}, true},
	} {
		f, err := tc.m.Fit(ctx, train, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		e := ensembleOf(f)
		b := e.binnedTrees(8)
		if b == nil {
			t.Fatalf("%s: not predicted by rank", tc.name)
		}
		test := &Matrix{Rows: 3000, Cols: 8, Data: make([]float64, 3000*8), Names: train.X.Names}
		for i := range test.Data {
			ts := b.thresholds[i%8]
			if len(ts) == 0 {
				continue
			}
			v := ts[rng.IntN(len(ts))]
			switch rng.IntN(7) {
			case 0:
				v = math.Nextafter(v, math.Inf(1))
			case 1:
				v = math.Nextafter(v, math.Inf(-1))
			case 2:
				v = ts[0] - 1
			case 3:
				v = ts[len(ts)-1] + 1
			case 4:
				v = math.Copysign(0, -1)
			}
			test.Data[i] = v
		}
		if tc.missing {
			for i := 0; i < 300; i++ {
				test.Data[rng.IntN(len(test.Data))] = math.NaN()
			}
		}
		p, err := f.Predict(ctx, Rows{X: test})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < test.Rows; i++ {
			want := referenceRaw(e, test.Row(i))
			if e.logOdds {
				want = sigmoid(want)
			}
			if math.Float64bits(p[i]) != math.Float64bits(want) {
				t.Fatalf("%s: row %d %v: predicted %v, walking the nodes gives %v", tc.name, i, test.Row(i), p[i], want)
			}
		}
	}
}

// TestPredictByValueWithManyThresholds: a column with more distinct
// thresholds than ranks can number is predicted by value, exactly.
func TestPredictByValueWithManyThresholds(t *testing.T) {
	// A balanced tree over maxBinnedThresholds+10 thresholds of column 0.
	n := maxBinnedThresholds + 10
	var nodes []treeNode
	var grow func(lo, hi int) int32
	grow = func(lo, hi int) int32 {
		k := int32(len(nodes))
		nodes = append(nodes, treeNode{left: -1, right: -1, feature: -1})
		if hi-lo < 1 {
			nodes[k].value = float64(lo) / 7
			return k
		}
		mid := (lo + hi) / 2
		l := grow(lo, mid)
		r := grow(mid+1, hi)
		nodes[k] = treeNode{left: l, right: r, feature: 0, threshold: float64(mid) + 0.5, missingLeft: mid%2 == 0}
		return k
	}
	grow(0, n)
	e := newTreeEnsemble("gbm", []string{"a", "b"}, [][]treeNode{nodes, nodes}, 0.5, 0.25, false, true)
	if e.binnedTrees(2) != nil {
		t.Fatal("predicted by rank")
	}
	rng := rand.New(rand.NewPCG(13, 13))
	x := &Matrix{Rows: 700, Cols: 2, Data: make([]float64, 1400), Names: []string{"a", "b"}}
	for i := range x.Data {
		x.Data[i] = float64(rng.IntN(n+4)) - 2 + []float64{0, 0.5, 0.25}[rng.IntN(3)]
		if i%13 == 0 {
			x.Data[i] = math.NaN()
		}
	}
	p, err := e.Predict(ctx, Rows{X: x})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < x.Rows; i++ {
		if want := referenceRaw(e, x.Row(i)); math.Float64bits(p[i]) != math.Float64bits(want) {
			t.Fatalf("row %d: predicted %v, walking the nodes gives %v", i, p[i], want)
		}
	}
}

// TestColumnRescorerMatchesPredict: for a forest and for boosting with
// missing values, rescoring rows with one column replaced gives Predict's
// scores on the modified matrix to the bit, for every column and for the
// same column rescored again with other values (thresholds among them);
// values the model cannot take are refused.
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
		if tc.name == "gbm with NaN" {
			for i := range test.X.Data {
				if i%13 == 3 {
					test.X.Data[i] = math.NaN()
				}
			}
		}
		_, f := fitPredict(t, tc.m, tc.train, test.Rows, 4)
		e := ensembleOf(f)
		if e.binnedTrees(test.X.Cols) == nil {
			t.Fatalf("%s: not laid out by rank", tc.name)
		}
		// By rank (what ColumnRescorer uses), and by value (what it
		// uses when a column has too many thresholds for ranks).
		for _, byRank := range []bool{true, false} {
			name := fmt.Sprintf("%s by rank %v", tc.name, byRank)
			rs, ok, err := f.(ColumnRescorer).ColumnRescorer(ctx, test.Rows)
			if !byRank {
				rs, ok, err = e.columnRescorer(ctx, test.Rows, false)
			}
			if err != nil || !ok {
				t.Fatalf("%s: rescorer %v, %v", name, ok, err)
			}
			col := make([]float64, test.X.Rows)
			got := make([]float64, test.X.Rows)
			// Each column several times in a row (as permutation importance
			// rescores it repeat after repeat), then the first column again;
			// the values are the column's own (many keep the row's path), NaN
			// (gbm) and, in the third round, the model's split thresholds
			// themselves and their neighbours.
			thresholds := make([][]float64, test.X.Cols)
			for _, tree := range e.compactTrees() {
				for _, n := range tree {
					if n.feature >= 0 && !math.IsInf(n.threshold, 0) {
						j := n.feature &^ missingRightBit
						thresholds[j] = append(thresholds[j], n.threshold)
					}
				}
			}
			var order []int
			for j := range test.X.Cols {
				order = append(order, j)
			}
			for _, j := range append(order, 0) {
				for round := range 3 {
					mod := &Matrix{Rows: test.X.Rows, Cols: test.X.Cols, Names: test.X.Names, Data: append([]float64(nil), test.X.Data...)}
					for i := range col {
						col[i] = test.X.At(rng.IntN(test.X.Rows), j)
						if ts := thresholds[j]; round == 2 && len(ts) > 0 && i%2 == 0 {
							col[i] = ts[rng.IntN(len(ts))]
							if up := math.Nextafter(col[i], math.Inf(1)); i%4 == 0 && !math.IsInf(up, 0) {
								col[i] = up
							}
						}
						if tc.name == "gbm with NaN" && (i+round)%9 == 0 {
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
							t.Fatalf("%s: column %d round %d, row %d: rescored %v, Predict %v", name, j, round, i, got[i], want[i])
						}
					}
				}
			}
			col[0] = math.Inf(1)
			if err := rs(0, col, got); err == nil {
				t.Errorf("%s: an infinite value was rescored", name)
			}
			col[0] = math.NaN()
			if err := rs(0, col, got); (err == nil) != (tc.name == "gbm with NaN") {
				t.Errorf("%s: NaN rescored: error %v (only gbm takes missing values)", name, err)
			}
			if err := rs(test.X.Cols, col, got); err == nil {
				t.Errorf("%s: column out of range rescored", name)
			}
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
