package metrics

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// reportValues returns Report's metrics in ReportMetrics order, NaN for
// undefined.
func reportValues(r Report) [nMetrics]float64 { return r.values() }

func sameOrBothNaN(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= tol
}

// A small sample with ties across classes and at the threshold.
var (
	jkY     = []uint8{1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0}
	jkScore = []float64{0.9, 0.9, 0.7, 0.5, 0.5, 0.5, 0.3, 0.3, 0.2, 0.6, 0.1, 0.6}
)

// The closed-form row jackknife must equal recomputing every metric with
// each row removed (by Evaluate).
func TestRowJackknifeMatchesBruteForce(t *testing.T) {
	for _, threshold := range []float64{0.5, 0.95} {
		opt := BootstrapOptions{Replicates: 1, Level: 0.9}
		s, err := newBootSample(jkY, [][]float64{jkScore}, []float64{threshold}, &opt)
		if err != nil {
			t.Fatal(err)
		}
		full := newTally(s)
		full.addRange(s, 0, len(jkY), 1)
		got := s.rowJackknife(0, full)
		for p, row := range s.perm {
			i := int(row)
			y := slices.Delete(slices.Clone(jkY), i, i+1)
			sc := slices.Delete(slices.Clone(jkScore), i, i+1)
			r, err := Evaluate(y, sc, threshold)
			if err != nil {
				t.Fatal(err)
			}
			want := reportValues(r)
			for k := range want {
				if !sameOrBothNaN(got[k][p], want[k], 1e-12) {
					t.Errorf("threshold %v, row %d left out: %s = %v, want %v", threshold, i, ReportMetrics[k], got[k][p], want[k])
				}
			}
		}
	}
}

// The cluster jackknife must equal recomputing with each cluster removed.
func TestClusterJackknifeMatchesBruteForce(t *testing.T) {
	clusters := []string{"a", "b", "a", "c", "b", "a", "c", "c", "b", "a", "d", "d"}
	opt := BootstrapOptions{Replicates: 1, Level: 0.9, Scheme: SchemeCluster, Clusters: clusters}
	s, err := newBootSample(jkY, [][]float64{jkScore}, []float64{0.5}, &opt)
	if err != nil {
		t.Fatal(err)
	}
	full := newTally(s)
	full.addRange(s, 0, len(jkY), 1)
	got, _ := s.jackknife(full, func(t *tally, out *[nMetrics]float64) { t.metrics(s, 0, out) })
	for c, name := range []string{"a", "b", "c", "d"} {
		var y []uint8
		var sc []float64
		for i := range jkY {
			if clusters[i] != name {
				y = append(y, jkY[i])
				sc = append(sc, jkScore[i])
			}
		}
		r, err := Evaluate(y, sc, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		want := reportValues(r)
		for k := range want {
			if !sameOrBothNaN(got[k][c], want[k], 1e-12) {
				t.Errorf("cluster %s left out: %s = %v, want %v", name, ReportMetrics[k], got[k][c], want[k])
			}
		}
	}
}

func TestAcceleration(t *testing.T) {
	// One stratum, jackknife values 1, 2, 3, 10: mean 4, U = mean - θ₋ᵢ =
	// 3, 2, 1, -6; a = ΣU³ / (6 (ΣU²)^1.5) = (27+8+1-216) / (6·50^1.5).
	a := acceleration([]float64{1, 2, 3, 10}, make([]uint8, 4))
	assertClose(t, "a", a, -180/(6*math.Pow(50, 1.5)), 1e-15)
	if a := acceleration([]float64{1, 2, 3}, make([]uint8, 3)); a != 0 {
		t.Errorf("symmetric jackknife: a = %v, want 0", a)
	}
	if a := acceleration([]float64{5, 5}, make([]uint8, 2)); a != 0 {
		t.Errorf("constant jackknife: a = %v, want 0", a)
	}
}

func TestQuantile7(t *testing.T) {
	// numpy.quantile([1, 2, 3, 4, 10], q) with the default linear method.
	v := []float64{1, 2, 3, 4, 10}
	for q, want := range map[float64]float64{0: 1, 0.25: 2, 0.5: 3, 0.9: 7.6, 1: 10, 0.1: 1.4} {
		assertClose(t, "quantile", quantile7(v, q), want, 1e-12)
	}
}

func binormalSample(rng *rand.Rand, nPos, nNeg int, delta float64) ([]uint8, []float64) {
	y := make([]uint8, 0, nPos+nNeg)
	s := make([]float64, 0, nPos+nNeg)
	for range nPos {
		y = append(y, 1)
		s = append(s, delta+rng.NormFloat64())
	}
	for range nNeg {
		y = append(y, 0)
		s = append(s, rng.NormFloat64())
	}
	return y, s
}

func TestBootstrapEstimatesAndDeterminism(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	y, s := binormalSample(rng, 40, 60, 1)
	p := make([]float64, len(s))
	for i, v := range s {
		p[i] = sigmoid(v - 0.5)
	}
	want, err := Evaluate(y, p, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	var first []byte
	for _, workers := range []int{1, 2, 3} {
		res, err := Bootstrap(y, p, 0.5, BootstrapOptions{Replicates: 200, Level: 0.9, Seed: 42, Task: "test/a", Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		wv := reportValues(want)
		for k, iv := range res.Intervals {
			if iv.Metric != ReportMetrics[k] || iv.Estimate == nil || !close(*iv.Estimate, wv[k], 1e-12) {
				t.Errorf("%s: estimate %v, want %v", iv.Metric, iv.Estimate, wv[k])
			}
			if iv.Percentile == nil || iv.Percentile.Lower > iv.Percentile.Upper {
				t.Errorf("%s: percentile %v", iv.Metric, iv.Percentile)
			}
		}
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = b
		} else if string(b) != string(first) {
			t.Errorf("workers=%d changed the result", workers)
		}
	}
	other, _ := Bootstrap(y, p, 0.5, BootstrapOptions{Replicates: 200, Level: 0.9, Seed: 42, Task: "test/b"})
	b, _ := json.Marshal(other)
	if string(b) == string(first) {
		t.Error("a different task name gave identical replicates")
	}
	// Stratification keeps the class counts: the base rate never varies.
	res, _ := Bootstrap(y, p, 0.5, BootstrapOptions{Replicates: 50, Level: 0.9, Seed: 1})
	br, _ := res.Interval("base_rate")
	if br.Percentile.Lower != 0.4 || br.Percentile.Upper != 0.4 || *br.SE != 0 {
		t.Errorf("stratified base rate varies: %+v", br)
	}
	simple, _ := Bootstrap(y, p, 0.5, BootstrapOptions{Replicates: 50, Level: 0.9, Seed: 1, Scheme: SchemeSimple})
	br, _ = simple.Interval("base_rate")
	if *br.SE == 0 {
		t.Error("simple bootstrap base rate does not vary")
	}
}

func TestBootstrapUndefinedAndErrors(t *testing.T) {
	// Scores outside [0, 1]: Brier and log loss undefined; nothing flagged
	// at threshold 100: precision undefined everywhere.
	y := []uint8{0, 1, 0, 1, 1, 0}
	s := []float64{-2, 3, 0.5, 7, 1, 2}
	res, err := Bootstrap(y, s, 100, BootstrapOptions{Replicates: 20, Level: 0.95})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"brier", "log_loss", "precision"} {
		iv, _ := res.Interval(name)
		if iv.Estimate != nil || iv.Percentile != nil || iv.BCa != nil || iv.Note == "" {
			t.Errorf("%s: %+v, want undefined with a note", name, iv)
		}
	}
	b, err := json.Marshal(res)
	if err != nil || strings.Contains(string(b), "NaN") {
		t.Errorf("JSON: %v %s", err, b)
	}
	bad := []BootstrapOptions{
		{Replicates: 0, Level: 0.95},
		{Replicates: 10, Level: 1},
		{Replicates: 10, Level: 0.95, Scheme: "blocks"},
		{Replicates: 10, Level: 0.95, Scheme: SchemeCluster},
		{Replicates: 10, Level: 0.95, Scheme: SchemeCluster, Clusters: []string{"a"}},
		{Replicates: 10, Level: 0.95, Clusters: []string{"a", "a", "a", "b", "b", "b"}},
	}
	for _, opt := range bad {
		if _, err := Bootstrap(y, s, 0.5, opt); err == nil {
			t.Errorf("%+v: want error", opt)
		}
	}
	if _, err := Bootstrap(y, s, math.Inf(1), BootstrapOptions{Replicates: 10, Level: 0.9}); err == nil {
		t.Error("infinite threshold: want error")
	}
	if _, err := PairedBootstrap(y, s, s[:5], 0.5, 0.5, BootstrapOptions{Replicates: 10, Level: 0.9}); err == nil {
		t.Error("paired length mismatch: want error")
	}
}

func TestClusterBootstrapWarning(t *testing.T) {
	clusters := []string{"a", "b", "a", "c", "b", "a", "c", "c", "b", "a", "d", "d"}
	res, err := Bootstrap(jkY, jkScore, 0.5, BootstrapOptions{Replicates: 100, Level: 0.9, Scheme: SchemeCluster, Clusters: clusters})
	if err != nil {
		t.Fatal(err)
	}
	if res.Units != 4 || len(res.Warnings) != 1 {
		t.Errorf("units %d warnings %v", res.Units, res.Warnings)
	}
	auc, _ := res.Interval("auc")
	if auc.DefinedReplicates > 100 || auc.DefinedReplicates < 50 {
		t.Errorf("auc defined in %d of 100 replicates", auc.DefinedReplicates)
	}
}

func TestPairedBootstrapDifference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	y, a := binormalSample(rng, 50, 50, 1.5)
	b := make([]float64, len(a))
	for i := range a {
		b[i] = a[i] + 1.5*rng.NormFloat64() // a noisier copy: lower AUC
	}
	res, err := PairedBootstrap(y, a, b, 0.75, 0.75, BootstrapOptions{Replicates: 300, Level: 0.95, Seed: 9, Task: "paired"})
	if err != nil {
		t.Fatal(err)
	}
	ra, _ := Evaluate(y, a, 0.75)
	rb, _ := Evaluate(y, b, 0.75)
	va, vb := reportValues(ra), reportValues(rb)
	for k, iv := range res.Intervals {
		want := va[k] - vb[k]
		if iv.Estimate == nil {
			if !math.IsNaN(want) {
				t.Errorf("%s: estimate undefined, want %v", iv.Metric, want)
			}
			continue
		}
		assertClose(t, iv.Metric, *iv.Estimate, want, 1e-12)
	}
	auc, _ := res.Interval("auc")
	if auc.Percentile.Lower <= 0 {
		t.Errorf("AUC difference interval %+v should exclude 0 (b is a noisier a)", auc.Percentile)
	}
	// A model compared with itself: every difference is exactly 0.
	same, _ := PairedBootstrap(y, a, a, 0.75, 0.75, BootstrapOptions{Replicates: 20, Level: 0.95})
	for _, iv := range same.Intervals {
		if iv.Percentile != nil && (iv.Percentile.Lower != 0 || iv.Percentile.Upper != 0) {
			t.Errorf("%s: self-difference %+v", iv.Metric, iv.Percentile)
		}
	}
}

func TestSummarizeBCa(t *testing.T) {
	// Replicates 1..9, estimate 4.5, acceleration 0.1, level 0.9. Expected
	// values from Python's statistics.NormalDist: z0 = Φ⁻¹(8/18); the
	// adjusted levels Φ(z0 + (z0+z)/(1 - a(z0+z))) are 0.04906 and 0.94867,
	// whose type-7 quantiles are 1.39248 and 8.58938. Percentile: 1.4, 8.6.
	iv := summarize("x", 4.5, []float64{9, 1, 8, 2, 7, 3, 6, 4, 5}, 0.1, 0.9)
	if iv.BCa == nil || iv.Percentile == nil {
		t.Fatalf("%+v", iv)
	}
	assertClose(t, "bca lower", iv.BCa.Lower, 1.3924827774763355, 1e-9)
	assertClose(t, "bca upper", iv.BCa.Upper, 8.589382056463208, 1e-9)
	assertClose(t, "percentile lower", iv.Percentile.Lower, 1.4, 1e-12)
	assertClose(t, "percentile upper", iv.Percentile.Upper, 8.6, 1e-12)
	assertClose(t, "se", *iv.SE, math.Sqrt(7.5), 1e-12) // sample SD of 1..9
	// Every replicate above the estimate: BCa undefined, percentile kept.
	iv = summarize("x", 0, []float64{1, 2, 3}, 0, 0.9)
	if iv.BCa != nil || iv.Percentile == nil || iv.Note == "" {
		t.Errorf("one-sided replicates: %+v", iv)
	}
}

// TestTallyRankingIsAUCAPFromCounts: a tally's AUC and average
// precision, read only at the groups holding positives, are
// aucAPFromCounts' of its class counts per group to the bit, and its
// confusion matrix counts the rows at or above the threshold, on samples
// with ties resampled with arbitrary weights (groups undrawn, drawn in one
// class or both, no negatives, nothing flagged, everything flagged).
func TestTallyRankingIsAUCAPFromCounts(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 300 {
		n := 1 + r.IntN(60)
		y := make([]uint8, n)
		score := make([]float64, n)
		for i := range y {
			y[i] = uint8(r.IntN(2))
			if trial%10 == 0 {
				y[i] = 1
			}
			score[i] = float64(r.IntN(12)) / 10
		}
		threshold := float64(r.IntN(14)-1) / 10
		opt := BootstrapOptions{Replicates: 1, Level: 0.9, Scheme: SchemeSimple}
		s, err := newBootSample(y, [][]float64{score}, []float64{threshold}, &opt)
		if err != nil {
			t.Fatal(err)
		}
		md := &s.models[0]
		mult := make([]int32, n)
		pos, neg := make([]int32, md.groups), make([]int32, md.groups)
		var want Confusion
		tl := newTally(s)
		for p := range mult {
			w := int32(r.IntN(4))
			mult[p] = w
			g, flagged := md.group[p], md.g.value[md.group[p]] >= threshold
			if s.y[p] == 1 {
				pos[g] += w
				if flagged {
					want.TP += int(w)
				} else {
					want.FN += int(w)
				}
			} else {
				neg[g] += w
				if flagged {
					want.FP += int(w)
				} else {
					want.TN += int(w)
				}
			}
		}
		tl.addWeighted(s, mult)
		auc, ap, got := tl.ranking(md, 0)
		if got != want {
			t.Fatalf("trial %d: confusion %+v, want %+v", trial, got, want)
		}
		if tl.npos == 0 {
			continue
		}
		wantAUC, wantAP := aucAPFromCounts(pos, neg, int64(tl.npos), int64(tl.n-tl.npos))
		if math.Float64bits(auc) != math.Float64bits(wantAUC) && !(math.IsNaN(auc) && math.IsNaN(wantAUC)) || math.Float64bits(ap) != math.Float64bits(wantAP) {
			t.Fatalf("trial %d: auc %v ap %v, aucAPFromCounts %v %v", trial, auc, ap, wantAUC, wantAP)
		}
	}
}
