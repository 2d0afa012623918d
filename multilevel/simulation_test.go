package multilevel

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/evalrun/evalrun/internal/workpool"
)

// glmFit is plain logistic regression (σ held at 0) on d with its model
// standard errors: what an analysis that ignores the groups reports. It
// returns an error rather than failing t, as it runs on worker goroutines.
func glmFit(d Data) (beta, se []float64, err error) {
	labels, gi, err := d.validate()
	if err != nil {
		return nil, nil, err
	}
	pr, std := buildProblem(d, gi, len(labels), []float64{0}, []float64{1})
	theta := make([]float64, pr.p+1)
	if _, _, ok, err := pr.newton(context.Background(), theta, true, 100); err != nil || !ok {
		return nil, nil, fmt.Errorf("logistic fit: converged %v, %v", ok, err)
	}
	cov, err := pr.covariance(theta, true)
	if err != nil {
		return nil, nil, err
	}
	f := std.toFit(theta, cov)
	return f.Beta, f.SE, nil
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
	err := workpool.Run(context.Background(), reps, 0, func(r int) error {
		rng := rand.New(rand.NewPCG(20261206, uint64(r)))
		d := simulate(rng, groups, perGroup, 1, beta, sd)
		f, err := FitRandomIntercept(context.Background(), d, Options{})
		if err != nil {
			return fmt.Errorf("replicate %d: %w", r, err)
		}
		gb, gse, err := glmFit(d)
		if err != nil {
			return fmt.Errorf("replicate %d: %w", r, err)
		}
		const z = 1.959963984540054
		out[r] = outcome{
			glmm:        math.Abs(f.Beta[1]-beta[1]) <= z*f.SE[1],
			glm:         math.Abs(gb[1]-beta[1]) <= z*gse[1],
			glmmSlope:   f.Beta[1],
			glmSlope:    gb[1],
			singular:    f.Singular,
			interceptIn: math.Abs(f.Beta[0]-beta[0]) <= z*f.SE[0],
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
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
