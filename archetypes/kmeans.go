package archetypes

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/evalrun/evalrun/internal/workpool"
)

// Clustering is the result of k-means on a matrix of rows.
type Clustering struct {
	// Labels[i] is the cluster (0..k-1) of row i.
	Labels []int `json:"labels"`
	// Centers[j] is cluster j's centre, the mean of its rows.
	Centers [][]float64 `json:"centers"`
	// Inertia is the sum over rows of the squared Euclidean distance to
	// the row's own centre.
	Inertia float64 `json:"inertia"`
	// Iterations counts the iterations run, the one that found the
	// assignment unchanged included.
	Iterations int `json:"iterations"`
}

// Lloyd runs Lloyd's k-means iterations on the rows of X from the given
// initial centres, as scikit-learn's KMeans(init=init, n_init=1,
// algorithm="lloyd", max_iter=maxIter, tol=tol): each iteration assigns every
// row to its nearest centre (squared Euclidean, the lowest index on ties) and
// moves each centre to its cluster's mean. It stops when the assignment equals
// the previous iteration's; else when the summed squared centre shift is at
// most tol times the mean over columns of X's population variance; else after
// maxIter iterations. Unless stopped by an unchanged assignment, rows are then
// reassigned to the final centres. Centers[j] started at init[j].
//
// A cluster that becomes empty is moved to the row farthest from its own
// centre (scikit-learn relocates the same way). It is an error when the
// widths of init and X differ, when init has more rows than X, or when
// maxIter < 1 or tol < 0.
func Lloyd(X, init [][]float64, maxIter int, tol float64) (Clustering, error) {
	m, err := toMatrix(X, "kmeans: X")
	if err != nil {
		return Clustering{}, err
	}
	c, err := toMatrix(init, "kmeans: init")
	if err != nil {
		return Clustering{}, err
	}
	if c.d != m.d {
		return Clustering{}, fmt.Errorf("kmeans: init rows have %d columns, X has %d", c.d, m.d)
	}
	if c.n > m.n {
		return Clustering{}, fmt.Errorf("kmeans: %d centres for %d rows: k must not exceed the number of rows", c.n, m.n)
	}
	if maxIter < 1 {
		return Clustering{}, fmt.Errorf("kmeans: max_iter %d must be at least 1", maxIter)
	}
	if !(tol >= 0) {
		return Clustering{}, fmt.Errorf("kmeans: tol %v must be non-negative", tol)
	}
	r := lloyd(m, c.v, c.n, maxIter, tol*meanColumnVariance(m), 0)
	out := Clustering{Labels: make([]int, m.n), Inertia: r.inertia, Iterations: r.iters}
	for i, l := range r.labels {
		out.Labels[i] = int(l)
	}
	out.Centers = matrix{n: c.n, d: m.d, v: r.centers}.rows()
	return out, nil
}

// meanColumnVariance is the mean over columns of the population variance.
func meanColumnVariance(m matrix) float64 {
	var total float64
	for j := 0; j < m.d; j++ {
		var mean float64
		for i := 0; i < m.n; i++ {
			mean += m.v[i*m.d+j]
		}
		mean /= float64(m.n)
		var ss float64
		for i := 0; i < m.n; i++ {
			x := m.v[i*m.d+j] - mean
			ss += x * x
		}
		total += ss / float64(m.n)
	}
	return total / float64(m.d)
}

type lloydResult struct {
	labels  []int32
	centers []float64
	inertia float64
	iters   int
}

// boundSlack makes Hamerly's skip tests conservative, so that rounding in
// the bounds never keeps a row on a centre that is not its nearest: a row is
// rescanned unless its bound clears the test by this relative margin.
const boundSlack = 1 - 1e-10

// lloyd runs Lloyd's iterations from centers (k×d, modified in place and
// returned). tolShift is the already scaled tolerance on the summed squared
// centre shift. Results do not depend on workers.
//
// The assignment step uses Hamerly's (2010) bounds: each row keeps an upper
// bound on the distance to its centre and a lower bound on the distance to
// any other, moved by the centres' shifts; a row whose bounds prove its
// centre is still the nearest is not rescanned. The assignment is the one a
// full scan would give (nearest centre, lowest index on ties), so the
// iterations are Lloyd's; only the work differs.
func lloyd(m matrix, centers []float64, k, maxIter int, tolShift float64, workers int) lloydResult {
	n, d := m.n, m.d
	labels := make([]int32, n)
	upper := make([]float64, n)
	lower := make([]float64, n)
	chunks := (n + chunkRows - 1) / chunkRows
	sums := make([]float64, chunks*k*d)
	counts := make([]int, chunks*k)
	changed := make([]int, chunks)
	newCenters := make([]float64, k*d)
	total := make([]int, k)
	half := make([]float64, k)  // half the distance to the nearest other centre
	shift := make([]float64, k) // distance each centre moved
	// scan assigns row i by a full scan, setting its bounds.
	scan := func(i int, x []float64) int32 {
		best, bd, second := 0, sqDist(x, centers[:d]), math.Inf(1)
		for j := 1; j < k; j++ {
			dd := sqDist(x, centers[j*d:(j+1)*d])
			if dd < bd {
				best, second, bd = j, bd, dd
			} else if dd < second {
				second = dd
			}
		}
		upper[i], lower[i] = math.Sqrt(bd), math.Sqrt(second)
		return int32(best)
	}
	// assign updates the labels of rows lo..hi with the current centres
	// (all rows scanned when full) and returns how many changed.
	assign := func(lo, hi int, full bool) int {
		ch := 0
		for i := lo; i < hi; i++ {
			x := m.row(i)
			a := labels[i]
			if !full {
				z := max(lower[i], half[a]) * boundSlack
				if upper[i] <= z {
					continue
				}
				upper[i] = math.Sqrt(sqDist(x, centers[int(a)*d:(int(a)+1)*d]))
				if upper[i] <= z {
					continue
				}
			}
			if b := scan(i, x); b != a || full {
				if b != a {
					ch++
				}
				labels[i] = b
			}
		}
		return ch
	}
	computeHalf := func() {
		for j := 0; j < k; j++ {
			nearest := math.Inf(1)
			for t := 0; t < k; t++ {
				if t != j {
					nearest = min(nearest, sqDist(centers[j*d:(j+1)*d], centers[t*d:(t+1)*d]))
				}
			}
			half[j] = 0.5 * math.Sqrt(nearest)
		}
	}
	for i := range labels {
		labels[i] = -1
	}
	strict := false
	iters := 0
	for it := 0; it < maxIter; it++ {
		iters = it + 1
		clear(sums)
		clear(counts)
		computeHalf()
		workpool.ForChunks(n, chunkRows, workers, func(c, lo, hi int) {
			changed[c] = assign(lo, hi, it == 0)
			s := sums[c*k*d : (c+1)*k*d]
			cnt := counts[c*k : (c+1)*k]
			for i := lo; i < hi; i++ {
				l := int(labels[i])
				cnt[l]++
				row := s[l*d : (l+1)*d]
				for t, v := range m.row(i) {
					row[t] += v
				}
			}
		})
		clear(newCenters)
		clear(total)
		for c := 0; c < chunks; c++ {
			s := sums[c*k*d : (c+1)*k*d]
			for t := range newCenters {
				newCenters[t] += s[t]
			}
			for j := 0; j < k; j++ {
				total[j] += counts[c*k+j]
			}
		}
		var taken map[int]bool
		for j := 0; j < k; j++ {
			row := newCenters[j*d : (j+1)*d]
			if total[j] == 0 {
				if taken == nil {
					taken = map[int]bool{}
				}
				far := farthestRow(m, labels, centers, taken)
				taken[far] = true
				copy(row, m.row(far))
				continue
			}
			inv := 1 / float64(total[j])
			for t := range row {
				row[t] *= inv
			}
		}
		var shiftTotal float64
		maxShift, maxAt, secondShift := 0.0, -1, 0.0
		for j := 0; j < k; j++ {
			var s float64
			for t := j * d; t < (j+1)*d; t++ {
				diff := newCenters[t] - centers[t]
				s += diff * diff
			}
			shiftTotal += s
			shift[j] = math.Sqrt(s)
			if shift[j] > maxShift {
				secondShift, maxShift, maxAt = maxShift, shift[j], j
			} else if shift[j] > secondShift {
				secondShift = shift[j]
			}
		}
		copy(centers, newCenters)
		if taken != nil {
			// A relocated centre invalidates the bounds: rescan next time.
			for i := range upper {
				upper[i], lower[i] = math.Inf(1), 0
			}
		} else {
			workpool.ForChunks(n, chunkRows, workers, func(c, lo, hi int) {
				for i := lo; i < hi; i++ {
					a := int(labels[i])
					upper[i] += shift[a]
					if a == maxAt {
						lower[i] -= secondShift
					} else {
						lower[i] -= maxShift
					}
				}
			})
		}
		nChanged := 0
		for _, ch := range changed {
			nChanged += ch
		}
		if nChanged == 0 && it > 0 {
			strict = true
			break
		}
		if shiftTotal <= tolShift {
			break
		}
	}
	// Final pass: reassign to the final centres (unless the assignment was
	// unchanged) and compute the inertia with them.
	if !strict {
		computeHalf()
	}
	parts := make([]float64, chunks)
	workpool.ForChunks(n, chunkRows, workers, func(c, lo, hi int) {
		if !strict {
			assign(lo, hi, false)
		}
		var s float64
		for i := lo; i < hi; i++ {
			l := int(labels[i])
			s += sqDist(m.row(i), centers[l*d:(l+1)*d])
		}
		parts[c] = s
	})
	return lloydResult{labels: labels, centers: centers, inertia: sumInOrder(parts), iters: iters}
}

// farthestRow returns the row farthest from its own centre that is not in
// taken (the lowest index on ties).
func farthestRow(m matrix, labels []int32, centers []float64, taken map[int]bool) int {
	best, bd := -1, math.Inf(-1)
	for i := 0; i < m.n; i++ {
		l := int(labels[i])
		if v := sqDist(m.row(i), centers[l*m.d:(l+1)*m.d]); v > bd && !taken[i] {
			best, bd = i, v
		}
	}
	return best
}

// kmeansPlusPlus chooses k initial centres by greedy k-means++ (as
// scikit-learn: the first centre uniformly at random, then for each further
// centre 2+floor(ln k) candidates drawn with probability proportional to the
// squared distance to the nearest chosen centre, keeping the candidate that
// most reduces the total squared distance).
func kmeansPlusPlus(m matrix, k int, rng *rand.Rand, workers int) []float64 {
	n, d := m.n, m.d
	centers := make([]float64, k*d)
	first := rng.IntN(n)
	copy(centers[:d], m.row(first))
	closest := make([]float64, n)
	chunks := (n + chunkRows - 1) / chunkRows
	parts := make([]float64, chunks)
	workpool.ForChunks(n, chunkRows, workers, func(c, lo, hi int) {
		var s float64
		for i := lo; i < hi; i++ {
			closest[i] = sqDist(m.row(i), centers[:d])
			s += closest[i]
		}
		parts[c] = s
	})
	pot := sumInOrder(parts)
	trials := 2 + int(math.Log(float64(k)))
	cum := make([]float64, n)
	cand := make([]int, trials)
	candDist := make([]float64, trials*n)
	candParts := make([]float64, trials*chunks)
	for c := 1; c < k; c++ {
		var run float64
		for i, v := range closest {
			run += v
			cum[i] = run
		}
		for t := range cand {
			r := rng.Float64() * pot
			// searchsorted (left): first index with cum >= r.
			lo, hi := 0, n
			for lo < hi {
				mid := (lo + hi) / 2
				if cum[mid] < r {
					lo = mid + 1
				} else {
					hi = mid
				}
			}
			cand[t] = min(lo, n-1)
		}
		workpool.ForChunks(n, chunkRows, workers, func(ch, lo, hi int) {
			for t, id := range cand {
				ctr := m.row(id)
				dist := candDist[t*n : (t+1)*n]
				var s float64
				for i := lo; i < hi; i++ {
					v := sqDist(m.row(i), ctr)
					if closest[i] < v {
						v = closest[i]
					}
					dist[i] = v
					s += v
				}
				candParts[t*chunks+ch] = s
			}
		})
		best, bestPot := 0, math.Inf(1)
		for t := range cand {
			p := sumInOrder(candParts[t*chunks : (t+1)*chunks])
			if p < bestPot {
				best, bestPot = t, p
			}
		}
		pot = bestPot
		copy(closest, candDist[best*n:(best+1)*n])
		copy(centers[c*d:(c+1)*d], m.row(cand[best]))
	}
	return centers
}

func sumInOrder(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}
