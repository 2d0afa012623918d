package fairness

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// benchCohort simulates n scored students with OULAD-like attributes:
// gender (2 groups), disability (2), age_band (3, one small), imd_band (10
// bands plus missing values) and region (13). Scores are rounded to 4
// decimals, as in a typical predictions CSV, which makes ties.
func benchCohort(n int, seed uint64) ([]uint8, []float64, []Attribute) {
	return benchCohortRounded(n, seed, 1e4)
}

// benchCohortRounded is benchCohort with scores rounded to 1/scale;
// scale 0 keeps them continuous (no ties).
func benchCohortRounded(n int, seed uint64, scale float64) ([]uint8, []float64, []Attribute) {
	r := rand.New(rand.NewPCG(seed, 99))
	y := make([]uint8, n)
	score := make([]float64, n)
	cols := map[string][]string{}
	names := []string{"gender", "disability", "age_band", "imd_band", "region"}
	for _, c := range names {
		cols[c] = make([]string, n)
	}
	for i := range n {
		cols["gender"][i] = []string{"F", "M"}[r.IntN(2)]
		cols["disability"][i] = "N"
		if r.Float64() < 0.1 {
			cols["disability"][i] = "Y"
		}
		u := r.Float64()
		switch {
		case u < 0.70:
			cols["age_band"][i] = "0-35"
		case u < 0.99:
			cols["age_band"][i] = "35-55"
		default:
			cols["age_band"][i] = "55<="
		}
		if r.Float64() < 0.03 {
			cols["imd_band"][i] = ""
		} else {
			b := r.IntN(10)
			cols["imd_band"][i] = fmt.Sprintf("%d-%d%%", 10*b, 10*b+10)
		}
		cols["region"][i] = fmt.Sprintf("region%02d", r.IntN(13))
		if r.Float64() < 0.3 {
			y[i] = 1
		}
		z := -0.8 + 1.6*float64(y[i]) + r.NormFloat64()
		score[i] = 1 / (1 + math.Exp(-z))
		if scale > 0 {
			score[i] = math.Round(score[i]*scale) / scale
		}
	}
	attrs := make([]Attribute, len(names))
	for k, c := range names {
		attrs[k] = Attribute{Name: c, Values: cols[c]}
	}
	return y, score, attrs
}

// Flags for profiling the benchmarks, e.g.
// go test -bench AuditFull -benchtime 1x -args -bench.stopafter 0
var (
	benchReplicates = flag.Int("bench.replicates", 0, "override the bootstrap replicates and permutations (0: keep 1,000)")
	benchStopAfter  = flag.Int("bench.stopafter", -1, "override PermutationStopAfter (-1: keep the default 20)")
)

// BenchmarkAuditFull is the speed target: 100,000 predictions, 5
// attributes, 2 intersections, every metric, 1,000 bootstrap replicates
// and 1,000 permutations, on 2 workers.
func BenchmarkAuditFull(b *testing.B) {
	y, score, attrs := benchCohort(100_000, 1)
	benchmarkAudit(b, y, score, attrs)
}

// BenchmarkAuditFullContinuous is BenchmarkAuditFull with continuous
// scores (no ties), the worst case for the replicate passes.
func BenchmarkAuditFullContinuous(b *testing.B) {
	y, score, attrs := benchCohortRounded(100_000, 1, 0)
	benchmarkAudit(b, y, score, attrs)
}

func benchmarkAudit(b *testing.B, y []uint8, score []float64, attrs []Attribute) {
	opts := DefaultAuditOptions()
	if *benchReplicates > 0 {
		opts.BootstrapReplicates, opts.Permutations = *benchReplicates, *benchReplicates
	}
	if *benchStopAfter >= 0 {
		opts.PermutationStopAfter = *benchStopAfter
	}
	opts.Intersections = []Intersection{{[]string{"gender", "age_band"}}, {[]string{"gender", "disability"}}}
	opts.Thresholds = []GapThreshold{{Metric: "tpr_difference", Max: 0.1}, {Metric: "selection_rate_ratio", Low: 0.8, High: 1.25}}
	b.ResetTimer()
	cpu0 := processCPU()
	for range b.N {
		if _, err := Audit(y, score, attrs, opts); err != nil {
			b.Fatal(err)
		}
	}
	// The machine is shared: CPU seconds per audit divided by 2 estimate
	// the wall time on 2 idle cores.
	b.ReportMetric((processCPU()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// processCPU returns the user+system CPU time of the process.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
