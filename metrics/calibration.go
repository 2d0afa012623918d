package metrics

import (
	"fmt"
	"math"
)

// CalibrationBin is one bin of a reliability diagram: the rows whose
// probability lies in [Lower, Upper) (the last bin also holds Upper = 1).
// MeanPredicted and ObservedRate are nil (JSON null) for an empty bin.
type CalibrationBin struct {
	Lower         float64  `json:"lower"`
	Upper         float64  `json:"upper"`
	Count         int      `json:"count"`
	Positives     int      `json:"positives"`
	MeanPredicted *float64 `json:"mean_predicted"`
	ObservedRate  *float64 `json:"observed_rate"`
}

// CalibrationResult holds calibration summaries of probabilities.
//
// ECE is the expected calibration error over equal-width bins. Slope is the
// coefficient of logit(p) in an unpenalized logistic regression of y on
// logit(p) with an intercept (1 = well calibrated, < 1 = overconfident).
// Intercept is calibration-in-the-large: the intercept a of the logistic
// model logit P(y=1) = a + logit(p) with logit(p) as an offset (0 = the mean
// prediction matches the base rate; negative = predictions too high). Slope
// and Intercept are nil when the fit does not exist, with the reason in
// Undefined: a probability of exactly 0 or 1 (logit infinite), a single
// class, or perfect separation (the slope's likelihood has no maximum).
type CalibrationResult struct {
	ECE       float64          `json:"ece"`
	Slope     *float64         `json:"slope"`
	Intercept *float64         `json:"intercept"`
	Undefined string           `json:"undefined,omitempty"`
	Bins      []CalibrationBin `json:"bins"`
}

// Calibration returns the calibration summaries of probabilities p for
// labels y with bins equal-width bins on [0, 1] (bins >= 1).
//
// Bin edges are k/bins computed as k*(1/bins), as numpy.linspace(0, 1,
// bins+1) computes them; bins are half-open [lower, upper) except the last,
// which is closed ([lower, 1]), so a probability equal to an interior edge
// belongs to the bin above it (numpy.searchsorted(edges[1:-1], p,
// side="right")). Note that scikit-learn 1.2.1 calibration_curve uses
// side="left" and so puts such a probability in the bin below. ECE is
// sum over bins of (n_bin/n)·|mean(y) - mean(p)|. The regressions are
// fitted by Newton's method (to a step below 1e-10) and match
// statsmodels 0.13.5 Logit and GLM(Binomial, offset).
// Errors: empty input, length mismatch, labels other than 0/1, a NaN
// probability or one outside [0, 1], bins < 1.
func Calibration(y []uint8, p []float64, bins int) (CalibrationResult, error) {
	if err := probabilityInput("calibration", y, p); err != nil {
		return CalibrationResult{}, err
	}
	if bins < 1 {
		return CalibrationResult{}, fmt.Errorf("calibration: %d bins: %w", bins, ErrParameter)
	}
	res := CalibrationResult{Bins: reliabilityBins(y, p, bins)}
	n := float64(len(y))
	for _, b := range res.Bins {
		if b.Count > 0 {
			res.ECE += float64(b.Count) / n * math.Abs(*b.ObservedRate-*b.MeanPredicted)
		}
	}
	slope, intercept, why := calibrationFits(y, p)
	res.Slope, res.Intercept, res.Undefined = slope, intercept, why
	return res, nil
}

// reliabilityBins assigns each probability to its bin; see Calibration.
func reliabilityBins(y []uint8, p []float64, bins int) []CalibrationBin {
	step := 1 / float64(bins)
	edges := make([]float64, bins+1)
	for k := range edges {
		edges[k] = float64(k) * step
	}
	edges[bins] = 1
	out := make([]CalibrationBin, bins)
	sumP := make([]float64, bins)
	for k := range out {
		out[k].Lower, out[k].Upper = edges[k], edges[k+1]
	}
	for i, v := range p {
		k := binOf(v, edges)
		out[k].Count++
		out[k].Positives += int(y[i])
		sumP[k] += v
	}
	for k := range out {
		if c := float64(out[k].Count); c > 0 {
			out[k].MeanPredicted = ptr(sumP[k] / c)
			out[k].ObservedRate = ptr(float64(out[k].Positives) / c)
		}
	}
	return out
}

// binOf returns the number of interior edges <= v (edges[1:len-1]).
func binOf(v float64, edges []float64) int {
	lo, hi := 0, len(edges)-2 // search interior edges edges[1..len-2]
	for lo < hi {
		mid := (lo + hi) / 2
		if edges[mid+1] <= v {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// calibrationFits returns the calibration slope and intercept, or the
// reason they are undefined.
func calibrationFits(y []uint8, p []float64) (slope, intercept *float64, undefined string) {
	x := make([]float64, len(p))
	pos := 0
	for i, v := range p {
		if v == 0 || v == 1 {
			return nil, nil, fmt.Sprintf("probability %g at row %d has an infinite logit", v, i)
		}
		x[i] = math.Log(v / (1 - v))
		pos += int(y[i])
	}
	if pos == 0 || pos == len(y) {
		return nil, nil, "labels hold a single class: the logistic fits have no maximum"
	}
	a, ok := fitOffsetIntercept(y, x)
	if ok {
		intercept = ptr(a)
	}
	_, b, ok := fitLogistic1(y, x)
	if ok {
		slope = ptr(b)
	} else {
		undefined = "the slope fit has no finite maximum: logit(p) separates the classes or is constant"
	}
	if intercept == nil && undefined == "" {
		undefined = "calibration-in-the-large fit did not converge"
	}
	return slope, intercept, undefined
}

// sigmoid returns 1/(1+exp(-t)) without overflow: 1/(1+e) for t >= 0 and
// e/(1+e) below, with e = exp(-|t|). The numerator is chosen without a
// branch: the sign of t is random in the bootstrap loops, where a
// mispredicted branch cost as much as the exponential. The exponential is
// math.Exp's, to the bit, inlined where it can be (expFMA).
func sigmoid(t float64) float64 {
	x := -math.Abs(t)
	var e float64
	if expFMAPath && x >= -700 {
		e = expFMA(x)
	} else {
		e = math.Exp(x)
	}
	num := e
	if t >= 0 {
		num = 1
	}
	return num / (1 + e)
}

// log1pExp returns log(1+exp(t)) without overflow.
func log1pExp(t float64) float64 {
	if t > 0 {
		return t + math.Log1p(math.Exp(-t))
	}
	return math.Log1p(math.Exp(t))
}

const (
	newtonMaxIter = 200
	// newtonStepTol: Newton converges quadratically, so once a step is
	// this small the coefficient is exact to rounding.
	newtonStepTol = 1e-10
	// separationBound: a fitted logit coefficient beyond this means the
	// likelihood keeps rising toward infinity (separation).
	separationBound = 1e6
)

// fitOffsetIntercept maximizes sum y(a+x) - log(1+exp(a+x)) over a by
// Newton's method with step halving. Both classes must be present.
func fitOffsetIntercept(y []uint8, x []float64) (float64, bool) {
	a, _, ok := newtonLogistic(labelTargets(y), x, true)
	return a, ok
}

// fitLogistic1 maximizes the logistic likelihood of y on a + b·x.
func fitLogistic1(y []uint8, x []float64) (a, b float64, ok bool) {
	return newtonLogistic(labelTargets(y), x, false)
}

// labelTargets returns y as float64 targets.
func labelTargets(y []uint8) []float64 {
	t := make([]float64, len(y))
	for i, v := range y {
		t[i] = float64(v)
	}
	return t
}

// newtonLogistic fits logit P(y=1) = a + b·x by Newton's method with step
// halving, maximizing Σ y_i·t_i - log(1+exp(t_i)) for targets y_i in
// [0, 1] (labels, or Platt's smoothed targets); with offset true, b is
// fixed at 1 and only a is fitted.
func newtonLogistic(y []float64, x []float64, offset bool) (a, b float64, ok bool) {
	if offset {
		b = 1
	}
	return newtonLogisticFrom(y, x, offset, 0, b, false)
}

// newtonLogisticFrom is newtonLogistic started at (a, b) (b must be 1 with
// offset). With trustSmall, a step below 0.1 of the coefficients' scale
// and smaller than the previous undamped step is taken without a line
// search (near the maximum the quadratic model is good and the
// log-likelihood pass costs as much as the step), and the fit stops after a
// step below 1e-6 of it (the error is then about its square).
func newtonLogisticFrom(y []float64, x []float64, offset bool, a, b float64, trustSmall bool) (float64, float64, bool) {
	return newtonLogisticWith(y, x, offset, a, b, trustSmall, nil)
}

// logisticMoments returns the sums a Newton step of newtonLogisticFrom
// takes at (a, b), in its order: g0 = Σ r_i, g1 = Σ r_i·x_i, h00 = Σ w_i,
// h01 = Σ w_i·x_i, h11 = Σ w_i·x_i·x_i over the rows in order, with m_i =
// sigmoid(a + b·x_i), r_i = y_i - m_i and w_i = m_i·(1 - m_i). iter is the
// Newton iteration (0 at the starting point).
type logisticMoments func(a, b float64, iter int) (g0, g1, h00, h01, h11 float64)

// newtonLogisticWith is newtonLogisticFrom with the sums of each step from
// moments (computed over y and x when nil): the calibration bootstrap
// supplies them from probabilities it shares between rows drawn twice and
// between replicates.
func newtonLogisticWith(y []float64, x []float64, offset bool, a, b float64, trustSmall bool, moments logisticMoments) (float64, float64, bool) {
	loglik := func(a, b float64) float64 {
		var s float64
		for i := range x {
			t := a + b*x[i]
			s += y[i]*t - log1pExp(t)
		}
		return s
	}
	var ll float64
	llValid := false
	lastStep := math.Inf(1) // size of the last undamped step (trustSmall)
	if !trustSmall {
		ll, llValid = loglik(a, b), true
	}
	for iter := range newtonMaxIter {
		var g0, g1, h00, h01, h11 float64
		if moments != nil {
			g0, g1, h00, h01, h11 = moments(a, b, iter)
		} else {
			for i := range x {
				m := sigmoid(a + b*x[i])
				r := y[i] - m
				wt := m * (1 - m)
				g0 += r
				g1 += r * x[i]
				h00 += wt
				h01 += wt * x[i]
				h11 += wt * x[i] * x[i]
			}
		}
		var da, db float64
		if offset {
			if !(h00 > 0) {
				return 0, 0, false
			}
			da = g0 / h00
			g1 = 0 // b is fixed: its score equation does not apply
		} else {
			det := h00*h11 - h01*h01
			if !(det > 0) {
				return 0, 0, false
			}
			da = (h11*g0 - h01*g1) / det
			db = (h00*g1 - h01*g0) / det
		}
		if math.Abs(da)+math.Abs(db) < newtonStepTol {
			return a + da, b + db, true
		}
		if trustSmall {
			scale := 1 + math.Abs(a) + math.Abs(b)
			size := math.Abs(da) + math.Abs(db)
			if size < 1e-6*scale {
				return a + da, b + db, true
			}
			// Undamped while the steps are small and shrinking (Newton's
			// quadratic convergence near the maximum); otherwise the line
			// search decides, as without trustSmall.
			if size < 0.1*scale && size < lastStep {
				a, b, llValid, lastStep = a+da, b+db, false, size
				continue
			}
			if !llValid {
				ll, llValid = loglik(a, b), true
			}
			lastStep = math.Inf(1)
		}
		// Newton decrement: the full step would raise the log-likelihood by
		// about (g·step)/2. Once that is below the rounding of the
		// log-likelihood sum and the step itself is small, the line search
		// can no longer see progress but the quadratic model is exact to
		// second order: take the step and stop. (Under separation the
		// decrement also vanishes, but the steps stay large while the
		// coefficients run off to infinity, so this does not stop there.)
		small := math.Abs(da)+math.Abs(db) < 1e-6*(1+math.Abs(a)+math.Abs(b))
		if decrement := g0*da + g1*db; small && decrement < 1e-12*(1+math.Abs(ll)) {
			return a + da, b + db, true
		}
		improved := false
		for range 60 {
			if c := loglik(a+da, b+db); c >= ll {
				// Safety net behind the decrement test: a small accepted
				// step whose gain is lost in the rounding of the
				// log-likelihood sum cannot be followed by visible progress
				// (with thousands of rows the line search otherwise kept
				// halving toward no change, up to newtonMaxIter times).
				if c-ll <= 1e-13*math.Abs(ll) && math.Abs(da)+math.Abs(db) < 1e-6*(1+math.Abs(a)+math.Abs(b)) {
					return a + da, b + db, true
				}
				a, b, ll = a+da, b+db, c
				improved = true
				break
			}
			da /= 2
			db /= 2
		}
		if !improved {
			// Rounding stops progress: accept only at a stationary point.
			n := float64(len(x))
			return a, b, math.Abs(g0)+math.Abs(g1) < 1e-8*n
		}
		if math.Abs(a) > separationBound || math.Abs(b) > separationBound {
			return 0, 0, false
		}
	}
	return 0, 0, false
}
