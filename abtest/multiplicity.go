package abtest

import (
	"fmt"
	"math"
)

// Hypothesis is one test of a family whose error rate is controlled
// jointly: an arm-versus-control comparison on one outcome, or a subgroup
// interaction.
type Hypothesis struct {
	// Name identifies the test in reports ("tutoring vs control: dfw").
	Name string `json:"name"`
	// PValue is the unadjusted p-value, in [0, 1].
	PValue float64 `json:"p_value"`
	// Primary marks tests of the primary outcome; used by the gatekeeping
	// strategy.
	Primary bool `json:"primary"`
}

// MultiplicityStrategy says how a family of hypotheses is tested.
type MultiplicityStrategy string

const (
	// StrategyPooled adjusts all hypotheses together with the method.
	StrategyPooled MultiplicityStrategy = "pooled"
	// StrategyGatekeeping tests the primary hypotheses first (adjusted
	// among themselves with the method); the secondary ones are tested,
	// adjusted among themselves, only if every primary hypothesis is
	// rejected (serial gatekeeping). The family-wise error rate of the
	// primary family is protected regardless of the secondary ones.
	StrategyGatekeeping MultiplicityStrategy = "gatekeeping"
	// StrategyFixedSequence tests the hypotheses in the order given, each
	// at the full alpha, stopping at the first that is not rejected.
	StrategyFixedSequence MultiplicityStrategy = "fixed-sequence"
)

// MultiplicityPlan configures MultipleTesting.
type MultiplicityPlan struct {
	// Method adjusts p-values within a family; ignored by the fixed
	// sequence.
	Method AdjustMethod `json:"method"`
	// Strategy is pooled, gatekeeping or fixed-sequence ("" means pooled).
	Strategy MultiplicityStrategy `json:"strategy"`
	// Alpha is the significance level, in (0, 1).
	Alpha float64 `json:"alpha"`
}

// Decision is the outcome of one hypothesis under multiplicity control.
type Decision struct {
	Name    string  `json:"name"`
	PValue  float64 `json:"p_value"`
	Primary bool    `json:"primary"`
	// AdjustedP is the adjusted p-value: the hypothesis is rejected
	// exactly when AdjustedP <= Alpha. Under gatekeeping a secondary
	// hypothesis's adjusted p-value is at least the largest adjusted
	// p-value of the primary family; under the fixed sequence it is the
	// largest raw p-value up to and including it.
	AdjustedP float64 `json:"adjusted_p"`
	Rejected  bool    `json:"rejected"`
	// Reason explains a non-rejection that is due to the procedure rather
	// than the hypothesis's own p-value ("gate closed: a primary
	// hypothesis was not rejected").
	Reason string `json:"reason,omitempty"`
}

// MultipleTesting applies the plan to the hypotheses, returned in input
// order. Under StrategyFixedSequence the input order is the declared
// testing order; under StrategyGatekeeping at least one hypothesis must be
// primary. BH and BY control the false discovery rate, the other methods
// the family-wise error rate.
func MultipleTesting(hyps []Hypothesis, plan MultiplicityPlan) ([]Decision, error) {
	if err := checkAlpha(plan.Alpha); err != nil {
		return nil, fmt.Errorf("multiple testing: %w", err)
	}
	p := make([]float64, len(hyps))
	for i, h := range hyps {
		if !(h.PValue >= 0 && h.PValue <= 1) {
			return nil, fmt.Errorf("multiple testing: %q has p-value %v, not in [0, 1]", h.Name, h.PValue)
		}
		p[i] = h.PValue
	}
	out := make([]Decision, len(hyps))
	for i, h := range hyps {
		out[i] = Decision{Name: h.Name, PValue: h.PValue, Primary: h.Primary}
	}
	switch plan.Strategy {
	case StrategyPooled, "":
		adj, err := AdjustPValues(p, plan.Method)
		if err != nil {
			return nil, fmt.Errorf("multiple testing: %w", err)
		}
		for i := range out {
			out[i].AdjustedP = adj[i]
		}
	case StrategyFixedSequence:
		run := 0.0
		for i := range out {
			run = math.Max(run, p[i])
			out[i].AdjustedP = run
			if run > plan.Alpha && p[i] <= plan.Alpha {
				out[i].Reason = "sequence stopped: an earlier hypothesis in the declared order was not rejected"
			}
		}
	case StrategyGatekeeping:
		var prim, sec []int
		for i, h := range hyps {
			if h.Primary {
				prim = append(prim, i)
			} else {
				sec = append(sec, i)
			}
		}
		if len(prim) == 0 {
			return nil, fmt.Errorf("multiple testing: gatekeeping needs at least one primary hypothesis")
		}
		gate := 0.0
		for fam, idx := range [][]int{prim, sec} {
			sub := make([]float64, len(idx))
			for j, i := range idx {
				sub[j] = p[i]
			}
			adj, err := AdjustPValues(sub, plan.Method)
			if err != nil {
				return nil, fmt.Errorf("multiple testing: %w", err)
			}
			for j, i := range idx {
				out[i].AdjustedP = math.Max(adj[j], gate)
				if fam == 1 && gate > plan.Alpha && adj[j] <= plan.Alpha {
					out[i].Reason = "gate closed: a primary hypothesis was not rejected"
				}
			}
			if fam == 0 {
				for _, a := range adj {
					gate = math.Max(gate, a)
				}
			}
		}
	default:
		return nil, fmt.Errorf("multiple testing: unknown strategy %q (want pooled, gatekeeping or fixed-sequence)", plan.Strategy)
	}
	for i := range out {
		out[i].Rejected = out[i].AdjustedP <= plan.Alpha
	}
	return out, nil
}
