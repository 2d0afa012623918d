package models

import (
	"math/rand/v2"
	"slices"
)

// rankedColumns holds a training matrix column by column as rank codes:
// codes[j][i] is the index of row i's value of feature j in the sorted
// distinct values uniq[j]. Splits between consecutive codes are exactly the
// splits between consecutive distinct values, so trees grown on codes are
// exact CART trees. NaN is not allowed.
//
// Binned columns (binnedColumns) use the same layout with quantile bins
// instead of distinct values: uniq is then nil and thresholds[j][c] is the
// upper edge of bin c, so a split between codes is a split between bins.
type rankedColumns struct {
	n          int
	codes      [][]uint32 // exact codes (rankColumns)
	codes8     [][]uint8  // bin codes (binnedColumns)
	uniq       [][]float64
	thresholds [][]float64
}

// nFeatures returns the number of columns.
func (rc *rankedColumns) nFeatures() int {
	if rc.codes8 != nil {
		return len(rc.codes8)
	}
	return len(rc.codes)
}

// nCodes returns the number of codes of feature j.
func (rc *rankedColumns) nCodes(j int) int {
	if rc.uniq != nil {
		return len(rc.uniq[j])
	}
	return len(rc.thresholds[j]) + 1
}

// threshold returns the split value sending codes <= prev left and codes
// >= next right (prev < next, both present in the node).
func (rc *rankedColumns) threshold(j int, prev, next uint32) float64 {
	if rc.uniq != nil {
		return splitThreshold(rc.uniq[j][prev], rc.uniq[j][next])
	}
	return rc.thresholds[j][prev]
}

// binnedColumns codes x (finite values only) by at most maxBins quantile
// bins per feature (binMapper); rng subsamples rows for the thresholds of
// very large training sets.
func binnedColumns(x *Matrix, maxBins int, rng *rand.Rand) *rankedColumns {
	bm := fitBinMapper(x, nil, maxBins, rng)
	return &rankedColumns{n: x.Rows, codes8: bm.transform(x, nil), thresholds: bm.thresholds}
}

// rankColumns converts the row-major x (finite values only) to rank codes.
func rankColumns(x *Matrix) *rankedColumns {
	n, d := x.Rows, x.Cols
	rc := &rankedColumns{n: n, codes: make([][]uint32, d), uniq: make([][]float64, d)}
	order := make([]int32, n)
	col := make([]float64, n)
	for j := 0; j < d; j++ {
		for i := 0; i < n; i++ {
			col[i] = x.Data[i*d+j]
			order[i] = int32(i)
		}
		slices.SortFunc(order, func(a, b int32) int {
			va, vb := col[a], col[b]
			switch {
			case va < vb:
				return -1
			case va > vb:
				return 1
			}
			return int(a - b)
		})
		codes := make([]uint32, n)
		var uniq []float64
		for k, i := range order {
			v := col[i]
			if k == 0 || v != uniq[len(uniq)-1] {
				uniq = append(uniq, v)
			}
			codes[i] = uint32(len(uniq) - 1)
		}
		rc.codes[j] = codes
		rc.uniq[j] = uniq
	}
	return rc
}
