package multilevel

import (
	"context"
	"math"
	"testing"
)

// bruteLogLik is the marginal log-likelihood Σ_g log ∫ Π_i p(y_i | v) φ(v) dv
// by the composite Simpson rule on [−12, 12] with 800 intervals (about
// 1e-12 relative accuracy for these smooth integrands): an independent
// check of the quadrature.
func bruteLogLik(d Data, beta []float64, sd float64) float64 {
	byGroup := map[string][]int{}
	for i, g := range d.Group {
		byGroup[g] = append(byGroup[g], i)
	}
	const m, lim = 800, 12.0
	hstep := 2 * lim / m
	total := 0.0
	for _, rows := range byGroup {
		// log integrand values, then a scaled sum.
		vals := make([]float64, m+1)
		maxV := math.Inf(-1)
		for k := 0; k <= m; k++ {
			v := -lim + float64(k)*hstep
			s := -v*v/2 - 0.5*math.Log(2*math.Pi)
			for _, i := range rows {
				eta := beta[0] + sd*v
				for j := 0; j < d.Cols; j++ {
					eta += beta[j+1] * d.X[i*d.Cols+j]
				}
				_, sp := logistic(eta)
				s += d.Y[i]*eta - sp
			}
			vals[k] = s
			maxV = math.Max(maxV, s)
		}
		sum := 0.0
		for k, s := range vals {
			c := 2.0
			switch {
			case k == 0 || k == m:
				c = 1
			case k%2 == 1:
				c = 4
			}
			sum += c * math.Exp(s-maxV)
		}
		total += maxV + math.Log(sum*hstep/3)
	}
	return total
}

// TestAGQMatchesIntegral: with 25 adaptive nodes the approximation is the
// integral itself (to 1e-8 here), the fit maximises the exact likelihood
// (its directional derivatives vanish), and the Laplace approximation is
// further from the integral than 5 nodes, and those than 25.
func TestAGQMatchesIntegral(t *testing.T) {
	rng := newRng()
	d := simulate(rng, 15, 6, 1, []float64{-0.5, 1}, 1.5)
	ctx := context.Background()
	fits := map[int]*Fit{}
	for _, k := range []int{1, 5, 25} {
		f, err := FitRandomIntercept(ctx, d, Options{NAGQ: k})
		if err != nil {
			t.Fatal(err)
		}
		if !f.Converged || f.NAGQ != k {
			t.Fatalf("nAGQ %d: converged %v, NAGQ %d", k, f.Converged, f.NAGQ)
		}
		fits[k] = f
	}
	f := fits[25]
	exact := bruteLogLik(d, f.Beta, f.SD)
	if math.Abs(exact-f.LogLik) > 1e-8*math.Abs(exact) {
		t.Errorf("AGQ-25 loglik %.12g, integral %.12g", f.LogLik, exact)
	}
	// The exact log-likelihood is flat at the AGQ-25 optimum.
	const h = 1e-4
	for j := 0; j <= len(f.Beta); j++ {
		at := func(delta float64) float64 {
			b := append([]float64(nil), f.Beta...)
			sd := f.SD
			if j < len(b) {
				b[j] += delta
			} else {
				sd += delta
			}
			return bruteLogLik(d, b, sd)
		}
		if g := (at(h) - at(-h)) / (2 * h); math.Abs(g) > 1e-5 {
			t.Errorf("exact log-likelihood derivative %d at the AGQ-25 optimum = %g", j, g)
		}
	}
	errAt := func(k int) float64 {
		return math.Abs(bruteLogLik(d, fits[k].Beta, fits[k].SD) - fits[k].LogLik)
	}
	if !(errAt(1) > errAt(5) && errAt(5) > errAt(25)) {
		t.Errorf("approximation errors Laplace %g, AGQ-5 %g, AGQ-25 %g: want decreasing", errAt(1), errAt(5), errAt(25))
	}
}

// TestGaussHermite: the rule integrates E Z^(2m) = (2m−1)!! exactly up to
// degree 2n−1 (to 1e-10 of Σ w|z|^deg) and its weights sum to 1.
func TestGaussHermite(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 25} {
		z, w, err := GaussHermite(n)
		if err != nil {
			t.Fatal(err)
		}
		for deg := 0; deg <= 2*n-1; deg++ {
			got, scale := 0.0, 0.0
			for k := range z {
				got += w[k] * math.Pow(z[k], float64(deg))
				scale += w[k] * math.Abs(math.Pow(z[k], float64(deg)))
			}
			want := 0.0
			if deg%2 == 0 {
				want = 1
				for m := deg - 1; m > 0; m -= 2 {
					want *= float64(m)
				}
			}
			if math.Abs(got-want) > 1e-10*math.Max(1, scale) {
				t.Errorf("n %d: E Z^%d = %.12g, want %g", n, deg, got, want)
			}
		}
	}
	for _, n := range []int{0, MaxNAGQ + 1} {
		if _, _, err := GaussHermite(n); err == nil {
			t.Errorf("GaussHermite(%d): want an error", n)
		}
	}
}
