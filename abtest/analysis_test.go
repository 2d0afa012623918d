package abtest

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestMultipleTesting(t *testing.T) {
	// Expected adjusted p-values computed by hand from the definitions:
	// Holm: sorted p·(m−i+1), cumulative max; fixed sequence: cumulative
	// max in declared order; gatekeeping: secondary family adjusted within
	// itself, then raised to the largest primary adjusted p-value.
	cases := []struct {
		name     string
		hyps     []Hypothesis
		plan     MultiplicityPlan
		adjusted []float64
		rejected []bool
		reason   []bool
	}{
		{"pooled holm", []Hypothesis{{"a", 0.01, true}, {"b", 0.04, false}, {"c", 0.03, false}},
			MultiplicityPlan{Method: AdjustHolm, Alpha: 0.05},
			[]float64{0.03, 0.06, 0.06}, []bool{true, false, false}, []bool{false, false, false}},
		{"fixed sequence", []Hypothesis{{"a", 0.01, true}, {"b", 0.2, false}, {"c", 0.001, false}},
			MultiplicityPlan{Strategy: StrategyFixedSequence, Alpha: 0.05},
			[]float64{0.01, 0.2, 0.2}, []bool{true, false, false}, []bool{false, false, true}},
		{"gate open", []Hypothesis{{"p", 0.03, true}, {"s1", 0.01, false}, {"s2", 0.04, false}},
			MultiplicityPlan{Method: AdjustHolm, Strategy: StrategyGatekeeping, Alpha: 0.05},
			[]float64{0.03, 0.03, 0.04}, []bool{true, true, true}, []bool{false, false, false}},
		{"gate closed", []Hypothesis{{"p", 0.2, true}, {"s1", 0.01, false}, {"s2", 0.04, false}},
			MultiplicityPlan{Method: AdjustHolm, Strategy: StrategyGatekeeping, Alpha: 0.05},
			[]float64{0.2, 0.2, 0.2}, []bool{false, false, false}, []bool{false, true, true}},
		{"two primaries, BH secondaries", []Hypothesis{{"p1", 0.01, true}, {"p2", 0.02, true}, {"s1", 0.03, false}, {"s2", 0.04, false}},
			MultiplicityPlan{Method: AdjustBH, Strategy: StrategyGatekeeping, Alpha: 0.05},
			[]float64{0.02, 0.02, 0.04, 0.04}, []bool{true, true, true, true}, []bool{false, false, false, false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := MultipleTesting(c.hyps, c.plan)
			if err != nil {
				t.Fatal(err)
			}
			for i, d := range got {
				if math.Abs(d.AdjustedP-c.adjusted[i]) > 1e-15 || d.Rejected != c.rejected[i] || (d.Reason != "") != c.reason[i] {
					t.Errorf("%s: adjusted %v rejected %v reason %q; want %v %v reason=%v",
						d.Name, d.AdjustedP, d.Rejected, d.Reason, c.adjusted[i], c.rejected[i], c.reason[i])
				}
			}
		})
	}
	if _, err := MultipleTesting([]Hypothesis{{"s", 0.01, false}}, MultiplicityPlan{Method: AdjustHolm, Strategy: StrategyGatekeeping, Alpha: 0.05}); err == nil {
		t.Error("gatekeeping without a primary hypothesis: no error")
	}
	if _, err := MultipleTesting([]Hypothesis{{"a", math.NaN(), true}}, MultiplicityPlan{Method: AdjustHolm, Alpha: 0.05}); err == nil {
		t.Error("NaN p-value: no error")
	}
}

func TestAdjustPValuesErrors(t *testing.T) {
	if _, err := AdjustPValues([]float64{0.1, 1.2}, AdjustHolm); err == nil {
		t.Error("p-value 1.2: no error")
	}
	if _, err := AdjustPValues(nil, "sidak"); err == nil {
		t.Error("unknown method: no error")
	}
	if _, err := ParseAdjustMethod("Sidak"); err == nil {
		t.Error("ParseAdjustMethod(Sidak): no error")
	}
	for name, want := range map[string]AdjustMethod{"fdr": AdjustBH, "HOLM": AdjustHolm, "by": AdjustBY} {
		if got, err := ParseAdjustMethod(name); err != nil || got != want {
			t.Errorf("ParseAdjustMethod(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
}

func TestAttrition(t *testing.T) {
	arms := make([]string, 20)
	missing := make([]bool, 20)
	for i := range arms {
		arms[i] = "A"
		if i >= 10 {
			arms[i] = "B"
		}
	}
	missing[0], missing[1] = true, true
	r, err := Attrition(arms, missing, []string{"B", "A"})
	if err != nil {
		t.Fatal(err)
	}
	// Two-sided Fisher for [[2, 8], [0, 10]]: 2·C(10,2)/C(20,2) = 90/190.
	if r.Arms[0].Arm != "B" || r.Arms[1].Rate != 0.2 || r.Differential != 0.2 || r.Overall != 0.1 ||
		r.PValue == nil || math.Abs(*r.PValue-90.0/190) > 1e-14 {
		t.Errorf("attrition %+v (p %v)", r, *r.PValue)
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "20.0 percentage points") {
		t.Errorf("warnings %q", r.Warnings)
	}
	if _, err := Attrition(arms, missing, []string{"A"}); err == nil {
		t.Error("arm B not declared: no error")
	}
	none, _ := Attrition(arms, make([]bool, 20), nil)
	if none.PValue == nil || *none.PValue != 1 || len(none.Warnings) != 0 {
		t.Errorf("no attrition: %+v", none)
	}
}

func TestBalance(t *testing.T) {
	treated := []bool{true, true, true, false, false, false, true}
	// means 2 and 3, variances 1 and 1: SMD = −1; the NaN row is missing.
	r, err := BalanceNumeric("gpa", []float64{1, 2, 3, 2, 3, 4, math.NaN()}, treated)
	if err != nil {
		t.Fatal(err)
	}
	if r.SMD == nil || *r.SMD != -1 || !r.Imbalanced || r.Missing != 1 {
		t.Errorf("numeric balance %+v", r)
	}
	// Constant and equal arms: SMD 0; constant and different: undefined.
	r, _ = BalanceNumeric("c", []float64{5, 5, 5, 5, 5, 5, 5}, treated)
	if r.SMD == nil || *r.SMD != 0 || r.Imbalanced {
		t.Errorf("constant equal arms %+v", r)
	}
	r, _ = BalanceNumeric("c", []float64{5, 5, 5, 6, 6, 6, 5}, treated)
	if r.SMD != nil || !r.Imbalanced {
		t.Errorf("constant different arms %+v", r)
	}
	// p_t(a) = .5, p_c(a) = .25: SMD = .25/√((.25 + .1875)/2).
	// The unlabelled unit is missing.
	rows, suppressed, err := BalanceCategorical("fg", []string{"a", "b", "a", "b", "a", "b", "b", "b", ""}, []bool{true, true, true, true, false, false, false, false, true}, 0)
	if err != nil || suppressed != 0 {
		t.Fatal(err)
	}
	want := 0.25 / math.Sqrt((0.25+0.1875)/2)
	if len(rows) != 2 || rows[0].Level != "a" || rows[0].Missing != 1 || math.Abs(*rows[0].SMD-want) > 1e-15 || math.Abs(*rows[1].SMD+want) > 1e-15 {
		t.Errorf("categorical balance %+v, want SMD ±%v", rows, want)
	}
	if _, err := BalanceNumeric("x", []float64{1, 2, 3}, []bool{true, false, false}); err == nil {
		t.Error("one treated value: no error")
	}
}

func TestComplierAverageEffect(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	n := 2000
	y := make([]float64, n)
	received := make([]float64, n)
	treated := make([]bool, n)
	for i := range n {
		treated[i] = i%2 == 0
		complier := rng.Float64() < 0.6
		if treated[i] && complier {
			received[i] = 1
		}
		y[i] = 50 + 10*rng.NormFloat64() + 5*received[i]
	}
	r, err := ComplierAverageEffect(y, received, treated, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(*r.CACE-r.ITT/r.FirstStage) > 1e-12 || r.FirstStageF == nil || *r.FirstStageF < 100 {
		t.Errorf("CACE %+v", r)
	}
	// The complier effect is 5; the 95% interval should cover it here.
	if !r.CI.Contains(5) {
		t.Errorf("interval %v does not contain the true complier effect 5", *r.CI)
	}
	b, err := ComplierAverageEffectBootstrap(y, received, treated, 0.95, 400, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	// Bootstrap and delta-method errors agree to within the bootstrap's
	// own sampling error (about 1/√(2·400) ≈ 3.5% relative; allow 15%).
	if *b.CACE != *r.CACE || math.Abs(*b.SE / *r.SE - 1) > 0.15 {
		t.Errorf("bootstrap SE %v vs delta %v", *b.SE, *r.SE)
	}
	b2, _ := ComplierAverageEffectBootstrap(y, received, treated, 0.95, 400, rand.New(rand.NewPCG(1, 2)))
	if *b2.SE != *b.SE || *b2.CI != *b.CI {
		t.Error("bootstrap is not reproducible with the same seed")
	}

	// Full compliance: received = treated, CACE = ITT with the same SE and
	// an unbounded first-stage F (nil).
	for i := range n {
		received[i] = 0
		if treated[i] {
			received[i] = 1
		}
	}
	f, err := ComplierAverageEffect(y, received, treated, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(*f.CACE-f.ITT) > 1e-12 || math.Abs(*f.SE-f.ITTSE) > 1e-12 || f.FirstStageF != nil {
		t.Errorf("full compliance %+v", f)
	}
	// No compliance difference: undefined, with a warning.
	for i := range received {
		received[i] = 1
	}
	u, err := ComplierAverageEffect(y, received, treated, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if u.CACE != nil || u.SE != nil || len(u.Warnings) == 0 {
		t.Errorf("no first stage: %+v", u)
	}
}

func TestCompareToTarget(t *testing.T) {
	cases := []struct {
		est, lo, hi, target float64
		want                string
		pos                 TargetPosition
	}{
		{0.11, 0.02, 0.19, 0.15, "relative DFW reduction 11% (95% CI 2% to 19%); the 15% target lies inside the interval", TargetInside},
		{0.30, 0.22, 0.38, 0.15, "relative DFW reduction 30% (95% CI 22% to 38%); the whole interval lies above the 15% target", TargetBelow},
		{0.024, -0.061, 0.1, 0.15, "relative DFW reduction 2.4% (95% CI -6.1% to 10%); the 15% target lies above the interval: the effect falls short of it", TargetAbove},
	}
	for _, c := range cases {
		got, err := CompareToTarget("relative DFW reduction", c.est, Interval{c.lo, c.hi}, c.target, true, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		if got.Statement != c.want || got.Position != c.pos {
			t.Errorf("statement %q (%s)\n want %q (%s)", got.Statement, got.Position, c.want, c.pos)
		}
	}
	// 45/300 vs 30/310: RR 1.55 with interval [1.00442, 2.39192] (suite
	// case relative_risk/45-300-30-310), so the relative reduction is −55%
	// with interval [1 − 2.39192, 1 − 1.00442].
	r, err := RelativeReductionVsTarget("DFW", 45, 300, 30, 310, 0.15, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.Estimate+0.55) > 1e-12 || math.Abs(r.CI.Lower-(1-2.3919180739616355)) > 1e-12 ||
		math.Abs(r.CI.Upper-(1-1.0044240336462853)) > 1e-12 || r.Position != TargetAbove {
		t.Errorf("relative reduction %+v", r)
	}
	if _, err := RelativeReductionVsTarget("DFW", 3, 30, 0, 30, 0.15, 0.95); err == nil {
		t.Error("no control events: no error")
	}
	if _, err := CompareToTarget("x", 1, Interval{2, 0}, 1, false, 0.95); err == nil {
		t.Error("inverted interval: no error")
	}
}

func TestRatiosAndNNT(t *testing.T) {
	// Woolf interval with a zero cell uses the Haldane-Anscombe
	// correction: cells 0.5, 10.5, 5.5, 5.5 for the interval (by hand),
	// while the estimate itself is 0.
	or, err := OddsRatio(0, 10, 5, 10, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	wantEst := 0.5 * 5.5 / (10.5 * 5.5)
	se := math.Sqrt(1/0.5 + 1/10.5 + 1/5.5 + 1/5.5)
	if *or.Estimate != 0 || math.Abs(*or.Lower-wantEst*math.Exp(-1.959963984540054*se)) > 1e-12 || len(or.Warnings) != 1 {
		t.Errorf("odds ratio with a zero cell %+v", or)
	}
	rr, _ := RiskRatio(3, 10, 0, 10, 0.95)
	if rr.Estimate != nil || rr.Lower == nil || len(rr.Warnings) != 1 {
		t.Errorf("risk ratio without control events %+v", rr)
	}
	// NNT: 45/300 vs 30/310; Newcombe interval [0.000892, 0.106147] (suite
	// case two_proportion/45-300-30-310) excludes 0, so NNT lies in
	// [1/0.106147, 1/0.000892].
	nnt, _ := NumberNeededToTreat(45, 300, 30, 310, 0.95)
	if math.Abs(*nnt.Lower-1/0.10614747824633963) > 1e-9 || math.Abs(*nnt.Upper-1/0.0008921726174829225) > 1e-6 || !nnt.TreatmentHigher {
		t.Errorf("NNT %+v", nnt)
	}
	// 120/1000 vs 95/1020: interval [-0.0000785, 0.05395] includes 0.
	nnt, _ = NumberNeededToTreat(120, 1000, 95, 1020, 0.95)
	if nnt.Lower != nil || math.Abs(*nnt.HigherAtLeast-1/0.05395457395711936) > 1e-9 || math.Abs(*nnt.LowerAtLeast-1/7.854557284467378e-05) > 1e-3 {
		t.Errorf("NNT through infinity %+v", nnt)
	}
	nnt, _ = NumberNeededToTreat(10, 100, 10, 100, 0.95)
	if nnt.NNT != nil {
		t.Errorf("zero difference: NNT %v, want undefined", *nnt.NNT)
	}
	if _, err := TwoProportions(11, 10, 3, 10, 0.95); err == nil {
		t.Error("x > n: no error")
	}
	tp, _ := TwoProportions(0, 10, 0, 12, 0.95)
	if tp.Z != nil || tp.PValue != nil || len(tp.Warnings) == 0 {
		t.Errorf("no events at all: %+v", tp)
	}
}

func TestStratifiedRiskDifference(t *testing.T) {
	s := Stratum2x2{{12, 38}, {20, 30}}
	// One stratum: the Wald difference and standard error.
	r, err := StratifiedRiskDifference([]Stratum2x2{s}, WeightMantelHaenszel, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	tp, _ := TwoProportions(12, 50, 20, 50, 0.95)
	if math.Abs(r.Diff-tp.Diff) > 1e-15 || math.Abs(r.CI.Lower-tp.Wald.Lower) > 1e-15 {
		t.Errorf("one stratum %+v, want Wald %+v", r, tp.Wald)
	}
	// Strata of sizes 100 and 20 with differences −0.16 and 0.2: MH
	// weights 25 and 5 give (25·(−0.24) + 5·0.2)/30; size weights 100 and 20.
	s2 := Stratum2x2{{6, 4}, {4, 6}}
	mh, _ := StratifiedRiskDifference([]Stratum2x2{s, s2}, WeightMantelHaenszel, 0.95)
	sz, _ := StratifiedRiskDifference([]Stratum2x2{s, s2}, WeightStratumSize, 0.95)
	if math.Abs(mh.Diff-(25*-0.16+5*0.2)/30) > 1e-15 || math.Abs(sz.Diff-(100*-0.16+20*0.2)/120) > 1e-15 {
		t.Errorf("weighted differences %v %v", mh.Diff, sz.Diff)
	}
	one := Stratum2x2{{3, 4}, {0, 0}}
	r, err = StratifiedRiskDifference([]Stratum2x2{s, one}, WeightMantelHaenszel, 0.95)
	if err != nil || r.StrataUsed != 1 || len(r.Warnings) != 1 {
		t.Errorf("stratum with one arm: %+v, %v", r, err)
	}
	if _, err := CochranMantelHaenszel([]Stratum2x2{s, {{1, 0}, {0, 0}}}, true, 0.95); err == nil {
		t.Error("CMH stratum with one unit: no error (R requires 2)")
	}
}

// TestBalanceCategoricalSuppressesSmallLevels: levels with fewer units
// than the minimum (both arms together) get no row, and the shares of the
// others are among their own units, so one minus their sum is 0 and
// reveals nothing of the suppressed levels. Expected shares by hand.
func TestBalanceCategoricalSuppressesSmallLevels(t *testing.T) {
	// level: treated units, control units
	build := func(counts map[string][2]int, blanks int) ([]string, []bool) {
		var vals []string
		var treated []bool
		for _, lv := range []string{"a", "b", "c", "d"} {
			c := counts[lv]
			for range c[0] {
				vals, treated = append(vals, lv), append(treated, true)
			}
			for range c[1] {
				vals, treated = append(vals, lv), append(treated, false)
			}
		}
		for range blanks {
			vals, treated = append(vals, ""), append(treated, true)
		}
		return vals, treated
	}
	cases := []struct {
		name       string
		counts     map[string][2]int
		min        int
		levels     []string
		treated    []float64 // shares of the levels shown
		control    []float64
		suppressed int
	}{
		{"one small level", map[string][2]int{"a": {3, 3}, "b": {20, 20}, "c": {30, 27}}, 10,
			[]string{"b", "c"}, []float64{20.0 / 50, 30.0 / 50}, []float64{20.0 / 47, 27.0 / 47}, 1},
		{"no rule", map[string][2]int{"a": {3, 3}, "b": {20, 20}, "c": {30, 27}}, 0,
			[]string{"a", "b", "c"}, []float64{3.0 / 53, 20.0 / 53, 30.0 / 53}, []float64{3.0 / 50, 20.0 / 50, 27.0 / 50}, 0},
		{"exactly the minimum is shown", map[string][2]int{"a": {5, 5}, "b": {9, 0}, "d": {1, 9}}, 10,
			[]string{"a", "d"}, []float64{5.0 / 6, 1.0 / 6}, []float64{5.0 / 14, 9.0 / 14}, 1},
		{"a level in one arm only", map[string][2]int{"a": {0, 4}, "b": {12, 12}}, 5,
			[]string{"b"}, []float64{1}, []float64{1}, 1},
		{"every level small", map[string][2]int{"a": {2, 2}, "b": {3, 1}, "c": {1, 1}}, 10,
			nil, nil, nil, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vals, treated := build(c.counts, 2)
			rows, suppressed, err := BalanceCategorical("ethnicity", vals, treated, c.min)
			if err != nil {
				t.Fatal(err)
			}
			if suppressed != c.suppressed || len(rows) != len(c.levels) {
				t.Fatalf("%d rows %+v, %d suppressed; want levels %v, %d suppressed", len(rows), rows, suppressed, c.levels, c.suppressed)
			}
			for i, r := range rows {
				if r.Level != c.levels[i] || math.Abs(r.MeanTreated-c.treated[i]) > 1e-15 || math.Abs(r.MeanControl-c.control[i]) > 1e-15 || r.Missing != 2 {
					t.Errorf("row %d: %+v, want level %s, shares %v and %v, 2 missing", i, r, c.levels[i], c.treated[i], c.control[i])
				}
			}
		})
	}
	sl := SuppressedLevels{Covariate: "ethnicity", Levels: 1, MinGroupSize: 10}
	if got := sl.String(); !strings.Contains(got, "1 level of ethnicity with fewer than 10 units") {
		t.Errorf("%q", got)
	}
}
