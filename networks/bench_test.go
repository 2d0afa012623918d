package networks

import "testing"

// BenchmarkCentralities50kStudents is the target: every centrality
// of a 50,000-student directed reply graph with 150,000 replies (a tenth of
// the students isolated).
func BenchmarkCentralities50kStudents(b *testing.B) {
	g := randomGraph(50000, 150000, true, 1)
	b.ResetTimer()
	for b.Loop() {
		Compute(g, Options{})
	}
}

// BenchmarkCentralities50kStudentsUndirected adds eigenvector centrality
// (power iteration) on the same graph with directions ignored.
func BenchmarkCentralities50kStudentsUndirected(b *testing.B) {
	g := randomGraph(50000, 150000, false, 1)
	b.ResetTimer()
	for b.Loop() {
		Compute(g, Options{})
	}
}

// BenchmarkCentralities5kStudents is a tenth of the target graph (the cost
// of betweenness and closeness grows with nodes × edges: about a hundredth).
func BenchmarkCentralities5kStudents(b *testing.B) {
	g := randomGraph(5000, 15000, true, 1)
	b.ResetTimer()
	for b.Loop() {
		Compute(g, Options{})
	}
}
