package reports

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/fairness"
	"github.com/evalrun/evalrun/metrics"
	"github.com/evalrun/evalrun/results"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func ptr[T any](v T) *T { return &v }

// sampleRun is a hand-made run with a defined and an undefined precision.
func sampleRun() *results.Run {
	return &results.Run{
		Experiment:      "golden",
		Seed:            7,
		ThresholdPolicy: "top 30% of scored students",
		Warnings:        []string{"pseudonyms derived without a key"},
		Datasets: []results.Dataset{{
			Name: "oulad", Kind: "oulad",
			Cutoffs: []results.Cutoff{{Day: ptr(28), Rows: 1000, Positives: 420,
				Cleaning: []datasets.CleaningCount{{Rule: "unregistered_by_cutoff", Count: 37}}}},
		}},
		Evaluations: []results.Evaluation{
			{Dataset: "oulad", Cutoff: ptr(28), Split: "2013-to-2014", Model: "lr",
				Uncertainty: &results.Uncertainty{Level: 0.95, AUCDeLong: &results.DeLongInterval{Method: "DeLong",
					AUCInterval: metrics.AUCInterval{AUC: 0.81234, SE: 0.02, Lower: 0.7731, Upper: 0.8515, Level: 0.95}}},
				Fairness: &fairness.AuditResult{Status: fairness.Fail, Verdicts: []fairness.Verdict{
					{Attribute: "disability", Metric: "fnr_difference", Group: "Y", Reference: "N", AllowedLow: -0.05, AllowedHigh: 0.05,
						Estimate: fairness.Known(0.0612), Lower: fairness.Known(0.011), Upper: fairness.Known(0.114), Outcome: fairness.Inconclusive},
					{Attribute: "gender", Metric: "selection_rate_ratio", Group: "F", Reference: "M", AllowedLow: 0.8, AllowedHigh: 1.25,
						Estimate: fairness.Known(0.61), Lower: fairness.Known(0.52), Upper: fairness.Known(0.71), Outcome: fairness.Fail},
					{Attribute: "age_band", Metric: "auc_difference", Reference: "between groups", AllowedLow: -0.1, AllowedHigh: 0.1,
						Estimate: fairness.Unknown("one class"), Lower: fairness.Unknown("one class"), Upper: fairness.Unknown("one class"), Outcome: fairness.Inconclusive},
				}},
				Metrics: metrics.Report{N: 400, Positives: 170, BaseRate: 0.425, AUC: ptr(0.81234), AveragePrecision: ptr(0.7),
					Precision: ptr(0.75), Recall: ptr(0.52941), F1: ptr(0.62069), Brier: ptr(0.18), Flagged: 120}},
			{Dataset: "oulad", Cutoff: ptr(28), Split: "2013-to-2014", Model: "rule",
				Metrics: metrics.Report{N: 400, Positives: 170, BaseRate: 0.425, AUC: ptr(0.5), Recall: ptr(0.0), F1: nil, Flagged: 0}},
		},
		FairnessStatus: fairness.Fail,
		Comparisons: []results.Comparison{{Dataset: "oulad", Cutoff: ptr(28), Split: "2013-to-2014", ModelA: "lr", ModelB: "rule",
			DeLong: &results.PairedDeLong{PairedDeLong: metrics.PairedDeLong{Diff: 0.31234, PValue: 0.00001}, Lower: 0.25, Upper: 0.37, PHolm: 0.00002, Tests: 1}}},
	}
}

func TestWriteTerminalGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTerminal(&buf, sampleRun()); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "terminal.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		got := filepath.Join(t.TempDir(), "terminal.got")
		os.WriteFile(got, buf.Bytes(), 0o644)
		t.Errorf("terminal output differs from %s; got written to %s:\n%s", golden, got, buf.String())
	}
	for i, line := range strings.Split(buf.String(), "\n") {
		if n := len([]rune(line)); n > 100 {
			t.Errorf("line %d is %d columns wide, want at most 100: %q", i+1, n, line)
		}
	}
}
