package models

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// TreeEncoding names the layout of TreeColumns.
const TreeEncoding = "columns/varint+float64le/deflate/base64"

// TreeColumns holds every node of an ensemble's trees, the trees one after
// the other and each tree's nodes in their stored order (root first), as
// seven columns. Each column is a byte string compressed with DEFLATE (RFC
// 1951) and written in standard base64 (RFC 4648):
//
//	left_offset   signed varint per node: left child index − node index, 0 for a leaf
//	right_offset  signed varint per node: right child index − left child index, 0 for a leaf
//	feature       signed varint per node: the column tested (−1 for a leaf)
//	missing_left  one byte per node: 1 when a missing value (NaN) goes left
//	threshold     float64 little-endian per node: a value <= threshold goes left
//	value         float64 little-endian per node: a leaf's output (informative at internal nodes)
//	cover         float64 little-endian per node: the training weight that reached the node
//
// Signed varints are Go's encoding/binary zig-zag varints (as protocol
// buffers' sint64). NodesPerTree gives the number of nodes of each tree.
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
	thr := make([]byte, 0, total*8)
	val := make([]byte, 0, total*8)
	cov := make([]byte, 0, total*8)
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
			thr = binary.LittleEndian.AppendUint64(thr, math.Float64bits(n.threshold))
			val = binary.LittleEndian.AppendUint64(val, math.Float64bits(n.value))
			cov = binary.LittleEndian.AppendUint64(cov, math.Float64bits(n.cover))
		}
	}
	for _, c := range []struct {
		dst *string
		raw []byte
	}{{&tc.LeftOffset, left}, {&tc.RightOffset, right}, {&tc.Feature, feat}, {&tc.MissingLeft, miss},
		{&tc.Threshold, thr}, {&tc.Value, val}, {&tc.Cover, cov}} {
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
	cols := map[string][]byte{}
	for _, c := range []struct {
		name string
		s    string
		size int
	}{{"left_offset", tc.LeftOffset, total * 2}, {"right_offset", tc.RightOffset, total}, {"feature", tc.Feature, total},
		{"missing_left", tc.MissingLeft, total}, {"threshold", tc.Threshold, total * 8}, {"value", tc.Value, total * 8}, {"cover", tc.Cover, total * 8}} {
		b, err := inflateBase64(c.name, c.s, c.size)
		if err != nil {
			return nil, err
		}
		cols[c.name] = b
	}
	for _, name := range []string{"threshold", "value", "cover"} {
		if len(cols[name]) != total*8 {
			return nil, fmt.Errorf("trees.%s holds %d bytes, want 8 per node (%d nodes)", name, len(cols[name]), total)
		}
	}
	if len(cols["missing_left"]) != total {
		return nil, fmt.Errorf("trees.missing_left holds %d bytes, want one per node (%d nodes)", len(cols["missing_left"]), total)
	}
	left, right, feat := cols["left_offset"], cols["right_offset"], cols["feature"]
	thr, val, cov, miss := cols["threshold"], cols["value"], cols["cover"], cols["missing_left"]
	varint := func(name string, b *[]byte) (int64, error) {
		v, n := binary.Varint(*b)
		if n <= 0 {
			return 0, fmt.Errorf("trees.%s: truncated or malformed varint", name)
		}
		*b = (*b)[n:]
		return v, nil
	}
	all := make([]treeNode, total)
	trees := make([][]treeNode, len(tc.NodesPerTree))
	pos := 0
	for t, size := range tc.NodesPerTree {
		nodes := all[pos : pos+size : pos+size]
		for k := range nodes {
			lo, err := varint("left_offset", &left)
			if err != nil {
				return nil, err
			}
			ro, err := varint("right_offset", &right)
			if err != nil {
				return nil, err
			}
			f, err := varint("feature", &feat)
			if err != nil {
				return nil, err
			}
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
			n.threshold = math.Float64frombits(binary.LittleEndian.Uint64(thr[i*8:]))
			n.value = math.Float64frombits(binary.LittleEndian.Uint64(val[i*8:]))
			n.cover = math.Float64frombits(binary.LittleEndian.Uint64(cov[i*8:]))
		}
		trees[t] = nodes
		pos += size
	}
	if len(left)+len(right)+len(feat) != 0 {
		return nil, fmt.Errorf("trees: node columns hold more entries than nodes_per_tree (%d nodes)", total)
	}
	return trees, nil
}
