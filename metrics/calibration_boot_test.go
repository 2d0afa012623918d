package metrics

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// miscalibrated returns n labels drawn with probability sigmoid(0.3 +
// 0.7·logit(p)) for p uniform on (0.02, 0.98): slope 0.7, overconfident.
func miscalibrated(n int, seed uint64) ([]uint8, []float64) {
	r := rand.New(rand.NewPCG(seed, 1))
	y := make([]uint8, n)
	p := make([]float64, n)
	for i := range p {
		p[i] = 0.02 + 0.96*r.Float64()
		if r.Float64() < sigmoid(0.3+0.7*math.Log(p[i]/(1-p[i]))) {
			y[i] = 1
		}
	}
	return y, p
}

// TestCalibrationBootstrapReplicates redraws each replicate's resample from
// its own generator and checks it against Calibration on that resample:
// the same ECE to the bit, the same slope and intercept to 1e-9 (the
// warm-started fits stop at a step below 1e-6 of the coefficients'
// scale, Calibration's at 1e-10 absolute), and to the bit the plain
// warm-started fits (newtonLogisticFrom over the resample's rows, from the
// full sample's fits), whose sums the bootstrap takes from probabilities
// shared between draws and replicates. The replicates do not depend on
// the number of goroutines.
func TestCalibrationBootstrapReplicates(t *testing.T) {
	y, p := miscalibrated(800, 3)
	const reps = 40
	got, err := CalibrationBootstrap(y, p, 10, reps, 11, "calibration/test", 1)
	if err != nil {
		t.Fatal(err)
	}
	var pos, neg []int
	for i, v := range y {
		if v == 1 {
			pos = append(pos, i)
		} else {
			neg = append(neg, i)
		}
	}
	logit := make([]float64, len(p))
	for i, v := range p {
		logit[i] = math.Log(v / (1 - v))
	}
	a0, b0, _ := newtonLogistic(labelTargets(y), logit, false)
	c0, _, _ := newtonLogistic(labelTargets(y), logit, true)
	ry := make([]uint8, 0, len(y))
	rp := make([]float64, 0, len(y))
	var rt, rx []float64
	for r := range reps {
		src := replicateSource(11, "calibration/test", r)
		ry, rp, rt, rx = ry[:0], rp[:0], rt[:0], rx[:0]
		for _, class := range [][]int{pos, neg} {
			for range class {
				i := class[uniformIndex(src, uint64(len(class)))]
				ry, rp = append(ry, y[i]), append(rp, p[i])
				rt, rx = append(rt, float64(y[i])), append(rx, logit[i])
			}
		}
		_, slope, okS := newtonLogisticFrom(rt, rx, false, a0, b0, true)
		intercept, _, okI := newtonLogisticFrom(rt, rx, true, c0, 1, true)
		if !okS || !okI || math.Float64bits(got.Slope[r]) != math.Float64bits(slope) || math.Float64bits(got.Intercept[r]) != math.Float64bits(intercept) {
			t.Errorf("replicate %d: slope %v intercept %v, the plain warm-started fits %v %v", r, got.Slope[r], got.Intercept[r], slope, intercept)
		}
		want, err := Calibration(ry, rp, 10)
		if err != nil {
			t.Fatal(err)
		}
		if math.Float64bits(got.ECE[r]) != math.Float64bits(want.ECE) {
			t.Errorf("replicate %d: ECE %v, Calibration on its resample %v", r, got.ECE[r], want.ECE)
		}
		if want.Slope == nil || want.Intercept == nil {
			t.Fatalf("replicate %d: fits undefined on the resample: %s", r, want.Undefined)
		}
		assertClose(t, "slope", got.Slope[r], *want.Slope, 1e-9)
		assertClose(t, "intercept", got.Intercept[r], *want.Intercept, 1e-9)
	}
	for _, workers := range []int{2, 3} {
		again, err := CalibrationBootstrap(y, p, 10, reps, 11, "calibration/test", workers)
		if err != nil {
			t.Fatal(err)
		}
		for r := range reps {
			if again.ECE[r] != got.ECE[r] || again.Slope[r] != got.Slope[r] || again.Intercept[r] != got.Intercept[r] {
				t.Fatalf("%d workers: replicate %d differs from one worker's", workers, r)
			}
		}
	}
}

// TestCalibrationBootstrapUndefined: a replicate that draws a probability
// of exactly 0 has no slope or intercept (infinite logit) but has an ECE;
// bad parameters are errors.
func TestCalibrationBootstrapUndefined(t *testing.T) {
	y := []uint8{0, 1, 0, 1, 1, 0, 0, 1}
	p := []float64{0, 0.7, 0.2, 0.6, 0.9, 0.4, 0.3, 0.8}
	got, err := CalibrationBootstrap(y, p, 5, 50, 1, "t", 2)
	if err != nil {
		t.Fatal(err)
	}
	var undefined int
	for r := range got.ECE {
		if math.IsNaN(got.ECE[r]) {
			t.Fatalf("replicate %d: ECE undefined", r)
		}
		if math.IsNaN(got.Slope[r]) {
			undefined++
		}
	}
	// The zero is one of 4 negatives: a replicate misses it with
	// probability (3/4)^4 = 0.32, so most replicates draw it.
	if undefined < 20 || undefined == 50 {
		t.Errorf("%d of 50 replicates without a slope, want most but not all", undefined)
	}
	if _, err := CalibrationBootstrap(y, p, 0, 10, 1, "t", 0); !errors.Is(err, ErrParameter) {
		t.Errorf("0 bins: %v", err)
	}
	if _, err := CalibrationBootstrap(y, p, 5, 0, 1, "t", 0); !errors.Is(err, ErrParameter) {
		t.Errorf("0 replicates: %v", err)
	}
}

// BenchmarkCalibrationBootstrap500 is the calibration bootstrap of one
// OULAD-sized evaluation: 500 stratified replicates of 11,000 test rows.
func BenchmarkCalibrationBootstrap500(b *testing.B) {
	y, p := miscalibrated(11000, 5)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := CalibrationBootstrap(y, p, 10, 500, 1, "bench", 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkROCBand200 is the ROC band of one OULAD-sized evaluation: 200
// stratified replicates of 11,000 test rows on a 50-step grid.
func BenchmarkROCBand200(b *testing.B) {
	y, p := miscalibrated(11000, 6)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := ROCConfidenceBand(y, p, 50, 200, 0.95, 1, "bench", 0); err != nil {
			b.Fatal(err)
		}
	}
}
