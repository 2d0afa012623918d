package models

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sync"
)

// TreeEncoding names the layout of TreeColumns.
const TreeEncoding = "columns/varint+float64-dictionary/deflate/base64"

// TreeColumns holds every node of an ensemble's trees, the trees one after
// the other and each tree's nodes in their stored order (root first), as
// seven columns. Each column is a byte string compressed with DEFLATE (RFC
// 1951) and written in standard base64 (RFC 4648):
//
//	left_offset   signed varint per node: left child index − node index, 0 for a leaf
//	right_offset  signed varint per node: right child index − left child index, 0 for a leaf
//	feature       signed varint per node: the column tested (−1 for a leaf)
//	missing_left  one byte per node: 1 when a missing value (NaN) goes left
//	threshold     float64 dictionary column: a value <= threshold goes left
//	value         float64 dictionary column: each leaf's output, leaves only (an
//	              internal node's value is informative, used by no prediction or
//	              explanation, and reads back as 0)
//	cover         float64 dictionary column: the training weight that reached the node
//
// Signed varints are Go's encoding/binary zig-zag varints (as protocol
// buffers' sint64). A float64 dictionary column is an unsigned varint d,
// then the d distinct values as float64 little-endian in order of first
// use, then per node the unsigned varint index of its value: tree
// ensembles repeat few distinct thresholds (bin edges), leaf shares and
// covers, so the column compresses to about a byte per node.
// NodesPerTree gives the number of nodes of each tree.
// Floats are stored bit for bit, so a decoded ensemble predicts exactly
// what the encoded one did.
type TreeColumns struct {
	Encoding     string `json:"encoding"`
	NodesPerTree []int  `json:"nodes_per_tree"`
	LeftOffset   string `json:"left_offset"`
	RightOffset  string `json:"right_offset"`
	Feature      string `json:"feature"`
	MissingLeft  string `json:"missing_left"`
	Threshold    string `json:"threshold"`
	Value        string `json:"value"`
	Cover        string `json:"cover"`
}

func encodeTrees(trees [][]treeNode) (TreeColumns, error) {
	var total int
	tc := TreeColumns{Encoding: TreeEncoding, NodesPerTree: make([]int, len(trees))}
	for t, nodes := range trees {
		tc.NodesPerTree[t] = len(nodes)
		total += len(nodes)
	}
	left := make([]byte, 0, total*2)
	right := make([]byte, 0, total)
	feat := make([]byte, 0, total)
	miss := make([]byte, 0, total)
	thr := newDictColumn(total)
	val := newDictColumn(total)
	cov := newDictColumn(total)
	for _, nodes := range trees {
		for k := range nodes {
			n := &nodes[k]
			var lo, ro int64
			if n.left >= 0 {
				lo = int64(n.left) - int64(k)
				ro = int64(n.right) - int64(n.left)
				if lo == 0 || ro == 0 {
					return TreeColumns{}, fmt.Errorf("node %d: child indexes %d and %d cannot be stored as offsets", k, n.left, n.right)
				}
			} else if n.right >= 0 {
				return TreeColumns{}, fmt.Errorf("node %d: a leaf with a right child", k)
			}
			left = binary.AppendVarint(left, lo)
			right = binary.AppendVarint(right, ro)
			feat = binary.AppendVarint(feat, int64(n.feature))
			var m byte
			if n.missingLeft {
				m = 1
			}
			miss = append(miss, m)
			thr.add(n.threshold)
			if n.left < 0 {
				val.add(n.value)
			}
			cov.add(n.cover)
		}
	}
	for _, c := range []struct {
		dst *string
		raw []byte
	}{{&tc.LeftOffset, left}, {&tc.RightOffset, right}, {&tc.Feature, feat}, {&tc.MissingLeft, miss},
		{&tc.Threshold, thr.bytes()}, {&tc.Value, val.bytes()}, {&tc.Cover, cov.bytes()}} {
		s, err := deflateBase64(c.raw)
		if err != nil {
			return TreeColumns{}, err
		}
		*c.dst = s
	}
	return tc, nil
}

func deflateBase64(raw []byte) (string, error) {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		return "", err
	}
	if _, err := w.Write(raw); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

func inflateBase64(name, s string, sizeHint int) ([]byte, error) {
	comp, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("trees.%s: %w", name, err)
	}
	r := flate.NewReader(bytes.NewReader(comp))
	defer r.Close()
	out := bytes.NewBuffer(make([]byte, 0, sizeHint))
	if _, err := io.Copy(out, r); err != nil {
		return nil, fmt.Errorf("trees.%s: inflating: %w", name, err)
	}
	return out.Bytes(), nil
}

// decodeTrees reads TreeColumns back, checking that every child index lies
// inside its tree after its parent, every internal node tests one of the
// nCols columns and each column holds one entry per node.
func decodeTrees(tc TreeColumns, nCols int) ([][]treeNode, error) {
	if tc.Encoding != TreeEncoding {
		return nil, fmt.Errorf("trees.encoding %q: want %q", tc.Encoding, TreeEncoding)
	}
	var total int
	for t, n := range tc.NodesPerTree {
		if n < 1 {
			return nil, fmt.Errorf("trees.nodes_per_tree[%d] is %d, want >= 1", t, n)
		}
		total += n
	}
	specs := []struct {
		name string
		s    string
		size int
	}{{"left_offset", tc.LeftOffset, total * 2}, {"right_offset", tc.RightOffset, total}, {"feature", tc.Feature, total},
		{"missing_left", tc.MissingLeft, total}, {"threshold", tc.Threshold, total * 2}, {"value", tc.Value, total}, {"cover", tc.Cover, total * 2}}
	raw := make([][]byte, len(specs))
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	for k, c := range specs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			raw[k], errs[k] = inflateBase64(c.name, c.s, c.size)
		}()
	}
	wg.Wait()
	cols := map[string][]byte{}
	for k, c := range specs {
		if errs[k] != nil {
			return nil, errs[k]
		}
		cols[c.name] = raw[k]
	}
	floats := map[string][]float64{}
	for _, name := range []string{"threshold", "value", "cover"} {
		n := total
		if name == "value" {
			n = -1 // one per leaf, counted below
		}
		v, err := decodeDictColumn(cols[name], n)
		if err != nil {
			return nil, fmt.Errorf("trees.%s: %w", name, err)
		}
		floats[name] = v
	}
	if len(cols["missing_left"]) != total {
		return nil, fmt.Errorf("trees.missing_left holds %d bytes, want one per node (%d nodes)", len(cols["missing_left"]), total)
	}
	left, right, feat := cols["left_offset"], cols["right_offset"], cols["feature"]
	thr, val, cov, miss := floats["threshold"], floats["value"], floats["cover"], cols["missing_left"]
	// Read positions in the varint columns (plain ints: no slice header
	// stored per node).
	var pl, pr, pf int
	malformed := func(name string) error { return fmt.Errorf("trees.%s: truncated or malformed varint", name) }
	leaf := 0
	all := make([]treeNode, total)
	trees := make([][]treeNode, len(tc.NodesPerTree))
	pos := 0
	for t, size := range tc.NodesPerTree {
		nodes := all[pos : pos+size : pos+size]
		for k := range nodes {
			lo, n1 := binary.Varint(left[pl:])
			ro, n2 := binary.Varint(right[pr:])
			f, n3 := binary.Varint(feat[pf:])
			switch {
			case n1 <= 0:
				return nil, malformed("left_offset")
			case n2 <= 0:
				return nil, malformed("right_offset")
			case n3 <= 0:
				return nil, malformed("feature")
			}
			pl, pr, pf = pl+n1, pr+n2, pf+n3
			i := pos + k
			n := &nodes[k]
			n.left, n.right, n.feature = -1, -1, int32(f)
			if lo != 0 {
				l, r := int64(k)+lo, int64(k)+lo+ro
				if lo < 0 || l >= int64(size) || r <= int64(k) || r >= int64(size) || f < 0 || f >= int64(nCols) {
					return nil, fmt.Errorf("trees: tree %d node %d: children %d and %d or feature %d out of range (%d nodes, %d columns)", t, k, l, r, f, size, nCols)
				}
				n.left, n.right = int32(l), int32(r)
			}
			n.missingLeft = miss[i] == 1
			n.threshold, n.cover = thr[i], cov[i]
			if lo == 0 {
				if leaf == len(val) {
					return nil, fmt.Errorf("trees.value holds %d leaf values, fewer than the leaves", len(val))
				}
				n.value = val[leaf]
				leaf++
			}
		}
		trees[t] = nodes
		pos += size
	}
	if leaf != len(val) {
		return nil, fmt.Errorf("trees.value holds %d leaf values for %d leaves", len(val), leaf)
	}
	if pl != len(left) || pr != len(right) || pf != len(feat) {
		return nil, fmt.Errorf("trees: node columns hold more entries than nodes_per_tree (%d nodes)", total)
	}
	return trees, nil
}

// dictColumn builds a float64 dictionary column (see TreeColumns).
type dictColumn struct {
	index map[uint64]uint64
	dict  []uint64
	codes []byte
}

func newDictColumn(n int) *dictColumn {
	return &dictColumn{index: map[uint64]uint64{}, codes: make([]byte, 0, n*2)}
}

func (c *dictColumn) add(v float64) {
	bits := math.Float64bits(v)
	k, ok := c.index[bits]
	if !ok {
		k = uint64(len(c.dict))
		c.index[bits] = k
		c.dict = append(c.dict, bits)
	}
	c.codes = binary.AppendUvarint(c.codes, k)
}

func (c *dictColumn) bytes() []byte {
	out := binary.AppendUvarint(make([]byte, 0, 10+8*len(c.dict)+len(c.codes)), uint64(len(c.dict)))
	for _, bits := range c.dict {
		out = binary.LittleEndian.AppendUint64(out, bits)
	}
	return append(out, c.codes...)
}

// decodeDictColumn reads n values of a float64 dictionary column (every
// value up to the end when n is -1).
func decodeDictColumn(b []byte, n int) ([]float64, error) {
	d, k := binary.Uvarint(b)
	if k <= 0 || d > uint64(len(b)) {
		return nil, fmt.Errorf("malformed dictionary size")
	}
	b = b[k:]
	if uint64(len(b)) < 8*d {
		return nil, fmt.Errorf("dictionary of %d values truncated", d)
	}
	dict := make([]float64, d)
	for i := range dict {
		dict[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	b = b[8*d:]
	out := make([]float64, 0, max(n, 0))
	for i := 0; i < n || (n < 0 && len(b) > 0); i++ {
		code, k := binary.Uvarint(b)
		if k <= 0 {
			return nil, fmt.Errorf("holds fewer than %d entries (one per node)", n)
		}
		if code >= d {
			return nil, fmt.Errorf("entry %d: index %d outside the dictionary of %d values", i, code, d)
		}
		out = append(out, dict[code])
		b = b[k:]
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("holds more entries than nodes (%d nodes)", n)
	}
	return out, nil
}
