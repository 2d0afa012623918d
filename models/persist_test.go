package models

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// persistData draws rows with an interaction and a few missing values in
// column 2 (for gbm; the other kinds get the rows without NaN).
func persistData(n int, withNaN bool) TrainingSet {
	rng := rand.New(rand.NewPCG(7, 11))
	d := 4
	x := &Matrix{Rows: n, Cols: d, Data: make([]float64, n*d), Names: []string{"clicks", "late", "score", "credits"}}
	y := make([]uint8, n)
	for i := 0; i < n; i++ {
		r := x.Row(i)
		r[0], r[1], r[2], r[3] = rng.Float64()*10, float64(rng.IntN(4)), rng.NormFloat64(), 30*float64(1+rng.IntN(4))
		if withNaN && i%13 == 0 {
			r[2] = math.NaN()
		}
		eta := -0.5 - 0.3*r[0] + 0.8*r[1]
		if r[2] > 0 {
			eta += 0.7
		}
		if rng.Float64() < sigmoid(eta) {
			y[i] = 1
		}
	}
	return TrainingSet{Rows: Rows{X: x}, Y: y}
}

// TestPersistRoundTrip fits every model kind, writes its parameters to
// JSON and reads them back: the model read back is the same value and
// predicts, explains and summarizes bit for bit the same.
func TestPersistRoundTrip(t *testing.T) {
	ctx := context.Background()
	clean := persistData(300, false)
	missing := persistData(300, true)
	cases := []struct {
		name  string
		model Model
		train TrainingSet
	}{
		{"prior", Prior{}, clean},
		{"rule", Rule{Config: RuleConfig{Feature: "late", Direction: "lower"}}, clean},
		{"logistic", Logistic{Config: DefaultLogisticConfig()}, clean},
		{"logistic-newton-raw", Logistic{Config: LogisticConfig{C: 0.5, Solver: LogisticSolverNewton}}, clean},
		{"tree", Tree{Config: TreeConfig{MaxDepth: 5}}, clean},
		{"random_forest", RandomForest{Config: ForestConfig{NTrees: 15, MinSamplesLeaf: 3}}, clean},
		{"random_forest-exact", RandomForest{Config: ForestConfig{NTrees: 5, MaxBins: -1, ClassWeight: "balanced_subsample"}}, clean},
		{"gbm", GBM{Config: GBMConfig{MaxIter: 25, MaxLeafNodes: 8, MinSamplesLeaf: 5}}, missing},
		{"gbm-early", GBM{Config: GBMConfig{MaxIter: 60, EarlyStopping: "on", MinSamplesLeaf: 5}}, missing},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fitted, err := tc.model.Fit(ctx, tc.train, rand.New(rand.NewPCG(3, 4)))
			if err != nil {
				t.Fatal(err)
			}
			p, ok := fitted.(Persistent)
			if !ok {
				t.Fatalf("%T does not implement Persistent", fitted)
			}
			params, err := p.MarshalFitted()
			if err != nil {
				t.Fatal(err)
			}
			wire, err := json.Marshal(params)
			if err != nil {
				t.Fatal(err)
			}
			var back FittedParams
			if err := json.Unmarshal(wire, &back); err != nil {
				t.Fatal(err)
			}
			got, err := UnmarshalFitted(back)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Summary(), fitted.Summary()) {
				t.Errorf("Summary differs: %+v vs %+v", got.Summary(), fitted.Summary())
			}
			test := persistData(200, tc.name[:3] == "gbm")
			want, err := fitted.Predict(ctx, test.Rows)
			if err != nil {
				t.Fatal(err)
			}
			have, err := got.Predict(ctx, test.Rows)
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if math.Float64bits(want[i]) != math.Float64bits(have[i]) {
					t.Fatalf("row %d: score %v read back, %v fitted", i, have[i], want[i])
				}
			}
			if ex, ok := fitted.(Explainer); ok {
				c1, b1, err1 := ex.Explain(ctx, test.Rows)
				c2, b2, err2 := got.(Explainer).Explain(ctx, test.Rows)
				if err1 != nil || err2 != nil || !reflect.DeepEqual(c1, c2) || !reflect.DeepEqual(b1, b2) {
					t.Errorf("Explain differs after the round trip (errors %v, %v)", err1, err2)
				}
			}
			// Predictions and explanations above come from the fitted
			// model as grown; only then are the internal nodes' informative
			// values, which are not stored, cleared for the comparison.
			clearInternalValues(fitted)
			if !reflect.DeepEqual(got, fitted) {
				t.Errorf("model read back differs from the fitted one:\n got %+v\nwant %+v", got, fitted)
			}
			// Writing the model read back gives the same bytes.
			again, err := got.(Persistent).MarshalFitted()
			if err != nil {
				t.Fatal(err)
			}
			if string(again.Params) != string(params.Params) || !reflect.DeepEqual(again.Trees, params.Trees) {
				t.Error("marshalling the model read back gives other bytes")
			}
			if isTrees := treeKinds[params.Kind] != nil; isTrees != (params.Trees != nil) {
				t.Errorf("kind %s: trees %v, want them exactly for tree ensembles", params.Kind, params.Trees != nil)
			}
		})
	}
}

// ensembleOf returns the trees of a fitted tree, forest or boosting model,
// nil for other models.
func ensembleOf(f Fitted) *treeEnsemble {
	switch m := f.(type) {
	case *FittedTree:
		return m.treeEnsemble
	case *FittedForest:
		return m.treeEnsemble
	case *FittedGBM:
		return m.treeEnsemble
	}
	return nil
}

// clearInternalValues zeroes the values of internal tree nodes, which are
// informative only and not stored (TreeColumns), so that a model read back
// can be compared field by field with the fitted one.
func clearInternalValues(f Fitted) {
	e := ensembleOf(f)
	if e == nil {
		return
	}
	for _, t := range e.trees {
		for k := range t {
			if t[k].left >= 0 {
				t[k].value = 0
			}
		}
	}
}

// TestUnmarshalFittedErrors: malformed parameters are errors naming the
// field, never a panic or a model that predicts garbage.
func TestUnmarshalFittedErrors(t *testing.T) {
	ctx := context.Background()
	train := persistData(200, false)
	fitted, err := Tree{Config: TreeConfig{MaxDepth: 3}}.Fit(ctx, train, nil)
	if err != nil {
		t.Fatal(err)
	}
	good, _ := fitted.(Persistent).MarshalFitted()
	var tree map[string]any
	if err := json.Unmarshal(good.Params, &tree); err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(m map[string]any)) json.RawMessage {
		b, _ := json.Marshal(tree)
		var m map[string]any
		json.Unmarshal(b, &m)
		f(m)
		out, _ := json.Marshal(m)
		return out
	}
	// withTrees is good with its tree columns changed by f.
	withTrees := func(f func(tc *TreeColumns)) FittedParams {
		tc := *good.Trees
		f(&tc)
		return FittedParams{Kind: good.Kind, Params: good.Params, Trees: &tc}
	}
	deflated := func(raw ...byte) string {
		s, err := deflateBase64(raw)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	otherTree, _ := Tree{Config: TreeConfig{MaxDepth: 1}}.Fit(ctx, train, nil)
	small, _ := otherTree.(Persistent).MarshalFitted()
	internal := 0
	for _, n := range fitted.(*FittedTree).trees[0] {
		if n.left >= 0 {
			internal++
		}
	}
	cases := []struct {
		name string
		p    FittedParams
		want string
	}{
		{"unknown kind", FittedParams{Kind: "svm", Params: good.Params}, `unknown fitted model kind "svm"`},
		{"no params", FittedParams{Kind: "tree", Trees: good.Trees}, "no parameters"},
		{"no trees", FittedParams{Kind: "tree", Params: good.Params}, "tree: no trees"},
		{"trees of a logistic", FittedParams{Kind: "logistic", Params: good.Params, Trees: good.Trees}, "trees given to a model kind without trees"},
		{"not json", FittedParams{Kind: "tree", Params: json.RawMessage(`{"config": 3`), Trees: good.Trees}, "parameters"},
		{"encoding", withTrees(func(tc *TreeColumns) { tc.Encoding = "raw" }), "trees.encoding"},
		{"bad base64", withTrees(func(tc *TreeColumns) { tc.Threshold = "!!!" }), "trees.threshold"},
		{"column of another tree", withTrees(func(tc *TreeColumns) { tc.Value = small.Trees.Value }), "trees.value"},
		{"missing_left not 0 or 1", withTrees(func(tc *TreeColumns) {
			raw := make([]byte, internal)
			raw[0] = 2
			tc.MissingLeft = deflated(raw...)
		}), "trees.missing_left: tree 0 node 0: byte 2, want 0 or 1"},
		{"internal covers too few", withTrees(func(tc *TreeColumns) { tc.InternalCover = deflated(1, 0, 0, 0, 0, 0, 0, 0, 0x40, 0) }), "trees.internal_cover holds 1 entries, want one per internal node"},
		{"fewer columns", FittedParams{Kind: "tree", Params: mutate(func(m map[string]any) { m["columns"] = []string{"clicks"} }), Trees: good.Trees}, "out of range"},
		{"logistic lengths", FittedParams{Kind: "logistic", Params: json.RawMessage(`{"columns":["a","b"],"mean":[0],"sd":[1,1],"center":[0,0],"coefficients":[1,2],"intercept":0}`)}, "mean has 1 values for 2 columns"},
		{"logistic sd", FittedParams{Kind: "logistic", Params: json.RawMessage(`{"columns":["a"],"mean":[0],"sd":[0],"center":[0],"coefficients":[1],"intercept":0}`)}, "sd[0]"},
		{"rule feature", FittedParams{Kind: "rule", Params: json.RawMessage(`{"feature":"x","direction":"higher","columns":["a"]}`)}, `feature "x" is not one of the columns`},
		{"prior rate", FittedParams{Kind: "prior", Params: json.RawMessage(`{"rate":1.5,"n":3,"columns":[]}`)}, "rate 1.5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := UnmarshalFitted(tc.p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("UnmarshalFitted = %v, %v; want an error containing %q", f, err, tc.want)
			}
		})
	}
}

// TestTreeColumnsInternalCover: covers that count rows (boosting, an
// unweighted tree) are summed from the leaves on reading and not stored;
// class-weighted covers whose sums round differently are stored. Both read
// back bit for bit (TestPersistRoundTrip compares the models).
func TestTreeColumnsInternalCover(t *testing.T) {
	ctx := context.Background()
	clean := persistData(300, false)
	for _, tc := range []struct {
		name   string
		model  Model
		stored bool
	}{
		{"gbm", GBM{Config: GBMConfig{MaxIter: 5, MinSamplesLeaf: 5}}, false},
		{"tree", Tree{Config: TreeConfig{MaxDepth: 6}}, false},
		{"forest balanced", RandomForest{Config: ForestConfig{NTrees: 5, ClassWeight: "balanced_subsample"}}, true},
	} {
		fitted, err := tc.model.Fit(ctx, clean, rand.New(rand.NewPCG(3, 4)))
		if err != nil {
			t.Fatal(err)
		}
		p, err := fitted.(Persistent).MarshalFitted()
		if err != nil {
			t.Fatal(err)
		}
		if stored := p.Trees.InternalCover != ""; stored != tc.stored {
			t.Errorf("%s: internal covers stored %v, want %v", tc.name, stored, tc.stored)
		}
		back, err := UnmarshalFitted(p)
		if err != nil {
			t.Fatal(err)
		}
		clearInternalValues(fitted)
		if !reflect.DeepEqual(back, fitted) {
			t.Errorf("%s: model read back differs", tc.name)
		}
	}
}

// TestUnmarshalFittedHugeNodeCount: a nodes_per_tree that the columns do
// not hold is an error, not an allocation of its size.
func TestUnmarshalFittedHugeNodeCount(t *testing.T) {
	fitted, err := Tree{Config: TreeConfig{MaxDepth: 3}}.Fit(ctx, persistData(200, false), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := fitted.(Persistent).MarshalFitted()
	for _, n := range [][]int{{1 << 40}, {math.MaxInt / 2, math.MaxInt / 2, 5}} {
		tc := *p.Trees
		tc.NodesPerTree = n
		_, err := UnmarshalFitted(FittedParams{Kind: p.Kind, Params: p.Params, Trees: &tc})
		if err == nil || !strings.Contains(err.Error(), "trees.left_offset holds") {
			t.Errorf("nodes_per_tree %v: %v", n, err)
		}
	}
}

// FuzzDecodeTrees: tree columns of any content are read back as trees
// whose every child lies inside its tree after its parent and whose every
// internal node tests a column, or are an error; never a panic.
func FuzzDecodeTrees(f *testing.F) {
	fitted, err := GBM{Config: GBMConfig{MaxIter: 2, MaxLeafNodes: 4, MinSamplesLeaf: 5}}.Fit(ctx, persistData(200, true), rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		f.Fatal(err)
	}
	p, _ := fitted.(Persistent).MarshalFitted()
	raw := func(s string) []byte {
		b, err := inflateBase64("seed", s, 0)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	tc := p.Trees
	f.Add(tc.NodesPerTree[0], tc.NodesPerTree[1], raw(tc.LeftOffset), raw(tc.RightOffset), raw(tc.Feature), raw(tc.MissingLeft), raw(tc.Threshold), raw(tc.Value), raw(tc.Cover), []byte(nil))
	f.Fuzz(func(t *testing.T, n0, n1 int, left, right, feature, missing, threshold, value, cover, internalCover []byte) {
		enc := func(b []byte) string {
			s, err := deflateBase64(b)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		cols := TreeColumns{Encoding: TreeEncoding, NodesPerTree: []int{n0, n1}, LeftOffset: enc(left), RightOffset: enc(right), Feature: enc(feature),
			MissingLeft: enc(missing), Threshold: enc(threshold), Value: enc(value), Cover: enc(cover)}
		if len(internalCover) > 0 {
			cols.InternalCover = enc(internalCover)
		}
		trees, _, err := decodeTrees(cols, 4)
		if err != nil {
			return
		}
		for ti, nodes := range trees {
			for k, n := range nodes {
				if n.left < 0 {
					continue
				}
				if int(n.left) <= k || int(n.right) <= k || int(n.left) >= len(nodes) || int(n.right) >= len(nodes) || n.feature < 0 || n.feature >= 4 {
					t.Fatalf("tree %d node %d: %+v", ti, k, n)
				}
			}
		}
	})
}
