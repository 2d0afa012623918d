package metrics

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkBootstrap100k times 1,000 stratified replicates of every Report
// metric (AUC, AP, Brier, log loss, precision, recall, F1, ...) on 100,000
// probability predictions with 2 workers. Target: under 2 s per operation
// on 2 cores.
func BenchmarkBootstrap100k(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	y, s := binormalSample(rng, 20000, 80000, 1.2)
	p := make([]float64, len(s))
	for i, v := range s {
		p[i] = sigmoid(v - 1)
	}
	opt := BootstrapOptions{Replicates: 1000, Level: 0.95, Seed: 1, Task: "bench", Workers: 2}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Bootstrap(y, p, 0.5, opt); err != nil {
			b.Fatal(err)
		}
	}
}
