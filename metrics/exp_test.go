package metrics

import (
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
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

// TestSigmoidsLinear: sigmoidsLinear (four at a time with AVX2 where the
// CPU has it) is sigmoid(a + b·x) to the bit, arguments beyond ±700, NaN
// and lengths that are not a multiple of four included.
func TestSigmoidsLinear(t *testing.T) {
	t.Logf("AVX2 path in use: %v", sigmoidAVX2Path)
	if expFMAPath && cpu.X86.HasAVX2 && !sigmoidAVX2Path {
		t.Fatal("the CPU has AVX2 and FMA but sigmoidsLinearAVX2 disagrees with sigmoid")
	}
	r := rand.New(rand.NewPCG(9, 10))
	const n = 20_003
	x := make([]float64, n)
	for i := range x {
		switch i % 4 {
		case 0:
			x[i] = (2*r.Float64() - 1) * 40
		case 1:
			x[i] = (2*r.Float64() - 1) * 8
		case 2:
			x[i] = (2*r.Float64() - 1) * 1e-3
		default:
			x[i] = (2*r.Float64() - 1) * 400
		}
	}
	withNaN := append([]float64{math.NaN()}, x[:101]...)
	withInf := append(x[:57:57], math.Inf(1), 0, math.Copysign(0, -1), math.Inf(-1))
	// A dense sweep through exp's every regime: overflow, the subnormal
	// results below -708, underflow to 0 below -745, and the reduction's
	// boundaries in between.
	var sweep []float64
	for v := -800.0; v <= 800; v += 0.0371 {
		sweep = append(sweep, v, math.Nextafter(v, math.Inf(1)))
	}
	for _, ab := range [][2]float64{{0, 1}, {0.3, 0.7}, {-1.2, 1.9}, {0.01, -2.5}, {0, 0}, {800, 1}} {
		a, b := ab[0], ab[1]
		for _, xs := range [][]float64{x, x[:7], x[:4], x[:1], withNaN, withInf, sweep} {
			got := make([]float64, len(xs)+1)
			got[len(xs)] = 42
			sigmoidsLinear(got, xs, a, b)
			for i, v := range xs {
				want := sigmoid(a + b*v)
				if math.Float64bits(got[i]) != math.Float64bits(want) && !(math.IsNaN(got[i]) && math.IsNaN(want)) {
					t.Fatalf("a=%v b=%v x[%d]=%v: %v, sigmoid %v", a, b, i, v, got[i], want)
				}
			}
			if got[len(xs)] != 42 {
				t.Fatalf("a=%v b=%v: wrote past %d values", a, b, len(xs))
			}
		}
	}
}

// BenchmarkSigmoidsLinear: 10,000 sigmoids, as a calibration bootstrap's
// Newton step computes them for the distinct rows drawn.
func BenchmarkSigmoidsLinear(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 10000)
	for i := range x {
		x[i] = 3 * r.NormFloat64()
	}
	p := make([]float64, len(x))
	b.Run("sigmoid", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				p[i] = sigmoid(0.1 + 0.9*v)
			}
		}
	})
	b.Run("sigmoidsLinear", func(b *testing.B) {
		for b.Loop() {
			sigmoidsLinear(p, x, 0.1, 0.9)
		}
	})
}
