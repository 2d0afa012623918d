package reports

import (
	"bytes"
	"fmt"
	"image/png"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/discovery"
	"github.com/evalrun/evalrun/results"
)

func fp(v float64) *float64 { return &v }

// discoveryRun holds one analysis of each kind, as results.json would:
// two patterns (one significant), three rules for both consequents and a
// network with a suppressed degree band.
func discoveryRun() *results.Run {
	base := discovery.Result{Dataset: "moodle", CutoffDay: 27, TrainTerms: []string{"2023"}, Students: 300, HeldOut: 150, HeldOutFrom: "test terms"}
	seq, rul, net := base, base, base
	seq.Name, seq.Kind = "paths", discovery.KindSequences
	seq.Sequences = &discovery.SequencesResult{Mode: "prefixspan", GapMinutes: 30, Sessions: 4000, MinSupport: 0.1, MaxLength: 3,
		AtRiskStudents: 100, OtherStudents: 200, Level: 0.95, Tested: 12, Significant: 1, Confirmed: 1,
		Patterns: []discovery.PatternResult{
			{Pattern: []string{"quiz_open", "forum_view"}, ShareAtRisk: 0.41, ShareOther: 0.17, SupportAtRisk: 41, SupportOther: 34,
				ShareAtRiskLower: fp(0.3183), ShareAtRiskUpper: fp(0.5086), ShareOtherLower: fp(0.1243), ShareOtherUpper: fp(0.2288),
				Diff: 0.24, P: 0.0001, Q: 0.0012, Significant: true, Confirmed: true},
			{Pattern: []string{"resource"}, ShareAtRisk: 0.9, ShareOther: 0.95, SupportAtRisk: 90, SupportOther: 190,
				ShareAtRiskLower: fp(0.8256), ShareAtRiskUpper: fp(0.9448), ShareOtherLower: fp(0.9106), ShareOtherUpper: fp(0.9728),
				Diff: -0.05, P: 0.08, Q: 0.48},
		}}
	rul.Name, rul.Kind = "rules", discovery.KindRules
	rul.Rules = &discovery.RulesResult{MinSupport: 0.1, MinConf: 0.6, AtRiskRate: 1.0 / 3, FDR: 0.05, Level: 0.95, Rules: []discovery.RuleResult{
		{Antecedent: []string{"high resource events"}, Consequent: "not at risk", Students: 150, Support: 0.47, Confidence: 0.94,
			ConfidenceLower: fp(0.8897), ConfidenceUpper: fp(0.9679), Lift: 1.41, Leverage: 0.137, P: 1e-9, Q: 3e-9, Significant: true},
		{Antecedent: []string{"high forum view events"}, Consequent: "at risk", Students: 20, Support: 0.05, Confidence: 0.75,
			ConfidenceLower: fp(0.5313), ConfidenceUpper: fp(0.8881), Lift: 2.25, Leverage: 0.028, P: 0.0004, Q: 0.0006, Significant: true},
		{Antecedent: []string{"high sessions"}, Consequent: "at risk", Students: 10, Support: 0.02, Confidence: 0.6,
			ConfidenceLower: fp(0.3127), ConfidenceUpper: fp(0.8318), Lift: 1.8, Leverage: 0.009, P: 0.07, Q: 0.07},
	}}
	net.Name, net.Kind = "forum", discovery.KindNetwork
	net.Network = &discovery.NetworkResult{Source: "edge list", Directed: true, Nodes: 300, Edges: 900, Replies: 1000, Level: 0.95,
		IsolatedCount: 40, IsolatedRate: fp(0.8), ConnectedRate: fp(0.25), IsolatedP: fp(1e-6),
		OutcomeGroups: []discovery.GroupOutcome{
			{Group: "isolated", Students: 40, AtRisk: 32, Rate: fp(0.8), Lower: fp(0.6525), Upper: fp(0.8950)},
			{Group: "degree 1–2", Students: 90, AtRisk: 36, Rate: fp(0.4), Lower: fp(0.3055), Upper: fp(0.5024)},
			{Group: "degree 3–5", Students: 165, AtRisk: 20, Rate: fp(20.0 / 165), Lower: fp(0.0800), Upper: fp(0.1795)},
			{Group: "degree 6–40", Suppressed: true},
		}}
	return &results.Run{Discoveries: []*discovery.Result{&seq, &rul, &net}}
}

// TestDiscoveryPlots renders the sequence, rule and network plots twice:
// identical bytes, well-formed SVG with a title and a description that
// states the numbers, a PNG, and the descriptions as in the golden file.
// The report places each plot in its analysis's section.
func TestDiscoveryPlots(t *testing.T) {
	a, err := discoveryPlots(discoveryRun(), true)
	if err != nil {
		t.Fatal(err)
	}
	b, err := discoveryPlots(discoveryRun(), true)
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{"plots/sequences_paths", "plots/rules_rules", "plots/network_forum"}
	if len(a) != len(wantNames) {
		t.Fatalf("%d plots, want %d", len(a), len(wantNames))
	}
	var golden bytes.Buffer
	for i, p := range a {
		if p.Name != wantNames[i] {
			t.Errorf("plot %d is %s, want %s", i, p.Name, wantNames[i])
		}
		if !bytes.Equal(p.SVG, b[i].SVG) || !bytes.Equal(p.PNG, b[i].PNG) {
			t.Errorf("%s differs between two renderings", p.Name)
		}
		checkXML(t, p.Name, p.SVG)
		if !bytes.Contains(p.SVG, []byte("<title id=")) || !bytes.Contains(p.SVG, []byte("<desc id=")) {
			t.Errorf("%s lacks <title> or <desc>", p.Name)
		}
		if _, err := png.Decode(bytes.NewReader(p.PNG)); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
		fmt.Fprintf(&golden, "%s\n%s\n%s\n\n", p.Name, p.Title, p.Desc)
	}
	compareGolden(t, "discovery-plots.golden", golden.Bytes())
	// What the reader must see drawn: row labels, the significance star,
	// group sizes in the legend, the lift-1 lines, the suppressed band.
	for i, want := range [][]string{
		{"quiz_open → forum_view *", "resource", "at risk (100 students)", "not at risk (200 students)", "0%", "100%"},
		{"at risk among all students (lift 1): 33%", "not at risk among all students (lift 1): 67%", "→ at risk, not significant"},
		{"isolated (40 students)", "degree 6–40 (suppressed)", "degree 3–5 (165 students)"},
	} {
		for _, w := range want {
			if !bytes.Contains(a[i].SVG, []byte(">"+xmlText(w)+"</text>")) {
				t.Errorf("%s lacks %q", a[i].Name, w)
			}
		}
	}
	// Only the markers drawn are in the legend: every "not at risk" rule
	// is significant.
	if bytes.Contains(a[1].SVG, []byte("not at risk, not significant")) {
		t.Error("the rule plot's legend shows a marker it does not draw")
	}
	md, err := Markdown(discoveryRun(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"plots/sequences_paths.svg", "plots/rules_rules.svg", "plots/network_forum.svg", "| degree 6–40 | suppressed |"} {
		if !strings.Contains(string(md), w) {
			t.Errorf("report.md lacks %q", w)
		}
	}
	// Nothing to draw: no plot and no error.
	empty := &discovery.Result{Name: "e", Sequences: &discovery.SequencesResult{}}
	if p, err := sequencePlot(empty, false); p != nil || err != nil {
		t.Errorf("sequences without patterns: %v, %v", p != nil, err)
	}
	if p, err := rulePlot(&discovery.Result{Name: "e", Rules: &discovery.RulesResult{}}, false); p != nil || err != nil {
		t.Errorf("no rules: %v, %v", p != nil, err)
	}
	if p, err := networkPlot(&discovery.Result{Name: "e", Network: &discovery.NetworkResult{}}, false); p != nil || err != nil {
		t.Errorf("network without groups: %v, %v", p != nil, err)
	}
}
