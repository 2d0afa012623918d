package harness

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/evalrun/evalrun/bundle"
	"github.com/evalrun/evalrun/experiments"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestDemoModelCardGolden trains the demo's logistic model as of day 28
// for deployment and compares model_card.json with the golden file: the
// Model Card Toolkit v0.0.2 sections, the evaluation's metrics with their
// intervals and the fairness verdicts in words. Run with -update to
// rewrite testdata/demo_model_card.json after an intended change.
func TestDemoModelCardGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the demo model")
	}
	b, err := experiments.Spec(experiments.DemoName)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSpec("<built-in>/demo.toml", ".", b)
	if err != nil {
		t.Fatal(err)
	}
	day := 28
	dir := filepath.Join(t.TempDir(), "bundle")
	if _, err := Train(context.Background(), s, TrainOptions{Model: "logistic", Cutoff: &day, Output: dir, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, bundle.CardFile))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "demo_model_card.json")
	if *updateGolden {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		os.WriteFile(golden+".got", got, 0o644)
		t.Errorf("model_card.json differs from %s (written to %s.got; -update rewrites the golden file)", golden, golden)
	}
	for _, section := range []string{`"schema_version": "0.0.2"`, `"model_details"`, `"model_parameters"`, `"quantitative_analysis"`, `"considerations"`,
		`"performance_metrics"`, `"ethical_considerations"`, `"mitigation_strategy"`} {
		if !bytes.Contains(got, []byte(section)) {
			t.Errorf("model_card.json lacks %s", section)
		}
	}
}
