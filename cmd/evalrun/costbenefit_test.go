package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/costbenefit"
)

// TestCostBenefitCommand analyses the shipped tutoring pilot against a
// tiny run (costbenefit/testdata/run) and writes the three files.
func TestCostBenefitCommand(t *testing.T) {
	var pilotJSON, errOut bytes.Buffer
	if err := abtestCmd(context.Background(), &pilotJSON, &errOut, []string{"--json", pilotSpec}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pilotPath := filepath.Join(dir, "pilot.json")
	if err := os.WriteFile(pilotPath, pilotJSON.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "cb")
	run := filepath.Join("..", "..", "costbenefit", "testdata", "run")
	var stdout bytes.Buffer
	err := costbenefitCmd(&stdout, &errOut, []string{"--run", run, "--model", "logistic", "--pilot", pilotPath, "--capacity", "3",
		"--cost-per-contact", "100", "--fixed-cost", "50", "--replicates", "200", "-o", out})
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if !strings.HasPrefix(stdout.String(), "Contacting the 3 highest-risk students each term would prevent about") {
		t.Errorf("output starts %q", stdout.String()[:min(200, stdout.Len())])
	}
	b, err := os.ReadFile(filepath.Join(out, "costbenefit.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res costbenefit.Result
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	// The top 3 of the run hold 2 DFW: 2 reached at risk.
	if res.Planned.ReachedAtRisk.Value != 2 || res.Effect.Pilot != "tutoring" || res.Effect.Outcome != "dfw" {
		t.Errorf("planned %+v, effect %+v", res.Planned, res.Effect)
	}
	for _, name := range []string{"costbenefit.csv", "costbenefit.svg"} {
		if st, err := os.Stat(filepath.Join(out, name)); err != nil || st.Size() < 200 {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := costbenefitCmd(&stdout, &errOut, []string{"--run", run, "--pilot", pilotPath, "--capacity", "3", "--cost-per-contact", "100"}); err == nil || !strings.Contains(err.Error(), "choose one") {
		t.Errorf("two models without --model: %v", err)
	}
}
