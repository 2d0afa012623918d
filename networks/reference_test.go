package networks

import (
	"fmt"
	"math"
	"testing"
)

// referenceCentralities is networkx 2.8's closeness_centrality and
// betweenness_centrality(normalized=True) written the plain way, one
// breadth-first search per source with predecessor lists: the yardstick for
// the bit-parallel closeness and the successor-list Brandes of Compute.
func referenceCentralities(g *Graph) (closeness, betweenness []float64) {
	n := len(g.Nodes)
	closeness = make([]float64, n)
	betweenness = make([]float64, n)
	distSum := make([]int, n)
	reach := make([]int, n)
	for s := 0; s < n; s++ {
		dist := make([]int, n)
		sigma := make([]float64, n)
		delta := make([]float64, n)
		pred := make([][]int, n)
		for i := range dist {
			dist[i] = -1
		}
		dist[s], sigma[s] = 0, 1
		queue := []int{s}
		for q := 0; q < len(queue); q++ {
			v := queue[q]
			for _, w32 := range g.outOf(v) {
				w := int(w32)
				if dist[w] < 0 {
					dist[w] = dist[v] + 1
					queue = append(queue, w)
				}
				if dist[w] == dist[v]+1 {
					sigma[w] += sigma[v]
					pred[w] = append(pred[w], v)
				}
			}
		}
		for _, v := range queue[1:] {
			distSum[v] += dist[v] // distances into v
			reach[v]++
		}
		for q := len(queue) - 1; q > 0; q-- {
			w := queue[q]
			c := (1 + delta[w]) / sigma[w]
			for _, v := range pred[w] {
				delta[v] += sigma[v] * c
			}
			betweenness[w] += delta[w]
		}
	}
	for v := range closeness {
		if distSum[v] > 0 {
			r := float64(reach[v])
			closeness[v] = r / float64(distSum[v]) * (r / float64(n-1))
		}
		if n > 2 {
			betweenness[v] /= float64(n-1) * float64(n-2)
		}
	}
	return closeness, betweenness
}

// Compute's closeness (bit-parallel searches, sources reordered, complete
// nodes of the root's component skipped) equals the plain searches' exactly,
// and its betweenness to rounding, on graphs from one giant component to
// many small ones, directed and not, with 1 and 3 workers.
func TestCentralitiesMatchReference(t *testing.T) {
	for _, tc := range []struct {
		n, m     int
		directed bool
	}{
		{900, 2700, true}, {900, 2700, false}, // one giant component
		{900, 700, true}, {900, 500, false}, // many small components
		{600, 3000, true}, // dense: bottom-up levels
		{2, 1, true}, {3, 0, false},
		{0, 0, true}, {0, 0, false}, // coreWithTail
	} {
		g := randomGraph(tc.n, tc.m, tc.directed, uint64(tc.n+tc.m))
		if tc.n == 0 {
			g = coreWithTail(tc.directed)
		}
		wantClo, wantBet := referenceCentralities(g)
		for _, workers := range []int{1, 3} {
			got := Compute(g, Options{Workers: workers, MaxExactWork: -1})
			for v := range wantClo {
				if got.Closeness[v] != wantClo[v] {
					t.Fatalf("n=%d m=%d directed=%v workers=%d: closeness[%d] = %.17g, want %.17g", tc.n, tc.m, tc.directed, workers, v, got.Closeness[v], wantClo[v])
				}
				if math.Abs(got.Betweenness[v]-wantBet[v]) > 1e-13*math.Max(1, wantBet[v]) {
					t.Fatalf("n=%d m=%d directed=%v workers=%d: betweenness[%d] = %.17g, want %.17g", tc.n, tc.m, tc.directed, workers, v, got.Betweenness[v], wantBet[v])
				}
			}
		}
		// Every level top down, then every level bottom up.
		for _, share := range []int{0, math.MaxInt32} {
			pg, perm := g.bfsOrdered()
			got := unpermute(closeness(pg, 2, share), perm)
			for v := range wantClo {
				if got[v] != wantClo[v] {
					t.Fatalf("n=%d m=%d directed=%v pull share %d: closeness[%d] = %.17g, want %.17g", tc.n, tc.m, tc.directed, share, v, got[v], wantClo[v])
				}
			}
		}
	}
}

// coreWithTail is a dense random core of 300 nodes and a node x that one
// core node replies to and that a chain of ten nodes outside the core
// reaches last: x is not in the core's component and learns of the chain's
// first node only after every core source has reached it.
func coreWithTail(directed bool) *Graph {
	core := randomGraph(300, 1500, directed, 9)
	nodes := append([]string{}, core.Nodes...)
	var edges []Edge
	for v := range core.Nodes {
		for _, w := range core.outOf(v) {
			edges = append(edges, Edge{From: core.Nodes[v], To: core.Nodes[w]})
		}
	}
	prev := "x"
	nodes = append(nodes, prev)
	edges = append(edges, Edge{From: core.Nodes[0], To: prev})
	for i := 0; i < 10; i++ {
		t := fmt.Sprint("t", i)
		nodes = append(nodes, t)
		edges = append(edges, Edge{From: t, To: prev})
		prev = t
	}
	g, err := NewGraph(nodes, edges, directed)
	if err != nil {
		panic(err)
	}
	return g
}
