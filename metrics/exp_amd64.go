package metrics

import (
	"math"

	"golang.org/x/sys/cpu"
)

// expFMA is math.Exp(x) to the bit for |x| <= 700 when expFMAPath: the
// bootstrap loops spend most of their time in exponentials, and math.Exp
// on amd64 is an assembly function behind a call. On CPUs with AVX and FMA
// math.Exp takes its FMA path, whose operations expFMA repeats in the same
// order (|x| <= 700 keeps the exponent normal).
func expFMA(x float64) float64 {
	const (
		log2e = 1.4426950408889634073599246810018920                  // 1/ln 2
		ln2U  = 0.69314718055966295651160180568695068359375           // upper half of ln 2
		ln2L  = 0.28235290563031577122588448175013436025525412068e-12 // lower half
	)
	// x = k ln2 + r, |r| <= ln2/2; exp(r) from a Taylor series of r/16
	// squared back four times; then times 2^k.
	k := math.RoundToEven(log2e * x)
	x = math.FMA(-ln2U, k, x)
	x = math.FMA(-ln2L, k, x)
	x *= 0.0625
	p := 2.4801587301587301587e-5
	p = math.FMA(p, x, 1.9841269841269841270e-4)
	p = math.FMA(p, x, 1.3888888888888888889e-3)
	p = math.FMA(p, x, 8.3333333333333333333e-3)
	p = math.FMA(p, x, 4.1666666666666666667e-2)
	p = math.FMA(p, x, 1.6666666666666666667e-1)
	p = math.FMA(p, x, 0.5)
	p = math.FMA(p, x, 1.0)
	x *= p
	x *= x + 2
	x *= x + 2
	x *= x + 2
	x = math.FMA(x, x+2, 1.0)
	return x * math.Float64frombits(uint64(int64(k)+0x3FF)<<52)
}

// expFMAPath: math.Exp takes its FMA path (math's own test) and expFMA
// agrees with it on a sample (a guard: were the two ever to differ,
// callers use math.Exp everywhere).
var expFMAPath = cpu.X86.HasAVX && cpu.X86.HasFMA && expFastAgrees()

func expFastAgrees() bool {
	for i := range 4001 {
		for _, x := range []float64{float64(i-2000) * 0.35, float64(i) * -1e-3, float64(i)*0.0173 - 35} {
			if math.Float64bits(expFMA(x)) != math.Float64bits(math.Exp(x)) {
				return false
			}
		}
	}
	return true
}

// sigmoidsLinearAVX2 sets dst[i] = sigmoid(a + b*x[i]) for i <
// len(x)&^3, four at a time (len(dst) >= len(x)); ok is false, and dst
// not usable, if some such |a + b*x[i]| is above 700 or NaN. Assembly:
// sigmoid_amd64.s.
//
//go:noescape
func sigmoidsLinearAVX2(dst, x []float64, a, b float64) (ok bool)

// sigmoidAVX2Path: the CPU has AVX2 and FMA, math.Exp takes its FMA path,
// and sigmoidsLinearAVX2 agrees with sigmoid on a sample (a guard, as for
// expFMAPath).
var sigmoidAVX2Path = expFMAPath && cpu.X86.HasAVX2 && sigmoidsAVX2Agree()

func sigmoidsAVX2Agree() bool {
	x := make([]float64, 0, 3*4000)
	for i := range 4000 {
		x = append(x, float64(i-2000)*0.25, float64(i)*-1e-3, float64(i)*0.0173-35)
	}
	dst := make([]float64, len(x))
	for _, ab := range [][2]float64{{0, 1}, {-0.4, 1.3}, {0.7, -0.2}} {
		a, b := ab[0], ab[1]
		if !sigmoidsLinearAVX2(dst, x, a, b) {
			return false
		}
		for i, v := range x {
			if math.Float64bits(dst[i]) != math.Float64bits(sigmoid(a+b*v)) {
				return false
			}
		}
	}
	return true
}

// sigmoidsLinear sets dst[i] = sigmoid(a + b·x[i]) for every i, to the
// bit; len(dst) >= len(x).
func sigmoidsLinear(dst, x []float64, a, b float64) {
	done := 0
	if sigmoidAVX2Path && sigmoidsLinearAVX2(dst, x, a, b) {
		done = len(x) &^ 3
	}
	for i := done; i < len(x); i++ {
		dst[i] = sigmoid(a + b*x[i])
	}
}
