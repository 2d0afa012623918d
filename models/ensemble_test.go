package models

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// fitPredict trains m and returns its predictions on test.
func fitPredict(t *testing.T, m Model, train TrainingSet, test Rows, seed uint64) ([]float64, Fitted) {
	t.Helper()
	f, err := m.Fit(ctx, train, rand.New(rand.NewPCG(seed, 99)))
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.Predict(ctx, test)
	if err != nil {
		t.Fatal(err)
	}
	return p, f
}

// TestEnsemblesBeatLogisticOnInteractions: on interactionData, whose
// log-odds are dominated by a sign(x0)·sign(x1) interaction, a forest and
// gbm must beat logistic regression's test AUC by at least 0.05 (logistic
// cannot represent the interaction; observed margins are far larger).
func TestEnsemblesBeatLogisticOnInteractions(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 1))
	train := interactionData(rng, 4000, 12)
	test := interactionData(rng, 3000, 12)
	pl, _ := fitPredict(t, Logistic{Config: DefaultLogisticConfig()}, train, test.Rows, 1)
	aucLogistic := aucOf(test.Y, pl)
	for _, tc := range []struct {
		name string
		m    Model
	}{
		{"random_forest", RandomForest{Config: ForestConfig{NTrees: 100, MinSamplesLeaf: 5}}},
		{"gbm", GBM{Config: GBMConfig{MaxIter: 200, LearningRate: 0.1}}},
		{"tree depth 6", Tree{Config: TreeConfig{MaxDepth: 6, MinSamplesLeaf: 20}}},
	} {
		p, f := fitPredict(t, tc.m, train, test.Rows, 2)
		auc := aucOf(test.Y, p)
		t.Logf("%s AUC %.4f vs logistic %.4f (%v)", tc.name, auc, aucLogistic, f.Summary().Notes)
		if auc < aucLogistic+0.05 {
			t.Errorf("%s AUC %.4f, want >= logistic %.4f + 0.05", tc.name, auc, aucLogistic)
		}
	}
}

// TestEnsembleDeterminismAcrossCores: the same seed gives bit-identical
// predictions with GOMAXPROCS 1 and 2 and with 1, 2 or 3 workers.
func TestEnsembleDeterminismAcrossCores(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	train := interactionData(rng, 3000, 10)
	test := interactionData(rng, 500, 10)
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	for _, tc := range []struct {
		name string
		mk   func(workers int) Model
	}{
		{"random_forest", func(w int) Model {
			return RandomForest{Config: ForestConfig{NTrees: 20, MinSamplesLeaf: 3, Workers: w}}
		}},
		{"gbm", func(w int) Model { return GBM{Config: GBMConfig{MaxIter: 30, EarlyStopping: "on", Workers: w}} }},
	} {
		var ref []float64
		for _, procs := range []int{1, 2} {
			runtime.GOMAXPROCS(procs)
			for _, workers := range []int{1, 2, 3} {
				p, _ := fitPredict(t, tc.mk(workers), train, test.Rows, 77)
				if ref == nil {
					ref = p
					continue
				}
				for i := range p {
					if p[i] != ref[i] {
						t.Fatalf("%s: GOMAXPROCS %d workers %d: prediction %d = %v, want %v", tc.name, procs, workers, i, p[i], ref[i])
					}
				}
			}
		}
	}
}

// TestClassWeightsIdentity: a leaf's value is the weighted share of
// positives among its training rows, so over the training rows of a tree
// grown on all of them Σ_i w_i·p_i / Σ_i w_i equals the weighted base rate:
// exactly 0.5 with "balanced" weights, the plain base rate without weights.
// This holds per tree, hence for forests without bootstrap (where
// "balanced_subsample" equals "balanced"). Tolerance 1e-12.
func TestClassWeightsIdentity(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	train := interactionData(rng, 3000, 8)
	var pos float64
	for i := range train.Y {
		if train.Y[i] == 1 && rng.Float64() < 0.8 {
			train.Y[i] = 0
		}
		pos += float64(train.Y[i])
	}
	base := pos / 3000
	w0, w1 := 3000/(2*(3000-pos)), 3000/(2*pos)
	for _, tc := range []struct {
		name     string
		m        Model
		balanced bool
	}{
		{"tree", Tree{Config: TreeConfig{MinSamplesLeaf: 20}}, false},
		{"tree balanced", Tree{Config: TreeConfig{MinSamplesLeaf: 20, ClassWeight: "balanced"}}, true},
		{"forest balanced", RandomForest{Config: ForestConfig{NTrees: 10, MinSamplesLeaf: 20, DisableBootstrap: true, ClassWeight: "balanced"}}, true},
		{"forest balanced_subsample", RandomForest{Config: ForestConfig{NTrees: 10, MinSamplesLeaf: 20, DisableBootstrap: true, ClassWeight: "balanced_subsample"}}, true},
	} {
		p, _ := fitPredict(t, tc.m, train, train.Rows, 3)
		var sw, swp float64
		for i, v := range p {
			w := 1.0
			if tc.balanced {
				w = w0
				if train.Y[i] == 1 {
					w = w1
				}
			}
			sw += w
			swp += w * v
		}
		want := base
		if tc.balanced {
			want = 0.5
		}
		assertClose(t, tc.name+" weighted mean probability", swp/sw, want, 1e-12)
	}
}
