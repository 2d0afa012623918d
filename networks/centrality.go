package networks

import (
	"cmp"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/evalrun/evalrun/internal/workpool"
)

// Centralities holds each node's centralities, indexed like Graph.Nodes.
type Centralities struct {
	// Degree is the number of neighbours over n−1 (directed: in- plus
	// out-neighbours); InDegree and OutDegree (directed only) count one
	// direction.
	Degree, InDegree, OutDegree []float64
	// Betweenness is networkx's betweenness_centrality(normalized=True,
	// weight=None): the sum over ordered pairs of the share of shortest
	// paths through the node, times 1/((n−1)(n−2)).
	Betweenness []float64
	// Closeness is Wasserman and Faust's: (r/Σd)·(r/(n−1)) over the r
	// nodes that reach the node (directed: distances into it); 0 when no
	// node does.
	Closeness []float64
	// BetweennessSources is the number of source nodes betweenness was
	// computed from: all nodes (exact) or a sample (see
	// Options.MaxExactWork).
	BetweennessSources int
	// PageRank is networkx's pagerank(alpha=0.85, tol=1e-10) with the
	// merged weights.
	PageRank []float64
	// Eigenvector (undirected only) is the leading eigenvector of the
	// unweighted adjacency, unit Euclidean norm, positive sum.
	Eigenvector []float64
	// PageRankIterations and EigenvectorIterations (0 when solved
	// directly) say how the iterative measures ended; Converged is false
	// when either hit its iteration limit.
	PageRankIterations    int
	EigenvectorIterations int
	Converged             bool
}

// Options configure Compute.
type Options struct {
	// Workers bounds the goroutines (0: GOMAXPROCS); results do not
	// depend on it.
	Workers int
	// MaxExactWork bounds the work of exact betweenness, counted as
	// nodes × (nodes + edges) (0: DefaultMaxExactWork; negative: always
	// exact). Above it betweenness is estimated from a sample of k =
	// MaxExactWork/(nodes + edges) source nodes drawn with Seed and scaled
	// by n/k, as networkx's betweenness_centrality(k=...) does;
	// BetweennessSources says how many were used.
	MaxExactWork int64
	Seed         uint64
}

// DefaultMaxExactWork keeps exact betweenness to graphs of up to about
// 7,000 students with 28,000 replies; the 50,000-student graph of the
// benchmark gets 1,250 sampled sources.
const DefaultMaxExactWork = 250_000_000

// Compute returns the centralities of every node.
func Compute(g *Graph, opt Options) Centralities {
	n := len(g.Nodes)
	c := Centralities{Converged: true}
	c.Degree = make([]float64, n)
	if g.Directed {
		c.InDegree = make([]float64, n)
		c.OutDegree = make([]float64, n)
	}
	for v := 0; v < n; v++ {
		if n <= 1 {
			c.Degree[v] = 1 // networkx: a graph of one node
			if g.Directed {
				c.InDegree[v], c.OutDegree[v] = 1, 1
			}
			continue
		}
		s := 1 / float64(n-1)
		out, in := len(g.outOf(v)), 0
		if g.Directed {
			in = len(g.inOf(v))
			c.InDegree[v] = float64(in) * s
			c.OutDegree[v] = float64(out) * s
		}
		c.Degree[v] = float64(out+in) * s
	}
	// The searches run on a copy numbered in breadth-first order, so that
	// neighbours mostly sit near each other in memory.
	pg, perm := g.bfsOrdered()
	c.Closeness = unpermute(closeness(pg, opt.Workers, bottomUpShare), perm)
	sources := make([]int, n)
	for i := range sources {
		sources[i] = i
	}
	c.BetweennessSources = n
	budget := opt.MaxExactWork
	if budget == 0 {
		budget = DefaultMaxExactWork
	}
	if work := int64(n) * int64(n+len(g.out)); budget > 0 && work > budget {
		k := max(1, min(n, int(budget/int64(n+len(g.out)))))
		rng := rand.New(rand.NewPCG(opt.Seed, 0x6265747765656e)) // "between"
		sources = rng.Perm(n)[:k]
		slices.Sort(sources)
		c.BetweennessSources = k
	}
	psources := make([]int, len(sources))
	for i, v := range sources {
		psources[i] = int(perm[v])
	}
	c.Betweenness = unpermute(betweenness(pg, psources, opt.Workers), perm)
	var ok bool
	c.PageRank, c.PageRankIterations, ok = pagerank(g, 0.85, 1e-10, 1000)
	c.Converged = c.Converged && ok
	if !g.Directed {
		c.Eigenvector, c.EigenvectorIterations, ok = eigenvector(g)
		c.Converged = c.Converged && ok
	}
	return c
}

// brandesBlocks is the fixed number of source blocks of betweenness: each
// block's partial sums are kept apart and added in block order.
const brandesBlocks = 64

// betweenness returns normalised betweenness (Brandes' algorithm,
// unweighted) from the given sources, scaled by n/len(sources) when they
// are a sample (networkx's betweenness_centrality(k=...)).
func betweenness(g *Graph, sources []int, workers int) []float64 {
	n := len(g.Nodes)
	bet := make([]float64, n)
	if n == 0 || len(sources) == 0 {
		return bet
	}
	blocks := min(brandesBlocks, len(sources))
	partBet := make([][]float64, blocks)
	// The forward search goes level by level and records, for each node
	// in the order it is reached, its successors on shortest paths (succ,
	// from succStart), so the backward pass reads only those edges. It
	// needs no distances: a reached node is one level further exactly
	// when it was first reached during this level, so two bit sets
	// (reached, and reached during this level), which stay in the
	// first-level cache, replace them. sigma holds the path counts and,
	// once the backward pass is past a node (its count no longer needed),
	// the node's coefficient (1+delta)/sigma.
	workpool.ForWorkers(blocks, workers, func(int) func(b int) {
		words := (n + 63) / 64
		reached, fresh := make([]uint64, words), make([]uint64, words)
		sigma := make([]float64, n)
		order := make([]int32, 0, n)
		succStart := make([]int32, 0, n+1)
		succ := make([]int32, 0, len(g.out))
		return func(b int) {
			pb := make([]float64, n)
			lo, hi := workpool.Split(len(sources), blocks, b)
			for _, s := range sources[lo:hi] {
				if len(g.outOf(s)) == 0 {
					continue // no path starts here
				}
				order, succStart, succ = order[:0], succStart[:0], succ[:0]
				sigma[s] = 1
				reached[s>>6] |= 1 << uint(s&63)
				order = append(order, int32(s))
				for level := 0; level < len(order); {
					end := len(order)
					for _, v := range order[level:end] {
						succStart = append(succStart, int32(len(succ)))
						sv := sigma[v]
						for _, w := range g.outOf(int(v)) {
							word, bit := w>>6, uint64(1)<<uint(w&63)
							if reached[word]&bit == 0 {
								reached[word] |= bit
								fresh[word] |= bit
								order = append(order, w)
							} else if fresh[word]&bit == 0 {
								continue
							}
							sigma[w] += sv
							succ = append(succ, w)
						}
					}
					for _, w := range order[end:] {
						fresh[w>>6] = 0
					}
					level = end
				}
				succStart = append(succStart, int32(len(succ)))
				// networkx's accumulation: each node w passes
				// sigma(v)·(1+delta(w))/sigma(w) to each predecessor v.
				for q := len(order) - 1; q > 0; q-- {
					v := order[q]
					sv := sigma[v]
					var delta float64
					for _, w := range succ[succStart[q]:succStart[q+1]] {
						delta += sv * sigma[w]
					}
					sigma[v] = (1 + delta) / sv
					pb[v] += delta
				}
				for _, v := range order {
					reached[v>>6] = 0
					sigma[v] = 0
				}
			}
			partBet[b] = pb
		}
	})
	for _, pb := range partBet {
		for v, x := range pb {
			bet[v] += x
		}
	}
	if n > 2 {
		scale := 1 / (float64(n-1) * float64(n-2)) * float64(n) / float64(len(sources))
		for v := range bet {
			bet[v] *= scale
		}
	}
	return bet
}

// msWords is the width of closeness's bit masks in 64-bit words: each
// multi-source search follows 64·msWords sources at once, so the graph is
// walked an eighth as often as with one word. A mask is one 64-byte cache
// line: a bottom-up level's random read of a neighbour's frontier costs
// one line whatever the width up to there (4 words: 18% more CPU on the
// 50,000-student benchmark; 16 words, two lines: 10% more).
const msWords = 8

// msMask is the set of sources of one multi-source search.
type msMask [msWords]uint64

// equal reports whether m and o hold the same sources (written out: the
// == operator on arrays calls memequal).
func (m *msMask) equal(o *msMask) bool {
	var diff uint64
	for i := range msWords {
		diff |= m[i] ^ o[i]
	}
	return diff == 0
}

// empty reports whether m holds no source.
func (m *msMask) empty() bool {
	var or uint64
	for i := range msWords {
		or |= m[i]
	}
	return or == 0
}

// closeness returns Wasserman-Faust closeness from breadth-first searches
// run 64·msWords sources at a time on bit masks (multi-source BFS, Then et
// al. 2014): at each level a node learns which sources reach it, and adds
// the level times their number to its distance sum. The sums are integers,
// so the result does not depend on how batches are spread over workers or
// on which sources share a batch. A level pulls (pullLevel) when its
// frontier's out-edges exceed 1/pullShare of all edges (bottomUpShare;
// tests use 0 and a huge share to force one kind of level).
//
// Two things keep the searches short, without changing any sum. Sources
// without out-neighbours reach nothing and are left out; the others are
// batched in decreasing order of their number of out-walks of length 3, so
// that a batch holds sources whose searches spread at a similar pace and
// its levels end together (a fifth fewer levels on random reply graphs).
// And a node of the root's strongly connected component (see
// componentOfRoot) is reached by exactly the batch's sources that reach
// the root: once it has them all, the bottom-up levels skip it.
func closeness(g *Graph, workers, pullShare int) []float64 {
	n := len(g.Nodes)
	clo := make([]float64, n)
	if n <= 1 {
		return clo
	}
	const width = 64 * msWords
	inStart, in := reverseAdjacency(g)
	sources := closenessSourceOrder(g)
	inRootSCC, reachesRoot := componentOfRoot(g, inStart, in)
	batches := (len(sources) + width - 1) / width
	// Each worker adds up its batches' distances and reach counts in its
	// own slices; integer sums, so adding the workers' up afterwards gives
	// the same totals whichever batches each ran.
	localDists := make([][]int64, workpool.Size(batches, workers))
	localReaches := make([][]int64, len(localDists))
	workpool.ForWorkers(batches, workers, func(wk int) func(b int) {
		// seen: the sources that reached a node; next: those arriving
		// at the next level (top-down levels); front: those that
		// reached it at the last level, read at random by bottom-up
		// levels. One 64-byte mask each, so a visit touches one line.
		seen, next := make([]msMask, n), make([]msMask, n)
		isActive := make([]uint64, (n+63)/64)
		front, spare := make([]msMask, n), make([]msMask, n)
		localDist := make([]int64, n)
		localReach := make([]int64, n)
		localDists[wk], localReaches[wk] = localDist, localReach
		var active, touched []int32
		run := func(b int) {
			clear(seen)
			active = active[:0]
			// complete is the mask a node of the root's component ends
			// with: the batch's sources that reach the root.
			var complete msMask
			batch := sources[b*width : min((b+1)*width, len(sources))]
			for i, s := range batch {
				bit := uint64(1) << uint(i%64)
				seen[s][i/64] |= bit
				front[s][i/64] |= bit
				if reachesRoot[s] {
					complete[i/64] |= bit
				}
				active = append(active, s)
			}
			for d := int64(1); len(active) > 0; d++ {
				var activeEdges int
				for _, v := range active {
					activeEdges += int(g.outStart[v+1] - g.outStart[v])
				}
				if activeEdges*pullShare > len(g.out) {
					active = pullLevel(g, inStart, in, inRootSCC, &complete, seen, front, spare, active, isActive, d, localDist, localReach)
					front, spare = spare, front
					continue
				}
				touched = touched[:0]
				for _, v := range active {
					f := front[v]
					front[v] = msMask{}
					for _, w := range g.outOf(int(v)) {
						x := &next[w]
						if x.empty() {
							touched = append(touched, w)
						}
						for i := range msWords {
							x[i] |= f[i]
						}
					}
				}
				active = active[:0]
				for _, w := range touched {
					x, sn := &next[w], &seen[w]
					var nb msMask
					var c int64
					for i := range msWords {
						nb[i] = x[i] &^ sn[i]
						sn[i] |= nb[i]
						c += int64(bits.OnesCount64(nb[i]))
					}
					*x = msMask{}
					if c == 0 {
						continue
					}
					localDist[w] += d * c
					localReach[w] += c
					// A node without out-neighbours passes nothing on.
					if g.outStart[w] < g.outStart[w+1] {
						front[w] = nb
						active = append(active, w)
					}
				}
			}
		}
		return run
	})
	distSum, reach := make([]int64, n), make([]int64, n)
	for wk := range localDists {
		if localDists[wk] == nil {
			continue // no batch left for this worker to start
		}
		for v := range distSum {
			distSum[v] += localDists[wk][v]
			reach[v] += localReaches[wk][v]
		}
	}
	for v := range clo {
		if distSum[v] > 0 {
			r := float64(reach[v])
			clo[v] = r / float64(distSum[v]) * (r / float64(n-1))
		}
	}
	return clo
}

// bottomUpShare switches a closeness level to pulling (pullLevel) when
// the frontier's out-edges exceed 1/bottomUpShare of all edges.
const bottomUpShare = 4

// pullLevel advances closeness's multi-source search by one level bottom
// up (direction-optimizing BFS, Beamer et al. 2012): each node, in node
// order, gathers the frontiers of its in-neighbours, so that a level
// reaching most of the graph streams through the nodes instead of
// scattering writes to random ones. It reaches the same nodes from the
// same sources as the top-down step. The new frontier is written to
// spare (all zero on entry) and front is zeroed: the caller swaps them.
// A node of the root's strongly connected component whose seen mask is
// complete can learn nothing more and is skipped.
func pullLevel(g *Graph, inStart, in []int32, inRootSCC []bool, complete *msMask, seen, front, spare []msMask, active []int32, isActive []uint64, d int64, localDist, localReach []int64) []int32 {
	// Only the active nodes have a frontier: a bit set of them, which
	// stays in the first-level cache, saves reading the others' masks.
	for _, u := range active {
		isActive[u>>6] |= 1 << uint(u&63)
	}
	active = active[:0]
	for v := range seen {
		x := &seen[v]
		if inRootSCC[v] && x.equal(complete) {
			continue
		}
		var acc msMask
		for _, u := range in[inStart[v]:inStart[v+1]] {
			if isActive[u>>6]&(1<<uint(u&63)) == 0 {
				continue
			}
			f := &front[u]
			for i := range msWords {
				acc[i] |= f[i]
			}
		}
		var c int64
		for i := range msWords {
			acc[i] &^= x[i]
			x[i] |= acc[i]
			c += int64(bits.OnesCount64(acc[i]))
		}
		if c == 0 {
			continue
		}
		localDist[v] += d * c
		localReach[v] += c
		if g.outStart[v] < g.outStart[v+1] {
			spare[v] = acc
			active = append(active, int32(v))
		}
	}
	clear(front)
	clear(isActive)
	return active
}

// closenessSourceOrder returns the nodes with out-neighbours in
// decreasing order of their number of out-walks of length 3 (ties in node
// order): a cheap measure of how fast a search from the node spreads.
func closenessSourceOrder(g *Graph) []int32 {
	n := len(g.Nodes)
	walks := make([]float64, n)
	prev := make([]float64, n)
	for i := range prev {
		prev[i] = 1
	}
	for range 3 {
		for v := 0; v < n; v++ {
			var s float64
			for _, w := range g.outOf(v) {
				s += prev[w]
			}
			walks[v] = s
		}
		walks, prev = prev, walks
	}
	var order []int32
	for v := 0; v < n; v++ {
		if len(g.outOf(v)) > 0 {
			order = append(order, int32(v))
		}
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(prev[b], prev[a]) })
	return order
}

// componentOfRoot returns, for the node of highest degree (in plus out;
// the first such), which nodes lie in its strongly connected component
// (those it reaches that also reach it; undirected: its connected
// component) and which nodes reach it. Every node of that component is
// reached by the same sources: those that reach the root.
func componentOfRoot(g *Graph, inStart, in []int32) (inSCC, reachesRoot []bool) {
	n := len(g.Nodes)
	root := 0
	for v := 1; v < n; v++ {
		if len(g.outOf(v))+len(in[inStart[v]:inStart[v+1]]) > len(g.outOf(root))+len(in[inStart[root]:inStart[root+1]]) {
			root = v
		}
	}
	search := func(next func(v int32) []int32) []bool {
		seen := make([]bool, n)
		seen[root] = true
		queue := []int32{int32(root)}
		for q := 0; q < len(queue); q++ {
			for _, w := range next(queue[q]) {
				if !seen[w] {
					seen[w] = true
					queue = append(queue, w)
				}
			}
		}
		return seen
	}
	reached := search(func(v int32) []int32 { return g.outOf(int(v)) })
	reachesRoot = search(func(v int32) []int32 { return in[inStart[v]:inStart[v+1]] })
	inSCC = make([]bool, n)
	for v := range inSCC {
		inSCC[v] = reached[v] && reachesRoot[v]
	}
	return inSCC, reachesRoot
}

// reverseAdjacency returns the in-adjacency of g's out-lists in
// compressed form (each list in increasing order).
func reverseAdjacency(g *Graph) (start, in []int32) {
	n := len(g.Nodes)
	start = make([]int32, n+2)
	for _, w := range g.out {
		start[w+2]++
	}
	for v := 2; v < len(start); v++ {
		start[v] += start[v-1]
	}
	in = make([]int32, len(g.out))
	for v := 0; v < n; v++ {
		for _, w := range g.outOf(v) {
			in[start[w+1]] = int32(v)
			start[w+1]++
		}
	}
	return start[:n+1], in
}

// pagerank is networkx 2.8's pagerank (its scipy form): x starts uniform;
// x ← alpha·(x·P + (Σ x over dangling nodes)/n) + (1−alpha)/n with P the
// row-normalised weights, until the L1 change is below n·tol.
func pagerank(g *Graph, alpha, tol float64, maxIter int) ([]float64, int, bool) {
	n := len(g.Nodes)
	if n == 0 {
		return nil, 0, true
	}
	rowSum := make([]float64, n)
	for v := 0; v < n; v++ {
		for k := g.outStart[v]; k < g.outStart[v+1]; k++ {
			rowSum[v] += g.outW[k]
		}
	}
	x := make([]float64, n)
	for i := range x {
		x[i] = 1 / float64(n)
	}
	nx := make([]float64, n)
	for it := 1; it <= maxIter; it++ {
		var dangling float64
		for v := 0; v < n; v++ {
			if rowSum[v] == 0 {
				dangling += x[v]
			}
		}
		clear(nx)
		for v := 0; v < n; v++ {
			if rowSum[v] == 0 {
				continue
			}
			share := x[v] / rowSum[v]
			for k := g.outStart[v]; k < g.outStart[v+1]; k++ {
				nx[g.out[k]] += share * g.outW[k]
			}
		}
		var err float64
		for i := range nx {
			nx[i] = alpha*(nx[i]+dangling/float64(n)) + (1-alpha)/float64(n)
			err += math.Abs(nx[i] - x[i])
		}
		x, nx = nx, x
		if err < float64(n)*tol {
			return x, it, true
		}
	}
	return x, maxIter, false
}

// denseEigenLimit is the largest graph whose eigenvector centrality is
// solved by a dense symmetric eigendecomposition; larger graphs use power
// iteration on A + I.
const denseEigenLimit = 600

// eigenvector returns the leading eigenvector of the unweighted adjacency
// (unit norm, positive sum).
func eigenvector(g *Graph) ([]float64, int, bool) {
	n := len(g.Nodes)
	if n == 0 {
		return nil, 0, true
	}
	x := make([]float64, n)
	if n <= denseEigenLimit {
		a := mat.NewSymDense(n, nil)
		for v := 0; v < n; v++ {
			for _, w := range g.outOf(v) {
				a.SetSym(v, int(w), 1)
			}
		}
		var es mat.EigenSym
		if es.Factorize(a, true) {
			var vecs mat.Dense
			es.VectorsTo(&vecs)
			vals := es.Values(nil)
			best := 0
			for i, l := range vals {
				if l > vals[best] {
					best = i
				}
			}
			for i := range x {
				x[i] = vecs.At(i, best)
			}
			return orient(x), 0, true
		}
	}
	return eigenPower(g)
}

// eigenPower is power iteration on A + I (the shift keeps bipartite graphs
// from oscillating) from the uniform vector, until the L1 change is below
// n·1e-13.
func eigenPower(g *Graph) ([]float64, int, bool) {
	n := len(g.Nodes)
	x := make([]float64, n)
	for i := range x {
		x[i] = 1 / math.Sqrt(float64(n))
	}
	y := make([]float64, n)
	const maxIter = 100000
	for it := 1; it <= maxIter; it++ {
		var norm float64
		for v := 0; v < n; v++ {
			s := x[v]
			for _, w := range g.outOf(v) {
				s += x[w]
			}
			y[v] = s
			norm += s * s
		}
		norm = math.Sqrt(norm)
		var change float64
		for v := range y {
			y[v] /= norm
			change += math.Abs(y[v] - x[v])
		}
		x, y = y, x
		if change < float64(n)*1e-13 {
			return orient(x), it, true
		}
	}
	return orient(x), maxIter, false
}

// orient scales x to unit Euclidean norm with a positive sum.
func orient(x []float64) []float64 {
	var norm, sum float64
	for _, v := range x {
		norm += v * v
		sum += v
	}
	norm = math.Sqrt(norm)
	if sum < 0 {
		norm = -norm
	}
	for i := range x {
		x[i] /= norm
	}
	return x
}

// bfsOrdered returns a copy of g's out-adjacency with nodes renumbered in
// breadth-first order (over out- and in-edges, each search started from
// the unnumbered node of highest degree), and perm[old] = new.
func (g *Graph) bfsOrdered() (*Graph, []int32) {
	n := len(g.Nodes)
	deg := make([]int, n)
	for v := 0; v < n; v++ {
		deg[v] = len(g.outOf(v)) + len(g.inOf(v))
	}
	byDeg := make([]int32, n)
	for i := range byDeg {
		byDeg[i] = int32(i)
	}
	slices.SortStableFunc(byDeg, func(a, b int32) int { return deg[b] - deg[a] })
	perm := make([]int32, n)
	for i := range perm {
		perm[i] = -1
	}
	order := make([]int32, 0, n)
	for _, root := range byDeg {
		if perm[root] >= 0 {
			continue
		}
		perm[root] = int32(len(order))
		order = append(order, root)
		for q := len(order) - 1; q < len(order); q++ {
			v := int(order[q])
			for _, list := range [][]int32{g.outOf(v), g.inOf(v)} {
				for _, w := range list {
					if perm[w] < 0 {
						perm[w] = int32(len(order))
						order = append(order, w)
					}
				}
			}
		}
	}
	pg := &Graph{Nodes: make([]string, n), Directed: g.Directed, outStart: make([]int32, n+1)}
	for newID, old := range order {
		pg.Nodes[newID] = g.Nodes[old]
		for _, w := range g.outOf(int(old)) {
			pg.out = append(pg.out, perm[w])
		}
		slices.Sort(pg.out[pg.outStart[newID]:])
		pg.outStart[newID+1] = int32(len(pg.out))
	}
	return pg, perm
}

// unpermute returns v indexed by the original node numbers.
func unpermute(v []float64, perm []int32) []float64 {
	out := make([]float64, len(v))
	for old, nw := range perm {
		out[old] = v[nw]
	}
	return out
}
