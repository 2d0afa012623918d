package rules

import (
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strings"
)

// Rule is an association rule Antecedent → Consequent over transactions.
type Rule struct {
	// Antecedent is a non-empty set of items, sorted; Consequent one item
	// not in it.
	Antecedent []string `json:"antecedent"`
	Consequent string   `json:"consequent"`
	// Counts: transactions holding the antecedent and consequent together,
	// the antecedent, the consequent, and all transactions.
	CountBoth       int `json:"count_both"`
	CountAntecedent int `json:"count_antecedent"`
	CountConsequent int `json:"count_consequent"`
	N               int `json:"n"`
	// Support is s(A∪{c}), the share of transactions holding both;
	// Confidence s(A∪{c})/s(A); Lift Confidence/s(c); Leverage
	// s(A∪{c}) − s(A)·s(c); Conviction (1 − s(c))/(1 − Confidence), nil at
	// confidence 1 (mlxtend reports infinity).
	Support    float64  `json:"support"`
	Confidence float64  `json:"confidence"`
	Lift       float64  `json:"lift"`
	Leverage   float64  `json:"leverage"`
	Conviction *float64 `json:"conviction"`
}

// RuleOptions configure AssociationRules.
type RuleOptions struct {
	// MinSupport in (0, 1] and MinConfidence in [0, 1] are inclusive
	// thresholds.
	MinSupport    float64
	MinConfidence float64
	// Consequent, when not empty, is the only item allowed as consequent
	// (the outcome of class association rules).
	Consequent string
	// MaxAntecedent bounds the antecedent size (0: unbounded).
	MaxAntecedent int
}

// thresholdSlack keeps exact ties inclusive (3/5 against 0.6).
const thresholdSlack = 1e-12

// AssociationRules returns every rule A → c with A a non-empty itemset and
// c one item not in A (c = Consequent when given) whose support is at least
// MinSupport and confidence at least MinConfidence. A transaction is a set:
// a repeated item counts once. Rules are sorted by antecedent, item by item
// with a proper prefix first, then by consequent. Frequent itemsets are
// found level by level (Apriori) over per-item transaction bitsets. It is
// an error unless 0 < MinSupport ≤ 1 and 0 ≤ MinConfidence ≤ 1.
func AssociationRules(transactions [][]string, opt RuleOptions) ([]Rule, error) {
	if !(opt.MinSupport > 0 && opt.MinSupport <= 1) {
		return nil, fmt.Errorf("rules: min_support %v must be in (0, 1]", opt.MinSupport)
	}
	if !(opt.MinConfidence >= 0 && opt.MinConfidence <= 1) {
		return nil, fmt.Errorf("rules: min_confidence %v must be in [0, 1]", opt.MinConfidence)
	}
	if opt.MaxAntecedent < 0 {
		return nil, fmt.Errorf("rules: max_antecedent %d must not be negative", opt.MaxAntecedent)
	}
	n := len(transactions)
	if n == 0 {
		return nil, fmt.Errorf("rules: no transactions")
	}
	// Items in sorted order; per-item transaction bitsets.
	set := map[string]bool{}
	for _, t := range transactions {
		for _, it := range t {
			set[it] = true
		}
	}
	items := make([]string, 0, len(set))
	for it := range set {
		items = append(items, it)
	}
	sort.Strings(items)
	code := make(map[string]int, len(items))
	for i, it := range items {
		code[it] = i
	}
	words := (n + 63) / 64
	tids := make([][]uint64, len(items))
	for i := range tids {
		tids[i] = make([]uint64, words)
	}
	for t, tr := range transactions {
		for _, it := range tr {
			tids[code[it]][t/64] |= 1 << (uint(t) % 64)
		}
	}
	frequent := func(count int) bool {
		return float64(count)/float64(n) >= opt.MinSupport-thresholdSlack
	}
	counts := map[string]int{} // itemset key -> count
	key := func(s []int) string {
		var b strings.Builder
		for _, v := range s {
			fmt.Fprintf(&b, "%d,", v)
		}
		return b.String()
	}
	type itemset struct {
		items []int
		tid   []uint64
	}
	var level []itemset
	itemCount := make([]int, len(items))
	for i, tid := range tids {
		itemCount[i] = popcount(tid)
		if frequent(itemCount[i]) {
			level = append(level, itemset{[]int{i}, tid})
			counts[key([]int{i})] = itemCount[i]
		}
	}
	cons := -1
	if opt.Consequent != "" {
		c, ok := code[opt.Consequent]
		if !ok {
			return []Rule{}, nil // the consequent occurs nowhere
		}
		cons = c
	}
	var rules []Rule
	maxSize := 0
	if opt.MaxAntecedent > 0 {
		maxSize = opt.MaxAntecedent + 1
	}
	for size := 2; len(level) > 1 && (maxSize == 0 || size <= maxSize); size++ {
		var next []itemset
		for a := 0; a < len(level); a++ {
			for b := a + 1; b < len(level); b++ {
				x, y := level[a].items, level[b].items
				if !slices.Equal(x[:len(x)-1], y[:len(y)-1]) {
					break // level is sorted: no later b shares a's prefix
				}
				cand := append(slices.Clone(x), y[len(y)-1])
				// Apriori pruning: every subset of size-1 is frequent.
				ok := true
				for drop := 0; drop < len(cand)-2 && ok; drop++ {
					sub := append(slices.Clone(cand[:drop]), cand[drop+1:]...)
					_, ok = counts[key(sub)]
				}
				if !ok {
					continue
				}
				tid := make([]uint64, words)
				for w := range tid {
					tid[w] = level[a].tid[w] & level[b].tid[w]
				}
				c := popcount(tid)
				if !frequent(c) {
					continue
				}
				counts[key(cand)] = c
				next = append(next, itemset{cand, tid})
			}
		}
		for _, is := range next {
			both := counts[key(is.items)]
			for ci, c := range is.items {
				if cons >= 0 && c != cons {
					continue
				}
				ante := append(slices.Clone(is.items[:ci]), is.items[ci+1:]...)
				r := newRule(items, ante, c, both, counts[key(ante)], itemCount[c], n)
				if r.Confidence >= opt.MinConfidence-thresholdSlack {
					rules = append(rules, r)
				}
			}
		}
		level = next
	}
	slices.SortFunc(rules, func(a, b Rule) int {
		for i := 0; i < len(a.Antecedent) && i < len(b.Antecedent); i++ {
			if c := strings.Compare(a.Antecedent[i], b.Antecedent[i]); c != 0 {
				return c
			}
		}
		if d := len(a.Antecedent) - len(b.Antecedent); d != 0 {
			return d
		}
		return strings.Compare(a.Consequent, b.Consequent)
	})
	if rules == nil {
		rules = []Rule{}
	}
	return rules, nil
}

func newRule(items []string, ante []int, c, both, countA, countC, n int) Rule {
	r := Rule{Consequent: items[c], CountBoth: both, CountAntecedent: countA, CountConsequent: countC, N: n}
	for _, a := range ante {
		r.Antecedent = append(r.Antecedent, items[a])
	}
	sAC := float64(both) / float64(n)
	sA := float64(countA) / float64(n)
	sC := float64(countC) / float64(n)
	r.Support = sAC
	r.Confidence = sAC / sA
	r.Lift = r.Confidence / sC
	r.Leverage = sAC - sA*sC
	if both != countA {
		v := (1 - sC) / (1 - r.Confidence)
		r.Conviction = &v
	}
	return r
}

func popcount(b []uint64) int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}
