package abtest

import (
	"errors"
	"math"
)

var errNoBracket = errors.New("the function has the same sign at both ends of the search interval")

// zeroin finds a root of f in [ax, bx] with Brent's method (the algorithm of
// R's uniroot, Brent 1973), given fa = f(ax) and fb = f(bx) of opposite signs
// (or one of them zero). The root is located to within 4·eps·|x| + tol.
func zeroin(f func(float64) float64, ax, bx, fa, fb, tol float64) (float64, error) {
	if fa == 0 {
		return ax, nil
	}
	if fb == 0 {
		return bx, nil
	}
	if math.IsNaN(fa) || math.IsNaN(fb) || (fa > 0) == (fb > 0) {
		return 0, errNoBracket
	}
	const eps = 2.220446049250313e-16
	a, b := ax, bx
	c, fc := a, fa
	for range 1000 {
		prevStep := b - a
		if math.Abs(fc) < math.Abs(fb) {
			a, b, c = b, c, b
			fa, fb, fc = fb, fc, fb
		}
		tolAct := 2*eps*math.Abs(b) + tol/2
		newStep := (c - b) / 2
		if math.Abs(newStep) <= tolAct || fb == 0 {
			return b, nil
		}
		if math.Abs(prevStep) >= tolAct && math.Abs(fa) > math.Abs(fb) {
			var p, q float64
			cb := c - b
			if a == c {
				t1 := fb / fa
				p = cb * t1
				q = 1 - t1
			} else {
				qq := fa / fc
				t1 := fb / fc
				t2 := fb / fa
				p = t2 * (cb*qq*(qq-t1) - (b-a)*(t1-1))
				q = (qq - 1) * (t1 - 1) * (t2 - 1)
			}
			if p > 0 {
				q = -q
			} else {
				p = -p
			}
			if p < 0.75*cb*q-math.Abs(tolAct*q)/2 && p < math.Abs(prevStep*q/2) {
				newStep = p / q
			}
		}
		if math.Abs(newStep) < tolAct {
			newStep = math.Copysign(tolAct, newStep)
		}
		a, fa = b, fb
		b += newStep
		fb = f(b)
		if (fb > 0 && fc > 0) || (fb < 0 && fc < 0) {
			c, fc = a, fa
		}
	}
	return b, errors.New("root finding did not converge in 1000 iterations")
}
