package reports

import (
	"bytes"
	"testing"

	"github.com/evalrun/evalrun/fairness"
)

// TestWriteAuditSweepGolden renders a two-threshold audit of eight
// students in two groups; the rates are easy to check by hand (group a
// scores 0.9 0.8 0.6 0.3, group b 0.7 0.4 0.2 0.1; at 0.5 a flags 3 of 4,
// b 1 of 4).
func TestWriteAuditSweepGolden(t *testing.T) {
	y := []uint8{1, 0, 1, 0, 1, 0, 1, 0}
	score := []float64{0.9, 0.8, 0.6, 0.3, 0.7, 0.4, 0.2, 0.1}
	attrs := []fairness.Attribute{{Name: "g", Values: []string{"a", "a", "a", "a", "b", "b", "b", "b"}}}
	opts := fairness.DefaultAuditOptions()
	opts.MinGroupSize, opts.BootstrapReplicates, opts.Permutations = 1, 0, 0
	opts.VerdictRule = fairness.RulePoint
	opts.Metrics = []string{fairness.MetricSelectionRate, fairness.MetricTPR, fairness.MetricFPR, fairness.MetricFNR, fairness.MetricPPV}
	opts.Thresholds = []fairness.GapThreshold{{Metric: "selection_rate_difference", Max: 0.3}}
	var audits []fairness.AuditResult
	var statuses []fairness.Outcome
	for _, thr := range []float64{0.5, 0.75} {
		o := opts
		o.Threshold = thr
		res, err := fairness.Audit(y, score, attrs, o)
		if err != nil {
			t.Fatal(err)
		}
		audits = append(audits, res)
		statuses = append(statuses, res.Status)
	}
	var b bytes.Buffer
	if err := WriteAuditSweep(&b, audits, fairness.WorstOutcome(statuses...)); err != nil {
		t.Fatal(err)
	}
	compareGolden(t, "audit-sweep.golden", b.Bytes())
}
