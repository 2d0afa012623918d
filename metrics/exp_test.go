package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSigmoidExpIsMathExp: expFMA returns math.Exp's bits for random
// arguments over the range it is used for (|x| <= 700, in sigmoid's
// range |x| <= 40 densely), and sigmoid agrees to the bit with its
// definition through math.Exp, special values included.
func TestSigmoidExpIsMathExp(t *testing.T) {
	t.Logf("inlined FMA path in use: %v", expFMAPath)
	r := rand.New(rand.NewPCG(7, 8))
	special := []float64{0, math.Copysign(0, -1), 1, -1, 700, -700, 700.5, -745.2, 709.78, 710, -1e-300, 1e-300,
		math.Inf(1), math.Inf(-1), math.NaN(), math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64}
	check := func(x float64) {
		if expFMAPath && math.Abs(x) <= 700 {
			got, want := expFMA(x), math.Exp(x)
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("expFMA(%v) = %v (%#x), math.Exp %v (%#x)", x, got, math.Float64bits(got), want, math.Float64bits(want))
			}
		}
		want := 1 / (1 + math.Exp(-x))
		if x < 0 {
			want = math.Exp(x) / (1 + math.Exp(x))
		}
		if got := sigmoid(x); math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("sigmoid(%v) = %v, want %v", x, got, want)
		}
	}
	for _, x := range special {
		check(x)
	}
	for range 300_000 {
		check((2*r.Float64() - 1) * 40)
		check((2*r.Float64() - 1) * 720)
		check(-r.Float64() * 1e-4)
	}
}
