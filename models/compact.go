package models

import (
	"slices"

	"github.com/evalrun/evalrun/internal/workpool"
)

// compactNode is a tree node laid out for prediction: 16 bytes, the two
// children of an internal node adjacent (right = left+1) in breadth-first
// order, so the top levels of a tree share a few cache lines. An internal
// node has feature >= 0 (with missingRightBit set when a NaN goes right);
// a leaf has feature < 0 and its value in threshold.
type compactNode struct {
	threshold float64
	left      int32
	feature   int32
}

const missingRightBit = 1 << 30

// child returns the index of the child a row whose value of n's feature
// is v goes to: left when v <= threshold, right when greater, and for NaN
// the side training sent missing values to.
func (n *compactNode) child(v float64) int32 {
	switch {
	case v <= n.threshold:
		return n.left
	case v > n.threshold:
		return n.left + 1
	case n.feature&missingRightBit != 0: // NaN going right
		return n.left + 1
	default: // NaN going left
		return n.left
	}
}

// compactTree returns nodes in the prediction layout.
func compactTree(nodes []treeNode) []compactNode {
	out := make([]compactNode, 0, len(nodes))
	// queue holds source indexes in output order.
	queue := make([]int32, 1, len(nodes))
	for q := 0; q < len(queue); q++ {
		n := &nodes[queue[q]]
		if n.left < 0 {
			out = append(out, compactNode{threshold: n.value, left: -1, feature: -1})
			continue
		}
		f := n.feature
		if !n.missingLeft {
			f |= missingRightBit
		}
		out = append(out, compactNode{threshold: n.threshold, left: int32(len(queue)), feature: f})
		queue = append(queue, n.left, n.right)
	}
	return out
}

// compactLeafValue returns the value of the leaf row x reaches: the same
// leaf leafFor finds in the source nodes.
func compactLeafValue(t []compactNode, x []float64) float64 {
	k := int32(0)
	for {
		n := &t[k]
		if n.feature < 0 {
			return n.threshold
		}
		f := n.feature &^ missingRightBit
		v := x[f]
		k = n.child(v)
	}
}

// predictBlock is how many rows the rescoring of ColumnRescorer walks
// through one tree before the next.
const predictBlock = 128

// blockRows is how many rows Predict sends through one tree before the
// next: as many as keep the rows' features (binned, 2 bytes a value) within
// 128 KB, in the L2 cache beside the tree, so that each tree's nodes are
// fetched once per block; at least 256 and at most 4096.
func blockRows(cols int) int {
	return min(4096, max(256, (128<<10)/(2*max(cols, 1))))
}

// A node of binnedTrees is a uint64: left | column<<32 | lo<<48. An
// internal node tests column&binColumnMask and sends a row right when its
// rank r (binnedTrees.rank) lies in [lo, lo+width), width = binNaN − lo,
// plus one when binMissingRight is set: right when the value exceeds the
// node's threshold (the (lo−1)th of its column), and a missing value (rank
// binNaN) right only when training sent missing values right. A leaf has
// lo == binLeaf, column 0 and itself as left child: a row that has reached
// it stays there however many more levels it is stepped.
const (
	binNaN          = 0xFFFF // the rank of a missing value
	binLeaf         = 0xFFFF // lo of a leaf
	binMissingRight = 1 << 15
	binColumnMask   = binMissingRight - 1
	// maxBinnedThresholds bounds the distinct thresholds of a column: an
	// internal node's lo (rank + 1) stays below binLeaf, and without
	// missing values a rank stays below lo of a leaf.
	maxBinnedThresholds = binLeaf - 2
)

// binnedTrees are an ensemble's trees for prediction with every value
// replaced by its rank among its column's thresholds, so that a node is 8
// bytes and a row's features 2 bytes each: the comparison v <= t_k of a
// value with the k'th smallest distinct threshold t_k of its column is
// exactly rank(v) <= k, where rank(v) is the number of the column's
// thresholds below v. Nodes are in the breadth-first order of compactTree.
type binnedTrees struct {
	// thresholds[j] are column j's distinct thresholds, ascending.
	thresholds [][]float64
	nodes      [][]uint64
	// values[t][k] is the value of leaf k of tree t (0 at internal nodes).
	values [][]float64
	// Rows without missing values compare ranks only. Each of them goes
	// down the first sweeps[t] levels of tree t without a test of whether
	// it has reached a leaf; only the rows left at internal nodes are
	// stepped further.
	sweeps []int
}

// newBinnedTrees lays out the trees over cols columns by rank, in the
// node order of compactTree, or returns nil when there are more than
// 2^15 − 1 columns or a column has more than maxBinnedThresholds distinct
// thresholds. The trees' covers choose sweeps.
func newBinnedTrees(sources [][]treeNode, cols int) *binnedTrees {
	if cols > binColumnMask {
		return nil
	}
	thresholds := make([][]float64, cols)
	for _, t := range sources {
		for _, n := range t {
			if n.left >= 0 {
				thresholds[n.feature] = append(thresholds[n.feature], n.threshold)
			}
		}
	}
	for j, ts := range thresholds {
		slices.Sort(ts)
		// Distinct by value (−0 and +0 compare equal, as in the walk).
		ts = slices.CompactFunc(ts, func(a, b float64) bool { return a == b })
		if len(ts) > maxBinnedThresholds {
			return nil
		}
		thresholds[j] = slices.Clip(ts)
	}
	nt := len(sources)
	b := &binnedTrees{thresholds: thresholds, nodes: make([][]uint64, nt), values: make([][]float64, nt), sweeps: make([]int, nt)}
	workpool.For(nt, 0, func(t int) {
		// The compact layout gives the node order; it is not kept, so
		// an ensemble predicting by rank holds one prediction layout.
		src := compactTree(sources[t])
		nodes := make([]uint64, len(src))
		values := make([]float64, len(src))
		for k, n := range src {
			if n.feature < 0 {
				nodes[k] = uint64(uint32(k)) | binLeaf<<48
				values[k] = n.threshold
				continue
			}
			j := n.feature &^ missingRightBit
			col := uint64(j)
			if n.feature&missingRightBit != 0 {
				col |= binMissingRight
			}
			rank, _ := slices.BinarySearch(thresholds[j], n.threshold)
			nodes[k] = uint64(uint32(n.left)) | col<<32 | uint64(rank+1)<<48
		}
		b.nodes[t], b.values[t] = nodes, values
		b.sweeps[t] = medianLeafDepth(sources[t])
	})
	return b
}

// medianLeafDepth returns the depth by which leaves holding half of the
// training cover have been reached. Stepping every row down to it costs
// about as much as setting aside those at leaves and stepping the others:
// a step over all rows does half the work of one over a list of rows.
func medianLeafDepth(nodes []treeNode) int {
	var byDepth []float64
	var walk func(k int32, d int)
	walk = func(k int32, d int) {
		n := &nodes[k]
		if n.left < 0 {
			for len(byDepth) <= d {
				byDepth = append(byDepth, 0)
			}
			byDepth[d] += n.cover
			return
		}
		walk(n.left, d+1)
		walk(n.right, d+1)
	}
	walk(0, 0)
	var total, sum float64
	for _, c := range byDepth {
		total += c
	}
	for d, c := range byDepth {
		if sum += c; sum >= total/2 {
			return d
		}
	}
	return len(byDepth) - 1
}

// rank writes the ranks of the rows of data (cols values a row) to dst:
// the number of the column's thresholds below each value, binNaN for NaN.
// It reports whether there was a NaN.
func (b *binnedTrees) rank(data []float64, cols int, dst []uint16) (missing bool) {
	for i := 0; i < len(data); i += cols {
		row, out := data[i:i+cols], dst[i:i+cols]
		for j, v := range row {
			if v != v {
				out[j] = binNaN
				missing = true
				continue
			}
			out[j] = rankOf(b.thresholds[j], v)
		}
	}
	return missing
}

// rankOf returns the number of thresholds ts (sorted increasing) below v,
// which is not NaN: comparing ranks is comparing values against every
// threshold.
func rankOf(ts []float64, v float64) uint16 {
	i, _ := slices.BinarySearch(ts, v)
	return uint16(i)
}

// binnedScratch is one goroutine's buffers for binnedTrees.add.
type binnedScratch struct {
	ranks        []uint16
	node, active []int32
}

// add adds to acc[i] the leaf values row i of data (cols values a row)
// reaches, tree after tree. The rows descend a tree together, one level
// per sweep, so that the descents of different rows overlap in the
// processor instead of each waiting on its previous node; a step left or
// right is computed without a branch. A block without missing values
// compares ranks only and takes the first levels without testing for
// leaves (binnedTrees.sweeps).
func (b *binnedTrees) add(data []float64, cols int, acc []float64, s *binnedScratch) {
	n := len(acc)
	s.ranks = slices.Grow(s.ranks[:0], n*cols)[:n*cols]
	s.node = slices.Grow(s.node[:0], n)[:n]
	s.active = slices.Grow(s.active[:0], n)[:n]
	ranks, node, active := s.ranks, s.node, s.active
	missing := b.rank(data, cols, ranks)
	for t, tree := range b.nodes {
		clear(node)
		m := 0
		if !missing {
			for range b.sweeps[t] {
				sweepAll(tree, ranks, cols, node)
			}
			for i, k := range node {
				active[m] = int32(i)
				m += int(b2i(tree[k]>>48 != binLeaf))
			}
			for m > 0 {
				m = sweepActive(tree, ranks, cols, node, active[:m])
			}
		} else {
			for i := range active {
				active[i] = int32(i)
			}
			for m = n; m > 0; {
				m = sweepActiveMissing(tree, ranks, cols, node, active[:m])
			}
		}
		values := b.values[t]
		for i, k := range node {
			acc[i] += values[k]
		}
	}
}

// sweepAll moves every row one level down tree (a row at a leaf stays):
// rows without missing values. It and the sweeps below are functions of
// their own, never inlined, so that the compiler keeps their few variables
// in registers (inlined into add, sweepAll took a quarter longer).
//
//go:noinline
func sweepAll(tree []uint64, ranks []uint16, cols int, node []int32) {
	for i, k := range node {
		v := tree[k]
		r := uint32(ranks[i*cols+int(v>>32&binColumnMask)])
		node[i] = int32(v) + b2i(r >= uint32(v>>48))
	}
}

// sweepActive moves the rows of active one level down tree, or, for a row
// at a leaf, out of active (to its end), and returns how many rows are left
// in active (at its start): rows without missing values.
func sweepActive(tree []uint64, ranks []uint16, cols int, node, active []int32) int {
	m := len(active)
	for a := 0; a < m; {
		i := active[a]
		v := tree[node[i]]
		if v>>48 == binLeaf {
			m--
			active[a] = active[m]
			continue
		}
		r := uint32(ranks[int(i)*cols+int(v>>32&binColumnMask)])
		node[i] = int32(v) + b2i(r >= uint32(v>>48))
		a++
	}
	return m
}

// sweepActiveMissing is sweepActive for rows that may have missing values.
func sweepActiveMissing(tree []uint64, ranks []uint16, cols int, node, active []int32) int {
	m := len(active)
	for a := 0; a < m; {
		i := active[a]
		v := tree[node[i]]
		lo := uint32(v >> 48)
		if lo == binLeaf {
			m--
			active[a] = active[m]
			continue
		}
		col := uint32(v >> 32 & 0xFFFF)
		r := uint32(ranks[int(i)*cols+int(col&binColumnMask)])
		node[i] = int32(v) + binnedStep(r, lo, col)
		a++
	}
	return m
}

// rawScores sets out[i] to the raw score of row lo+i of x, for rows
// [lo, hi): init + scale · Σ_t tree_t(x) with the trees added in order (the
// same rounding as adding them row by row), tree by tree over blocks of
// blockRows rows, by rank (binnedTrees) or, when the ensemble has too many
// thresholds for ranks, by value.
func (e *treeEnsemble) rawScores(x *Matrix, lo, hi int, out []float64) {
	binned := e.binnedTrees(x.Cols)
	var compact [][]compactNode
	if binned == nil {
		compact = e.compactTrees()
	}
	cols := x.Cols
	size := blockRows(cols)
	var s binnedScratch
	for b := lo; b < hi; b += size {
		end := min(b+size, hi)
		acc := out[b-lo : end-lo]
		clear(acc)
		data := x.Data[b*cols : end*cols]
		if binned != nil {
			binned.add(data, cols, acc, &s)
		} else {
			addByValue(compact, data, cols, acc, &s)
		}
		for i := range acc {
			acc[i] = e.init + e.scale*acc[i]
		}
	}
}

// addByValue is binnedTrees.add on the compact trees, comparing values
// with thresholds.
func addByValue(compact [][]compactNode, data []float64, cols int, acc []float64, s *binnedScratch) {
	n := len(acc)
	s.node = slices.Grow(s.node[:0], n)[:n]
	s.active = slices.Grow(s.active[:0], n)[:n]
	node, active := s.node, s.active
	for _, t := range compact {
		for i := range node {
			node[i], active[i] = 0, int32(i)
		}
		for m := n; m > 0; {
			for a := 0; a < m; {
				i := active[a]
				nd := &t[node[i]]
				if nd.feature < 0 {
					m--
					active[a] = active[m]
					continue
				}
				v := data[int(i)*cols+int(nd.feature&^missingRightBit)]
				// Right when v > threshold, or when v is NaN and the
				// node sends missing values right.
				step := b2i(v > nd.threshold) | (b2i(v != v) & int32(uint32(nd.feature)>>30))
				node[i] = nd.left + step
				a++
			}
		}
		for i, k := range node {
			acc[i] += t[k].threshold
		}
	}
}

// b2i is 1 for true, 0 for false (compiled without a branch).
func b2i(b bool) int32 {
	var i int32
	if b {
		i = 1
	}
	return i
}

// parallelBlocks runs fn on the row ranges [lo, hi) of the blocks of size
// rows covering n rows, handed out one at a time to as many goroutines as
// there are processors: a goroutine slowed by other work on the machine
// leaves the remaining blocks to the others. Each row's result must depend
// only on the row.
func parallelBlocks(n, size int, fn func(lo, hi int)) {
	workpool.ForChunks(n, size, 0, func(_, lo, hi int) { fn(lo, hi) })
}

// compactTrees returns the ensemble's trees in the prediction layout,
// building them on first use (the trees shared out over the processors).
func (e *treeEnsemble) compactTrees() [][]compactNode {
	e.compactOnce.Do(func() {
		e.compact = make([][]compactNode, len(e.trees))
		workpool.For(len(e.trees), 0, func(t int) { e.compact[t] = compactTree(e.trees[t]) })
	})
	return e.compact
}

// binnedTrees returns the trees laid out by rank for rows of cols columns
// (nil when they cannot be), building them on first use.
func (e *treeEnsemble) binnedTrees(cols int) *binnedTrees {
	e.binnedOnce.Do(func() { e.binned = newBinnedTrees(e.trees, cols) })
	if e.binned != nil && len(e.binned.thresholds) != cols {
		return nil
	}
	return e.binned
}
