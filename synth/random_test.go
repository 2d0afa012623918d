package synth

import (
	"math"
	"testing"
)

// Sampler tests draw n values and allow 5 standard errors (false alarm
// probability below 1e-6 per check); every stream is seeded, so the outcome is
// fixed.

func TestAliasTableFrequencies(t *testing.T) {
	weights := []float64{1, 2, 3, 4, 0, 10}
	table := newAliasTable(weights)
	r := newStreamRand(1, "test/alias", 0)
	const n = 200000
	counts := make([]int, len(weights))
	for range n {
		counts[table.draw(r)]++
	}
	for i, w := range weights {
		p := w / 20
		se := math.Sqrt(p * (1 - p) / n)
		if got := float64(counts[i]) / n; math.Abs(got-p) > 5*se+1e-12 {
			t.Errorf("index %d: frequency %.4f, want %.4f +- %.4f", i, got, p, 5*se)
		}
	}
}

func TestCategoricalFrequencies(t *testing.T) {
	c := newCategorical([]float64{17875, 14718}) // real gender counts M, F
	r := newStreamRand(2, "test/categorical", 0)
	const n = 100000
	m := 0
	for range n {
		if c.draw(r) == 0 {
			m++
		}
	}
	p := 17875.0 / 32593
	if got, se := float64(m)/n, math.Sqrt(p*(1-p)/n); math.Abs(got-p) > 5*se {
		t.Errorf("share of index 0 = %.4f, want %.4f +- %.4f", got, p, 5*se)
	}
}

func TestPoissonAndGeometricMeans(t *testing.T) {
	r := newStreamRand(3, "test/counts", 0)
	const n = 100000
	for _, lambda := range []float64{0.5, 3.55, 12} {
		sum := 0.0
		for range n {
			sum += float64(poisson(r, lambda))
		}
		if got, se := sum/n, math.Sqrt(lambda/n); math.Abs(got-lambda) > 5*se {
			t.Errorf("poisson(%g) mean %.4f, want %g +- %.4f", lambda, got, lambda, 5*se)
		}
	}
	if poisson(r, 0) != 0 || poisson(r, -1) != 0 {
		t.Errorf("poisson with lambda <= 0 must be 0")
	}
	for _, mean := range []float64{1.3, 3.44, 8} {
		sum, minK := 0.0, math.MaxInt
		for range n {
			k := geometricAtLeastOne(r, mean)
			sum += float64(k)
			minK = min(minK, k)
		}
		// Variance of the geometric on {1,...} with mean m is m(m-1).
		if got, se := sum/n, math.Sqrt(mean*(mean-1)/n); math.Abs(got-mean) > 5*se {
			t.Errorf("geometric(%g) mean %.4f, want %g +- %.4f", mean, got, mean, 5*se)
		}
		if minK != 1 {
			t.Errorf("geometric(%g) minimum %d, want 1", mean, minK)
		}
	}
	for _, mean := range []float64{1, 0.2} {
		if k := geometricAtLeastOne(r, mean); k != 1 {
			t.Errorf("geometric(%g) = %d, want 1", mean, k)
		}
	}
}

func TestTruncNormalBounds(t *testing.T) {
	r := newStreamRand(4, "test/trunc", 0)
	for _, c := range []struct{ mu, sd, lo, hi float64 }{
		{62, 12, 40, 100}, {30, 10, 0, 39}, {500, 1, 0, 10}, // last: window far in the tail, clamps
	} {
		for range 1000 {
			if x := truncNormal(r, c.mu, c.sd, c.lo, c.hi); x < c.lo || x > c.hi {
				t.Fatalf("truncNormal(%v) = %g outside [%g, %g]", c, x, c.lo, c.hi)
			}
		}
	}
}

func TestQuantileCurve(t *testing.T) {
	q := quantileCurve{{0, -10}, {0.5, 0}, {0.5, 4}, {1, 8}}
	for _, c := range []struct{ u, want float64 }{
		{-1, -10}, {0, -10}, {0.25, -5}, {0.5, 0}, {0.75, 6}, {1, 8}, {2, 8},
	} {
		if got := q.at(c.u); got != c.want {
			t.Errorf("at(%g) = %g, want %g (linear between knots)", c.u, got, c.want)
		}
	}
}

func TestAllocate(t *testing.T) {
	for _, n := range []int{0, 1, 5, 21, 22, 4000, 32593, 100000} {
		counts := allocate(n, 32593)
		sum := 0
		for i, c := range counts {
			sum += c
			exact := float64(n) * float64(presentationSpecs[i].students) / 32593
			if math.Abs(float64(c)-exact) >= 1 {
				t.Errorf("n=%d: presentation %d gets %d, exact share %.2f", n, i, c, exact)
			}
		}
		if sum != n {
			t.Errorf("n=%d: allocated %d", n, sum)
		}
	}
	// At the real size the allocation is the real one.
	for i, c := range allocate(32593, 32593) {
		if c != presentationSpecs[i].students {
			t.Errorf("presentation %s/%s: %d, real %d", presentationSpecs[i].module, presentationSpecs[i].code, c, presentationSpecs[i].students)
		}
	}
}

func TestStreamRandIndependence(t *testing.T) {
	draw := func(seed uint64, stream string, index uint64) [4]uint64 {
		r := newStreamRand(seed, stream, index)
		return [4]uint64{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
	}
	base := draw(1, "oulad/student", 17)
	if draw(1, "oulad/student", 17) != base {
		t.Fatal("same seed, stream and index gave different sequences")
	}
	for _, other := range [][4]uint64{draw(2, "oulad/student", 17), draw(1, "oulad/clicks", 17), draw(1, "oulad/student", 18)} {
		if other == base {
			t.Errorf("different seed, stream or index gave the same sequence")
		}
	}
}
