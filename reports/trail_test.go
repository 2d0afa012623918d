package reports

import (
	"strings"
	"testing"

	"github.com/evalrun/evalrun/datasets"
)

func TestAssessmentTrail(t *testing.T) {
	day := func(d int) *int { return &d }
	score := func(s float64) *float64 { return &s }
	got := executeTemplate(t, "trail", assessmentTrail([]datasets.AssessmentRecord{
		{ID: "1752", Type: "TMA", Due: 19, Weight: 10, Submitted: day(18), Score: score(78)},
		{ID: "1753", Type: "TMA", Due: 25, Weight: 20, Submitted: day(27)},
		{ID: "1760", Type: "CMA", Due: 28, Weight: 0},
		{ID: "1700", Type: "TMA", Due: 5, Weight: 10, Submitted: day(-40), Score: score(61), Banked: true},
	}))
	for _, want := range []string{
		"<td>1752</td><td>TMA</td><td class=\"num\">19</td><td class=\"num\">10</td><td>day 18</td><td class=\"num\">78</td>",
		"<td>day 27 (2 days late)</td><td class=\"num\">—</td>",
		"<td>1760</td><td>CMA</td><td class=\"num\">28</td><td class=\"num\">0</td><td>not submitted</td>",
		"<td>banked from an earlier attempt</td><td class=\"num\">61</td>",
		"<caption>Assessment trail as of the prediction day</caption>",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("trail lacks %q:\n%s", want, got)
		}
	}
}
