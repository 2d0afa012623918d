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
	bin := make([]int32, n)
	logit := make([]float64, n)
	var pos, neg []int
	for i, v := range p {
		bin[i] = int32(binOf(v, edges))
		logit[i] = math.Log(v / (1 - v))
		if y[i] == 1 {
			pos = append(pos, i)
		} else {
			neg = append(neg, i)
		}
	}
	// The full sample's fits are where every replicate's fits start.
	var a0, b0, c0 float64
	if len(pos) > 0 && len(neg) > 0 && finite(logit) {
		t := labelTargets(y)
		if a, b, ok := newtonLogistic(t, logit, false); ok {
			a0, b0 = a, b
		}
		if c, _, ok := newtonLogistic(t, logit, true); ok {
			c0 = c
		}
	}
	out := CalibrationReplicates{ECE: make([]float64, replicates), Slope: make([]float64, replicates), Intercept: make([]float64, replicates)}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ry := make([]float64, n)
			rx := make([]float64, n)
			count := make([]int, bins)
			positives := make([]int, bins)
			sumP := make([]float64, bins)
			for r := w; r < replicates; r += workers {
				src := replicateSource(seed, task, r)
				clear(count)
				clear(positives)
				clear(sumP)
				infinite := false
				k := 0
				for _, class := range [][]int{pos, neg} {
					size := uint64(len(class))
					for range class {
						i := class[uniformIndex(src, size)]
						ry[k], rx[k] = float64(y[i]), logit[i]
						b := bin[i]
						count[b]++
						positives[b] += int(y[i])
						sumP[b] += p[i]
						if p[i] == 0 || p[i] == 1 {
							infinite = true
						}
						k++
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
				if infinite || len(pos) == 0 || len(neg) == 0 {
					continue
				}
				if _, b, ok := newtonLogisticFrom(ry, rx, false, a0, b0, true); ok {
					out.Slope[r] = b
				}
				if c, _, ok := newtonLogisticFrom(ry, rx, true, c0, 1, true); ok {
					out.Intercept[r] = c
				}
			}
		}()
	}
	wg.Wait()
	return out, nil
}

func finite(v []float64) bool {
	for _, x := range v {
		if math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
