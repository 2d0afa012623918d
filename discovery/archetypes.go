package discovery

import (
	"fmt"
	"math"
	"strings"

	"github.com/evalrun/evalrun/archetypes"
)

// trajectories returns each population row's weekly event counts over days
// 0..cutoff (weeks of spec.WeekDays days; earlier events are left out).
func trajectories(spec Spec, pop *Population, log *Log) ([][]float64, int) {
	weeks := spec.CutoffDay/spec.WeekDays + 1
	X := make([][]float64, len(pop.Keys))
	for i := range X {
		X[i] = make([]float64, weeks)
	}
	for i, s := range log.Student {
		d := int(log.Day[i])
		if s < 0 || d < 0 || d > spec.CutoffDay {
			continue
		}
		X[s][d/spec.WeekDays] += float64(log.Count[i])
	}
	return X, weeks
}

func runArchetypes(spec Spec, in Input, r *Result) error {
	pop := in.Population
	if in.Log == nil {
		return fmt.Errorf("archetypes need an event log")
	}
	X, weeks := trajectories(spec, pop, in.Log)
	var trainRows []int
	var trainX [][]float64
	for i, role := range pop.Role {
		if role == Train {
			trainRows = append(trainRows, i)
			trainX = append(trainX, X[i])
		}
	}
	r.Students = len(trainRows)
	transform, err := archetypes.ParseTransform(spec.Transform)
	if err != nil {
		return err
	}
	fit, err := archetypes.Fit(trainX, archetypes.Options{KMin: spec.KMin, KMax: spec.KMax, Restarts: spec.Restarts,
		StabilityReplicates: spec.StabilityReplicates, Transform: transform, Seed: spec.Seed})
	if err != nil {
		return err
	}
	res := &ArchetypesResult{K: fit.K, Weeks: weeks, WeekDays: spec.WeekDays, Transform: string(transform)}
	for _, c := range fit.Candidates {
		ac := ArchetypeCandidate{K: c.K, Silhouette: num(c.Silhouette), SeedARI: num(c.SeedARI), MinStability: num(c.MinStability), Sizes: c.Sizes, Chosen: c.K == fit.K}
		for _, s := range c.Stability {
			ac.Stability = append(ac.Stability, num(s))
		}
		res.Candidates = append(res.Candidates, ac)
	}
	m := fit.Model
	var chosen archetypes.Candidate
	for _, c := range fit.Candidates {
		if c.K == fit.K {
			chosen = c
		}
	}
	for j, name := range m.Names {
		sh := m.Shapes[j]
		res.Archetypes = append(res.Archetypes, Archetype{Index: j, Name: name, Size: m.Sizes[j], Stability: num(chosen.Stability[j]),
			Verdict: archetypes.StabilityVerdict(chosen.Stability[j]), Level: sh.Level, Early: sh.Early, Late: sh.Late,
			PeakRatio: sh.PeakRatio, PeakWeek: sh.PeakWeek, Profile: m.Profiles[j]})
	}
	// Every student of the analysis terms: training students keep their
	// fitted archetype, test students are assigned by the training centres.
	labels := make([]int, len(pop.Keys))
	for i := range labels {
		labels[i] = -1
	}
	for t, row := range trainRows {
		labels[row] = fit.Labels[t]
	}
	var testRows []int
	var testX [][]float64
	for i, role := range pop.Role {
		if role == Test {
			testRows = append(testRows, i)
			testX = append(testX, X[i])
		}
	}
	assigned, err := m.Assign(testX)
	if err != nil {
		return err
	}
	for t, row := range testRows {
		labels[row] = assigned[t]
	}
	r.HeldOut = len(testRows)
	if len(testRows) > 0 {
		r.HeldOutFrom = "test terms, assigned by the training centres"
	}
	var lab []int
	var out []archetypes.Outcome
	var terms []string
	for i, l := range labels {
		if l < 0 {
			continue
		}
		lab = append(lab, l)
		out = append(out, pop.Outcome[i])
		terms = append(terms, pop.Terms[i])
		row := StudentRow{Student: in.Pseudonym(pop.Keys[i]), Term: pop.Terms[i], Role: roleName(pop.Role[i]), Label: m.Names[l], Values: map[string]float64{"archetype": float64(l)}}
		r.Rows = append(r.Rows, row)
	}
	for j, name := range m.Names {
		col := FeatureColumn{Name: "archetype_" + featureSlug(name), Values: make([]float64, len(labels))}
		for i, l := range labels {
			switch {
			case l < 0:
				col.Values[i] = math.NaN()
			case l == j:
				col.Values[i] = 1
			}
		}
		r.Features = append(r.Features, col)
	}
	groups, err := archetypes.Summarise(lab, m.Names, out, terms, spec.Level, spec.MinGroupSize)
	if err != nil {
		return err
	}
	testTerm := map[string]bool{}
	for _, t := range r.TestTerms {
		testTerm[t] = true
	}
	for _, g := range groups {
		o := ArchetypeOutcome{Archetype: g.Name, Term: g.Term, Size: g.Size, Known: g.Known, AtRisk: g.Events, Rate: g.Rate, Lower: g.Lower, Upper: g.Upper, Suppressed: g.Suppressed}
		if g.Term != "" {
			o.Role = "train"
			if testTerm[g.Term] {
				o.Role = "test"
			}
		}
		res.Outcomes = append(res.Outcomes, o)
	}
	r.Archetypes = res
	r.Warnings = append(r.Warnings, fit.Warnings...)
	return nil
}

// featureSlug makes a name a feature-name part: lower case, runs of other
// characters than letters and digits become one underscore.
func featureSlug(name string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			under = false
		} else if !under && b.Len() > 0 {
			b.WriteByte('_')
			under = true
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}
