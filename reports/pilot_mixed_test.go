package reports

import (
	"strings"
	"testing"

	"github.com/evalrun/evalrun/models"
	"github.com/evalrun/evalrun/pilot"
	"github.com/evalrun/evalrun/results"
)

// TestPilotMixedSection: the shipped cluster-randomized pilot's report.md
// shows the random-intercept sensitivity analysis of its binary outcome as
// such, with the conditional odds ratio, its interval and the latent ICC
// the analysis computed.
func TestPilotMixedSection(t *testing.T) {
	r := pilotExampleResult(t)
	var m *struct{ or, lo, hi, icc float64 }
	for _, e := range r.Analysis.Effects {
		if e.Mixed != nil {
			m = &struct{ or, lo, hi, icc float64 }{e.Mixed.OddsRatio, e.Mixed.CI.Lower, e.Mixed.CI.Upper, e.Mixed.ICC}
		}
	}
	if m == nil {
		t.Fatal("the example pilot's binary outcome has no mixed-model analysis")
	}
	md, err := Markdown(&results.Run{Experiment: "pilot", Abtests: []*pilot.Result{r}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := string(md)
	for _, want := range []string{
		"sensitivity analysis, random-intercept logistic regression (conditional odds ratios with 95% Wald intervals)",
		"| Conditional OR |", dec(m.or, 3), dec(m.lo, 3) + "–" + dec(m.hi, 3), dec(m.icc, 3),
		"Sensitivity analysis: random-intercept logistic regression (treatment fixed",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
}

// TestRandomInterceptReport: a mixed_logistic evaluation's random
// intercept (group column, SD, latent ICC, singular fit, population-level
// test rows) appears in report.md and the terminal summary; runs without
// one show neither.
func TestRandomInterceptReport(t *testing.T) {
	day := 28
	unseen := 4
	run := &results.Run{Experiment: "glmm", Evaluations: []results.Evaluation{{
		Dataset: "oulad", Cutoff: &day, Split: "2013-to-2014", Model: "glmm", ModelKind: "mixed_logistic",
		Fit: models.Summary{Kind: "mixed_logistic", RandomIntercept: &models.RandomInterceptSummary{
			Group: "code_module", Groups: 7, SD: 0.6234, ICC: 0.1056, SingularFit: true}},
		PopulationLevelRows: &unseen,
	}}}
	md, err := Markdown(run, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "| oulad | 28 | 2013-to-2014 | glmm | code\\_module | 7 | 0.623 | 0.106 | yes | 4 |") {
		t.Errorf("report.md lacks the random-intercept row:\n%s", md)
	}
	var buf strings.Builder
	if err := WriteTerminal(&buf, run); err != nil {
		t.Fatal(err)
	}
	if want := "glmm: 7 code_module groups, SD 0.623, latent ICC 0.106; 4 test rows of unseen groups at the population level; singular fit"; !strings.Contains(buf.String(), want) {
		t.Errorf("terminal output lacks %q:\n%s", want, buf.String())
	}
	run.Evaluations[0].Fit.RandomIntercept = nil
	md, _ = Markdown(run, nil)
	if strings.Contains(string(md), "Random-intercept") {
		t.Error("report.md shows a random-intercept table without a multilevel model")
	}
}
