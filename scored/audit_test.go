package scored

import (
	"math"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/fairness"
)

// TestAuditSweep audits a small table at three thresholds and checks each
// audit's selection rates against counts made by hand.
func TestAuditSweep(t *testing.T) {
	tab := &Table{
		Labels: []uint8{1, 0, 1, 0, 1, 0, 1, 0},
		Scores: []float64{0.9, 0.8, 0.6, 0.3, 0.7, 0.4, 0.2, 0.1},
		Groups: []Column{{Name: "g", Values: []string{"a", "a", "a", "a", "b", "b", "b", "b"}}},
	}
	opts := fairness.DefaultAuditOptions()
	opts.MinGroupSize, opts.BootstrapReplicates, opts.Permutations = 1, 0, 0
	opts.VerdictRule = fairness.RulePoint
	opts.Thresholds = []fairness.GapThreshold{{Metric: "selection_rate_difference", Max: 0.3}}
	sw, err := AuditSweep(tab, []float64{0.25, 0.5, 0.75}, opts)
	if err != nil {
		t.Fatal(err)
	}
	// Group a scores 0.9 0.8 0.6 0.3, group b 0.7 0.4 0.2 0.1.
	want := [][2]float64{{1, 0.5}, {0.75, 0.25}, {0.5, 0}}
	if len(sw.Audits) != 3 {
		t.Fatalf("%d audits, want 3", len(sw.Audits))
	}
	for i, a := range sw.Audits {
		if a.Threshold != []float64{0.25, 0.5, 0.75}[i] {
			t.Errorf("audit %d at threshold %g", i, a.Threshold)
		}
		for j, g := range a.Attributes[0].Groups {
			if got := g.SelectionRate.Value; math.Abs(got-want[i][j]) > 1e-12 {
				t.Errorf("threshold %g group %s: selection rate %g, want %g", a.Threshold, g.Group, got, want[i][j])
			}
		}
	}
	// The gap b - a is -0.5 at every threshold: FAIL against ±0.3.
	if sw.Status != fairness.Fail {
		t.Errorf("sweep status %s, want FAIL", sw.Status)
	}
	for _, bad := range [][]float64{nil, {0.5, 0.5}, {math.NaN()}} {
		if _, err := AuditSweep(tab, bad, opts); err == nil || !strings.Contains(err.Error(), "threshold sweep") {
			t.Errorf("AuditSweep(%v): err = %v", bad, err)
		}
	}
}
