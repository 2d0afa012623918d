package metrics

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// Seeded simulation tests of interval coverage and test size. Binormal
// data: negatives N(0, 1), positives N(delta, 1), so the true AUC is
// Φ(delta/√2). Tolerances follow issue 4: 95% intervals cover the true
// value 93%–97% of the time; a 5% test rejects a true null 3%–7% of the
// time. With 2,000 datasets the binomial standard error at 95% is 0.49
// points, so the bands are about ±4 standard errors.

// deltaForAUC returns the binormal separation giving AUC auc.
func deltaForAUC(auc float64) float64 { return math.Sqrt2 * distuv.UnitNormal.Quantile(auc) }

func TestDeLongCoverageSimulation(t *testing.T) {
	const datasets = 2000
	const trueAUC = 0.75
	rng := rand.New(rand.NewPCG(2024, 4))
	delta := deltaForAUC(trueAUC)
	covered := 0
	for range datasets {
		y, s := binormalSample(rng, 60, 120, delta)
		ci, err := DeLongCI(y, s, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		if ci.Lower <= trueAUC && trueAUC <= ci.Upper {
			covered++
		}
	}
	rate := float64(covered) / datasets
	t.Logf("DeLong 95%% interval coverage over %d datasets (60+120 rows, AUC %.2f): %.4f", datasets, trueAUC, rate)
	if rate < 0.93 || rate > 0.97 {
		t.Errorf("coverage %.4f outside [0.93, 0.97]", rate)
	}
}

func TestDeLongPairedNullSimulation(t *testing.T) {
	const datasets = 2000
	rng := rand.New(rand.NewPCG(2024, 5))
	rejected := 0
	for range datasets {
		// Two noisy readings of one latent score: equal true AUCs,
		// correlated estimates (the case the paired test is for).
		n := 200
		y := make([]uint8, n)
		a := make([]float64, n)
		b := make([]float64, n)
		for i := range n {
			latent := rng.NormFloat64()
			if i < 70 {
				y[i] = 1
				latent += 1.2
			}
			a[i] = latent + 0.8*rng.NormFloat64()
			b[i] = latent + 0.8*rng.NormFloat64()
		}
		r, err := DeLongPaired(y, a, b)
		if err != nil {
			t.Fatal(err)
		}
		if r.PValue < 0.05 {
			rejected++
		}
	}
	rate := float64(rejected) / datasets
	t.Logf("paired DeLong rejection rate under the null over %d datasets: %.4f", datasets, rate)
	if rate < 0.03 || rate > 0.07 {
		t.Errorf("rejection rate %.4f outside [0.03, 0.07]", rate)
	}
}

// Bootstrap coverage with 999 replicates on small samples to stay fast; the issue's
// band applies to the percentile and BCa intervals of the AUC.
func TestBootstrapCoverageSimulation(t *testing.T) {
	const datasets = 500
	const trueAUC = 0.75
	rng := rand.New(rand.NewPCG(2024, 6))
	delta := deltaForAUC(trueAUC)
	var percentile, bca int
	for d := range datasets {
		y, s := binormalSample(rng, 60, 90, delta)
		res, err := Bootstrap(y, s, 0.5, BootstrapOptions{Replicates: 999, Level: 0.95, Seed: uint64(d), Task: "coverage"})
		if err != nil {
			t.Fatal(err)
		}
		iv, _ := res.Interval("auc")
		if iv.Percentile.Lower <= trueAUC && trueAUC <= iv.Percentile.Upper {
			percentile++
		}
		if iv.BCa != nil && iv.BCa.Lower <= trueAUC && trueAUC <= iv.BCa.Upper {
			bca++
		}
	}
	for name, c := range map[string]int{"percentile": percentile, "BCa": bca} {
		rate := float64(c) / datasets
		t.Logf("stratified bootstrap %s 95%% AUC interval coverage over %d datasets: %.4f", name, datasets, rate)
		if rate < 0.93 || rate > 0.97 {
			t.Errorf("%s coverage %.4f outside [0.93, 0.97]", name, rate)
		}
	}
}

// Clustered data (students within courses): the model separates the
// classes better in some courses than in others. Positives in cluster c
// score delta + u_c + e with u_c ~ N(0, σu²) shared by the cluster,
// negatives score e', so a positive-negative difference is N(delta,
// 2 + σu²) and the true AUC is Φ(delta/√(2+σu²)). Positives of one course
// are correlated, so the cluster bootstrap should cover the true AUC about
// 95% of the time and the row bootstrap, which treats students as
// independent, clearly less often.
func TestClusterBootstrapCoverageSimulation(t *testing.T) {
	const (
		datasets   = 300
		clusters   = 60
		perClass   = 4 // positives and negatives per cluster
		delta      = 1.0
		sigmaU     = 0.8
		replicates = 299
	)
	trueAUC := distuv.UnitNormal.CDF(delta / math.Sqrt(2+sigmaU*sigmaU))
	rng := rand.New(rand.NewPCG(2024, 7))
	n := clusters * 2 * perClass
	y := make([]uint8, n)
	s := make([]float64, n)
	ids := make([]string, n)
	covered := map[string]int{}
	for d := range datasets {
		i := 0
		for c := range clusters {
			u := sigmaU * rng.NormFloat64()
			for k := range 2 * perClass {
				y[i] = uint8(k % 2)
				s[i] = rng.NormFloat64()
				if y[i] == 1 {
					s[i] += delta + u
				}
				ids[i] = strconv.Itoa(c)
				i++
			}
		}
		for _, scheme := range []string{SchemeCluster, SchemeStratified} {
			opt := BootstrapOptions{Replicates: replicates, Level: 0.95, Seed: uint64(d), Task: "cluster-coverage", Scheme: scheme}
			if scheme == SchemeCluster {
				opt.Clusters = ids
			}
			res, err := Bootstrap(y, s, 0, opt)
			if err != nil {
				t.Fatal(err)
			}
			iv, _ := res.Interval("auc")
			if iv.Percentile.Lower <= trueAUC && trueAUC <= iv.Percentile.Upper {
				covered[scheme]++
			}
		}
	}
	cl := float64(covered[SchemeCluster]) / datasets
	st := float64(covered[SchemeStratified]) / datasets
	t.Logf("clustered data (%d clusters, true AUC %.4f): cluster bootstrap coverage %.4f, row bootstrap %.4f", clusters, trueAUC, cl, st)
	// 300 datasets: binomial SE about 1.3 points at 95%.
	if cl < 0.92 || cl > 0.975 {
		t.Errorf("cluster bootstrap coverage %.4f outside [0.92, 0.975]", cl)
	}
	if st > cl-0.03 {
		t.Errorf("row bootstrap coverage %.4f should fall clearly below the cluster bootstrap's %.4f", st, cl)
	}
}
