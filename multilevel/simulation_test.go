package multilevel

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// glmFit is plain logistic regression (σ held at 0) on d with its model
// standard errors: what an analysis that ignores the groups reports.
func glmFit(t *testing.T, d Data) (beta, se []float64) {
	labels, gi, err := d.validate()
	if err != nil {
		t.Fatal(err)
	}
	pr, std := buildProblem(d, gi, len(labels), []float64{0}, []float64{1})
	theta := make([]float64, pr.p+1)
	if _, _, ok, err := pr.newton(context.Background(), theta, true, 100); err != nil || !ok {
		t.Fatalf("logistic fit: converged %v, %v", ok, err)
	}
	cov, err := pr.covariance(theta, true)
	if err != nil {
		t.Fatal(err)
	}
	f := std.toFit(theta, cov)
	return f.Beta, f.SE
}

// TestWaldCoverage: with a true random-intercept SD of 0.5 across 40
// groups of 20 students, the 95% Wald interval of the fixed slope covers
// the true (conditional) slope between 93% and 97% of the time. With 400
// replicates the test fails when the count of covering intervals is below
// the 0.5% quantile of Binomial(400, 0.93) or above the 99.5% quantile of
// Binomial(400, 0.97): a true coverage of 87% is caught with probability
// 0.92 and one of 99.5% with probability 0.86 (400 replicates keep the
// test near one CPU-second). Beside it the test reports how often plain
// logistic regression's interval covers the same conditional slope: it
// estimates the marginal slope, attenuated towards 0 by about
// 1/√(1 + 0.346·σ²), and the test checks that its estimates average below
// the mixed model's.
func TestWaldCoverage(t *testing.T) {
	const reps, groups, perGroup = 400, 40, 20
	beta := []float64{-0.4, 1.0}
	const sd = 0.5
	type outcome struct {
		glmm, glm             bool
		glmmSlope, glmSlope   float64
		singular, interceptIn bool
	}
	out := make([]outcome, reps)
	var wg sync.WaitGroup
	next := make(chan int)
	var mu sync.Mutex
	var firstErr error
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range next {
				rng := rand.New(rand.NewPCG(20261206, uint64(r)))
				d := simulate(rng, groups, perGroup, 1, beta, sd)
				f, err := FitRandomIntercept(context.Background(), d, Options{})
				if err != nil {
					mu.Lock()
					firstErr = fmt.Errorf("replicate %d: %w", r, err)
					mu.Unlock()
					continue
				}
				gb, gse := glmFit(t, d)
				const z = 1.959963984540054
				out[r] = outcome{
					glmm:        math.Abs(f.Beta[1]-beta[1]) <= z*f.SE[1],
					glm:         math.Abs(gb[1]-beta[1]) <= z*gse[1],
					glmmSlope:   f.Beta[1],
					glmSlope:    gb[1],
					singular:    f.Singular,
					interceptIn: math.Abs(f.Beta[0]-beta[0]) <= z*f.SE[0],
				}
			}
		}()
	}
	for r := 0; r < reps; r++ {
		next <- r
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	var glmm, glm, singular, intercept int
	var glmmMean, glmMean float64
	for _, o := range out {
		glmm += b2i(o.glmm)
		glm += b2i(o.glm)
		singular += b2i(o.singular)
		intercept += b2i(o.interceptIn)
		glmmMean += o.glmmSlope / reps
		glmMean += o.glmSlope / reps
	}
	lo := distuv.Binomial{N: reps, P: 0.93}
	hi := distuv.Binomial{N: reps, P: 0.97}
	minOK, maxOK := quantileBinomial(lo, 0.005), quantileBinomial(hi, 0.995)
	t.Logf("slope 95%% Wald coverage: mixed model %d/%d (%.1f%%, accepted %d-%d), plain logistic %d/%d (%.1f%%); mean slope %.4f vs %.4f (true conditional %.2f); intercept coverage %.1f%%; singular fits %d",
		glmm, reps, 100*float64(glmm)/reps, minOK, maxOK, glm, reps, 100*float64(glm)/reps, glmmMean, glmMean, beta[1], 100*float64(intercept)/reps, singular)
	if glmm < minOK || glmm > maxOK {
		t.Errorf("mixed model slope coverage %d/%d outside the accepted %d-%d (93%%-97%% with binomial tolerance)", glmm, reps, minOK, maxOK)
	}
	if !(glmMean < glmmMean) {
		t.Errorf("plain logistic mean slope %.4f not below the mixed model's %.4f: no attenuation", glmMean, glmmMean)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// quantileBinomial returns the smallest k with CDF(k) ≥ p.
func quantileBinomial(b distuv.Binomial, p float64) int {
	for k := 0; k <= int(b.N); k++ {
		if b.CDF(float64(k)) >= p {
			return k
		}
	}
	return int(b.N)
}
