package archetypes

import (
	"fmt"
	"math"

	"github.com/evalrun/evalrun/internal/workpool"
)

// Silhouette returns the mean silhouette of the rows of X under the given
// labels, as scikit-learn's silhouette_score with the Euclidean metric: for
// each row, a is the mean distance to the other rows of its own cluster, b
// the smallest mean distance to the rows of another cluster, and the row
// scores (b−a)/max(a,b); a row alone in its cluster scores 0. Labels are any
// integers. It is an error unless 2 ≤ number of distinct labels ≤ n−1, or
// when labels and X differ in length. The cost is O(n²·d): Fit scores a
// sample of rows when n is large.
func Silhouette(X [][]float64, labels []int) (float64, error) {
	m, err := toMatrix(X, "silhouette: X")
	if err != nil {
		return 0, err
	}
	if len(labels) != m.n {
		return 0, fmt.Errorf("silhouette: %d labels for %d rows", len(labels), m.n)
	}
	compact, k := compactLabels(labels)
	if k < 2 || k > m.n-1 {
		return 0, fmt.Errorf("silhouette: %d distinct labels for %d rows: needs 2 <= number of labels <= n-1", k, m.n)
	}
	return silhouette(m, compact, k, 0), nil
}

// compactLabels renumbers labels 0..k-1 in order of first appearance.
func compactLabels(labels []int) ([]int32, int) {
	ids := map[int]int32{}
	out := make([]int32, len(labels))
	for i, l := range labels {
		id, ok := ids[l]
		if !ok {
			id = int32(len(ids))
			ids[l] = id
		}
		out[i] = id
	}
	return out, len(ids)
}

// silhouette is the mean silhouette of m's rows under labels 0..k-1.
func silhouette(m matrix, labels []int32, k, workers int) float64 {
	size := make([]int, k)
	for _, l := range labels {
		size[l]++
	}
	chunks := (m.n + chunkRows - 1) / chunkRows
	parts := make([]float64, chunks)
	workpool.ForChunks(m.n, chunkRows, workers, func(c, lo, hi int) {
		sums := make([]float64, k)
		var s float64
		for i := lo; i < hi; i++ {
			clear(sums)
			x := m.row(i)
			for r := 0; r < m.n; r++ {
				sums[labels[r]] += math.Sqrt(sqDist(x, m.row(r)))
			}
			own := labels[i]
			if size[own] <= 1 {
				continue
			}
			a := sums[own] / float64(size[own]-1)
			b := math.Inf(1)
			for j := 0; j < k; j++ {
				if int32(j) != own && size[j] > 0 {
					b = min(b, sums[j]/float64(size[j]))
				}
			}
			if den := max(a, b); den > 0 {
				s += (b - a) / den
			}
		}
		parts[c] = s
	})
	return sumInOrder(parts) / float64(m.n)
}
