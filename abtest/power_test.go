package abtest

import (
	"math"
	"testing"
)

func TestMDE(t *testing.T) {
	// R 4.2.2: power.prop.test(n = 500, p2 = .3, power = .8, tol = 1e-13)$p1
	// = 0.222261777437832 and power.prop.test(n = 500, p1 = .3, power =
	// .8, tol = 1e-13)$p2 = 0.383953864673545 (the formula is symmetric in
	// p1 and p2, so this is the detectable increase from .3).
	d := ProportionsDesign{P2: 0.3, Alpha: 0.05}
	r, err := MDETwoProportions(d, 500, 0.8)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(*r.Decrease-0.222261777437832) > 1e-9 || math.Abs(*r.Increase-0.383953864673545) > 1e-9 {
		t.Errorf("MDE %v %v", *r.Decrease, *r.Increase)
	}
	if math.Abs(*r.RelativeDecrease-(1-0.222261777437832/0.3)) > 1e-9 {
		t.Errorf("relative decrease %v", *r.RelativeDecrease)
	}
	// R: power.t.test(n = 100, sd = 1, power = .8, tol = 1e-13)$delta =
	// 0.398138624874291; power.t.test(n = 12.5, sd = 3, power = .9,
	// sig.level = .01, tol = 1e-13)$delta = 4.99660639117871.
	for _, c := range []struct{ n, sd, alpha, power, want float64 }{
		{100, 1, 0.05, 0.8, 0.398138624874291},
		{12.5, 3, 0.01, 0.9, 4.99660639117871},
	} {
		m, err := MDETwoMeans(MeansDesign{SD: c.sd, Alpha: c.alpha}, c.n, c.power)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(*m.Increase-c.want) > 1e-9 || *m.Decrease != -*m.Increase {
			t.Errorf("MDE means n=%v: %v, want %v", c.n, *m.Increase, c.want)
		}
	}
	// A tiny pilot cannot detect any decrease from a 2% rate.
	tiny, err := MDETwoProportions(ProportionsDesign{P2: 0.02, Alpha: 0.05}, 10, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	if tiny.Decrease != nil {
		t.Errorf("10 per arm from 2%%: decrease %v detectable, want none", *tiny.Decrease)
	}
}

func TestPowerClusterAndRatio(t *testing.T) {
	base := ProportionsDesign{P1: 0.255, P2: 0.30, Alpha: 0.05}
	ind, err := SampleSizeTwoProportions(base, 0.8)
	if err != nil {
		t.Fatal(err)
	}
	// Clustering multiplies every variance by the design effect, so the
	// required size scales by exactly DE = 1 + (25 − 1)·0.05 = 2.2.
	cl := base
	cl.Cluster = ClusterDesign{ICC: 0.05, ClusterSize: 25}
	c, err := SampleSizeTwoProportions(cl, 0.8)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(c.N2/ind.N2-2.2) > 1e-8 || c.DesignEffect != 2.2 {
		t.Errorf("clustered n %v vs individual %v: ratio %v, want 2.2", c.N2, ind.N2, c.N2/ind.N2)
	}
	if c.Clusters2 != int(math.Ceil(c.N2/25)) || c.N2Units != 25*c.Clusters2 || c.AchievedPower < 0.8 {
		t.Errorf("clustered result %+v", c)
	}
	// Allocation 2:1: power from the formula written out by hand.
	r := base
	r.Ratio = 2
	p, err := PowerTwoProportions(r, 400)
	if err != nil {
		t.Fatal(err)
	}
	n1, n2 := 800.0, 400.0
	pbar := (n1*0.255 + n2*0.30) / (n1 + n2)
	z := 1.959963984540054
	want := stdNormal.CDF((0.045 - z*math.Sqrt(pbar*(1-pbar)*(1/n1+1/n2))) / math.Sqrt(0.255*0.745/n1+0.3*0.7/n2))
	if math.Abs(p.Power-want) > 1e-14 || p.N1 != 800 {
		t.Errorf("2:1 power %v, want %v", p.Power, want)
	}
	// The solved size reproduces the target power exactly.
	s, _ := SampleSizeTwoProportions(r, 0.9)
	back, _ := PowerTwoProportions(r, s.N2)
	if math.Abs(back.Power-0.9) > 1e-9 || math.Abs(s.N1-2*s.N2) > 1e-9 {
		t.Errorf("round trip %v at n2 = %v", back.Power, s.N2)
	}
	// Means with clustering: t on clusters − 2 df; fewer than 20 clusters
	// warns.
	md := MeansDesign{Delta: 0.8, SD: 1, Alpha: 0.05, Cluster: ClusterDesign{ICC: 0.1, ClusterSize: 20}}
	ms, err := SampleSizeTwoMeans(md, 0.8)
	if err != nil {
		t.Fatal(err)
	}
	mp, _ := PowerTwoMeans(md, ms.N2)
	if math.Abs(mp.Power-0.8) > 1e-9 || ms.Clusters1+ms.Clusters2 >= 20 || len(ms.Warnings) == 0 {
		t.Errorf("clustered means %+v (power back %v)", ms, mp.Power)
	}
	curve, err := PowerCurveTwoMeans(MeansDesign{Delta: 0.3, SD: 1, Alpha: 0.05}, []float64{20, 50, 100, 200, 400})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(curve); i++ {
		if curve[i].Power <= curve[i-1].Power {
			t.Errorf("power curve not increasing: %+v", curve)
		}
	}
}

func TestPowerErrors(t *testing.T) {
	bad := []ProportionsDesign{
		{P1: 0.3, P2: 0.3, Alpha: 0.05},
		{P1: 1.3, P2: 0.3, Alpha: 0.05},
		{P1: 0.2, P2: 0.3, Alpha: 0},
		{P1: 0.2, P2: 0.3, Alpha: 0.05, Ratio: -1},
		{P1: 0.2, P2: 0.3, Alpha: 0.05, Cluster: ClusterDesign{ICC: 0.1}},
		{P1: 0.2, P2: 0.3, Alpha: 0.05, Cluster: ClusterDesign{ICC: 1, ClusterSize: 10}},
	}
	for _, d := range bad {
		if _, err := SampleSizeTwoProportions(d, 0.8); err == nil {
			t.Errorf("design %+v: no error", d)
		}
	}
	if _, err := SampleSizeTwoProportions(ProportionsDesign{P1: 0.2, P2: 0.3, Alpha: 0.05}, 1); err == nil {
		t.Error("power 1: no error")
	}
	if _, err := SampleSizeTwoMeans(MeansDesign{Delta: 0, SD: 1, Alpha: 0.05}, 0.8); err == nil {
		t.Error("delta 0: no error")
	}
	if _, err := PowerTwoMeans(MeansDesign{Delta: 1, SD: 0, Alpha: 0.05}, 10); err == nil {
		t.Error("sd 0: no error")
	}
	// An effect too small to detect with 1e7 per arm.
	if _, err := SampleSizeTwoProportions(ProportionsDesign{P1: 0.3, P2: 0.30001, Alpha: 0.05}, 0.99); err == nil {
		t.Error("needs more than 1e7 per arm: no error")
	}
}

// TestNoncentralT checks the noncentral t upper tail used by the t-test
// power against direct numerical integration of its definition,
// P(T > t) = ∫ P(Z > t·√(V/ν) − δ) f_χ²ν(V) dV, on cases outside the
// R-generated reference set, including large df.
func TestNoncentralT(t *testing.T) {
	for _, c := range [][3]float64{{2.0, 7.5, 1.2}, {1.97, 300, 2.8}, {2.5, 50000, 3.1}, {0.3, 1.5, 0.2}} {
		q, nu, ncp := c[0], c[1], c[2]
		got := noncentralTSurvival(q, nu, ncp)
		want := integrateNCT(q, nu, ncp)
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("P(T'(%v, %v) > %v) = %.12f, integration %.12f", nu, ncp, q, got, want)
		}
	}
}

// integrateNCT integrates over r with s = r² = √(V/ν), V chi-square(ν):
// the density of s is 2ν s f_χ²(ν s²), and the substitution s = r² removes
// the s^(ν−1) singularity at 0 for small ν. Simpson's rule with 200000
// intervals on r in [0, √(1 + 12/√ν)].
func integrateNCT(q, nu, ncp float64) float64 {
	const n = 200000
	lo, hi := 0.0, math.Sqrt(1+12/math.Sqrt(nu))
	h := (hi - lo) / n
	lg, _ := math.Lgamma(nu / 2)
	f := func(r float64) float64 {
		if r <= 0 {
			return 0
		}
		s := r * r
		v := nu * s * s
		logChi := (nu/2-1)*math.Log(v) - v/2 - (nu/2)*math.Ln2 - lg
		return 2 * r * 2 * nu * s * math.Exp(logChi) * normalSurvival(q*s-ncp)
	}
	sum := f(lo) + f(hi)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		sum += w * f(lo+float64(i)*h)
	}
	return sum * h / 3
}
