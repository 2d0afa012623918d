package archetypes

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// naiveLloyd is scikit-learn's Lloyd loop written plainly (full scans, no
// bounds): the reference the bounded implementation must reproduce.
func naiveLloyd(X, init [][]float64, maxIter int, tolShift float64) ([]int, [][]float64, int) {
	k, d := len(init), len(X[0])
	c := make([][]float64, k)
	for j := range c {
		c[j] = append([]float64(nil), init[j]...)
	}
	nearest := func(x []float64) int {
		best, bd := 0, math.Inf(1)
		for j := range c {
			if v := sqDist(x, c[j]); v < bd {
				best, bd = j, v
			}
		}
		return best
	}
	labels := make([]int, len(X))
	for i := range labels {
		labels[i] = -1
	}
	strict, it := false, 0
	for it = 1; it <= maxIter; it++ {
		nl := make([]int, len(X))
		for i, x := range X {
			nl[i] = nearest(x)
		}
		nc := make([][]float64, k)
		cnt := make([]int, k)
		for j := range nc {
			nc[j] = make([]float64, d)
		}
		for i, x := range X {
			cnt[nl[i]]++
			for t := range x {
				nc[nl[i]][t] += x[t]
			}
		}
		var shift float64
		for j := range nc {
			for t := range nc[j] {
				nc[j][t] /= float64(cnt[j])
				shift += (nc[j][t] - c[j][t]) * (nc[j][t] - c[j][t])
			}
		}
		c = nc
		same := reflect.DeepEqual(nl, labels)
		labels = nl
		if same {
			strict = true
			break
		}
		if shift <= tolShift {
			break
		}
	}
	if it > maxIter {
		it = maxIter
	}
	if !strict {
		for i, x := range X {
			labels[i] = nearest(x)
		}
	}
	return labels, c, it
}

// The bounded (Hamerly) iterations give exactly Lloyd's assignments,
// centres and iteration counts, on overlapping clusters where many rows
// change centre, whatever the number of workers.
func TestLloydMatchesFullScans(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 6; trial++ {
		n, d, k := 3000+trial*500, 2+trial, 3+trial
		X := make([][]float64, n)
		for i := range X {
			X[i] = make([]float64, d)
			for t := range X[i] {
				X[i][t] = rng.NormFloat64() + float64((i%k)*t%3)
			}
		}
		init := make([][]float64, k)
		for j := range init {
			init[j] = X[rng.IntN(n)]
		}
		maxIter := []int{300, 5, 300, 40, 300, 2}[trial]
		wantL, wantC, wantIt := naiveLloyd(X, init, maxIter, 0)
		for _, workers := range []int{1, 3} {
			m, _ := toMatrix(X, "X")
			cm, _ := toMatrix(init, "init")
			r := lloyd(m, cm.v, k, maxIter, 0, workers)
			for i := range wantL {
				if int(r.labels[i]) != wantL[i] {
					t.Fatalf("trial %d workers %d: row %d label %d, want %d", trial, workers, i, r.labels[i], wantL[i])
				}
			}
			if r.iters != wantIt {
				t.Errorf("trial %d: %d iterations, want %d", trial, r.iters, wantIt)
			}
			for j := range wantC {
				for tt := range wantC[j] {
					if math.Abs(r.centers[j*d+tt]-wantC[j][tt]) > 1e-9 {
						t.Fatalf("trial %d: centre %d differs", trial, j)
					}
				}
			}
		}
	}
}

func TestLloydRelocatesEmptyCluster(t *testing.T) {
	// The third centre is far from every row: it empties in the first
	// iteration and moves to the row farthest from its centre.
	X := [][]float64{{0}, {0.1}, {0.2}, {5}, {5.1}, {9}}
	r, err := Lloyd(X, [][]float64{{0}, {5}, {100}}, 300, 0)
	if err != nil {
		t.Fatal(err)
	}
	sizes := map[int]int{}
	for _, l := range r.Labels {
		sizes[l]++
	}
	if len(sizes) != 3 {
		t.Fatalf("labels %v leave a cluster empty", r.Labels)
	}
	if r.Labels[5] != 2 {
		t.Errorf("row 9 should hold the relocated centre: labels %v", r.Labels)
	}
}
