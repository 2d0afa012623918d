package sequences

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func TestSplitSessions(t *testing.T) {
	for _, tc := range []struct {
		times []int64
		gap   int64
		want  []int
	}{
		{nil, 10, nil},
		{[]int64{5}, 10, []int{0}},
		{[]int64{0, 10, 21, 22, 40}, 10, []int{0, 2, 4}}, // a gap of exactly 10 stays in the session
		{[]int64{0, 100, 200}, 10, []int{0, 1, 2}},
	} {
		if got := SplitSessions(tc.times, tc.gap); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SplitSessions(%v, %d) = %v, want %v", tc.times, tc.gap, got, tc.want)
		}
	}
	if got := CollapseRepeats([]int32{1, 1, 2, 2, 2, 1, 3, 3}); !reflect.DeepEqual(got, []int32{1, 2, 1, 3}) {
		t.Errorf("CollapseRepeats = %v", got)
	}
}

// bruteSupport counts, for every pattern up to maxLen over the items, the
// owners with a sequence containing it.
func bruteSupport(db *Database, maxLen int, contiguous bool) map[string]int {
	out := map[string]int{}
	var rec func(p []int32)
	rec = func(p []int32) {
		if len(p) > 0 {
			if c := db.Supporters(p, contiguous).Count(); c > 0 {
				out[fmt.Sprint(p)] = c
			} else {
				return
			}
		}
		if len(p) == maxLen {
			return
		}
		for it := range db.Items {
			rec(append(append([]int32(nil), p...), int32(it)))
		}
	}
	rec(nil)
	return out
}

// Mining several sessions per owner counts each owner once, in both modes,
// and agrees with brute force.
func TestMineMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for trial := 0; trial < 8; trial++ {
		owners := 15 + trial
		db := NewDatabase([]string{"a", "b", "c", "d"}, owners)
		for o := 0; o < owners; o++ {
			for s := rng.IntN(3); s >= 0; s-- {
				seq := make([]int32, rng.IntN(6))
				for i := range seq {
					seq[i] = int32(rng.IntN(4))
				}
				if err := db.Add(o, seq); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, contiguous := range []bool{false, true} {
			const maxLen = 4
			minSup := 0.15 + 0.05*float64(trial%3)
			pats, err := db.Mine(MineOptions{MinSupport: minSup, MaxLength: maxLen, Contiguous: contiguous, KeepOwners: true})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{}
			for p, c := range bruteSupport(db, maxLen, contiguous) {
				if c >= MinCount(minSup, owners) {
					want[p] = c
				}
			}
			got := map[string]int{}
			for _, p := range pats {
				got[fmt.Sprint(p.Items)] = p.Support
				if p.Owners.Count() != p.Support {
					t.Errorf("pattern %v: %d owners in the set, support %d", p.Items, p.Owners.Count(), p.Support)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("trial %d contiguous=%v: got %v\nwant %v", trial, contiguous, got, want)
			}
		}
	}
}

func TestMineBadInput(t *testing.T) {
	db := FromStrings([][]string{{"a"}})
	for _, o := range []MineOptions{{MinSupport: 0}, {MinSupport: 1.5}, {MinSupport: 0.5, MaxLength: -1}, {MinSupport: 0.5, Contiguous: true}} {
		if _, err := db.Mine(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if err := db.Add(3, nil); err == nil {
		t.Error("owner out of range accepted")
	}
	if err := db.Add(0, []int32{7}); err == nil || !strings.Contains(err.Error(), "item code 7") {
		t.Errorf("bad item code: %v", err)
	}
}

// simulate returns a database of owners with 1-3 sessions of random actions
// over six items; at-risk owners (every third) get the sequence 0 → 1 → 2
// planted in a session with probability pAtRisk, the others with pOther.
func simulate(rng *rand.Rand, owners int, pAtRisk, pOther float64) (*Database, []int8) {
	db := NewDatabase([]string{"open quiz", "resource", "quiz attempt", "forum", "video", "page"}, owners)
	groups := make([]int8, owners)
	for o := range groups {
		if o%3 == 0 {
			groups[o] = GroupAtRisk
		}
		p := pOther
		if groups[o] == GroupAtRisk {
			p = pAtRisk
		}
		for s := 1 + rng.IntN(3); s > 0; s-- {
			seq := make([]int32, 0, 8)
			for i := 3 + rng.IntN(4); i > 0; i-- {
				seq = append(seq, int32(3+rng.IntN(3)))
			}
			if rng.Float64() < p {
				seq = append(seq, 0, 1, 2)
			}
			_ = db.Add(o, seq)
		}
	}
	return db, groups
}

func TestDifferentialFindsAndConfirmsPlantedPattern(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	train, g := simulate(rng, 300, 0.5, 0.1)
	pats, err := train.Mine(MineOptions{MinSupport: 0.05, MaxLength: 3, KeepOwners: true})
	if err != nil {
		t.Fatal(err)
	}
	diffs, err := Differential(pats, g, DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	held, hg := simulate(rng, 300, 0.5, 0.1)
	found := false
	for j, d := range diffs {
		names := strings.Join(pats[j].Names(train.Items), ">")
		if names == "open quiz>resource>quiz attempt" {
			found = true
			if !d.Significant || d.Diff < 0.2 {
				t.Errorf("planted pattern: diff %.3f q %.4f, want significant and about 0.4", d.Diff, d.Q)
			}
			c, err := Confirm(held, pats[j].Items, false, hg, d.Diff, 0.05)
			if err != nil {
				t.Fatal(err)
			}
			if !c.Confirmed {
				t.Errorf("planted pattern not confirmed on held-out owners: %+v", c)
			}
		}
		// Patterns of the background items only are not planted.
		if !strings.Contains(names, "open quiz") && !strings.Contains(names, "resource") && !strings.Contains(names, "quiz attempt") && d.Significant {
			t.Errorf("background pattern %s significant (q %.4f)", names, d.Q)
		}
	}
	if !found {
		t.Fatal("planted pattern not mined")
	}
	// Identical whatever the number of workers.
	again, _ := Differential(pats, g, DiffOptions{Permutations: 300, Seed: 3, Workers: 1})
	again4, _ := Differential(pats, g, DiffOptions{Permutations: 300, Seed: 3, Workers: 4})
	if !reflect.DeepEqual(again, again4) {
		t.Error("sampled permutations differ between worker counts")
	}
	for j := range again {
		if d := again[j].P - diffs[j].P; d > 0.1 || d < -0.1 {
			t.Errorf("pattern %d: sampled p %.3f far from exact %.3f", j, again[j].P, diffs[j].P)
		}
	}
}

// Under the null (no planted difference) the permutation p-value of a
// pattern is uniform: it falls at or below 0.05 in about 5% of replicates
// (binomial bound over 200 replicates: at most 19).
func TestDifferentialNullCalibration(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	rejections, exactRejections := 0, 0
	const reps = 200
	for r := 0; r < reps; r++ {
		db, g := simulate(rng, 60, 0.3, 0.3)
		sup := db.Supporters([]int32{0, 1, 2}, false)
		pats := []Pattern{{Items: []int32{0, 1, 2}, Owners: sup}}
		sampled, err := Differential(pats, g, DiffOptions{Permutations: 199, Seed: uint64(r)})
		if err != nil {
			t.Fatal(err)
		}
		exact, err := Differential(pats, g, DiffOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if sampled[0].P <= 0.05 {
			rejections++
		}
		if exact[0].P <= 0.05 {
			exactRejections++
		}
	}
	if rejections > 19 || exactRejections > 19 {
		t.Errorf("%d (sampled) and %d (exact) of %d null replicates rejected at 0.05", rejections, exactRejections, reps)
	}
	if rejections+exactRejections == 0 {
		t.Error("no null replicate rejected: the test has no power to see calibration")
	}
}

func TestSentence(t *testing.T) {
	got := Sentence([]string{"open quiz", "resource", "quiz attempt"}, false, 0.41, 0.17, "who passed", "who failed")
	if want := "open quiz, then resource, then quiz attempt: 41% of students who passed, 17% of those who failed"; got != want {
		t.Errorf("%q\nwant %q", got, want)
	}
	got = Sentence([]string{"a", "b"}, true, 0.5, 0.25, "at risk", "not at risk")
	if want := "a, then immediately b: 50% of students at risk, 25% of those not at risk"; got != want {
		t.Errorf("%q\nwant %q", got, want)
	}
}

// The exact permutation p-value equals the share of all label permutations
// (enumerated) whose statistic is at least the observed one.
func TestExactPermutationPByEnumeration(t *testing.T) {
	for _, tc := range []struct{ n, nA, s, a int }{
		{8, 3, 4, 3}, {8, 3, 4, 1}, {10, 5, 5, 5}, {9, 4, 3, 0}, {12, 4, 6, 2}, {7, 2, 7, 2}, {11, 5, 4, 4},
	} {
		// Enumerate every subset of size nA (the at-risk owners) of n
		// owners; supporters are owners 0..s-1.
		stat := func(a int) float64 {
			return abs(float64(a)/float64(tc.nA) - float64(tc.s-a)/float64(tc.n-tc.nA))
		}
		obs := stat(tc.a)
		total, extreme := 0, 0
		for mask := 0; mask < 1<<tc.n; mask++ {
			if popcount(mask) != tc.nA {
				continue
			}
			total++
			if stat(popcount(mask&(1<<tc.s-1))) >= obs-1e-12 {
				extreme++
			}
		}
		want := float64(extreme) / float64(total)
		if got := exactPermutationP(tc.n, tc.nA, tc.s, tc.a); abs(got-want) > 1e-12 {
			t.Errorf("%+v: p = %.15g, enumeration %.15g", tc, got, want)
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func popcount(x int) int {
	n := 0
	for ; x > 0; x &= x - 1 {
		n++
	}
	return n
}
