package models

import (
	"math"
	"math/rand/v2"
	"testing"
)

// matrixFromRows builds a Matrix named x0, x1, ... from rows.
func matrixFromRows(rows [][]float64) *Matrix {
	m := &Matrix{Rows: len(rows)}
	if len(rows) > 0 {
		m.Cols = len(rows[0])
	}
	for _, r := range rows {
		m.Data = append(m.Data, r...)
	}
	m.Names = copyNames(nil, m.Cols)
	return m
}

// linearLogitData draws n rows of d standard normal features (column j
// scaled by 1+j and shifted by j) and labels from a logistic model with the
// given coefficients on the raw features and intercept.
func linearLogitData(rng *rand.Rand, n int, coef []float64, intercept float64) TrainingSet {
	d := len(coef)
	x := &Matrix{Rows: n, Cols: d, Data: make([]float64, n*d), Names: copyNames(nil, d)}
	y := make([]uint8, n)
	for i := 0; i < n; i++ {
		eta := intercept
		for j := 0; j < d; j++ {
			v := float64(j) + float64(1+j)*rng.NormFloat64()
			x.Data[i*d+j] = v
			eta += coef[j] * v
		}
		if rng.Float64() < sigmoid(eta) {
			y[i] = 1
		}
	}
	return TrainingSet{Rows: Rows{X: x}, Y: y}
}

// assertClose fails unless |got-want| <= tol*max(1,|want|).
func assertClose(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))) {
		t.Errorf("%s = %.12g, want %.12g (tol %g)", what, got, want, tol)
	}
}

// aucOf is the Mann-Whitney AUC of score against y (ties count one half),
// computed by brute force over all positive-negative pairs.
func aucOf(y []uint8, score []float64) float64 {
	var pos, neg []float64
	for i, v := range y {
		if v == 1 {
			pos = append(pos, score[i])
		} else {
			neg = append(neg, score[i])
		}
	}
	var s float64
	for _, p := range pos {
		for _, q := range neg {
			switch {
			case p > q:
				s++
			case p == q:
				s += 0.5
			}
		}
	}
	return s / float64(len(pos)*len(neg))
}

// interactionData draws n rows of d >= 8 features resembling engagement
// data (normal scores, Poisson-like counts, binary flags, the rest noise) and
// labels whose log-odds are dominated by interactions a linear model cannot
// express: 2·sign(x0)·sign(x1) + 1.5·[x2 > 1 and x3 = 1] − 1.2·[x4 < 2] + 0.3·x5.
func interactionData(rng *rand.Rand, n, d int) TrainingSet {
	x := &Matrix{Rows: n, Cols: d, Data: make([]float64, n*d), Names: copyNames(nil, d)}
	y := make([]uint8, n)
	for i := 0; i < n; i++ {
		row := x.Data[i*d : (i+1)*d]
		for j := range row {
			switch j % 4 {
			case 0, 1:
				row[j] = math.Round(rng.NormFloat64()*1000) / 1000
			case 2:
				row[j] = float64(int(rng.ExpFloat64() * 3))
			case 3:
				row[j] = float64(rng.IntN(2))
			}
		}
		sgn := func(v float64) float64 {
			if v > 0 {
				return 1
			}
			return -1
		}
		eta := 2 * sgn(row[0]) * sgn(row[1])
		if row[2] > 1 && row[3] == 1 {
			eta += 1.5
		}
		if row[6] < 2 {
			eta -= 1.2
		}
		eta += 0.3 * row[5]
		if rng.Float64() < sigmoid(eta) {
			y[i] = 1
		}
	}
	return TrainingSet{Rows: Rows{X: x}, Y: y}
}
