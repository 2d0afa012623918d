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

// TestSortDescendingRadixIsComparison: the radix sort gives the comparison
// sort's order (descending, NaN last, -0 tied with +0, ties in row order)
// on samples with many ties, both signs, infinities, subnormals and NaNs.
func TestSortDescendingRadixIsComparison(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 5e-324, -5e-324, math.MaxFloat64, -math.MaxFloat64, 1, -1}
	for trial := range 40 {
		n := radixSortMin + r.IntN(3000)
		if trial%10 == 0 {
			n = 20000
		}
		score := make([]float64, n)
		for i := range score {
			switch trial % 4 {
			case 0:
				score[i] = r.Float64()
			case 1:
				score[i] = math.Round(r.NormFloat64()*4) / 4 // many ties
			case 2:
				score[i] = special[r.IntN(len(special))]
			default:
				score[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20))
			}
		}
		got, want := radixSortDescending(score), compareSortDescending(score)
		if !slices.Equal(got, want) {
			t.Fatalf("trial %d (n %d): radix order differs from the comparison sort's", trial, n)
		}
	}
}

// BenchmarkSortDescending: 15,720 OULAD-like probabilities (10% tied), by
// the radix sort sortDescending uses and by comparison.
func BenchmarkSortDescending(b *testing.B) {
	_, p, _ := ouladSized()
	b.Run("radix", func(b *testing.B) {
		for b.Loop() {
			radixSortDescending(p)
		}
	})
	b.Run("comparison", func(b *testing.B) {
		for b.Loop() {
			compareSortDescending(p)
		}
	})
}
