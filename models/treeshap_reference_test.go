package models

// This file implements exact path-dependent TreeSHAP as published (Lundberg,
// Erion and Lee, "Consistent individualized feature attribution for tree
// ensembles", 2018, Algorithm 2), following the reference implementation in
// the shap package: Shapley values of the conditional expectation
// E[f(x) | x_S] where a feature outside S at a split sends the row down both
// branches in proportion to the training cover. It is O(leaves · depth²) per
// row and tree; the models use the linear-time fastTreeSHAP, which the tests
// check against this implementation and against brute force.

// shapPathElement is one feature on the current root-to-leaf path.
type shapPathElement struct {
	feature      int
	zeroFraction float64 // share of cover flowing this way when the feature is unknown
	oneFraction  float64 // 1 if the row's value flows this way, else 0
	pweight      float64 // permutation weight
}

// treeSHAP holds scratch space to explain rows with trees of depth up to
// maxDepth.
type treeSHAP struct {
	path []shapPathElement
}

func newTreeSHAP(maxDepth int) *treeSHAP {
	d := maxDepth + 2
	return &treeSHAP{path: make([]shapPathElement, d*(d+1)/2+d)}
}

// add adds to phi (one entry per feature) the SHAP values of row x for the
// tree, scaled by scale. The values sum to scale·(f(x) − expectedValue).
func (s *treeSHAP) add(nodes []treeNode, x []float64, phi []float64, scale float64) {
	s.recurse(nodes, x, phi, scale, 0, s.path, 0, 1, 1, -1)
}

func (s *treeSHAP) recurse(nodes []treeNode, x, phi []float64, scale float64, node int,
	parentPath []shapPathElement, depth int, parentZero, parentOne float64, parentFeature int) {
	// Each level gets its own copy of the path, placed after the parent's.
	path := parentPath[depth:]
	copy(path, parentPath[:depth])
	extendPath(path, depth, parentZero, parentOne, parentFeature)
	n := &nodes[node]
	if n.left < 0 {
		for i := 1; i <= depth; i++ {
			w := unwoundPathSum(path, depth, i)
			el := path[i]
			phi[el.feature] += scale * w * (el.oneFraction - el.zeroFraction) * n.value
		}
		return
	}
	hot, cold := int(n.right), int(n.left)
	if n.goesLeft(x[n.feature]) {
		hot, cold = cold, hot
	}
	hotZero := nodes[hot].cover / n.cover
	coldZero := nodes[cold].cover / n.cover
	incomingZero, incomingOne := 1.0, 1.0
	feature := int(n.feature)
	// A feature already on the path is undone, so that each feature appears
	// once; its fractions carry over.
	k := 0
	for ; k <= depth; k++ {
		if path[k].feature == feature {
			break
		}
	}
	if k != depth+1 {
		incomingZero = path[k].zeroFraction
		incomingOne = path[k].oneFraction
		unwindPath(path, depth, k)
		depth--
	}
	s.recurse(nodes, x, phi, scale, hot, path, depth+1, hotZero*incomingZero, incomingOne, feature)
	s.recurse(nodes, x, phi, scale, cold, path, depth+1, coldZero*incomingZero, 0, feature)
}

func extendPath(path []shapPathElement, depth int, zero, one float64, feature int) {
	path[depth] = shapPathElement{feature: feature, zeroFraction: zero, oneFraction: one}
	if depth == 0 {
		path[depth].pweight = 1
	}
	for i := depth - 1; i >= 0; i-- {
		path[i+1].pweight += one * path[i].pweight * float64(i+1) / float64(depth+1)
		path[i].pweight = zero * path[i].pweight * float64(depth-i) / float64(depth+1)
	}
}

func unwindPath(path []shapPathElement, depth, k int) {
	one := path[k].oneFraction
	zero := path[k].zeroFraction
	next := path[depth].pweight
	for i := depth - 1; i >= 0; i-- {
		if one != 0 {
			tmp := path[i].pweight
			path[i].pweight = next * float64(depth+1) / (float64(i+1) * one)
			next = tmp - path[i].pweight*zero*float64(depth-i)/float64(depth+1)
		} else {
			path[i].pweight = path[i].pweight * float64(depth+1) / (zero * float64(depth-i))
		}
	}
	for i := k; i < depth; i++ {
		path[i].feature = path[i+1].feature
		path[i].zeroFraction = path[i+1].zeroFraction
		path[i].oneFraction = path[i+1].oneFraction
	}
}

func unwoundPathSum(path []shapPathElement, depth, k int) float64 {
	one := path[k].oneFraction
	zero := path[k].zeroFraction
	next := path[depth].pweight
	var total float64
	for i := depth - 1; i >= 0; i-- {
		switch {
		case one != 0:
			tmp := next * float64(depth+1) / (float64(i+1) * one)
			total += tmp
			next = path[i].pweight - tmp*zero*float64(depth-i)/float64(depth+1)
		case zero != 0:
			total += path[i].pweight / zero / (float64(depth-i) / float64(depth+1))
		}
	}
	return total
}
