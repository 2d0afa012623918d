package sequences

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/evalrun/evalrun/abtest"
	"github.com/evalrun/evalrun/internal/workpool"
)

// Group labels of owners for Differential and Confirm.
const (
	GroupOther   int8 = 0  // the comparison group (e.g. passed)
	GroupAtRisk  int8 = 1  // the at-risk group (e.g. failed or withdrew)
	GroupUnknown int8 = -1 // left out of both groups
)

// DiffOptions configure Differential.
type DiffOptions struct {
	// Permutations of the group labels drawn at random; 0 (the default)
	// takes every permutation: the permutation distribution of the number
	// of at-risk owners among a pattern's supporters is hypergeometric, so
	// the p-value is computed exactly. Sampled permutations cannot give a
	// p-value below 1/(1+Permutations), which Benjamini-Hochberg over many
	// patterns may need.
	Permutations int
	// FDR is the Benjamini-Hochberg false discovery rate at which a
	// difference is significant (default 0.05).
	FDR float64
	// Seed seeds the permutations; the result is identical whatever
	// Workers is.
	Seed uint64
	// Workers bounds the goroutines (0: GOMAXPROCS).
	Workers int
}

// Difference is one pattern's support in the two groups.
type Difference struct {
	Items []int32 `json:"-"`
	// SupportAtRisk and SupportOther count the supporting owners of each
	// group; NAtRisk and NOther the owners of each group.
	SupportAtRisk int `json:"support_at_risk"`
	SupportOther  int `json:"support_other"`
	NAtRisk       int `json:"n_at_risk"`
	NOther        int `json:"n_other"`
	// ShareAtRisk and ShareOther are the supporting shares; Diff is
	// ShareAtRisk − ShareOther.
	ShareAtRisk float64 `json:"share_at_risk"`
	ShareOther  float64 `json:"share_other"`
	Diff        float64 `json:"diff"`
	// P is the two-sided permutation p-value: the share of label
	// permutations with |diff| at least the observed (exact), or (1 +
	// such sampled permutations) / (1 + Permutations); Q is the
	// Benjamini-Hochberg adjusted p over all patterns tested.
	P           float64 `json:"p"`
	Q           float64 `json:"q"`
	Significant bool    `json:"significant"`
}

// Differential tests, for every pattern (mined with KeepOwners), whether the
// share of at-risk owners supporting it differs from the share of the other
// owners. groups[o] is GroupAtRisk, GroupOther or GroupUnknown for owner o.
// The statistic is |ShareAtRisk − ShareOther|; its null distribution comes
// from permuting the labels among the labelled owners (group sizes fixed):
// all permutations, exactly (Permutations 0), or that many sampled ones,
// each from its own seed stream. P-values are adjusted by
// Benjamini-Hochberg over the patterns; Significant is Q ≤ FDR. The
// differences come back in the order of patterns.
func Differential(patterns []Pattern, groups []int8, opt DiffOptions) ([]Difference, error) {
	if opt.FDR == 0 {
		opt.FDR = 0.05
	}
	if opt.Permutations < 0 {
		return nil, fmt.Errorf("sequences: permutations %d must not be negative", opt.Permutations)
	}
	if !(opt.FDR > 0 && opt.FDR < 1) {
		return nil, fmt.Errorf("sequences: fdr %v must be in (0, 1)", opt.FDR)
	}
	n := len(groups)
	known := newBitset(n)
	atRisk := newBitset(n)
	var labelled []int
	nA := 0
	for o, g := range groups {
		switch g {
		case GroupAtRisk:
			atRisk.set(o)
			nA++
		case GroupOther:
		case GroupUnknown:
			continue
		default:
			return nil, fmt.Errorf("sequences: owner %d has group %d, want 1, 0 or -1", o, g)
		}
		known.set(o)
		labelled = append(labelled, o)
	}
	nB := len(labelled) - nA
	if nA == 0 || nB == 0 {
		return nil, fmt.Errorf("sequences: differential needs owners in both groups (%d at risk, %d other)", nA, nB)
	}
	out := make([]Difference, len(patterns))
	supp := make([]int, len(patterns))
	obs := make([]float64, len(patterns))
	for j, p := range patterns {
		if len(p.Owners) != len(known) {
			return nil, fmt.Errorf("sequences: pattern %d has no owner set for %d owners (mine with KeepOwners)", j, n)
		}
		a := p.Owners.andCount(atRisk)
		s := p.Owners.andCount(known)
		supp[j] = s
		d := Difference{Items: p.Items, SupportAtRisk: a, SupportOther: s - a, NAtRisk: nA, NOther: nB,
			ShareAtRisk: float64(a) / float64(nA), ShareOther: float64(s-a) / float64(nB)}
		d.Diff = d.ShareAtRisk - d.ShareOther
		obs[j] = math.Abs(d.Diff)
		out[j] = d
	}
	if opt.Permutations == 0 {
		ps := make([]float64, len(patterns))
		for j := range out {
			ps[j] = exactPermutationP(nA+nB, nA, supp[j], out[j].SupportAtRisk)
			out[j].P = ps[j]
		}
		return adjust(out, ps, opt.FDR)
	}
	// Each worker counts its permutations' exceedances in its own slice;
	// the counts are integers, so their sum does not depend on which
	// permutations each worker ran.
	locals := make([][]int64, workpool.Size(opt.Permutations, opt.Workers))
	workpool.ForWorkers(opt.Permutations, opt.Workers, func(w int) func(r int) {
		local := make([]int64, len(patterns))
		locals[w] = local
		labels := make([]int8, len(labelled))
		perm := newBitset(n)
		return func(r int) {
			for i, o := range labelled {
				labels[i] = groups[o]
			}
			rng := permRNG(opt.Seed, r)
			rng.Shuffle(len(labels), func(a, b int) { labels[a], labels[b] = labels[b], labels[a] })
			clear(perm)
			for i, o := range labelled {
				if labels[i] == GroupAtRisk {
					perm.set(o)
				}
			}
			for j, p := range patterns {
				a := p.Owners.andCount(perm)
				d := math.Abs(float64(a)/float64(nA) - float64(supp[j]-a)/float64(nB))
				// The same count as observed gives the same statistic
				// up to rounding: count it as at least as extreme.
				if d >= obs[j]-1e-12 {
					local[j]++
				}
			}
		}
	})
	exceed := make([]int64, len(patterns))
	for _, local := range locals {
		for j, v := range local {
			exceed[j] += v
		}
	}
	ps := make([]float64, len(patterns))
	for j := range out {
		ps[j] = float64(1+exceed[j]) / float64(1+opt.Permutations)
		out[j].P = ps[j]
	}
	return adjust(out, ps, opt.FDR)
}

func adjust(out []Difference, ps []float64, fdr float64) ([]Difference, error) {
	qs, err := abtest.AdjustPValues(ps, abtest.AdjustBH)
	if err != nil {
		return nil, fmt.Errorf("sequences: %w", err)
	}
	for j := range out {
		out[j].Q = qs[j]
		out[j].Significant = qs[j] <= fdr
	}
	return out, nil
}

// exactPermutationP is the two-sided permutation p-value of a supporters
// at risk among s supporters, n owners of which nA at risk: the
// probability, under the hypergeometric distribution of that count, of a
// deviation from its mean s·nA/n at least the observed one.
func exactPermutationP(n, nA, s, a int) float64 {
	nB := n - nA
	mean := float64(s) * float64(nA) / float64(n)
	dev := math.Abs(float64(a) - mean)
	lo, hi := max(0, s-nB), min(s, nA)
	up := max(lo, int(math.Ceil(mean+dev-1e-9)))
	down := min(hi, int(math.Floor(mean-dev+1e-9)))
	if down >= up {
		return 1
	}
	logPMF := func(x int) float64 {
		return lchoose(nA, x) + lchoose(nB, s-x) - lchoose(n, s)
	}
	var p float64
	if up <= hi {
		term := math.Exp(logPMF(up))
		var sum float64
		for x := up; x <= hi; x++ {
			sum += term
			if term < 1e-18*sum && x > up {
				break
			}
			term *= float64(nA-x) * float64(s-x) / (float64(x+1) * float64(nB-s+x+1))
		}
		p += sum
	}
	if down >= lo {
		term := math.Exp(logPMF(down))
		var sum float64
		for x := down; x >= lo; x-- {
			sum += term
			if term < 1e-18*sum && x < down {
				break
			}
			term *= float64(x) * float64(nB-s+x) / (float64(nA-x+1) * float64(s-x+1))
		}
		p += sum
	}
	return min(1, p)
}

func lchoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

func permRNG(seed uint64, r int) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte("sequences/permutation=" + strconv.Itoa(r)))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// Supporters returns the owners with a sequence containing the pattern (in
// order with gaps allowed, or adjacent when contiguous).
func (db *Database) Supporters(items []int32, contiguous bool) Bitset {
	b := newBitset(db.Owners)
	if len(items) == 0 {
		return b
	}
	for s := range db.owner {
		seq := db.flat[db.start[s]:db.start[s+1]]
		if contains(seq, items, contiguous) {
			b.set(int(db.owner[s]))
		}
	}
	return b
}

func contains(seq, pat []int32, contiguous bool) bool {
	if !contiguous {
		k := 0
		for _, it := range seq {
			if it == pat[k] {
				k++
				if k == len(pat) {
					return true
				}
			}
		}
		return false
	}
outer:
	for i := 0; i+len(pat) <= len(seq); i++ {
		for k, it := range pat {
			if seq[i+k] != it {
				continue outer
			}
		}
		return true
	}
	return false
}

// Confirmation is a pattern's difference re-measured on other owners
// (held-out students or a later term).
type Confirmation struct {
	SupportAtRisk int     `json:"support_at_risk"`
	SupportOther  int     `json:"support_other"`
	NAtRisk       int     `json:"n_at_risk"`
	NOther        int     `json:"n_other"`
	ShareAtRisk   float64 `json:"share_at_risk"`
	ShareOther    float64 `json:"share_other"`
	// P is Fisher's exact two-sided p-value of the 2×2 table (group by
	// support) in the held-out owners.
	P float64 `json:"p"`
	// Confirmed: the held-out difference has the discovery's sign and P ≤
	// alpha.
	Confirmed bool `json:"confirmed"`
}

// Confirm re-measures a pattern found by Differential on the owners of
// another database (which must share the item codes) with their groups:
// it is confirmed when the held-out shares differ in the same direction as
// diff and Fisher's exact test gives p ≤ alpha.
func Confirm(db *Database, items []int32, contiguous bool, groups []int8, diff, alpha float64) (Confirmation, error) {
	if len(groups) != db.Owners {
		return Confirmation{}, fmt.Errorf("sequences: confirm: %d groups for %d owners", len(groups), db.Owners)
	}
	sup := db.Supporters(items, contiguous)
	var c Confirmation
	for o, g := range groups {
		switch g {
		case GroupAtRisk:
			c.NAtRisk++
			if sup.Has(o) {
				c.SupportAtRisk++
			}
		case GroupOther:
			c.NOther++
			if sup.Has(o) {
				c.SupportOther++
			}
		}
	}
	if c.NAtRisk == 0 || c.NOther == 0 {
		return c, fmt.Errorf("sequences: confirm: held-out owners in both groups needed (%d at risk, %d other)", c.NAtRisk, c.NOther)
	}
	c.ShareAtRisk = float64(c.SupportAtRisk) / float64(c.NAtRisk)
	c.ShareOther = float64(c.SupportOther) / float64(c.NOther)
	f, err := abtest.FisherExact([2][2]int{{c.SupportAtRisk, c.NAtRisk - c.SupportAtRisk}, {c.SupportOther, c.NOther - c.SupportOther}})
	if err != nil {
		return c, fmt.Errorf("sequences: confirm: %w", err)
	}
	c.P = f.PValue
	d := c.ShareAtRisk - c.ShareOther
	c.Confirmed = c.P <= alpha && d != 0 && (d > 0) == (diff > 0)
	return c, nil
}

// Sentence says a pattern and its two shares in words, e.g. "open quiz,
// then resource: 41% of students who failed, 17% of those who passed".
// whoAtRisk and whoOther complete "students …" and "those …"; contiguous
// patterns read "then immediately".
func Sentence(names []string, contiguous bool, shareAtRisk, shareOther float64, whoAtRisk, whoOther string) string {
	sep := ", then "
	if contiguous {
		sep = ", then immediately "
	}
	return fmt.Sprintf("%s: %.0f%% of students %s, %.0f%% of those %s",
		strings.Join(names, sep), 100*shareAtRisk, whoAtRisk, 100*shareOther, whoOther)
}
