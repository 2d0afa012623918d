package archetypes

import "fmt"

// AdjustedRand returns the adjusted Rand index of two labelings of the same
// rows (Hubert and Arabie), as scikit-learn's adjusted_rand_score: 1 when
// both are the same partition (labels may differ by renaming), including one
// cluster on both sides and all singletons on both; about 0 for independent
// labelings, and it can be negative. It is an error when the lengths differ.
func AdjustedRand(a, b []int) (float64, error) {
	if len(a) != len(b) {
		return 0, fmt.Errorf("adjusted rand: labelings have %d and %d rows", len(a), len(b))
	}
	ca, ka := compactLabels(a)
	cb, kb := compactLabels(b)
	return adjustedRand(ca, cb, ka, kb), nil
}

// adjustedRand is the adjusted Rand index of labelings 0..ka-1 and 0..kb-1.
func adjustedRand(a, b []int32, ka, kb int) float64 {
	n := int64(len(a))
	rowSum := make([]int64, ka)
	colSum := make([]int64, kb)
	var sumSq int64
	if ka*kb <= 1<<20 {
		cont := make([]int64, ka*kb)
		for t := range a {
			cont[int(a[t])*kb+int(b[t])]++
		}
		for _, v := range cont {
			sumSq += v * v
		}
	} else {
		type cell struct{ i, j int32 }
		cont := map[cell]int64{}
		for t := range a {
			cont[cell{a[t], b[t]}]++
		}
		for _, v := range cont {
			sumSq += v * v
		}
	}
	for t := range a {
		rowSum[a[t]]++
		colSum[b[t]]++
	}
	var sumA, sumB int64
	for _, v := range rowSum {
		sumA += v * v
	}
	for _, v := range colSum {
		sumB += v * v
	}
	// Pair confusion matrix as scikit-learn's pair_confusion_matrix.
	tp := sumSq - n
	fp := sumB - sumSq
	fn := sumA - sumSq
	tn := n*n - fp - fn - sumSq
	if fn == 0 && fp == 0 {
		return 1
	}
	ftp, ffp, ffn, ftn := float64(tp), float64(fp), float64(fn), float64(tn)
	return 2 * (ftp*ftn - ffn*ffp) / ((ftp+ffn)*(ffn+ftn) + (ftp+ffp)*(ffp+ftn))
}
