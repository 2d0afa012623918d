package abtest

import (
	"math"
	"testing"
)

func TestGroupSequentialBoundaries(t *testing.T) {
	// Critical values from R 4.2.2 rpact 3.3.4
	// getDesignGroupSequential(informationRates = looks, alpha = 0.05,
	// sided = 2, typeOfDesign = "asOF" / "asP")$criticalValues. The
	// O'Brien-Fleming values for three equal looks are the published
	// 3.7103, 2.5114, 1.9930 (gsDesign, ldbounds). rpact solves to about
	// 1e-8 (mvtnorm's Miwa algorithm puts the non-rejection probability of
	// our boundaries for three looks at 0.95 within 7e-13, of rpact's
	// within 6e-10), hence the tolerance.
	cases := []struct {
		spending SpendingFunction
		looks    []float64
		want     []float64
	}{
		{SpendingOBrienFleming, []float64{1.0 / 3, 2.0 / 3, 1}, []float64{3.71030287326, 2.51142748445, 1.99304748327}},
		{SpendingPocock, []float64{1.0 / 3, 2.0 / 3, 1}, []float64{2.27942823892, 2.29491113871, 2.29593835026}},
		{SpendingOBrienFleming, []float64{0.25, 0.5, 0.8, 1}, []float64{4.33263364605, 2.96313159913, 2.26621314138, 2.02780020982}},
		{SpendingPocock, []float64{0.25, 0.5, 0.8, 1}, []float64{2.36832770352, 2.36752428859, 2.32706049830, 2.36972238868}},
		{SpendingOBrienFleming, []float64{0.4, 1}, []float64{3.35686935609, 1.96226819605}},
		{SpendingPocock, []float64{0.4, 1}, []float64{2.22387496049, 2.16512962431}},
	}
	for _, c := range cases {
		got, err := GroupSequentialBoundaries(SequentialDesign{Alpha: 0.05, Spending: c.spending, Looks: c.looks})
		if err != nil {
			t.Fatal(err)
		}
		for k, b := range got {
			if math.Abs(b.Z-c.want[k]) > 2e-8 {
				t.Errorf("%s %v look %d: z = %.10f, want %.10f", c.spending, c.looks, k+1, b.Z, c.want[k])
			}
		}
		last := got[len(got)-1]
		if math.Abs(last.CumulativeAlpha-0.05) > 1e-15 {
			t.Errorf("%s: alpha spent by the final look %v, want 0.05", c.spending, last.CumulativeAlpha)
		}
	}
	// A single look at t = 1 is the fixed-sample test.
	one, err := GroupSequentialBoundaries(SequentialDesign{Alpha: 0.05, Spending: SpendingOBrienFleming, Looks: []float64{1}})
	if err != nil || math.Abs(one[0].Z-1.959963984540054) > 1e-12 {
		t.Errorf("single look: %+v %v", one, err)
	}
	for _, bad := range []SequentialDesign{
		{Alpha: 0.05, Spending: SpendingPocock, Looks: []float64{0.5, 0.5, 1}},
		{Alpha: 0.05, Spending: SpendingPocock, Looks: []float64{0.5, 1.2}},
		{Alpha: 0.05, Spending: "haybittle", Looks: []float64{0.5, 1}},
		{Alpha: 0, Spending: SpendingPocock, Looks: []float64{1}},
		{Alpha: 0.05, Spending: SpendingPocock},
	} {
		if _, err := GroupSequentialBoundaries(bad); err == nil {
			t.Errorf("design %+v: no error", bad)
		}
	}
}

func TestMonitorSequential(t *testing.T) {
	d := SequentialDesign{Alpha: 0.05, Spending: SpendingOBrienFleming, Looks: []float64{1.0 / 3, 2.0 / 3, 1}}
	looks, err := MonitorSequential(d, []float64{2.9, -2.6})
	if err != nil {
		t.Fatal(err)
	}
	// 2.9 < 3.7103 at look 1; |−2.6| >= 2.5114 at look 2.
	if len(looks) != 2 || looks[0].Crossed || !looks[1].Crossed || looks[1].Statistic != -2.6 {
		t.Errorf("looks %+v", looks)
	}
	if _, err := MonitorSequential(d, []float64{1, 2, 3, 4}); err == nil {
		t.Error("more statistics than looks: no error")
	}
}

func TestSequentialInflationAndPower(t *testing.T) {
	// R 4.2.2 rpact 3.3.4: getDesignCharacteristics(
	// getDesignGroupSequential(informationRates = looks, alpha = 0.05,
	// beta = 0.2, sided = 2, typeOfDesign = ...)): inflationFactor and
	// averageSampleNumber1 (expected sample size under the alternative
	// over the fixed-sample size).
	cases := []struct {
		spending  SpendingFunction
		looks     []float64
		inflation float64
		asn1      float64
	}{
		{SpendingOBrienFleming, []float64{1.0 / 3, 2.0 / 3, 1}, 1.01279481297, 0.865568695981},
		{SpendingPocock, []float64{1.0 / 3, 2.0 / 3, 1}, 1.17042007747, 0.819393479162},
		{SpendingOBrienFleming, []float64{0.25, 0.5, 0.8, 1}, 1.02285278146, 0.846154260644},
		{SpendingPocock, []float64{0.25, 0.5, 0.8, 1}, 1.19872449572, 0.808373008213},
	}
	fixed := 1.959963984540054 + 0.8416212335729143 // z_{0.975} + z_{0.8}
	for _, c := range cases {
		d := SequentialDesign{Alpha: 0.05, Spending: c.spending, Looks: c.looks}
		f, err := SequentialInflationFactor(d, 0.8)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(f-c.inflation) > 1e-7 {
			t.Errorf("%s %v: inflation %.10f, want %.10f", c.spending, c.looks, f, c.inflation)
		}
		r, err := SequentialPower(d, fixed*math.Sqrt(f))
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(r.Power-0.8) > 1e-8 || math.Abs(r.ExpectedInformation*f-c.asn1) > 1e-7 {
			t.Errorf("%s %v: power %.10f, ASN %.10f; want 0.8, %.10f", c.spending, c.looks, r.Power, r.ExpectedInformation*f, c.asn1)
		}
	}
	// Under the null the stopping probabilities add up to alpha.
	r, _ := SequentialPower(SequentialDesign{Alpha: 0.05, Spending: SpendingPocock, Looks: []float64{0.5, 1}}, 0)
	if s := r.StopProbabilities[0] + r.StopProbabilities[1]; math.Abs(s-0.05) > 1e-9 || math.Abs(r.Power-0.025) > 1e-9 {
		t.Errorf("null: stop %v, power %v; want 0.05 and 0.025", s, r.Power)
	}
	if _, err := SequentialInflationFactor(SequentialDesign{Alpha: 0.05, Spending: SpendingPocock, Looks: []float64{0.5}}, 0.8); err == nil {
		t.Error("last look below 1: no error")
	}
}

// TestTailAccuracy guards the far-tail probabilities that gonum computes
// as 1 − CDF (Normal.Survival, F.Survival) and this package replaces.
func TestTailAccuracy(t *testing.T) {
	// R 4.2.2: pf(25, 2, 300, lower.tail = FALSE) = 9.0778197563880708e-11,
	// 2 * pnorm(-8) = 1.244192114854357e-15.
	if got := fSurvival(25, 2, 300); math.Abs(got/9.0778197563880708e-11-1) > 1e-12 {
		t.Errorf("P(F(2, 300) > 25) = %v", got)
	}
	if got := twoSidedNormalP(8); math.Abs(got/1.244192114854357e-15-1) > 1e-12 {
		t.Errorf("2P(Z > 8) = %v", got)
	}
	// An O'Brien-Fleming look at t = 0.1 spends 2.7225e-12 (mpmath, 30
	// digits: 2.72250297845976e-12) and its boundary is 6.99135170707742.
	b, err := GroupSequentialBoundaries(SequentialDesign{Alpha: 0.05, Spending: SpendingOBrienFleming, Looks: []float64{0.1, 1}})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(b[0].IncrementalAlpha/2.72250297845976e-12-1) > 1e-9 || math.Abs(b[0].Z-6.99135170707742) > 1e-9 {
		t.Errorf("first look spends %v with boundary %.14f", b[0].IncrementalAlpha, b[0].Z)
	}
}
