package models

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
)

// splitCriterion is the impurity a CART split minimizes.
type splitCriterion int

const (
	criterionGini splitCriterion = iota
	criterionEntropy
)

// cartParams are the growth limits of one CART tree.
type cartParams struct {
	criterion       splitCriterion
	maxDepth        int // 0: unlimited
	minSamplesLeaf  int // >= 1
	minSamplesSplit int // >= 2
	maxFeatures     int // features drawn per node (constant ones included), 1..d
}

// cartGrower grows CART classification trees on coded columns, as
// scikit-learn's DecisionTreeClassifier with the best splitter: at each
// node, maxFeatures features are drawn without replacement (constant ones
// counted, more drawn only while all drawn so far are constant: see
// bestSplit); the split maximizing the weighted impurity
// decrease wins (first found on ties), between consecutive codes present in
// the node (the midpoint between distinct values for exact codes). A node is
// split whenever it is impure and a split respecting minSamplesLeaf exists,
// even with zero impurity decrease (as scikit-learn with
// min_impurity_decrease 0): this lets trees find pure interactions such as
// XOR. One grower is used by one goroutine.
type cartGrower struct {
	cols *rankedColumns
	y    []uint8
	p    cartParams

	stat    []rowStat // per training row: weight and weight·y of the current tree
	ordered []rowStat // stat of the current node's rows, in node order
	hist    []codeStat
	// With whole-number weights (bootstrap counts, no class weights) the
	// sums a split compares are exact in any order: a row's count, weight
	// and weight·y are then packed in one word (packRows) and added as
	// integers, which gives the float sums to the bit.
	packed    bool
	stat64    []uint64 // per training row, when packed
	ordered64 []uint64 // stat64 of the current node's rows, in node order
	hist64    []uint64
	scratch   []int32 // of partitionBranchless
	node64    uint64  // sum of the current node's ordered64
	// floatSums turns packing off (tests compare the two).
	floatSums bool
	keys      []uint64
	feats     []int
	nodes     []treeNode // scratch of grow
	stack     []cartTask // scratch of grow
}

type rowStat struct{ w, wy float64 }

type codeStat struct {
	w, wy float64
	n     int32
}

func newCARTGrower(cols *rankedColumns, y []uint8, p cartParams) *cartGrower {
	maxU := 0
	d := cols.nFeatures()
	for j := 0; j < d; j++ {
		maxU = max(maxU, cols.nCodes(j))
	}
	feats := make([]int, d)
	for j := range feats {
		feats[j] = j
	}
	return &cartGrower{cols: cols, y: y, p: p, stat: make([]rowStat, len(y)), ordered: make([]rowStat, len(y)),
		hist: make([]codeStat, maxU), feats: feats}
}

// Packed row statistics: the row count in bits 42-62, the weight in bits
// 21-41 and weight·y in bits 0-20. Sums of packed words stay exact while
// each field's total is below 2^21, which packRows checks for the whole
// tree (a node's sums are at most the root's).
const (
	packBits = 21
	packMask = 1<<packBits - 1
)

// packRows fills stat64 for the rows of a tree when every weight is a whole
// number and the root's row count and weight fit a packed field, and
// reports whether it did.
func (g *cartGrower) packRows(idx []int32, w []float64) bool {
	if g.floatSums || g.cols.codes8 == nil || len(idx) > packMask {
		return false
	}
	var total float64
	for _, r := range idx {
		wr := w[r]
		if !(wr >= 0 && wr <= packMask && wr == math.Trunc(wr)) {
			return false
		}
		total += wr
	}
	if total > packMask {
		return false
	}
	if g.stat64 == nil {
		g.stat64 = make([]uint64, len(g.y))
		g.ordered64 = make([]uint64, len(g.y))
		g.scratch = make([]int32, len(g.y))
		g.hist64 = make([]uint64, len(g.hist))
	}
	for _, r := range idx {
		wr := uint64(w[r])
		g.stat64[r] = 1<<(2*packBits) | wr<<packBits | wr*uint64(g.y[r])
	}
	return true
}

// cartSplit is the best split found at a node.
type cartSplit struct {
	found     bool
	feature   int
	leftCode  uint32 // rows with code <= leftCode go left
	threshold float64
	proxy     float64
	nLeft     int
	wLeft     float64
	wyLeft    float64
}

type cartTask struct {
	node       int32
	start, end int
	depth      int
	w, wy      float64
	constant   featureSet // features known to be constant in the node
}

// featureSet is a set of feature indices below 256; larger indices are
// never members (their constancy is simply not remembered).
type featureSet [4]uint64

func (s *featureSet) has(f int) bool { return f < 256 && s[f>>6]&(1<<(f&63)) != 0 }
func (s *featureSet) add(f int) {
	if f < 256 {
		s[f>>6] |= 1 << (f & 63)
	}
}

// grow builds a tree on rows idx (each row at most once, weight w[row] > 0;
// idx is reordered). rng draws the feature order at each node.
func (g *cartGrower) grow(idx []int32, w []float64, rng *rand.Rand) []treeNode {
	// The feature order is reshuffled at every node; start each tree from
	// the same order so that a tree depends only on its rng.
	for j := range g.feats {
		g.feats[j] = j
	}
	g.packed = g.packRows(idx, w)
	var w0, wy0 float64
	for _, r := range idx {
		st := rowStat{w: w[r], wy: w[r] * float64(g.y[r])}
		g.stat[r] = st
		w0 += st.w
		wy0 += st.wy
	}
	// The tree grows in the grower's scratch space and is copied out at
	// its final size: a forest keeps hundreds of trees, and growing each
	// by doubling would leave (and discard) up to twice the nodes.
	nodes := append(g.nodes[:0], treeNode{left: -1, right: -1, feature: -1, value: wy0 / w0, cover: w0})
	stack := append(g.stack[:0], cartTask{node: 0, start: 0, end: len(idx), depth: 0, w: w0, wy: wy0})
	for len(stack) > 0 {
		t := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := t.end - t.start
		const eps = 2.220446049250313e-16
		if (g.p.maxDepth > 0 && t.depth >= g.p.maxDepth) || n < g.p.minSamplesSplit || n < 2*g.p.minSamplesLeaf ||
			t.wy <= eps*t.w || t.w-t.wy <= eps*t.w {
			continue
		}
		seg := idx[t.start:t.end]
		constant := t.constant
		s := g.bestSplit(seg, t.w, t.wy, &constant, rng)
		if !s.found {
			continue
		}
		var nLeft int
		if g.packed {
			// Sums of packed rows do not depend on their order: a
			// partition without branches will do.
			nLeft = partitionBranchless(seg, g.cols.codes8[s.feature], uint8(s.leftCode), g.scratch)
		} else if g.cols.codes8 != nil {
			nLeft = partitionByCode(seg, g.cols.codes8[s.feature], uint8(s.leftCode))
		} else {
			nLeft = partitionByCode(seg, g.cols.codes[s.feature], s.leftCode)
		}
		mid := t.start + nLeft
		wR, wyR := t.w-s.wLeft, t.wy-s.wyLeft
		l := int32(len(nodes))
		nodes = append(nodes,
			treeNode{left: -1, right: -1, feature: -1, value: s.wyLeft / s.wLeft, cover: s.wLeft},
			treeNode{left: -1, right: -1, feature: -1, value: wyR / wR, cover: wR})
		nd := &nodes[t.node]
		nd.left, nd.right, nd.feature, nd.threshold = l, l+1, int32(s.feature), s.threshold
		// Missing values cannot reach a CART tree (Fit and Predict reject
		// NaN); route them to the heavier child for safety.
		nd.missingLeft = s.wLeft >= wR
		// Right pushed first so that the left subtree is grown first.
		stack = append(stack,
			cartTask{node: l + 1, start: mid, end: t.end, depth: t.depth + 1, w: wR, wy: wyR, constant: constant},
			cartTask{node: l, start: t.start, end: mid, depth: t.depth + 1, w: s.wLeft, wy: s.wyLeft, constant: constant})
	}
	g.nodes, g.stack = nodes, stack
	return slices.Clone(nodes)
}

// partitionBranchless reorders seg so that rows with code <= left come
// first, in their order (then the others in theirs), and returns their
// number; scratch holds at least len(seg) rows.
func partitionBranchless(seg []int32, codes []uint8, left uint8, scratch []int32) int {
	nl, nr := 0, 0
	scratch = scratch[:len(seg)]
	for _, r := range seg {
		goLeft := 0
		if codes[r] <= left {
			goLeft = 1
		}
		seg[nl] = r // nl <= the index read, so no unread row is overwritten
		scratch[nr] = r
		nl += goLeft
		nr += 1 - goLeft
	}
	copy(seg[nl:], scratch[:nr])
	return nl
}

// partitionByCode reorders seg so that rows with code <= left come first and
// returns their number.
func partitionByCode[T uint8 | uint32](seg []int32, codes []T, left T) int {
	i, j := 0, len(seg)-1
	for i <= j {
		if codes[seg[i]] <= left {
			i++
		} else {
			seg[i], seg[j] = seg[j], seg[i]
			j--
		}
	}
	return i
}

func xlogx(v float64) float64 {
	if v <= 0 {
		return 0
	}
	return v * math.Log(v)
}

// splitThreshold returns the midpoint of a < b, or a if rounding puts the
// midpoint at b (or overflows), so that a goes left and b right.
func splitThreshold(a, b float64) float64 {
	t := a/2 + b/2
	if !(t < b) || math.IsInf(t, 0) {
		return a
	}
	return t
}

// splitScan accumulates the left side of candidate splits in code order and
// keeps the best; one scan per feature.
type splitScan struct {
	gini        bool
	minLeaf     int
	nNode       int
	wTot, wyTot float64
	best        *cartSplit
	feature     int
	nL          int
	wL, wyL     float64
}

// boundary considers the split after the codes accumulated so far (the last
// being prev) and before code next.
func (s *splitScan) boundary(g *cartGrower, prev, next uint32) {
	if s.nL < s.minLeaf || s.nNode-s.nL < s.minLeaf {
		return
	}
	wL, wyL := s.wL, s.wyL
	wR, wyR := s.wTot-wL, s.wyTot-wyL
	var p float64
	if s.gini {
		// Σ w·gini = Σ 2(wy − wy²/w): maximize Σ wy²/w.
		p = wyL*wyL/wL + wyR*wyR/wR
	} else {
		p = -(xlogx(wL) - xlogx(wyL) - xlogx(wL-wyL) + xlogx(wR) - xlogx(wyR) - xlogx(wR-wyR))
	}
	if p > s.best.proxy {
		*s.best = cartSplit{found: true, feature: s.feature, leftCode: prev, threshold: g.cols.threshold(s.feature, prev, next),
			proxy: p, nLeft: s.nL, wLeft: wL, wyLeft: wyL}
	}
}

// bestSplit finds the best split of a node. Features are drawn without
// replacement, uniformly among those not drawn yet, as scikit-learn's
// BestSplitter: every draw counts towards maxFeatures, including a feature
// that is constant in the node (known from an ancestor, in constant, and
// skipped without a scan; or found constant by the scan and added to
// constant), and drawing goes on past maxFeatures only while every feature
// drawn so far was constant. So a node where most features are constant
// examines fewer than maxFeatures features and may become a leaf.
func (g *cartGrower) bestSplit(rows []int32, wTot, wyTot float64, constant *featureSet, rng *rand.Rand) cartSplit {
	best := cartSplit{proxy: math.Inf(-1)}
	d := len(g.feats)
	visited, nonConstant := 0, 0
	// Every feature examined reads the rows' weights: gather them once.
	if g.packed {
		var node uint64
		for k, r := range rows {
			st := g.stat64[r]
			g.ordered64[k] = st
			node += st
		}
		g.node64 = node
	} else {
		for k, r := range rows {
			g.ordered[k] = g.stat[r]
		}
	}
	for i := 0; i < d && (visited < g.p.maxFeatures || nonConstant == 0); i++ {
		k := i + rng.IntN(d-i)
		g.feats[i], g.feats[k] = g.feats[k], g.feats[i]
		f := g.feats[i]
		visited++
		if constant.has(f) {
			continue
		}
		sc := splitScan{gini: g.p.criterion == criterionGini, minLeaf: g.p.minSamplesLeaf, nNode: len(rows),
			wTot: wTot, wyTot: wyTot, best: &best, feature: f}
		var isConstant bool
		if g.packed {
			isConstant = scanPacked(g, &sc, g.cols.codes8[f], rows)
		} else if g.cols.codes8 != nil {
			isConstant = scanFeature(g, &sc, g.cols.codes8[f], rows)
		} else {
			isConstant = scanFeature(g, &sc, g.cols.codes[f], rows)
		}
		if isConstant {
			constant.add(f)
		} else {
			nonConstant++
		}
	}
	return best
}

// scanPacked is scanFeature on bin codes with packed row statistics
// (g.packed): the same boundaries in the same order, with the same sums.
func scanPacked(g *cartGrower, sc *splitScan, codes []uint8, rows []int32) bool {
	ordered := g.ordered64[:len(rows)]
	var nL, wL, wyL uint64
	add := func(h uint64) {
		nL += h >> (2 * packBits)
		wL += h >> packBits & packMask
		wyL += h & packMask
		sc.nL, sc.wL, sc.wyL = int(nL), float64(wL), float64(wyL)
	}
	nCodes := g.cols.nCodes(sc.feature)
	if nCodes == 2 {
		// Codes 0 and 1: sum the rows of code 1 in a register, code 0 is
		// the rest of the node.
		var one uint64
		for k, r := range rows {
			one += ordered[k] & -uint64(codes[r]&1)
		}
		zero := g.node64 - one
		if zero == 0 || one == 0 {
			return true
		}
		add(zero)
		sc.boundary(g, 0, 1)
		return false
	}
	hist := g.hist64[:nCodes]
	if nCodes <= len(rows) {
		// Few codes for the rows: visit every code.
		for k, r := range rows {
			hist[codes[r]] += ordered[k]
		}
		distinct := 0
		var prev uint32
		for c, h := range hist {
			if h == 0 {
				continue
			}
			if distinct > 0 {
				sc.boundary(g, prev, uint32(c))
			}
			distinct++
			add(h)
			hist[c] = 0
			prev = uint32(c)
		}
		return distinct == 1
	}
	// Histogram over at most 256 codes, visiting only the codes present
	// in the node (a 256-bit set) in increasing order.
	var present [4]uint64
	for k, r := range rows {
		c := uint32(codes[r])
		hist[c] += ordered[k]
		present[c>>6&3] |= 1 << (c & 63)
	}
	distinct := 0
	var prev uint32
	for word, bitsLeft := range present {
		for bitsLeft != 0 {
			c := uint32(word<<6 + bits.TrailingZeros64(bitsLeft))
			bitsLeft &= bitsLeft - 1
			if distinct > 0 {
				sc.boundary(g, prev, c)
			}
			distinct++
			add(hist[c])
			hist[c] = 0
			prev = c
		}
	}
	return distinct == 1
}

// scanFeature evaluates every split of one feature at a node and reports
// whether the feature is constant there.
func scanFeature[T uint8 | uint32](g *cartGrower, sc *splitScan, codes []T, rows []int32) bool {
	nCodes := g.cols.nCodes(sc.feature)
	if nCodes <= 256 {
		// Histogram over at most 256 codes, visiting only the codes
		// present in the node (a 256-bit set) in increasing order.
		hist := g.hist[:nCodes]
		var present [4]uint64
		ordered := g.ordered[:len(rows)]
		for k, r := range rows {
			c := uint32(codes[r]) & 255
			st := ordered[k]
			h := &hist[c]
			h.w += st.w
			h.wy += st.wy
			h.n++
			present[c>>6] |= 1 << (c & 63)
		}
		distinct := 0
		var prev uint32
		for word, bitsLeft := range present {
			for bitsLeft != 0 {
				c := uint32(word<<6 + bits.TrailingZeros64(bitsLeft))
				bitsLeft &= bitsLeft - 1
				h := hist[c]
				if distinct > 0 {
					sc.boundary(g, prev, c)
				}
				distinct++
				sc.nL += int(h.n)
				sc.wL += h.w
				sc.wyL += h.wy
				hist[c] = codeStat{}
				prev = c
			}
		}
		return distinct == 1
	}
	if nCodes <= 4*len(rows)+64 {
		// Histogram over the codes.
		hist := g.hist[:nCodes]
		var lo, hi T
		lo = ^lo
		ordered := g.ordered[:len(rows)]
		for k, r := range rows {
			c := codes[r]
			st := ordered[k]
			h := &hist[c]
			h.w += st.w
			h.wy += st.wy
			h.n++
			lo, hi = min(lo, c), max(hi, c)
		}
		if lo == hi {
			hist[lo] = codeStat{}
			return true
		}
		prev := lo
		for c := lo; ; c++ {
			h := hist[c]
			if h.n != 0 {
				if c != lo {
					sc.boundary(g, uint32(prev), uint32(c))
				}
				sc.nL += int(h.n)
				sc.wL += h.w
				sc.wyL += h.wy
				hist[c] = codeStat{}
				prev = c
			}
			if c == hi {
				break
			}
		}
		return false
	}
	// Few rows, many distinct values: sort the node's codes.
	g.keys = g.keys[:0]
	for k, r := range rows {
		g.keys = append(g.keys, uint64(codes[r])<<32|uint64(k))
	}
	slices.Sort(g.keys)
	if g.keys[0]>>32 == g.keys[len(g.keys)-1]>>32 {
		return true
	}
	for k := 0; k < len(g.keys); {
		c := uint32(g.keys[k] >> 32)
		if k > 0 {
			sc.boundary(g, uint32(g.keys[k-1]>>32), c)
		}
		for ; k < len(g.keys) && uint32(g.keys[k]>>32) == c; k++ {
			st := g.ordered[uint32(g.keys[k])]
			sc.nL++
			sc.wL += st.w
			sc.wyL += st.wy
		}
	}
	return false
}
