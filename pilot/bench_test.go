package pilot

import (
	"path/filepath"
	"testing"
)

// BenchmarkRunExample reads and analyses the shipped example pilot (1298
// students in 48 sections, cluster-robust analysis, two subgroups, complier
// effect, an interim look re-analysed from the look column).
func BenchmarkRunExample(b *testing.B) {
	s := exampleSpec(b)
	dir := filepath.Join("..", "experiments")
	for b.Loop() {
		if _, err := Run(s, dir); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAssignRoster randomizes the shipped 376-student roster by
// section within course.
func BenchmarkAssignRoster(b *testing.B) {
	s := exampleSpec(b)
	roster := filepath.Join("..", "experiments", "testdata", "pilot", "roster.csv")
	for b.Loop() {
		if _, err := Assign(roster, s, ""); err != nil {
			b.Fatal(err)
		}
	}
}
