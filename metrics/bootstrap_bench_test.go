package metrics

import (
	"math/rand/v2"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the process's user plus system CPU time. Benchmarks
// report it per operation ("cpu-s/op") because wall time on a machine
// shared with other jobs says little; on an idle 2-core machine the wall
// time of a 2-worker operation is about half of it.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loopWithCPU runs f in b.Loop and reports CPU seconds per operation.
func loopWithCPU(b *testing.B, f func() error) {
	start := cpuTime()
	ops := 0
	for b.Loop() {
		if err := f(); err != nil {
			b.Fatal(err)
		}
		ops++
	}
	b.ReportMetric((cpuTime()-start).Seconds()/float64(ops), "cpu-s/op")
}

// bench100k returns 100,000 probability predictions (20% positives).
func bench100k() ([]uint8, []float64, []float64) {
	rng := rand.New(rand.NewPCG(1, 1))
	y, s := binormalSample(rng, 20000, 80000, 1.2)
	p := make([]float64, len(s))
	q := make([]float64, len(s))
	for i, v := range s {
		p[i] = sigmoid(v - 1)
		q[i] = sigmoid(v + rng.NormFloat64() - 1)
	}
	return y, p, q
}

// BenchmarkBootstrap100k times 1,000 stratified replicates of every Report
// metric (AUC, AP, Brier, log loss, precision, recall, F1, ...) on 100,000
// probability predictions with 2 workers. Target: under 2 s per operation
// on 2 cores.
func BenchmarkBootstrap100k(b *testing.B) {
	y, p, _ := bench100k()
	opt := BootstrapOptions{Replicates: 1000, Level: 0.95, Seed: 1, Task: "bench", Workers: 2}
	loopWithCPU(b, func() error { _, err := Bootstrap(y, p, 0.5, opt); return err })
}

// BenchmarkPairedBootstrap100k: two models, 1,000 stratified replicates.
func BenchmarkPairedBootstrap100k(b *testing.B) {
	y, p, q := bench100k()
	opt := BootstrapOptions{Replicates: 1000, Level: 0.95, Seed: 1, Task: "bench", Workers: 2}
	loopWithCPU(b, func() error { _, err := PairedBootstrap(y, p, q, 0.5, 0.5, opt); return err })
}

func BenchmarkEvaluate100k(b *testing.B) {
	y, p, _ := bench100k()
	loopWithCPU(b, func() error { _, err := Evaluate(y, p, 0.5); return err })
}

func BenchmarkDeLongPaired100k(b *testing.B) {
	y, p, q := bench100k()
	loopWithCPU(b, func() error { _, err := DeLongPaired(y, p, q); return err })
}

// BenchmarkClusterBootstrap100k: 1,000 cluster replicates over 500
// clusters of 200 rows.
func BenchmarkClusterBootstrap100k(b *testing.B) {
	y, p, _ := bench100k()
	clusters := make([]string, len(y))
	for i := range clusters {
		clusters[i] = strconv.Itoa(i % 500)
	}
	opt := BootstrapOptions{Replicates: 1000, Level: 0.95, Seed: 1, Task: "bench", Workers: 2,
		Scheme: SchemeCluster, Clusters: clusters}
	loopWithCPU(b, func() error { _, err := Bootstrap(y, p, 0.5, opt); return err })
}
