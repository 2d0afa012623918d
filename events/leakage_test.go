package events

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestNoLeakageAfterCutoff perturbs every event dated after each cutoff
// (other actions, resource types and resources, bot user agents,
// duplicated rows, bursts, removed rows, extra rows on later days) and
// checks that every feature of every kind at that cutoff is unchanged.
// The perturbed log is read in another order (sort_in_memory), so the
// streaming and sorting paths are compared too.
func TestNoLeakageAfterCutoff(t *testing.T) {
	var buf bytes.Buffer
	truth, err := genClickstream(&buf, genConfig{Students: 120, MaxSessions: 25, MaxEvents: 12, UnknownStudents: 3, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation(genZone)
	day0 := time.Date(2024, 1, 8, 0, 0, 0, 0, loc)
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	for _, c := range []int{-1, 0, 6, 20, 45} {
		opts := genOptions(t, truth, []int{c})
		opts.Features = DefaultFeatures()
		base := buildGenerated(t, buf.Bytes(), opts)
		rng := rand.New(rand.NewPCG(uint64(c+100), 1))
		var out bytes.Buffer
		out.WriteString(lines[0] + "\n")
		changed := 0
		for _, line := range lines[1:] {
			f := strings.Split(line, ",")
			if f[1] == "" {
				out.WriteString(line + "\n")
				continue
			}
			ts, err := time.ParseInLocation("2006-01-02 15:04:05.000", f[1], loc)
			if err != nil {
				t.Fatal(err)
			}
			y, m, d := ts.Date()
			day := int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC)).Hours() / 24)
			if day <= c {
				out.WriteString(line + "\n")
				continue
			}
			changed++
			switch rng.IntN(6) {
			case 0: // removed
				continue
			case 1:
				f[2], f[4] = "posted", "forum"
			case 2:
				f[2], f[3], f[4] = fmt.Sprintf("newaction%d", rng.IntN(3)), "r999", "newtype"
			case 3:
				f[6] = genBot
			case 4: // duplicated and a burst in the same minute
				for i := range 70 {
					g := append([]string(nil), f...)
					g[1] = ts.Add(time.Duration(i) * 100 * time.Millisecond).Format("2006-01-02 15:04:05.000")
					out.WriteString(strings.Join(g, ",") + "\n")
				}
			}
			out.WriteString(strings.Join(f, ",") + "\n")
		}
		// Extra events after the cutoff for every student, on the last day.
		for i, id := range truth.students {
			ts := day0.AddDate(0, 0, max(c+1, 0)+i%30).Add(10 * time.Hour)
			fmt.Fprintf(&out, "%s,%s,submitted,r7,quiz,C1,%s\n", id, ts.Format("2006-01-02 15:04:05.000"), genHuman)
		}
		if changed == 0 {
			t.Fatalf("cutoff %d: nothing after the cutoff to perturb", c)
		}
		opts.SortInMemory = true
		pert := buildGenerated(t, out.Bytes(), opts)
		want, _, err := base.Columns(c, truth.students, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := pert.Columns(c, truth.students, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("cutoff %d: %d columns after perturbation, %d before", c, len(got), len(want))
		}
		for j := range want {
			if got[j].Name != want[j].Name {
				t.Fatalf("cutoff %d: column %d is %q, was %q", c, j, got[j].Name, want[j].Name)
			}
			for r := range want[j].Values {
				if !sameFloat(got[j].Values[r], want[j].Values[r]) {
					t.Errorf("cutoff %d: %s of %s changed from %v to %v", c, want[j].Name, truth.students[r], want[j].Values[r], got[j].Values[r])
					break
				}
			}
		}
		if len(want) < 20 {
			t.Errorf("cutoff %d: only %d columns compared", c, len(want))
		}
	}
}
