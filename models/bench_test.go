package models

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// processCPU returns the CPU time (user + system) the test process has used.
// Benchmarks report it per operation beside wall time because the machine
// is shared: CPU time is what the work costs, wall time what it took.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Benchmarks train on generated interaction-heavy data (interactionData) of
// the sizes in issue 3: 12,000 x 26 (an OULAD split) and 100,000 x 30.
// Run: go test ./models -run '^$' -bench . -benchtime 3x

var benchSizes = []struct{ n, d int }{{12000, 26}, {100000, 30}}

func benchFit(b *testing.B, m Model) {
	for _, sz := range benchSizes {
		train := interactionData(rand.New(rand.NewPCG(42, uint64(sz.n))), sz.n, sz.d)
		b.Run(fmt.Sprintf("%dx%d", sz.n, sz.d), func(b *testing.B) {
			cpu0 := processCPU()
			for i := 0; i < b.N; i++ {
				if _, err := m.Fit(ctx, train, rand.New(rand.NewPCG(1, uint64(i)))); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((processCPU()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

func BenchmarkLogisticFit(b *testing.B) { benchFit(b, Logistic{Config: DefaultLogisticConfig()}) }

func BenchmarkTreeFit(b *testing.B) { benchFit(b, Tree{Config: TreeConfig{MinSamplesLeaf: 5}}) }

func BenchmarkForest300Fit(b *testing.B) {
	benchFit(b, RandomForest{Config: ForestConfig{NTrees: 300, MinSamplesLeaf: 5}})
}

func BenchmarkForest30Fit(b *testing.B) {
	benchFit(b, RandomForest{Config: ForestConfig{NTrees: 30, MinSamplesLeaf: 5}})
}

func BenchmarkGBM300Fit(b *testing.B) {
	benchFit(b, GBM{Config: GBMConfig{MaxIter: 300, LearningRate: 0.05, EarlyStopping: "off"}})
}

// BenchmarkForest300Explain measures exact TreeSHAP for 100 test rows of a
// 300-tree forest (min_samples_leaf 5) trained on 12,000 x 26 rows.
func BenchmarkForest300Explain(b *testing.B) {
	rng := rand.New(rand.NewPCG(42, 12000))
	train := interactionData(rng, 12000, 26)
	test := interactionData(rng, 100, 26)
	f, err := RandomForest{Config: ForestConfig{NTrees: 300, MinSamplesLeaf: 5}}.Fit(ctx, train, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		if _, _, err := f.(*FittedForest).Explain(ctx, test.Rows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((processCPU()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkGBM300Explain measures exact TreeSHAP for 100 test rows of a
// 300-iteration gbm trained on 12,000 x 26 rows.
func BenchmarkGBM300Explain(b *testing.B) {
	rng := rand.New(rand.NewPCG(42, 12000))
	train := interactionData(rng, 12000, 26)
	test := interactionData(rng, 100, 26)
	f, err := GBM{Config: GBMConfig{MaxIter: 300, LearningRate: 0.05, EarlyStopping: "off"}}.Fit(ctx, train, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		if _, _, err := f.(*FittedGBM).Explain(ctx, test.Rows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((processCPU()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkGBM100Fit1M is the scale check of issue 3: gbm with 100
// iterations on 1,000,000 x 30 rows; it reports the process's peak resident
// memory (including the 240 MB input matrix). Run it alone:
// go test ./models -run '^$' -bench GBM100Fit1M -benchtime 1x
func BenchmarkGBM100Fit1M(b *testing.B) {
	train := interactionData(rand.New(rand.NewPCG(42, 1)), 1000000, 30)
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		if _, err := (GBM{Config: GBMConfig{MaxIter: 100, EarlyStopping: "off"}}).Fit(ctx, train, rand.New(rand.NewPCG(1, 1))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((processCPU()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB")
	}
}

// BenchmarkForest300Predict scores 2,000 test rows with a 300-tree forest
// (min_samples_leaf 5) trained on 12,000 x 26 rows: the work of one
// permutation-importance repeat of one feature.
func BenchmarkForest300Predict(b *testing.B) {
	rng := rand.New(rand.NewPCG(42, 12000))
	train := interactionData(rng, 12000, 26)
	test := interactionData(rng, 2000, 26)
	f, err := RandomForest{Config: ForestConfig{NTrees: 300, MinSamplesLeaf: 5}}.Fit(ctx, train, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.Predict(ctx, test.Rows); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkForest300Rescore rescores 2,000 rows of a 300-tree forest as
// permutation importance does: every column shuffled 5 times, by rank
// (ColumnRescorer) and by value.
func BenchmarkForest300Rescore(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 7))
	train := interactionData(rng, 12000, 26)
	test := interactionData(rng, 2000, 26)
	f, err := RandomForest{Config: ForestConfig{NTrees: 300, MinSamplesLeaf: 5}}.Fit(ctx, train, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		b.Fatal(err)
	}
	e := f.(*FittedForest).treeEnsemble
	x := test.X
	col := make([]float64, x.Rows)
	dst := make([]float64, x.Rows)
	for _, byRank := range []bool{true, false} {
		b.Run(map[bool]string{true: "by_rank", false: "by_value"}[byRank], func(b *testing.B) {
			cpu0 := processCPU()
			for range b.N {
				rs, ok, err := e.columnRescorer(ctx, test.Rows, byRank)
				if err != nil || !ok {
					b.Fatal(ok, err)
				}
				for j := range x.Cols {
					for range 5 {
						for i := range col {
							col[i] = x.At(rng.IntN(x.Rows), j)
						}
						if err := rs(j, col, dst); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			b.ReportMetric((processCPU()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}
