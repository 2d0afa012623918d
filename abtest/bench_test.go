package abtest

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func BenchmarkAnalyzeStratified(b *testing.B) {
	arms := []string{"control", "tutoring", "alerts"}
	p := pilotFixture(9, 6000, arms)
	plan := basicPlan(arms)
	plan.Subgroups = []SubgroupPlan{{Attribute: "first_gen", PreDeclared: true}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Analyze(p, plan); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClusterRobustEffect(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	n := 5000
	y := make([]float64, n)
	tr := make([]bool, n)
	cl := make([]string, n)
	for i := range n {
		c := i % 100
		y[i] = rng.NormFloat64()
		tr[i] = c < 50
		cl[i] = clusterLabels[c]
	}
	for b.Loop() {
		if _, err := ClusterRobustEffect(y, tr, cl, 0.95); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGroupSequentialBoundaries(b *testing.B) {
	d := SequentialDesign{Alpha: 0.05, Spending: SpendingOBrienFleming, Looks: []float64{0.25, 0.5, 0.75, 1}}
	for b.Loop() {
		if _, err := GroupSequentialBoundaries(d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAssignStratified(b *testing.B) {
	units := make([]RosterUnit, 20000)
	for i := range units {
		units[i] = RosterUnit{ID: fmt.Sprintf("u%06d", i), Stratum: fmt.Sprintf("course%02d", i%40)}
	}
	d := AssignmentDesign{Experiment: "bench", Seed: 1, Arms: []string{"c", "t"}, Method: AssignStratified}
	for b.Loop() {
		if _, err := Assign(units, d, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFisherExact(b *testing.B) {
	for b.Loop() {
		if _, err := FisherExact([2][2]int{{1200, 8800}, {950, 9250}}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSampleSizeTwoMeans(b *testing.B) {
	d := MeansDesign{Delta: 0.2, SD: 1, Alpha: 0.05}
	for b.Loop() {
		if _, err := SampleSizeTwoMeans(d, 0.9); err != nil {
			b.Fatal(err)
		}
	}
}
