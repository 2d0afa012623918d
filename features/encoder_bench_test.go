package features

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkFitTransform fits on half of a 100,000-row frame (two numeric
// features, one categorical with five levels) and encodes all rows.
func BenchmarkFitTransform(b *testing.B) {
	const n = 100_000
	f := randomFrame(rand.New(rand.NewPCG(1, 2)), n)
	train := make([]int, 0, n/2)
	all := make([]int, n)
	for i := range all {
		all[i] = i
		if i%2 == 0 {
			train = append(train, i)
		}
	}
	spec := Spec{Numeric: []string{"a", "b"}, Categorical: []string{"c"}}
	b.ReportAllocs()
	for b.Loop() {
		enc, err := Fit(f, train, spec)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, _, err := enc.Transform(f, all); err != nil {
			b.Fatal(err)
		}
	}
}
