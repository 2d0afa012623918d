package multilevel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// simulate draws n rows in groups groups with covariates cols standard
// normal, intercept beta[0], slopes beta[1:], random-intercept SD sd.
func simulate(rng *rand.Rand, groups, perGroup, cols int, beta []float64, sd float64) Data {
	d := Data{Cols: cols}
	for g := 0; g < groups; g++ {
		b := sd * rng.NormFloat64()
		label := string(rune('A'+g%26)) + string(rune('a'+g/26))
		for r := 0; r < perGroup; r++ {
			eta := beta[0] + b
			for j := 0; j < cols; j++ {
				v := rng.NormFloat64()
				d.X = append(d.X, v)
				eta += beta[j+1] * v
			}
			y := 0.0
			if rng.Float64() < sigmoid(eta) {
				y = 1
			}
			d.Y = append(d.Y, y)
			d.Group = append(d.Group, label)
		}
	}
	return d
}

// TestGradient compares the analytic gradient of the Laplace and adaptive
// quadrature objectives with central differences of the objective.
func TestGradient(t *testing.T) {
	rng := newRng()
	d := simulate(rng, 8, 15, 2, []float64{-0.3, 0.8, -0.5}, 0.9)
	labels, gi, err := d.validate()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{1, 2, 5, 9} {
		z, w, err := GaussHermite(k)
		if err != nil {
			t.Fatal(err)
		}
		pr, _ := buildProblem(d, gi, len(labels), z, w)
		theta := []float64{-0.2, 0.7, -0.4, 0.8}
		ws := newWorkspace(pr)
		grad := make([]float64, len(theta))
		pr.setBeta(ws, theta[:pr.p])
		pr.eval(ws, theta[pr.p], grad, true)
		for j := range theta {
			f := func(delta float64) float64 {
				th := append([]float64(nil), theta...)
				th[j] += delta
				w := newWorkspace(pr)
				pr.setBeta(w, th[:pr.p])
				return pr.eval(w, th[pr.p], nil, true)
			}
			const h = 1e-5
			num := (f(h) - f(-h)) / (2 * h)
			if math.Abs(num-grad[j]) > 1e-6*math.Max(1, math.Abs(num)) {
				t.Errorf("nAGQ %d: d/dθ%d: analytic %.10g, numeric %.10g", k, j, grad[j], num)
			}
		}
	}
}

func newRng() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }
