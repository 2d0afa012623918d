package rules

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// kendallBrute counts concordant and discordant pairs directly.
func kendallBrute(x, y []float64) float64 {
	var c, d, tx, ty float64
	n := len(x)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			sx := math.Copysign(1, x[i]-x[j])
			sy := math.Copysign(1, y[i]-y[j])
			switch {
			case x[i] == x[j] && y[i] == y[j]:
			case x[i] == x[j]:
				tx++
			case y[i] == y[j]:
				ty++
			case sx == sy:
				c++
			default:
				d++
			}
		}
	}
	return (c - d) / math.Sqrt((c+d+tx)*(c+d+ty))
}

// Knight's O(n log n) pair counting agrees with counting every pair, on
// tie-heavy counts.
func TestKendallTauBMatchesPairCounting(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 30; trial++ {
		n := 3 + rng.IntN(80)
		x, y := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i] = float64(rng.IntN(1 + trial%7))
			y[i] = math.Round(x[i]*0.5+rng.NormFloat64()) + float64(rng.IntN(2))
		}
		got, err := KendallTauB(x, y)
		if err != nil {
			t.Fatal(err)
		}
		want := kendallBrute(x, y)
		if math.IsNaN(want) {
			if got.Coef != nil {
				t.Errorf("trial %d: tau %v, want undefined", trial, *got.Coef)
			}
			continue
		}
		if got.Coef == nil || math.Abs(*got.Coef-want) > 1e-12 {
			t.Errorf("trial %d: tau %v, want %v", trial, got.Coef, want)
		}
	}
}

// The cautionary rule: 75% confidence on ten students is noise
// (Fisher p about 0.45) and is not significant; a strong rule on many
// students is significant and confirmed on a held-out half.
func TestClassRulesSeparateNoiseFromRules(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	make := func(n int) [][]string {
		var tr [][]string
		for i := 0; i < n; i++ {
			var t []string
			practice := rng.Float64() < 0.4
			group := rng.Float64() < 0.5
			forum := rng.Float64() < 0.5 // unrelated to passing
			if practice {
				t = append(t, "practice")
			}
			if group {
				t = append(t, "study_group")
			}
			if forum {
				t = append(t, "forum")
			}
			p := 0.4
			if practice && group {
				p = 0.9
			}
			if rng.Float64() < p {
				t = append(t, "pass")
			}
			tr = append(tr, t)
		}
		return tr
	}
	train, holdout := make(600), make(600)
	got, err := ClassRules(train, holdout, ClassRuleOptions{RuleOptions: RuleOptions{MinSupport: 0.05, MinConfidence: 0.3, Consequent: "pass"}})
	if err != nil {
		t.Fatal(err)
	}
	var strong, noise *ClassRule
	for i := range got {
		switch strings.Join(got[i].Antecedent, "+") {
		case "practice+study_group":
			strong = &got[i]
		case "forum":
			noise = &got[i]
		}
		if got[i].Consequent != "pass" {
			t.Fatalf("consequent %q", got[i].Consequent)
		}
	}
	if strong == nil || !strong.Significant || strong.Holdout == nil || !strong.Holdout.Confirmed {
		t.Fatalf("practice+study_group -> pass: %+v", strong)
	}
	if math.Abs(strong.Confidence-0.9) > 0.08 {
		t.Errorf("confidence %.3f, want about 0.9", strong.Confidence)
	}
	if noise != nil && noise.Significant {
		t.Errorf("forum -> pass significant: %+v", noise)
	}
	// Ten students: 4 hold the antecedent, 3 of them pass (75%), 5 of the
	// 10 pass. Fisher's exact two-sided p (scipy): 0.5238.
	ten := [][]string{{"a", "pass"}, {"a", "pass"}, {"a", "pass"}, {"a"}, {"pass"}, {"pass"}, {}, {}, {}, {}}
	small, err := ClassRules(ten, nil, ClassRuleOptions{RuleOptions: RuleOptions{MinSupport: 0.1, MinConfidence: 0.5, Consequent: "pass"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(small) != 1 || math.Abs(small[0].Confidence-0.75) > 1e-12 || math.Abs(small[0].P-0.5238095238) > 1e-9 || small[0].Significant {
		t.Errorf("ten-student rule: %+v", small)
	}
}

func TestAssociationRulesBadInput(t *testing.T) {
	for _, o := range []RuleOptions{{MinSupport: 0}, {MinSupport: 0.5, MinConfidence: 1.5}, {MinSupport: 0.5, MaxAntecedent: -1}} {
		if _, err := AssociationRules([][]string{{"a"}}, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if _, err := ClassRules([][]string{{"a"}}, nil, ClassRuleOptions{RuleOptions: RuleOptions{MinSupport: 0.5}}); err == nil {
		t.Error("class rules without a consequent accepted")
	}
	if _, err := Spearman([]float64{1, 2, math.NaN()}, []float64{1, 2, 3}); err == nil {
		t.Error("NaN accepted")
	}
}

func TestAssociationRulesMaxAntecedent(t *testing.T) {
	tr := [][]string{{"a", "b", "c", "d"}, {"a", "b", "c", "d"}, {"a", "b", "c"}, {"a", "b"}}
	all, _ := AssociationRules(tr, RuleOptions{MinSupport: 0.25, MinConfidence: 0})
	one, _ := AssociationRules(tr, RuleOptions{MinSupport: 0.25, MinConfidence: 0, MaxAntecedent: 1})
	longest := 0
	for _, r := range all {
		longest = max(longest, len(r.Antecedent))
	}
	if longest != 3 {
		t.Errorf("longest antecedent %d, want 3", longest)
	}
	for _, r := range one {
		if len(r.Antecedent) != 1 {
			t.Errorf("max antecedent 1 gave %v", r.Antecedent)
		}
	}
	if len(one) != 12 { // 4 items, every ordered pair frequent
		t.Errorf("%d one-item rules, want 12", len(one))
	}
}

func TestCorrelationsDropMissingAndAdjust(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n := 200
	outcome := make([]float64, n)
	strong, noise, constant := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range outcome {
		outcome[i] = float64(rng.IntN(100))
		strong[i] = math.Round(outcome[i]/10 + rng.NormFloat64())
		noise[i] = float64(rng.IntN(5))
		constant[i] = 3
	}
	strong[7] = math.NaN()
	got, err := Correlations([]string{"strong", "noise", "constant"}, [][]float64{strong, noise, constant}, outcome, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Spearman.N != n-1 || !got[0].Significant || *got[0].Spearman.Coef < 0.8 {
		t.Errorf("strong: %+v", got[0])
	}
	if got[1].Significant {
		t.Errorf("noise significant: %+v", got[1])
	}
	if got[2].Spearman.Coef != nil || got[2].SpearmanQ != nil || got[2].Significant {
		t.Errorf("constant feature: %+v", got[2])
	}
}
