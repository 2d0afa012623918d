package fairness

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAuditAgreesWithStandaloneFunctions checks that the audit's gaps,
// computed by its own replicate-ready code, equal the standalone functions
// the conformance suite checks (exactly, up to 1e-12), on random cohorts.
func TestAuditAgreesWithStandaloneFunctions(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for trial := range 40 {
		n := 30 + r.IntN(300)
		y, s := randomScored(r, n, []int{10, 1 << 30}[trial%2])
		g := make([]string, n)
		for i := range g {
			g[i] = []string{"F", "M", "X"}[r.IntN(3)]
		}
		opts := DefaultAuditOptions()
		opts.MinGroupSize, opts.BootstrapReplicates, opts.Permutations = 0, 0, 0
		opts.References = map[string]Reference{"g": {Mode: ReferenceBetween}}
		res, err := Audit(y, s, []Attribute{{"g", g}}, opts)
		if err != nil {
			t.Fatal(err)
		}
		between := res.Attributes[0]
		dp, err := DemographicParity(y, s, g, opts.Threshold)
		if err != nil {
			t.Fatal(err)
		}
		eo, err := EqualizedOdds(y, s, g, opts.Threshold)
		if err != nil {
			t.Fatal(err)
		}
		same := func(what string, got, want Estimate) {
			t.Helper()
			if got.Defined != want.Defined || got.Defined && math.Abs(got.Value-want.Value) > 1e-12 {
				t.Errorf("trial %d %s: audit %+v, standalone %+v", trial, what, got, want)
			}
		}
		same("selection_rate_difference", findGap(t, between, "selection_rate_difference", "").Estimate, dp.Difference)
		same("selection_rate_ratio", findGap(t, between, "selection_rate_ratio", "").Estimate, dp.Ratio)
		same("equalized_odds_difference", findGap(t, between, "equalized_odds_difference", "").Estimate, eo.Difference)
		same("equalized_odds_ratio", findGap(t, between, "equalized_odds_ratio", "").Estimate, eo.Ratio)
		same("tpr_difference", findGap(t, between, "tpr_difference", "").Estimate, eo.TPR.Difference)

		opts.References = map[string]Reference{"g": {Mode: ReferenceGroup, Group: "M"}}
		res, err = Audit(y, s, []Attribute{{"g", g}}, opts)
		if err != nil {
			t.Fatal(err)
		}
		ref := res.Attributes[0]
		disp, err := Disparity(y, s, g, opts.Threshold, "M")
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range disp {
			var row GroupDisparity
			for _, a := range ref.Disparity {
				if a.Group == d.Group {
					row = a
				}
			}
			same("disparity tpr "+d.Group, row.TPR, d.TPR)
			same("disparity for "+d.Group, row.FOR, d.FOR)
			if d.Group == "M" {
				continue
			}
			same("tpr_ratio "+d.Group, findGap(t, ref, "tpr_ratio", d.Group).Estimate, d.TPR)
			// ABROCA of the pair against the two-group standalone.
			var yy []uint8
			var ss []float64
			var gg []string
			for i := range g {
				if g[i] == d.Group || g[i] == "M" {
					yy, ss, gg = append(yy, y[i]), append(ss, s[i]), append(gg, g[i])
				}
			}
			want, err := ABROCA(yy, ss, gg)
			got := findGap(t, ref, "abroca", d.Group).Estimate
			if err != nil {
				if got.Defined {
					t.Errorf("trial %d abroca %s: audit %v, standalone error %v", trial, d.Group, got.Value, err)
				}
				continue
			}
			same("abroca "+d.Group, got, Known(want))
		}
	}
}
