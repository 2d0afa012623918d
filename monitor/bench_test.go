package monitor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"syscall"
	"testing"

	"github.com/evalrun/evalrun/bundle"
	"github.com/evalrun/evalrun/datasets"
)

// benchTerm builds a bundle schema from 100,000 training rows and a
// current term of 100,000 students with 40 numeric and 10 categorical
// features and their risks.
func benchTerm(b *testing.B, withOutcomes bool) (Config, Term) {
	r := rand.New(rand.NewPCG(100, 50))
	const n = 100000
	f := &datasets.Frame{}
	t := Term{Term: "2025B", Numeric: map[string][]float64{}, Categorical: map[string][]string{}}
	var numeric, categorical []string
	for k := 0; k < 40; k++ {
		name := fmt.Sprint("x", k)
		numeric = append(numeric, name)
		train, cur := make([]float64, n), make([]float64, n)
		for i := range train {
			train[i] = r.NormFloat64()*float64(k+1) + float64(k)
			cur[i] = r.NormFloat64()*float64(k+1) + float64(k) + 0.05
		}
		f.Numeric = append(f.Numeric, datasets.NumericColumn{Name: name, Values: train})
		t.Numeric[name] = cur
	}
	levels := []string{"a", "b", "c", "d", "e", "f"}
	for k := 0; k < 10; k++ {
		name := fmt.Sprint("c", k)
		categorical = append(categorical, name)
		train, cur := make([]string, n), make([]string, n)
		for i := range train {
			train[i] = levels[r.IntN(len(levels))]
			cur[i] = levels[r.IntN(len(levels))]
		}
		f.Categorical = append(f.Categorical, datasets.CategoricalColumn{Name: name, Values: train})
		t.Categorical[name] = cur
	}
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	s, err := bundle.DescribeFeatures(f, rows, numeric, categorical)
	if err != nil {
		b.Fatal(err)
	}
	t.Risks = make([]float64, n)
	if withOutcomes {
		t.Labels = make([]uint8, n)
	}
	for i := range t.Risks {
		t.Risks[i] = 1 / (1 + math.Exp(-(t.Numeric["x0"][i] + 0.3*r.NormFloat64())))
		if withOutcomes && r.Float64() < t.Risks[i] {
			t.Labels[i] = 1
		}
	}
	cfg := Config{Model: "m", BundleID: "b", Schema: s, Scores: bundle.DescribeScores(t.Risks), Threshold: 0.6, TopFeatures: []string{"x0", "x1", "x2"}}
	return cfg, t
}

// BenchmarkMonitorTerm100kx50 is one monitored term of 100,000 students and
// 50 features before outcomes: feature drift against the bundle schema,
// score drift against the training scores, expected precision and
// recall, alerts.
func BenchmarkMonitorTerm100kx50(b *testing.B) {
	cfg, t := benchTerm(b, false)
	b.ResetTimer()
	start := cpuSeconds()
	for i := 0; i < b.N; i++ {
		if _, err := Observe(cfg, t, nil, ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuSeconds()-start)/float64(b.N), "cpu-s/op")
}

func BenchmarkMonitorTerm100kx50Outcomes(b *testing.B) {
	cfg, t := benchTerm(b, true)
	b.ResetTimer()
	start := cpuSeconds()
	for i := 0; i < b.N; i++ {
		if _, err := Observe(cfg, t, nil, ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuSeconds()-start)/float64(b.N), "cpu-s/op")
}

// cpuSeconds is the CPU time (user and system) of this process so far: on
// a shared machine it says what one operation costs regardless of load.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
