package discovery

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/events"
)

// world is a two-term course: 300 students a term; at-risk students (every
// third) start strong and fade, open the quiz then skip to the forum, and
// nobody replies to them; the others work steadily and reply to each other.
func world(t *testing.T, withReplies bool) Input {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	pop := &Population{}
	sym := events.NewSymbols()
	c := NewCollector(pop, sym, 0)
	for term, name := range []string{"2023", "2024"} {
		for s := 0; s < 300; s++ {
			key := fmt.Sprintf("%s-s%d", name, s)
			pop.Keys = append(pop.Keys, key)
			pop.Terms = append(pop.Terms, name)
			risk := s%3 == 0
			out := int8(0)
			if risk {
				out = 1
			}
			pop.Outcome = append(pop.Outcome, out)
			pop.Role = append(pop.Role, Role(1+term))
		}
	}
	c = NewCollector(pop, sym, 0)
	post := 0
	emit := func(student string, day int, minute int, action string, replyTo int) int {
		post++
		e := events.Event{Student: sym.InternString(student), Time: int64(day)*86400000 + int64(minute)*60000, Count: 1,
			Action: sym.InternString(action), Post: sym.InternString(fmt.Sprint("p", post))}
		if replyTo > 0 && withReplies {
			e.ReplyTo = sym.InternString(fmt.Sprint("p", replyTo))
		}
		if err := c.Event(&e); err != nil {
			t.Fatal(err)
		}
		return post
	}
	lastPost := map[string]int{}
	for i, key := range pop.Keys {
		risk := pop.Outcome[i] == 1
		term := pop.Terms[i]
		for day := 0; day <= 27; day++ {
			active := rng.Float64() < 0.6
			if risk {
				active = rng.Float64() < 0.9*float64(28-day)/28
			}
			if !active {
				continue
			}
			if risk && rng.Float64() < 0.5 {
				emit(key, day, 600, "quiz_open", 0)
				emit(key, day, 605, "forum_view", 0)
			} else {
				emit(key, day, 600, "quiz_open", 0)
				emit(key, day, 610, "resource", 0)
				emit(key, day, 620, "quiz_attempt", 0)
			}
			if !risk && rng.Float64() < 0.3 {
				to := lastPost[term]
				lastPost[term] = emit(key, day, 630, "forum_post", to)
			}
		}
	}
	emit("tutor", 3, 700, "forum_post", lastPost["2023"])
	return Input{Population: pop, Log: c.Log, Pseudonym: func(s string) string { return "x" + s }}
}

func TestRunFindsPlantedStructure(t *testing.T) {
	in := world(t, true)
	base := Spec{Dataset: "log", CutoffDay: 27, Seed: 7, MinGroupSize: 5}

	a := base
	a.Name, a.Kind, a.KMax, a.StabilityReplicates = "arch", KindArchetypes, 4, 20
	r, err := Run(a, in)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, x := range r.Archetypes.Archetypes {
		names[x.Name] = true
	}
	if !names["early starters who fade"] {
		t.Errorf("archetypes %v lack the planted fading students", names)
	}
	if r.HeldOut != 300 || len(r.Rows) != 600 {
		t.Errorf("held out %d, rows %d: want the 300 test students assigned", r.HeldOut, len(r.Rows))
	}

	s := base
	s.Name, s.Kind, s.CollapseRepeats = "seq", KindSequences, true
	r, err = Run(s, in)
	if err != nil {
		t.Fatal(err)
	}
	var planted *PatternResult
	for i, p := range r.Sequences.Patterns {
		if strings.Join(p.Pattern, ">") == "quiz_open>forum_view" {
			planted = &r.Sequences.Patterns[i]
		}
	}
	if planted == nil || !planted.Significant || !planted.Confirmed || planted.Diff <= 0 {
		t.Fatalf("quiz_open>forum_view: %+v", planted)
	}
	if !strings.HasPrefix(planted.Sentence, "quiz open, then forum view: ") {
		t.Errorf("sentence %q", planted.Sentence)
	}
	// Each share carries its counts and a Wilson interval around it.
	q := r.Sequences
	if q.AtRiskStudents != 100 || q.OtherStudents != 200 || q.Level != 0.95 {
		t.Errorf("groups %d at risk, %d other, level %v: want the 300 students of 2023 (100 at risk)", q.AtRiskStudents, q.OtherStudents, q.Level)
	}
	for _, p := range q.Patterns {
		if p.ShareAtRisk != float64(p.SupportAtRisk)/float64(q.AtRiskStudents) || p.ShareOther != float64(p.SupportOther)/float64(q.OtherStudents) {
			t.Errorf("%v: shares %v %v from counts %d %d", p.Pattern, p.ShareAtRisk, p.ShareOther, p.SupportAtRisk, p.SupportOther)
		}
		if p.ShareAtRiskLower == nil || !(*p.ShareAtRiskLower <= p.ShareAtRisk && p.ShareAtRisk <= *p.ShareAtRiskUpper) ||
			p.ShareOtherLower == nil || !(*p.ShareOtherLower <= p.ShareOther && p.ShareOther <= *p.ShareOtherUpper) {
			t.Errorf("%v: intervals do not hold the shares: %+v", p.Pattern, p)
		}
	}

	ru := base
	ru.Name, ru.Kind = "rules", KindRules
	r, err = Run(ru, in)
	if err != nil {
		t.Fatal(err)
	}
	confirmed := false
	for _, x := range r.Rules.Rules {
		if x.Consequent == itemOther && strings.Contains(strings.Join(x.Antecedent, ","), "high resource events") && x.Significant && x.Confirmed {
			confirmed = true
		}
	}
	if !confirmed {
		t.Errorf("no confirmed rule 'high resource events -> not at risk': %+v", r.Rules.Rules)
	}
	if got := r.Rules.AtRiskRate; got != 100.0/300 {
		t.Errorf("at-risk rate %v, want 100/300", got)
	}
	for _, x := range r.Rules.Rules {
		if x.ConfidenceLower == nil || !(*x.ConfidenceLower <= x.Confidence && x.Confidence <= *x.ConfidenceUpper) {
			t.Errorf("rule %v: confidence %v outside its interval", x.Antecedent, x.Confidence)
		}
	}

	n := base
	n.Name, n.Kind, n.Directed, n.Staff = "net", KindNetwork, true, []string{"tutor"}
	r, err = Run(n, in)
	if err != nil {
		t.Fatal(err)
	}
	if r.Network.StaffExcluded != 1 || r.Network.IsolatedCount < 200 {
		t.Errorf("staff %d, isolated %d: want the tutor out and the at-risk students isolated", r.Network.StaffExcluded, r.Network.IsolatedCount)
	}
	if r.Network.IsolatedRate == nil || *r.Network.IsolatedRate < 0.9 {
		t.Errorf("isolated at-risk rate %v", r.Network.IsolatedRate)
	}
	if !strings.HasPrefix(r.Network.Isolated[0], "x") {
		t.Errorf("isolated students not pseudonymized: %v", r.Network.Isolated[:1])
	}
	if g := r.Network.OutcomeGroups; len(g) < 2 || g[0].Group != "isolated" || g[0].Rate == nil || *g[0].Rate != *r.Network.IsolatedRate {
		t.Errorf("outcome groups %+v: want the isolated students first, at the isolated rate", g)
	}
}

// The connected students fall into bands that end at the degrees of the
// 25th, 50th and 75th percentiles (tied students share a band); bands
// smaller than the minimum group size are suppressed.
func TestOutcomeGroups(t *testing.T) {
	degree := []int{13, 1, 1, 2, 1, 5, 2, 3, 8, 1}
	outcome := []int8{0, 1, 1, 0, 1, 0, 1, 0, 0, 0}
	got := outcomeGroups(3, 4, degree, outcome, 0.95, 2)
	want := []struct {
		group      string
		n, atRisk  int
		suppressed bool
	}{
		{"isolated", 4, 3, false},
		{"degree 1", 4, 3, false},
		{"degree 2", 2, 1, false},
		{"degree 3–5", 2, 0, false},
		{"degree 6–13", 2, 0, false},
	}
	if len(got) != len(want) {
		t.Fatalf("%d groups, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Group != w.group || g.Students != w.n || g.AtRisk != w.atRisk || g.Suppressed != w.suppressed {
			t.Errorf("group %d: %+v, want %+v", i, g, w)
		}
		if *g.Rate != float64(w.atRisk)/float64(w.n) || !(*g.Lower <= *g.Rate && *g.Rate <= *g.Upper) {
			t.Errorf("group %s: rate %v in [%v, %v]", g.Group, *g.Rate, *g.Lower, *g.Upper)
		}
	}
	// Wilson interval of 3/4 at 95% (statsmodels proportion_confint,
	// method="wilson"): 0.300642, 0.954413 (the same from the formula in
	// Python).
	if l, u := *got[0].Lower, *got[0].Upper; math.Abs(l-0.300642) > 1e-6 || math.Abs(u-0.954413) > 1e-6 {
		t.Errorf("isolated interval [%v, %v]", l, u)
	}
	small := outcomeGroups(1, 1, degree, outcome, 0.95, 3)
	if !small[0].Suppressed || small[0].Rate != nil || small[0].Students != 0 || !small[2].Suppressed || small[1].Suppressed {
		t.Errorf("minimum group size 3: %+v", small)
	}
}

// A log without reply structure (OULAD's clicks) gets no network, and says
// so.
func TestNetworkWithoutReplies(t *testing.T) {
	in := world(t, false)
	r, err := Run(Spec{Name: "net", Kind: KindNetwork, CutoffDay: 27}, in)
	if err != nil {
		t.Fatal(err)
	}
	if r.Network != nil || len(r.Notes) == 0 || !strings.Contains(r.Notes[0], "no reply structure") {
		t.Errorf("network %+v, notes %v", r.Network, r.Notes)
	}
}

// Archetype membership and centralities come back as feature columns over
// the population rows: one 0/1 column per archetype (every analysed
// student in exactly one), and each centrality.
func TestFeatureColumns(t *testing.T) {
	in := world(t, true)
	r, err := Run(Spec{Name: "a", Kind: KindArchetypes, CutoffDay: 27, KMax: 3, StabilityReplicates: 10}, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Features) != r.Archetypes.K {
		t.Fatalf("%d columns for %d archetypes", len(r.Features), r.Archetypes.K)
	}
	for i := range in.Population.Keys {
		sum := 0.0
		for _, c := range r.Features {
			sum += c.Values[i]
		}
		if sum != 1 {
			t.Fatalf("row %d belongs to %v archetypes", i, sum)
		}
	}
	n, err := Run(Spec{Name: "n", Kind: KindNetwork, CutoffDay: 27, Directed: true}, in)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, c := range n.Features {
		names[c.Name] = true
	}
	if !names["net_pagerank"] || !names["net_closeness"] || names["net_eigenvector"] {
		t.Errorf("network feature columns %v", names)
	}
}

func TestStaffRole(t *testing.T) {
	for _, tc := range []struct {
		role string
		want bool
	}{
		{"Instructor", true},
		{"instructor", true},
		{"http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor", true},
		{"Instructor#TeachingAssistant", true},
		{"Learner", false},
		{"NonInstructor", false},
		{"", false},
	} {
		if got := StaffRole(tc.role, []string{"Instructor", "TeachingAssistant"}); got != tc.want {
			t.Errorf("StaffRole(%q) = %v, want %v", tc.role, got, tc.want)
		}
	}
}

// The collector keeps the roles a log gives accounts: Caliper membership
// roles of the actor, "Instructor" for an xAPI context.instructor.
func TestCollectorRoles(t *testing.T) {
	sym := events.NewSymbols()
	c := NewCollector(&Population{}, sym, 0)
	for _, e := range []events.Event{
		{Student: sym.InternString("ta"), Roles: sym.InternString("Instructor#TeachingAssistant Mentor")},
		{Student: sym.InternString("ann"), Instructor: sym.InternString("prof")},
		{Student: sym.InternString("ta"), Roles: sym.InternString("Mentor")},
	} {
		e.TimeStatus, e.Count = events.TimeOK, 1
		if err := c.Event(&e); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string][]string{"ta": {"Instructor#TeachingAssistant", "Mentor"}, "prof": {"Instructor"}}
	if fmt.Sprint(c.Log.Roles) != fmt.Sprint(want) {
		t.Errorf("roles %v, want %v", c.Log.Roles, want)
	}
}

// Staff are left out by role as by list, counted apart, never named; a
// configured role nobody carries is a warning, not a silent no-op.
func TestStaffByRole(t *testing.T) {
	in := world(t, true)
	in.Log.addRole("tutor", "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor")
	in.Roles = map[string][]string{"2023-s1": {"TeachingAssistant"}}
	base := Spec{Name: "net", Kind: KindNetwork, Dataset: "log", CutoffDay: 27, Seed: 7, MinGroupSize: 5, Directed: true}
	for _, tc := range []struct {
		staff, roles        []string
		excluded, list, rol int
		warn                string
	}{
		{nil, []string{"Instructor"}, 1, 0, 1, ""},
		{[]string{"tutor"}, []string{"instructor", "TeachingAssistant"}, 2, 1, 2, ""},
		{[]string{"tutor"}, nil, 1, 1, 0, ""},
		{nil, []string{"Mentor"}, 0, 0, 0, "no account in the graph carries one of these roles"},
	} {
		s := base
		s.Staff, s.StaffRoles = tc.staff, tc.roles
		r, err := Run(s, in)
		if err != nil {
			t.Fatal(err)
		}
		n := r.Network
		if n.StaffExcluded != tc.excluded || n.StaffByList != tc.list || n.StaffByRole != tc.rol {
			t.Errorf("staff %v roles %v: excluded %d (list %d, role %d), want %d (%d, %d)", tc.staff, tc.roles, n.StaffExcluded, n.StaffByList, n.StaffByRole, tc.excluded, tc.list, tc.rol)
		}
		warned := strings.Contains(strings.Join(r.Warnings, "\n"), tc.warn)
		if tc.warn != "" && !warned {
			t.Errorf("roles %v: warnings %v lack %q", tc.roles, r.Warnings, tc.warn)
		}
		for _, row := range r.Rows {
			if row.Student == "xtutor" || (tc.rol == 2 && row.Student == "x2023-s1") {
				t.Errorf("roles %v: staff %s has a row", tc.roles, row.Student)
			}
		}
	}
	// Without any role in the sources, the warning says so.
	plain := world(t, true)
	r, err := Run(Spec{Name: "net", Kind: KindNetwork, CutoffDay: 27, Directed: true, StaffRoles: []string{"Instructor"}}, plain)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(r.Warnings, "\n"), "no account's role is known") {
		t.Errorf("warnings %v", r.Warnings)
	}
}
