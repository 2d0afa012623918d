package sequences

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/evalrun/evalrun/internal/workpool"
)

// MineOptions configure Database.Mine.
type MineOptions struct {
	// MinSupport is the minimum share of owners supporting a pattern, in
	// (0, 1]: a pattern is kept when at least max(1, ceil(MinSupport·Owners))
	// owners support it.
	MinSupport float64
	// MaxLength bounds the pattern length (0: unbounded; required in
	// contiguous mode).
	MaxLength int
	// Contiguous mines n-grams (items adjacent in a sequence) instead of
	// sequential patterns (items in order, gaps allowed).
	Contiguous bool
	// KeepOwners stores each pattern's supporting owners (needed by
	// Differential).
	KeepOwners bool
	// Workers bounds the goroutines (0: GOMAXPROCS); the result does not
	// depend on it.
	Workers int
}

// Pattern is a frequent pattern.
type Pattern struct {
	// Items are item codes into the database's Items.
	Items []int32
	// Support is the number of owners with a sequence containing the
	// pattern.
	Support int
	// Owners is the set of supporting owners (with KeepOwners).
	Owners Bitset
}

// Names returns the pattern's item names.
func (p Pattern) Names(items []string) []string {
	out := make([]string, len(p.Items))
	for i, it := range p.Items {
		out[i] = items[it]
	}
	return out
}

// MinCount is the absolute minimum support: max(1, ceil(share·owners)).
func MinCount(share float64, owners int) int {
	// share·owners is never meant to be a rounding step away from an
	// integer; the small slack keeps 0.7·10 = 7.000000000000001 at 7.
	c := int(math.Ceil(share*float64(owners) - 1e-9))
	return max(1, c)
}

// entry is a projected sequence: sequence seq, next item to read at flat
// index pos.
type entry struct {
	seq int32
	pos int32
}

// Mine returns every pattern supported by at least the minimum number of
// owners, sorted by item name, item by item, a proper prefix first.
//
// Sequential patterns are found by PrefixSpan with pseudo-projection (each
// sequence projected on the earliest occurrence of the prefix); contiguous
// patterns by the same depth-first search over every occurrence. A sequence
// supports a pattern once; an owner supports it when any of its sequences
// does.
func (db *Database) Mine(opt MineOptions) ([]Pattern, error) {
	if !(opt.MinSupport > 0 && opt.MinSupport <= 1) {
		return nil, fmt.Errorf("sequences: min_support %v must be in (0, 1]", opt.MinSupport)
	}
	if opt.MaxLength < 0 {
		return nil, fmt.Errorf("sequences: max_length %d must not be negative", opt.MaxLength)
	}
	if opt.Contiguous && opt.MaxLength == 0 {
		return nil, fmt.Errorf("sequences: contiguous mode needs a max_length")
	}
	if len(db.flat) > math.MaxInt32 {
		return nil, fmt.Errorf("sequences: %d events: at most %d", len(db.flat), math.MaxInt32)
	}
	minCount := MinCount(opt.MinSupport, db.Owners)
	var root []entry
	for s := range db.owner {
		if opt.Contiguous {
			for p := db.start[s]; p < db.start[s+1]; p++ {
				root = append(root, entry{int32(s), int32(p)})
			}
		} else if db.start[s] < db.start[s+1] {
			root = append(root, entry{int32(s), int32(db.start[s])})
		}
	}
	// The first level is expanded here; the subtrees of its frequent items
	// are mined in parallel, each into its own list, concatenated in item
	// order (the final sort makes the order independent of scheduling).
	top := newMiner(db, opt, minCount)
	items, children, supports, owners := top.expand(nil, root)
	root = nil
	branches := make([][]Pattern, len(items))
	workpool.ForWorkers(len(items), opt.Workers, func(int) func(b int) {
		m := newMiner(db, opt, minCount)
		return func(b int) {
			pat := []int32{items[b]}
			m.out = []Pattern{{Items: pat, Support: supports[b], Owners: ownerSet(owners, b)}}
			if opt.MaxLength == 0 || 1 < opt.MaxLength {
				m.grow(pat, children[b])
				children[b] = nil
			}
			branches[b] = m.out
		}
	})
	var out []Pattern
	for _, b := range branches {
		out = append(out, b...)
	}
	slices.SortStableFunc(out, func(a, b Pattern) int {
		for i := 0; i < len(a.Items) && i < len(b.Items); i++ {
			if c := strings.Compare(db.Items[a.Items[i]], db.Items[b.Items[i]]); c != 0 {
				return c
			}
		}
		return len(a.Items) - len(b.Items)
	})
	return out, nil
}

type miner struct {
	db         *Database
	opt        MineOptions
	minCount   int
	count      []int
	entries    []int
	stamp      []int64
	entryStamp []int32
	slot       []int
	bits       []Bitset
	tick       int64
	out        []Pattern
}

func newMiner(db *Database, opt MineOptions, minCount int) *miner {
	n := len(db.Items)
	m := &miner{db: db, opt: opt, minCount: minCount, count: make([]int, n), entries: make([]int, n),
		stamp: make([]int64, n), entryStamp: make([]int32, n), slot: make([]int, n)}
	if opt.KeepOwners {
		m.bits = make([]Bitset, n)
	}
	return m
}

// grow emits every frequent extension of prefix (whose projection is proj)
// and recurses into it.
func (m *miner) grow(prefix []int32, proj []entry) {
	items, children, supports, owners := m.expand(prefix, proj)
	for i, it := range items {
		pat := append(slices.Clip(prefix), it)
		m.out = append(m.out, Pattern{Items: pat, Support: supports[i], Owners: ownerSet(owners, i)})
		if m.opt.MaxLength == 0 || len(pat) < m.opt.MaxLength {
			m.grow(pat, children[i])
			children[i] = nil
		}
	}
}

func ownerSet(owners []Bitset, i int) Bitset {
	if owners == nil {
		return nil
	}
	return owners[i]
}

// expand finds the frequent items extending prefix, with their supports,
// owner sets (KeepOwners) and, unless the extensions reach MaxLength,
// their projections.
func (m *miner) expand(prefix []int32, proj []entry) (items []int32, children [][]entry, supports []int, owners []Bitset) {
	db := m.db
	last := m.opt.MaxLength > 0 && len(prefix)+1 >= m.opt.MaxLength
	clear(m.count)
	clear(m.entries)
	for i := range m.entryStamp {
		m.entryStamp[i] = -1
	}
	// Count, for each item, the owners with an extension by it (an owner's
	// entries may be anywhere in proj, so owners are marked with a stamp
	// unique to this call) and the entries holding it. At the last level
	// the owner sets are filled here, as no projection is built.
	m.tick++
	base := m.tick * int64(db.Owners+1)
	mark := func(it int32, o int64, k int) {
		if m.stamp[it] != base+o {
			m.stamp[it] = base + o
			m.count[it]++
			if last && m.bits != nil {
				if m.bits[it] == nil {
					m.bits[it] = newBitset(db.Owners)
				}
				m.bits[it].set(int(o))
			}
		}
		if m.entryStamp[it] != int32(k) {
			m.entryStamp[it] = int32(k)
			m.entries[it]++
		}
	}
	for k, e := range proj {
		o := int64(db.owner[e.seq])
		end := int32(db.start[e.seq+1])
		if m.opt.Contiguous {
			if e.pos < end {
				mark(db.flat[e.pos], o, k)
			}
			continue
		}
		for p := e.pos; p < end; p++ {
			mark(db.flat[p], o, k)
		}
	}
	for it, c := range m.count {
		m.slot[it] = -1
		if c >= m.minCount {
			m.slot[it] = len(items)
			items = append(items, int32(it))
			supports = append(supports, c)
		}
	}
	if m.bits != nil {
		owners = make([]Bitset, len(items))
	}
	if last {
		if m.bits != nil {
			for i, it := range items {
				owners[i] = m.bits[it]
			}
			clear(m.bits)
		}
		return items, nil, supports, owners
	}
	if len(items) == 0 {
		return nil, nil, nil, nil
	}
	// Build every child projection in one pass: for sequential patterns
	// the earliest occurrence of each item after the entry's position.
	children = make([][]entry, len(items))
	for i, it := range items {
		children[i] = make([]entry, 0, m.entries[it])
	}
	for i := range m.entryStamp {
		m.entryStamp[i] = -1
	}
	for k, e := range proj {
		end := int32(db.start[e.seq+1])
		if m.opt.Contiguous {
			if e.pos < end {
				if c := m.slot[db.flat[e.pos]]; c >= 0 {
					children[c] = append(children[c], entry{e.seq, e.pos + 1})
				}
			}
			continue
		}
		for p := e.pos; p < end; p++ {
			it := db.flat[p]
			if c := m.slot[it]; c >= 0 && m.entryStamp[it] != int32(k) {
				m.entryStamp[it] = int32(k)
				children[c] = append(children[c], entry{e.seq, p + 1})
			}
		}
	}
	if m.bits != nil {
		for i := range items {
			owners[i] = newBitset(db.Owners)
			for _, e := range children[i] {
				owners[i].set(int(db.owner[e.seq]))
			}
		}
	}
	return items, children, supports, owners
}

// NamedPattern is a pattern with item names.
type NamedPattern struct {
	Pattern []string `json:"pattern"`
	Support int      `json:"support"`
}

// PrefixSpan returns every sequential pattern (items in order, not
// necessarily adjacent) contained in at least max(1, ceil(minSupport·N)) of
// the N sequences (empty sequences count in N), with its support, the
// number of sequences containing it (each at most once), sorted by pattern
// item by item, a proper prefix first: SPMF's PrefixSpan with one item per
// itemset. It is an error unless 0 < minSupport ≤ 1.
func PrefixSpan(seqs [][]string, minSupport float64) ([]NamedPattern, error) {
	db := FromStrings(seqs)
	pats, err := db.Mine(MineOptions{MinSupport: minSupport})
	if err != nil {
		return nil, err
	}
	out := make([]NamedPattern, len(pats))
	for i, p := range pats {
		out[i] = NamedPattern{Pattern: p.Names(db.Items), Support: p.Support}
	}
	return out, nil
}
