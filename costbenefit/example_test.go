package costbenefit_test

import (
	"fmt"

	"github.com/evalrun/evalrun/costbenefit"
)

// Ten test students in score order, four DFW among the top five; a pilot
// that cut DFW from 40% to 30% among contacted students.
func ExampleAnalyze() {
	res, err := costbenefit.Analyze(costbenefit.Inputs{
		Scores:   []float64{0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05},
		Labels:   []uint8{1, 1, 0, 1, 1, 0, 0, 1, 0, 0},
		Capacity: 5, Capacities: []int{5}, CostPerContact: 100,
		Effect: costbenefit.Effect{RiskDifference: -0.1, Lower: -0.18, Upper: -0.02, Level: 0.95, ControlRate: 0.4, ControlN: 400},
		Seed:   1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	p := res.Planned
	fmt.Printf("precision %.2f, reached %.0f at risk, prevented %.1f, %s per outcome\n", p.Precision.Value, p.ReachedAtRisk.Value, p.Prevented.Value, fmt.Sprintf("$%.0f", p.CostPerOutcome.Value))
	// Output: precision 0.80, reached 4 at risk, prevented 1.0, $500 per outcome
}
