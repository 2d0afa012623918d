package abtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// Seeded simulations of the properties the pilot analyses promise. Each
// rate is checked against a band wide enough that a correct method fails
// it with probability well below 1e-3 (about 3 binomial standard deviations
// or more), yet narrow enough to catch a wrong variance or a wrong
// reference distribution.

func checkRate(t *testing.T, what string, hits, n int, lo, hi float64) {
	t.Helper()
	r := float64(hits) / float64(n)
	if r < lo || r > hi {
		t.Errorf("%s: %d of %d = %.4f, want within [%.3f, %.3f]", what, hits, n, r, lo, hi)
	} else {
		t.Logf("%s: %.4f (band [%.3f, %.3f])", what, r, lo, hi)
	}
}

func binomialDraw(rng *rand.Rand, n int, p float64) int {
	x := 0
	for range n {
		if rng.Float64() < p {
			x++
		}
	}
	return x
}

func TestSimulationNullRejection(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation")
	}
	const sims = 2000
	rng := rand.New(rand.NewPCG(20261123, 1))

	t.Run("two-proportion z", func(t *testing.T) {
		rej := 0
		for range sims {
			x1, x2 := binomialDraw(rng, 200, 0.3), binomialDraw(rng, 220, 0.3)
			r, err := TwoProportions(x1, 200, x2, 220, 0.95)
			if err != nil {
				t.Fatal(err)
			}
			if *r.PValue < 0.05 {
				rej++
			}
		}
		checkRate(t, "z test null rejection", rej, sims, 0.03, 0.07)
	})

	t.Run("welch", func(t *testing.T) {
		rej := 0
		a, b := make([]float64, 25), make([]float64, 60)
		for range sims {
			for i := range a {
				a[i] = 70 + 15*rng.NormFloat64() // unequal variances and sizes
			}
			for i := range b {
				b[i] = 70 + 6*rng.NormFloat64()
			}
			r, err := WelchT(a, b, 0.95)
			if err != nil {
				t.Fatal(err)
			}
			if r.PValue < 0.05 {
				rej++
			}
		}
		checkRate(t, "Welch null rejection", rej, sims, 0.03, 0.07)
	})

	t.Run("cmh", func(t *testing.T) {
		rej := 0
		base := []float64{0.1, 0.25, 0.4, 0.6}
		sizes := [][2]int{{40, 35}, {60, 70}, {30, 30}, {50, 45}}
		strata := make([]Stratum2x2, 4)
		for range sims {
			for k := range strata {
				x1, x2 := binomialDraw(rng, sizes[k][0], base[k]), binomialDraw(rng, sizes[k][1], base[k])
				strata[k] = Stratum2x2{{x1, sizes[k][0] - x1}, {x2, sizes[k][1] - x2}}
			}
			r, err := CochranMantelHaenszel(strata, false, 0.95)
			if err != nil {
				t.Fatal(err)
			}
			if r.PValue < 0.05 {
				rej++
			}
		}
		checkRate(t, "CMH null rejection", rej, sims, 0.03, 0.07)
	})

	t.Run("cluster-robust", func(t *testing.T) {
		// 40 sections of 8 to 30 students, half treated, outcome with
		// ICC 0.1: a naive test would reject far too often.
		const clusters = 40
		rej := 0
		sim := 2000
		for range sim {
			var y []float64
			var treated []bool
			var labels []string
			perm := rng.Perm(clusters)
			for c := range clusters {
				m := 8 + rng.IntN(23)
				u := math.Sqrt(0.1) * rng.NormFloat64()
				for range m {
					y = append(y, u+math.Sqrt(0.9)*rng.NormFloat64())
					treated = append(treated, perm[c] < clusters/2)
					labels = append(labels, clusterLabels[c])
				}
			}
			r, err := ClusterRobustEffect(y, treated, labels, 0.95)
			if err != nil {
				t.Fatal(err)
			}
			if r.PValue < 0.05 {
				rej++
			}
		}
		checkRate(t, "cluster-robust (40 clusters) null rejection", rej, sim, 0.03, 0.07)
	})
}

var clusterLabels = func() []string {
	out := make([]string, 200)
	for i := range out {
		out[i] = fmt.Sprintf("c%03d", i)
	}
	return out
}()

func TestSimulationCoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation")
	}
	const sims = 2000
	rng := rand.New(rand.NewPCG(20261123, 2))
	p1, p2 := 0.2, 0.3
	wald, newc := 0, 0
	for range sims {
		x1, x2 := binomialDraw(rng, 150, p1), binomialDraw(rng, 160, p2)
		r, err := TwoProportions(x1, 150, x2, 160, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		if r.Wald.Contains(p1 - p2) {
			wald++
		}
		if r.Newcombe.Contains(p1 - p2) {
			newc++
		}
	}
	checkRate(t, "Wald 95% risk-difference coverage", wald, sims, 0.93, 0.97)
	checkRate(t, "Newcombe 95% risk-difference coverage", newc, sims, 0.93, 0.97)

	// Stratum-weighted risk difference with a common effect of −0.08.
	base := []float64{0.15, 0.3, 0.45}
	sizes := [][2]int{{80, 70}, {100, 110}, {60, 60}}
	strata := make([]Stratum2x2, 3)
	cover := 0
	for range sims {
		for k := range strata {
			x1, x2 := binomialDraw(rng, sizes[k][0], base[k]-0.08), binomialDraw(rng, sizes[k][1], base[k])
			strata[k] = Stratum2x2{{x1, sizes[k][0] - x1}, {x2, sizes[k][1] - x2}}
		}
		r, err := StratifiedRiskDifference(strata, WeightMantelHaenszel, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		if r.CI.Contains(-0.08) {
			cover++
		}
	}
	checkRate(t, "stratified risk-difference coverage", cover, sims, 0.93, 0.97)

	// Complier average effect (delta method): 60% compliers, effect 5.
	cover = 0
	const n = 400
	y, rec := make([]float64, n), make([]float64, n)
	tr := make([]bool, n)
	for range 1000 {
		for i := range n {
			tr[i] = i%2 == 0
			rec[i] = 0
			complier := rng.Float64() < 0.6
			if tr[i] && complier {
				rec[i] = 1
			}
			y[i] = 50 + 10*rng.NormFloat64() + 5*rec[i]
			if complier {
				y[i] += 3 // compliers differ at baseline; ITT/IV still valid
			}
		}
		r, err := ComplierAverageEffect(y, rec, tr, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		if r.CI.Contains(5) {
			cover++
		}
	}
	checkRate(t, "complier effect 95% coverage", cover, 1000, 0.93, 0.97)
}

func TestSimulationPower(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation")
	}
	const sims = 2000
	rng := rand.New(rand.NewPCG(20261123, 3))
	within := func(what string, predicted float64, hits, n int) {
		t.Helper()
		sim := float64(hits) / float64(n)
		if math.Abs(sim-predicted) > 0.03 {
			t.Errorf("%s: predicted power %.3f, simulated %.3f (%d sims): more than 3 points apart", what, predicted, sim, n)
		} else {
			t.Logf("%s: predicted %.3f, simulated %.3f", what, predicted, sim)
		}
	}

	// Design 1: DFW 35% → 25%, 300 per arm, pooled z test.
	d1 := ProportionsDesign{P1: 0.25, P2: 0.35, Alpha: 0.05}
	p1, _ := PowerTwoProportions(d1, 300)
	hits := 0
	for range sims {
		x1, x2 := binomialDraw(rng, 300, 0.25), binomialDraw(rng, 300, 0.35)
		r, _ := TwoProportions(x1, 300, x2, 300, 0.95)
		if *r.PValue < 0.05 {
			hits++
		}
	}
	within("proportions 300/arm", p1.Power, hits, sims)

	// Design 2: means, delta 0.35 SD, 2:1 allocation (120 treated, 60
	// control), Welch test.
	d2 := MeansDesign{Delta: 0.35, SD: 1, Alpha: 0.05, Ratio: 2}
	p2, _ := PowerTwoMeans(d2, 60)
	hits = 0
	a, b := make([]float64, 120), make([]float64, 60)
	for range sims {
		for i := range a {
			a[i] = 0.35 + rng.NormFloat64()
		}
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		r, _ := WelchT(a, b, 0.95)
		if r.PValue < 0.05 {
			hits++
		}
	}
	within("means 2:1 allocation", p2.Power, hits, sims)

	// Design 3: cluster-randomized DFW 30% → 20%, 30 sections of 15 per
	// arm, ICC 0.05 (section rates beta distributed), analysed with CR1.
	d3 := ProportionsDesign{P1: 0.2, P2: 0.3, Alpha: 0.05, Cluster: ClusterDesign{ICC: 0.05, ClusterSize: 15}}
	p3, _ := PowerTwoProportions(d3, 450)
	hits = 0
	const sims3 = 1000
	for range sims3 {
		var y []float64
		var treated []bool
		var labels []string
		for c := range 60 {
			p := 0.3
			if c < 30 {
				p = 0.2
			}
			// Beta(a, b) with mean p and a + b = (1 − ICC)/ICC has
			// intra-cluster correlation ICC for the binary outcomes.
			ab := (1 - 0.05) / 0.05
			rate := distuv.Beta{Alpha: p * ab, Beta: (1 - p) * ab, Src: rng}.Rand()
			for range 15 {
				v := 0.0
				if rng.Float64() < rate {
					v = 1
				}
				y = append(y, v)
				treated = append(treated, c < 30)
				labels = append(labels, clusterLabels[c])
			}
		}
		r, err := ClusterRobustEffect(y, treated, labels, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		if r.PValue < 0.05 {
			hits++
		}
	}
	within("cluster-randomized proportions", p3.Power, hits, sims3)
}

func TestSimulationSequentialTypeI(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation")
	}
	// O'Brien-Fleming spending with three equally spaced looks on a null
	// two-proportion pilot (DFW 30% in both arms, 600 per arm at the end):
	// stop at the first look whose |z| crosses its boundary.
	d := SequentialDesign{Alpha: 0.05, Spending: SpendingOBrienFleming, Looks: []float64{1.0 / 3, 2.0 / 3, 1}}
	bounds, err := GroupSequentialBoundaries(d)
	if err != nil {
		t.Fatal(err)
	}
	pocock, err := GroupSequentialBoundaries(SequentialDesign{Alpha: 0.05, Spending: SpendingPocock, Looks: d.Looks})
	if err != nil {
		t.Fatal(err)
	}
	naive := []Boundary{{Z: 1.959963984540054}, {Z: 1.959963984540054}, {Z: 1.959963984540054}}
	rng := rand.New(rand.NewPCG(20261123, 4))
	const sims = 4000
	rejOBF, rejPocock, rejNaive := 0, 0, 0
	crosses := func(bs []Boundary, z []float64) bool {
		for k, b := range bs {
			if math.Abs(z[k]) >= b.Z {
				return true
			}
		}
		return false
	}
	z := make([]float64, 3)
	for range sims {
		x1, x2 := 0, 0
		for k := range z {
			x1 += binomialDraw(rng, 200, 0.3)
			x2 += binomialDraw(rng, 200, 0.3)
			n := 200 * (k + 1)
			r, _ := TwoProportions(x1, n, x2, n, 0.95)
			z[k] = *r.Z
		}
		if crosses(bounds, z) {
			rejOBF++
		}
		if crosses(pocock, z) {
			rejPocock++
		}
		if crosses(naive, z) {
			rejNaive++
		}
	}
	checkRate(t, "O'Brien-Fleming 3 looks overall type I error", rejOBF, sims, 0.035, 0.065)
	checkRate(t, "Pocock 3 looks overall type I error", rejPocock, sims, 0.035, 0.065)
	// Testing at 1.96 at every look inflates the error to about 0.107
	// (Armitage et al. 1969): the simulation can tell boundaries apart.
	checkRate(t, "unadjusted 3 looks overall type I error", rejNaive, sims, 0.085, 0.13)
}
