package models

import "math"

// treeNode is one node of a binary decision tree stored as a slice with the
// root at index 0. An internal node sends a row left when its feature value
// is <= threshold, right when greater, and a missing value (NaN) left when
// missingLeft. A leaf has left == -1.
type treeNode struct {
	left, right int32
	feature     int32
	missingLeft bool
	threshold   float64
	// value is the node's output: the weighted share of positives (CART)
	// or the leaf's additive log-odds term (boosting); for internal nodes it
	// is informative only.
	value float64
	// cover is the training weight that reached the node; TreeSHAP uses it
	// as the probability of each branch.
	cover float64
}

func (n *treeNode) isLeaf() bool { return n.left < 0 }

// goesLeft reports where a value is routed at internal node n.
func (n *treeNode) goesLeft(v float64) bool {
	if math.IsNaN(v) {
		return n.missingLeft
	}
	return v <= n.threshold
}

// leafFor returns the index of the leaf row x reaches.
func leafFor(nodes []treeNode, x []float64) int {
	k := 0
	for {
		n := &nodes[k]
		if n.left < 0 {
			return k
		}
		if n.goesLeft(x[n.feature]) {
			k = int(n.left)
		} else {
			k = int(n.right)
		}
	}
}

// treeDepth returns the number of edges on the longest root-to-leaf path.
func treeDepth(nodes []treeNode) int {
	var walk func(k, d int) int
	walk = func(k, d int) int {
		n := &nodes[k]
		if n.left < 0 {
			return d
		}
		return max(walk(int(n.left), d+1), walk(int(n.right), d+1))
	}
	return walk(0, 0)
}

// countLeaves returns the number of leaves.
func countLeaves(nodes []treeNode) int {
	var c int
	for i := range nodes {
		if nodes[i].left < 0 {
			c++
		}
	}
	return c
}

// expectedValue returns the cover-weighted mean of the leaf values: the
// expectation of the tree's output over the training distribution, which is
// TreeSHAP's base value.
func expectedValue(nodes []treeNode) float64 {
	var s float64
	for i := range nodes {
		if nodes[i].left < 0 {
			s += nodes[i].cover * nodes[i].value
		}
	}
	return s / nodes[0].cover
}
