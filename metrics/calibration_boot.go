package metrics

import (
	"fmt"
	"math"
	"sync"
)

// CalibrationReplicates holds the calibration summaries of each bootstrap
// replicate, NaN where a summary is undefined in that replicate (a drawn
// probability of exactly 0 or 1, separation): ECE[r], Slope[r] and
// Intercept[r] belong to replicate r.
type CalibrationReplicates struct {
	ECE, Slope, Intercept []float64
}

// CalibrationBootstrap draws replicates stratified bootstrap resamples of
// (y, p) (positives and negatives resampled separately with replacement,
// positives first) and returns each one's ECE with bins equal-width bins,
// calibration slope and calibration-in-the-large, as Calibration defines
// them. Replicate r draws from the PCG generator of (seed, task, r) as in
// BootstrapOptions, so the result is the same whatever workers (the number
// of goroutines, 0 meaning DefaultBootstrapWorkers) or GOMAXPROCS.
//
// Each replicate's logistic fits start from the full sample's fit (the
// logits are computed once) and take Newton steps without a line search
// while the steps are below 0.1 of the coefficients' scale and shrinking,
// stopping after a step below 1e-6 of it: the coefficient is then exact to
// about 1e-12 relative, well inside the resampling error it measures.
// Errors: those of Calibration, replicates < 1.
func CalibrationBootstrap(y []uint8, p []float64, bins, replicates int, seed uint64, task string, workers int) (CalibrationReplicates, error) {
	if err := probabilityInput("calibration bootstrap", y, p); err != nil {
		return CalibrationReplicates{}, err
	}
	if bins < 1 || replicates < 1 {
		return CalibrationReplicates{}, fmt.Errorf("calibration bootstrap: %d bins, %d replicates: %w", bins, replicates, ErrParameter)
	}
	if workers <= 0 {
		workers = DefaultBootstrapWorkers
	}
	n := len(y)
	// Per row, computed once: its bin, its logit (±Inf at 0 and 1) and its
	// label as a target.
	step := 1 / float64(bins)
	edges := make([]float64, bins+1)
	for k := range edges {
		edges[k] = float64(k) * step
	}
	edges[bins] = 1
	logit := make([]float64, n)
	nPos := 0
	anyInfinite := false
	for i, v := range p {
		anyInfinite = anyInfinite || v == 0 || v == 1
		logit[i] = math.Log(v / (1 - v))
		nPos += int(y[i])
	}
	nNeg := n - nPos
	// The full sample's fits are where every replicate's fits start.
	var a0, b0, c0 float64
	if nPos > 0 && nNeg > 0 && finite(logit) {
		t := labelTargets(y)
		if a, b, ok := newtonLogistic(t, logit, false); ok {
			a0, b0 = a, b
		}
		if c, _, ok := newtonLogistic(t, logit, true); ok {
			c0 = c
		}
	}
	// Each class's rows packed for the draws: one random read per draw.
	var classes [2][]calibrationRow // positives, negatives
	for i, v := range p {
		c := &classes[1-y[i]]
		*c = append(*c, calibrationRow{logit: logit[i], p: v, row: int32(i), bin: int32(binOf(v, edges))})
	}
	// The probabilities at the fits' starting points are the same in every
	// replicate: each fit's first step reads them.
	startSlope, startOffset := make([]float64, n), make([]float64, n)
	one := 1.0
	for i, x := range logit {
		startSlope[i] = sigmoid(a0 + b0*x)
		startOffset[i] = sigmoid(c0 + one*x)
	}
	out := CalibrationReplicates{ECE: make([]float64, replicates), Slope: make([]float64, replicates), Intercept: make([]float64, replicates)}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rm := &replicateMoments{
				ry: make([]float64, n), rx: make([]float64, n), rows: make([]int32, n), nPos: nPos, p: make([]float64, n),
			}
			// Positives are drawn first: the targets are the same in
			// every replicate.
			for k := range nPos {
				rm.ry[k] = 1
			}
			count := make([]int, bins)
			positives := make([]int, bins)
			sumP := make([]float64, bins)
			for r := w; r < replicates; r += workers {
				src := replicateSource(seed, task, r)
				clear(count)
				clear(sumP)
				k := 0
				rx, rows := rm.rx[:n], rm.rows[:n]
				for ci, class := range classes {
					size := uint64(len(class))
					for range class {
						c := &class[uniformIndex(src, size)]
						rx[k], rows[k] = c.logit, c.row
						count[c.bin]++
						sumP[c.bin] += c.p
						k++
					}
					if ci == 0 {
						copy(positives, count) // the positives' draws per bin
					}
				}
				var ece float64
				for b, c := range count {
					if c > 0 {
						fc := float64(c)
						ece += fc / float64(n) * math.Abs(float64(positives[b])/fc-sumP[b]/fc)
					}
				}
				out.ECE[r] = ece
				out.Slope[r], out.Intercept[r] = math.NaN(), math.NaN()
				// A drawn probability of exactly 0 or 1 (an infinite logit)
				// leaves the fits undefined.
				if nPos == 0 || nNeg == 0 || anyInfinite && !finite(rx) {
					continue
				}
				rm.startSums(startSlope, startOffset)
				if _, b, ok := newtonLogisticWith(rm.ry, rm.rx, false, a0, b0, true, rm.moments); ok {
					out.Slope[r] = b
				}
				if c, _, ok := newtonLogisticWith(rm.ry, rm.rx, true, c0, 1, true, rm.offsetMoments); ok {
					out.Intercept[r] = c
				}
			}
		}()
	}
	wg.Wait()
	return out, nil
}

// calibrationRow is what a calibration bootstrap draw reads of a row.
type calibrationRow struct {
	logit, p float64
	row, bin int32
}

// replicateMoments computes a replicate's Newton sums (logisticMoments)
// exactly as newtonLogisticFrom would over the drawn rows in draw order:
// at the starting point every fit's probabilities are known (computed
// once for all replicates, read by row), and both fits' first sums are
// taken in one pass; at later points the probabilities are computed over
// the drawn logits, four at a time (sigmoidsLinear).
type replicateMoments struct {
	ry, rx []float64 // drawn targets and logits, in draw order
	rows   []int32   // the row of each draw
	nPos   int       // the first nPos draws are positives (target 1), the rest negatives (0)
	// The sums of each fit's first step, at its starting point.
	slope0  [5]float64
	offset0 [2]float64
	p       []float64 // each draw's probability at the current point
}

// startSums takes both fits' first sums (moments and offsetMoments at
// iteration 0) in one pass, from every row's probabilities at the fits'
// starting points.
func (m *replicateMoments) startSums(startSlope, startOffset []float64) {
	var g0, g1, h00, h01, h11, o0, oh float64
	target := 1.0
	for _, span := range [2][2]int{{0, m.nPos}, {m.nPos, len(m.rows)}} {
		rx, rows := m.rx[span[0]:span[1]], m.rows[span[0]:span[1]]
		for k, i := range rows {
			v := startSlope[i]
			r := target - v
			wt := v * (1 - v)
			x := rx[k]
			g0 += r
			g1 += r * x
			h00 += wt
			h01 += wt * x
			h11 += wt * x * x
			u := startOffset[i]
			o0 += target - u
			oh += u * (1 - u)
		}
		target = 0
	}
	m.slope0 = [5]float64{g0, g1, h00, h01, h11}
	m.offset0 = [2]float64{o0, oh}
}

func (m *replicateMoments) moments(a, b float64, iter int) (g0, g1, h00, h01, h11 float64) {
	if iter == 0 {
		s := m.slope0
		return s[0], s[1], s[2], s[3], s[4]
	}
	p := m.probabilities(a, b)
	// The targets are 1 for the positives' draws, then 0.
	target := 1.0
	for _, span := range [2][2]int{{0, m.nPos}, {m.nPos, len(p)}} {
		rx, p := m.rx[span[0]:span[1]], p[span[0]:span[1]]
		for k, v := range p {
			r := target - v
			wt := v * (1 - v)
			x := rx[k]
			g0 += r
			g1 += r * x
			h00 += wt
			h01 += wt * x
			h11 += wt * x * x
		}
		target = 0
	}
	return g0, g1, h00, h01, h11
}

// offsetMoments is moments for the fit with the slope fixed at 1
// (calibration-in-the-large), whose Newton steps read only g0 and h00:
// the other sums are left 0.
func (m *replicateMoments) offsetMoments(a, b float64, iter int) (g0, g1, h00, h01, h11 float64) {
	if iter == 0 {
		return m.offset0[0], 0, m.offset0[1], 0, 0
	}
	p := m.probabilities(a, b)
	for _, v := range p[:m.nPos] {
		g0 += 1 - v
		h00 += v * (1 - v)
	}
	for _, v := range p[m.nPos:] {
		g0 += 0 - v
		h00 += v * (1 - v)
	}
	return g0, 0, h00, 0, 0
}

// probabilities returns each draw's probability at (a, b).
func (m *replicateMoments) probabilities(a, b float64) []float64 {
	p := m.p[:len(m.rows)]
	sigmoidsLinear(p, m.rx, a, b)
	return p
}

func finite(v []float64) bool {
	for _, x := range v {
		if math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
