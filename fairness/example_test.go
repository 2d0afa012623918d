package fairness_test

import (
	"fmt"

	"github.com/evalrun/evalrun/fairness"
)

// The fairlearn user guide's demographic parity example.
func ExampleDemographicParity() {
	y := []uint8{0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1}
	pred := []float64{0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0}
	groups := []string{"b", "b", "a", "b", "b", "c", "c", "c", "a", "a", "c", "a", "b", "c", "c", "b", "c", "c"}
	dp, err := fairness.DemographicParity(y, pred, groups, 0.5)
	if err != nil {
		panic(err)
	}
	fmt.Printf("difference %.2f, ratio %.3f (%s highest, %s lowest)\n",
		dp.Difference.Value, dp.Ratio.Value, dp.HighestGroup, dp.LowestGroup)
	// Output: difference 0.25, ratio 0.667 (a highest, b lowest)
}

// Two ROC curves that cross: the area between them counts both sides.
func ExampleABROCACurves() {
	// A: (0,0) (0,0.5) (1,0.5) (1,1); B: (0,0) (0.5,0) (0.5,1) (1,1).
	area, err := fairness.ABROCACurves(
		[]float64{0, 0, 1, 1}, []float64{0, 0.5, 0.5, 1},
		[]float64{0, 0.5, 0.5, 1}, []float64{0, 0, 1, 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(area)
	// Output: 0.5
}

// Verdicts are inclusive at the band's edges and inconclusive when the
// interval straddles one.
func ExampleJudge() {
	k := fairness.Known
	for _, iv := range [][2]float64{{0.8, 1.1}, {0.7, 0.9}, {0.6, 0.75}} {
		outcome, reason := fairness.Judge(k((iv[0]+iv[1])/2), k(iv[0]), k(iv[1]), 0.8, 1.25, fairness.RuleInterval)
		fmt.Println(outcome, "-", reason)
	}
	// Output:
	// PASS - interval [0.8, 1.1] lies inside [0.8, 1.25]
	// INCONCLUSIVE - interval [0.7, 0.9] straddles an edge of [0.8, 1.25]
	// FAIL - interval [0.6, 0.75] lies entirely outside [0.8, 1.25]
}

// An audit of one attribute against a named reference group, with a
// threshold on the equal-opportunity gap judged on its point estimate.
func ExampleAudit() {
	var y []uint8
	var score []float64
	var gender []string
	for i := range 200 {
		g := []string{"F", "M"}[i%2]
		label := uint8(0)
		if i%5 < 2 {
			label = 1
		}
		s := 0.3
		if label == 1 && (g == "F" || i%3 != 0) {
			s = 0.8 // 13 of the 40 M positives (i%3 == 0) are missed
		}
		y, score, gender = append(y, label), append(score, s), append(gender, g)
	}
	opts := fairness.DefaultAuditOptions()
	opts.BootstrapReplicates, opts.Permutations = 0, 0
	opts.Metrics = []string{fairness.MetricTPR}
	opts.References = map[string]fairness.Reference{"gender": {Mode: fairness.ReferenceGroup, Group: "F"}}
	opts.VerdictRule = fairness.RulePoint
	opts.Thresholds = []fairness.GapThreshold{{Metric: "tpr_difference", Max: 0.1}}
	res, err := fairness.Audit(y, score, []fairness.Attribute{{Name: "gender", Values: gender}}, opts)
	if err != nil {
		panic(err)
	}
	for _, g := range res.Attributes[0].Groups {
		fmt.Printf("%s: n=%d TPR=%.3f\n", g.Group, *g.Count, g.TPR.Value)
	}
	v := res.Verdicts[0]
	fmt.Printf("%s %s vs %s: %.3f -> %s\n", v.Metric, v.Group, v.Reference, v.Estimate.Value, v.Outcome)
	fmt.Println("status", res.Status, "exit code", res.Status.ExitCode(false))
	// Output:
	// F: n=100 TPR=1.000
	// M: n=100 TPR=0.675
	// tpr_difference M vs F: -0.325 -> FAIL
	// status FAIL exit code 3
}
