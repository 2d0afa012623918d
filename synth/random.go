package synth

import (
	"math"
	"math/rand/v2"
)

// splitmix64 is the SplitMix64 finaliser; it turns related inputs (a seed and
// a small index) into well-spread PCG seeds.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// fnv64a hashes a stream name (FNV-1a, 64 bit).
func fnv64a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// newStreamRand returns a PCG generator for the random stream named stream and
// entity index within it (a student id, a presentation index). The same
// (seed, stream, index) always gives the same sequence, whichever goroutine
// draws it, which is what keeps parallel generation deterministic.
func newStreamRand(seed uint64, stream string, index uint64) *rand.Rand {
	h := fnv64a(stream)
	return rand.New(rand.NewPCG(splitmix64(seed^h), splitmix64(h+splitmix64(index))))
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// normalCDF is the standard normal distribution function.
func normalCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

func bernoulli(r *rand.Rand, p float64) bool { return r.Float64() < p }

// uniformInt returns an integer uniformly distributed on [lo, hi] (inclusive);
// lo when hi < lo.
func uniformInt(r *rand.Rand, lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// poisson draws a Poisson(lambda) count by Knuth's multiplication method,
// adequate for the small means (< 30) used here.
func poisson(r *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	limit := math.Exp(-lambda)
	k := 0
	p := r.Float64()
	for p > limit {
		k++
		p *= r.Float64()
	}
	return k
}

// geometricAtLeastOne draws from the geometric distribution on {1, 2, ...}
// with the given mean (>= 1): P(k) = (1-q)^(k-1) q with q = 1/mean.
func geometricAtLeastOne(r *rand.Rand, mean float64) int {
	if mean <= 1 {
		return 1
	}
	q := 1 / mean
	u := 1 - r.Float64() // (0, 1]
	k := 1 + int(math.Log(u)/math.Log1p(-q))
	if k < 1 {
		k = 1
	}
	return k
}

// truncNormal draws from N(mu, sd) restricted to [lo, hi] by rejection,
// falling back to clamping after 32 rejections (only reached when the window
// lies far in a tail).
func truncNormal(r *rand.Rand, mu, sd, lo, hi float64) float64 {
	for range 32 {
		x := mu + sd*r.NormFloat64()
		if x >= lo && x <= hi {
			return x
		}
	}
	return math.Min(hi, math.Max(lo, mu))
}

// categorical samples an index of weights (need not sum to one).
type categorical struct {
	cum []float64
}

func newCategorical(weights []float64) categorical {
	cum := make([]float64, len(weights))
	s := 0.0
	for i, w := range weights {
		s += w
		cum[i] = s
	}
	for i := range cum {
		cum[i] /= s
	}
	return categorical{cum: cum}
}

func (c categorical) draw(r *rand.Rand) int {
	u := r.Float64()
	for i, v := range c.cum {
		if u < v {
			return i
		}
	}
	return len(c.cum) - 1
}

// aliasTable samples an index with probability proportional to its weight in
// O(1) (Vose's alias method); used to pick VLE sites millions of times.
type aliasTable struct {
	prob  []float64
	alias []int32
}

func newAliasTable(weights []float64) aliasTable {
	n := len(weights)
	t := aliasTable{prob: make([]float64, n), alias: make([]int32, n)}
	if n == 0 {
		return t
	}
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	scaled := make([]float64, n)
	var small, large []int
	for i, w := range weights {
		scaled[i] = w * float64(n) / sum
		if scaled[i] < 1 {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s := small[len(small)-1]
		small = small[:len(small)-1]
		l := large[len(large)-1]
		t.prob[s] = scaled[s]
		t.alias[s] = int32(l)
		scaled[l] += scaled[s] - 1
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	for _, i := range large {
		t.prob[i] = 1
		t.alias[i] = int32(i)
	}
	for _, i := range small { // rounding leftovers
		t.prob[i] = 1
		t.alias[i] = int32(i)
	}
	return t
}

func (t aliasTable) draw(r *rand.Rand) int {
	i := r.IntN(len(t.prob))
	if r.Float64() < t.prob[i] {
		return i
	}
	return int(t.alias[i])
}

// quantileCurve is a piecewise-linear inverse distribution function given by
// (probability, value) knots with probabilities ascending from 0 to 1.
type quantileCurve [][2]float64

func (q quantileCurve) at(u float64) float64 {
	if u <= q[0][0] {
		return q[0][1]
	}
	for i := 1; i < len(q); i++ {
		if u <= q[i][0] {
			p0, v0, p1, v1 := q[i-1][0], q[i-1][1], q[i][0], q[i][1]
			if p1 == p0 {
				return v1
			}
			return v0 + (v1-v0)*(u-p0)/(p1-p0)
		}
	}
	return q[len(q)-1][1]
}
