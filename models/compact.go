package models

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

// predictBlock is how many rows go through one tree before the next: the
// rows' features (about 35 columns) stay in the L2 cache with the tree.
const predictBlock = 128

// rawScores sets out[i] to the raw score of row lo+i of x, for rows
// [lo, hi): init + scale · Σ_t tree_t(x) with the trees added in order (the
// same rounding as adding them row by row), tree by tree over blocks of
// rows. Within a block the rows descend a tree together, one level per
// sweep, so the descents of different rows overlap in the processor
// instead of each waiting on its previous node; the step left or right is
// computed without a branch.
func (e *treeEnsemble) rawScores(x *Matrix, lo, hi int, out []float64) {
	compact := e.compactTrees()
	cols := x.Cols
	var node, active [predictBlock]int32
	for b := lo; b < hi; b += predictBlock {
		end := min(b+predictBlock, hi)
		acc := out[b-lo : end-lo]
		clear(acc)
		data := x.Data[b*cols : end*cols]
		n := len(acc)
		for _, t := range compact {
			for i := 0; i < n; i++ {
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
			for i := 0; i < n; i++ {
				acc[i] += t[node[i]].threshold
			}
		}
		for i := range acc {
			acc[i] = e.init + e.scale*acc[i]
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

// compactTrees returns the ensemble's trees in the prediction layout,
// building them on first use.
func (e *treeEnsemble) compactTrees() [][]compactNode {
	e.compactOnce.Do(func() {
		e.compact = make([][]compactNode, len(e.trees))
		for t, nodes := range e.trees {
			e.compact[t] = compactTree(nodes)
		}
	})
	return e.compact
}
