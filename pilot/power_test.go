package pilot

import (
	"math"
	"strings"
	"testing"
)

// TestPowerMatchesR checks Power against R 4.2's power.prop.test and
// power.t.test (values from shared/conformance/abtest.json and abtest's
// power tests), tolerance 1e-8 relative.
func TestPowerMatchesR(t *testing.T) {
	near := func(got, want float64) bool { return math.Abs(got-want) <= 1e-8*math.Max(1, math.Abs(want)) }
	// power.prop.test(p1 = .3, p2 = .25, power = .8)$n = 1250.71673343561
	ss, err := Power(PowerRequest{ControlRate: 0.3, TreatmentRate: 0.25})
	if err != nil {
		t.Fatal(err)
	}
	if ss.SampleSize == nil || !near(ss.SampleSize.N2, 1250.71673343561) || ss.SampleSize.N2Units != 1251 || ss.Power != nil {
		t.Errorf("sample size %+v", ss.SampleSize)
	}
	// power.prop.test(n = 500, p1 = .3, p2 = .25)$power = 0.424761917147635
	// and power.prop.test(n = 500, p2 = .3, power = .8)$p1 = 0.222261777437832.
	pw, err := Power(PowerRequest{ControlRate: 0.3, TreatmentRate: 0.25, N: 500})
	if err != nil {
		t.Fatal(err)
	}
	if pw.Power == nil || !near(pw.Power.Power, 0.424761917147635) || pw.MDE == nil || !near(*pw.MDE.Decrease, 0.222261777437832) {
		t.Errorf("power %+v, mde %+v", pw.Power, pw.MDE)
	}
	// The relative reduction gives the same design: 0.3 × (1 − 1/6) = 0.25.
	rel, err := Power(PowerRequest{ControlRate: 0.3, RelativeReduction: 1.0 / 6, N: 500})
	if err != nil {
		t.Fatal(err)
	}
	if !near(rel.Power.Power, 0.424761917147635) {
		t.Errorf("relative reduction 1/6: power %v", rel.Power.Power)
	}
	// power.t.test(n = 100, sd = 1, power = .8)$delta = 0.398138624874291.
	m, err := Power(PowerRequest{SD: 1, N: 100})
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != "means" || m.MDE == nil || !near(*m.MDE.Increase, 0.398138624874291) || m.Curve != nil || m.Power != nil {
		t.Errorf("means MDE %+v (no effect given: no power, no curve)", m)
	}
}

func TestPowerCurve(t *testing.T) {
	out, err := Power(PowerRequest{ControlRate: 0.3, RelativeReduction: 0.15, ICC: 0.02, ClusterSize: 25, Ratio: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Curve) != 7 {
		t.Fatalf("curve has %d points, want 7", len(out.Curve))
	}
	for i, p := range out.Curve {
		if math.Mod(p.N2, 25) != 0 || p.N1 != 2*p.N2 {
			t.Errorf("point %d: n1 %v n2 %v; want whole clusters of 25 and ratio 2", i, p.N1, p.N2)
		}
		if i > 0 && !(p.Power > out.Curve[i-1].Power) {
			t.Errorf("power does not increase with size at point %d: %v", i, out.Curve)
		}
	}
	// The point at the sample size itself reaches the target power.
	found := false
	for _, p := range out.Curve {
		if p.N2 == float64(out.SampleSize.N2Units) {
			found = p.Power >= 0.8
		}
	}
	if !found {
		t.Errorf("curve %v lacks the sample size %d with power >= 0.8", out.Curve, out.SampleSize.N2Units)
	}
	if !strings.Contains(strings.Join(out.Summary, "\n"), "design effect 1.48") {
		t.Errorf("summary %q lacks the design effect", out.Summary)
	}
}

func TestPowerErrors(t *testing.T) {
	for _, c := range []struct {
		req  PowerRequest
		want string
	}{
		{PowerRequest{}, "give a control rate (proportions) or an sd (means)"},
		{PowerRequest{ControlRate: 0.3, SD: 1}, "not both"},
		{PowerRequest{ControlRate: 0.3, TreatmentRate: 0.2, RelativeReduction: 0.1}, "the treatment rate or the relative reduction, not both"},
		{PowerRequest{ControlRate: 1.3, RelativeReduction: 0.1}, "the control (baseline) rate must lie in (0, 1), got 1.3"},
		{PowerRequest{ControlRate: 0.3, RelativeReduction: -3}, "a relative reduction of -3 from 0.3 gives a treatment rate of 1.2, outside (0, 1)"},
		{PowerRequest{ControlRate: 0.3}, "without a treatment rate or relative reduction give n"},
		{PowerRequest{SD: 1}, "without a mean difference give n"},
		{PowerRequest{ControlRate: 0.3, TreatmentRate: 0.25, Power: 1.2}, "target power must lie in (0, 1), got 1.2"},
		{PowerRequest{ControlRate: 0.3, TreatmentRate: 0.25, ICC: 0.1}, "ICC 0.1 given without a cluster size above 1"},
		{PowerRequest{ControlRate: 0.3, TreatmentRate: 0.25, N: -5}, "n must be positive and finite, got -5"},
	} {
		_, err := Power(c.req)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v, want %q", c.req, err, c.want)
		}
	}
}

func TestDesignRequest(t *testing.T) {
	s := exampleSpec(t)
	req, err := DesignRequest(s)
	if err != nil {
		t.Fatal(err)
	}
	want := PowerRequest{ControlRate: 0.28, RelativeReduction: 0.15, Alpha: 0.05, Power: 0.8, ICC: 0.02, ClusterSize: 28, Ratio: 1}
	if req != want {
		t.Errorf("design request %+v, want %+v", req, want)
	}
	s.Allocation = []float64{2, 1}
	s.Design.Ratio = 0
	if req, _ := DesignRequest(s); req.Ratio != 2 {
		t.Errorf("allocation 2:1 gives ratio %v, want 2", req.Ratio)
	}
	s.Design = nil
	if _, err := DesignRequest(s); err == nil || !strings.Contains(err.Error(), "no [abtests.design] table") {
		t.Errorf("no design: err = %v", err)
	}
}
