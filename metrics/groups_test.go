package metrics

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortDescendingIsStable: sortDescending orders rows as a stable sort
// by descending score does (ties, NaNs and signed zeros keep row order).
func TestSortDescendingIsStable(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{0, 1, 7, 1000, 20000} {
		score := make([]float64, n)
		for i := range score {
			switch r.IntN(10) {
			case 0:
				score[i] = math.NaN()
			case 1:
				score[i] = math.Copysign(0, -1)
			case 2:
				score[i] = 0
			default:
				score[i] = float64(r.IntN(50)) / 50 // many ties
			}
		}
		want := make([]int, n)
		for i := range want {
			want[i] = i
		}
		slices.SortStableFunc(want, func(a, b int) int { return cmp.Compare(score[b], score[a]) })
		if got := sortDescending(score); !slices.Equal(got, want) {
			t.Fatalf("n=%d: sortDescending differs from the stable sort", n)
		}
	}
}
