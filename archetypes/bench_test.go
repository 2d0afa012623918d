package archetypes

import (
	"math/rand/v2"
	"testing"
)

// benchTrajectories draws n students × weeks weekly counts from five
// archetype shapes (steady, fading, blooming, cramming, inactive).
func benchTrajectories(n, weeks int) [][]float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	X := make([][]float64, n)
	for i := range X {
		a := i % 5
		X[i] = make([]float64, weeks)
		for w := range X[i] {
			f := float64(w) / float64(weeks-1)
			var m float64
			switch a {
			case 0:
				m = 5
			case 1:
				m = 10 * (1 - f)
			case 2:
				m = 10 * f
			case 3:
				if f > 0.85 {
					m = 20
				} else {
					m = 0.5
				}
			case 4:
				m = 0.2
			}
			X[i][w] = poisson(rng, m)
		}
	}
	return X
}

// BenchmarkFit100kStudents40Weeks is the target: 100,000 students ×
// 40 weeks, k from 2 to 8, 100 stability replicates, default options.
func BenchmarkFit100kStudents40Weeks(b *testing.B) {
	X := benchTrajectories(100000, 40)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Fit(X, Options{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
