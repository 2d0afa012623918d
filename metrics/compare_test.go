package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestNadeauBengio(t *testing.T) {
	// By hand: diffs 1, 2, 6: mean 3, s² = 7; nTest/nTrain = 0.5 so
	// Var = (1/3 + 1/2)·7 = 35/6. With 2 degrees of freedom the t CDF is
	// 1/2 + t/(2√(2+t²)), so p = 1 - t/√(2+t²) and t_{0.975} = √(0.9025·2/0.0975).
	r, err := NadeauBengio([]float64{1, 2, 6}, 100, 50, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	se := math.Sqrt(35.0 / 6)
	tv := 3 / se
	q := math.Sqrt(0.9025 * 2 / 0.0975)
	assertClose(t, "mean", r.Mean, 3, 1e-15)
	assertClose(t, "se", r.SE, se, 1e-14)
	assertClose(t, "t", r.T, tv, 1e-14)
	assertClose(t, "p", r.PValue, 1-tv/math.Sqrt(2+tv*tv), 1e-10)
	assertClose(t, "lower", r.Lower, 3-q*se, 1e-9)
	assertClose(t, "upper", r.Upper, 3+q*se, 1e-9)
	if r.DF != 2 {
		t.Errorf("df = %d", r.DF)
	}
	bad := []struct {
		d            []float64
		nTr, nTe, lv float64
	}{
		{[]float64{1}, 100, 50, 0.95},
		{[]float64{1, 1, 1}, 100, 50, 0.95},
		{[]float64{1, nan}, 100, 50, 0.95},
		{[]float64{1, 2}, 0, 50, 0.95},
		{[]float64{1, 2}, 100, 50, 1},
	}
	for _, b := range bad {
		if _, err := NadeauBengio(b.d, b.nTr, b.nTe, b.lv); err == nil {
			t.Errorf("%+v: want error", b)
		}
	}
}

func TestHolmAdjust(t *testing.T) {
	tests := []struct {
		p, want []float64
	}{
		// By hand (R p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm")):
		// sorted .005·4 = .02, .01·3 = .03, .03·2 = .06, max(.04·1, .06).
		{[]float64{0.01, 0.04, 0.03, 0.005}, []float64{0.03, 0.06, 0.06, 0.02}},
		// Capped at 1; ties.
		{[]float64{0.5, 0.5, 0.9}, []float64{1, 1, 1}},
		{[]float64{0.2, 0.2}, []float64{0.4, 0.4}},
		{[]float64{}, []float64{}},
	}
	for _, tt := range tests {
		got, err := HolmAdjust(tt.p)
		if err != nil {
			t.Fatal(err)
		}
		assertSlice(t, "holm", got, tt.want, 1e-15)
	}
	for _, p := range [][]float64{{0.1, nan}, {1.2}, {-0.1}} {
		if _, err := HolmAdjust(p); err == nil {
			t.Errorf("%v: want error", p)
		}
	}
}

func TestPlattScaling(t *testing.T) {
	// Data from the Platt model itself: the fit recovers slope 2 and
	// intercept -1 within sampling error (SE about 0.05 at n = 20,000).
	rng := rand.New(rand.NewPCG(11, 12))
	n := 20000
	y := make([]uint8, n)
	s := make([]float64, n)
	for i := range s {
		s[i] = 2 * rng.NormFloat64()
		if rng.Float64() < sigmoid(2*s[i]-1) {
			y[i] = 1
		}
	}
	p, err := FitPlatt(y, s)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(p.Slope-2) > 0.2 || math.Abs(p.Intercept+1) > 0.2 {
		t.Errorf("fit %+v, want about slope 2, intercept -1", p)
	}
	// The fit solves the score equations for Platt's targets.
	pos := 0
	for _, v := range y {
		pos += int(v)
	}
	hi, lo := float64(pos+1)/float64(pos+2), 1/float64(n-pos+2)
	probs, err := p.Apply(s)
	if err != nil {
		t.Fatal(err)
	}
	var g0, g1 float64
	for i := range s {
		target := lo
		if y[i] == 1 {
			target = hi
		}
		g0 += target - probs[i]
		g1 += (target - probs[i]) * s[i]
	}
	if math.Abs(g0) > 1e-6 || math.Abs(g1) > 1e-6 {
		t.Errorf("score equations %v %v, want 0", g0, g1)
	}
	if _, err := FitPlatt([]uint8{1, 1}, []float64{1, 2}); err == nil {
		t.Error("one class: want error")
	}
	if _, err := FitPlatt([]uint8{0, 1}, []float64{1, 1}); err == nil {
		t.Error("constant scores: want error")
	}
	if _, err := p.Apply([]float64{nan}); err == nil {
		t.Error("NaN score: want error")
	}
	if p.Method() != "platt" {
		t.Error(p.Method())
	}
}

func TestIsotonic(t *testing.T) {
	// PAV by hand: labels 0 1 0 1 1 at scores 1..5 pool the violating
	// pair (1, 0) into 0.5.
	c, err := FitIsotonic([]uint8{0, 1, 0, 1, 1}, []float64{1, 2, 3, 4, 5})
	if err != nil {
		t.Fatal(err)
	}
	assertSlice(t, "fit", c.Y, []float64{0, 0.5, 0.5, 1, 1}, 1e-15)
	// Interpolated between breakpoints, clipped outside (numpy.interp).
	got, err := c.Apply([]float64{0, 1.5, 2.5, 3, 3.25, 9})
	if err != nil {
		t.Fatal(err)
	}
	assertSlice(t, "apply", got, []float64{0, 0.25, 0.5, 0.5, 0.625, 1}, 1e-15)

	// Tied scores are pooled first: score 1 has labels 0 and 1 (mean 1/2,
	// weight 2), score 2 has label 0: PAV pools to (0.5·2 + 0)/3.
	c, err = FitIsotonic([]uint8{0, 1, 0}, []float64{1, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	assertSlice(t, "x", c.X, []float64{1, 2}, 0)
	assertSlice(t, "tied fit", c.Y, []float64{1.0 / 3, 1.0 / 3}, 1e-15)

	r, err := FitRecalibration("isotonic", []uint8{1, 1}, []float64{0.2, 0.4})
	if err != nil || r.Method() != "isotonic" {
		t.Fatalf("single class: %v %v", r, err)
	}
	if _, err := FitRecalibration("beta", []uint8{0, 1}, []float64{0.2, 0.4}); err == nil {
		t.Error("unknown method: want error")
	}
	if _, err := FitIsotonic([]uint8{0, 1}, []float64{0.2, nan}); err == nil {
		t.Error("NaN score: want error")
	}
	if _, err := (IsotonicCalibration{}).Apply([]float64{1}); err == nil {
		t.Error("unfitted: want error")
	}
}

// The PAV fit must be monotone and have the least squared error among a
// few monotone perturbations of itself (a cheap optimality check).
func TestIsotonicRandomMonotone(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	n := 300
	y := make([]uint8, n)
	s := make([]float64, n)
	for i := range s {
		s[i] = math.Round(rng.NormFloat64()*10) / 10 // ties
		if rng.Float64() < sigmoid(s[i]) {
			y[i] = 1
		}
	}
	c, err := FitIsotonic(y, s)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(c.Y); i++ {
		if c.Y[i] < c.Y[i-1] || c.X[i] <= c.X[i-1] {
			t.Fatalf("not monotone at %d", i)
		}
	}
	sse := func(fit []float64) float64 {
		pred, _ := IsotonicCalibration{X: c.X, Y: fit}.Apply(s)
		var e float64
		for i := range s {
			d := pred[i] - float64(y[i])
			e += d * d
		}
		return e
	}
	base := sse(c.Y)
	for _, shift := range []float64{-0.01, 0.01} {
		for start := 0; start < len(c.Y); start += 7 {
			pert := append([]float64(nil), c.Y...)
			for i := start; i < len(pert); i++ {
				pert[i] += shift
			}
			if start > 0 && pert[start] < pert[start-1] {
				continue // not monotone: not a competitor
			}
			if sse(pert) < base-1e-12 {
				t.Fatalf("suffix shift %v from %d improves the fit", shift, start)
			}
		}
	}
}
