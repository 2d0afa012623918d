package networks

import (
	"fmt"
	"math"
	"sort"
)

// Edge is a reply from one node to another (the replier to the author
// replied to). Weight 0 stands for 1.
type Edge struct {
	From, To string
	Weight   float64
}

// Graph is a simple graph over named nodes, in compressed adjacency form.
type Graph struct {
	// Nodes names the nodes; node i is Nodes[i].
	Nodes    []string
	Directed bool
	index    map[string]int
	// out[i] lists i's out-neighbours (undirected: all neighbours) with
	// the merged weights in outW; in[i] lists in-neighbours (directed).
	outStart, inStart []int32
	out, in           []int32
	outW              []float64
}

// NewGraph builds the simple graph of edges over nodes (every endpoint must
// be a node; nodes without edges are isolated). Self-loops are dropped and
// repeated edges merged with their weights summed (undirected: either
// direction). Weights must be positive and finite (0 stands for 1).
func NewGraph(nodes []string, edges []Edge, directed bool) (*Graph, error) {
	g := &Graph{Nodes: nodes, Directed: directed, index: make(map[string]int, len(nodes))}
	for i, n := range nodes {
		if _, dup := g.index[n]; dup {
			return nil, fmt.Errorf("networks: node %q listed twice", n)
		}
		g.index[n] = i
	}
	type pair struct{ a, b int32 }
	merged := map[pair]float64{}
	var order []pair
	for k, e := range edges {
		a, ok := g.index[e.From]
		if !ok {
			return nil, fmt.Errorf("networks: edge %d: endpoint %q is not a node", k, e.From)
		}
		b, ok := g.index[e.To]
		if !ok {
			return nil, fmt.Errorf("networks: edge %d: endpoint %q is not a node", k, e.To)
		}
		w := e.Weight
		if w == 0 {
			w = 1
		}
		if !(w > 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("networks: edge %d (%s -> %s): weight %v must be positive", k, e.From, e.To, e.Weight)
		}
		if a == b {
			continue
		}
		p := pair{int32(a), int32(b)}
		if !directed && p.a > p.b {
			p.a, p.b = p.b, p.a
		}
		if _, seen := merged[p]; !seen {
			order = append(order, p)
		}
		merged[p] += w
	}
	n := len(nodes)
	type half struct {
		to int32
		w  float64
	}
	outAdj := make([][]half, n)
	inAdj := make([][]half, n)
	for _, p := range order {
		w := merged[p]
		outAdj[p.a] = append(outAdj[p.a], half{p.b, w})
		if directed {
			inAdj[p.b] = append(inAdj[p.b], half{p.a, w})
		} else {
			outAdj[p.b] = append(outAdj[p.b], half{p.a, w})
		}
	}
	build := func(adj [][]half, withW bool) ([]int32, []int32, []float64) {
		start := make([]int32, n+1)
		var to []int32
		var ws []float64
		for i, l := range adj {
			sort.Slice(l, func(x, y int) bool { return l[x].to < l[y].to })
			for _, h := range l {
				to = append(to, h.to)
				if withW {
					ws = append(ws, h.w)
				}
			}
			start[i+1] = int32(len(to))
		}
		return start, to, ws
	}
	g.outStart, g.out, g.outW = build(outAdj, true)
	if directed {
		g.inStart, g.in, _ = build(inAdj, false)
	}
	return g, nil
}

// Index returns the number of the named node.
func (g *Graph) Index(name string) (int, bool) {
	i, ok := g.index[name]
	return i, ok
}

func (g *Graph) outOf(v int) []int32 { return g.out[g.outStart[v]:g.outStart[v+1]] }

func (g *Graph) inOf(v int) []int32 {
	if !g.Directed {
		return g.outOf(v)
	}
	return g.in[g.inStart[v]:g.inStart[v+1]]
}

// Edges returns the number of edges of the simple graph.
func (g *Graph) Edges() int {
	if g.Directed {
		return len(g.out)
	}
	return len(g.out) / 2
}

// Isolated returns the nodes with no edge, in node order.
func (g *Graph) Isolated() []string {
	var out []string
	for v := range g.Nodes {
		if len(g.outOf(v)) == 0 && len(g.inOf(v)) == 0 {
			out = append(out, g.Nodes[v])
		}
	}
	return out
}

// Without returns the graph with the given nodes removed (and their edges),
// e.g. staff accounts.
func Without(nodes []string, edges []Edge, directed bool, drop map[string]bool) (*Graph, error) {
	var keep []string
	for _, n := range nodes {
		if !drop[n] {
			keep = append(keep, n)
		}
	}
	var kept []Edge
	for _, e := range edges {
		if !drop[e.From] && !drop[e.To] {
			kept = append(kept, e)
		}
	}
	return NewGraph(keep, kept, directed)
}
