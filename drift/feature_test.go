package drift

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func normals(r *rand.Rand, n int, mean, sd float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = mean + sd*r.NormFloat64()
	}
	return x
}

func categories(r *rand.Rand, n int, shares []float64, labels []string) []string {
	x := make([]string, n)
	for i := range x {
		u := r.Float64()
		k := 0
		for k < len(shares)-1 && u >= shares[k] {
			u -= shares[k]
			k++
		}
		x[i] = labels[k]
	}
	return x
}

// TestMethodChoice checks Evidently's default test for each kind of
// feature, reference size and number of values.
func TestMethodChoice(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	opts := DefaultOptions()
	ints := func(n, k int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(r.IntN(k))
		}
		return x
	}
	for _, c := range []struct {
		name     string
		ref, cur []float64
		want     Method
	}{
		{"numeric 1000 rows", normals(r, 1000, 0, 1), normals(r, 500, 0, 1), MethodKS},
		{"numeric 1001 rows", normals(r, 1001, 0, 1), normals(r, 500, 0, 1), MethodWasserstein},
		{"numeric 5 values small", ints(800, 5), ints(300, 5), MethodChiSquare},
		{"numeric 2 values small", ints(800, 2), ints(300, 2), MethodZ},
		{"numeric 5 values large", ints(1800, 5), ints(300, 5), MethodJensenShannon},
		{"numeric 6 values large", ints(1800, 6), ints(300, 6), MethodWasserstein},
		{"numeric 6 values small", ints(800, 6), ints(300, 6), MethodKS},
	} {
		res, err := CompareNumeric(c.name, NewNumericReference(c.ref), c.cur, opts)
		if err != nil {
			t.Fatal(err)
		}
		if res.Method != c.want {
			t.Errorf("%s: method %s, want %s", c.name, res.Method, c.want)
		}
	}
	labels := []string{"a", "b", "c"}
	for _, c := range []struct {
		name string
		ref  []string
		want Method
	}{
		{"categorical small", categories(r, 1000, []float64{0.2, 0.3, 0.5}, labels), MethodChiSquare},
		{"binary small", categories(r, 1000, []float64{0.4, 0.6}, labels), MethodZ},
		{"categorical large", categories(r, 1001, []float64{0.2, 0.3, 0.5}, labels), MethodJensenShannon},
	} {
		res, err := CompareCategorical(c.name, NewCategoricalReference(c.ref), c.ref[:400], opts)
		if err != nil {
			t.Fatal(err)
		}
		if res.Method != c.want {
			t.Errorf("%s: method %s, want %s", c.name, res.Method, c.want)
		}
	}
}

// TestCategoricalHandComputed: reference a:b:c = 400:300:300, current
// 50:50:100. Chi-square against expected 80:60:60 is 900/80+100/60+1600/60
// = 39.583.., JS of (0.4,0.3,0.3) and (0.25,0.25,0.5) in base 2 and PSI
// follow their formulas.
func TestCategoricalHandComputed(t *testing.T) {
	rep := func(v string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	ref := append(append(rep("a", 400), rep("b", 300)...), rep("c", 300)...)
	cur := append(append(rep("a", 50), rep("b", 50)...), append(rep("c", 100), "", "")...)
	res, err := CompareCategorical("g", NewCategoricalReference(ref), cur, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	wantChi := 900.0/80 + 100.0/60 + 1600.0/60
	if res.Method != MethodChiSquare || !near(res.Statistic, wantChi, 1e-12) || !res.Drifted || res.CurrentMissing != 2 {
		t.Errorf("got %+v, want chi-square %v drifted with 2 missing", res, wantChi)
	}
	// p = exp(−x/2) for 2 degrees of freedom.
	if !near(res.Score, math.Exp(-wantChi/2), 1e-12) {
		t.Errorf("p = %v, want %v", res.Score, math.Exp(-wantChi/2))
	}
	wantPSI := (0.4-0.25)*math.Log(0.4/0.25) + (0.3-0.25)*math.Log(0.3/0.25) + (0.3-0.5)*math.Log(0.3/0.5)
	if !near(res.PSI, wantPSI, 1e-12) || !res.PSIDrifted {
		t.Errorf("PSI %v, want %v (drifted)", res.PSI, wantPSI)
	}
	// The same shares on a large reference use the JS distance.
	big := append(append(rep("a", 4000), rep("b", 3000)...), rep("c", 3000)...)
	res, err = CompareCategorical("g", NewCategoricalReference(big), cur, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	m := []float64{0.325, 0.275, 0.4}
	p, q := []float64{0.4, 0.3, 0.3}, []float64{0.25, 0.25, 0.5}
	var js float64
	for i := range m {
		js += p[i]*math.Log2(p[i]/m[i]) + q[i]*math.Log2(q[i]/m[i])
	}
	if want := math.Sqrt(js / 2); res.Method != MethodJensenShannon || !near(res.Score, want, 1e-12) || !res.Drifted {
		t.Errorf("got %s %v, want JS %v drifted", res.Method, res.Score, want)
	}
}

func TestEmptySampleIsAnError(t *testing.T) {
	if _, err := CompareNumeric("x", NewNumericReference([]float64{1, 2}), []float64{math.NaN()}, DefaultOptions()); err == nil {
		t.Error("no error for a current sample of NaN only")
	}
	if _, err := CompareCategorical("g", NewCategoricalReference([]string{""}), []string{"a"}, DefaultOptions()); err == nil {
		t.Error("no error for an empty reference")
	}
}

// TestKSNullRejectionRate: under no drift the KS test at 0.05 flags about
// 5% of samples (400 pairs of 200 and 300 draws; binomial 99.9% band
// 0.05 ± 3.3·sqrt(0.05·0.95/400)). The exact p-value is slightly
// conservative for ties-free data, so the band's lower end is 0.
func TestKSNullRejectionRate(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	const reps = 400
	rejected := 0
	for i := 0; i < reps; i++ {
		res, err := CompareNumeric("x", NewNumericReference(normals(r, 200, 0, 1)), normals(r, 300, 0, 1), DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if res.Drifted {
			rejected++
		}
	}
	rate := float64(rejected) / reps
	if hi := 0.05 + 3.3*math.Sqrt(0.05*0.95/reps); rate > hi || rate < 0.01 {
		t.Errorf("KS flagged %.3f of null samples, want about 0.05 (at most %.3f)", rate, hi)
	}
}

// term draws one term of a cohort: 6 features, of which income-like
// "clicks" (numeric), "score" (numeric), "region" (categorical) drift from
// driftTerm on: a shift of 0.4 SD, a change of scale, new category shares.
func term(r *rand.Rand, n, t, driftTerm int) (num map[string][]float64, cat map[string][]string) {
	d := t >= driftTerm
	shift, scale := 0.0, 1.0
	shares := []float64{0.5, 0.3, 0.2}
	if d {
		shift, scale = 0.4, 1.6
		shares = []float64{0.3, 0.3, 0.4}
	}
	num = map[string][]float64{
		"clicks":  normals(r, n, 10+shift*3, 3),
		"score":   normals(r, n, 60, 12*scale),
		"steady1": normals(r, n, 0, 1),
		"steady2": normals(r, n, 5, 2),
	}
	cat = map[string][]string{
		"region": categories(r, n, shares, []string{"north", "south", "west"}),
		"gender": categories(r, n, []float64{0.55, 0.45}, []string{"F", "M"}),
	}
	return num, cat
}

// TestPlantedDriftFoundAtItsTerm: a cohort monitored over 8 terms, drift
// planted in 3 of 6 features from term 5: no feature drifts and the
// dataset does not drift before term 5; from term 5 on the three planted
// features drift and so does the dataset (3/6 >= 0.5).
func TestPlantedDriftFoundAtItsTerm(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 13))
	const n, driftTerm = 4000, 5
	opts := DefaultOptions()
	refNum, refCat := term(r, n, 0, driftTerm)
	numRef := map[string]*NumericReference{}
	for k, v := range refNum {
		numRef[k] = NewNumericReference(v)
	}
	catRef := map[string]*CategoricalReference{}
	for k, v := range refCat {
		catRef[k] = NewCategoricalReference(v)
	}
	planted := map[string]bool{"clicks": true, "score": true, "region": true}
	for tt := 1; tt <= 8; tt++ {
		num, cat := term(r, n, tt, driftTerm)
		var feats []FeatureResult
		for _, k := range []string{"clicks", "score", "steady1", "steady2"} {
			f, err := CompareNumeric(k, numRef[k], num[k], opts)
			if err != nil {
				t.Fatal(err)
			}
			feats = append(feats, f)
		}
		for _, k := range []string{"region", "gender"} {
			f, err := CompareCategorical(k, catRef[k], cat[k], opts)
			if err != nil {
				t.Fatal(err)
			}
			feats = append(feats, f)
		}
		d := Summarize(feats, opts)
		for _, f := range feats {
			want := tt >= driftTerm && planted[f.Name]
			if f.Drifted != want {
				t.Errorf("term %d: %s drifted = %v, want %v (%s)", tt, f.Name, f.Drifted, want, f.Describe())
			}
		}
		if d.DatasetDrift != (tt >= driftTerm) {
			t.Errorf("term %d: dataset drift %v with share %.2f", tt, d.DatasetDrift, d.Share)
		}
	}
}

func ExampleCompareCategorical() {
	ref := NewCategoricalReference([]string{"a", "a", "b", "b"})
	res, _ := CompareCategorical("group", ref, []string{"a", "b", "b", "b"}, DefaultOptions())
	fmt.Println(res.Method, res.Describe())
	// Output: z two-proportion z -0.73, p = 0.465 (drift below 0.05): no drift
}
