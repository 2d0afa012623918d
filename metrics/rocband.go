package metrics

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
)

// CurvePoint is one point of a ROC (X = FPR, Y = TPR) or precision-recall
// (X = recall, Y = precision) curve.
type CurvePoint struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// ROCBand is a pointwise confidence band of a ROC curve: at each FPR of
// the grid, the TPR of the curve and the percentile interval of the TPR
// over stratified bootstrap replicates (positives and negatives resampled
// separately), taking the TPR at a given FPR as the curve's value there,
// interpolated linearly between ROC points.
type ROCBand struct {
	FPR   []float64 `json:"fpr"`
	TPR   []float64 `json:"tpr"`
	Lower []float64 `json:"lower"`
	Upper []float64 `json:"upper"`
	Level float64   `json:"level"`
	// Replicates is the number of bootstrap replicates behind the band.
	Replicates int `json:"replicates"`
}

// Thin returns at most max points of a curve: the first, the last and
// points at evenly spaced indexes between them, for plots. Curves with at
// most max points are returned unchanged. max must be at least 2.
func Thin(points []CurvePoint, max int) []CurvePoint {
	if max < 2 {
		panic("metrics: Thin needs max >= 2")
	}
	if len(points) <= max {
		return points
	}
	out := make([]CurvePoint, 0, max)
	last := len(points) - 1
	for k := 0; k < max; k++ {
		out = append(out, points[int(math.Round(float64(k)*float64(last)/float64(max-1)))])
	}
	return out
}

// ROCPoints returns the ROC curve of score against y as points (see
// ROCCurve).
func ROCPoints(y []uint8, score []float64) ([]CurvePoint, error) {
	fpr, tpr, _, err := ROCCurve(y, score, nil)
	if err != nil {
		return nil, err
	}
	out := make([]CurvePoint, len(fpr))
	for i := range fpr {
		out[i] = CurvePoint{X: fpr[i], Y: tpr[i]}
	}
	return out, nil
}

// PRPoints returns the precision-recall curve of score against y as points
// (X recall, Y precision; see PrecisionRecallCurve).
func PRPoints(y []uint8, score []float64) ([]CurvePoint, error) {
	precision, recall, _, err := PrecisionRecallCurve(y, score, nil)
	if err != nil {
		return nil, err
	}
	out := make([]CurvePoint, len(precision))
	for i := range precision {
		out[i] = CurvePoint{X: recall[i], Y: precision[i]}
	}
	return out, nil
}

// ROCConfidenceBand returns the pointwise band of the ROC curve at grid+1
// evenly spaced FPR values from 0 to 1, from replicates stratified
// bootstrap resamples (positives and negatives resampled separately with
// replacement). Replicate r draws from the PCG generator of (seed, task, r)
// as in BootstrapOptions, in workers goroutines (0 means
// DefaultBootstrapWorkers), so the band is the same whatever the number of
// goroutines or GOMAXPROCS. The scores are sorted once: a replicate only
// counts how often it draws each distinct score, and its curve (ROCCurve of
// the resample) is read from the counts in time linear in the number of
// distinct scores. Errors: those of ROCCurve, grid < 1, replicates < 1,
// level outside (0, 1).
func ROCConfidenceBand(y []uint8, score []float64, grid, replicates int, level float64, seed uint64, task string, workers int) (ROCBand, error) {
	if grid < 1 || replicates < 1 || !(level > 0 && level < 1) {
		return ROCBand{}, fmt.Errorf("roc band: grid %d, replicates %d, level %g: %w", grid, replicates, level, ErrParameter)
	}
	fpr, tpr, _, err := ROCCurve(y, score, nil)
	if err != nil {
		return ROCBand{}, err
	}
	if workers <= 0 {
		workers = DefaultBootstrapWorkers
	}
	band := ROCBand{Level: level, Replicates: replicates}
	for k := 0; k <= grid; k++ {
		x := float64(k) / float64(grid)
		band.FPR = append(band.FPR, x)
		band.TPR = append(band.TPR, tprAt(fpr, tpr, x))
	}
	g := groupScores(y, score, nil)
	group := groupIndex(g, score)
	var pos, neg []int32 // each row's score group, by class
	for i, v := range y {
		if v == 1 {
			pos = append(pos, int32(group[i]))
		} else {
			neg = append(neg, int32(group[i]))
		}
	}
	P, N := float64(len(pos)), float64(len(neg))
	// A replicate's curve at x is read between its first point with
	// fps/N > x and the point before (tprAt). Every replicate draws N
	// negatives, so that point is the first with fps >= minFPS[k], found
	// once: division by N is monotone. Replicates then find their points
	// by counting, dividing only at the points read.
	minFPS := make([]int, len(band.FPR))
	for k, x := range band.FPR {
		minFPS[k] = 1 + sort.Search(len(neg), func(f int) bool { return float64(f+1)/N > x })
	}
	samples := make([][]float64, grid+1)
	for k := range samples {
		samples[k] = make([]float64, replicates)
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cpos := make([]int32, len(g.value))
			cneg := make([]int32, len(g.value))
			for r := w; r < replicates; r += workers {
				src := replicateSource(seed, task, r)
				clear(cpos)
				clear(cneg)
				for range pos {
					cpos[pos[uniformIndex(src, uint64(len(pos)))]]++
				}
				for range neg {
					cneg[neg[uniformIndex(src, uint64(len(neg)))]]++
				}
				// ROCCurve of the resample is (0, 0), then one point per
				// distinct score drawn, in decreasing order (a score not
				// drawn repeats the point before it, which changes no
				// reading: it is never the first beyond x).
				var tps, fps, prevTPS, prevFPS int
				k := 0
				for j := range cpos {
					prevTPS, prevFPS = tps, fps
					tps += int(cpos[j])
					fps += int(cneg[j])
					for ; k < len(minFPS) && fps >= minFPS[k]; k++ {
						x0, x1 := float64(prevFPS)/N, float64(fps)/N
						y0, y1 := float64(prevTPS)/P, float64(tps)/P
						samples[k][r] = y0 + (y1-y0)*(band.FPR[k]-x0)/(x1-x0)
					}
				}
				for ; k < len(minFPS); k++ { // beyond the last point
					samples[k][r] = float64(tps) / P
				}
			}
		}()
	}
	wg.Wait()
	alpha := (1 - level) / 2
	for k := range samples {
		slices.Sort(samples[k])
		band.Lower = append(band.Lower, quantileSorted(samples[k], alpha))
		band.Upper = append(band.Upper, quantileSorted(samples[k], 1-alpha))
	}
	return band, nil
}

// tprAt interpolates the ROC curve (fpr ascending) at x; on a vertical
// segment it takes the highest TPR.
func tprAt(fpr, tpr []float64, x float64) float64 {
	i := sort.Search(len(fpr), func(i int) bool { return fpr[i] > x })
	if i == 0 {
		return tpr[0]
	}
	if i == len(fpr) {
		return tpr[len(tpr)-1]
	}
	x0, x1 := fpr[i-1], fpr[i]
	y0, y1 := tpr[i-1], tpr[i]
	return y0 + (y1-y0)*(x-x0)/(x1-x0)
}

// quantileSorted is the linear-interpolation quantile (numpy's default) of
// sorted values.
func quantileSorted(v []float64, q float64) float64 {
	h := q * float64(len(v)-1)
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(v) {
		return v[len(v)-1]
	}
	return v[i] + (h-lo)*(v[i+1]-v[i])
}
