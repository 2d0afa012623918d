package drift

import (
	"math"
)

// ksMaxExact is scipy ks_2samp's MAX_AUTO_N: method "auto" computes the
// exact p-value when neither sample is larger.
const ksMaxExact = 10000

// KSStatistic returns the two-sample Kolmogorov-Smirnov statistic: the
// largest absolute difference between the empirical CDFs of a and b, both
// sorted ascending without NaN.
func KSStatistic(a, b []float64) float64 {
	na, nb := float64(len(a)), float64(len(b))
	i, j := 0, 0
	d := 0.0
	for i < len(a) && j < len(b) {
		x := math.Min(a[i], b[j])
		for i < len(a) && a[i] <= x {
			i++
		}
		for j < len(b) && b[j] <= x {
			j++
		}
		if v := math.Abs(float64(i)/na - float64(j)/nb); v > d {
			d = v
		}
	}
	return d
}

// KSPValue returns the two-sided p-value of the two-sample KS statistic d
// for samples of n1 and n2 values as scipy 1.10 ks_2samp (method "auto")
// computes it: exact when max(n1, n2) <= 10,000 (d rounded to the lattice
// of 1/lcm(n1, n2) as scipy does), otherwise the one-sample Kolmogorov
// distribution's survival function at n = round(n1·n2/(n1+n2)) (scipy's
// kstwo.sf).
func KSPValue(d float64, n1, n2 int) float64 {
	if n1 <= 0 || n2 <= 0 {
		return math.NaN()
	}
	var p float64
	if max(n1, n2) <= ksMaxExact {
		p = ksExact(d, n1, n2)
	} else {
		m, n := float64(max(n1, n2)), float64(min(n1, n2))
		en := math.RoundToEven(m * n / (m + n))
		p = KolmogorovSF(d, int(en))
	}
	return clamp01(p)
}

func clamp01(p float64) float64 {
	switch {
	case p < 0:
		return 0
	case p > 1:
		return 1
	}
	return p
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// ksExact is the exact two-sided P(D >= d) under the null for sample sizes
// n1 and n2: the share of monotone lattice paths from (0,0) to (n1,n2) that
// touch |x·n2 − y·n1| >= h·g, where g = gcd(n1, n2) and h = round(d·lcm).
func ksExact(d float64, n1, n2 int) float64 {
	g := gcd(n1, n2)
	lcm := (n1 / g) * n2
	h := int(math.Round(d * float64(lcm)))
	if h == 0 {
		return 1
	}
	if n1 == n2 {
		return ksSquareOutside(n1, h)
	}
	return 1 - ksInside(n1, n2, int64(h)*int64(g))
}

// ksSquareOutside is P(D_{n,n} >= h/n) = 2·Σ_k (−1)^(k−1) C(2n, n−kh)/C(2n, n)
// evaluated as a Horner-like product that avoids cancellation.
func ksSquareOutside(n, h int) float64 {
	p := 0.0
	for k := n / h; k >= 0; k-- {
		t := 1.0
		for j := 0; j < h; j++ {
			t = float64(n-k*h-j) * t / float64(n+k*h+j+1)
		}
		p = t * (1 - p)
	}
	return 2 * p
}

// ksInside returns the share of lattice paths from (0,0) to (m,n) whose
// every point satisfies |x·n − y·m| < bound. a[y] holds, for the current
// x, the share of paths to (x, y) that stayed inside; a path reaches (x, y)
// from (x−1, y) in the fraction x/(x+y) of all paths.
func ksInside(m, n int, bound int64) float64 {
	a := make([]float64, n+1)
	inside := func(x, y int) bool {
		v := int64(x)*int64(n) - int64(y)*int64(m)
		if v < 0 {
			v = -v
		}
		return v < bound
	}
	a[0] = 1
	for y := 1; y <= n; y++ {
		if inside(0, y) {
			a[y] = a[y-1]
		} else {
			a[y] = 0
		}
	}
	for x := 1; x <= m; x++ {
		if inside(x, 0) {
			// a[0] keeps its value: the only path to (x, 0).
		} else {
			a[0] = 0
		}
		for y := 1; y <= n; y++ {
			if !inside(x, y) {
				a[y] = 0
				continue
			}
			s := float64(x + y)
			a[y] = float64(x)/s*a[y] + float64(y)/s*a[y-1]
		}
	}
	return a[n]
}

// KolmogorovSF returns P(D_n > x) for the one-sample two-sided Kolmogorov
// statistic D_n, following scipy 1.10's kstwo.sf (Simard and L'Ecuyer's
// choice of methods): the Ruben-Gambino closed forms at the extremes, twice
// the exact one-sided Smirnov probability for large n·x², the Durbin
// matrix (Marsaglia-Tsang-Wang) otherwise, and the Pelz-Good expansion
// where scipy uses it (n > 140 and n·x^1.5 > 1.4). Where scipy uses the
// Pomeranz recursion (n <= 140) the Durbin matrix gives the same exact
// value.
func KolmogorovSF(x float64, n int) float64 {
	if n <= 0 || math.IsNaN(x) {
		return math.NaN()
	}
	if x >= 1 {
		return 0
	}
	if x <= 0 {
		return 1
	}
	nf := float64(n)
	t := nf * x
	if t <= 1 {
		if t <= 0.5 {
			return 1
		}
		var cdf float64
		if n <= 140 {
			cdf = 1
			for i := 1; i <= n; i++ {
				cdf *= float64(i) / nf * (2*t - 1)
			}
		} else {
			cdf = math.Exp(logFactorialOverPower(nf) + nf*math.Log(2*t-1))
		}
		return clamp01(1 - cdf)
	}
	if t >= nf-1 {
		return clamp01(2 * math.Pow(1-x, nf))
	}
	if x >= 0.5 {
		return clamp01(2 * Smirnov(n, x))
	}
	nx2 := t * x
	if n <= 140 {
		if nx2 <= 4 {
			return clamp01(1 - kolmogorovDurbin(n, x))
		}
		return clamp01(2 * Smirnov(n, x))
	}
	if nx2 >= 370 {
		return 0
	}
	if nx2 >= 2.2 {
		return clamp01(2 * Smirnov(n, x))
	}
	if n <= 100000 && nf*math.Pow(x, 1.5) <= 1.4 {
		return clamp01(1 - kolmogorovDurbin(n, x))
	}
	return clamp01(1 - kolmogorovPelzGood(n, x))
}

// logFactorialOverPower is log(n!/n^n) by Stirling's series with n·log(n)
// removed up front.
func logFactorialOverPower(n float64) float64 {
	coeffs := []float64{-2.955065359477124183e-2, 6.4102564102564102564e-3,
		-1.9175269175269175269e-3, 8.4175084175084175084e-4,
		-5.952380952380952381e-4, 7.9365079365079365079e-4,
		-2.7777777777777777778e-3, 8.3333333333333333333e-2}
	rn := 1 / n
	u := rn / n
	poly := 0.0
	for _, c := range coeffs {
		poly = poly*u + c
	}
	return math.Log(n)/2 - n + math.Log(2*math.Pi)/2 + rn*poly
}

// Smirnov returns the exact one-sided probability P(D_n^+ >= e) by the
// Birnbaum-Tingey sum e·Σ_{j=0}^{⌊n(1−e)⌋} C(n,j)(1−e−j/n)^(n−j)(e+j/n)^(j−1),
// each term evaluated in logarithms.
func Smirnov(n int, e float64) float64 {
	if e <= 0 {
		return 1
	}
	if e >= 1 {
		return 0
	}
	nf := float64(n)
	jmax := int(math.Floor(nf * (1 - e)))
	lgN, _ := math.Lgamma(nf + 1)
	sum := 0.0
	for j := 0; j <= jmax; j++ {
		jf := float64(j)
		a := 1 - e - jf/nf
		b := e + jf/nf
		if a <= 0 && j < n {
			continue
		}
		lgJ, _ := math.Lgamma(jf + 1)
		lgNJ, _ := math.Lgamma(nf - jf + 1)
		l := lgN - lgJ - lgNJ + (jf-1)*math.Log(b)
		if n-j > 0 {
			l += (nf - jf) * math.Log(a)
		}
		sum += math.Exp(l)
	}
	return e * sum
}

// kolmogorovDurbin is P(D_n <= d) by the Durbin matrix with the scaling of
// Marsaglia, Tsang and Wang (2003).
func kolmogorovDurbin(n int, d float64) float64 {
	if d >= 1 {
		return 1
	}
	nd := float64(n) * d
	if nd <= 0.5 {
		return 0
	}
	k := int(math.Ceil(nd))
	h := float64(k) - nd
	m := 2*k - 1
	H := make([]float64, m*m)
	v := make([]float64, m)
	w := make([]float64, m)
	fac := 1.0
	for j := 1; j <= m; j++ {
		w[j-1] = fac
		fac /= float64(j)
		v[j-1] = (1 - math.Pow(h, float64(j))) * fac
	}
	tt := math.Pow(math.Max(2*h-1, 0), float64(m)) - 2*math.Pow(h, float64(m))
	v[m-1] = (1 + tt) * fac
	for i := 1; i < m; i++ {
		for r := i - 1; r < m; r++ {
			H[r*m+i] = w[r-(i-1)]
		}
	}
	for r := 0; r < m; r++ {
		H[r*m] = v[r]
	}
	for c := 0; c < m; c++ {
		H[(m-1)*m+c] = v[m-1-c]
	}
	const e128 = 128
	ep128 := math.Ldexp(1, 128)
	em128 := math.Ldexp(1, -128)
	P := make([]float64, m*m)
	for i := 0; i < m; i++ {
		P[i*m+i] = 1
	}
	tmp := make([]float64, m*m)
	expnt, hexpnt := 0, 0
	for nn := n; nn > 0; nn /= 2 {
		if nn%2 == 1 {
			matMul(tmp, P, H, m)
			P, tmp = tmp, P
			expnt += hexpnt
		}
		matMul(tmp, H, H, m)
		H, tmp = tmp, H
		hexpnt *= 2
		if math.Abs(H[(k-1)*m+k-1]) > ep128 {
			for i := range H {
				H[i] /= ep128
			}
			hexpnt += e128
		}
	}
	p := P[(k-1)*m+k-1]
	for i := 1; i <= n; i++ {
		p = float64(i) * p / float64(n)
		if math.Abs(p) < em128 {
			p *= ep128
			expnt -= e128
		}
	}
	if expnt != 0 {
		p = math.Ldexp(p, expnt)
	}
	return clamp01(p)
}

// matMul sets dst = a·b for m×m row-major matrices (dst distinct from both).
func matMul(dst, a, b []float64, m int) {
	clear(dst)
	for i := 0; i < m; i++ {
		ri := dst[i*m : (i+1)*m]
		for k := 0; k < m; k++ {
			aik := a[i*m+k]
			if aik == 0 {
				continue
			}
			rk := b[k*m : (k+1)*m]
			for j := range ri {
				ri[j] += aik * rk[j]
			}
		}
	}
}

// kolmogorovPelzGood is the Pelz-Good (1976) approximation of P(D_n <= x).
func kolmogorovPelzGood(n int, x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	pi2 := math.Pi * math.Pi
	pi4 := pi2 * pi2
	pi6 := pi4 * pi2
	z := math.Sqrt(float64(n)) * x
	z2, z3, z4, z6 := z*z, z*z*z, z*z*z*z, math.Pow(z, 6)
	qlog := -pi2 / 8 / z2
	if qlog < math.Log(math.SmallestNonzeroFloat64) {
		return 0
	}
	q := math.Exp(qlog)
	k1a, k1b := -z2, pi2/4
	k2a := 6*z6 + 2*z4
	k2b := (2*z4 - 5*z2) * pi2 / 4
	k2c := pi4 * (1 - 2*z2) / 16
	k3d := pi6 * (5 - 30*z2) / 64
	k3c := pi4 * (-60*z2 + 212*z4) / 16
	k3b := pi2 * (135*z4 - 96*z6) / 4
	k3a := -30*z6 - 90*math.Pow(z, 8)
	var K [4]float64
	maxk := int(math.Ceil(16 * z / math.Pi))
	for k := maxk; k > 0; k-- {
		mm := float64(2*k - 1)
		m2, m4, m6 := mm*mm, math.Pow(mm, 4), math.Pow(mm, 6)
		qp := math.Pow(q, float64(8*k))
		c := [4]float64{1, k1a + k1b*m2, k2a + k2b*m2 + k2c*m4, k3a + k3b*m2 + k3c*m4 + k3d*m6}
		for i := range K {
			K[i] = K[i]*qp + c[i]
		}
	}
	sqrt2pi := math.Sqrt(2 * math.Pi)
	div := [4]float64{z, 6 * z4, 72 * math.Pow(z, 7), 6480 * math.Pow(z, 10)}
	for i := range K {
		K[i] = K[i] * q * sqrt2pi / div[i]
	}
	q2 := math.Exp(-pi2 / 2 / z2)
	sqrt3z := math.Sqrt(3) * z
	var k2extra, k3extra float64
	for k := maxk; k > 0; k-- {
		kf := float64(k)
		ks2 := kf * kf
		qp := math.Pow(q2, ks2)
		k2extra += ks2 * qp
		kpi := math.Pi * kf
		k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * ks2 * qp
	}
	K[2] += k2extra * pi2 * sqrt2pi / (-36 * z3)
	K[3] += k3extra * pi2 * sqrt2pi / (216 * z6)
	sum := 0.0
	for i := range K {
		sum += K[i] / math.Pow(float64(n), float64(i)/2)
	}
	return sum
}
