package costbenefit

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/abtest"
	"github.com/evalrun/evalrun/pilot"
)

func TestReadPredictions(t *testing.T) {
	if _, err := ReadPredictions("testdata/run", Selector{}); err == nil || !strings.Contains(err.Error(), "--model base-rate") {
		t.Errorf("two models and no choice: %v", err)
	}
	p, err := ReadPredictions("testdata/run", Selector{Model: "logistic"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Scores) != 6 || p.Labels[2] != 1 || p.Scores[3] != 0.6 || len(p.Terms) != 6 || p.Terms[0] != p.Terms[5] || p.Split != "2013-to-2014" || p.Cutoff != "28" {
		t.Errorf("got %+v", p)
	}
	if _, err := ReadPredictions("testdata/run", Selector{Model: "gbm"}); err == nil {
		t.Error("no error for an unknown model")
	}
}

func TestReadPilotsAndEffect(t *testing.T) {
	res := []*pilot.Result{{Name: "advising", Inputs: pilot.Inputs{Plan: abtest.Plan{Level: 0.9}}, Analysis: abtest.Analysis{Effects: []abtest.Effect{
		{Arm: "call", Outcome: "gpa", Kind: abtest.Continuous},
		{Arm: "call", Outcome: "dfw", Kind: abtest.Binary, Primary: true, Method: "z-test", Estimate: -0.1, CI: abtest.Interval{Lower: -0.18, Upper: -0.02},
			Proportions: &abtest.TwoProportionsResult{X1: 60, N1: 200, X2: 80, N2: 200, P1: 0.3, P2: 0.4}},
	}}}}
	b, _ := json.Marshal(res)
	path := filepath.Join(t.TempDir(), "pilots.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	pilots, err := ReadPilots(path)
	if err != nil {
		t.Fatal(err)
	}
	e, err := EffectFrom(pilots, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	want := Effect{Pilot: "advising", Arm: "call", Outcome: "dfw", RiskDifference: -0.1, Lower: -0.18, Upper: -0.02, Level: 0.9, Method: "z-test", ControlRate: 0.4, ControlN: 200}
	if e != want {
		t.Errorf("effect %+v, want %+v", e, want)
	}
	if _, err := EffectFrom(pilots, "", "gpa", ""); err == nil {
		t.Error("a continuous outcome was accepted")
	}
	if _, err := EffectFrom(pilots, "other", "", ""); err == nil {
		t.Error("an unknown pilot was accepted")
	}
}
