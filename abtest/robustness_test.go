package abtest

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestEdgeInputsNeverPanic feeds seeded random and degenerate inputs to
// every public statistic and checks that each returns a result or an error
// (never panics) and that every result encodes as JSON (so no NaN or
// infinity leaks into a report).
func TestEdgeInputsNeverPanic(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	specials := []float64{0, 1, -1, 0.5, 1e-300, 1e300, math.NaN(), math.Inf(1), 2, 1e-9}
	f := func() float64 {
		if rng.IntN(4) == 0 {
			return specials[rng.IntN(len(specials))]
		}
		return rng.NormFloat64()
	}
	count := func() int { return rng.IntN(8) - 1 }
	vec := func() []float64 {
		v := make([]float64, rng.IntN(6))
		for i := range v {
			v[i] = f()
		}
		if rng.IntN(3) == 0 {
			for i := range v {
				v[i] = 3 // constant
			}
		}
		return v
	}
	bools := func(n int) []bool {
		b := make([]bool, n)
		for i := range b {
			b[i] = rng.IntN(2) == 0
		}
		return b
	}
	labels := func(n int) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = string(rune('a' + rng.IntN(3)))
		}
		return s
	}
	encode := func(name string, v any, err error) {
		if err != nil {
			return
		}
		if _, jerr := json.Marshal(v); jerr != nil {
			t.Errorf("%s: result %+v does not encode as JSON: %v", name, v, jerr)
		}
	}
	for range 3000 {
		lvl := []float64{0.95, 0, 1, math.NaN(), 0.5}[rng.IntN(5)]
		x1, n1, x2, n2 := count(), count(), count(), count()
		r1, e1 := TwoProportions(x1, n1, x2, n2, lvl)
		encode("TwoProportions", r1, e1)
		r2, e2 := RiskRatio(x1, n1, x2, n2, lvl)
		encode("RiskRatio", r2, e2)
		r3, e3 := OddsRatio(x1, n1, x2, n2, lvl)
		encode("OddsRatio", r3, e3)
		r4, e4 := NumberNeededToTreat(x1, n1, x2, n2, lvl)
		encode("NNT", r4, e4)
		r5, e5 := FisherExact([2][2]int{{x1, n1}, {x2, n2}})
		encode("Fisher", r5, e5)
		r6, e6 := ChiSquareContingency([][]int{{x1, n1}, {x2, n2}}, rng.IntN(2) == 0)
		encode("ChiSquare", r6, e6)
		r7, e7 := SampleRatioMismatch([]int{x1, x2}, []float64{f(), f()})
		encode("SRM", r7, e7)
		a, b := vec(), vec()
		r8, e8 := WelchT(a, b, lvl)
		encode("Welch", r8, e8)
		r9, e9 := MannWhitney(a, b)
		encode("MannWhitney", r9, e9)
		r10, e10 := AdjustPValues(a, AdjustBY)
		encode("AdjustPValues", r10, e10)
		y := vec()
		n := len(y)
		tr := bools(n)
		x := vec()
		r11, e11 := CUPED(y, x, tr, lvl)
		encode("CUPED", r11, e11)
		r12, e12 := ClusterRobustEffect(y, tr, labels(n), lvl)
		encode("ClusterRobust", r12, e12)
		r13, e13 := RegressionAdjustment(y, tr, RegressionSpec{Covariates: []Covariate{{Name: "x", Values: x}}, Level: lvl})
		encode("Regression", r13, e13)
		r14, e14 := SubgroupEffects(y, tr, labels(n), SubgroupOptions{Scale: []EffectScale{ScaleDifference, ScaleLogOdds}[rng.IntN(2)], Level: lvl})
		encode("Subgroup", r14, e14)
		r15, e15 := ComplierAverageEffect(y, x, tr, lvl)
		encode("CACE", r15, e15)
		r16, e16 := CochranMantelHaenszel([]Stratum2x2{{{x1, n1}, {x2, n2}}, {{n2, x1}, {n1, x2}}}, true, lvl)
		encode("CMH", r16, e16)
		r17, e17 := StratifiedRiskDifference([]Stratum2x2{{{x1, n1}, {x2, n2}}}, WeightStratumSize, lvl)
		encode("StratifiedRD", r17, e17)
		d := ProportionsDesign{P1: f(), P2: f(), Alpha: f(), Ratio: f()}
		r18, e18 := PowerTwoProportions(d, f())
		encode("PowerProp", r18, e18)
		m := MeansDesign{Delta: f(), SD: f(), Alpha: f(), Ratio: f()}
		r19, e19 := PowerTwoMeans(m, f())
		encode("PowerMeans", r19, e19)
		r20, e20 := BalanceNumeric("x", y, tr)
		encode("Balance", r20, e20)
		r21, e21 := CompareToTarget("q", f(), Interval{f(), f()}, f(), true, lvl)
		encode("Target", r21, e21)
	}
}

// TestAnalyzeEdgeInputs runs Analyze on seeded random small pilots (few
// units, missing values, lopsided arms, constant outcomes) under every
// design: each run returns an analysis that encodes as JSON or an error.
func TestAnalyzeEdgeInputs(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	arms := []string{"control", "tutoring", "alerts"}
	analysed := 0
	defer func() {
		// Most random pilots must be analysable, or the test proves little.
		if analysed < 50 {
			t.Errorf("only %d of 400 random pilots were analysed", analysed)
		}
	}()
	for it := range 400 {
		n := 3 + rng.IntN(40)
		p := Pilot{
			Clusters:   make([]string, n),
			Strata:     make([]string, n),
			Outcomes:   []Outcome{{Name: "dfw", Values: make([]float64, n)}, {Name: "grade", Values: make([]float64, n)}},
			Covariates: []Covariate{{Name: "gpa", Values: make([]float64, n)}},
			Attributes: []Attribute{{Name: "fg", Values: make([]string, n)}},
			Received:   make([]float64, n),
		}
		nc := 1 + rng.IntN(8)
		clusterArm := make([]string, nc)
		for c := range clusterArm {
			clusterArm[c] = arms[rng.IntN(3)]
		}
		for i := range n {
			c := rng.IntN(nc)
			p.IDs = append(p.IDs, fmt.Sprintf("u%d", i))
			p.Arms = append(p.Arms, clusterArm[c])
			p.Clusters[i] = fmt.Sprintf("c%d", c)
			p.Strata[i] = fmt.Sprintf("s%d", rng.IntN(3))
			p.Outcomes[0].Values[i] = float64(rng.IntN(2))
			p.Outcomes[1].Values[i] = []float64{1, 2, rng.NormFloat64()}[rng.IntN(3)]
			p.Covariates[0].Values[i] = rng.NormFloat64()
			p.Attributes[0].Values[i] = []string{"yes", "no", ""}[rng.IntN(3)]
			p.Received[i] = float64(rng.IntN(2))
			if rng.IntN(6) == 0 {
				p.Outcomes[rng.IntN(2)].Values[i] = math.NaN()
			}
			if rng.IntN(10) == 0 {
				p.Covariates[0].Values[i] = math.NaN()
			}
		}
		plan := Plan{
			Arms: arms, Control: "control",
			Outcomes:     []OutcomePlan{{Name: "dfw", Kind: Binary, Primary: true}, {Name: "grade", Kind: Continuous}},
			Subgroups:    []SubgroupPlan{{Attribute: "fg"}},
			Multiplicity: MultiplicityPlan{Method: AdjustBH, Strategy: StrategyGatekeeping, Alpha: 0.05},
			Level:        0.95,
			Target:       &TargetPlan{Outcome: "dfw", RelativeReduction: 0.15},
		}
		switch it % 4 {
		case 0:
			p.Strata = nil
		case 1:
			plan.ClusterRandomized = true
		case 2:
			plan.AdjustFor = []string{"gpa"}
			p.Strata = nil
		case 3:
			plan.SubgroupScale = ScaleLogOdds
		}
		a, err := Analyze(p, plan)
		if err != nil {
			continue
		}
		analysed++
		if _, err := json.Marshal(a); err != nil {
			t.Fatalf("pilot %d: analysis does not encode as JSON: %v\n%+v", it, err, a)
		}
	}
}
