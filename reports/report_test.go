package reports

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/explain"
	"github.com/evalrun/evalrun/fairness"
	"github.com/evalrun/evalrun/pilot"
	"github.com/evalrun/evalrun/results"
)

// compareGolden compares got with testdata/name, rewriting it under
// -update; on a mismatch it writes the got-file and reports the first
// differing line.
func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gotFile := filepath.Join(t.TempDir(), name+".got")
	os.WriteFile(gotFile, got, 0o644)
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("%s differs at line %d (got written to %s):\ngot:  %q\nwant: %q", golden, i+1, gotFile, g, w)
		}
	}
}

func TestMarkdownGolden(t *testing.T) {
	md, err := Markdown(reportRun(), reportRiskList())
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, "report.md.golden", md)
}

func TestCSVGolden(t *testing.T) {
	run, risk := reportRun(), reportRiskList()
	for _, c := range []struct {
		golden string
		render func() ([]byte, error)
	}{
		{"fairness.csv.golden", func() ([]byte, error) { return FairnessCSV(run) }},
		{"metrics.csv.golden", func() ([]byte, error) { return MetricsCSV(run) }},
		{"risk_list.csv.golden", func() ([]byte, error) { return RiskListCSV(risk) }},
	} {
		t.Run(c.golden, func(t *testing.T) {
			got, err := c.render()
			if err != nil {
				t.Fatal(err)
			}
			compareGolden(t, c.golden, got)
		})
	}
}

// TestPlainSummary checks the summary sentences against the fixture's
// numbers, worked out by hand from reportRun and reportRiskList.
func TestPlainSummary(t *testing.T) {
	got := strings.Join(PlainSummary(reportRun(), reportRiskList()), "\n")
	for _, want := range []string{
		// recall 0.5 + 28/200 = 0.64 with BCa interval 0.57-0.70.
		"Flagging the 30% highest-risk students on day 28 (120 of 400 test students in 2014J), the lr model finds 64% (57-70%) of the 120 students who turned out to be at risk; 64% (58-69%) of the students it flags are at risk (the base rate is 30%).",
		"Best at ranking students by risk (AUC, day 28): lr with 0.780 (0.740-0.820), then base-rate 0.500 (0.500-0.500). Against base-rate its AUC is 0.280 higher (0.240-0.320), Holm-adjusted p < 0.001 over 2 DeLong tests",
		"How early can we tell: the lr model's AUC is 0.710 (0.670-0.750) on day 14 and 0.780 (0.740-0.820) on day 28.",
		"Calibration: the lr model's predicted risks are off by 4.2 points on average (expected calibration error 0.042); calibration slope 0.91",
		"calibration-in-the-large -0.12 on the log-odds scale (0 is ideal; negative means predicted risks are too high on average)",
		"After platt recalibration (fitted on training) the error is 2.1 points.",
		"Is it fair by the spec's thresholds? FAIL: 3 checks in 1 audited evaluation: 1 FAIL, 1 INCONCLUSIVE (the interval straddles the limit, so the data cannot tell), 1 PASS.",
		"Who to call first: the 1 student in the high band (flagged by the lr model, risk score 0.800 or more), highest risk first, then the 1 in the medium band",
		"First on the list: student a1b2c3 (AAA, 2014J, risk 0.93): missed 2 of 3 assessments due by day 28; no VLE activity for 12 days; mean assessment score 31.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	// The failure comes before the pass in the focus audit's sentence.
	if f, p := strings.Index(got, ": FAIL."), strings.Index(got, ": PASS."); f < 0 || p < 0 || f > p {
		t.Errorf("want the FAIL verdict before the PASS one:\n%s", got)
	}
}

func TestPlainSummaryEmptyRun(t *testing.T) {
	got := PlainSummary(&results.Run{}, nil)
	if len(got) != 1 || got[0] != "The run evaluated no model." {
		t.Errorf("got %q", got)
	}
}

func TestVerdictWords(t *testing.T) {
	k := fairness.Known
	for i, c := range []struct {
		v    fairness.Verdict
		want string
	}{
		{fairness.Verdict{Attribute: "disability", Metric: "fnr_difference", Group: "Y", Reference: "N", AllowedLow: -0.05, AllowedHigh: 0.05,
			Estimate: k(0.061), Lower: k(0.011), Upper: k(0.114), Outcome: fairness.Fail},
			"Its miss rate (share of at-risk students not flagged) for disability = Y is 6 points higher than for disability = N (1-11 points), beyond the allowed ±5 points: FAIL."},
		{fairness.Verdict{Attribute: "gender", Metric: "selection_rate_ratio", Group: "F", Reference: "M", AllowedLow: 0.8, AllowedHigh: 1.25,
			Estimate: k(1.06), Lower: k(0.92), Upper: k(1.21), Outcome: fairness.Pass},
			"Its selection rate (share of students flagged) for gender = F is 1.06 times that for gender = M (0.92-1.21), within the allowed 0.8 to 1.25: PASS."},
		{fairness.Verdict{Attribute: "age_band", Metric: "tpr_difference", Reference: "between groups", AllowedLow: -0.1, AllowedHigh: 0.1,
			Estimate: k(0.08), Lower: k(0.01), Upper: k(0.16), Outcome: fairness.Inconclusive},
			"Its detection rate (share of at-risk students flagged) differs by 8 points between the highest and lowest age_band groups (1-16 points), the interval straddles the allowed ±10 points: INCONCLUSIVE."},
		{fairness.Verdict{Attribute: "gender", Metric: "abroca", Group: "F", Reference: "M", AllowedLow: 0, AllowedHigh: 0.05,
			Estimate: k(0.031), Lower: k(0.012), Upper: k(0.05), Outcome: fairness.Pass},
			"The area between the ROC curves of gender = F and gender = M (ABROCA) is 0.031 (0.012-0.050), within the allowed 0 to 0.05: PASS."},
		{fairness.Verdict{Attribute: "gender", Metric: "ppv_difference", Group: "F", Reference: "M", AllowedLow: -0.1, AllowedHigh: 0.1,
			Estimate: fairness.Unknown("nothing flagged in M"), Outcome: fairness.Inconclusive},
			"The ppv_difference gap for gender cannot be computed (nothing flagged in M), no interval to judge against the allowed ±10 points: INCONCLUSIVE."},
	} {
		if got := VerdictWords(c.v); got != c.want {
			t.Errorf("case %d:\ngot  %q\nwant %q", i, got, c.want)
		}
	}
}

func TestReasonLabel(t *testing.T) {
	for _, c := range []struct{ feature, want string }{
		{"missed", "missed assessments"},
		{"clicks_type_forumng", "few clicks on VLE forumng material"},
		{"clicks_week_3", "clicks in week 3"},
		{"weighted_score_missing", "weighted score unknown"},
		{"highest_education=No Formal quals", "highest_education No Formal quals"},
		{"weight_submitted_fraction", "weight submitted fraction"},
	} {
		if got := reasonLabel(c.feature); got != c.want {
			t.Errorf("reasonLabel(%q) = %q, want %q", c.feature, got, c.want)
		}
	}
}

func TestPolicyPhrase(t *testing.T) {
	for _, c := range []struct{ policy, want string }{
		{"top_fraction(0.3)", "Flagging the 30% highest-risk students"},
		{"top_k(50)", "Flagging the 50 highest-risk students"},
		{"value(0.5)", "Flagging students whose risk score is at least 0.5"},
		{"target_recall(0.8)", "Flagging students above the threshold chosen on training data for 80% recall"},
		{"max_f1", "Flagging students above the threshold that maximised F1 on training data"},
		{"min_cost(fn=5,fp=1)", "Flagging students above the least-cost threshold (fn=5,fp=1)"},
		{"something(else)", "Flagging students by the policy something(else)"},
	} {
		if got := policyPhrase(c.policy); got != c.want {
			t.Errorf("policyPhrase(%q) = %q, want %q", c.policy, got, c.want)
		}
	}
}

// TestRunFiles checks the file list: the CSVs, an SVG and a decodable PNG
// per plot, both reports, no duplicate names.
func TestRunFiles(t *testing.T) {
	files, err := RunFiles(reportRun(), reportRiskList())
	if err != nil {
		t.Fatal(err)
	}
	names := map[string][]byte{}
	for _, f := range files {
		if _, dup := names[f.Name]; dup {
			t.Errorf("duplicate file %s", f.Name)
		}
		names[f.Name] = f.Data
	}
	for _, want := range []string{
		"metrics.csv", "fairness.csv", "risk_list.csv", "report.md", "report.html",
		"plots/roc_oulad_day14_2013-to-2014.svg", "plots/roc_oulad_day28_2013-to-2014.png",
		"plots/pr_oulad_day28_2013-to-2014.svg", "plots/reliability_oulad_day28_2013-to-2014.svg",
		"plots/by-cutoff_oulad_2013-to-2014.svg", "plots/fairness-forest_oulad_day28_2013-to-2014_lr.svg",
		"plots/group-roc_oulad_day28_2013-to-2014_lr_gender.png",
	} {
		if _, ok := names[want]; !ok {
			t.Errorf("RunFiles lacks %s", want)
		}
	}
	for name, data := range names {
		switch {
		case strings.HasSuffix(name, ".png"):
			if _, err := png.Decode(bytes.NewReader(data)); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if _, ok := names[strings.TrimSuffix(name, ".png")+".svg"]; !ok {
				t.Errorf("%s has no SVG", name)
			}
		case strings.HasSuffix(name, ".svg"):
			checkXML(t, name, data)
			if !bytes.Contains(data, []byte("<title id=")) || !bytes.Contains(data, []byte("<desc id=")) {
				t.Errorf("%s lacks <title> or <desc>", name)
			}
		}
	}
	// Without an audit there is no fairness.csv and no fairness plot.
	run := reportRun()
	run.Evaluations[2].Fairness = nil
	files, err = RunFiles(run, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Name == "fairness.csv" || f.Name == "risk_list.csv" || strings.Contains(f.Name, "fairness-forest") || strings.Contains(f.Name, "group-roc") {
			t.Errorf("unexpected %s without an audit and a risk list", f.Name)
		}
	}
}

func checkXML(t *testing.T, name string, data []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Errorf("%s is not well-formed XML: %v", name, err)
			return
		}
	}
}

// TestPlotsDeterministic renders the plots twice: SVG and PNG must be
// byte-identical.
func TestPlotsDeterministic(t *testing.T) {
	a, err := PlotFiles(reportRun(), reportRiskList())
	if err != nil {
		t.Fatal(err)
	}
	b, err := PlotFiles(reportRun(), reportRiskList())
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("%d and %d plot files", len(a), len(b))
	}
	for i := range a {
		if a[i].Name != b[i].Name || !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("%s differs between two renderings", a[i].Name)
		}
	}
}

// TestHTMLStructure checks report.html of the fixture without a browser:
// every section, no script or external asset, one inline SVG per plot,
// table captions, and a drill-down per listed student.
func TestHTMLStructure(t *testing.T) {
	run, risk := reportRun(), reportRiskList()
	page, err := HTML(run, risk)
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, id := range []string{sectionSummary, sectionModels, sectionEarly, sectionCalib, sectionFairness, sectionRisk, sectionData} {
		if !strings.Contains(s, `<section id="`+id+`">`) {
			t.Errorf("report.html lacks section %s", id)
		}
	}
	for _, banned := range []string{"<script", "http://", "https://", "<link", "@import", "src="} {
		if n := strings.Count(s, banned); banned != "http://" && n > 0 {
			t.Errorf("report.html holds %q %d times", banned, n)
		}
	}
	// The only http:// strings allowed are SVG namespace declarations.
	if n, ns := strings.Count(s, "http://"), strings.Count(s, `xmlns="http://www.w3.org/2000/svg"`)+strings.Count(s, `xmlns:xlink="http://www.w3.org/1999/xlink"`); n != ns {
		t.Errorf("report.html has %d http:// strings, %d of them namespaces", n, ns)
	}
	plots, err := PlotFiles(run, risk)
	if err != nil {
		t.Fatal(err)
	}
	svgs := 0
	for _, f := range plots {
		if strings.HasSuffix(f.Name, ".svg") {
			svgs++
			if !strings.Contains(s, `<figure id="`+slug(strings.TrimSuffix(f.Name, ".svg"))+`"`) {
				t.Errorf("report.html lacks figure %s", f.Name)
			}
		}
	}
	if got := strings.Count(s, "<figure id="); got != svgs {
		t.Errorf("%d figures, want %d", got, svgs)
	}
	if got := strings.Count(s, `<details class="student">`); got != len(risk.Students) {
		t.Errorf("%d drill-downs, want %d", got, len(risk.Students))
	}
	if got, want := strings.Count(s, "<caption>"), strings.Count(s, "<table>"); got != want || got == 0 {
		t.Errorf("%d captions for %d tables", got, want)
	}
	for _, want := range []string{
		`<td class="verdict verdict-FAIL">FAIL</td>`,
		"suppressed: fewer than 30 rows (min_group_size)",
		`aria-labelledby="weekly-a1b2c3"`,
		"3 due by day 28, 1 submitted, 2 missed, 1 submitted late, mean score 31 out of 100.",
		"20 clicks by day 28, active on 3 days, last active 12 days before the cutoff.",
		"<li><strong>How sure:</strong> the ranges in brackets",
		"<li><strong>Is it fair by the spec&#39;s thresholds?</strong> FAIL:",
		"<li>Flagging the 30% highest-risk students on day 28",
		// Issue 15's additions.
		`<section id="timings">`,
		"Leakage suspects: features that predict the outcome too well",
		"<li><strong>Possible leakage:</strong> date_unregistration (training AUC 0.953 on its own)",
		"rates per group at each sweep threshold",
		"The failing check: fnr_difference of gender M vs F (lr, day 28, split 2013-to-2014).",
		"prior GPA: 1.05 grade points (outside the training range 1.5 to 4, 4 SD below the training mean)",
		"Curves are steps, as scikit-learn draws them",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

// TestLabelledReasonWords checks the spec's labels and units and the
// out-of-training-range note.
func TestLabelledReasonWords(t *testing.T) {
	labels := map[string]results.FeatureLabel{"prior_gpa": {Label: "prior GPA", Unit: "grade points"}, "major": {Label: "major subject"}, "credits": {Label: "credits attempted"}, "code_module": {Label: "module"}}
	far := &explain.Range{Min: 0, Max: 12, Mean: 0.35, SD: 0.4}
	for i, c := range []struct {
		r    explain.Reason
		want string
	}{
		{explain.Reason{Feature: "prior_gpa", Value: 1.05}, "prior GPA: 1.05 grade points"},
		{explain.Reason{Feature: "credits", Value: 12}, "credits attempted: 12"},
		{explain.Reason{Feature: "major=History", Value: 1}, "major subject is History"},
		{explain.Reason{Feature: "major=History", Value: 0}, "major subject is not History"},
		{explain.Reason{Feature: "prior_gpa_missing", Value: 1}, "prior GPA unknown"},
		{explain.Reason{Feature: "unlabelled", Value: 3}, "unlabelled = 3"},
		{explain.Reason{Feature: "code_module", Group: "BBB", Contribution: 0.4213}, "module BBB: +0.42 (random intercept)"},
		{explain.Reason{Feature: "section", Group: "S1", Contribution: 0.05}, "section S1: +0.05 (random intercept)"},
		{explain.Reason{Feature: "clicks_type_ouelluminate", Value: 36, OutsideTraining: far}, "36 clicks on VLE ouelluminate material by day 28 (outside the training range 0 to 12, 89 SD above the training mean)"},
		{explain.Reason{Feature: "prior_gpa", Value: -1, OutsideTraining: &explain.Range{Min: 0, Max: 4, Mean: 3, SD: 0.5}}, "prior GPA: -1 grade points (outside the training range 0 to 4, 8 SD below the training mean)"},
	} {
		if got := LabelledReasonWords(c.r, nil, ptr(28), labels); got != c.want {
			t.Errorf("case %d: %q, want %q", i, got, c.want)
		}
	}
}

func TestReasonWords(t *testing.T) {
	day := ptr(14)
	for _, c := range []struct {
		r    explain.Reason
		f    map[string]float64
		want string
	}{
		{explain.Reason{Feature: "missed", Value: 2}, map[string]float64{"due_by_cutoff": 3}, "missed 2 of 3 assessments due by day 14"},
		{explain.Reason{Feature: "num_of_prev_attempts", Value: 1}, nil, "1 previous attempt at this module"},
		{explain.Reason{Feature: "num_of_prev_attempts", Value: 2}, nil, "2 previous attempts at this module"},
		{explain.Reason{Feature: "days_since_last_activity_missing", Value: 1}, nil, "no VLE activity by day 14"},
		{explain.Reason{Feature: "mean_score_missing", Value: 1}, nil, "no assessment score by day 14"},
		{explain.Reason{Feature: "clicks_type_resource", Value: 0}, nil, "0 clicks on VLE resource material by day 14"},
		{explain.Reason{Feature: "region_missing", Value: 1}, nil, "region unknown"},
		{explain.Reason{Feature: "gender=M", Value: 1}, nil, "gender is M"},
		{explain.Reason{Feature: "weighted_score", Value: 12.345}, nil, "weighted_score = 12.35"},
		{explain.Reason{Feature: "active_days", Value: 1}, nil, "active on 1 day by day 14"},
		{explain.Reason{Feature: "active_days", Value: 4}, nil, "active on 4 days by day 14"},
		{explain.Reason{Feature: "clicks_total", Value: 1}, nil, "1 click in the VLE by day 14"},
		{explain.Reason{Feature: "days_since_last_activity", Value: 1}, nil, "no VLE activity for 1 day"},
		{explain.Reason{Feature: "missed", Value: 1}, map[string]float64{"due_by_cutoff": 1}, "missed 1 of 1 assessments due by day 14"},
		{explain.Reason{Feature: "submitted", Value: 1}, nil, "submitted 1 assessment by day 14"},
		{explain.Reason{Feature: "late_submissions", Value: 1}, nil, "1 late submission by day 14"},
		{explain.Reason{Feature: "clicks_week_2", Value: 1}, nil, "1 click in week 2"},
	} {
		if got := ReasonWords(c.r, c.f, day); got != c.want {
			t.Errorf("ReasonWords(%+v) = %q, want %q", c.r, got, c.want)
		}
	}
}

// TestPilotOnlyRun renders a run with an intervention pilot and no
// evaluation: the pilot's own summary leads, the prediction sections are
// left out, and nothing fails.
func TestPilotOnlyRun(t *testing.T) {
	run := &results.Run{Experiment: "pilot-only", Abtests: []*pilot.Result{{
		Name:     "tutoring",
		Summary:  []string{"Tutoring raised the pass rate by 6 points (1 to 11).", "No sample ratio mismatch."},
		Warnings: []string{"3 of 40 classes lost more than 20% of students"},
	}}}
	if got := PlainSummary(run, nil); len(got) != 1 || got[0] != "Intervention pilot tutoring: Tutoring raised the pass rate by 6 points (1 to 11). No sample ratio mismatch." {
		t.Errorf("summary %q", got)
	}
	md, err := Markdown(run, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := string(md)
	for _, want := range []string{"## Intervention pilots", "### Pilot tutoring", "- No sample ratio mismatch.", "- 3 of 40 classes lost more than 20% of students"} {
		if !strings.Contains(s, want) {
			t.Errorf("report.md lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "## Which model is best") {
		t.Errorf("report.md of a run without evaluations has a models section:\n%s", s)
	}
	page, err := HTML(run, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(page, []byte(`<section id="pilots">`)) {
		t.Error("report.html lacks the pilots section")
	}
}

func TestAccessibleSVG(t *testing.T) {
	in := []byte("<?xml version=\"1.0\"?>\n<svg width=\"10pt\" height=\"10pt\">\n<text style=\"font-family:Liberation Sans;font-size:10px\">x</text>\n</svg>\n")
	got := string(accessibleSVG(in, "plots-a", `ROC & "PR" <curves>`, "two curves"))
	want := "<?xml version=\"1.0\"?>\n<svg role=\"img\" aria-labelledby=\"plots-a-title plots-a-desc\" width=\"10pt\" height=\"10pt\">\n" +
		"<title id=\"plots-a-title\">ROC &amp; &quot;PR&quot; &lt;curves&gt;</title>\n<desc id=\"plots-a-desc\">two curves</desc>\n\n" +
		"<text style=\"font-family:Liberation Sans,Arial,Helvetica,sans-serif;font-size:10px\">x</text>\n</svg>\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	checkXML(t, "accessible svg", []byte(got))
	if inline := string(inlineSVG([]byte(got))); !strings.HasPrefix(inline, "<svg role=\"img\"") {
		t.Errorf("inline SVG starts %q", inline[:20])
	}
}

// executeTemplate renders one named template of report.html.tmpl.
func executeTemplate(t *testing.T, name string, data any) string {
	t.Helper()
	var b bytes.Buffer
	if err := reportTemplate.ExecuteTemplate(&b, name, data); err != nil {
		t.Fatalf("template %s: %v", name, err)
	}
	return b.String()
}

// TestTableCells checks that an estimate keeps its interval on one line
// and that every cell, caption and header is escaped by the template.
func TestTableCells(t *testing.T) {
	tab := newTable(`caption <b>"x"</b>`, "model", "AUC", "<th>")
	tab.numeric(1, 2)
	for _, row := range [][]string{
		{"m", "0.798 (0.779-0.818)", "x"},
		{"m", "-0.120 (-0.200 to -0.070)", "x"},
		{"m", "suppressed: fewer than 30 rows (min_group_size)", "x"},
		{`<script>alert(1)</script>`, "<0.001", `" onmouseover="x`},
	} {
		tab.add(row...)
	}
	got := executeTemplate(t, "table", htmlTableOf(tab, 3))
	for _, want := range []string{
		`<td class="num">0.798 <span class="ci">(0.779-0.818)</span></td>`,
		`<td class="num">-0.120 <span class="ci">(-0.200 to -0.070)</span></td>`,
		`<td class="num">suppressed: fewer than 30 rows (min_group_size)</td>`,
		`<td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td class="num">&lt;0.001</td><td class="num">&#34; onmouseover=&#34;x</td>`,
		`<caption>Table 3. caption &lt;b&gt;&#34;x&#34;&lt;/b&gt;</caption>`,
		`<th scope="col">&lt;th&gt;</th>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
}

func TestWeeklyBars(t *testing.T) {
	svg := executeTemplate(t, "weekly", weeklyBars("k1", []float64{4, 0, 2}))
	for _, want := range []string{`aria-labelledby="weekly-k1"`, "Clicks per week: week 0: 4, week 1: 0, week 2: 2", ">4</text>"} {
		if !strings.Contains(svg, want) {
			t.Errorf("weekly chart lacks %q:\n%s", want, svg)
		}
	}
	// The tallest bar fills the plot height (96 - 18 - 8 = 70), the empty
	// week has height 0, week 2 half of it.
	for _, want := range []string{`height="70.0"`, `height="0.0"`, `height="35.0"`} {
		if !strings.Contains(svg, want) {
			t.Errorf("weekly chart lacks a bar with %s:\n%s", want, svg)
		}
	}
	checkXML(t, "weekly chart", []byte(svg))
	if empty := executeTemplate(t, "weekly", weeklyBars("k2", []float64{0, 0})); !strings.Contains(empty, "no clicks in any week") {
		t.Errorf("an empty weekly chart does not say so:\n%s", empty)
	}
}

// TestHTMLEscapesUserData puts markup into every kind of value that comes
// from users' data (keys, courses, bands, dataset and model names,
// experiment title) and checks that none of it reaches the page as
// markup: html/template escapes text and attribute values alike.
func TestHTMLEscapesUserData(t *testing.T) {
	const evil = `"><script>alert(1)</script><a href="javascript:x">`
	run := reportRun()
	run.Experiment = evil
	run.Description = evil
	risk := reportRiskList()
	risk.Students[0].Key = evil
	risk.Students[0].Course = evil
	risk.Students[1].Band = evil
	page, err := HTML(run, risk)
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, banned := range []string{"<script", `href="javascript:`, `"><script`} {
		if strings.Contains(s, banned) {
			i := strings.Index(s, banned)
			t.Errorf("report.html holds %q: ...%s...", banned, s[max(0, i-80):min(len(s), i+80)])
		}
	}
	if !strings.Contains(s, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the escaped experiment name is missing from report.html")
	}
}

func TestFailingChecks(t *testing.T) {
	got := FailingChecks(reportRun())
	want := []string{"fnr_difference of gender M vs F (lr, day 28, split 2013-to-2014)"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("FailingChecks = %q, want %q", got, want)
	}
	sum := strings.Join(PlainSummary(reportRun(), nil), "\n")
	if !strings.Contains(sum, "1 FAIL") || !strings.Contains(sum, "The failing check: "+want[0]+".") {
		t.Errorf("the summary does not name the failing check:\n%s", sum)
	}
}
