package multilevel

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// ouladShaped generates data of OULAD's shape: 27,000 students, 35
// covariates (skewed counts, fractions and 0/1 indicators, as the OULAD
// features), 22 module-presentations as groups of uneven size, a random
// intercept of SD 0.8.
func ouladShaped() Data {
	rng := rand.New(rand.NewPCG(27000, 35))
	const n, cols, groups = 27000, 35, 22
	d := Data{Cols: cols, X: make([]float64, 0, n*cols), Y: make([]float64, n), Group: make([]string, n)}
	b := make([]float64, groups)
	weight := make([]float64, groups)
	for g := range b {
		b[g] = 0.8 * rng.NormFloat64()
		weight[g] = 0.5 + rng.Float64()
	}
	slope := make([]float64, cols)
	for j := range slope {
		slope[j] = 0.3 * rng.NormFloat64()
	}
	for i := 0; i < n; i++ {
		// uneven group sizes
		g := int(float64(groups) * rng.Float64() * rng.Float64() * 2)
		g = min(g, groups-1)
		eta := -0.3 + b[g]
		for j := 0; j < cols; j++ {
			var v float64
			switch j % 3 {
			case 0: // click counts
				v = float64(int(rng.ExpFloat64() * 200))
				eta += slope[j] * (v - 200) / 200
			case 1: // fractions
				v = rng.Float64()
				eta += slope[j] * (v - 0.5) * 3
			default: // indicators
				if rng.Float64() < 0.3 {
					v = 1
				}
				eta += slope[j] * (v - 0.3) * 2
			}
			d.X = append(d.X, v)
		}
		if rng.Float64() < sigmoid(eta) {
			d.Y[i] = 1
		}
		d.Group[i] = fmt.Sprintf("M%02d", g)
	}
	return d
}

// BenchmarkFitOULADShaped fits the Laplace approximation to 27,000 rows ×
// 35 covariates in 22 groups (the speed target: at most 2 s on 2 cores).
func BenchmarkFitOULADShaped(b *testing.B) {
	d := ouladShaped()
	b.ResetTimer()
	for b.Loop() {
		f, err := FitRandomIntercept(context.Background(), d, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if !f.Converged {
			b.Fatal("not converged")
		}
	}
}

// BenchmarkFitOULADShapedAGQ is the same fit with 9 adaptive
// Gauss-Hermite nodes.
func BenchmarkFitOULADShapedAGQ(b *testing.B) {
	d := ouladShaped()
	b.ResetTimer()
	for b.Loop() {
		if _, err := FitRandomIntercept(context.Background(), d, Options{NAGQ: 9}); err != nil {
			b.Fatal(err)
		}
	}
}
