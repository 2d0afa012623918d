package networks

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// randomGraph has n nodes and about m random edges with weights 1-3; a
// tenth of the nodes get no edge.
func randomGraph(n, m int, directed bool, seed uint64) *Graph {
	rng := rand.New(rand.NewPCG(seed, 1))
	nodes := make([]string, n)
	for i := range nodes {
		nodes[i] = fmt.Sprint("s", i)
	}
	var edges []Edge
	active := n - n/10
	for k := 0; k < m; k++ {
		a, b := rng.IntN(active), rng.IntN(active)
		edges = append(edges, Edge{From: nodes[a], To: nodes[b], Weight: float64(1 + rng.IntN(3))})
	}
	g, err := NewGraph(nodes, edges, directed)
	if err != nil {
		panic(err)
	}
	return g
}

func TestComputeIdenticalWhateverWorkers(t *testing.T) {
	for _, directed := range []bool{false, true} {
		g := randomGraph(700, 2000, directed, 3)
		a := Compute(g, Options{Workers: 1})
		b := Compute(g, Options{Workers: 5})
		if !reflect.DeepEqual(a, b) {
			t.Errorf("directed=%v: centralities differ between 1 and 5 workers", directed)
		}
		if !a.Converged {
			t.Errorf("directed=%v: not converged", directed)
		}
		iso := g.Isolated()
		if len(iso) < 70 {
			t.Errorf("%d isolated nodes, want at least the 70 without edges", len(iso))
		}
		for _, name := range iso {
			i, _ := g.Index(name)
			if a.Degree[i] != 0 || a.Closeness[i] != 0 || a.Betweenness[i] != 0 {
				t.Errorf("isolated %s: degree %v closeness %v betweenness %v", name, a.Degree[i], a.Closeness[i], a.Betweenness[i])
			}
		}
	}
}

// Power iteration (used above 600 nodes) agrees with the dense
// eigendecomposition.
func TestEigenPowerMatchesDense(t *testing.T) {
	g := randomGraph(300, 900, false, 4)
	dense, _, _ := eigenvector(g)
	power, it, ok := eigenPower(g)
	if !ok {
		t.Fatalf("power iteration did not converge in %d iterations", it)
	}
	for i := range dense {
		if math.Abs(dense[i]-power[i]) > 1e-8 {
			t.Fatalf("node %d: power %.12g, dense %.12g", i, power[i], dense[i])
		}
	}
}

// Leaving staff out removes their edges: a student who only talked to
// staff becomes isolated.
func TestWithoutStaff(t *testing.T) {
	nodes := []string{"tutor", "ann", "bob", "cy"}
	edges := []Edge{{"ann", "tutor", 0}, {"tutor", "ann", 0}, {"bob", "cy", 0}, {"cy", "tutor", 0}}
	g, err := Without(nodes, edges, true, map[string]bool{"tutor": true})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"ann", "bob", "cy"}; !reflect.DeepEqual(g.Nodes, want) {
		t.Fatalf("nodes %v", g.Nodes)
	}
	if iso := g.Isolated(); !reflect.DeepEqual(iso, []string{"ann"}) {
		t.Errorf("isolated %v, want [ann]", iso)
	}
	if g.Edges() != 1 {
		t.Errorf("%d edges, want 1", g.Edges())
	}
}

func TestNewGraphBadInput(t *testing.T) {
	for _, tc := range []struct {
		nodes []string
		edges []Edge
	}{
		{[]string{"a", "a"}, nil},
		{[]string{"a"}, []Edge{{"a", "b", 1}}},
		{[]string{"a", "b"}, []Edge{{"a", "b", -1}}},
		{[]string{"a", "b"}, []Edge{{"a", "b", math.Inf(1)}}},
	} {
		if _, err := NewGraph(tc.nodes, tc.edges, true); err == nil {
			t.Errorf("%v %v accepted", tc.nodes, tc.edges)
		}
	}
}

// Above the exact-work budget, betweenness comes from a sample of sources
// scaled by n/k: an unbiased estimate whose total stays close to the
// exact one.
func TestSampledBetweenness(t *testing.T) {
	g := randomGraph(400, 1200, true, 6)
	exact := Compute(g, Options{MaxExactWork: -1})
	est := Compute(g, Options{MaxExactWork: 100 * int64(400+len(g.out)), Seed: 2})
	if exact.BetweennessSources != 400 || est.BetweennessSources != 100 {
		t.Fatalf("sources %d and %d, want 400 and 100", exact.BetweennessSources, est.BetweennessSources)
	}
	var se, ss float64
	for i := range exact.Betweenness {
		se += exact.Betweenness[i]
		ss += est.Betweenness[i]
	}
	if math.Abs(ss-se) > 0.1*se {
		t.Errorf("sampled total %.4f, exact %.4f", ss, se)
	}
	if !reflect.DeepEqual(exact.Closeness, est.Closeness) {
		t.Error("closeness must stay exact")
	}
}
