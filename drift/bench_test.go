package drift

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
)

// BenchmarkTerm100kx50 measures one monitored term: 100,000 current
// students against a 100,000-row reference, 40 numeric and 10 categorical
// features (references prepared once, as a bundle stores them), the score
// distribution and the expected precision and recall.
func BenchmarkTerm100kx50(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 50))
	const n = 100000
	var numRef []*NumericReference
	var numCur [][]float64
	for k := 0; k < 40; k++ {
		numRef = append(numRef, NewNumericReference(normals(r, n, float64(k), 1)))
		numCur = append(numCur, normals(r, n, float64(k)+0.05, 1))
	}
	var catRef []*CategoricalReference
	var catCur [][]string
	labels := []string{"a", "b", "c", "d", "e"}
	for k := 0; k < 10; k++ {
		catRef = append(catRef, NewCategoricalReference(categories(r, n, []float64{0.3, 0.2, 0.2, 0.2, 0.1}, labels)))
		catCur = append(catCur, categories(r, n, []float64{0.25, 0.25, 0.2, 0.2, 0.1}, labels))
	}
	scoreRef := NewNumericReference(normals(r, n, 0.4, 0.1))
	scores := normals(r, n, 0.42, 0.1)
	for i := range scores {
		scores[i] = min(max(scores[i], 0), 1)
	}
	opts := DefaultOptions()
	b.ResetTimer()
	start := cpuSeconds()
	for i := 0; i < b.N; i++ {
		feats := make([]FeatureResult, 0, 50)
		for k := range numRef {
			f, err := CompareNumeric(fmt.Sprint("x", k), numRef[k], numCur[k], opts)
			if err != nil {
				b.Fatal(err)
			}
			feats = append(feats, f)
		}
		for k := range catRef {
			f, err := CompareCategorical(fmt.Sprint("c", k), catRef[k], catCur[k], opts)
			if err != nil {
				b.Fatal(err)
			}
			feats = append(feats, f)
		}
		d := Summarize(feats, opts)
		sd, err := CompareNumeric("score", scoreRef, scores, opts)
		if err != nil {
			b.Fatal(err)
		}
		e, err := Expected(scores, 0.5, 0.95)
		if err != nil {
			b.Fatal(err)
		}
		e.AssessReliability(d, []string{"x1"}, &sd)
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
