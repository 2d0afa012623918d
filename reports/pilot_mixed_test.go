package reports

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/abtest"
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

// TestAbtestCSVMixedColumns: abtest.csv carries the shipped pilot's
// random-intercept sensitivity analysis on its binary outcome's effect rows
// (conditional odds ratio, Wald interval and p-value, clusters, cluster SD,
// latent ICC, singular fit) exactly as the analysis computed them, and
// leaves the columns empty on every other row.
func TestAbtestCSVMixedColumns(t *testing.T) {
	r := pilotExampleResult(t)
	b, err := AbtestCSV(&results.Run{Experiment: "pilot", Abtests: []*pilot.Result{r}})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	glmm := []string{"glmm_odds_ratio", "glmm_lower", "glmm_upper", "glmm_p_value", "glmm_clusters", "glmm_cluster_sd", "glmm_icc", "glmm_singular_fit"}
	withMixed := 0
	for _, e := range r.Analysis.Effects {
		if e.Mixed != nil {
			withMixed++
		}
	}
	seen := 0
	for _, row := range rows[1:] {
		var m *abtest.MixedEffectResult
		if row[col["row"]] == "effect" {
			for _, e := range r.Analysis.Effects {
				if e.Arm == row[col["arm"]] && e.Outcome == row[col["outcome"]] {
					m = e.Mixed
				}
			}
		}
		if m == nil {
			for _, c := range glmm {
				if row[col[c]] != "" {
					t.Errorf("%v: %s = %q without a mixed-model analysis", row[:7], c, row[col[c]])
				}
			}
			continue
		}
		seen++
		want := map[string]float64{"glmm_odds_ratio": m.OddsRatio, "glmm_lower": m.CI.Lower, "glmm_upper": m.CI.Upper, "glmm_p_value": m.PValue,
			"glmm_clusters": float64(m.Clusters), "glmm_cluster_sd": m.ClusterSD, "glmm_icc": m.ICC}
		for c, v := range want {
			got, err := strconv.ParseFloat(row[col[c]], 64)
			if err != nil || got != v {
				t.Errorf("%s = %q, want %v", c, row[col[c]], v)
			}
		}
		if row[col["glmm_singular_fit"]] != strconv.FormatBool(m.SingularFit) || m.Clusters < 2 || !(m.OddsRatio > 0) {
			t.Errorf("singular fit %q, analysis %+v", row[col["glmm_singular_fit"]], m)
		}
	}
	if withMixed == 0 || seen != withMixed {
		t.Errorf("%d effect rows with the mixed-model columns, %d analyses", seen, withMixed)
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
