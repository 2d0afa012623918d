package models

import "math"

// This file computes the same exact path-dependent TreeSHAP values as
// Lundberg, Erion and Lee's Algorithm 2 ("Consistent individualized feature
// attribution for tree ensembles", 2018) in time linear in the number of
// nodes, following the idea of Linear TreeSHAP (Yu, Peng, Li and Zhang,
// NeurIPS 2022). For a leaf L with value v, let p_j be the product of the
// cover fractions of the edges on L's path that split on feature j, and o_j
// the product of their indicators (1 where the row takes the edge). The leaf
// contributes to feature i on its path
//
//	v · (o_i − p_i) · ∫₀¹ Π_{j ≠ i} ((1−t)·p_j + t·o_j) dt,
//
// the Shapley value of the product game v·Π_{j∈S} o_j·Π_{j∉S} p_j (the
// integral is the Shapley weight sum Σ_S |S|!(m−|S|−1)!/m!·…). The integrand
// is a polynomial of degree < the number of distinct features on the path,
// so Gauss–Legendre quadrature with enough nodes is exact. Writing
// F_j(t) = (1−t)·p_j + t·o_j and G_L(t) = Π_j F_j(t), the contribution is
// v·G_L(t)·(o_i − p_i)/F_i(t); summing v·G_L(t) over the leaves below each
// edge (one pass down and up the tree per row) attributes every feature at
// the deepest edge splitting on it, with the term of the previous edge on
// the same feature taken back. Lundberg's algorithm is kept in the tests as
// the reference.

// gaussLegendre01 returns the k nodes and weights of Gauss–Legendre
// quadrature on [0, 1], exact for polynomials of degree < 2k.
func gaussLegendre01(k int) (nodes, weights []float64) {
	nodes = make([]float64, k)
	weights = make([]float64, k)
	for i := 0; i < k; i++ {
		// Newton's method on P_k from the usual initial guess.
		x := math.Cos(math.Pi * (float64(i) + 0.75) / (float64(k) + 0.5))
		var dp float64
		for it := 0; it < 100; it++ {
			p0, p1 := 1.0, x
			for n := 2; n <= k; n++ {
				p0, p1 = p1, ((2*float64(n)-1)*x*p1-(float64(n)-1)*p0)/float64(n)
			}
			if k == 1 {
				p0, p1 = 1, x
			}
			dp = float64(k) * (x*p1 - p0) / (x*x - 1)
			dx := p1 / dp
			x -= dx
			if math.Abs(dx) < 1e-16 {
				break
			}
		}
		// Recompute the derivative at the converged root for the weight.
		p0, p1 := 1.0, x
		for n := 2; n <= k; n++ {
			p0, p1 = p1, ((2*float64(n)-1)*x*p1-(float64(n)-1)*p0)/float64(n)
		}
		if k == 1 {
			p0, p1 = 1, x
		}
		dp = float64(k) * (x*p1 - p0) / (x*x - 1)
		nodes[i] = (1 - x) / 2
		weights[i] = 1 / ((1 - x*x) * dp * dp)
	}
	return nodes, weights
}

// maxDistinctPathFeatures returns the largest number of distinct features
// on a root-to-leaf path.
func maxDistinctPathFeatures(nodes []treeNode) int {
	count := map[int32]int{}
	best := 0
	var walk func(k, distinct int)
	walk = func(k, distinct int) {
		n := &nodes[k]
		if n.left < 0 {
			best = max(best, distinct)
			return
		}
		f := n.feature
		count[f]++
		if count[f] == 1 {
			distinct++
		}
		walk(int(n.left), distinct)
		walk(int(n.right), distinct)
		count[f]--
	}
	walk(0, 0)
	return best
}

// fastTreeSHAP explains rows with one tree; it holds the quadrature and
// scratch space and is used by one goroutine.
type fastTreeSHAP struct {
	nodes    []treeNode
	t, w     []float64
	k        int
	p, o     []float64 // per feature, on the current path
	prod     []float64 // (depth+2) × k running products G(t)
	sum      []float64 // (depth+2) × k leaf sums below a node
	term     []float64 // (depth+2) × k quadrature-weighted edge terms
	invOld   []float64 // (depth+2) × k: 1/F_j(t) above the current split
	oldTerm  []float64 // (depth+2) × k: (o_j − p_j)/F_j(t) above the current split
	maxDepth int
	// record collects the additions to phi while recording (addRecorded).
	recording bool
	record    []shapAdd
}

func newFastTreeSHAP(nodes []treeNode, nFeatures int) *fastTreeSHAP {
	k := max(1, (maxDistinctPathFeatures(nodes)+1)/2)
	t, w := gaussLegendre01(k)
	depth := treeDepth(nodes)
	s := &fastTreeSHAP{nodes: nodes, t: t, w: w, k: k, p: make([]float64, nFeatures), o: make([]float64, nFeatures),
		prod: make([]float64, (depth+2)*k), sum: make([]float64, (depth+2)*k), term: make([]float64, (depth+2)*k),
		invOld: make([]float64, (depth+2)*k), oldTerm: make([]float64, (depth+2)*k), maxDepth: depth}
	return s
}

// add adds scale times the SHAP values of row x to phi.
func (s *fastTreeSHAP) add(x, phi []float64, scale float64) {
	for j := range s.p {
		s.p[j], s.o[j] = 1, 1
	}
	root := s.prod[:s.k]
	for i := range root {
		root[i] = 1
	}
	s.visit(0, 0, x, phi, scale)
}

// visit fills s.sum[depth] with Σ over the leaves below node of v·G_L(t_k),
// given the running product s.prod[depth], attributing each edge below.
func (s *fastTreeSHAP) visit(node, depth int, x, phi []float64, scale float64) {
	k := s.k
	n := &s.nodes[node]
	prod := s.prod[depth*k : (depth+1)*k]
	sum := s.sum[depth*k : (depth+1)*k]
	if n.left < 0 {
		for i := range sum {
			sum[i] = n.value * prod[i]
		}
		return
	}
	clear(sum)
	j := int(n.feature)
	oldP, oldO := s.p[j], s.o[j]
	goLeft := n.goesLeft(x[j])
	childProd := s.prod[(depth+1)*k : (depth+2)*k]
	childSum := s.sum[(depth+1)*k : (depth+2)*k]
	term := s.term[depth*k : (depth+1)*k]
	// 1/F_j(t) before this split and the previous edge's term on j, shared
	// by both children.
	invOld := s.invOld[depth*k : (depth+1)*k]
	oldTerm := s.oldTerm[depth*k : (depth+1)*k]
	for i, t := range s.t {
		invOld[i] = 1 / ((1-t)*oldP + t*oldO)
		oldTerm[i] = (oldO - oldP) * invOld[i]
	}
	for side := 0; side < 2; side++ {
		c := int(n.left)
		taken := goLeft
		if side == 1 {
			c = int(n.right)
			taken = !goLeft
		}
		newP := oldP * s.nodes[c].cover / n.cover
		newO := 0.0
		if taken {
			newO = oldO
		}
		for i, t := range s.t {
			fNew := (1-t)*newP + t*newO
			childProd[i] = prod[i] * invOld[i] * fNew
			// The weight of the leaves below in feature j's Shapley value:
			// this edge's term, minus the previous edge's on j (0 if none).
			var r float64
			if fNew != 0 {
				r = (newO - newP) / fNew
			}
			term[i] = s.w[i] * (r - oldTerm[i])
		}
		s.p[j], s.o[j] = newP, newO
		s.visit(c, depth+1, x, phi, scale)
		s.p[j], s.o[j] = oldP, oldO
		var contrib float64
		for i, cs := range childSum {
			contrib += term[i] * cs
			sum[i] += cs
		}
		// The explicit conversion rounds the product before the sum (no
		// fused multiply-add), so a replayed record adds the same value.
		v := float64(scale * contrib)
		phi[j] += v
		if s.recording {
			s.record = append(s.record, shapAdd{feature: int32(j), value: v})
		}
	}
}

// shapAdd is one addition visit makes to a row's contributions.
type shapAdd struct {
	feature int32
	value   float64
}

// addRecorded is add, also appending to s.record every addition made to
// phi, in order: replaying them on another phi adds the same values in the
// same order.
func (s *fastTreeSHAP) addRecorded(x, phi []float64, scale float64) {
	s.recording = true
	s.add(x, phi, scale)
	s.recording = false
}

// decisionKey returns the bitmask of the directions row x takes at each of
// a tree's internal nodes (internal lists them; at most 64): two rows with
// the same key get the same TreeSHAP values from the tree, because the
// values depend on the row only through those directions.
func decisionKey(nodes []treeNode, internal []int32, x []float64) uint64 {
	var key uint64
	for b, k := range internal {
		n := &nodes[k]
		if n.goesLeft(x[n.feature]) {
			key |= 1 << uint(b)
		}
	}
	return key
}

// internalNodes returns the indexes of the internal nodes.
func internalNodes(nodes []treeNode) []int32 {
	var out []int32
	for k := range nodes {
		if nodes[k].left >= 0 {
			out = append(out, int32(k))
		}
	}
	return out
}
