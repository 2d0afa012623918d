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
// same stopping rule. The CDF it evaluates along the way is computed here
// with an accurate regularized incomplete beta instead of DCDFLIB's BRATIO;
// both are accurate to a few units in the last place, so the iterates, and
// the answer, agree with scipy's to about that.

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
// (DCDFLIB CDFT, WHICH=2): within about 1e-9 relative of the true
// quantile, and within a few units in the last place of scipy's own value.
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
		a, oma = regIncBetaPair(0.5*df, 0.5, x, y)
	}
	if t <= 0 {
		cum = 0.5 * a
		return cum, oma + cum
	}
	ccum = 0.5 * a
	return oma + ccum, ccum
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
	ratio := -(large-0.5)*math.Log1p(small/large) - small*math.Log(large+small) + small +
		stirlingCorrection(large) - stirlingCorrection(large+small)
	if small < 10 {
		return math.Log(math.Gamma(small)) + ratio
	}
	// ln Γ(small) by Stirling as well.
	return (small-0.5)*math.Log(small) - small + 0.5*math.Log(2*math.Pi) + stirlingCorrection(small) + ratio
}

// stirlingCorrection returns ln Γ(x) − ((x−½)·ln x − x + ½·ln 2π) for
// x >= 10 by its asymptotic series, accurate to double precision there.
func stirlingCorrection(x float64) float64 {
	z := 1 / (x * x)
	// Bernoulli terms B_{2k}/(2k(2k−1)), k = 1..7.
	s := 1.0/156*z + (-691.0 / 360360)
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
