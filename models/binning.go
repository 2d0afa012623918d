package models

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// binMapper maps feature values to at most maxBins bins per feature plus a
// bin for missing values, as scikit-learn's _BinMapper (1.2): a feature with
// at most maxBins distinct training values gets a bin per value, with
// thresholds at the midpoints between consecutive values; otherwise the
// thresholds are the maxBins−1 inner percentiles (numpy "midpoint" method)
// of the training values. A value x falls in bin i when
// thresholds[i−1] < x <= thresholds[i]; NaN falls in bin missingBin.
type binMapper struct {
	thresholds [][]float64
	missingBin int
}

// binningSubsample is the number of rows scikit-learn uses to find the
// thresholds; larger training sets are subsampled.
const binningSubsample = 200000

// fitBinMapper finds thresholds from the rows of the row-major matrix x
// listed in rows (all rows when nil). With more than binningSubsample rows,
// a subsample drawn with rng is used.
func fitBinMapper(x *Matrix, rows []int32, maxBins int, rng *rand.Rand) *binMapper {
	if rows == nil {
		rows = make([]int32, x.Rows)
		for i := range rows {
			rows[i] = int32(i)
		}
	}
	if len(rows) > binningSubsample {
		perm := rng.Perm(len(rows))[:binningSubsample]
		slices.Sort(perm)
		sub := make([]int32, len(perm))
		for k, p := range perm {
			sub[k] = rows[p]
		}
		rows = sub
	}
	bm := &binMapper{thresholds: make([][]float64, x.Cols), missingBin: maxBins}
	col := make([]float64, 0, len(rows))
	for j := 0; j < x.Cols; j++ {
		col = col[:0]
		for _, r := range rows {
			if v := x.Data[int(r)*x.Cols+j]; !math.IsNaN(v) {
				col = append(col, v)
			}
		}
		slices.Sort(col)
		distinct := 0
		for k := range col {
			if k == 0 || col[k] != col[k-1] {
				distinct++
			}
		}
		var th []float64
		if distinct <= maxBins {
			for k := 1; k < len(col); k++ {
				if col[k] != col[k-1] {
					th = append(th, (col[k-1]+col[k])*0.5)
				}
			}
		} else {
			th = make([]float64, maxBins-1)
			step := 100.0 / float64(maxBins)
			nf := float64(len(col))
			for k := 1; k < maxBins; k++ {
				// numpy's arithmetic, so that thresholds match scikit-learn's.
				q := float64(k) * step / 100
				virtual := nf*q + (1 - q) - 1
				prev := math.Floor(virtual)
				a := col[int(prev)]
				if virtual == prev {
					th[k-1] = a
					continue
				}
				b := col[min(int(prev)+1, len(col)-1)]
				th[k-1] = b - (b-a)*0.5
			}
		}
		bm.thresholds[j] = th
	}
	return bm
}

// nonMissingBins returns the number of bins for non-missing values of
// feature j.
func (bm *binMapper) nonMissingBins(j int) int { return len(bm.thresholds[j]) + 1 }

// bin returns the bin of value v of feature j.
func (bm *binMapper) bin(j int, v float64) uint8 {
	if math.IsNaN(v) {
		return uint8(bm.missingBin)
	}
	th := bm.thresholds[j]
	return uint8(sort.Search(len(th), func(i int) bool { return v <= th[i] }))
}

// transform bins the listed rows of x column by column: out[j][k] is the bin
// of row rows[k] (all rows when nil) for feature j.
func (bm *binMapper) transform(x *Matrix, rows []int32) [][]uint8 {
	n := x.Rows
	if rows != nil {
		n = len(rows)
	}
	out := make([][]uint8, x.Cols)
	for j := range out {
		col := make([]uint8, n)
		for k := range col {
			r := k
			if rows != nil {
				r = int(rows[k])
			}
			col[k] = bm.bin(j, x.Data[r*x.Cols+j])
		}
		out[j] = col
	}
	return out
}
