package models

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestSklearnEnsembles compares the shape and accuracy of evalrun's random
// forest and gbm (early stopping on) with scikit-learn 1.2.1's, averaged
// over five seeds on generated data with one-hot columns
// (testdata/gen_sklearn_ensembles.py). The draws themselves cannot match, so:
//   - forest (100 trees, min_samples_leaf 5, exact thresholds and the
//     default 255 bins): mean leaves per tree within 3% of scikit-learn's
//     (counting a constant feature towards max_features as scikit-learn
//     does gives its trees; examining max_features non-constant features,
//     as evalrun did before, grew 174 leaves per tree instead of 154),
//     mean test AUC within 0.01;
//   - gbm (300 iterations at learning rate 0.1, 10% held out for early
//     stopping from the latest term, which holds 60% of the rows): mean
//     test AUC at least scikit-learn's minus 0.005 (holding out the whole
//     latest term, as evalrun did before, trained on 40% of the rows and
//     scored 0.795 against 0.807) and mean iterations within a factor of
//     two.
func TestSklearnEnsembles(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "sklearn_ensembles.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []struct {
			ID             string      `json:"id"`
			Model          string      `json:"model"`
			X              [][]float64 `json:"X"`
			Y              []uint8     `json:"y"`
			XTest          [][]float64 `json:"X_test"`
			YTest          []uint8     `json:"y_test"`
			TermsSplit     float64     `json:"terms_split"`
			MeanLeaves     float64     `json:"mean_leaves"`
			MeanIterations float64     `json:"mean_iterations"`
			MeanAUC        float64     `json:"mean_auc"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	toMatrix := func(rows [][]float64) *Matrix {
		m := &Matrix{Rows: len(rows), Cols: len(rows[0]), Names: copyNames(nil, len(rows[0]))}
		for _, r := range rows {
			m.Data = append(m.Data, r...)
		}
		return m
	}
	const seeds = 5
	for _, c := range ref.Cases {
		train := TrainingSet{Rows: Rows{X: toMatrix(c.X)}, Y: c.Y}
		test := Rows{X: toMatrix(c.XTest)}
		switch c.Model {
		case "random_forest":
			for _, bins := range []int{-1, 0} {
				var leaves, auc float64
				for s := 0; s < seeds; s++ {
					f, err := RandomForest{Config: ForestConfig{NTrees: 100, MinSamplesLeaf: 5, MaxBins: bins}}.Fit(ctx, train, rand.New(rand.NewPCG(7, uint64(s))))
					if err != nil {
						t.Fatal(err)
					}
					ff := f.(*FittedForest)
					for _, tr := range ff.trees {
						leaves += float64(countLeaves(tr)) / float64(len(ff.trees)*seeds)
					}
					p, err := f.Predict(ctx, test)
					if err != nil {
						t.Fatal(err)
					}
					auc += aucOf(c.YTest, p) / seeds
				}
				t.Logf("%s max_bins %d: %.1f leaves per tree (scikit-learn %.1f), AUC %.4f (scikit-learn %.4f)", c.ID, bins, leaves, c.MeanLeaves, auc, c.MeanAUC)
				if math.Abs(leaves/c.MeanLeaves-1) > 0.03 {
					t.Errorf("%s max_bins %d: %.1f leaves per tree, scikit-learn %.1f (want within 3%%)", c.ID, bins, leaves, c.MeanLeaves)
				}
				if math.Abs(auc-c.MeanAUC) > 0.01 {
					t.Errorf("%s max_bins %d: mean AUC %.4f, scikit-learn %.4f (want within 0.01)", c.ID, bins, auc, c.MeanAUC)
				}
			}
		case "gbm":
			train.Terms = make([]string, len(c.Y))
			for i := range train.Terms {
				train.Terms[i] = "2013J"
				if float64(i) < c.TermsSplit*float64(len(c.Y)) {
					train.Terms[i] = "2013B"
				}
			}
			var iters, auc float64
			for s := 0; s < seeds; s++ {
				f, err := GBM{Config: GBMConfig{MaxIter: 300, LearningRate: 0.1, EarlyStopping: "on"}}.Fit(ctx, train, rand.New(rand.NewPCG(7, uint64(s))))
				if err != nil {
					t.Fatal(err)
				}
				iters += float64(f.Summary().Iterations) / seeds
				p, err := f.Predict(ctx, test)
				if err != nil {
					t.Fatal(err)
				}
				auc += aucOf(c.YTest, p) / seeds
			}
			t.Logf("%s: %.1f iterations (scikit-learn %.1f), AUC %.4f (scikit-learn %.4f)", c.ID, iters, c.MeanIterations, auc, c.MeanAUC)
			if auc < c.MeanAUC-0.005 {
				t.Errorf("%s: mean AUC %.4f, scikit-learn %.4f (want at least %.4f)", c.ID, auc, c.MeanAUC, c.MeanAUC-0.005)
			}
			if iters < c.MeanIterations/2 || iters > 2*c.MeanIterations {
				t.Errorf("%s: %.1f iterations on average, scikit-learn %.1f (want within a factor of 2)", c.ID, iters, c.MeanIterations)
			}
		default:
			t.Fatalf("%s: unknown model %q", c.ID, c.Model)
		}
	}
}
