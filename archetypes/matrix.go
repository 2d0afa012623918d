package archetypes

import (
	"fmt"
	"math"
)

// matrix is a dense row-major n×d matrix.
type matrix struct {
	n, d int
	v    []float64
}

func (m matrix) row(i int) []float64 { return m.v[i*m.d : (i+1)*m.d] }

// toMatrix copies rows into a matrix, checking that they are rectangular and
// finite.
func toMatrix(rows [][]float64, what string) (matrix, error) {
	if len(rows) == 0 {
		return matrix{}, fmt.Errorf("%s has no rows", what)
	}
	d := len(rows[0])
	if d == 0 {
		return matrix{}, fmt.Errorf("%s has no columns", what)
	}
	m := matrix{n: len(rows), d: d, v: make([]float64, 0, len(rows)*d)}
	for i, r := range rows {
		if len(r) != d {
			return matrix{}, fmt.Errorf("%s row %d has %d columns, row 0 has %d", what, i, len(r), d)
		}
		for j, x := range r {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return matrix{}, fmt.Errorf("%s row %d column %d is %v", what, i, j, x)
			}
		}
		m.v = append(m.v, r...)
	}
	return m, nil
}

func (m matrix) rows() [][]float64 {
	out := make([][]float64, m.n)
	for i := range out {
		out[i] = append([]float64(nil), m.row(i)...)
	}
	return out
}

// sqDist is the squared Euclidean distance of two rows of equal length.
func sqDist(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		d0 := a[i] - b[i]
		d1 := a[i+1] - b[i+1]
		d2 := a[i+2] - b[i+2]
		d3 := a[i+3] - b[i+3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(a); i++ {
		d := a[i] - b[i]
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// chunkRows is the number of rows of one parallel work item. Work is split
// into chunks of this fixed size and partial results are combined in chunk
// order, so results do not depend on the number of workers.
const chunkRows = 2048
