package workpool

import "testing"

// BenchmarkFor1000Tasks measures the pool's cost per call and per task:
// 1000 tasks that each add one element, on two workers and on one.
func BenchmarkFor1000Tasks(b *testing.B) {
	x := make([]float64, 1000)
	for _, workers := range []int{1, 2} {
		b.Run(map[int]string{1: "inline", 2: "2workers"}[workers], func(b *testing.B) {
			for b.Loop() {
				For(len(x), workers, func(i int) { x[i]++ })
			}
		})
	}
}
