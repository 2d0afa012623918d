package fairness

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// nullCohort simulates two groups of n rows each drawn from the same
// distribution (base rate 0.3, scores depending on the label only), so
// every true gap is zero.
func nullCohort(r *rand.Rand, n int) ([]uint8, []float64, []string) {
	y := make([]uint8, 2*n)
	s := make([]float64, 2*n)
	g := make([]string, 2*n)
	for i := range y {
		g[i] = []string{"A", "B"}[i%2]
		if r.Float64() < 0.3 {
			y[i] = 1
		}
		z := -1 + 1.5*float64(y[i]) + r.NormFloat64()
		s[i] = 1 / (1 + math.Exp(-z))
	}
	return y, s, g
}

// TestNullTPRGapCoverageAndRejection is the simulation: with no
// true gap, the 95% bootstrap interval of the TPR gap must cover 0 in
// 93-97% of 500 seeded simulations, and the permutation test must reject
// at 0.05 in 3-7% of them. Binomial tolerance: the standard deviation of
// a rate near 0.95 (0.05) over 500 simulations is 0.97 points, so each
// range is about +-2 standard deviations around the nominal rate.
func TestNullTPRGapCoverageAndRejection(t *testing.T) {
	const sims = 500
	covered, rejected := 0, 0
	for sim := range sims {
		r := rand.New(rand.NewPCG(uint64(sim), 2024))
		y, s, g := nullCohort(r, 400)
		opts := DefaultAuditOptions()
		opts.Metrics = []string{MetricTPR}
		opts.MinGroupSize = 0
		opts.BootstrapReplicates, opts.Permutations = 400, 400
		opts.Seed = uint64(sim)
		res, err := Audit(y, s, []Attribute{{"group", g}}, opts)
		if err != nil {
			t.Fatal(err)
		}
		gap := findGap(t, res.Attributes[0], "tpr_difference", "B")
		if !gap.Lower.Defined || !gap.PValue.Defined {
			t.Fatalf("sim %d: interval or p-value undefined: %+v", sim, gap)
		}
		if gap.Lower.Value <= 0 && 0 <= gap.Upper.Value {
			covered++
		}
		if gap.PValue.Value <= 0.05 {
			rejected++
		}
	}
	coverage, rejection := float64(covered)/sims, float64(rejected)/sims
	t.Logf("coverage %.3f, rejection %.3f over %d simulations", coverage, rejection, sims)
	if coverage < 0.93 || coverage > 0.97 {
		t.Errorf("bootstrap 95%% interval covers the null TPR gap in %.1f%% of simulations, want 93-97%%", 100*coverage)
	}
	if rejection < 0.03 || rejection > 0.07 {
		t.Errorf("permutation test rejects the null at 0.05 in %.1f%% of simulations, want 3-7%%", 100*rejection)
	}
}

// TestNullABROCARejection checks the ABROCA permutation test (with the
// default Besag-Clifford stopping) under the null: it must reject at 0.05
// in 2-8% of 300 simulations (standard deviation 1.3 points).
func TestNullABROCARejection(t *testing.T) {
	const sims = 300
	rejected := 0
	for sim := range sims {
		r := rand.New(rand.NewPCG(uint64(sim), 77))
		y, s, g := nullCohort(r, 120)
		opts := DefaultAuditOptions()
		opts.Metrics = []string{MetricABROCA}
		opts.MinGroupSize = 0
		opts.BootstrapReplicates, opts.Permutations = 0, 399
		opts.Seed = uint64(sim)
		res, err := Audit(y, s, []Attribute{{"group", g}}, opts)
		if err != nil {
			t.Fatal(err)
		}
		gap := findGap(t, res.Attributes[0], "abroca", "B")
		if !gap.PValue.Defined {
			t.Fatalf("sim %d: p-value undefined: %s", sim, gap.PValue.Reason)
		}
		if gap.PValue.Value <= 0.05 {
			rejected++
		}
	}
	rate := float64(rejected) / sims
	t.Logf("ABROCA rejection %.3f over %d simulations", rate, sims)
	if rate < 0.02 || rate > 0.08 {
		t.Errorf("ABROCA permutation test rejects the null at 0.05 in %.1f%% of simulations, want 2-8%%", 100*rate)
	}
}

// TestSamplers compares the binomial and hypergeometric samplers with
// their probability mass functions by a chi-square goodness-of-fit test
// over 20,000 seeded draws; the statistic must stay below the 0.999
// quantile of its chi-square distribution (cells with expected count
// below 5 pooled into the tails).
func TestSamplers(t *testing.T) {
	type dist struct {
		name   string
		lo, hi int
		pmf    func(k int) float64
		draw   func(s *stream) int
	}
	binom := func(n int, p float64) dist {
		return dist{"binomial", 0, n, func(k int) float64 {
			return math.Exp(lchoose(n, k) + float64(k)*math.Log(p) + float64(n-k)*math.Log(1-p))
		}, func(s *stream) int { return s.binomial(n, p) }}
	}
	hyper := func(total, marked, n int) dist {
		return dist{"hypergeometric", max(0, n-(total-marked)), min(n, marked), func(k int) float64 {
			return math.Exp(lchoose(marked, k) + lchoose(total-marked, n-k) - lchoose(total, n))
		}, func(s *stream) int { return s.hypergeometric(total, marked, n) }}
	}
	for i, d := range []dist{binom(20, 0.3), binom(200, 0.05), binom(1000, 0.5), hyper(50, 20, 10), hyper(400, 30, 200), hyper(1000, 700, 900)} {
		var s stream
		s.reset(uint64(i), "test", d.name, 0)
		const draws = 20000
		counts := make(map[int]int)
		for range draws {
			k := d.draw(&s)
			if k < d.lo || k > d.hi {
				t.Fatalf("%s %d: draw %d outside [%d, %d]", d.name, i, k, d.lo, d.hi)
			}
			counts[k]++
		}
		// Pool cells into bins of expected count >= 5.
		var chi2, exp float64
		obs, cells := 0, 0
		for k := d.lo; k <= d.hi; k++ {
			exp += d.pmf(k) * draws
			obs += counts[k]
			if exp >= 5 || k == d.hi {
				chi2 += (float64(obs) - exp) * (float64(obs) - exp) / math.Max(exp, 1e-300)
				cells++
				exp, obs = 0, 0
			}
		}
		df := float64(cells - 1)
		if limit := (distuv.ChiSquared{K: df}).Quantile(0.999); chi2 > limit {
			t.Errorf("%s %d: chi-square %.1f on %v df exceeds %.1f", d.name, i, chi2, df, limit)
		}
	}
}

// TestNullBetweenGroupsRejection checks the between-groups permutation
// test (labels dealt among three groups) under the null: the selection-rate
// max-min gap must be rejected at 0.05 in 2-8% of 300 simulations.
func TestNullBetweenGroupsRejection(t *testing.T) {
	const sims = 300
	rejected := 0
	for sim := range sims {
		r := rand.New(rand.NewPCG(uint64(sim), 31))
		y, s, _ := nullCohort(r, 150)
		g := make([]string, len(y))
		for i := range g {
			g[i] = []string{"A", "B", "C"}[r.IntN(3)]
		}
		opts := DefaultAuditOptions()
		opts.Metrics = []string{MetricSelectionRate}
		opts.MinGroupSize = 0
		opts.BootstrapReplicates, opts.Permutations = 0, 399
		opts.Seed = uint64(sim)
		opts.References = map[string]Reference{"group": {Mode: ReferenceBetween}}
		res, err := Audit(y, s, []Attribute{{"group", g}}, opts)
		if err != nil {
			t.Fatal(err)
		}
		gap := findGap(t, res.Attributes[0], "selection_rate_difference", "")
		if gap.PValue.Defined && gap.PValue.Value <= 0.05 {
			rejected++
		}
	}
	rate := float64(rejected) / sims
	t.Logf("between-groups rejection %.3f over %d simulations", rate, sims)
	if rate < 0.02 || rate > 0.08 {
		t.Errorf("between-groups permutation test rejects the null at 0.05 in %.1f%% of simulations, want 2-8%%", 100*rate)
	}
}

func TestQuantile7(t *testing.T) {
	// R: quantile(1:5, c(0, 0.1, 0.25, 0.5, 0.975, 1)) = 1, 1.4, 2, 3, 4.9, 5.
	x := []float64{1, 2, 3, 4, 5}
	for _, tc := range [][2]float64{{0, 1}, {0.1, 1.4}, {0.25, 2}, {0.5, 3}, {0.975, 4.9}, {1, 5}} {
		if got := quantile7(x, tc[0]); math.Abs(got-tc[1]) > 1e-12 {
			t.Errorf("quantile7(%v) = %v, want %v", tc[0], got, tc[1])
		}
	}
}

// TestSelectionSamplingIsUniform draws 2-subsets of 5 rows by selection
// sampling, as the ABROCA permutations do, and checks that each of the 10
// subsets has frequency 1/10 (chi-square on 9 df below its 0.999 quantile
// over 20,000 draws) and that every draw holds exactly 2 rows.
func TestSelectionSamplingIsUniform(t *testing.T) {
	var s stream
	s.reset(3, "test", "selection", 0)
	counts := map[[5]int64]int{}
	const draws = 20000
	for range draws {
		var subset [5]int64
		sel := selector{s: &s, left: 5, places: 2}
		for i := range subset {
			subset[i] = sel.next()
		}
		if sel.places != 0 {
			t.Fatalf("subset %v does not hold 2 rows", subset)
		}
		counts[subset]++
	}
	if len(counts) != 10 {
		t.Fatalf("%d distinct subsets, want 10", len(counts))
	}
	var chi2 float64
	for _, c := range counts {
		d := float64(c) - draws/10
		chi2 += d * d / (draws / 10)
	}
	if limit := (distuv.ChiSquared{K: 9}).Quantile(0.999); chi2 > limit {
		t.Errorf("chi-square %.1f exceeds %.1f: %v", chi2, limit, counts)
	}
}
