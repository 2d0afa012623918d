package abtest

import (
	"strings"
	"testing"
)

// TestSubgroupSmallLevelsSuppressed: a level with fewer units than
// MinLevelSize gets no effect and is out of the interaction test; 0 keeps
// every level.
func TestSubgroupSmallLevelsSuppressed(t *testing.T) {
	// Levels A and B have 40 units each, C has 6; arms alternate.
	var y []float64
	var treated []bool
	var groups []string
	for _, lv := range []struct {
		name string
		n    int
	}{{"A", 40}, {"B", 40}, {"C", 6}} {
		for i := 0; i < lv.n; i++ {
			treated = append(treated, i%2 == 0)
			groups = append(groups, lv.name)
			y = append(y, float64((i*7+len(lv.name))%3)/2) // varied outcomes in each arm
		}
	}
	cases := []struct {
		min    int
		levels string
		warn   string
	}{
		{0, "A,B,C", ""},
		{6, "A,B,C", ""},
		{7, "A,B", `subgroup "C" has fewer than 7 units (min_group_size): suppressed`},
		{41, "", "usable subgroup level"},
	}
	for _, c := range cases {
		r, err := SubgroupEffects(y, treated, groups, SubgroupOptions{Level: 0.95, MinLevelSize: c.min})
		if c.levels == "" {
			if err == nil || !strings.Contains(err.Error(), c.warn) {
				t.Errorf("min %d: err = %v, want %q", c.min, err, c.warn)
			}
			continue
		}
		if err != nil {
			t.Fatalf("min %d: %v", c.min, err)
		}
		var got []string
		for _, l := range r.Levels {
			got = append(got, l.Level)
		}
		if strings.Join(got, ",") != c.levels || c.warn != "" && !strings.Contains(strings.Join(r.Warnings, "\n"), c.warn) {
			t.Errorf("min %d: levels %v, warnings %q; want %s and %q", c.min, got, r.Warnings, c.levels, c.warn)
		}
		if want := len(got) - 1; r.InteractionDF != want {
			t.Errorf("min %d: interaction df %d, want %d", c.min, r.InteractionDF, want)
		}
	}
}
