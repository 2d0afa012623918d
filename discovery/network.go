package discovery

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/evalrun/evalrun/abtest"
	"github.com/evalrun/evalrun/networks"
	"github.com/evalrun/evalrun/rules"
)

// maxListedIsolated bounds the isolated students listed in results.json
// (all are in the CSV).
const maxListedIsolated = 100

// logReplies returns the reply edges of the log as of the cutoff: each
// event answering a post (ReplyTo) links its actor to the post's author.
func logReplies(log *Log, cutoff int) (edges []EdgeRecord, replies, unresolved int) {
	author := map[uint32]string{}
	for i, p := range log.Post {
		if p != 0 && int(log.Day[i]) <= cutoff {
			author[uint32(p)] = log.Sym.Name(log.Actor[i])
		}
	}
	for i, to := range log.ReplyTo {
		if to == 0 || int(log.Day[i]) > cutoff {
			continue
		}
		replies++
		a, ok := author[uint32(to)]
		if !ok {
			unresolved++
			continue
		}
		edges = append(edges, EdgeRecord{From: log.Sym.Name(log.Actor[i]), To: a, Day: int(log.Day[i]), HasDay: true})
	}
	return edges, replies, unresolved
}

// logRoles returns the roles the log gives accounts (nil without a log).
func logRoles(l *Log) map[string][]string {
	if l == nil {
		return nil
	}
	return l.Roles
}

func runNetwork(spec Spec, in Input, r *Result) error {
	pop := in.Population
	res := &NetworkResult{Source: spec.EdgeSource, Directed: spec.Directed}
	var records []EdgeRecord
	if in.Edges != nil {
		for _, e := range in.Edges {
			if !e.HasDay || e.Day <= spec.CutoffDay {
				records = append(records, e)
			}
		}
		res.Replies = len(records)
	} else {
		if in.Log == nil {
			return fmt.Errorf("a network needs an event log with replies or an edge list")
		}
		records, res.Replies, res.Unresolved = logReplies(in.Log, spec.CutoffDay)
		if res.Replies == 0 {
			r.Notes = append(r.Notes, "the event log has no reply structure (no event refers to the post it answers, as xAPI statement references or Caliper replyTo do): no forum network is built, and no edges are invented")
			return nil
		}
	}
	listed := map[string]bool{}
	for _, s := range spec.Staff {
		listed[s] = true
	}
	byRole := map[string]bool{}
	rolesFound := false
	for _, roles := range []map[string][]string{in.Roles, logRoles(in.Log)} {
		for account, rs := range roles {
			rolesFound = rolesFound || len(rs) > 0
			for _, r := range rs {
				if StaffRole(r, spec.StaffRoles) {
					byRole[account] = true
				}
			}
		}
	}
	staff := func(account string) bool { return listed[account] || byRole[account] }
	staffSeen := map[string]bool{}
	student := map[string]int{}
	var nodes []string
	seen := map[string]bool{}
	for i, k := range pop.Keys {
		if pop.Role[i] == Excluded {
			continue
		}
		if staff(k) {
			staffSeen[k] = true
			continue
		}
		student[k] = i
		if !seen[k] {
			seen[k] = true
			nodes = append(nodes, k)
		}
	}
	var edges []networks.Edge
	for _, e := range records {
		for _, end := range []string{e.From, e.To} {
			if staff(end) {
				staffSeen[end] = true
			} else if !seen[end] {
				seen[end] = true
				nodes = append(nodes, end)
			}
		}
		if staff(e.From) || staff(e.To) {
			continue
		}
		edges = append(edges, networks.Edge{From: e.From, To: e.To, Weight: e.Weight})
	}
	res.StaffExcluded = len(staffSeen)
	for a := range staffSeen {
		if listed[a] {
			res.StaffByList++
		}
		if byRole[a] {
			res.StaffByRole++
		}
	}
	if len(spec.StaffRoles) > 0 {
		res.StaffRoles = spec.StaffRoles
		switch {
		case !rolesFound:
			r.Warnings = append(r.Warnings, fmt.Sprintf("staff_roles %s: no account's role is known (the sources carry none), so no staff was found by role", strings.Join(spec.StaffRoles, ", ")))
		case res.StaffByRole == 0:
			r.Warnings = append(r.Warnings, fmt.Sprintf("staff_roles %s: no account in the graph carries one of these roles", strings.Join(spec.StaffRoles, ", ")))
		}
	}
	g, err := networks.NewGraph(nodes, edges, spec.Directed)
	if err != nil {
		return err
	}
	res.Nodes, res.Edges = len(nodes), g.Edges()
	c := networks.Compute(g, networks.Options{Seed: spec.Seed})
	res.BetweennessSources, res.Converged = c.BetweennessSources, c.Converged
	if !c.Converged {
		r.Warnings = append(r.Warnings, "an iterative centrality (PageRank or eigenvector) reached its iteration limit")
	}
	if c.BetweennessSources < len(nodes) {
		r.Warnings = append(r.Warnings, fmt.Sprintf("betweenness estimated from %d sampled source nodes of %d (networkx k)", c.BetweennessSources, len(nodes)))
	}
	measures := []struct {
		name string
		v    []float64
	}{{"degree", c.Degree}, {"in_degree", c.InDegree}, {"out_degree", c.OutDegree}, {"betweenness", c.Betweenness},
		{"closeness", c.Closeness}, {"pagerank", c.PageRank}, {"eigenvector", c.Eigenvector}}
	var present []int
	for m, ms := range measures {
		if ms.v != nil {
			present = append(present, m)
		}
	}
	// Students are the nodes with a population row; isolated students
	// have no edge left once staff are out.
	isolated := map[string]bool{}
	for _, n := range g.Isolated() {
		isolated[n] = true
	}
	var rows []int // node indices of students
	for v, n := range g.Nodes {
		if _, ok := student[n]; ok {
			rows = append(rows, v)
		}
	}
	if len(pop.Keys) == 0 { // an edge list without a student table: every node
		for v := range g.Nodes {
			rows = append(rows, v)
		}
	}
	for _, m := range present {
		vals := make([]float64, len(rows))
		for i, v := range rows {
			vals[i] = measures[m].v[v]
		}
		res.Measures = append(res.Measures, summarise(measures[m].name, vals))
	}
	var isoNames []string
	var isoRisk, isoKnown, conRisk, conKnown int
	var conDegree []int
	var conOutcome []int8
	var fitOutcome []float64
	fitCols := make([][]float64, len(present))
	for _, v := range rows {
		name := g.Nodes[v]
		row := StudentRow{Student: in.Pseudonym(name), Values: map[string]float64{}}
		i, isStudent := student[name]
		if isStudent {
			row.Term, row.Role = pop.Terms[i], roleName(pop.Role[i])
		}
		for _, m := range present {
			row.Values[measures[m].name] = measures[m].v[v]
		}
		if isolated[name] {
			row.Label = "isolated"
			isoNames = append(isoNames, row.Student)
		}
		r.Rows = append(r.Rows, row)
		if !isStudent || pop.Role[i] != Train || pop.Outcome[i] < 0 {
			continue
		}
		fitOutcome = append(fitOutcome, float64(pop.Outcome[i]))
		for k, m := range present {
			fitCols[k] = append(fitCols[k], measures[m].v[v])
		}
		if isolated[name] {
			isoKnown++
			isoRisk += int(pop.Outcome[i])
		} else {
			conKnown++
			conRisk += int(pop.Outcome[i])
			// Degree centrality times n−1 is the number of edges.
			conDegree = append(conDegree, int(math.Round(c.Degree[v]*float64(len(g.Nodes)-1))))
			conOutcome = append(conOutcome, pop.Outcome[i])
		}
	}
	for _, m := range present {
		col := FeatureColumn{Name: "net_" + measures[m].name, Values: make([]float64, len(pop.Keys))}
		for i := range col.Values {
			col.Values[i] = math.NaN()
		}
		for _, v := range rows {
			if i, ok := student[g.Nodes[v]]; ok {
				col.Values[i] = measures[m].v[v]
			}
		}
		r.Features = append(r.Features, col)
	}
	sort.Strings(isoNames)
	res.IsolatedCount = len(isoNames)
	res.Isolated = isoNames[:min(len(isoNames), maxListedIsolated)]
	r.Students = len(rows)
	if len(fitOutcome) >= 3 {
		names := make([]string, len(present))
		for k, m := range present {
			names[k] = measures[m].name
		}
		corr, err := rules.Correlations(names, fitCols, fitOutcome, spec.FDR)
		if err != nil {
			return err
		}
		res.Correlations = correlationResults(corr)
	}
	if isoKnown >= spec.MinGroupSize && conKnown >= spec.MinGroupSize && isoKnown > 0 && conKnown > 0 {
		res.IsolatedRate = num(float64(isoRisk) / float64(isoKnown))
		res.ConnectedRate = num(float64(conRisk) / float64(conKnown))
		f, err := abtest.FisherExact([2][2]int{{isoRisk, isoKnown - isoRisk}, {conRisk, conKnown - conRisk}})
		if err == nil {
			res.IsolatedP = num(f.PValue)
		}
	}
	res.Level = spec.Level
	if isoKnown+conKnown > 0 { // no outcomes (an edge list alone): no rates
		res.OutcomeGroups = outcomeGroups(isoRisk, isoKnown, conDegree, conOutcome, spec.Level, spec.MinGroupSize)
	}
	r.Network = res
	return nil
}

// outcomeGroups returns the at-risk rate of the isolated training students
// and of the connected ones in quarters of their degree: the bands end at
// the degrees at the 25th, 50th and 75th percentiles (lower value), so tied
// students share a band and a band may be missing. Groups with fewer than
// minGroup students are suppressed.
func outcomeGroups(isoRisk, isoKnown int, degree []int, outcome []int8, level float64, minGroup int) []GroupOutcome {
	group := func(name string, atRisk, n int) GroupOutcome {
		if n < max(1, minGroup) {
			return GroupOutcome{Group: name, Suppressed: true}
		}
		g := GroupOutcome{Group: name, Students: n, AtRisk: atRisk, Rate: num(float64(atRisk) / float64(n))}
		g.Lower, g.Upper = wilson(atRisk, n, level)
		return g
	}
	out := []GroupOutcome{group("isolated", isoRisk, isoKnown)}
	if len(degree) == 0 {
		return out
	}
	sorted := append([]int(nil), degree...)
	sort.Ints(sorted)
	var ends []int
	for _, q := range []int{1, 2, 3} {
		e := sorted[(q*len(sorted)-1)/4]
		if len(ends) == 0 || e > ends[len(ends)-1] {
			ends = append(ends, e)
		}
	}
	if top := sorted[len(sorted)-1]; top > ends[len(ends)-1] {
		ends = append(ends, top)
	}
	lo := sorted[0]
	for _, hi := range ends {
		var n, atRisk int
		for i, d := range degree {
			if d >= lo && d <= hi {
				n++
				atRisk += int(outcome[i])
			}
		}
		name := fmt.Sprintf("degree %d", lo)
		if hi > lo {
			name = fmt.Sprintf("degree %d–%d", lo, hi)
		}
		out = append(out, group(name, atRisk, n))
		lo = hi + 1
	}
	return out
}

func summarise(name string, v []float64) MeasureSummary {
	s := MeasureSummary{Measure: name}
	if len(v) == 0 {
		return s
	}
	var sum float64
	for _, x := range v {
		sum += x
		s.Max = max(s.Max, x)
	}
	s.Mean = sum / float64(len(v))
	s.Median = median(v)
	return s
}
