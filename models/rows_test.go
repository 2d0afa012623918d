package models

import (
	"fmt"
	"testing"
)

// TestRowsSelect checks that Select keeps each selected row's values, key,
// term and group together, and returns the rows unchanged when every row
// is selected.
func TestRowsSelect(t *testing.T) {
	r := Rows{
		X:      &Matrix{Rows: 3, Cols: 2, Names: []string{"a", "b"}, Data: []float64{1, 2, 3, 4, 5, 6}},
		Keys:   []string{"k0", "k1", "k2"},
		Terms:  []string{"t0", "t1", "t2"},
		Groups: []string{"g0", "g1", "g2"},
	}
	got := r.Select([]int{0, 2})
	if got.X.Rows != 2 || got.X.Cols != 2 || fmt.Sprint(got.X.Data) != "[1 2 5 6]" ||
		fmt.Sprint(got.Keys, got.Terms, got.Groups) != "[k0 k2] [t0 t2] [g0 g2]" {
		t.Errorf("Select(0, 2) = %v %v %v %v", got.X.Data, got.Keys, got.Terms, got.Groups)
	}
	r.Groups = nil
	if got := r.Select([]int{1}); got.Groups != nil || got.Keys[0] != "k1" || fmt.Sprint(got.X.Data) != "[3 4]" {
		t.Errorf("Select(1) without groups = %+v", got)
	}
	if all := r.Select([]int{0, 1, 2}); all.X != r.X {
		t.Error("Select of every row copied the matrix")
	}
}
