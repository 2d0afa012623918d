package sequences

import (
	"fmt"
	"math/bits"
	"sort"
)

// Database is a set of item sequences (sessions), each owned by a unit (a
// student). Items are codes into Items.
type Database struct {
	// Items names the item codes (actions).
	Items []string
	// Owners is the number of units; support counts units.
	Owners int
	flat   []int32
	start  []int // sequence s is flat[start[s]:start[s+1]]
	owner  []int32
}

// NewDatabase returns an empty database over the named items and owners
// 0..owners-1.
func NewDatabase(items []string, owners int) *Database {
	return &Database{Items: items, Owners: owners, start: []int{0}}
}

// Add appends a sequence of item codes owned by owner. An empty sequence is
// allowed (it supports nothing).
func (db *Database) Add(owner int, seq []int32) error {
	if owner < 0 || owner >= db.Owners {
		return fmt.Errorf("sequences: owner %d outside 0..%d", owner, db.Owners-1)
	}
	for i, it := range seq {
		if it < 0 || int(it) >= len(db.Items) {
			return fmt.Errorf("sequences: owner %d: item code %d at position %d outside 0..%d", owner, it, i, len(db.Items)-1)
		}
	}
	db.flat = append(db.flat, seq...)
	db.start = append(db.start, len(db.flat))
	db.owner = append(db.owner, int32(owner))
	return nil
}

// Sequences returns the number of sequences.
func (db *Database) Sequences() int { return len(db.owner) }

// Events returns the total length of the sequences.
func (db *Database) Events() int { return len(db.flat) }

// FromStrings builds a database in which each sequence is its own owner;
// item codes follow the sorted item names.
func FromStrings(seqs [][]string) *Database {
	set := map[string]bool{}
	for _, s := range seqs {
		for _, it := range s {
			set[it] = true
		}
	}
	items := make([]string, 0, len(set))
	for it := range set {
		items = append(items, it)
	}
	sort.Strings(items)
	code := make(map[string]int32, len(items))
	for i, it := range items {
		code[it] = int32(i)
	}
	db := NewDatabase(items, len(seqs))
	buf := []int32{}
	for o, s := range seqs {
		buf = buf[:0]
		for _, it := range s {
			buf = append(buf, code[it])
		}
		_ = db.Add(o, buf)
	}
	return db
}

// CollapseRepeats returns seq with runs of the same item reduced to one,
// in place.
func CollapseRepeats(seq []int32) []int32 {
	out := seq[:0]
	for i, it := range seq {
		if i == 0 || it != seq[i-1] {
			out = append(out, it)
		}
	}
	return out
}

// SplitSessions returns the start index of each session of one student's
// events, given their times in time order: a session starts at the first
// event and at every event that comes more than gap after the previous one.
// Times and gap share a unit (e.g. milliseconds).
func SplitSessions(times []int64, gap int64) []int {
	var starts []int
	for i, t := range times {
		if i == 0 || t-times[i-1] > gap {
			starts = append(starts, i)
		}
	}
	return starts
}

// Bitset is a set of owners.
type Bitset []uint64

func newBitset(n int) Bitset { return make(Bitset, (n+63)/64) }

// Has reports whether owner i is in the set.
func (b Bitset) Has(i int) bool { return b[i/64]&(1<<(uint(i)%64)) != 0 }

func (b Bitset) set(i int) { b[i/64] |= 1 << (uint(i) % 64) }

// Count returns the number of owners in the set.
func (b Bitset) Count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// andCount returns |b ∩ c|.
func (b Bitset) andCount(c Bitset) int {
	n := 0
	for i, w := range b {
		n += bits.OnesCount64(w & c[i])
	}
	return n
}
