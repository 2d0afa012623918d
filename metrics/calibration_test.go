package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestCalibrationByHand(t *testing.T) {
	// Two bins: [0, 0.5) holds 0.1 and 0.3 (rate 0, mean 0.2), [0.5, 1]
	// holds 0.9 and 0.8 (rate 1, mean 0.85): ECE = 0.5·0.2 + 0.5·0.15.
	r, err := Calibration([]uint8{0, 1, 1, 0}, []float64{0.1, 0.9, 0.8, 0.3}, 2)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "ece", r.ECE, 0.175, 1e-15)
	if len(r.Bins) != 2 || r.Bins[0].Count != 2 || r.Bins[1].Positives != 2 {
		t.Fatalf("bins = %+v", r.Bins)
	}
	assertClose(t, "bin 0 mean", *r.Bins[0].MeanPredicted, 0.2, 1e-15)
	assertClose(t, "bin 1 rate", *r.Bins[1].ObservedRate, 1, 0)
	// logit(p) separates the classes: no finite slope, but the
	// calibration-in-the-large fit exists.
	if r.Slope != nil || r.Undefined == "" {
		t.Errorf("slope = %v (%q), want undefined with a reason", r.Slope, r.Undefined)
	}
	if r.Intercept == nil {
		t.Error("intercept undefined, want a value")
	}
}

func TestCalibrationBinEdges(t *testing.T) {
	// Edges are k*(1/bins) as numpy.linspace gives them, right-closed
	// search: 3*0.1 = 0.30000000000000004 > 0.3, so 0.3 is in bin 2; 0.5 is
	// exactly 5*0.1 and starts bin 5; 1 is in the last bin; 0 in the first.
	p := []float64{0.3, 0.5, 1, 0}
	r, err := Calibration([]uint8{0, 1, 1, 0}, p, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]int{2: 1, 5: 1, 9: 1, 0: 1}
	for k, b := range r.Bins {
		if b.Count != want[k] {
			t.Errorf("bin %d [%v, %v) holds %d, want %d", k, b.Lower, b.Upper, b.Count, want[k])
		}
		if b.Count == 0 && (b.MeanPredicted != nil || b.ObservedRate != nil) {
			t.Errorf("empty bin %d has values", k)
		}
	}
	// Probabilities of exactly 0 or 1 have infinite logits.
	if r.Slope != nil || r.Intercept != nil || r.Undefined == "" {
		t.Errorf("slope %v intercept %v (%q): want both undefined with a reason", r.Slope, r.Intercept, r.Undefined)
	}
}

// The fitted slope and intercept must solve the logistic score equations,
// and a calibrated model's slope and intercept must be near 1 and 0.
func TestCalibrationScoreEquations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 4000
	y := make([]uint8, n)
	p := make([]float64, n)
	for i := range p {
		p[i] = 0.02 + 0.96*rng.Float64()
		if rng.Float64() < p[i] {
			y[i] = 1
		}
	}
	r, err := Calibration(y, p, 10)
	if err != nil {
		t.Fatal(err)
	}
	if r.Slope == nil || r.Intercept == nil {
		t.Fatalf("undefined fits: %q", r.Undefined)
	}
	// Calibrated by construction: slope 1 ± 4 SE (SE about 0.05 here),
	// intercept 0 ± 0.15.
	if math.Abs(*r.Slope-1) > 0.2 || math.Abs(*r.Intercept) > 0.15 {
		t.Errorf("calibrated data: slope %v intercept %v", *r.Slope, *r.Intercept)
	}
	var g0 float64
	for i := range p {
		g0 += float64(y[i]) - sigmoid(*r.Intercept+math.Log(p[i]/(1-p[i])))
	}
	if math.Abs(g0) > 1e-8 {
		t.Errorf("intercept score equation: %v, want 0", g0)
	}
	a, b, ok := fitLogistic1(y, logits(p))
	if !ok {
		t.Fatal("fitLogistic1 failed")
	}
	var s0, s1 float64
	for i, x := range logits(p) {
		res := float64(y[i]) - sigmoid(a+b*x)
		s0 += res
		s1 += res * x
	}
	if math.Abs(s0) > 1e-8 || math.Abs(s1) > 1e-8 || b != *r.Slope {
		t.Errorf("slope score equations: %v %v (b %v vs %v)", s0, s1, b, *r.Slope)
	}
}

func logits(p []float64) []float64 {
	out := make([]float64, len(p))
	for i, v := range p {
		out[i] = math.Log(v / (1 - v))
	}
	return out
}

func TestCalibrationConstantPrediction(t *testing.T) {
	// p equals the base rate everywhere: calibration-in-the-large is 0;
	// the slope is not identifiable (logit p is constant).
	r, err := Calibration([]uint8{1, 0, 0, 0}, []float64{0.25, 0.25, 0.25, 0.25}, 4)
	if err != nil {
		t.Fatal(err)
	}
	if r.Intercept == nil || math.Abs(*r.Intercept) > 1e-12 {
		t.Errorf("intercept = %v, want 0", r.Intercept)
	}
	if r.Slope != nil {
		t.Errorf("slope = %v, want undefined", *r.Slope)
	}
	assertClose(t, "ece", r.ECE, 0, 1e-15)
	if _, err := Calibration([]uint8{1}, []float64{0.5}, 0); err == nil {
		t.Error("0 bins: want error")
	}
}

// Regression: with 15,000 rows the log-likelihood sum cannot resolve the
// last Newton steps, so a line search alone stalled (200 iterations of 60
// halvings, seconds of work) a few 1e-9 short of the optimum. The fits must
// stop at the optimum itself: the score equation holds to 1e-8.
func TestCalibrationLargeSampleConverges(t *testing.T) {
	n := 15000
	rng := rand.New(rand.NewPCG(uint64(n), 3))
	y := make([]uint8, n)
	p := make([]float64, n)
	for i := range p {
		x := 3 * rng.NormFloat64()
		p[i] = sigmoid(x)
		if rng.Float64() < sigmoid(0.7*x-0.3) {
			y[i] = 1
		}
	}
	r, err := Calibration(y, p, 10)
	if err != nil || r.Slope == nil || r.Intercept == nil {
		t.Fatalf("%+v %v", r, err)
	}
	var g float64
	for i := range p {
		g += float64(y[i]) - sigmoid(*r.Intercept+math.Log(p[i]/(1-p[i])))
	}
	if math.Abs(g) > 1e-8 {
		t.Errorf("intercept score equation = %g, want 0 (intercept %v)", g, *r.Intercept)
	}
	// The data follow logit P = 0.7·logit(p) - 0.3: slope near 0.7.
	if math.Abs(*r.Slope-0.7) > 0.05 {
		t.Errorf("slope %v, want about 0.7", *r.Slope)
	}
}
