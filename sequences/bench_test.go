package sequences

import (
	"math/rand/v2"
	"testing"
)

// benchLog is a 10-million-event log: 100,000 students × 100 events over
// 20 actions, in sessions of a few events separated by gaps of hours;
// students 0, 3, 6, ... are at risk and more often do action 0, then 1.
func benchLog() (times []int64, actions []int32, start []int, groups []int8) {
	const students, perStudent = 100000, 100
	rng := rand.New(rand.NewPCG(4, 4))
	times = make([]int64, 0, students*perStudent)
	actions = make([]int32, 0, students*perStudent)
	groups = make([]int8, students)
	start = make([]int, 0, students+1)
	for s := 0; s < students; s++ {
		start = append(start, len(times))
		if s%3 == 0 {
			groups[s] = GroupAtRisk
		}
		t := int64(0)
		for e := 0; e < perStudent; e++ {
			if rng.IntN(8) == 0 {
				t += 3 * 3600 * 1000
			} else {
				t += int64(rng.IntN(300)) * 1000
			}
			a := int32(rng.IntN(20))
			if groups[s] == GroupAtRisk && rng.IntN(10) == 0 {
				a = int32(e % 2)
			}
			times = append(times, t)
			actions = append(actions, a)
		}
	}
	start = append(start, len(times))
	return
}

// BenchmarkMine10MEvents is the target: sessions by a 30-minute
// gap, PrefixSpan (min support 0.1, patterns up to 3 actions), and the
// differential test with 1000 label permutations, over 10 million events.
func BenchmarkMine10MEvents(b *testing.B) {
	times, actions, start, groups := benchLog()
	items := make([]string, 20)
	for i := range items {
		items[i] = string(rune('a' + i))
	}
	b.ResetTimer()
	for b.Loop() {
		db := NewDatabase(items, len(groups))
		buf := make([]int32, 0, 128)
		for s := range groups {
			ts, as := times[start[s]:start[s+1]], actions[start[s]:start[s+1]]
			ss := SplitSessions(ts, 30*60*1000)
			for k, lo := range ss {
				hi := len(ts)
				if k+1 < len(ss) {
					hi = ss[k+1]
				}
				buf = append(buf[:0], as[lo:hi]...)
				if err := db.Add(s, CollapseRepeats(buf)); err != nil {
					b.Fatal(err)
				}
			}
		}
		pats, err := db.Mine(MineOptions{MinSupport: 0.1, MaxLength: 3, KeepOwners: true})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Differential(pats, groups, DiffOptions{Seed: 1}); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(pats)), "patterns")
	}
}
