package reports

import (
	"bytes"
	"encoding/csv"
	"image/png"
	"math"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/abtest"
	"github.com/evalrun/evalrun/pilot"
	"github.com/evalrun/evalrun/results"
)

func TestAbtestCSVGolden(t *testing.T) {
	got, err := AbtestCSV(pilotEventsRun())
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, "abtest.csv.golden", got)
	rows, err := csv.NewReader(bytes.NewReader(got)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// 4 effects; alerts on dfw with 2 first_gen levels; calls on dfw with 2
	// pell levels and the transfer analysis that could not be run.
	if len(rows) != 1+4+2+2+1 {
		t.Fatalf("%d rows, want header and 9", len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, r := range rows[1:] {
		if r[col["arm"]] == "calls" && r[col["outcome"]] == "credits" {
			// The undefined (NaN) effect has empty cells, never "NaN".
			for _, c := range []string{"estimate", "lower", "upper", "p_value", "adjusted_p_value"} {
				if r[col[c]] != "" {
					t.Errorf("undefined effect: %s = %q, want empty", c, r[col[c]])
				}
			}
			if r[col["note"]] == "" {
				t.Error("undefined effect without its reason in note")
			}
		}
		if r[col["subgroup"]] == "pell" && r[col["scale"]] != "log-odds" {
			t.Errorf("pell subgroup scale %q, want log-odds", r[col["scale"]])
		}
	}
}

func TestAbtestCSVWithoutPilots(t *testing.T) {
	files, err := RunFiles(reportRun(), reportRiskList())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Name == "abtest.csv" || strings.Contains(f.Name, "pilot-") || strings.Contains(f.Name, "heatmap") {
			t.Errorf("a run without pilots or event logs has %s", f.Name)
		}
	}
}

// TestPilotEventsMarkdownGolden renders report.md of a run with only the
// pilot and event-log fixtures.
func TestPilotEventsMarkdownGolden(t *testing.T) {
	md, err := Markdown(pilotEventsRun(), nil)
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, "report-pilot-events.md.golden", md)
	s := string(md)
	// The alarm comes before the pilot's summary and every table.
	alarm := strings.Index(s, "\nSAMPLE RATIO MISMATCH: arm sizes differ")
	if alarm < 0 || alarm > strings.Index(s, "- SAMPLE RATIO MISMATCH: the arm sizes") || alarm > strings.Index(s, "**Table: Pilot advising") {
		t.Error("the sample ratio mismatch alarm does not lead the pilot section")
	}
	for _, want := range []string{
		"| dfw (primary) | calls | 250/495 | z test | -8.1 pp (-14.6 to -1.6 pp) | 0.015 | 0.045 | yes |",
		"| credits | calls | 236/470 | Welch t | — |",
		"| pell (exploratory) | calls | dfw | yes | log odds ratio | 110/225 | -0.520 (-1.04 to 0) |",
		"| first\\_gen (pre-declared) | alerts | dfw | yes | difference | 100/175 | -7.1 pp (-18.0 to 3.8 pp) |",
		"| transfer (exploratory) | calls | dfw | not estimable: fewer than two levels with treated and control units |",
		"Target: relative DFW reduction 21% (95% CI 5% to 35%); the 15% target lies inside the interval",
		"23 students stopped at least 14 days before day 20 (the end of the log); the first 20 by last active day are listed by pseudonymous keys; 3 more are not listed",
		"2 students were never active (not listed).",
		"| k019 | 5 | 2024-02-13 | 15 |",
		"| 0 0 0 1 | 1 | 0 | — |",
		"- duplicate: 31 (exact duplicate events)",
		"- Event log lms: the largest fall in active students came in week 1 (40 to 25, 38% fewer); 23 students stopped at least 14 days before day 20; the commonest pattern of weekly activity over weeks 0 to 3, 1 1 0 0 (12 students), had an at-risk rate of 75.0%.",
		"![Forest plot of pilot advising", "(plots/pilot-effects_advising.svg)",
		"(plots/engagement-heatmap_lms.svg)", "(plots/activity-timeline_lms.svg)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	for _, not := range []string{"k020", "bot: 0", "NaN", "[abtests.design]"} {
		if strings.Contains(s, not) {
			t.Errorf("report.md has %q", not)
		}
	}
}

func TestPilotForestPanels(t *testing.T) {
	panels := pilotForestPanels(fixturePilot())
	var got []string
	for _, p := range panels {
		got = append(got, p.Title)
	}
	want := []string{"dfw: effects of each arm and subgroup", "dfw: subgroup effects on the log-odds scale", "credits: effects of each arm and subgroup", "Target: relative DFW reduction"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("panels %q, want %q", got, want)
	}
	rows := func(i int) []string {
		var out []string
		for _, r := range panels[i].Rows {
			out = append(out, r.Label)
		}
		return out
	}
	if got := rows(0); len(got) != 4 || got[0] != "alerts: overall (z, adj. p 0.334)" || got[1] != "alerts: first_gen = no (pre-declared)" || got[3] != "calls: overall (z, adj. p 0.045)" {
		t.Errorf("dfw rows %q", got)
	}
	// Risk differences are drawn in percentage points, log odds ratios and
	// differences in means as they are.
	const tol = 1e-12
	for _, c := range []struct {
		panel, row  int
		est, lo, hi float64
		kind        forestRowKind
		undefined   bool
	}{
		{0, 0, -3.2, -9.7, 3.3, rowOverall, false},
		{0, 2, -7.1, -18, 3.8, rowSubgroupDeclared, false},
		{1, 1, -0.52, -1.04, 0, rowSubgroupExploratory, false},
		{2, 0, 0.42, -0.11, 0.95, rowOverall, false},
		{2, 1, math.NaN(), math.NaN(), math.NaN(), rowOverall, true},
		{3, 0, 21, 5, 35, rowTarget, false},
	} {
		r := panels[c.panel].Rows[c.row]
		if r.Kind != c.kind || r.Undefined != c.undefined {
			t.Errorf("panel %d row %d: kind %v undefined %v, want %v %v", c.panel, c.row, r.Kind, r.Undefined, c.kind, c.undefined)
		}
		if c.undefined {
			continue
		}
		for _, v := range [][2]float64{{r.Estimate, c.est}, {r.Lower, c.lo}, {r.Upper, c.hi}} {
			if math.Abs(v[0]-v[1]) > tol*math.Max(1, math.Abs(v[1])) {
				t.Errorf("panel %d row %d: %v, want %v", c.panel, c.row, v[0], v[1])
			}
		}
	}
	if tp := panels[3]; tp.Target == nil || math.Abs(*tp.Target-15) > tol || tp.Rows[0].Label != "calls: relative DFW reduction (target 15%)" {
		t.Errorf("target panel %+v", tp)
	}
	// A pilot without effects draws nothing.
	empty := fixturePilot()
	empty.Analysis = abtest.Analysis{}
	if p, err := pilotEffectsPlot(empty, false); err != nil || p != nil {
		t.Errorf("pilot without effects: plot %v, err %v", p != nil, err)
	}
}

// TestPilotEventPlots renders the new plots twice: SVG and PNG are
// byte-identical, SVG is well-formed with a title and a description that
// states the numbers.
func TestPilotEventPlots(t *testing.T) {
	out, err := pilot.Power(pilot.PowerRequest{ControlRate: 0.28, RelativeReduction: 0.15, ICC: 0.02, ClusterSize: 28})
	if err != nil {
		t.Fatal(err)
	}
	render := func() []*renderedPlot {
		run := pilotEventsRun()
		var list []*renderedPlot
		for _, f := range []func() (*renderedPlot, error){
			func() (*renderedPlot, error) { return pilotEffectsPlot(run.Abtests[0], true) },
			func() (*renderedPlot, error) { return powerCurvePlot("advising", &out, true) },
			func() (*renderedPlot, error) { return heatmapPlot(run.EventLogs[0], true) },
			func() (*renderedPlot, error) { return timelinePlot(run.EventLogs[0], true) },
		} {
			p, err := f()
			if err != nil {
				t.Fatal(err)
			}
			if p == nil {
				t.Fatal("a plot of the fixture was not drawn")
			}
			list = append(list, p)
		}
		return list
	}
	a, b := render(), render()
	wantDesc := map[string][]string{
		"plots/pilot-effects_advising": {"calls on dfw -8.10 pp (-14.6 to -1.60 pp)", "calls, pell = yes (exploratory) log odds ratio -0.520 (-1.04 to 0)", "relative DFW reduction 21.0% (5.00 to 35.0%) against the target 15%", "calls on credits: not estimable"},
		"plots/pilot-power_advising":   {"to detect a 15.0% relative reduction of the 28.0% control rate, clusters of 28 units with ICC 0.02", "Marked: required:"},
		"plots/engagement-heatmap_lms": {"(forum, quiz)", "week (-1 to 1)", "the largest count, 12345, forum in week 1"},
		"plots/activity-timeline_lms":  {"from day -3 to day 9", "week 1 (40 to 25 active, −38%)"},
	}
	for i := range a {
		if a[i].Name != b[i].Name || !bytes.Equal(a[i].SVG, b[i].SVG) || !bytes.Equal(a[i].PNG, b[i].PNG) {
			t.Errorf("%s differs between two renderings", a[i].Name)
		}
		checkXML(t, a[i].Name, a[i].SVG)
		if !bytes.Contains(a[i].SVG, []byte("<title id=")) || !bytes.Contains(a[i].SVG, []byte("<desc id=")) {
			t.Errorf("%s lacks <title> or <desc>", a[i].Name)
		}
		if _, err := png.Decode(bytes.NewReader(a[i].PNG)); err != nil {
			t.Errorf("%s: %v", a[i].Name, err)
		}
		want, ok := wantDesc[a[i].Name]
		if !ok {
			t.Errorf("unexpected plot name %s", a[i].Name)
		}
		for _, w := range want {
			if !strings.Contains(a[i].Desc, w) {
				t.Errorf("%s description lacks %q:\n%s", a[i].Name, w, a[i].Desc)
			}
		}
	}
	// Every heatmap count is written in its cell (12345 as 12k).
	for _, cell := range []string{">0<", ">1520<", ">12k<", ">7<", ">980<", ">4<"} {
		if !bytes.Contains(a[2].SVG, []byte(cell)) {
			t.Errorf("heatmap lacks the cell text %s", cell)
		}
	}
	// Nothing to draw: no plot and no error.
	if p, err := powerCurvePlot("x", &pilot.PowerOutput{}, false); p != nil || err != nil {
		t.Errorf("power curve without points: %v, %v", p != nil, err)
	}
	if ps, err := eventLogPlots(results.EventLog{Dataset: "empty"}, false); len(ps) != 0 || err != nil {
		t.Errorf("event log without description: %d plots, %v", len(ps), err)
	}
}

// TestHeatmapWraps: a log of 20 weeks wraps onto two rows of 10 weeks,
// every count still written in its cell.
func TestHeatmapWraps(t *testing.T) {
	l := fixtureEventLog()
	h := &l.Description.Heatmap
	h.Weeks, h.Counts = nil, [][]int64{nil, nil}
	for w := 0; w < 20; w++ {
		h.Weeks = append(h.Weeks, w)
		h.Counts[0] = append(h.Counts[0], int64(1000+w))
		h.Counts[1] = append(h.Counts[1], int64(2000+w))
	}
	p, err := heatmapPlot(l, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Desc, "wrapped onto 2 rows of up to 10 weeks") {
		t.Errorf("description: %s", p.Desc)
	}
	for _, want := range []string{">1000<", ">1019<", ">2019<", "weeks 0 to 9", "weeks 10 to 19"} {
		if !bytes.Contains(p.SVG, []byte(want)) {
			t.Errorf("wrapped heatmap lacks %s", want)
		}
	}
	checkXML(t, p.Name, p.SVG)
}

func TestPowerCurveFiles(t *testing.T) {
	out, err := pilot.Power(pilot.PowerRequest{ControlRate: 0.3, TreatmentRate: 0.2, N: 300})
	if err != nil {
		t.Fatal(err)
	}
	files, err := PowerCurveFiles("tutoring", &out)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0].Name != "plots/pilot-power_tutoring.svg" || files[1].Name != "plots/pilot-power_tutoring.png" {
		t.Fatalf("files %v", files)
	}
	// Evaluated at N = 300 per arm: the mark is the planned design.
	if !bytes.Contains(files[0].Data, []byte("planned: 600 units (300 treatment, 300 control), power")) {
		t.Error("the power curve does not mark the planned design")
	}
	mde, err := pilot.Power(pilot.PowerRequest{ControlRate: 0.3, N: 300})
	if err != nil {
		t.Fatal(err)
	}
	if files, err := PowerCurveFiles("mde-only", &mde); err != nil || len(files) != 0 {
		t.Errorf("a design without an effect has no curve: %d files, %v", len(files), err)
	}
}

func TestEventLogPlotFiles(t *testing.T) {
	files, err := EventLogPlotFiles(fixtureEventLog())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	want := "plots/engagement-heatmap_lms.svg plots/engagement-heatmap_lms.png plots/activity-timeline_lms.svg plots/activity-timeline_lms.png"
	if strings.Join(names, " ") != want {
		t.Errorf("files %q, want %q", names, want)
	}
}

func TestRunFilesPilotEvents(t *testing.T) {
	files, err := RunFiles(pilotEventsRun(), nil)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, f := range files {
		have[f.Name] = true
	}
	for _, want := range []string{"abtest.csv", "report.md", "report.html", "plots/pilot-effects_advising.svg", "plots/pilot-effects_advising.png",
		"plots/engagement-heatmap_lms.png", "plots/activity-timeline_lms.svg"} {
		if !have[want] {
			t.Errorf("RunFiles lacks %s", want)
		}
	}
}

func TestCompactCount(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{{0, "0"}, {950, "950"}, {9999, "9999"}, {10000, "10k"}, {12345, "12k"}, {999499, "999k"}, {999500, "1.0M"}, {9949999, "9.9M"}, {12600000, "13M"}} {
		if got := compactCount(c.n); got != c.want {
			t.Errorf("compactCount(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

// TestSequentialScale checks that the heatmap's colours get darker as
// counts grow (so the order survives greyscale) and that cell text
// contrasts with its cell.
func TestSequentialScale(t *testing.T) {
	prev := 2.0
	for i := 0; i <= 40; i++ {
		l := relativeLuminance(sequentialColor(float64(i) / 40))
		if l >= prev {
			t.Errorf("luminance at %d/40 is %.4f, not below %.4f", i, l, prev)
		}
		prev = l
	}
	if sequentialColor(-1) != sequentialStops[0] || sequentialColor(2) != sequentialStops[len(sequentialStops)-1] {
		t.Error("values outside [0, 1] are not clamped")
	}
	for _, c := range []struct {
		t     float64
		white bool
	}{{0, false}, {0.3, false}, {0.9, true}, {1, true}} {
		bg := sequentialColor(c.t)
		ink := inkOn(bg)
		r, _, _, _ := ink.RGBA()
		if (r == 0xffff) != c.white {
			t.Errorf("ink on the colour at %v is white=%v, want %v", c.t, r == 0xffff, c.white)
		}
	}
}

func TestDayTicks(t *testing.T) {
	labels := func(min, max float64) []string {
		var out []string
		for _, tk := range (dayTicks{}).Ticks(min, max) {
			if tk.Label != "" {
				out = append(out, tk.Label)
			}
		}
		return out
	}
	if got := strings.Join(labels(-3, 28), " "); got != "0 7 14 21 28" {
		t.Errorf("labels of days -3 to 28: %s", got)
	}
	if got := strings.Join(labels(-10, 270), " "); got != "0 28 56 84 112 140 168 196 224 252" {
		t.Errorf("labels of days -10 to 270: %s", got)
	}
}

func TestTrimmedDec(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{{100 * 0.15, "15"}, {2.5, "2.5"}, {-0.00001, "0"}, {0.12345, "0.1235"}} {
		if got := trimmedDec(c.v, 4); got != c.want {
			t.Errorf("trimmedDec(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

// TestPilotEventsHTML checks report.html of the pilot and event-log
// fixture without a browser: both sections, a figure per plot with its
// inline SVG, captions on every table, nothing external.
func TestPilotEventsHTML(t *testing.T) {
	page, err := HTML(pilotEventsRun(), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, id := range []string{sectionSummary, sectionPilots, sectionEvents, sectionData} {
		if !strings.Contains(s, `<section id="`+id+`">`) {
			t.Errorf("report.html lacks section %s", id)
		}
	}
	for _, banned := range []string{"<script", "<link", "@import", "src=", "NaN"} {
		if strings.Contains(s, banned) {
			t.Errorf("report.html holds %q", banned)
		}
	}
	for _, name := range []string{"plots/pilot-effects_advising", "plots/engagement-heatmap_lms", "plots/activity-timeline_lms"} {
		if !strings.Contains(s, `<figure id="`+slug(name)+`"`) {
			t.Errorf("report.html lacks figure %s", name)
		}
	}
	if got := strings.Count(s, "<figure id="); got != 3 {
		t.Errorf("%d figures, want 3", got)
	}
	if got := strings.Count(s, `<svg role="img"`); got != 3 {
		t.Errorf("%d inline plot SVGs, want 3", got)
	}
	if got, want := strings.Count(s, "<caption>"), strings.Count(s, "<table>"); got != want || got < 8 {
		t.Errorf("%d captions for %d tables", got, want)
	}
}

// TestPilotDesignNote: a pilot whose spec declares a design, and whose
// result carries no power computation, points to evalrun power.
func TestPilotDesignNote(t *testing.T) {
	run := pilotEventsRun()
	run.Abtests[0].Inputs.Spec.Design = &pilot.DesignSpec{BaselineRate: 0.3, RelativeReduction: 0.15}
	md, err := Markdown(run, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(md, []byte("The spec declares the pilot's design (\\[abtests.design\\]); evalrun power --spec computes its sample size and power curve.")) {
		t.Error("report.md does not point to evalrun power for the declared design")
	}
}

// TestHeatmapShapeError: counts that do not match the types and weeks are
// an error naming the dataset, never a panic.
func TestHeatmapShapeError(t *testing.T) {
	l := fixtureEventLog()
	l.Description.Heatmap.Counts[1] = l.Description.Heatmap.Counts[1][:2]
	if _, err := heatmapPlot(l, false); err == nil || !strings.Contains(err.Error(), "heatmap of lms: 2 counts for resource type quiz, want one per week (3)") {
		t.Errorf("err = %v", err)
	}
	l.Description.Heatmap.Counts = l.Description.Heatmap.Counts[:1]
	if _, err := RunFiles(&results.Run{EventLogs: []results.EventLog{l}}, nil); err == nil || !strings.Contains(err.Error(), "1 rows of counts for 2 resource types") {
		t.Errorf("RunFiles err = %v", err)
	}
}
