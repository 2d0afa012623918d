package drift

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Wasserstein returns the first Wasserstein distance between the empirical
// distributions of a and b (scipy.stats.wasserstein_distance): the area
// between their CDFs. Both must be sorted ascending, non-empty, without NaN.
func Wasserstein(a, b []float64) float64 {
	na, nb := float64(len(a)), float64(len(b))
	i, j := 0, 0
	var area float64
	x := math.Min(a[0], b[0])
	for i < len(a) || j < len(b) {
		for i < len(a) && a[i] <= x {
			i++
		}
		for j < len(b) && b[j] <= x {
			j++
		}
		if i == len(a) && j == len(b) {
			break
		}
		next := math.Inf(1)
		if i < len(a) {
			next = a[i]
		}
		if j < len(b) && b[j] < next {
			next = b[j]
		}
		area += math.Abs(float64(i)/na-float64(j)/nb) * (next - x)
		x = next
	}
	return area
}

// JensenShannon returns the Jensen-Shannon distance between the
// distributions p and q (each normalized to sum 1) with logarithms in the
// given base: scipy.spatial.distance.jensenshannon. Evidently uses base 2,
// so the distance lies in [0, 1].
func JensenShannon(p, q []float64, base float64) float64 {
	var sp, sq float64
	for i := range p {
		sp += p[i]
		sq += q[i]
	}
	var js float64
	for i := range p {
		pi, qi := p[i]/sp, q[i]/sq
		m := (pi + qi) / 2
		if pi > 0 {
			js += pi * math.Log(pi/m)
		}
		if qi > 0 {
			js += qi * math.Log(qi/m)
		}
	}
	js /= math.Log(base)
	return math.Sqrt(math.Max(js, 0) / 2)
}

// ChiSquare returns Pearson's statistic Σ (obs−exp)²/exp and its p-value on
// len(obs)−1 degrees of freedom (scipy.stats.chisquare). An expected count
// of zero with a positive observed count gives an infinite statistic and
// p = 0.
func ChiSquare(obs, exp []float64) (stat, p float64) {
	for i := range obs {
		d := obs[i] - exp[i]
		if d == 0 {
			continue
		}
		stat += d * d / exp[i]
	}
	df := float64(len(obs) - 1)
	if df < 1 {
		return stat, math.NaN()
	}
	if math.IsInf(stat, 1) {
		return stat, 0
	}
	return stat, distuv.ChiSquared{K: df}.Survival(stat)
}

// ProportionZ returns the two-proportion z statistic (pooled variance) of
// x1 of n1 against x2 of n2 and its two-sided normal p-value, Evidently's
// z test for binary features.
func ProportionZ(x1, n1, x2, n2 float64) (z, p float64) {
	p1, p2 := x1/n1, x2/n2
	pooled := (x1 + x2) / (n1 + n2)
	z = (p1 - p2) / math.Sqrt(pooled*(1-pooled)*(1/n1+1/n2))
	return z, 2 * (1 - distuv.UnitNormal.CDF(math.Abs(z)))
}

// PSI returns the population stability index Σ (r−c)·ln(r/c) of reference
// shares r and current shares c (no share may be zero: see FillEmpty).
func PSI(ref, cur []float64) float64 {
	var s float64
	for i := range ref {
		s += (ref[i] - cur[i]) * math.Log(ref[i]/cur[i])
	}
	return s
}

// FillEmpty replaces the zero shares of p in place as Evidently does before
// PSI: by 0.0001, or by the smallest positive share divided by 10^6 when
// that share is itself at most 0.0001.
func FillEmpty(p []float64) {
	least := math.Inf(1)
	for _, v := range p {
		if v > 0 && v < least {
			least = v
		}
	}
	fill := 0.0001
	if least <= 0.0001 {
		fill = least / 1e6
	}
	for i, v := range p {
		if v == 0 {
			p[i] = fill
		}
	}
}

// SturgesEdges returns numpy's histogram_bin_edges(x, bins="sturges") for
// a sample of n values from lo to hi: ceil(range / (range/(log2(n)+1)))
// equal bins (one when the range is zero, widened by 0.5 on each side),
// edges as numpy.linspace computes them.
func SturgesEdges(lo, hi float64, n int) []float64 {
	ptp := hi - lo
	first, last := lo, hi
	if first == last {
		first -= 0.5
		last += 0.5
	}
	bins := 1
	if width := ptp / (math.Log2(float64(n)) + 1); width > 0 {
		bins = int(math.Ceil((last - first) / width))
	}
	edges := make([]float64, bins+1)
	step := (last - first) / float64(bins)
	for i := range edges {
		edges[i] = float64(i)*step + first
	}
	edges[bins] = last
	return edges
}

// histogramShares returns the share of the sorted values in each bin of
// edges as numpy.histogram counts them: bin i holds [e_i, e_{i+1}), the
// last bin is closed, values outside the edges are not counted (the shares
// still divide by len(sorted)).
func histogramShares(sorted, edges []float64) []float64 {
	bins := len(edges) - 1
	out := make([]float64, bins)
	// cum[i] = number of values < edges[i] (<= for the last edge).
	prev := lowerBound(sorted, edges[0])
	for i := 1; i <= bins; i++ {
		var c int
		if i == bins {
			c = upperBound(sorted, edges[i])
		} else {
			c = lowerBound(sorted, edges[i])
		}
		out[i-1] = float64(c-prev) / float64(len(sorted))
		prev = c
	}
	return out
}

// lowerBound returns the number of values of sorted below x.
func lowerBound(sorted []float64, x float64) int {
	lo, hi := 0, len(sorted)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if sorted[mid] < x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// upperBound returns the number of values of sorted at or below x.
func upperBound(sorted []float64, x float64) int {
	lo, hi := 0, len(sorted)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if sorted[mid] <= x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}
