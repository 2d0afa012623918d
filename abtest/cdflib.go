package abtest

import (
	"errors"
	"fmt"
	"math"
)

// This file reproduces the Student t quantile of scipy 1.10.1,
// scipy.stats.t.ppf(p, df) = scipy.special.stdtrit(df, p), which calls
// DCDFLIB's CDFT with WHICH=2 (Brown, Lovato and Russell, DCDFLIB 1.1).
// DCDFLIB does not solve CDF(t) = p to machine precision: it starts from
// an approximation (DT1), brackets the root by stepping (DINVR), and stops
// the Bus–Dekker zero finder (DZROR) once the bracket is narrower than
// 1e-8 relative. Its answer therefore differs from the true quantile by up
// to ~1e-9, and the point where it stops depends on the exact sequence of
// iterates. Users compare Welch intervals with scipy's to many digits, so
// where scipy is the stated reference the package follows the same
// sequence: the same start, the same steps, the same interpolation and the
// same stopping rule. The CDF it evaluates along the way (CUMT, through
// BRATIO's incomplete beta) is computed by the same methods in the same
// regimes, with the logarithms taken from the same one of x and y, but with
// Go's gamma functions in place of DCDFLIB's rational approximations; it
// agrees with DCDFLIB's to a few units in the last place, and the quantile
// with scipy's to 1.1e-15 relative at worst on the 300 recorded cases
// (testdata/scipy_t_quantile.json).

// DCDFLIB's settings for CDFT(WHICH=2): the search range, the step search
// (DSTINV) and the tolerances of the zero finder.
const (
	cdftSearchBound = 1e100
	cdftAbsStep     = 0.5
	cdftRelStep     = 0.5
	cdftStepMul     = 5.0
	cdftAbsTol      = 1e-50
	cdftRelTol      = 1e-8
)

// scipyTQuantile returns the p quantile of Student's t distribution with df
// degrees of freedom exactly as scipy 1.10.1 computes stats.t.ppf(p, df)
// (DCDFLIB CDFT, WHICH=2): within about 1e-8 relative of the true
// quantile (4e-9 at worst on the recorded cases), and within a few units
// in the last place of scipy's own value.
// It needs 0 < p < 1 and df > 0 (finite); otherwise it returns an error.
// Where the search cannot bracket the root it returns ±1e100, as scipy
// does (DCDFLIB's status 1 or 2).
func scipyTQuantile(p, df float64) (float64, error) {
	if !(p > 0 && p < 1) {
		return math.NaN(), fmt.Errorf("t quantile: p must be in (0, 1), got %v", p)
	}
	if !(df > 0) || math.IsInf(df, 1) {
		return math.NaN(), fmt.Errorf("t quantile: degrees of freedom must be positive and finite, got %v", df)
	}
	q := 1 - p // as scipy's cdft2_wrap
	lowerIsSmaller := p <= q
	f := func(t float64) float64 {
		cum, ccum := dcdflibTCDF(t, df)
		if lowerIsSmaller {
			return cum - p
		}
		return ccum - q
	}
	t, err := dcdflibInvert(f, dcdflibTStart(p, q, df), -cdftSearchBound, cdftSearchBound)
	if err != nil {
		var unbounded errDcdflibUnbounded
		if errors.As(err, &unbounded) {
			if unbounded.left {
				return -cdftSearchBound, nil
			}
			return cdftSearchBound, nil
		}
		return math.NaN(), fmt.Errorf("t quantile at p=%v, df=%v: %w", p, df, err)
	}
	return t, nil
}

// scipyTCrit returns the two-sided critical value of a level confidence
// interval on df degrees of freedom as scipy and statsmodels compute it:
// stats.t.ppf(1 − α/2, df) with α = 1 − level (statsmodels' conf_int with
// use_t=True), i.e. scipyTQuantile, not the exact quantile of tUpper.
func scipyTCrit(level, df float64) (float64, error) {
	return scipyTQuantile(1-(1-level)/2, df)
}

// errDcdflibUnbounded reports that the step search reached an end of the
// search range without bracketing the root; left says which end.
type errDcdflibUnbounded struct{ left bool }

func (e errDcdflibUnbounded) Error() string {
	if e.left {
		return "the root lies below the search range"
	}
	return "the root lies above the search range"
}

// dcdflibTStart is DCDFLIB's DT1: the Cornish–Fisher-type expansion of the
// t quantile in powers of 1/df (Abramowitz and Stegun 26.7.5) around the
// normal quantile of min(p, q), given the sign of p − 1/2.
func dcdflibTStart(p, q, df float64) float64 {
	// Polynomials in x² (lowest degree first) and their denominators.
	coef := [4][]float64{
		{1, 1},
		{3, 16, 5},
		{-15, 17, 19, 3},
		{-945, -1920, 1482, 776, 79},
	}
	denom := [4]float64{4, 96, 384, 92160}
	x := math.Abs(dcdflibNormalQuantile(p, q))
	xx := float64(x * x)
	sum := x
	denpow := 1.0
	for i := range coef {
		term := float64(hornerAscending(coef[i], xx) * x)
		denpow = float64(denpow * df)
		sum = float64(sum + float64(term/float64(denpow*denom[i])))
	}
	if p >= 0.5 {
		return sum
	}
	return -sum
}

// hornerAscending evaluates c[0] + c[1]·x + … by Horner's rule, rounding
// every operation (no fused multiply-add), as DCDFLIB's DEVLPL.
func hornerAscending(c []float64, x float64) float64 {
	s := c[len(c)-1]
	for i := len(c) - 2; i >= 0; i-- {
		s = float64(c[i] + float64(s*x))
	}
	return s
}

// dcdflibNormalQuantile is DCDFLIB's DINVNR: the normal quantile of p
// (q = 1 − p) by Newton's method on min(p, q) from the Kennedy–Gentle
// starting value (STVALN), stopping once a step is below 1e-13 relative.
func dcdflibNormalQuantile(p, q float64) float64 {
	const (
		maxIter = 100
		eps     = 1e-13
		r2pi    = 0.3989422804014326
	)
	lower := p <= q
	pp := q
	if lower {
		pp = p
	}
	start := dcdflibNormalStart(pp)
	x := start
	for range maxIter {
		cum := normalLowerTail(x)
		dx := float64(cum-pp) / float64(r2pi*math.Exp(float64(-0.5*x)*x))
		x = float64(x - dx)
		if math.Abs(dx/x) < eps {
			if !lower {
				return -x
			}
			return x
		}
	}
	if !lower {
		return -start
	}
	return start
}

// dcdflibNormalStart is DCDFLIB's STVALN: the rational approximation of
// Kennedy and Gentle (Statistical Computing, 1980, p. 95) to the normal
// quantile of p.
func dcdflibNormalStart(p float64) float64 {
	num := []float64{-0.322232431088, -1.000000000000, -0.342242088547, -0.204231210245e-1, -0.453642210148e-4}
	den := []float64{0.993484626060e-1, 0.588581570495, 0.531103462366, 0.103537752850, 0.38560700634e-2}
	sign, z := -1.0, p
	if p > 0.5 {
		sign, z = 1, 1-p
	}
	y := math.Sqrt(-2 * math.Log(z))
	return sign * float64(y+float64(hornerAscending(num, y)/hornerAscending(den, y)))
}

// normalLowerTail returns P(Z <= x) for a standard normal Z, accurate in
// relative terms in the lower tail.
func normalLowerTail(x float64) float64 {
	return 0.5 * math.Erfc(-x/math.Sqrt2)
}

// dcdflibTCDF is DCDFLIB's CUMT: P(T <= t) and P(T > t) for Student's t
// with df degrees of freedom through the incomplete beta function
// (Abramowitz and Stegun 26.5.27), with the same intermediate quantities
// x = df/(df+t²) and y = t²/(df+t²).
func dcdflibTCDF(t, df float64) (cum, ccum float64) {
	tt := t * t
	dfptt := df + tt
	x := df / dfptt
	y := tt / dfptt
	var a, oma float64 // I_x(df/2, 1/2) and its complement
	switch {
	case x <= 0:
		a, oma = 0, 1
	case y <= 0:
		a, oma = 1, 0
	default:
		a, oma = tIncBetaPair(0.5*df, x, y)
	}
	if t <= 0 {
		cum = 0.5 * a
		return cum, oma + cum
	}
	ccum = 0.5 * a
	return oma + ccum, ccum
}

// tIncBetaPair returns I_x(a, 1/2) and its complement for the t CDF,
// x + y = 1 (both rounded, as CUMT computes them). The value depends on
// whether it is computed from x or from y by about a·ulp(x)/y relative, and
// DCDFLIB's own rounding errors are a few ulps, so the method follows the
// regimes of DCDFLIB's BRATIO for b = 1/2 and computes the same quantity
// from the same one of x and y the same way: the power series (BPSER) in x
// when x <= 1/2 or y >= 0.3 and in y when a <= 1 or y < 0.1 and
// √(a·y) <= 0.7, otherwise the expansion for large a (BGRAT, after BUP's
// 20 terms when a <= 15) in y. Only for a < 0.2 (df < 0.4), where BRATIO
// has further cases, the continued fraction stands in.
func tIncBetaPair(a, x, y float64) (w, w1 float64) {
	const b = 0.5
	switch {
	case x <= 0.5 && a >= 0.2:
		w = powerSeriesBeta(a, b, x)
		return w, 0.5 + (0.5 - w)
	case x <= 0.5:
		return regIncBetaPair(a, b, x, y)
	case a <= 1 || (y < 0.1 && math.Sqrt(y*a) <= 0.7):
		w1 = powerSeriesBeta(b, a, y)
		return 0.5 + (0.5 - w1), w1
	case y >= 0.3:
		w = powerSeriesBeta(a, b, x)
		return w, 0.5 + (0.5 - w)
	}
	// I_x(a, 1/2) is the small one; from y only.
	lnx := math.Log1p(-y)
	if a <= 15 {
		const n = 20
		w = betaLeadingTerms(a, b, n, x, lnx, math.Log(y))
		a += n
	}
	w += temmeLargeA(a, lnx)
	return w, 0.5 + (0.5 - w)
}

// powerSeriesBeta returns I_x(a, b) for min(a, b) <= 1 by the power series
// x^a/(a·B(a, b))·(1 + a·Σ_{n>=1} (1−b)_n·x^n/(n!·(a+n))), computing the
// factor x^a/(a·B(a, b)) the way DCDFLIB's BPSER does (so that the rounding
// matches): through ln Γ(1+a0) and either Γ(b0)/Γ(a0+b0) for b0 >= 8 or a
// product and 1/Γ(1+·) for smaller b0, where a0 = min(a, b), b0 = max(a, b).
func powerSeriesBeta(a, b, x float64) float64 {
	const eps = 1e-15 // BRATIO's tolerance
	if x == 0 {
		return 0
	}
	var front float64
	a0, b0 := math.Min(a, b), math.Max(a, b)
	switch {
	case a0 >= 1:
		front = math.Exp(a*math.Log(x)-lnBeta(a, b)) / a
	case b0 >= 8:
		u := lnGamma1p(a0) + lnGammaRatio(b0, a0)
		front = a0 / a * math.Exp(a*math.Log(x)-u)
	case b0 > 1:
		u := lnGamma1p(a0)
		if m := int(b0 - 1); m >= 1 {
			c := 1.0
			for range m {
				b0--
				c *= b0 / (a0 + b0)
			}
			u += math.Log(c)
		}
		z := a*math.Log(x) - u
		b0--
		apb := a0 + b0
		var t float64
		if apb > 1 {
			t = recipGamma1p(apb-1) / apb
		} else {
			t = recipGamma1p(apb)
		}
		front = math.Exp(z) * (a0 / a) * recipGamma1p(b0) / t
	default:
		front = math.Pow(x, a)
		if front == 0 {
			return 0
		}
		apb := a + b
		var z float64
		if apb > 1 {
			z = recipGamma1p(apb-1) / apb
		} else {
			z = recipGamma1p(apb)
		}
		front *= recipGamma1p(a) * recipGamma1p(b) / z * (b / apb)
	}
	if front == 0 || a <= 0.1*eps {
		return front
	}
	sum, c := 0.0, 1.0
	tol := eps / a
	for n := 1.0; ; n++ {
		c *= (0.5 + (0.5 - b/n)) * x
		w := c / (a + n)
		sum += w
		if math.Abs(w) <= tol {
			break
		}
	}
	return front * (1 + a*sum)
}

// lnGamma1p returns ln Γ(1+a) for a in (−1, 1.5].
func lnGamma1p(a float64) float64 {
	v, _ := math.Lgamma(1 + a)
	return v
}

// recipGamma1p returns 1/Γ(1+a) (DCDFLIB's 1 + GAM1(a)) for a in
// [−0.5, 1.5].
func recipGamma1p(a float64) float64 {
	return 1 / math.Gamma(1+a)
}

// betaLeadingTerms returns I_x(a, b) − I_x(a+n, b) =
// x^a·y^b/(a·B(a, b))·Σ_{i<n} (a+b)_i/(a+1)_i·x^i, with ln x and ln y
// given.
func betaLeadingTerms(a, b float64, n int, x, lnx, lny float64) float64 {
	front := math.Exp(a*lnx+b*lny-lnBeta(a, b)) / a
	sum, term := 0.0, 1.0
	for i := range n {
		sum += term
		fi := float64(i)
		term *= (a + b + fi) / (a + 1 + fi) * x
	}
	return front * sum
}

// temmeLargeA returns I_x(a, 1/2) for a >= 15 from ln x alone by the
// asymptotic expansion of DiDonato and Morris (ACM TOMS 18(3), 1992,
// §9; DCDFLIB's BGRAT) in terms of z = −ν·ln x, ν = a − 1/4:
// I ≈ u·Σ d_n·J_n, where J_0 = Q(1/2, z)/r = erfc(√z)/r with
// r = z^{1/2}·e^{−z}/Γ(1/2), u = r·Γ(a+1/2)/(Γ(a)·ν^{1/2}), J_n follows a
// two-term recursion and the d_n come from the expansion of
// ((1−e^{−t})/t)^{b−1} in t = −ln x. Terms are added while they matter
// (at most 30).
func temmeLargeA(a, lnx float64) float64 {
	const (
		b    = 0.5
		bm1  = b - 1
		eps  = 15 * 1e-15 // BRATIO's tolerance for the expansion
		maxN = 30
	)
	nu := a + 0.5*bm1
	z := -nu * lnx
	if z <= 0 {
		return 0
	}
	r := math.Exp(b*math.Log(z)-z) / math.Sqrt(math.Pi) // z^b e^{-z} / Γ(b)
	// ln(Γ(a+b)/Γ(a)) − b·ln ν; lnGammaRatio is ln(Γ(a)/Γ(a+b)).
	u := r * math.Exp(-(lnGammaRatio(a, b) + b*math.Log(nu)))
	if u == 0 || r == 0 {
		return 0
	}
	j := math.Erfc(math.Sqrt(z)) / r
	v := 0.25 / (nu * nu)
	t2 := 0.25 * lnx * lnx
	sum := j
	var c, d [maxN + 1]float64
	t, cn, n2 := 1.0, 1.0, 0.0
	for n := 1; n <= maxN; n++ {
		bp2n := b + n2
		j = (bp2n*(bp2n+1)*j + (z+bp2n+1)*t) * v
		n2 += 2
		t *= t2
		cn /= n2 * (n2 + 1)
		c[n] = cn
		s := 0.0
		coef := b - float64(n)
		for i := 1; i < n; i++ {
			s += coef * c[i] * d[n-i]
			coef += b
		}
		d[n] = bm1*cn + s/float64(n)
		dj := d[n] * j
		sum += dj
		if sum <= 0 {
			return 0
		}
		if math.Abs(dj) <= eps*sum {
			break
		}
	}
	return u * sum
}

// regIncBetaPair returns the regularized incomplete beta I_x(a, b) and its
// complement 1 − I_x(a, b) = I_y(b, a) for a, b > 0 and x, y in (0, 1)
// with x + y = 1 (both given, so that whichever is small keeps its
// relative precision). The smaller of the two results is computed directly
// by Lentz's continued fraction on the side where it converges fast, and
// the other one as its complement.
func regIncBetaPair(a, b, x, y float64) (w, w1 float64) {
	if x > (a+1)/(a+b+2) {
		w1 = betaContinuedFraction(b, a, y, x)
		return 0.5 + (0.5 - w1), w1
	}
	w = betaContinuedFraction(a, b, x, y)
	return w, 0.5 + (0.5 - w)
}

// betaContinuedFraction returns I_x(a, b) for x < (a+1)/(a+b+2), where
// the continued fraction (Abramowitz and Stegun 26.5.8) converges quickly:
// x^a·y^b/(a·B(a, b)) times 1/(1+ d1/(1+ d2/(1+ …))).
func betaContinuedFraction(a, b, x, y float64) float64 {
	// Logarithms of x and y from whichever of the two is small.
	lnx, lny := math.Log(x), math.Log(y)
	if x > 0.5 {
		lnx = math.Log1p(-y)
	} else {
		lny = math.Log1p(-x)
	}
	front := math.Exp(a*lnx+b*lny-lnBeta(a, b)) / a
	if front == 0 {
		return 0
	}
	const (
		tiny   = 1e-300
		stop   = 1e-17
		maxIts = 10000
	)
	c, d := 1.0, 0.0
	f := 1.0
	for i := 0; i <= maxIts; i++ {
		m := float64(i / 2)
		var num float64
		switch {
		case i == 0:
			num = 1
		case i%2 == 0:
			num = m * (b - m) * x / ((a + 2*m - 1) * (a + 2*m))
		default:
			num = -(a + m) * (a + b + m) * x / ((a + 2*m) * (a + 2*m + 1))
		}
		d = 1 + num*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		d = 1 / d
		c = 1 + num/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		cd := c * d
		f *= cd
		if math.Abs(cd-1) < stop {
			break
		}
	}
	return front * (f - 1)
}

// lnBeta returns ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a+b) for a, b > 0
// without the cancellation of subtracting large log-gammas: the ratio
// Γ(c)/Γ(c+s) of the larger argument c >= 10 uses Stirling's series.
func lnBeta(a, b float64) float64 {
	small, large := math.Min(a, b), math.Max(a, b)
	if large < 10 {
		return math.Log(math.Gamma(a) * math.Gamma(b) / math.Gamma(a+b))
	}
	// ln Γ(large) − ln Γ(large+small).
	ratio := lnGammaRatio(large, small)
	if small < 10 {
		return math.Log(math.Gamma(small)) + ratio
	}
	// ln Γ(small) by Stirling as well.
	return (small-0.5)*math.Log(small) - small + 0.5*math.Log(2*math.Pi) + stirlingCorrection(small) + ratio
}

// lnGammaRatio returns ln(Γ(a)/Γ(a+b)) for a >= 8, b > 0, by Stirling's
// series without subtracting large log-gammas.
func lnGammaRatio(a, b float64) float64 {
	return -(a-0.5)*math.Log1p(b/a) - b*math.Log(a+b) + b +
		stirlingCorrection(a) - stirlingCorrection(a+b)
}

// stirlingCorrection returns ln Γ(x) − ((x−½)·ln x − x + ½·ln 2π) for
// x >= 8 by its asymptotic series, accurate to double precision there.
func stirlingCorrection(x float64) float64 {
	z := 1 / (x * x)
	// Bernoulli terms B_{2k}/(2k(2k−1)), k = 1..9.
	s := 43867.0/244188*z - 3617.0/122400
	s = s*z + 1.0/156
	s = s*z - 691.0/360360
	s = s*z + 1.0/1188
	s = s*z - 1.0/1680
	s = s*z + 1.0/1260
	s = s*z - 1.0/360
	s = s*z + 1.0/12
	return s / x
}

// dcdflibInvert is DCDFLIB's DINVR with DSTINV's settings for CDFT: it
// finds a root of the non-decreasing or non-increasing f in [small, big],
// starting from x0. It checks that f(small) and f(big) bracket zero, steps
// from x0 by max(absstp, relstp·|x0|), multiplying the step by stpmul until
// the root is bracketed, and then runs DZROR on the bracket; the answer is
// DZROR's final iterate.
func dcdflibInvert(f func(float64) float64, x0, small, big float64) (float64, error) {
	if !(small <= x0 && x0 <= big) {
		return math.NaN(), fmt.Errorf("starting value %v outside [%v, %v]", x0, small, big)
	}
	fsmall, fbig := f(small), f(big)
	increasing := fbig > fsmall
	if increasing {
		if fsmall > 0 {
			return small, errDcdflibUnbounded{left: true}
		}
		if fbig < 0 {
			return big, errDcdflibUnbounded{left: false}
		}
	} else {
		if fsmall < 0 {
			return small, errDcdflibUnbounded{left: true}
		}
		if fbig > 0 {
			return big, errDcdflibUnbounded{left: false}
		}
	}
	step := math.Max(cdftAbsStep, cdftRelStep*math.Abs(x0))
	yy := f(x0)
	if yy == 0 {
		return x0, nil
	}
	var xlb, xub float64
	if up := (increasing && yy < 0) || (!increasing && yy > 0); up {
		xlb, xub = x0, math.Min(x0+step, big)
		for {
			yy = f(xub)
			bracketed := (increasing && yy >= 0) || (!increasing && yy <= 0)
			atLimit := xub >= big
			if bracketed || atLimit {
				if !bracketed {
					return big, errDcdflibUnbounded{left: false}
				}
				break
			}
			step *= cdftStepMul
			xlb, xub = xub, math.Min(xub+step, big)
		}
	} else {
		xub, xlb = x0, math.Max(x0-step, small)
		for {
			yy = f(xlb)
			bracketed := (increasing && yy <= 0) || (!increasing && yy >= 0)
			atLimit := xlb <= small
			if bracketed || atLimit {
				if !bracketed {
					return small, errDcdflibUnbounded{left: true}
				}
				break
			}
			step *= cdftStepMul
			xub, xlb = xlb, math.Max(xlb-step, small)
		}
	}
	return dcdflibZero(f, xlb, xub, cdftAbsTol, cdftRelTol)
}

// dcdflibZero is DCDFLIB's DZROR: Algorithm R of Bus and Dekker (ACM TOMS
// 1(4), 1975), a bracketing zero finder mixing secant, inverse quadratic
// interpolation and bisection, which stops once half the bracket is at
// most ½·max(abstol, reltol·|x|) and returns its best end. The order of
// evaluations and the bookkeeping of its variables (including that the
// first tolerance is taken at the upper end) follow DZROR, since the
// returned point depends on them.
func dcdflibZero(f func(float64) float64, xlo, xhi, abstol, reltol float64) (float64, error) {
	ftol := func(x float64) float64 { return 0.5 * math.Max(abstol, reltol*math.Abs(x)) }
	b := xlo
	fb := f(b)
	xlo = xhi
	a := xlo
	fa := f(a)
	if (fb < 0 && fa < 0) || (fb > 0 && fa > 0) {
		return math.NaN(), fmt.Errorf("zero finder: f(%v) and f(%v) have the same sign", b, a)
	}
	var c, fc, d, fd float64
	first := true
	restart := true
	ext := 0
	for {
		if restart {
			c, fc = a, fa
			ext = 0
			restart = false
		}
		if math.Abs(fc) < math.Abs(fb) {
			if c != a {
				d, fd = a, fa
			}
			a, fa = b, fb
			xlo = c
			b, fb = xlo, fc
			c, fc = a, fa
		}
		tol := ftol(xlo)
		m := float64(c+b) * 0.5
		mb := m - b
		if !(math.Abs(mb) > tol) {
			break
		}
		var w float64
		if ext > 3 {
			w = mb
		} else {
			tol = math.Copysign(tol, mb)
			num := float64(b-a) * fb
			var den float64
			if first {
				den = fa - fb
				first = false
			} else {
				fdb := float64(fd-fb) / float64(d-b)
				fda := float64(fd-fa) / float64(d-a)
				num = fda * num
				den = float64(fdb*fa) - float64(fda*fb)
			}
			if num < 0 {
				num, den = -num, -den
			}
			if ext == 3 {
				num *= 2
			}
			switch {
			case num == 0 || num <= float64(den*tol):
				w = tol
			case num < float64(mb*den):
				w = num / den
			default:
				w = mb
			}
		}
		d, fd = a, fa
		a, fa = b, fb
		b = b + w
		xlo = b
		fb = f(b)
		if fc*fb >= 0 {
			restart = true
			continue
		}
		if w == mb {
			ext = 0
		} else {
			ext++
		}
	}
	if !((fc >= 0 && fb <= 0) || (fc < 0 && fb >= 0)) {
		return math.NaN(), fmt.Errorf("zero finder: the bracket [%v, %v] does not contain a sign change", xlo, c)
	}
	return xlo, nil
}
