package abtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// pilotFixture builds a seeded synthetic pilot: n students in 30 sections
// of 3 courses, arms assigned by section (so it is valid both as an
// individually and as a cluster-randomized pilot), a binary DFW outcome
// whose rate the treatment lowers, a continuous grade, a prior GPA, a
// first-generation attribute and treatment received.
func pilotFixture(seed uint64, n int, arms []string) Pilot {
	rng := rand.New(rand.NewPCG(seed, 1))
	p := Pilot{
		Clusters:   make([]string, n),
		Strata:     make([]string, n),
		Outcomes:   []Outcome{{Name: "dfw", Values: make([]float64, n)}, {Name: "grade", Values: make([]float64, n)}},
		Covariates: []Covariate{{Name: "prior_gpa", Values: make([]float64, n)}},
		Attributes: []Attribute{{Name: "first_gen", Values: make([]string, n)}},
		Received:   make([]float64, n),
	}
	sectionArm := make([]string, 30)
	for s := range sectionArm {
		sectionArm[s] = arms[s%len(arms)]
	}
	for i := range n {
		s := i % 30
		p.IDs = append(p.IDs, fmt.Sprintf("s%04d", i))
		p.Arms = append(p.Arms, sectionArm[s])
		p.Clusters[i] = fmt.Sprintf("sec%02d", s)
		p.Strata[i] = fmt.Sprintf("course%d", (s/len(arms))%3)
		gpa := 2.8 + 0.5*rng.NormFloat64()
		p.Covariates[0].Values[i] = gpa
		fg := rng.Float64() < 0.4
		p.Attributes[0].Values[i] = map[bool]string{true: "yes", false: "no"}[fg]
		treated := sectionArm[s] != arms[0]
		rate := 0.3 - 0.1*(gpa-2.8)
		if treated {
			rate -= 0.06
		}
		if rng.Float64() < rate {
			p.Outcomes[0].Values[i] = 1
		}
		p.Outcomes[1].Values[i] = 70 + 8*(gpa-2.8) + 10*rng.NormFloat64()
		if treated {
			p.Outcomes[1].Values[i] += 2
			if rng.Float64() < 0.8 {
				p.Received[i] = 1
			}
		}
	}
	return p
}

func basicPlan(arms []string) Plan {
	return Plan{
		Arms:    arms,
		Control: arms[0],
		Outcomes: []OutcomePlan{
			{Name: "dfw", Kind: Binary, Primary: true},
			{Name: "grade", Kind: Continuous},
		},
		Multiplicity: MultiplicityPlan{Method: AdjustHolm, Strategy: StrategyGatekeeping, Alpha: 0.05},
		Level:        0.95,
	}
}

func TestAnalyzeIndividual(t *testing.T) {
	arms := []string{"control", "tutoring"}
	p := pilotFixture(1, 1200, arms)
	p.Strata = nil
	plan := basicPlan(arms)
	plan.Subgroups = []SubgroupPlan{{Attribute: "first_gen", PreDeclared: true}}
	plan.Target = &TargetPlan{Outcome: "dfw", RelativeReduction: 0.15, Label: "DFW"}
	a, err := Analyze(p, plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Effects) != 2 {
		t.Fatalf("%d effects, want 2 (1 arm x 2 outcomes)", len(a.Effects))
	}
	dfw, grade := a.Effects[0], a.Effects[1]
	if dfw.Method != "z-test" || grade.Method != "welch" {
		t.Errorf("methods %q, %q; want z-test and welch", dfw.Method, grade.Method)
	}
	// The pipeline's numbers are those of the direct calls on the same arms.
	var x1, n1, x2, n2 int
	var gt, gc []float64
	for i, arm := range p.Arms {
		y := p.Outcomes[0].Values[i]
		if arm == "tutoring" {
			n1++
			x1 += int(y)
			gt = append(gt, p.Outcomes[1].Values[i])
		} else {
			n2++
			x2 += int(y)
			gc = append(gc, p.Outcomes[1].Values[i])
		}
	}
	tp, _ := TwoProportions(x1, n1, x2, n2, 0.95)
	if dfw.Estimate != tp.Diff || dfw.PValue != *tp.PValue || dfw.CI != tp.Newcombe {
		t.Errorf("dfw effect %v %v %v, direct %v %v %v", dfw.Estimate, dfw.PValue, dfw.CI, tp.Diff, *tp.PValue, tp.Newcombe)
	}
	w, _ := WelchT(gt, gc, 0.95)
	if grade.Estimate != w.Diff || grade.PValue != w.PValue {
		t.Errorf("grade effect %v %v, direct %v %v", grade.Estimate, grade.PValue, w.Diff, w.PValue)
	}
	// Gatekeeping: the secondary is adjusted at least to the primary's level.
	if grade.AdjustedP < dfw.AdjustedP {
		t.Errorf("secondary adjusted p %v below primary %v under gatekeeping", grade.AdjustedP, dfw.AdjustedP)
	}
	if a.Checks.SRM.Alarm {
		t.Errorf("SRM alarm on a 600/600 split: %+v", a.Checks.SRM)
	}
	if len(a.Subgroups) != 1 || a.Subgroups[0].Exploratory {
		t.Errorf("subgroups %+v: want one pre-declared analysis", a.Subgroups)
	}
	if len(a.Compliance) != 1 || a.Compliance[0].CACE == nil {
		t.Fatalf("compliance %+v: want one complier effect", a.Compliance)
	}
	// Received is 0 in control and ~0.8 in treatment: CACE = ITT / FS.
	c := a.Compliance[0]
	if math.Abs(*c.CACE-c.ITT/c.FirstStage) > 1e-12 || c.FirstStage < 0.7 || c.FirstStage > 0.9 {
		t.Errorf("CACE %v, ITT %v, first stage %v", *c.CACE, c.ITT, c.FirstStage)
	}
	if a.Target == nil || !strings.HasPrefix(a.Target.Statement, "relative DFW reduction ") {
		t.Fatalf("target %+v", a.Target)
	}
	if _, err := json.Marshal(a); err != nil {
		t.Fatalf("analysis does not encode as JSON: %v", err)
	}
}

func TestAnalyzeDesigns(t *testing.T) {
	arms := []string{"control", "tutoring", "alerts"}
	cases := []struct {
		name    string
		mutate  func(*Pilot, *Plan)
		methods []string // per effect: dfw x 2 arms, grade x 2 arms
	}{
		{"stratified", func(p *Pilot, pl *Plan) {}, []string{"cmh", "cmh", "regression-hc2", "regression-hc2"}},
		{"cluster", func(p *Pilot, pl *Plan) { pl.ClusterRandomized = true }, []string{"cluster-robust", "cluster-robust", "cluster-robust", "cluster-robust"}},
		{"adjusted", func(p *Pilot, pl *Plan) { p.Strata = nil; pl.AdjustFor = []string{"prior_gpa"} }, []string{"regression-hc2", "regression-hc2", "regression-hc2", "regression-hc2"}},
		{"cuped", func(p *Pilot, pl *Plan) {
			p.Strata = nil
			pl.Outcomes[1].PrePeriod = "prior_gpa"
		}, []string{"z-test", "z-test", "cuped", "cuped"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := pilotFixture(2, 900, arms)
			plan := basicPlan(arms)
			c.mutate(&p, &plan)
			a, err := Analyze(p, plan)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Effects) != 4 {
				t.Fatalf("%d effects, want 4", len(a.Effects))
			}
			for i, e := range a.Effects {
				if e.Method != c.methods[i] {
					t.Errorf("effect %d (%s, %s): method %q, want %q", i, e.Arm, e.Outcome, e.Method, c.methods[i])
				}
				if !(e.CI.Lower <= e.Estimate && e.Estimate <= e.CI.Upper) {
					t.Errorf("effect %d: estimate %v outside its interval %v", i, e.Estimate, e.CI)
				}
			}
			if plan.ClusterRandomized {
				// 30 sections in 3 arms: 20 clusters per comparison, no
				// small-cluster warning; ICC reported.
				if e := a.Effects[0]; e.Cluster == nil || e.Cluster.Clusters != 20 {
					t.Errorf("cluster result %+v: want 20 clusters", e.Cluster)
				}
				if a.Checks.ArmSizes[0].Clusters != 10 {
					t.Errorf("arm sizes %+v: want 10 clusters per arm", a.Checks.ArmSizes)
				}
			}
		})
	}
}

// TestAnalyzeBadData checks that each kind of bad data is a clear error or
// a reported exclusion.
func TestAnalyzeBadData(t *testing.T) {
	arms := []string{"control", "tutoring"}
	errCases := []struct {
		name   string
		mutate func(*Pilot, *Plan)
		want   string
	}{
		{"unknown arm label", func(p *Pilot, _ *Plan) { p.Arms[5] = "tutorng" }, `unknown arm label "tutorng"`},
		{"empty arm label", func(p *Pilot, _ *Plan) { p.Arms[7] = "" }, `unknown arm label ""`},
		{"unit in two arms", func(p *Pilot, _ *Plan) {
			p.IDs[1] = p.IDs[0] // rows 0 and 1 are in different sections and arms
		}, `unit "s0000" is in two arms`},
		{"duplicate unit", func(p *Pilot, _ *Plan) { p.IDs[30] = p.IDs[0] }, `unit "s0000" appears twice`},
		{"empty unit id", func(p *Pilot, _ *Plan) { p.IDs[3] = "" }, "row 4 has an empty unit id"},
		{"cluster in two arms", func(p *Pilot, pl *Plan) {
			pl.ClusterRandomized = true
			p.Clusters[1] = p.Clusters[0]
		}, `cluster "sec00" is in two arms`},
		{"cluster-randomized without clusters", func(p *Pilot, pl *Plan) {
			pl.ClusterRandomized = true
			p.Clusters = nil
		}, "has no clusters"},
		{"non-binary outcome", func(p *Pilot, _ *Plan) { p.Outcomes[0].Values[9] = 2 }, `binary outcome "dfw" has value 2`},
		{"column length", func(p *Pilot, _ *Plan) { p.Outcomes[1].Values = p.Outcomes[1].Values[:10] }, `outcome "grade" has 10 values`},
		{"outcome not in data", func(_ *Pilot, pl *Plan) { pl.Outcomes[1].Name = "gpa" }, `outcome "gpa" of the plan is not in the data`},
	}
	for _, c := range errCases {
		t.Run(c.name, func(t *testing.T) {
			p := pilotFixture(3, 300, arms)
			plan := basicPlan(arms)
			c.mutate(&p, &plan)
			_, err := Analyze(p, plan)
			if err == nil {
				t.Fatalf("no error, want one containing %q", c.want)
			}
			var de *DataError
			if !errors.As(err, &de) {
				t.Errorf("error %v is not a *DataError", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}

	t.Run("stratum with one arm", func(t *testing.T) {
		p := pilotFixture(3, 300, arms)
		// Move five control units into a stratum of their own, which
		// then holds the control arm only.
		moved := 0
		for i := range p.Strata {
			if p.Arms[i] == "control" && moved < 5 {
				p.Strata[i] = "course-solo"
				moved++
			}
		}
		a, err := Analyze(p, basicPlan(arms))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, ex := range a.Exclusions {
			if strings.Contains(ex.Reason, `stratum "course-solo"`) {
				found = true
				if ex.Units != moved || ex.ByArm["control"] != moved {
					t.Errorf("exclusion %+v: want %d control units", ex, moved)
				}
			}
		}
		if !found {
			t.Fatalf("no exclusion for the one-arm stratum: %+v", a.Exclusions)
		}
		if got := a.Effects[0].N1 + a.Effects[0].N2; got != 300-moved {
			t.Errorf("analysed %d units, want %d", got, 300-moved)
		}
		// Assignment checks still count every assigned unit.
		if a.Checks.ArmSizes[0].Units+a.Checks.ArmSizes[1].Units != 300 {
			t.Errorf("arm sizes %+v do not cover all 300 units", a.Checks.ArmSizes)
		}
	})

	t.Run("missing outcomes", func(t *testing.T) {
		p := pilotFixture(3, 300, arms)
		p.Strata = nil
		missing := map[string]int{}
		for i := 0; i < 300; i += 7 {
			p.Outcomes[1].Values[i] = math.NaN()
			missing[p.Arms[i]]++
		}
		a, err := Analyze(p, basicPlan(arms))
		if err != nil {
			t.Fatal(err)
		}
		var ex *Exclusion
		for k := range a.Exclusions {
			if a.Exclusions[k].Outcome == "grade" {
				ex = &a.Exclusions[k]
			}
		}
		if ex == nil || ex.Units != 43 || ex.ByArm["control"] != missing["control"] || ex.ByArm["tutoring"] != missing["tutoring"] {
			t.Fatalf("grade exclusion %+v, want 43 units %v", ex, missing)
		}
		if e := a.Effects[1]; e.N1+e.N2 != 300-43 {
			t.Errorf("grade analysed on %d units, want %d", e.N1+e.N2, 300-43)
		}
		att := a.Checks.Attrition[1]
		if att.Outcome != "grade" || math.Abs(att.Overall-43.0/300) > 1e-15 {
			t.Errorf("attrition %+v, want overall 43/300", att)
		}
		if a.Effects[0].N1+a.Effects[0].N2 != 300 {
			t.Errorf("dfw lost units to grade's missing values")
		}
	})

	t.Run("stratum loses an arm to missing outcomes", func(t *testing.T) {
		p := pilotFixture(3, 300, arms)
		lost := 0
		for i := range p.Arms {
			if p.Arms[i] == "control" && p.Strata[i] == "course1" {
				p.Outcomes[1].Values[i] = math.NaN()
			}
			if p.Strata[i] == "course1" && p.Arms[i] == "tutoring" {
				lost++
			}
		}
		a, err := Analyze(p, basicPlan(arms))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, ex := range a.Exclusions {
			if ex.Outcome == "grade" && strings.Contains(ex.Reason, `stratum "course1" has no control units`) {
				found = ex.Units == lost && ex.ByArm["tutoring"] == lost
			}
		}
		if !found {
			t.Errorf("no exclusion of course1's %d treated units for grade: %+v", lost, a.Exclusions)
		}
		if a.Effects[1].Method != "regression-hc2" || a.Effects[0].N1+a.Effects[0].N2 != 300 {
			t.Errorf("effects %+v", a.Effects)
		}
	})

	t.Run("subgroup that cannot be analysed", func(t *testing.T) {
		p := pilotFixture(3, 300, arms)
		for i := range p.Attributes[0].Values {
			p.Attributes[0].Values[i] = "yes"
		}
		plan := basicPlan(arms)
		plan.Subgroups = []SubgroupPlan{{Attribute: "first_gen"}}
		a, err := Analyze(p, plan)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Subgroups) != 1 || !strings.Contains(a.Subgroups[0].Error, "at least 2") || !containsWarning(a.Warnings, "could not be run") {
			t.Errorf("subgroups %+v, warnings %q", a.Subgroups, a.Warnings)
		}
	})

	t.Run("differential attrition warns", func(t *testing.T) {
		p := pilotFixture(3, 600, arms)
		p.Strata = nil
		k := 0
		for i, arm := range p.Arms {
			if arm == "tutoring" {
				if k%4 == 0 {
					p.Outcomes[0].Values[i] = math.NaN()
				}
				k++
			}
		}
		a, err := Analyze(p, basicPlan(arms))
		if err != nil {
			t.Fatal(err)
		}
		if !containsWarning(a.Warnings, "differential attrition") {
			t.Errorf("no differential attrition warning in %q", a.Warnings)
		}
	})
}

func containsWarning(ws []string, sub string) bool {
	for _, w := range ws {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

func TestAnalyzeSRMAlarm(t *testing.T) {
	arms := []string{"control", "tutoring"}
	p := pilotFixture(4, 1000, arms)
	p.Strata = nil
	// Drop 150 control units, as a broken export would.
	var keep []int
	dropped := 0
	for i, a := range p.Arms {
		if a == "control" && dropped < 150 {
			dropped++
			continue
		}
		keep = append(keep, i)
	}
	q := subsetPilot(p, keep)
	a, err := Analyze(q, basicPlan(arms))
	if err != nil {
		t.Fatal(err)
	}
	if !a.Checks.SRM.Alarm || len(a.Warnings) == 0 || !strings.HasPrefix(a.Warnings[0], "SAMPLE RATIO MISMATCH") {
		t.Errorf("350/500 split: SRM %+v, first warning %q; want the alarm first", a.Checks.SRM, a.Warnings)
	}
}

func subsetPilot(p Pilot, rows []int) Pilot {
	q := Pilot{}
	for _, i := range rows {
		q.IDs = append(q.IDs, p.IDs[i])
		q.Arms = append(q.Arms, p.Arms[i])
		if p.Clusters != nil {
			q.Clusters = append(q.Clusters, p.Clusters[i])
		}
		if p.Strata != nil {
			q.Strata = append(q.Strata, p.Strata[i])
		}
		if p.Received != nil {
			q.Received = append(q.Received, p.Received[i])
		}
	}
	for _, o := range p.Outcomes {
		q.Outcomes = append(q.Outcomes, Outcome{Name: o.Name, Values: pick(o.Values, rows)})
	}
	for _, c := range p.Covariates {
		q.Covariates = append(q.Covariates, Covariate{Name: c.Name, Values: pick(c.Values, rows)})
	}
	for _, a := range p.Attributes {
		q.Attributes = append(q.Attributes, Attribute{Name: a.Name, Values: pickStrings(a.Values, rows)})
	}
	return q
}

func TestPlanValidation(t *testing.T) {
	arms := []string{"control", "tutoring"}
	cases := []struct {
		name   string
		mutate func(*Plan)
		want   string
	}{
		{"control not an arm", func(p *Plan) { p.Control = "placebo" }, "control arm"},
		{"one arm", func(p *Plan) { p.Arms = p.Arms[:1] }, "at least 2 arms"},
		{"no primary", func(p *Plan) { p.Outcomes[0].Primary = false }, "no primary outcome"},
		{"bad kind", func(p *Plan) { p.Outcomes[0].Kind = "count" }, `kind "count"`},
		{"bad method", func(p *Plan) { p.Multiplicity.Method = "sidak" }, `method "sidak"`},
		{"bad level", func(p *Plan) { p.Level = 95 }, "confidence level"},
		{"allocation length", func(p *Plan) { p.Allocation = []float64{1} }, "allocation"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan := basicPlan(arms)
			c.mutate(&plan)
			_, err := Analyze(pilotFixture(5, 100, arms), plan)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestAnalyzePrePeriodInRegression(t *testing.T) {
	// With a declared covariate, or cluster randomization, the pre-period
	// measure becomes a regression covariate rather than a CUPED
	// adjustment.
	arms := []string{"control", "tutoring"}
	p := pilotFixture(8, 600, arms)
	p.Strata = nil
	p.Covariates = append(p.Covariates, Covariate{Name: "prior_grade", Values: append([]float64(nil), p.Outcomes[1].Values...)})
	for i := range p.Covariates[1].Values {
		p.Covariates[1].Values[i] += float64(i%7) - 3
	}
	plan := basicPlan(arms)
	plan.Outcomes[1].PrePeriod = "prior_grade"
	plan.AdjustFor = []string{"prior_gpa"}
	a, err := Analyze(p, plan)
	if err != nil {
		t.Fatal(err)
	}
	reg := a.Effects[1].Regression
	if a.Effects[1].Method != "regression-hc2" || reg == nil || len(reg.Coefficients) != 4 || reg.Coefficients[3].Name != "prior_grade" {
		t.Fatalf("grade effect %+v", a.Effects[1])
	}
	plan.AdjustFor = nil
	plan.ClusterRandomized = true
	a, err = Analyze(p, plan)
	if err != nil {
		t.Fatal(err)
	}
	if c := a.Effects[1].Cluster; c == nil || len(c.Coefficients) != 3 || c.Coefficients[2].Name != "prior_grade" {
		t.Fatalf("clustered grade effect %+v", a.Effects[1].Cluster)
	}
}
