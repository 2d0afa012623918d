package reports

import (
	"strings"
	"testing"

	"github.com/evalrun/evalrun/drift"
	"github.com/evalrun/evalrun/monitor"
)

func TestMonitorHTML(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	entries := []monitor.Entry{
		{Term: "2024A", Model: "logistic", BundleID: "abc", Status: "ok", Rows: 900, Flagged: 200, Threshold: 0.5,
			Drift: drift.DatasetResult{Features: []drift.FeatureResult{{Name: "clicks", Method: drift.MethodWasserstein, Score: 0.02, Threshold: 0.1}}},
			Measures: []monitor.Measure{{Name: "share of drifted features", Value: f(0), Reference: f(0.5)},
				{Name: "AUC", Value: f(0.79), Lower: f(0.76), Upper: f(0.82), Reference: f(0.78), RefLower: f(0.75), RefUpper: f(0.81), Position: "inside"}}},
		{Term: "2024B", Model: "logistic", BundleID: "abc", Status: "alert", Rows: 950, Flagged: 260, Threshold: 0.5,
			Drift: drift.DatasetResult{Features: []drift.FeatureResult{{Name: "clicks<script>", Method: drift.MethodWasserstein, Score: 0.31, Threshold: 0.1, Drifted: true}}},
			Measures: []monitor.Measure{{Name: "share of drifted features", Value: f(1), Reference: f(0.5)},
				{Name: "AUC", Value: f(0.66), Lower: f(0.62), Upper: f(0.70), Reference: f(0.78), RefLower: f(0.75), RefUpper: f(0.81), Position: "below"}},
			Realized: &monitor.Realized{Gaps: []monitor.Measure{{Name: "fairness: fnr_difference of disability Y against N", Value: f(0.12), Lower: f(0.05), Upper: f(0.19),
				Reference: f(0.09), CardLower: f(0.01), CardUpper: f(0.18), RefLower: f(-0.05), RefUpper: f(0.05), Verdict: "FAIL"}}},
			Alerts: []monitor.Alert{{Severity: monitor.SeverityAlert, Kind: "measure outside reference", Message: "AUC is 0.660, worse than the reference range 0.750 to 0.810 of the model card."}}},
	}
	b, err := MonitorHTML(entries)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for _, want := range []string{"Latest term <strong>2024B</strong>", `class="status-alert">alert`, "AUC is 0.660, worse than the reference range", "Realized AUC", "Share of drifted features", "clicks&lt;script&gt;", "<td>0.120 (0.050 to 0.190)</td><td>FAIL</td><td>0.090 (0.010 to 0.180)</td><td>-0.05 to 0.05</td>"} {
		if !strings.Contains(html, want) {
			t.Errorf("monitor.html lacks %q", want)
		}
	}
	if strings.Count(html, "<svg ") != 2 {
		t.Errorf("%d plots, want 2 (the measures with values)", strings.Count(html, "<svg "))
	}
	if strings.Contains(html, "clicks<script>") {
		t.Error("a feature name is not escaped")
	}
	if _, err := MonitorHTML(nil); err == nil {
		t.Error("no error for an empty history")
	}
}
