package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestThin(t *testing.T) {
	pts := make([]CurvePoint, 1001)
	for i := range pts {
		pts[i] = CurvePoint{X: float64(i) / 1000, Y: math.Sqrt(float64(i) / 1000)}
	}
	th := Thin(pts, 101)
	if len(th) != 101 || th[0] != pts[0] || th[100] != pts[1000] || th[50] != pts[500] {
		t.Errorf("Thin: %d points, ends %v %v, middle %v", len(th), th[0], th[100], th[50])
	}
	if got := Thin(pts[:10], 101); len(got) != 10 {
		t.Errorf("a short curve was changed")
	}
}

func TestROCConfidenceBand(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	n := 600
	y := make([]uint8, n)
	s := make([]float64, n)
	for i := range y {
		y[i] = uint8(i % 2)
		s[i] = float64(y[i]) + r.NormFloat64()
	}
	band, err := ROCConfidenceBand(y, s, 20, 200, 0.9, 1, "roc-band/test", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(band.FPR) != 21 || band.FPR[0] != 0 || band.FPR[20] != 1 || band.TPR[20] != 1 {
		t.Fatalf("grid %v, tpr %v", band.FPR, band.TPR)
	}
	for k := range band.FPR {
		if !(band.Lower[k] <= band.TPR[k]+1e-12 && band.TPR[k] <= band.Upper[k]+1e-12) {
			t.Errorf("FPR %.2f: TPR %.3f outside its band [%.3f, %.3f]", band.FPR[k], band.TPR[k], band.Lower[k], band.Upper[k])
		}
		if k > 0 && k < 20 && band.Upper[k]-band.Lower[k] <= 0 {
			t.Errorf("FPR %.2f: empty band", band.FPR[k])
		}
	}
	// Binormal with d' = 1: TPR at FPR x is Φ(1 + Φ⁻¹(x)); at x = 0.3 that
	// is 0.683. The band at 90% should hold it (one fixed seed).
	if band.Lower[6] > 0.683 || band.Upper[6] < 0.683 {
		t.Errorf("band at FPR 0.3 [%.3f, %.3f] misses the true TPR 0.683", band.Lower[6], band.Upper[6])
	}
	if _, err := ROCConfidenceBand(y, s, 0, 10, 0.9, 1, "t", 0); err == nil {
		t.Error("grid 0 accepted")
	}
}

func TestTPRAt(t *testing.T) {
	fpr := []float64{0, 0, 0.5, 1}
	tpr := []float64{0, 0.4, 0.8, 1}
	for _, c := range []struct{ x, want float64 }{{0, 0.4}, {0.25, 0.6}, {0.5, 0.8}, {0.75, 0.9}, {1, 1}} {
		if got := tprAt(fpr, tpr, c.x); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("tprAt(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}

// TestROCConfidenceBandFromCounts redraws every replicate's stratified
// resample from its own generator and builds the band with ROCCurve on the
// resampled rows: the band read from counts of distinct scores must be the
// same to the bit (scores with ties included), whatever the number of
// goroutines.
func TestROCConfidenceBandFromCounts(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n := 300
	y := make([]uint8, n)
	s := make([]float64, n)
	for i := range y {
		if r.Float64() < 0.3 {
			y[i] = 1
		}
		s[i] = math.Round((float64(y[i])+r.NormFloat64())*8) / 8 // ties
	}
	const grid, reps = 25, 60
	var pos, neg []int
	for i, v := range y {
		if v == 1 {
			pos = append(pos, i)
		} else {
			neg = append(neg, i)
		}
	}
	samples := make([][]float64, grid+1)
	for rep := range reps {
		src := replicateSource(5, "roc-band/x", rep)
		var ry []uint8
		var rs []float64
		for _, class := range [][]int{pos, neg} {
			for range class {
				i := class[uniformIndex(src, uint64(len(class)))]
				ry, rs = append(ry, y[i]), append(rs, s[i])
			}
		}
		f, tp, _, err := ROCCurve(ry, rs, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k := range samples {
			samples[k] = append(samples[k], tprAt(f, tp, float64(k)/grid))
		}
	}
	for _, workers := range []int{1, 2, 3} {
		band, err := ROCConfidenceBand(y, s, grid, reps, 0.95, 5, "roc-band/x", workers)
		if err != nil {
			t.Fatal(err)
		}
		for k := range samples {
			v := append([]float64(nil), samples[k]...)
			slices.Sort(v)
			level := 0.95
			alpha := (1 - level) / 2 // in float64, as the band computes it
			lo, hi := quantileSorted(v, alpha), quantileSorted(v, 1-alpha)
			if band.Lower[k] != lo || band.Upper[k] != hi {
				t.Fatalf("%d workers, FPR %v: band [%v, %v], from resampled rows [%v, %v]", workers, band.FPR[k], band.Lower[k], band.Upper[k], lo, hi)
			}
		}
	}
}
