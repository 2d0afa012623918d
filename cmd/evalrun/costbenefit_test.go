package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
	// A rerun replaces evalrun's own directory; a directory it did not
	// write is refused.
	again := []string{"--run", run, "--model", "logistic", "--pilot", pilotPath, "--capacity", "2", "--cost-per-contact", "100", "--replicates", "200", "-o", out}
	if err := costbenefitCmd(&stdout, &errOut, again); err != nil {
		t.Errorf("rerun into its own directory: %v", err)
	}
	foreign := filepath.Join(dir, "mine")
	os.MkdirAll(foreign, 0o755)
	os.WriteFile(filepath.Join(foreign, "notes.txt"), []byte("keep"), 0o644)
	again[len(again)-1] = foreign
	if err := costbenefitCmd(&stdout, &errOut, again); err == nil {
		t.Error("wrote into a directory evalrun did not write")
	}
	if b, _ := os.ReadFile(filepath.Join(foreign, "notes.txt")); string(b) != "keep" {
		t.Error("a file evalrun did not write changed")
	}
	if err := costbenefitCmd(&stdout, &errOut, []string{"--run", run, "--pilot", pilotPath, "--capacity", "3", "--cost-per-contact", "100"}); err == nil || !strings.Contains(err.Error(), "choose one") {
		t.Errorf("two models without --model: %v", err)
	}
}

// TestAbtestLockCommand: the example pilot's outcomes are filled, so the
// lock is refused without --force, written with it (and says so), and
// never replaced.
func TestAbtestLockCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "plan.lock.json")
	var stdout, stderr bytes.Buffer
	err := abtestCmd(context.Background(), &stdout, &stderr, []string{"lock", pilotSpec, "-o", out})
	if err == nil || !strings.Contains(err.Error(), "already hold values") {
		t.Fatalf("lock of filled outcomes: %v", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("a refused lock left a file")
	}
	if err := abtestCmd(context.Background(), &stdout, &stderr, []string{"lock", "--force", pilotSpec, "-o", out}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var lock struct {
		Hash   string
		Pilots []struct {
			Forced    bool
			Statement string
		}
	}
	if err := json.Unmarshal(b, &lock); err != nil || len(lock.Hash) != 64 || len(lock.Pilots) != 1 || !lock.Pilots[0].Forced {
		t.Errorf("lock %s: %v", b[:min(300, len(b))], err)
	}
	if err := abtestCmd(context.Background(), &stdout, &stderr, []string{"lock", "--force", pilotSpec, "-o", out}); err == nil || !strings.Contains(err.Error(), "never replaced") {
		t.Errorf("second lock to the same file: %v", err)
	}
}

// TestPlanLockRef: the plan_lock value abtest lock suggests is the lock's
// path as the spec reads it, relative to the spec's directory (the README's
// "abtest lock experiments/pilot-tutoring.toml -o plan.lock.json" needs
// "../plan.lock.json").
func TestPlanLockRef(t *testing.T) {
	for _, c := range []struct{ spec, out, want string }{
		{"experiments/pilot-tutoring.toml", "plan.lock.json", "../plan.lock.json"},
		{"pilot.toml", "plan.lock.json", "plan.lock.json"},
		{"experiments/pilot.toml", "experiments/locks/a.json", "locks/a.json"},
		{"experiments/pilot.toml", "/srv/locks/a.json", "/srv/locks/a.json"},
	} {
		if got := planLockRef(c.spec, c.out); got != c.want {
			t.Errorf("spec %s, -o %s: plan_lock = %q, want %q", c.spec, c.out, got, c.want)
		}
	}
}

// TestMonitorCommandUsage: the command needs a bundle, --spec, --term and
// -o, and says so with a usage error (status 2).
func TestMonitorCommandUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	for _, args := range [][]string{{}, {"bundle"}, {"bundle", "--spec", "s.toml", "--term", "2014J"}, {"--spec", "s.toml", "--term", "T", "-o", "h"}} {
		err := run(context.Background(), &stdout, &stderr, append([]string{"monitor"}, args...))
		if !errors.Is(err, errUsage) {
			t.Errorf("monitor %q: %v, want a usage error", args, err)
		}
	}
}

// TestCostBenefitSpecTable takes the settings from a [costbenefit] table
// and the pilot from the spec's [[abtests]]; a table with a bad value is
// an error naming its key and line.
func TestCostBenefitSpecTable(t *testing.T) {
	base, err := os.ReadFile(pilotSpec)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data, _ := filepath.Abs(filepath.Join("..", "..", "experiments", "testdata", "pilot", "tutoring.csv"))
	spec := strings.Replace(string(base), `data = "testdata/pilot/tutoring.csv"`, "data = "+strconvQuote(data), 1)
	good := spec + "\n[costbenefit]\nmodel = \"logistic\"\ncapacity = 3\ncost_per_contact = 100\nreplicates = 200\n"
	path := filepath.Join(dir, "spec.toml")
	os.WriteFile(path, []byte(good), 0o644)
	run := filepath.Join("..", "..", "costbenefit", "testdata", "run")
	var stdout, stderr bytes.Buffer
	if err := costbenefitCmd(&stdout, &stderr, []string{"--spec", path, "--run", run, "--json"}); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var res costbenefit.Result
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil || res.Planned.Capacity != 3 || res.Effect.Pilot != "tutoring" || res.Replicates != 200 {
		t.Errorf("result %+v: %v", res.Planned, err)
	}
	if err := costbenefitCmd(&stdout, &stderr, []string{"--spec", path, "--run", run, "--capacity", "4"}); !errors.Is(err, errUsage) {
		t.Errorf("--spec with --capacity: %v", err)
	}
	bad := spec + "\n[costbenefit]\nmodel = \"logistic\"\ncapacity = 0\ncost_per_contact = 100\n"
	os.WriteFile(path, []byte(bad), 0o644)
	err = costbenefitCmd(&stdout, &stderr, []string{"--spec", path, "--run", run})
	if err == nil || !strings.Contains(err.Error(), "costbenefit.capacity") {
		t.Errorf("capacity 0: %v", err)
	}
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }
