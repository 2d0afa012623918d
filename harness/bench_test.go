package harness

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/evalrun/evalrun/explain"
	"github.com/evalrun/evalrun/models"
)

// BenchmarkOULADSplitFit times fitting the forest (300 trees,
// min_samples_leaf 5) and boosting (300 iterations, learning rate 0.05)
// models of experiments/oulad-models.toml on the real OULAD training rows
// (2013B and 2013J, day 28; about 11,800 rows). Skips without the data.
func BenchmarkOULADSplitFit(b *testing.B) {
	s, prep := ouladModelsFold(b)
	train := models.TrainingSet{Rows: prep.train, Y: prep.trainY}
	b.Logf("training set: %d rows x %d columns", train.X.Rows, train.X.Cols)
	for _, name := range []string{"lr", "rf", "gbm"} {
		spec := modelSpecNamed(b, s, name)
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				m, err := buildModel(spec, buildContext{})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := m.Fit(context.Background(), train, TaskRand(1, name)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOULADModelsRun runs experiments/oulad-models.toml end to end
// (five models, two grids, every interval and report) on the real OULAD
// data, writing the run directory to a temporary directory. Skips without
// the data. Issue 14 target 2: <= 20 s wall on 2 cores.
func BenchmarkOULADModelsRun(b *testing.B) {
	s, err := LoadSpecFile("../experiments/oulad-models.toml")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.ResolvePath(s.Datasets[0].Path), "studentInfo.csv")); err != nil {
		b.Skipf("OULAD data not available: %v", err)
	}
	for i := 0; i < b.N; i++ {
		if _, err := Run(context.Background(), s, RunOptions{Output: filepath.Join(b.TempDir(), "run"), Now: fixedNow}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunSpec runs the spec named by $EVALRUN_BENCH_SPEC end to end
// (skipped when unset), for profiling any experiment, e.g. the full-size
// OULAD benchmark: EVALRUN_BENCH_SPEC=/tmp/oulad-full.toml go test
// ./harness -run '^$' -bench RunSpec -benchtime 1x -cpuprofile cpu.out
func BenchmarkRunSpec(b *testing.B) {
	path := os.Getenv("EVALRUN_BENCH_SPEC")
	if path == "" {
		b.Skip("EVALRUN_BENCH_SPEC not set")
	}
	s, err := LoadSpecFile(path)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		if _, err := Run(context.Background(), s, RunOptions{Output: filepath.Join(b.TempDir(), "run"), Now: fixedNow}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOULADForestExplain times exact TreeSHAP reasons for the 1,000
// highest-risk test students (the random_forest default of reason_rows) of
// the "rf" model of experiments/oulad-models.toml (300 trees,
// min_samples_leaf 5) fitted on the real OULAD training rows, the largest
// piece of BenchmarkOULADModelsRun. Skips without the data.
func BenchmarkOULADForestExplain(b *testing.B) {
	s, prep := ouladModelsFold(b)
	m, err := buildModel(modelSpecNamed(b, s, "rf"), buildContext{})
	if err != nil {
		b.Fatal(err)
	}
	fitted, err := m.Fit(context.Background(), models.TrainingSet{Rows: prep.train, Y: prep.trainY}, TaskRand(1, "rf"))
	if err != nil {
		b.Fatal(err)
	}
	scores, err := fitted.Predict(context.Background(), prep.test)
	if err != nil {
		b.Fatal(err)
	}
	rows := prep.test.Select(topScores(scores, s.Explain.reasonRows("random_forest")))
	b.Logf("%d rows x %d columns", rows.X.Rows, rows.X.Cols)
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, _, err := fitted.(models.Explainer).Explain(context.Background(), rows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// ouladModelsFold loads experiments/oulad-models.toml and prepares its
// first fold on the real OULAD data (skipping without the data).
func ouladModelsFold(b *testing.B) (*Spec, *preparedFold) {
	s, err := LoadSpecFile("../experiments/oulad-models.toml")
	if err != nil {
		b.Fatal(err)
	}
	data, err := loadAndValidate(s)
	if err != nil {
		b.Skipf("OULAD data not available: %v", err)
	}
	ld := data[0]
	f := ld.frames[0]
	fo := expandSplits(s, ld.spec.Name)[0]
	fo.train, fo.test = rowsOf(f, fo.trainTerms), rowsOf(f, fo.testTerms)
	prep := prepareFold(ld, f, fo)
	if prep.err != nil {
		b.Fatal(prep.err)
	}
	return s, prep
}

// modelSpecNamed returns the spec's model called name.
func modelSpecNamed(b *testing.B, s *Spec, name string) ModelSpec {
	for _, m := range s.Models {
		if m.Name == name {
			return m
		}
	}
	b.Fatalf("no model %q in the spec", name)
	return ModelSpec{}
}

// BenchmarkOULADForestPermutation times permutation importance (the
// default 5 repeats of every feature column over 2,000 test rows drawn as
// the runner draws them) of the "rf" and "gbm" models of
// experiments/oulad-models.toml fitted on the real OULAD training rows:
// the rescoring part of BenchmarkOULADModelsRun. Skips without the data.
func BenchmarkOULADForestPermutation(b *testing.B) {
	s, prep := ouladModelsFold(b)
	for _, name := range []string{"rf", "gbm"} {
		m, err := buildModel(modelSpecNamed(b, s, name), buildContext{})
		if err != nil {
			b.Fatal(err)
		}
		fitted, err := m.Fit(context.Background(), models.TrainingSet{Rows: prep.train, Y: prep.trainY}, TaskRand(1, name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			rng := TaskRand(1, "permutation/"+name)
			rows, y := subsampleRows(prep.test, prep.testY, s.Explain.permutationRows(), rng)
			b.Logf("%d rows x %d columns", rows.X.Rows, rows.X.Cols)
			b.ResetTimer()
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				if _, err := explain.PermutationImportance(context.Background(), fitted, rows, y, s.Explain.repeats(), rng); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}
