package models

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// conditionalExpectation is the path-dependent E[f(x) | x_S]: at a split on
// a feature in S follow x, otherwise average the children weighted by cover.
func conditionalExpectation(nodes []treeNode, k int, x []float64, inS []bool) float64 {
	n := &nodes[k]
	if n.isLeaf() {
		return n.value
	}
	if inS[n.feature] {
		if n.goesLeft(x[n.feature]) {
			return conditionalExpectation(nodes, int(n.left), x, inS)
		}
		return conditionalExpectation(nodes, int(n.right), x, inS)
	}
	l, r := &nodes[n.left], &nodes[n.right]
	return (l.cover*conditionalExpectation(nodes, int(n.left), x, inS) + r.cover*conditionalExpectation(nodes, int(n.right), x, inS)) / n.cover
}

// bruteForceShapley enumerates all subsets S of the other features:
// φ_i = Σ_S |S|!(M−|S|−1)!/M! · (v(S ∪ {i}) − v(S)).
func bruteForceShapley(nodes []treeNode, x []float64, m int) []float64 {
	fact := func(k int) float64 {
		f := 1.0
		for i := 2; i <= k; i++ {
			f *= float64(i)
		}
		return f
	}
	phi := make([]float64, m)
	inS := make([]bool, m)
	for i := 0; i < m; i++ {
		for mask := 0; mask < 1<<m; mask++ {
			if mask&(1<<i) != 0 {
				continue
			}
			size := 0
			for j := 0; j < m; j++ {
				inS[j] = mask&(1<<j) != 0
				if inS[j] {
					size++
				}
			}
			without := conditionalExpectation(nodes, 0, x, inS)
			inS[i] = true
			with := conditionalExpectation(nodes, 0, x, inS)
			phi[i] += fact(size) * fact(m-size-1) / fact(m) * (with - without)
		}
	}
	return phi
}

// handTree is a depth-3 tree on 4 features in which feature 0 is split
// twice on one path (exercising TreeSHAP's unwinding), with uneven covers.
func handTree() []treeNode {
	leaf := func(v, c float64) treeNode { return treeNode{left: -1, right: -1, feature: -1, value: v, cover: c} }
	split := func(f int32, th float64, l, r int32, c float64) treeNode {
		return treeNode{left: l, right: r, feature: f, threshold: th, cover: c}
	}
	return []treeNode{
		split(0, 0.5, 1, 2, 100), // 0
		split(1, 1.0, 3, 4, 60),  // 1
		split(2, 0.0, 5, 6, 40),  // 2
		split(0, 0.2, 7, 8, 35),  // 3: feature 0 again
		leaf(0.9, 25),            // 4
		leaf(-1.5, 10),           // 5
		split(3, 2.0, 9, 10, 30), // 6
		leaf(2.0, 20),            // 7
		leaf(0.1, 15),            // 8
		leaf(-0.3, 12),           // 9
		leaf(1.7, 18),            // 10
	}
}

// TestTreeSHAPMatchesBruteForce compares both TreeSHAP implementations
// (Lundberg's Algorithm 2 and the linear-time one the models use) with the
// Shapley values of the path-dependent conditional expectation, enumerated
// over all subsets, on the hand-built tree and on a fitted depth-4 tree, for
// rows reaching every leaf. Tolerance 1e-12 (all are exact).
func TestTreeSHAPMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	train := interactionData(rng, 600, 8)
	f, err := Tree{Config: TreeConfig{MaxDepth: 4, MinSamplesLeaf: 10}}.Fit(ctx, train, rng)
	if err != nil {
		t.Fatal(err)
	}
	fitted := f.(*FittedTree).trees[0]
	for _, tc := range []struct {
		name  string
		nodes []treeNode
		m     int
		rows  [][]float64
	}{
		{"hand-built", handTree(), 4, [][]float64{
			{0.1, 0.5, 0, 0}, {0.3, 0.5, 0, 0}, {0.3, 1.5, 0, 0}, {0.9, 0, -1, 0}, {0.9, 0, 1, 1}, {0.9, 0, 1, 3},
		}},
		{"fitted depth 4", fitted, 8, nil},
	} {
		rows := tc.rows
		if rows == nil {
			for i := 0; i < 40; i++ {
				rows = append(rows, train.X.Row(i))
			}
		}
		ref := newTreeSHAP(treeDepth(tc.nodes))
		fast := newFastTreeSHAP(tc.nodes, tc.m)
		for i, x := range rows {
			want := bruteForceShapley(tc.nodes, x, tc.m)
			for _, impl := range []struct {
				name string
				add  func(phi []float64)
			}{
				{"Lundberg TreeSHAP", func(phi []float64) { ref.add(tc.nodes, x, phi, 1) }},
				{"fast TreeSHAP", func(phi []float64) { fast.add(x, phi, 1) }},
			} {
				phi := make([]float64, tc.m)
				impl.add(phi)
				sum := expectedValue(tc.nodes)
				for j := range phi {
					if math.Abs(phi[j]-want[j]) > 1e-12 {
						t.Errorf("%s row %d feature %d: %s %.15g, brute force %.15g", tc.name, i, j, impl.name, phi[j], want[j])
					}
					sum += phi[j]
				}
				if got := tc.nodes[leafFor(tc.nodes, x)].value; math.Abs(sum-got) > 1e-12 {
					t.Errorf("%s row %d: %s base + Σφ = %.15g, tree output %.15g", tc.name, i, impl.name, sum, got)
				}
			}
		}
	}
}

// TestExplainAdditivity: for tree, forest and gbm (with missing values),
// base + Σ contributions equals RawScore for every row (tolerance 1e-9),
// and RawScore agrees with Predict on the model's scale.
func TestExplainAdditivity(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 4))
	train := interactionData(rng, 2000, 9)
	test := interactionData(rng, 300, 9)
	for _, ts := range []TrainingSet{train, test} {
		for i := 0; i < ts.X.Rows; i += 7 {
			ts.X.Data[i*ts.X.Cols+(i%3)] = math.NaN()
		}
	}
	cleanTrain := interactionData(rand.New(rand.NewPCG(13, 4)), 2000, 9)
	cleanTest := interactionData(rand.New(rand.NewPCG(13, 5)), 300, 9)
	type ensembleFitted interface {
		Explainer
		RawScore(ctx context.Context, rows Rows) ([]float64, error)
	}
	for _, tc := range []struct {
		name        string
		m           Model
		train, test TrainingSet
	}{
		{"tree", Tree{Config: TreeConfig{MinSamplesLeaf: 5}}, cleanTrain, cleanTest},
		{"random_forest", RandomForest{Config: ForestConfig{NTrees: 25, MinSamplesLeaf: 5}}, cleanTrain, cleanTest},
		{"gbm with NaN", GBM{Config: GBMConfig{MaxIter: 40}}, train, test},
	} {
		f, err := tc.m.Fit(ctx, tc.train, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		ef := f.(ensembleFitted)
		contrib, base, err := ef.Explain(ctx, tc.test.Rows)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := ef.RawScore(ctx, tc.test.Rows)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ef.Predict(ctx, tc.test.Rows)
		if err != nil {
			t.Fatal(err)
		}
		for i := range raw {
			sum := base[i]
			for _, c := range contrib[i] {
				sum += c
			}
			if math.Abs(sum-raw[i]) > 1e-9 {
				t.Errorf("%s row %d: base + Σ contributions = %.12g, raw score %.12g", tc.name, i, sum, raw[i])
			}
			want := raw[i]
			if ef.RawScoreScale() == "log-odds" {
				want = sigmoid(raw[i])
			}
			if math.Abs(p[i]-want) > 1e-12 {
				t.Errorf("%s row %d: Predict %v, raw score on the probability scale %v", tc.name, i, p[i], want)
			}
		}
	}
}

// TestFastTreeSHAPMatchesLundberg compares the linear-time TreeSHAP with
// Lundberg's algorithm, value by value, on deep forest trees (up to ~20
// distinct features per path, where brute force is out of reach) and on gbm
// trees with missing values. Tolerance 1e-11 (values are O(1); both exact).
func TestFastTreeSHAPMatchesLundberg(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 3))
	train := interactionData(rng, 3000, 24)
	test := interactionData(rng, 40, 24)
	withNaN := interactionData(rng, 3000, 24)
	for i := 0; i < withNaN.X.Rows; i += 5 {
		withNaN.X.Data[i*24+i%7] = math.NaN()
	}
	for i := 0; i < test.X.Rows; i += 3 {
		test.X.Data[i*24+i%7] = math.NaN()
	}
	forest, err := RandomForest{Config: ForestConfig{NTrees: 5, MinSamplesLeaf: 1}}.Fit(ctx, train, rng)
	if err != nil {
		t.Fatal(err)
	}
	gbm, err := GBM{Config: GBMConfig{MaxIter: 10, MaxLeafNodes: 63, MinSamplesLeaf: 5}}.Fit(ctx, withNaN, rng)
	if err != nil {
		t.Fatal(err)
	}
	deepest := 0
	for _, f := range []Fitted{forest, gbm} {
		var trees [][]treeNode
		var clean bool
		switch e := f.(type) {
		case *FittedForest:
			trees, clean = e.trees, true
		case *FittedGBM:
			trees = e.trees
		}
		for _, nodes := range trees {
			deepest = max(deepest, maxDistinctPathFeatures(nodes))
			ref := newTreeSHAP(treeDepth(nodes))
			fast := newFastTreeSHAP(nodes, 24)
			for i := 0; i < test.X.Rows; i++ {
				x := test.X.Row(i)
				if clean {
					x = train.X.Row(i)
				}
				a, b := make([]float64, 24), make([]float64, 24)
				ref.add(nodes, x, a, 1)
				fast.add(x, b, 1)
				for j := range a {
					if math.Abs(a[j]-b[j]) > 1e-11 {
						t.Fatalf("%s tree row %d feature %d: fast %.15g, Lundberg %.15g", f.Summary().Kind, i, j, b[j], a[j])
					}
				}
			}
		}
	}
	if deepest < 15 {
		t.Errorf("deepest path has %d distinct features; the test wants deep trees (>= 15)", deepest)
	}
}

// TestGaussLegendre01: k nodes integrate t^m exactly on [0, 1] (1/(m+1))
// for m < 2k, to 1e-14.
func TestGaussLegendre01(t *testing.T) {
	for _, k := range []int{1, 2, 3, 7, 13, 20} {
		nodes, weights := gaussLegendre01(k)
		for m := 0; m < 2*k; m++ {
			var s float64
			for i := range nodes {
				s += weights[i] * math.Pow(nodes[i], float64(m))
			}
			if math.Abs(s-1/float64(m+1)) > 1e-14 {
				t.Errorf("k=%d: ∫t^%d = %.16g, want %.16g", k, m, s, 1/float64(m+1))
			}
		}
	}
}

// TestFastTreeSHAPBlocksAndCuts explains 300 rows with each tree of a deep
// forest in blocks of 32 (so the small subtrees' row states, and those of
// the inner subtrees within them, are reused across rows and blocks). It
// checks every value against Lundberg's algorithm (1e-11), as well as the
// values walking whole trees (no cuts), that states were in fact reused,
// and that each row's values are bit for bit those of the row explained
// alone, whatever block it was in, and those computed with a memo too
// small to keep most states.
func TestFastTreeSHAPBlocksAndCuts(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 5))
	train := interactionData(rng, 3000, 12)
	test := interactionData(rng, 300, 12)
	f, err := RandomForest{Config: ForestConfig{NTrees: 3, MinSamplesLeaf: 3}}.Fit(ctx, train, rng)
	if err != nil {
		t.Fatal(err)
	}
	const m = 12
	for ti, nodes := range f.(*FittedForest).trees {
		s := newFastTreeSHAP(nodes, m)
		inner := 0
		for _, c := range s.cuts {
			inner += c.level
		}
		if len(s.cuts) == inner || inner == 0 {
			t.Fatalf("tree %d (%d nodes) has %d cuts, %d of them inner: the test wants both kinds", ti, len(nodes), len(s.cuts), inner)
		}
		// A state's directions are read from consecutive bits of the
		// row's directions: a cut's internal nodes must be consecutive in
		// preorder, in the order of its list.
		for root, ci := range s.cut {
			if ci < 0 {
				continue
			}
			c := s.cuts[ci]
			for b, n := range s.cutInternal[c.internalFrom:c.internalTo] {
				if s.pre[n] != s.pre[root]+int32(b) {
					t.Fatalf("tree %d cut %d: internal node %d at preorder %d, want %d", ti, ci, n, s.pre[n], s.pre[root]+int32(b))
				}
			}
		}
		xs := make([][]float64, test.X.Rows)
		phis := make([][]float64, test.X.Rows)
		for i := range xs {
			xs[i], phis[i] = test.X.Row(i), make([]float64, m)
		}
		for b := 0; b < len(xs); b += 32 {
			s.addBlock(xs[b:min(len(xs), b+32)], phis[b:min(len(xs), b+32)], 1)
		}
		if lookups := len(s.cuts) * len(xs); s.states.len() >= lookups*9/10 {
			t.Errorf("tree %d: %d row states for %d look-ups: hardly any reuse", ti, s.states.len(), lookups)
		}
		// With a memo too small for most states, each is computed again
		// for every row that meets it: the same values to the bit.
		small := &fastTreeSHAP{memoMax: 40 * s.k}
		small.reset(nodes, m)
		smallPhis := make([][]float64, len(xs))
		for i := range smallPhis {
			smallPhis[i] = make([]float64, m)
		}
		for b := 0; b < len(xs); b += 32 {
			small.addBlock(xs[b:min(len(xs), b+32)], smallPhis[b:min(len(xs), b+32)], 1)
		}
		if small.states.len() >= s.states.len()/2 {
			t.Fatalf("tree %d: the small memo kept %d of %d states", ti, small.states.len(), s.states.len())
		}
		ref := newTreeSHAP(treeDepth(nodes))
		alone := newFastTreeSHAP(nodes, m)
		walk := &fastTreeSHAP{noCuts: true}
		walk.reset(nodes, m)
		if len(walk.cuts) != 0 {
			t.Fatalf("tree %d: %d cuts with noCuts", ti, len(walk.cuts))
		}
		for i, x := range xs {
			want := make([]float64, m)
			ref.add(nodes, x, want, 1)
			one := make([]float64, m)
			alone.add(x, one, 1)
			whole := make([]float64, m)
			walk.add(x, whole, 1)
			for j := range want {
				if math.Abs(phis[i][j]-want[j]) > 1e-11 || math.Abs(whole[j]-want[j]) > 1e-11 {
					t.Fatalf("tree %d row %d feature %d: %.15g with cuts, %.15g without, Lundberg %.15g", ti, i, j, phis[i][j], whole[j], want[j])
				}
				if math.Float64bits(smallPhis[i][j]) != math.Float64bits(phis[i][j]) {
					t.Fatalf("tree %d row %d feature %d: %v with a small memo, %v", ti, i, j, smallPhis[i][j], phis[i][j])
				}
				if math.Float64bits(one[j]) != math.Float64bits(phis[i][j]) {
					t.Fatalf("tree %d row %d feature %d: %v in a block, %v alone", ti, i, j, phis[i][j], one[j])
				}
			}
		}
	}
}

// internalNodes returns the indexes of the internal nodes.
func internalNodes(nodes []treeNode) []int32 {
	var out []int32
	for k := range nodes {
		if nodes[k].left >= 0 {
			out = append(out, int32(k))
		}
	}
	return out
}

// TestRowDirections: the bit set rowDirections fills gives, at every
// internal node, the direction goesLeft gives (missing values by each
// split's learned direction), for gbm trees with missing values in the rows
// and splits sending them either way, and for forest trees of several words
// of nodes, with the missing-value test skipped (complete) or not.
func TestRowDirections(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 1))
	withNaN := interactionData(rng, 2000, 10)
	for i := 0; i < withNaN.X.Rows; i += 4 {
		withNaN.X.Data[i*10+i%5] = math.NaN()
	}
	clean := interactionData(rng, 2000, 10)
	gbm, err := GBM{Config: GBMConfig{MaxIter: 8, MaxLeafNodes: 31, MinSamplesLeaf: 5}}.Fit(ctx, withNaN, rng)
	if err != nil {
		t.Fatal(err)
	}
	forest, err := RandomForest{Config: ForestConfig{NTrees: 2, MinSamplesLeaf: 2}}.Fit(ctx, clean, rng)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		trees    [][]treeNode
		rows     *Matrix
		complete bool
	}{
		{"gbm, rows with NaN", gbm.(*FittedGBM).trees, withNaN.X, false},
		{"forest", forest.(*FittedForest).trees, clean.X, false},
		{"forest, complete rows", forest.(*FittedForest).trees, clean.X, true},
	} {
		missingLeft, words := false, 0
		for _, nodes := range tc.trees {
			s := newFastTreeSHAP(nodes, 10)
			s.complete = tc.complete
			missingLeft = missingLeft || s.missingLeft
			words = max(words, s.dirWords-1)
			d := make([]uint64, s.dirWords)
			for i := 0; i < 200; i++ {
				x := tc.rows.Row(i)
				s.rowDirections(d, x)
				for n := range nodes {
					nd := &nodes[n]
					if nd.left >= 0 && s.goesLeft(d, n) != nd.goesLeft(x[nd.feature]) {
						t.Fatalf("%s: row %d node %d: bit says left %v, goesLeft %v", tc.name, i, n, s.goesLeft(d, n), nd.goesLeft(x[nd.feature]))
					}
				}
				if d[len(d)-1] != 0 {
					t.Fatalf("%s: row %d: the spare word is %x, want 0", tc.name, i, d[len(d)-1])
				}
			}
		}
		if tc.rows == withNaN.X && !missingLeft {
			t.Errorf("%s: no split sends missing values left; the test wants both directions", tc.name)
		}
		if tc.rows == clean.X && words < 2 {
			t.Errorf("%s: at most %d word of directions; the test wants several", tc.name, words)
		}
	}
}
