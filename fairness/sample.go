package fairness

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"
)

// stream is the random source of one resampling task: a PCG generator of
// math/rand/v2 seeded from the audit seed and the task's stable name, with
// 64-bit outputs split into two 32-bit draws for bounded integers.
type stream struct {
	pcg      rand.PCG
	spare    uint32
	hasSpare bool
}

// taskSeed returns the second PCG seed word of the named task: FNV-1a of
// "fairness/<kind>/<dimension>/<index>".
func taskSeed(kind, dimension string, index int) uint64 {
	h := fnv.New64a()
	h.Write([]byte("fairness/" + kind + "/" + dimension + "/" + strconv.Itoa(index)))
	return h.Sum64()
}

// reset seeds s for the named task.
func (s *stream) reset(seed uint64, kind, dimension string, index int) {
	s.pcg.Seed(seed, taskSeed(kind, dimension, index))
	s.hasSpare = false
}

func (s *stream) uint32() uint32 {
	if s.hasSpare {
		s.hasSpare = false
		return s.spare
	}
	v := s.pcg.Uint64()
	s.spare, s.hasSpare = uint32(v>>32), true
	return uint32(v)
}

// intn returns a uniform integer in [0, n) for 0 < n < 2^32 (Lemire's
// nearly-divisionless method, exact).
func (s *stream) intn(n uint32) uint32 {
	m := uint64(s.uint32()) * uint64(n)
	if low := uint32(m); low < n {
		t := -n % n
		for low < t {
			m = uint64(s.uint32()) * uint64(n)
			low = uint32(m)
		}
	}
	return uint32(m >> 32)
}

// rejected reports whether the multiply-shift product prod of a 32-bit
// draw and n falls in Lemire's rejection region (its low half below
// 2^32 mod n), where the high half would not be exactly uniform.
func rejected(prod uint64, n uint32) bool {
	low := uint32(prod)
	return low < n && low < -n%n
}

// selector draws a uniformly random subset of places rows out of left,
// one row at a time in order (selection sampling, Knuth's algorithm S):
// each row is selected with probability (places left)/(rows left). It
// takes two 32-bit draws from each PCG output.
type selector struct {
	s            *stream
	bits         uint64
	odd          bool
	left, places uint32
}

// next returns 1 if the next row is selected and 0 otherwise, without a
// branch on the outcome. The draw in [0, left) is Lemire's exact
// multiply-shift, with a fresh exact draw in the rare rejection case.
func (q *selector) next() int64 {
	if q.odd {
		q.bits >>= 32
	} else {
		q.bits = q.s.pcg.Uint64()
	}
	q.odd = !q.odd
	prod := uint64(uint32(q.bits)) * uint64(q.left)
	draw := prod >> 32
	if rejected(prod, q.left) {
		draw = uint64(q.s.intn(q.left))
	}
	m := int64((draw - uint64(q.places)) >> 63)
	q.places -= uint32(m)
	q.left--
	return m
}

// float64 returns a uniform number in [0, 1) with 53 random bits.
func (s *stream) float64() float64 {
	return float64(s.pcg.Uint64()>>11) / (1 << 53)
}

// lchoose returns log C(n, k).
func lchoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

// searchFromMode draws from a discrete distribution on [lo, hi] by
// inversion, enumerating outcomes from the mode outward (mode, mode+1,
// mode-1, ...) and subtracting their probabilities from one uniform. Any
// fixed enumeration order samples exactly; starting at the mode makes the
// expected number of steps proportional to the standard deviation. up(k)
// returns f(k+1)/f(k) and down(k) returns f(k-1)/f(k).
func (s *stream) searchFromMode(lo, hi, mode int, fMode float64, up, down func(k int) float64) int {
	u := s.float64() - fMode
	if u < 0 {
		return mode
	}
	l, h := mode, mode
	fl, fh := fMode, fMode
	for {
		moved := false
		if h < hi && fh > 0 {
			fh *= up(h)
			h++
			if u -= fh; u < 0 {
				return h
			}
			moved = true
		}
		if l > lo && fl > 0 {
			fl *= down(l)
			l--
			if u -= fl; u < 0 {
				return l
			}
			moved = true
		}
		if !moved {
			// Only rounding error is left (the probabilities summed to 1).
			return mode
		}
	}
}

// binomial draws from Binomial(n, p).
func (s *stream) binomial(n int, p float64) int {
	switch {
	case n <= 0 || p <= 0:
		return 0
	case p >= 1:
		return n
	}
	q := 1 - p
	mode := min(int(float64(n+1)*p), n)
	fMode := math.Exp(lchoose(n, mode) + float64(mode)*math.Log(p) + float64(n-mode)*math.Log(q))
	odds := p / q
	up := func(k int) float64 { return float64(n-k) / float64(k+1) * odds }
	down := func(k int) float64 { return float64(k) / float64(n-k+1) / odds }
	return s.searchFromMode(0, n, mode, fMode, up, down)
}

// hypergeometric draws the number of marked items among n drawn without
// replacement from total items of which marked are marked.
func (s *stream) hypergeometric(total, marked, n int) int {
	lo, hi := max(0, n-(total-marked)), min(n, marked)
	if lo >= hi {
		return lo
	}
	mode := int(float64(n+1) * float64(marked+1) / float64(total+2))
	mode = min(max(mode, lo), hi)
	fMode := math.Exp(lchoose(marked, mode) + lchoose(total-marked, n-mode) - lchoose(total, n))
	other := total - marked
	up := func(k int) float64 {
		return float64(marked-k) * float64(n-k) / (float64(k+1) * float64(other-n+k+1))
	}
	down := func(k int) float64 {
		return float64(k) * float64(other-n+k) / (float64(marked-k+1) * float64(n-k+1))
	}
	return s.searchFromMode(lo, hi, mode, fMode, up, down)
}

// multinomialCounts draws the confusion matrix of n rows resampled with
// replacement from rows whose confusion matrix is c (a multinomial draw,
// by conditional binomials).
func (s *stream) multinomialCounts(n int, c Counts) Counts {
	var out Counts
	rest, restTotal := n, c.N()
	cells := [4]int{c.TP, c.FP, c.FN, c.TN}
	var drawn [4]int
	for i := range 3 {
		if restTotal == 0 {
			break
		}
		drawn[i] = s.binomial(rest, float64(cells[i])/float64(restTotal))
		rest -= drawn[i]
		restTotal -= cells[i]
	}
	drawn[3] = rest
	out.TP, out.FP, out.FN, out.TN = drawn[0], drawn[1], drawn[2], drawn[3]
	return out
}

// hypergeometricCounts draws the confusion matrix of n rows drawn without
// replacement from a pool whose confusion matrix is pool (a multivariate
// hypergeometric draw, by conditional hypergeometrics).
func (s *stream) hypergeometricCounts(pool Counts, n int) Counts {
	cells := [4]int{pool.TP, pool.FP, pool.FN, pool.TN}
	var drawn [4]int
	rest, restTotal := n, pool.N()
	for i := range 3 {
		drawn[i] = s.hypergeometric(restTotal, cells[i], rest)
		rest -= drawn[i]
		restTotal -= cells[i]
	}
	drawn[3] = rest
	return Counts{TP: drawn[0], FP: drawn[1], FN: drawn[2], TN: drawn[3]}
}

// resampleCells draws n rows with replacement from n rows and adds each
// draw to its cell's multiplicity in w: w[cellOf[row]], or w[row] when
// cellOf is nil (then len(w) must be n).
//
// Two 32-bit draws come from each PCG output, each mapped to [0, n) by
// Lemire's multiply-shift; when either falls in Lemire's rejection region
// (probability below 2n/2^32) both are replaced by fresh exact draws, so
// every draw stays exactly uniform and independent. The two loops differ
// only in the indirection through cellOf.
func (s *stream) resampleCells(w []uint32, n int, cellOf []int32) {
	clear(w)
	n32, n64 := uint32(n), uint64(n)
	i := 0
	if cellOf == nil {
		for ; i+1 < n; i += 2 {
			v := s.pcg.Uint64()
			a, b := uint64(uint32(v))*n64, (v>>32)*n64
			if rejected(a, n32) || rejected(b, n32) {
				w[s.intn(n32)]++
				w[s.intn(n32)]++
				continue
			}
			w[a>>32]++
			w[b>>32]++
		}
		if i < n {
			w[s.intn(n32)]++
		}
		return
	}
	cellOf = cellOf[:n]
	for ; i+1 < n; i += 2 {
		v := s.pcg.Uint64()
		a, b := uint64(uint32(v))*n64, (v>>32)*n64
		if rejected(a, n32) || rejected(b, n32) {
			w[cellOf[s.intn(n32)]]++
			w[cellOf[s.intn(n32)]]++
			continue
		}
		w[cellOf[a>>32]]++
		w[cellOf[b>>32]]++
	}
	if i < n {
		w[cellOf[s.intn(n32)]]++
	}
}

// pValue returns the permutation p-value (1 + extreme) / (1 + defined).
func pValue(extreme, defined int) float64 {
	return float64(1+extreme) / float64(1+defined)
}
