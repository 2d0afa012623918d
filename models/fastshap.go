package models

import (
	"math"
	"math/bits"
)

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

// fastTreeSHAP explains rows with one tree. Everything that does not
// depend on the row is computed once per tree (reset): along the path to
// every node, the cover fraction p_j of its feature before the split, and
// for each child edge and quadrature point the factor F_new/F_old by which
// the edge multiplies G(t) and the edge's weight in its feature's value,
// for the cases a row can meet there. A row only decides which case
// applies: o_j is 1 until the row leaves the path at an edge on j, and 0
// below it ("dead": F_j(t) = (1−t)·p_j, so the factor is the plain cover
// ratio and the edge adds nothing to φ_j).
//
// Rows go through the tree in blocks, one pass down and up per block, so
// the walk and the tables are shared by the rows of a block. Small
// subtrees ("cuts", shapCut) are computed once per distinct row state and
// reused. Each row's arithmetic is the same whatever block it is in and
// whichever rows came before it. A fastTreeSHAP holds scratch space, is
// reused tree after tree (reset) and is used by one goroutine.
type fastTreeSHAP struct {
	nodes []treeNode
	k     int
	depth int
	// Per child node c, k values each at c*k: a live feature's edge taken
	// (takenF, takenTerm) or not taken by the row (offF, offTerm); the
	// terms include the quadrature weight.
	takenF, offF, takenTerm, offTerm []float64
	// coverRatio[c] is cover(c)/cover(parent): the factor of an edge on a
	// dead feature.
	coverRatio []float64
	words      int
	p          []float64 // per feature, while building the tables

	// pre[n] is internal node n's position among the internal nodes in
	// preorder (left subtree first); splits holds their tests in that
	// order. The internal nodes of a subtree, and so of a cut, are
	// consecutive in it.
	pre    []int32
	splits []shapSplit
	// missingLeft is whether some split sends missing values left;
	// complete, whether the rows explained have no missing values (set
	// by the caller).
	missingLeft, complete bool

	// cut[n] is the index in cuts of the cut at node n, -1 elsewhere;
	// local[n] is the index of internal node n's feature in its cut's
	// features. cutInternal, cutFeatures and cutFeatureNodes hold the
	// cuts' lists (shapCut). states maps a cut's row state to the offset
	// of its values in memo.
	cut, local []int32
	cuts       []shapCut
	// noCuts makes reset mark no cuts: every row walks the whole tree.
	noCuts          bool
	cutInternal     []int32
	cutFeatures     []int32
	cutFeatureNodes []uint64
	states          shapStates
	memo            []float64
	// memoMax, when positive, replaces shapMemoBytes/8 as the memo's
	// bound (tests); once[level] holds the values of a state computed
	// when the memo is full.
	memoMax int
	once    [2][]float64
	// cutParent[featureFrom+b] is, for an inner cut, the index of its
	// feature b in the features of the cut around it.
	cutParent []int32
	// Scratch of a cut's computation, per level (outer, inner): products
	// and sums per depth below the cut, and per feature of the cut k
	// weights.
	relProd, relSum, relQ [2][]float64

	// The current block: its rows, their contributions and, per row, the
	// set of dead features (words each) and the directions the row takes
	// (dirWords each: bit pre[n] set when it goes left at n); per depth
	// and row, the row's case at the node (shapLeft, shapRight,
	// shapDead), and k running products G(t) and leaf sums below the node.
	block      int // rows the scratch space holds
	xs, phis   [][]float64
	dead       []uint64
	dirs       []uint64
	dirWords   int
	kind       []uint8
	prod, sum  []float64
	one        [1][]float64 // add's block of one row
	onePhi     [1][]float64
	scaleBlock float64
	// record collects the additions to phi while recording (addRecorded).
	recording bool
	record    []shapAdd
}

// shapCut is a subtree whose result depends on a row only through its
// state there: the directions it takes at the subtree's internal nodes
// whose feature is not dead, and which of the subtree's features are
// dead. For a state, the subtree contributes, relative to the running
// product G(t) at its root, the leaf sums S(t) (the sums below are
// G(t)·S(t)) and, per feature j of the subtree, weights Q_j(t) with
// φ_j += Σ_t G(t)·Q_j(t). Both are computed for the first row in a state
// and reused for the others; the values are the same whichever row filled
// the state.
type shapCut struct {
	// internal nodes in preorder (bit b of a state's directions):
	// cutInternal[internalFrom:internalTo]; distinct features split on
	// (bit b of a state's dead set) and the internal nodes splitting on
	// each: cutFeatures and cutFeatureNodes[featureFrom:featureTo].
	internalFrom, internalTo int32
	featureFrom, featureTo   int32
	// level is 0 for a cut below the top of the tree, 1 for a cut inside
	// one (its states computed while computing the outer cut's).
	level int
}

// shapSplit is an internal node's test: a row goes left when its value of
// feature is at most threshold, or when it is missing and missingLeft.
type shapSplit struct {
	feature     int32
	missingLeft bool
	threshold   float64
}

// shapStates maps a row state at a cut (the cut's index, and its
// directions and dead set, each below 2^32 since a cut has at most
// shapCutInternal internal nodes and so features) to the offset of its
// values in the memo: an open-addressing table with linear probing.
// explainTrees also keys rows' directions in small trees with it.
type shapStates struct {
	slots []shapSlot // a power of two long, at most half full
	n     int
}

// shapSlot is one entry of shapStates; off is the memo offset plus one, 0
// in an empty slot.
type shapSlot struct {
	state uint64 // directions | dead<<32
	cut   int32
	off   int32
}

// shapStateHash mixes a state's words (SplitMix64's finaliser).
func shapStateHash(cut int32, state uint64) uint64 {
	h := state ^ uint64(uint32(cut))*0x9e3779b97f4a7c15
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	return h ^ h>>31
}

// get returns the memo offset of the state, or false.
func (t *shapStates) get(cut int32, state uint64) (int32, bool) {
	if t.n == 0 {
		return 0, false
	}
	mask := uint64(len(t.slots) - 1)
	for i := shapStateHash(cut, state) & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.off == 0 {
			return 0, false
		}
		if sl.state == state && sl.cut == cut {
			return sl.off - 1, true
		}
	}
}

// put records the memo offset of a state not in the table.
func (t *shapStates) put(cut int32, state uint64, off int32) {
	if 2*(t.n+1) > len(t.slots) {
		old := t.slots
		t.slots = make([]shapSlot, max(1024, 2*len(old)))
		t.n = 0
		for _, sl := range old {
			if sl.off != 0 {
				t.put(sl.cut, sl.state, sl.off-1)
			}
		}
	}
	mask := uint64(len(t.slots) - 1)
	i := shapStateHash(cut, state) & mask
	for t.slots[i].off != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = shapSlot{state: state, cut: cut, off: off + 1}
	t.n++
}

// reset empties the table, keeping its slots.
func (t *shapStates) reset() {
	if t.n > 0 {
		clear(t.slots)
		t.n = 0
	}
}

// len returns the number of states recorded.
func (t *shapStates) len() int { return t.n }

// shapMemoBytes bounds the memory the row states of one tree take; states
// new when it is full are computed for each row that meets them.
const shapMemoBytes = 32 << 20

// shapCutMinRows is the least number of rows for which Explain uses cuts: a row state is computed at about twice the cost of
// walking the subtree, which pays only when states repeat across rows.
const shapCutMinRows = 256

// shapCutInternal bounds the internal nodes of a cut (at most 64, the bits
// of a state's directions) and shapCutMinInternal is the least worth the
// look-up, for cuts from the top of the tree and inner cuts within them:
// a row state new to a cut is computed with the inner cuts' states.
const (
	shapCutInternal         = 31
	shapCutMinInternal      = 3
	shapInnerCutInternal    = 7
	shapInnerCutMinInternal = 2
)

// The case of a row at an internal node: it goes left, right (its feature
// live), or the feature is dead for it. shapLeft and shapRight equal the
// side (0 left, 1 right) of the child the row takes.
const (
	shapLeft uint8 = iota
	shapRight
	shapDead
)

func newFastTreeSHAP(nodes []treeNode, nFeatures int) *fastTreeSHAP {
	s := &fastTreeSHAP{}
	s.reset(nodes, nFeatures)
	return s
}

// grown returns buf resliced to n elements, reallocated when too small.
func grown[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	return buf[:n]
}

// reset prepares s for explaining rows with the tree nodes (rows with
// nFeatures columns), reusing its buffers.
func (s *fastTreeSHAP) reset(nodes []treeNode, nFeatures int) {
	k := max(1, (maxDistinctPathFeatures(nodes)+1)/2)
	t, w := gaussLegendre01(k)
	n := len(nodes)
	s.nodes, s.k, s.depth, s.words = nodes, k, treeDepth(nodes), (nFeatures+63)/64
	s.takenF, s.offF = grown(s.takenF, n*k), grown(s.offF, n*k)
	s.takenTerm, s.offTerm = grown(s.takenTerm, n*k), grown(s.offTerm, n*k)
	s.coverRatio = grown(s.coverRatio, n)
	s.p = grown(s.p, nFeatures)
	p := s.p
	for j := range p {
		p[j] = 1
	}
	var build func(node int)
	build = func(node int) {
		nd := &nodes[node]
		if nd.left < 0 {
			return
		}
		j := int(nd.feature)
		oldP := p[j]
		for _, c := range [2]int{int(nd.left), int(nd.right)} {
			var ratio float64
			if nd.cover != 0 {
				ratio = nodes[c].cover / nd.cover
			}
			s.coverRatio[c] = ratio
			newP := oldP * ratio
			for i, ti := range t {
				fOld := (1-ti)*oldP + ti // o_j = 1 above the split
				oldTerm := (1 - oldP) / fOld
				fTaken := (1-ti)*newP + ti
				fOff := (1 - ti) * newP
				s.takenF[c*k+i] = fTaken / fOld
				s.offF[c*k+i] = fOff / fOld
				s.takenTerm[c*k+i] = w[i] * ((1-newP)/fTaken - oldTerm)
				var rOff float64
				if fOff != 0 {
					rOff = -newP / fOff
				}
				s.offTerm[c*k+i] = w[i] * (rOff - oldTerm)
			}
			p[j] = newP
			build(c)
			p[j] = oldP
		}
	}
	build(0)
	s.pre = grown(s.pre, n)
	s.splits, s.missingLeft = s.splits[:0], false
	var number func(node int)
	number = func(node int) {
		nd := &nodes[node]
		if nd.left < 0 {
			return
		}
		s.pre[node] = int32(len(s.splits))
		s.splits = append(s.splits, shapSplit{feature: nd.feature, missingLeft: nd.missingLeft, threshold: nd.threshold})
		s.missingLeft = s.missingLeft || nd.missingLeft
		number(int(nd.left))
		number(int(nd.right))
	}
	number(0)
	// One spare word: cutDirections reads the word after a cut's first.
	s.dirWords = (len(s.splits)+63)/64 + 1
	s.findCuts()
}

// rowDirections sets d (dirWords words) to the directions row x takes at
// every internal node: bit pre[n] set when it goes left at n (goesLeft).
func (s *fastTreeSHAP) rowDirections(d []uint64, x []float64) {
	splits := s.splits
	w := 0
	for ; len(splits) > 0; w++ {
		chunk := splits[:min(64, len(splits))]
		splits = splits[len(chunk):]
		// Bits from the last to the first, shifting the word (no variable
		// shifts), without branches.
		var word uint64
		if s.missingLeft && !s.complete {
			for b := len(chunk) - 1; b >= 0; b-- {
				sp := &chunk[b]
				v := x[sp.feature]
				// A NaN compares false and goes left when missingLeft.
				word = word<<1 | b2u(v <= sp.threshold) | b2u(v != v)&b2u(sp.missingLeft)
			}
		} else {
			// No missing values, or none goes left: a NaN compares false
			// and goes right.
			for b := len(chunk) - 1; b >= 0; b-- {
				sp := &chunk[b]
				word = word<<1 | b2u(x[sp.feature] <= sp.threshold)
			}
		}
		d[w] = word
	}
	clear(d[w:])
}

// b2u returns 1 for true and 0 for false.
func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// goesLeft reports whether the row of directions d goes left at internal
// node n.
func (s *fastTreeSHAP) goesLeft(d []uint64, n int) bool {
	p := s.pre[n]
	return d[p>>6]>>uint(p&63)&1 != 0
}

// cutDirections returns the directions (rowDirections d) at the m internal
// nodes of the subtree at node, bit b for its b-th internal node in
// preorder.
func (s *fastTreeSHAP) cutDirections(d []uint64, node int, m int32) uint64 {
	p := s.pre[node]
	w, off := p>>6, uint(p&63)
	// A shift by 64 gives 0 (off = 0: the bits are all in word w).
	v := d[w]>>off | d[w+1]<<(64-off)
	return v & (1<<uint(m) - 1)
}

// findCuts marks as cuts the largest subtrees of shapCutMinInternal to
// shapCutInternal internal nodes (never the root), and within each the
// largest proper subtrees of shapInnerCutMinInternal to
// shapInnerCutInternal internal nodes.
func (s *fastTreeSHAP) findCuts() {
	nodes := s.nodes
	s.cut, s.local = grown(s.cut, len(nodes)), grown(s.local, len(nodes))
	for i := range s.cut {
		s.cut[i] = -1
	}
	s.cuts, s.cutInternal, s.cutFeatures, s.cutFeatureNodes, s.cutParent = s.cuts[:0], s.cutInternal[:0], s.cutFeatures[:0], s.cutFeatureNodes[:0], s.cutParent[:0]
	s.states.reset()
	s.memo = s.memo[:0]
	// internalBelow[n] counts the internal nodes at or below n (in local,
	// overwritten by collect below once read).
	internalBelow := s.local
	var count func(n int) int32
	count = func(n int) int32 {
		nd := &nodes[n]
		if nd.left < 0 {
			return 0
		}
		internalBelow[n] = 1 + count(int(nd.left)) + count(int(nd.right))
		return internalBelow[n]
	}
	count(0)
	// mark appends the roots of the largest subtrees below n of lo to hi
	// internal nodes.
	var mark func(n, lo, hi int, roots []int) []int
	mark = func(n, lo, hi int, roots []int) []int {
		nd := &nodes[n]
		if nd.left < 0 {
			return roots
		}
		for _, c := range [2]int{int(nd.left), int(nd.right)} {
			switch m := int(internalBelow[c]); {
			case m > hi:
				roots = mark(c, lo, hi, roots)
			case m >= lo:
				roots = append(roots, c)
			}
		}
		return roots
	}
	var outer []int
	if !s.noCuts {
		outer = mark(0, shapCutMinInternal, shapCutInternal, nil)
	}
	inner := make([][]int, len(outer))
	for i, n := range outer {
		inner[i] = mark(n, shapInnerCutMinInternal, shapInnerCutInternal, nil)
	}
	var maxDepth, maxFeatures [2]int
	// collect lists cut c's internal nodes and features below n and sets
	// local for the nodes of the cut's own level.
	var collect func(c *shapCut, n, depth int, own bool)
	collect = func(c *shapCut, n, depth int, own bool) {
		nd := &nodes[n]
		if own {
			maxDepth[c.level] = max(maxDepth[c.level], depth)
		}
		if nd.left < 0 {
			return
		}
		if c.level == 0 && depth > 0 && s.cut[n] >= 0 {
			own = false // an inner cut's nodes
		}
		pos := len(s.cutInternal) - int(c.internalFrom)
		s.cutInternal = append(s.cutInternal, int32(n))
		b := -1
		for i, f := range s.cutFeatures[c.featureFrom:] {
			if f == nd.feature {
				b = i
			}
		}
		if b < 0 {
			b = len(s.cutFeatures) - int(c.featureFrom)
			s.cutFeatures = append(s.cutFeatures, nd.feature)
			s.cutFeatureNodes = append(s.cutFeatureNodes, 0)
			s.cutParent = append(s.cutParent, -1)
		}
		s.cutFeatureNodes[int(c.featureFrom)+b] |= 1 << uint(pos)
		if own {
			s.local[n] = int32(b)
		}
		collect(c, int(nd.left), depth+1, own)
		collect(c, int(nd.right), depth+1, own)
	}
	add := func(n, level int) *shapCut {
		s.cut[n] = int32(len(s.cuts))
		s.cuts = append(s.cuts, shapCut{internalFrom: int32(len(s.cutInternal)), featureFrom: int32(len(s.cutFeatures)), level: level})
		return &s.cuts[len(s.cuts)-1]
	}
	for i, n := range outer {
		for _, m := range inner[i] {
			s.cut[m] = 0 // marked for collect; set below
		}
		c := add(n, 0)
		collect(c, n, 0, true)
		c.internalTo, c.featureTo = int32(len(s.cutInternal)), int32(len(s.cutFeatures))
		maxFeatures[0] = max(maxFeatures[0], int(c.featureTo-c.featureFrom))
		outerFeatures := s.cutFeatures[c.featureFrom:c.featureTo]
		for _, m := range inner[i] {
			ic := add(m, 1)
			collect(ic, m, 0, true)
			ic.internalTo, ic.featureTo = int32(len(s.cutInternal)), int32(len(s.cutFeatures))
			maxFeatures[1] = max(maxFeatures[1], int(ic.featureTo-ic.featureFrom))
			for b := ic.featureFrom; b < ic.featureTo; b++ {
				for ob, f := range outerFeatures {
					if f == s.cutFeatures[b] {
						s.cutParent[b] = int32(ob)
					}
				}
			}
		}
	}
	for l := range s.relProd {
		s.relProd[l] = grown(s.relProd[l], (maxDepth[l]+1)*s.k)
		s.relSum[l] = grown(s.relSum[l], (maxDepth[l]+1)*s.k)
		s.relQ[l] = grown(s.relQ[l], maxFeatures[l]*s.k)
	}
}

// cutValues returns the sums S and weights Q of cut ci (at node) for a row
// of directions rowDirs (rowDirections) whose dead features are dead, and
// which of the cut's features are dead (bit b for its b-th feature).
func (s *fastTreeSHAP) cutValues(ci int32, node int, rowDirs, dead []uint64) (vals []float64, deadBits uint64) {
	c := &s.cuts[ci]
	features := s.cutFeatures[c.featureFrom:c.featureTo]
	var ignored uint64
	for b, j := range features {
		if dead[j>>6]&(1<<uint(j&63)) != 0 {
			deadBits |= 1 << uint(b)
			ignored |= s.cutFeatureNodes[int(c.featureFrom)+b]
		}
	}
	// The directions at nodes on dead features do not count.
	dirs := s.cutDirections(rowDirs, node, c.internalTo-c.internalFrom) &^ ignored
	state := dirs | deadBits<<32
	size := (1 + len(features)) * s.k
	if off, ok := s.states.get(ci, state); ok {
		return s.memo[off : int(off)+size], deadBits
	}
	l := c.level
	q := s.relQ[l][:len(features)*s.k]
	clear(q)
	root := s.relProd[l][:s.k]
	for i := range root {
		root[i] = 1
	}
	s.visitCut(l, node, 0, rowDirs, dead, q)
	if len(s.memo)+size > s.memoLimit() {
		// The memo is full: the state is used once, the same values as
		// if it had been kept.
		once := s.once[l][:0]
		once = append(once, s.relSum[l][:s.k]...)
		once = append(once, q...)
		s.once[l] = once
		return once, deadBits
	}
	off := len(s.memo)
	s.memo = append(s.memo, s.relSum[l][:s.k]...)
	s.memo = append(s.memo, q...)
	s.states.put(ci, state, int32(off))
	return s.memo[off : off+size], deadBits
}

// memoLimit is the most values the memo of one tree holds
// (shapMemoBytes, or less in tests).
func (s *fastTreeSHAP) memoLimit() int {
	if s.memoMax > 0 {
		return s.memoMax
	}
	return shapMemoBytes / 8
}

// visitCut is visit for one row x inside a cut of the level, from the
// cut's root with product 1: it fills s.relSum[level] at depth (relative to
// the cut) with the relative leaf sums and adds each edge's weights to q.
func (s *fastTreeSHAP) visitCut(level, node, depth int, rowDirs, dead []uint64, q []float64) {
	k := s.k
	nd := &s.nodes[node]
	prod := s.relProd[level][depth*k : (depth+1)*k]
	sum := s.relSum[level][depth*k : (depth+1)*k]
	sum = sum[:len(prod)]
	if nd.left < 0 {
		v := nd.value
		for i, g := range prod {
			sum[i] = v * g
		}
		return
	}
	if ci := s.cut[node]; depth > 0 && ci >= 0 {
		// An inner cut: its sums and weights, relative to prod.
		c := &s.cuts[ci]
		vals, deadBits := s.cutValues(ci, node, rowDirs, dead)
		sv := vals[:len(prod)]
		for i, g := range prod {
			sum[i] = g * sv[i]
		}
		for b := c.featureFrom; b < c.featureTo; b++ {
			if deadBits>>uint(b-c.featureFrom)&1 != 0 {
				continue // a dead feature's weights are 0
			}
			iq := vals[int(b-c.featureFrom+1)*k : int(b-c.featureFrom+2)*k]
			iq = iq[:len(prod)]
			oq := q[int(s.cutParent[b])*k : int(s.cutParent[b]+1)*k]
			oq = oq[:len(prod)]
			for i, g := range prod {
				oq[i] += g * iq[i]
			}
		}
		return
	}
	j := int(nd.feature)
	w, bit := j>>6, uint64(1)<<uint(j&63)
	isDead := dead[w]&bit != 0
	goLeft := s.goesLeft(rowDirs, node)
	childProd := s.relProd[level][(depth+1)*k : (depth+2)*k]
	childProd = childProd[:len(prod)]
	childSum := s.relSum[level][(depth+1)*k : (depth+2)*k]
	childSum = childSum[:len(prod)]
	qj := q[int(s.local[node])*k : int(s.local[node]+1)*k]
	qj = qj[:len(prod)]
	for side := 0; side < 2; side++ {
		c := int(nd.left)
		if side == 1 {
			c = int(nd.right)
		}
		taken := goLeft == (side == 0)
		// The edge's factors f (nil on a dead feature: the cover ratio
		// cr) and weights term (nil on a dead feature).
		var f, term []float64
		cr := s.coverRatio[c]
		switch {
		case isDead:
		case taken:
			f, term = s.takenF[c*k:c*k+k], s.takenTerm[c*k:c*k+k]
		default:
			f, term = s.offF[c*k:c*k+k], s.offTerm[c*k:c*k+k]
		}
		if cn := &s.nodes[c]; cn.left < 0 {
			// A leaf: its sums v·G(t) without a call (the same products
			// as visitCut at the leaf).
			v := cn.value
			if f == nil {
				for i, g := range prod {
					childSum[i] = v * (g * cr)
				}
			} else {
				f = f[:len(prod)]
				for i, g := range prod {
					childSum[i] = v * (g * f[i])
				}
			}
		} else {
			if f == nil {
				for i, g := range prod {
					childProd[i] = g * cr
				}
			} else {
				f = f[:len(prod)]
				for i, g := range prod {
					childProd[i] = g * f[i]
				}
			}
			if !isDead && !taken {
				dead[w] |= bit
			}
			s.visitCut(level, c, depth+1, rowDirs, dead, q)
			if !isDead && !taken {
				dead[w] &^= bit
			}
		}
		if side == 0 {
			for i, v := range childSum {
				sum[i] = v
			}
		} else {
			for i, v := range childSum {
				sum[i] += v
			}
		}
		if term != nil {
			term = term[:len(prod)]
			for i, v := range childSum {
				qj[i] += term[i] * v
			}
		}
	}
}

// grow makes room for blocks of n rows.
func (s *fastTreeSHAP) grow(n int) {
	s.block = n
	s.dead = grown(s.dead, n*s.words)
	s.dirs = grown(s.dirs, n*s.dirWords)
	s.kind = grown(s.kind, (s.depth+1)*n)
	s.prod = grown(s.prod, (s.depth+1)*n*s.k)
	s.sum = grown(s.sum, (s.depth+1)*n*s.k)
}

// add adds scale times the SHAP values of row x to phi.
func (s *fastTreeSHAP) add(x, phi []float64, scale float64) {
	s.one[0], s.onePhi[0] = x, phi
	s.addBlock(s.one[:], s.onePhi[:], scale)
	s.one[0], s.onePhi[0] = nil, nil
}

// addBlock adds scale times the SHAP values of row xs[r] to phis[r] for
// every r, each row exactly as add would.
func (s *fastTreeSHAP) addBlock(xs, phis [][]float64, scale float64) {
	n := len(xs)
	if n == 0 {
		return
	}
	s.grow(n)
	s.xs, s.phis, s.scaleBlock = xs, phis, scale
	clear(s.dead[:n*s.words])
	if len(s.cuts) > 0 {
		// The cuts read the rows' directions (a walk without cuts tests
		// the few nodes it meets).
		for r, x := range xs {
			s.rowDirections(s.dirs[r*s.dirWords:(r+1)*s.dirWords], x)
		}
	}
	root := s.prod[:n*s.k]
	for i := range root {
		root[i] = 1
	}
	s.visit(0, 0)
	s.xs, s.phis = nil, nil
}

// visit fills, for every row r of the block, s.sum at depth with
// Σ over the leaves below node of v·G_L(t_k), given the running products
// s.prod at depth, attributing each edge below.
func (s *fastTreeSHAP) visit(node, depth int) {
	k, n := s.k, len(s.xs)
	nd := &s.nodes[node]
	base := depth * s.block * k
	prod := s.prod[base : base+n*k]
	sum := s.sum[base : base+n*k]
	if nd.left < 0 {
		v := nd.value
		sum = sum[:len(prod)]
		for i, g := range prod {
			sum[i] = v * g
		}
		return
	}
	if ci := s.cut[node]; ci >= 0 {
		s.applyCut(ci, node, prod, sum)
		return
	}
	j := int(nd.feature)
	w, bit := j>>6, uint64(1)<<uint(j&63)
	kind := s.kind[depth*s.block : depth*s.block+n]
	for r := range kind {
		switch {
		case s.dead[r*s.words+w]&bit != 0:
			kind[r] = shapDead
		case nd.goesLeft(s.xs[r][j]):
			kind[r] = shapLeft
		default:
			kind[r] = shapRight
		}
	}
	cbase := base + s.block*k
	childProd := s.prod[cbase : cbase+n*k]
	childSum := s.sum[cbase : cbase+n*k]
	for side := shapLeft; side <= shapRight; side++ {
		c := int(nd.left)
		if side == shapRight {
			c = int(nd.right)
		}
		takenF, offF := s.takenF[c*k:c*k+k], s.offF[c*k:c*k+k]
		cr := s.coverRatio[c]
		for r, kd := range kind {
			p := prod[r*k : r*k+k]
			cp := childProd[r*k : r*k+k]
			cp = cp[:len(p)]
			switch kd {
			case shapDead:
				for i, g := range p {
					cp[i] = g * cr
				}
			case side:
				f := takenF[:len(p)]
				for i, g := range p {
					cp[i] = g * f[i]
				}
			default:
				s.dead[r*s.words+w] |= bit
				f := offF[:len(p)]
				for i, g := range p {
					cp[i] = g * f[i]
				}
			}
		}
		s.visit(c, depth+1)
		takenT, offT := s.takenTerm[c*k:c*k+k], s.offTerm[c*k:c*k+k]
		for r, kd := range kind {
			cs := childSum[r*k : r*k+k]
			sm := sum[r*k : r*k+k]
			sm = sm[:len(cs)]
			if side == shapLeft {
				copy(sm, cs)
			} else {
				for i, v := range cs {
					sm[i] += v
				}
			}
			if kd == shapDead {
				continue
			}
			term := takenT
			if kd != side {
				term = offT
				s.dead[r*s.words+w] &^= bit
			}
			term = term[:len(cs)]
			var contrib float64
			for i, v := range cs {
				contrib += term[i] * v
			}
			s.addRowContribution(r, j, contrib)
		}
	}
}

// addRowContribution adds scaleBlock·contrib to row r's value of feature
// j.
func (s *fastTreeSHAP) addRowContribution(r, j int, contrib float64) {
	// The explicit conversion rounds the product before the sum (no fused
	// multiply-add), so a replayed record adds the same value.
	s.addContribution(s.phis[r], int32(j), float64(s.scaleBlock*contrib))
}

// applyCut gives every row of the block its sums below cut ci at node
// (G(t)·S(t), from the products prod) and adds the cut's contributions.
// Each feature's weight is the sum over t of G(t)·Q_j(t) in order of t;
// four features are summed side by side (independent sums, so each is
// rounded as alone).
func (s *fastTreeSHAP) applyCut(ci int32, node int, prod, sum []float64) {
	k := s.k
	c := &s.cuts[ci]
	features := s.cutFeatures[c.featureFrom:c.featureTo]
	scale := s.scaleBlock
	for r := range s.xs {
		dead := s.dead[r*s.words : (r+1)*s.words]
		vals, deadBits := s.cutValues(ci, node, s.dirs[r*s.dirWords:(r+1)*s.dirWords], dead)
		p := prod[r*k : r*k+k]
		sm := sum[r*k : r*k+k]
		sm = sm[:len(p)]
		sv := vals[:len(p)]
		for i, g := range p {
			sm[i] = g * sv[i]
		}
		// The live features, in order (a dead feature's weights are 0).
		live := ^deadBits & (1<<uint(len(features)) - 1)
		phi := s.phis[r]
		for bits.OnesCount64(live) >= 4 {
			b0 := bits.TrailingZeros64(live)
			live &= live - 1
			b1 := bits.TrailingZeros64(live)
			live &= live - 1
			b2 := bits.TrailingZeros64(live)
			live &= live - 1
			b3 := bits.TrailingZeros64(live)
			live &= live - 1
			q0 := vals[(b0+1)*k : (b0+2)*k]
			q1 := vals[(b1+1)*k : (b1+2)*k]
			q2 := vals[(b2+1)*k : (b2+2)*k]
			q3 := vals[(b3+1)*k : (b3+2)*k]
			q0, q1, q2, q3 = q0[:len(p)], q1[:len(p)], q2[:len(p)], q3[:len(p)]
			var c0, c1, c2, c3 float64
			for i, g := range p {
				c0 += g * q0[i]
				c1 += g * q1[i]
				c2 += g * q2[i]
				c3 += g * q3[i]
			}
			s.addContribution(phi, features[b0], float64(scale*c0))
			s.addContribution(phi, features[b1], float64(scale*c1))
			s.addContribution(phi, features[b2], float64(scale*c2))
			s.addContribution(phi, features[b3], float64(scale*c3))
		}
		for ; live != 0; live &= live - 1 {
			bi := bits.TrailingZeros64(live)
			q := vals[(bi+1)*k : (bi+2)*k]
			q = q[:len(p)]
			var contrib float64
			for i, g := range p {
				contrib += g * q[i]
			}
			s.addContribution(phi, features[bi], float64(scale*contrib))
		}
	}
}

// addContribution adds v to phi[j], recording it when recording.
func (s *fastTreeSHAP) addContribution(phi []float64, j int32, v float64) {
	phi[j] += v
	if s.recording {
		s.record = append(s.record, shapAdd{feature: j, value: v})
	}
}

// shapAdd is one addition visit makes to a row's contributions.
type shapAdd struct {
	feature int32
	value   float64
}

// addRecorded is add (one row), also appending to s.record every addition made to
// phi, in order: replaying them on another phi adds the same values in the
// same order.
func (s *fastTreeSHAP) addRecorded(x, phi []float64, scale float64) {
	s.recording = true
	s.add(x, phi, scale)
	s.recording = false
}

// maxKeyedInternal is the most internal nodes a tree may have for a row's
// directions (rowDirections) to fit one word: two rows with the same
// directions get the same TreeSHAP values from the tree, because the
// values depend on the row only through them (explainTrees).
const maxKeyedInternal = 64
