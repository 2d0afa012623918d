package metrics_test

import (
	"encoding/json"
	"fmt"

	"github.com/evalrun/evalrun/metrics"
)

func ExampleROCAUC() {
	// The example of scikit-learn's roc_auc_score documentation.
	y := []uint8{0, 0, 1, 1}
	score := []float64{0.1, 0.4, 0.35, 0.8}
	auc, err := metrics.ROCAUC(y, score, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	ap, _ := metrics.AveragePrecision(y, score, nil)
	fmt.Printf("AUC %.2f, AP %.4f\n", auc, ap)
	// Output: AUC 0.75, AP 0.8333
}

func ExampleConfusion_Precision() {
	// Nothing is flagged at 0.9: precision is undefined, not 0.
	c, _ := metrics.ConfusionAt([]uint8{0, 1, 1}, []float64{0.2, 0.4, 0.8}, 0.9)
	p, ok := c.Precision()
	r, _ := c.Recall()
	fmt.Println(c, p, ok, r)
	// Output: {0 0 1 2} 0 false 0
}

func ExampleThresholdPolicy_Threshold() {
	// An advisor can call 2 students: flag at most 2 of the test rows. The
	// two rows tied at 0.7 would make 3, so neither is flagged.
	policy := metrics.ThresholdPolicy{Kind: "top_k", K: 2}
	test := []float64{0.9, 0.7, 0.7, 0.1}
	t, _ := policy.Threshold(nil, nil, test)
	fmt.Println(policy, t)
	// Output: top_k(2) 0.9
}

func ExampleEvaluate() {
	r, _ := metrics.Evaluate([]uint8{0, 0, 1}, []float64{2, 5, 9}, 6)
	b, _ := json.Marshal(struct {
		AUC, Brier, Precision *float64
		Why                   string
	}{r.AUC, r.Brier, r.Precision, r.Undefined["brier"]})
	fmt.Println(string(b))
	// Output: {"AUC":1,"Brier":null,"Precision":1,"Why":"scores are not probabilities in [0, 1]"}
}

func ExampleDeLongCI() {
	// By hand: positive placements 1/3, 1, 1 and negative placements 1,
	// 2/3, 2/3 give AUC 7/9 and Var = (12/81)/3 + (3/81)/3; the upper
	// bound 0.778 + 1.96·0.248 is clipped to 1 as pROC does.
	y := []uint8{0, 0, 1, 1, 0, 1}
	score := []float64{0.1, 0.4, 0.35, 0.8, 0.6, 0.7}
	ci, _ := metrics.DeLongCI(y, score, 0.95)
	fmt.Printf("AUC %.3f [%.3f, %.3f]\n", ci.AUC, ci.Lower, ci.Upper)
	// Output: AUC 0.778 [0.291, 1.000]
}

func ExampleBootstrap() {
	y := []uint8{0, 0, 1, 1, 0, 1, 0, 1, 0, 0}
	score := []float64{0.1, 0.4, 0.35, 0.8, 0.6, 0.7, 0.2, 0.9, 0.3, 0.5}
	res, _ := metrics.Bootstrap(y, score, 0.5, metrics.BootstrapOptions{
		Replicates: 1000, Level: 0.95, Seed: 1, Task: "example/model=logit",
	})
	auc, _ := res.Interval("auc") // estimate by hand: 21 of 24 pairs

	fmt.Printf("%s: %.3f, %d replicates\n", auc.Metric, *auc.Estimate, auc.DefinedReplicates)
	// Output: auc: 0.875, 1000 replicates
}
