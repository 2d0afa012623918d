package features_test

import (
	"fmt"
	"math"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/features"
)

// Fit on the first three rows, encode the last: its missing gpa becomes
// the training median and its unseen programme encodes as zeros.
func Example() {
	f := &datasets.Frame{
		Keys:        []string{"T/a", "T/b", "T/c", "U/d"},
		Numeric:     []datasets.NumericColumn{{Name: "gpa", Values: []float64{3.0, math.NaN(), 2.0, math.NaN()}}},
		Categorical: []datasets.CategoricalColumn{{Name: "programme", Values: []string{"arts", "law", "arts", "medicine"}}},
	}
	enc, err := features.Fit(f, []int{0, 1, 2}, features.Spec{Numeric: []string{"gpa"}, Categorical: []string{"programme"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	m, kept, stats, err := enc.Transform(f, []int{3})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Names)
	fmt.Println(m.Row(0), kept)
	fmt.Println(stats.Imputed, stats.UnseenLevels)
	// Output:
	// [gpa gpa_missing programme=arts programme=law]
	// [2.5 1 0 0] [3]
	// map[gpa:1] map[programme:1]
}
