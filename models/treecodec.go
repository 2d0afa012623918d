package models

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"runtime"
	"sync"

	"github.com/evalrun/evalrun/internal/workpool"
)

// TreeEncoding names the layout of TreeColumns.
const TreeEncoding = "columns-v2/varint+float64-dictionary/deflate/base64"

// TreeColumns holds every node of an ensemble's trees, the trees one after
// the other and each tree's nodes in their stored order (root first), as
// columns. Each column is a byte string compressed with DEFLATE (RFC 1951)
// and written in standard base64 (RFC 4648). A column has an entry per
// node, per internal node or per leaf, in node order:
//
//	left_offset    per node, signed varint: left child index − node index; 0 marks a leaf
//	right_offset   per internal node, signed varint: right child index − left child index
//	feature        per internal node, unsigned varint: the column tested
//	missing_left   per internal node, one byte: 1 when a missing value (NaN) goes left, else 0
//	threshold      per internal node, float64 dictionary column: a value <= threshold goes left
//	value          per leaf, float64 dictionary column: the leaf's output (an internal
//	               node's value is informative, used by no prediction or explanation,
//	               and reads back as 0)
//	cover          per leaf, float64 dictionary column: the training weight that reached it
//	internal_cover per internal node, float64 dictionary column; empty when every
//	               internal node's cover is the float64 sum of its two children's
//	               (left + right), as it is for covers that count rows, and is
//	               recomputed so on reading
//
// Signed varints are Go's encoding/binary zig-zag varints (as protocol
// buffers' sint64). A float64 dictionary column is an unsigned varint d,
// then the d distinct values as float64 little-endian in order of first
// use, then per entry the unsigned varint index of its value: tree
// ensembles repeat few distinct thresholds (bin edges), leaf shares and
// covers, so the column compresses to about a byte per entry.
// NodesPerTree gives the number of nodes of each tree. A leaf's feature
// reads back as −1, its threshold as 0 and its missing_left as false.
// Floats are stored bit for bit, so a decoded ensemble predicts and
// explains exactly what the encoded one did.
type TreeColumns struct {
	Encoding      string `json:"encoding"`
	NodesPerTree  []int  `json:"nodes_per_tree"`
	LeftOffset    string `json:"left_offset"`
	RightOffset   string `json:"right_offset"`
	Feature       string `json:"feature"`
	MissingLeft   string `json:"missing_left"`
	Threshold     string `json:"threshold"`
	Value         string `json:"value"`
	Cover         string `json:"cover"`
	InternalCover string `json:"internal_cover,omitempty"`
}

func encodeTrees(trees [][]treeNode) (TreeColumns, error) {
	var total int
	tc := TreeColumns{Encoding: TreeEncoding, NodesPerTree: make([]int, len(trees))}
	for t, nodes := range trees {
		tc.NodesPerTree[t] = len(nodes)
		total += len(nodes)
	}
	left := make([]byte, 0, total*2)
	right := make([]byte, 0, total/2)
	feat := make([]byte, 0, total/2)
	miss := make([]byte, 0, total/2)
	thr := newDictColumn(total / 2)
	val := newDictColumn(total / 2)
	cov := newDictColumn(total / 2)
	icov := newDictColumn(total / 2)
	summed := true
	for t, nodes := range trees {
		for k := range nodes {
			n := &nodes[k]
			if n.left < 0 {
				if n.right >= 0 {
					return TreeColumns{}, fmt.Errorf("tree %d node %d: a leaf with a right child", t, k)
				}
				left = binary.AppendVarint(left, 0)
				val.add(n.value)
				cov.add(n.cover)
				continue
			}
			lo := int64(n.left) - int64(k)
			ro := int64(n.right) - int64(n.left)
			if lo <= 0 || ro == 0 || n.right <= int32(k) || int(n.left) >= len(nodes) || int(n.right) >= len(nodes) || n.feature < 0 {
				return TreeColumns{}, fmt.Errorf("tree %d node %d: children %d and %d or feature %d cannot be stored (children must follow their parent)", t, k, n.left, n.right, n.feature)
			}
			left = binary.AppendVarint(left, lo)
			right = binary.AppendVarint(right, ro)
			feat = binary.AppendUvarint(feat, uint64(n.feature))
			var m byte
			if n.missingLeft {
				m = 1
			}
			miss = append(miss, m)
			thr.add(n.threshold)
			icov.add(n.cover)
			if sum := nodes[n.left].cover + nodes[n.right].cover; math.Float64bits(sum) != math.Float64bits(n.cover) {
				summed = false
			}
		}
	}
	cols := []struct {
		dst *string
		raw []byte
	}{{&tc.LeftOffset, left}, {&tc.RightOffset, right}, {&tc.Feature, feat}, {&tc.MissingLeft, miss},
		{&tc.Threshold, thr.bytes()}, {&tc.Value, val.bytes()}, {&tc.Cover, cov.bytes()}}
	if !summed {
		cols = append(cols, struct {
			dst *string
			raw []byte
		}{&tc.InternalCover, icov.bytes()})
	}
	for _, c := range cols {
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

// inflateBase64 decodes a column; sizeHint is the expected size, bounded
// here by the compressed size (nodes_per_tree is not trusted before the
// columns confirm it).
func inflateBase64(name, s string, sizeHint int) ([]byte, error) {
	comp, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("trees.%s: %w", name, err)
	}
	r := flate.NewReader(bytes.NewReader(comp))
	defer r.Close()
	out := bytes.NewBuffer(make([]byte, 0, min(max(sizeHint, 0), 64*len(comp)+1024)))
	if _, err := io.Copy(out, r); err != nil {
		return nil, fmt.Errorf("trees.%s: inflating: %w", name, err)
	}
	return out.Bytes(), nil
}

// treeColumnData are the decoded columns of TreeColumns.
type treeColumnData struct {
	left, right, feature []int32
	missing              []byte
	threshold, value     []float64
	cover, internalCover []float64
}

// decodeColumns inflates and parses every column, the columns handed out
// to as many goroutines as there are processors.
func decodeColumns(tc TreeColumns, total int) (*treeColumnData, error) {
	var d treeColumnData
	varints := func(signed bool, dst *[]int32) func([]byte) error {
		return func(b []byte) error {
			out := make([]int32, 0, len(b))
			for len(b) > 0 {
				var v int64
				var n int
				if signed {
					v, n = binary.Varint(b)
				} else {
					var u uint64
					u, n = binary.Uvarint(b)
					v = int64(u)
					if u > math.MaxInt32 {
						n = -1
					}
				}
				if n <= 0 || v < math.MinInt32 || v > math.MaxInt32 {
					return fmt.Errorf("entry %d: truncated, malformed or out-of-range varint", len(out))
				}
				out = append(out, int32(v))
				b = b[n:]
			}
			*dst = out
			return nil
		}
	}
	floats := func(dst *[]float64) func([]byte) error {
		return func(b []byte) error {
			v, err := decodeDictColumn(b, -1)
			*dst = v
			return err
		}
	}
	type column struct {
		name  string
		s     string
		size  int
		parse func([]byte) error
	}
	specs := []column{
		// Sizes: enough for the usual one or two bytes per entry, so the
		// inflated bytes are seldom copied to a larger buffer.
		{"left_offset", tc.LeftOffset, total*2 + 1024, varints(true, &d.left)},
		{"right_offset", tc.RightOffset, total + 1024, varints(true, &d.right)},
		{"feature", tc.Feature, total + 1024, varints(false, &d.feature)},
		{"missing_left", tc.MissingLeft, total/2 + 1024, func(b []byte) error { d.missing = b; return nil }},
		{"threshold", tc.Threshold, total*2 + 1024, floats(&d.threshold)},
		{"value", tc.Value, total + 1024, floats(&d.value)},
		{"cover", tc.Cover, total + 1024, floats(&d.cover)},
	}
	if tc.InternalCover != "" {
		specs = append(specs, column{"internal_cover", tc.InternalCover, total*2 + 1024, floats(&d.internalCover)})
	}
	errs := make([]error, len(specs))
	workpool.For(len(specs), 0, func(k int) {
		c := specs[k]
		raw, err := inflateBase64(c.name, c.s, c.size)
		if err == nil {
			if err = c.parse(raw); err != nil {
				err = fmt.Errorf("trees.%s: %w", c.name, err)
			}
		}
		errs[k] = err
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return &d, nil
}

// decodeTrees reads TreeColumns back, checking that each column holds one
// entry per node, internal node or leaf, that every child index lies
// inside its tree after its parent and that every internal node tests one
// of the nCols columns. It also returns the largest depth of a tree. The
// columns are decoded in parallel, then the trees in as many parts as
// there are processors.
func decodeTrees(tc TreeColumns, nCols int) ([][]treeNode, int, error) {
	if tc.Encoding != TreeEncoding {
		return nil, 0, fmt.Errorf("trees.encoding %q: want %q", tc.Encoding, TreeEncoding)
	}
	var total int
	for t, n := range tc.NodesPerTree {
		if n < 1 {
			return nil, 0, fmt.Errorf("trees.nodes_per_tree[%d] is %d, want >= 1", t, n)
		}
		total += n
	}
	d, err := decodeColumns(tc, total)
	if err != nil {
		return nil, 0, err
	}
	if len(d.left) != total {
		return nil, 0, fmt.Errorf("trees.left_offset holds %d entries, want one per node (%d nodes)", len(d.left), total)
	}
	// Where each tree's internal nodes and leaves start in their columns.
	nt := len(tc.NodesPerTree)
	internalAt, leafAt := make([]int, nt+1), make([]int, nt+1)
	pos := 0
	for t, size := range tc.NodesPerTree {
		leaves := 0
		for _, lo := range d.left[pos : pos+size] {
			if lo == 0 {
				leaves++
			}
		}
		leafAt[t+1] = leafAt[t] + leaves
		internalAt[t+1] = internalAt[t] + size - leaves
		pos += size
	}
	internal, leaves := internalAt[nt], leafAt[nt]
	for _, c := range []struct {
		name string
		n    int
		want int
		per  string
	}{
		{"right_offset", len(d.right), internal, "internal node"}, {"feature", len(d.feature), internal, "internal node"},
		{"missing_left", len(d.missing), internal, "internal node"}, {"threshold", len(d.threshold), internal, "internal node"},
		{"value", len(d.value), leaves, "leaf"}, {"cover", len(d.cover), leaves, "leaf"},
	} {
		if c.n != c.want {
			return nil, 0, fmt.Errorf("trees.%s holds %d entries, want one per %s (%d)", c.name, c.n, c.per, c.want)
		}
	}
	if d.internalCover != nil && len(d.internalCover) != internal {
		return nil, 0, fmt.Errorf("trees.internal_cover holds %d entries, want one per internal node (%d)", len(d.internalCover), internal)
	}
	all := make([]treeNode, total)
	trees := make([][]treeNode, nt)
	nodeAt := make([]int, nt+1)
	for t, size := range tc.NodesPerTree {
		nodeAt[t+1] = nodeAt[t] + size
		trees[t] = all[nodeAt[t]:nodeAt[t+1]:nodeAt[t+1]]
	}
	// Parts of about equal node counts, each a run of whole trees.
	parts := min(runtime.GOMAXPROCS(0), nt)
	errs := make([]error, parts)
	depths := make([]int, parts)
	var wg sync.WaitGroup
	first := 0
	for p := 0; p < parts; p++ {
		last := first
		for last < nt && (p == parts-1 || nodeAt[last] < total*(p+1)/parts) {
			last++
		}
		wg.Add(1)
		go func(p, first, last int) {
			defer wg.Done()
			var depth []int32
			for t := first; t < last; t++ {
				nodes := trees[t]
				if cap(depth) < len(nodes) {
					depth = make([]int32, len(nodes))
				} else {
					depth = depth[:len(nodes)]
					clear(depth)
				}
				dt, err := d.assemble(t, nodes, nodeAt[t], internalAt[t], leafAt[t], nCols, depth)
				if err != nil {
					errs[p] = err
					return
				}
				depths[p] = max(depths[p], dt)
			}
		}(p, first, last)
		first = last
	}
	wg.Wait()
	maxDepth := 0
	for p := range errs {
		if errs[p] != nil {
			return nil, 0, errs[p]
		}
		maxDepth = max(maxDepth, depths[p])
	}
	return trees, maxDepth, nil
}

// assemble fills tree t's nodes from its entries (starting at node, inner
// and leaf in their columns) and returns its depth; depth is scratch of
// one zero per node.
func (d *treeColumnData) assemble(t int, nodes []treeNode, node, inner, leaf, nCols int, depth []int32) (int, error) {
	size := int64(len(nodes))
	maxDepth := int32(0)
	for k := range nodes {
		n := &nodes[k]
		lo := d.left[node+k]
		if lo == 0 {
			n.left, n.right, n.feature = -1, -1, -1
			n.value, n.cover = d.value[leaf], d.cover[leaf]
			leaf++
			maxDepth = max(maxDepth, depth[k])
			continue
		}
		l := int64(k) + int64(lo)
		r := l + int64(d.right[inner])
		f := d.feature[inner]
		if lo < 0 || l >= size || r <= int64(k) || r >= size || l == r || f < 0 || int(f) >= nCols {
			return 0, fmt.Errorf("trees: tree %d node %d: children %d and %d or feature %d out of range (%d nodes, %d columns)", t, k, l, r, f, size, nCols)
		}
		switch d.missing[inner] {
		case 0:
		case 1:
			n.missingLeft = true
		default:
			return 0, fmt.Errorf("trees.missing_left: tree %d node %d: byte %d, want 0 or 1", t, k, d.missing[inner])
		}
		n.left, n.right, n.feature = int32(l), int32(r), f
		n.threshold = d.threshold[inner]
		if d.internalCover != nil {
			n.cover = d.internalCover[inner]
		}
		inner++
		depth[l] = max(depth[l], depth[k]+1)
		depth[r] = max(depth[r], depth[k]+1)
	}
	if d.internalCover == nil {
		// Children follow their parent: from the last node back, both
		// children's covers are known when their parent's is summed.
		for k := len(nodes) - 1; k >= 0; k-- {
			if n := &nodes[k]; n.left >= 0 {
				n.cover = nodes[n.left].cover + nodes[n.right].cover
			}
		}
	}
	return int(maxDepth), nil
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
	capacity := n
	if n < 0 {
		capacity = len(b) // at least a byte per entry
	}
	out := make([]float64, 0, capacity)
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
