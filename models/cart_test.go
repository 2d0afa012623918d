package models

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPackedSumsGrowTheSameTrees: with whole-number weights (bootstrap
// counts), the grower adds packed integer row statistics instead of float
// sums; the trees must be the float sums' to the bit, node for node, for
// both criteria, any leaf size and features drawn, on binary, small-count
// and binned continuous columns.
func TestPackedSumsGrowTheSameTrees(t *testing.T) {
	train := interactionData(rand.New(rand.NewPCG(5, 6)), 3000, 12)
	cols := binnedColumns(train.X, 255, rand.New(rand.NewPCG(1, 2)))
	n := train.X.Rows
	for _, p := range []cartParams{
		{criterion: criterionGini, minSamplesLeaf: 1, minSamplesSplit: 2, maxFeatures: 3},
		{criterion: criterionGini, minSamplesLeaf: 5, minSamplesSplit: 2, maxFeatures: 12},
		{criterion: criterionEntropy, minSamplesLeaf: 3, minSamplesSplit: 10, maxFeatures: 4, maxDepth: 8},
	} {
		packed := newCARTGrower(cols, train.Y, p)
		float := newCARTGrower(cols, train.Y, p)
		float.floatSums = true
		for tree := uint64(0); tree < 6; tree++ {
			rng := rand.New(rand.NewPCG(7, tree))
			w := make([]float64, n)
			for k := 0; k < n; k++ {
				w[rng.IntN(n)]++
			}
			var idx []int32
			for i, c := range w {
				if c > 0 {
					idx = append(idx, int32(i))
				}
			}
			got := packed.grow(slices.Clone(idx), w, rand.New(rand.NewPCG(8, tree)))
			if !packed.packed {
				t.Fatalf("%+v: bootstrap counts were not packed", p)
			}
			want := float.grow(slices.Clone(idx), w, rand.New(rand.NewPCG(8, tree)))
			if float.packed {
				t.Fatalf("floatSums grower packed its rows")
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%+v tree %d: packed sums grew %d nodes, float sums %d, or the nodes differ", p, tree, len(got), len(want))
			}
		}
	}
	// Fractional weights (class weights) keep the float sums.
	g := newCARTGrower(cols, train.Y, cartParams{criterion: criterionGini, minSamplesLeaf: 1, minSamplesSplit: 2, maxFeatures: 3})
	w := make([]float64, n)
	idx := make([]int32, n)
	for i := range w {
		w[i], idx[i] = 0.75, int32(i)
	}
	g.grow(idx, w, rand.New(rand.NewPCG(1, 1)))
	if g.packed {
		t.Errorf("weights 0.75 were packed")
	}
}
