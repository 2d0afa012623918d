package bundle

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/models"
)

// benchFrame draws an OULAD-sized training table: n students, 16 numeric
// features (counts, scores, dates) and a categorical one, labels from a
// noisy logistic model, so that a forest with min_samples_leaf 5 grows
// trees about as large as on the OULAD assessment features.
func benchFrame(n int, seed uint64) *datasets.Frame {
	rng := rand.New(rand.NewPCG(seed, 9))
	f := &datasets.Frame{Dataset: "bench", Cutoff: 28}
	for j := 0; j < 16; j++ {
		f.Numeric = append(f.Numeric, datasets.NumericColumn{Name: "x" + string(rune('a'+j)), Values: make([]float64, n)})
	}
	f.Categorical = []datasets.CategoricalColumn{{Name: "band", Values: make([]string, n)}}
	for i := 0; i < n; i++ {
		eta := -0.3
		for j := range f.Numeric {
			v := math.Round(rng.NormFloat64()*10*float64(j%4+1)) / 2
			f.Numeric[j].Values[i] = v
			if j < 6 {
				eta += 0.04 * v / float64(j%4+1)
			}
		}
		f.Categorical[0].Values[i] = []string{"0-10%", "10-20%", "20-30%", "30-40%", "40-50%"}[rng.IntN(5)]
		y := uint8(0)
		if rng.Float64() < 1/(1+math.Exp(-eta)) {
			y = 1
		}
		id := "s" + string(rune('0'+i%10)) + string(rune('a'+i/10%26)) + string(rune('a'+i/260%26)) + string(rune('a'+i/6760%26))
		f.Keys = append(f.Keys, id)
		f.Students = append(f.Students, id)
		f.Terms = append(f.Terms, "2013J")
		f.Courses = append(f.Courses, "AAA")
		f.Labels = append(f.Labels, y)
	}
	return f
}

var (
	benchOnce    sync.Once
	benchDir     string
	benchBundles map[string]string
	benchErr     error
)

// TestMain removes the benchmarks' bundles, shared by every benchmark of
// the run, after the last.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchBundleDirs fits a 300-tree forest (min_samples_leaf 5, as
// experiments/oulad-models.toml) and 300-iteration boosting on 16,000
// students once and writes their bundles.
func benchBundleDirs(b *testing.B) map[string]string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "evalrun-bundle-bench-")
		if err != nil {
			benchErr = err
			return
		}
		benchDir = dir
		f := benchFrame(16000, 1)
		benchBundles = map[string]string{}
		for name, m := range map[string]models.Model{
			"forest300": models.RandomForest{Config: models.ForestConfig{NTrees: 300, MinSamplesLeaf: 5}},
			"gbm300":    models.GBM{Config: models.GBMConfig{MaxIter: 300, LearningRate: 0.05, EarlyStopping: "off"}},
		} {
			bd := buildBundleNumeric(b, f, m)
			files, err := bd.Files()
			if err != nil {
				benchErr = err
				return
			}
			p := filepath.Join(dir, name)
			os.MkdirAll(p, 0o755)
			for _, file := range files {
				if err := os.WriteFile(filepath.Join(p, file.Name), file.Data, 0o644); err != nil {
					benchErr = err
					return
				}
			}
			benchBundles[name] = p
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchBundles
}

// BenchmarkLoadForest300 loads and verifies (checksums, rebuild) the
// bundle of a 300-tree forest. Target: <= 100 ms.
func BenchmarkLoadForest300(b *testing.B) {
	dir := benchBundleDirs(b)["forest300"]
	st, _ := os.Stat(filepath.Join(dir, ModelFile))
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := Load(dir); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu)/1e6/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(st.Size())/1e6, "model.json-MB")
}

func benchScore(b *testing.B, name string) {
	bd, err := Load(benchBundleDirs(b)[name])
	if err != nil {
		b.Fatal(err)
	}
	f := benchFrame(100000, 2)
	rows := make([]int, f.Len())
	for i := range rows {
		rows[i] = i
	}
	x, _, _, err := bd.Encoder.Transform(f, rows)
	if err != nil {
		b.Fatal(err)
	}
	in := models.Rows{X: x}
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, _, _, err := bd.ScoreEncoded(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu)/1e6/float64(b.N), "cpu-ms/op")
}

// BenchmarkScore100kForest300 scores 100,000 students whose features are
// built (encoded) with a 300-tree forest bundle: scores, flags and bands.
// Target: <= 1 s on 2 cores.
func BenchmarkScore100kForest300(b *testing.B) { benchScore(b, "forest300") }

// BenchmarkScore100kGBM300 is the same with 300 boosting iterations.
func BenchmarkScore100kGBM300(b *testing.B) { benchScore(b, "gbm300") }
