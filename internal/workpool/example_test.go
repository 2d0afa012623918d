package workpool_test

import (
	"context"
	"fmt"

	"github.com/evalrun/evalrun/internal/workpool"
)

func ExampleFor() {
	squares := make([]int, 6)
	workpool.For(len(squares), 0, func(i int) { squares[i] = i * i })
	fmt.Println(squares)
	// Output: [0 1 4 9 16 25]
}

func ExampleRun() {
	err := workpool.Run(context.Background(), 10, 3, func(i int) error {
		if i%4 == 3 {
			return fmt.Errorf("row %d is bad", i)
		}
		return nil
	})
	fmt.Println(err) // row 3 whatever the scheduling, never row 7
	// Output: row 3 is bad
}

func ExampleForChunks() {
	// Partial sums per chunk, added in chunk order: the same bits for any
	// number of workers.
	x := []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7}
	part := make([]float64, 3)
	workpool.ForChunks(len(x), 3, 0, func(c, lo, hi int) {
		for _, v := range x[lo:hi] {
			part[c] += v
		}
	})
	fmt.Printf("%.1f\n", part)
	// Output: [0.6 1.5 0.7]
}

func ExampleForWorkers() {
	// Each worker counts into its own slot; integer counts add up exactly.
	counts := make([]int, workpool.Size(100, 4))
	workpool.ForWorkers(100, 4, func(w int) func(int) {
		return func(i int) {
			if i%3 == 0 {
				counts[w]++
			}
		}
	})
	total := 0
	for _, c := range counts {
		total += c
	}
	fmt.Println(total)
	// Output: 34
}
