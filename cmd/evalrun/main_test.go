package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), &out, &errOut, args)
	return out.String(), errOut.String(), err
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{nil, "usage:"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"validate"}, "validate takes one spec file"},
		{[]string{"run", "a.toml", "b.toml"}, "run takes one spec file, got 2 arguments"},
		{[]string{"demo", "x.toml"}, "demo takes no spec file"},
		{[]string{"synth", "csv"}, "synth needs a kind of data"},
		{[]string{"synth", "oulad"}, "evalrun synth oulad -o DIR"},
		{[]string{"run", "--nosuchflag"}, "flag provided but not defined: -nosuchflag"},
	}
	for _, c := range cases {
		_, stderr, err := runCLI(t, c.args...)
		if !errors.Is(err, errUsage) {
			t.Errorf("%q: err = %v, want a usage error", c.args, err)
			continue
		}
		if !strings.Contains(err.Error()+stderr, c.want) {
			t.Errorf("%q: error %q / stderr %q do not mention %q", c.args, err, stderr, c.want)
		}
	}
}

func TestValidateCommand(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[experiment]\nname = \"x\"\ncolour = \"red\"\n"), 0o644)
	_, _, err := runCLI(t, "validate", bad)
	if err == nil || !strings.Contains(err.Error(), bad+":3: experiment.colour: unknown key") {
		t.Errorf("validate of a spec with an unknown key: err = %v", err)
	}
	stdout, _, err := runCLI(t, "validate", filepath.Join("..", "..", "experiments", "demo.toml"))
	if err != nil || !strings.HasSuffix(stdout, "demo.toml: ok\n") {
		t.Errorf("validate of the demo spec: stdout %q, err %v", stdout, err)
	}
}

func TestDemoAndSynth(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("EVALRUN_PSEUDONYM_KEY", "cli-test")
	stdout, _, err := runCLI(t, "demo", "--output", filepath.Join(dir, "demo"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"split 2013-to-2014", "logistic", "missed-assessments", "results written to " + filepath.Join(dir, "demo")} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"results.json", "predictions.csv", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(dir, "demo", f)); err != nil {
			t.Errorf("demo run directory: %v", err)
		}
	}
	stdout, _, err = runCLI(t, "synth", "oulad", "-o", filepath.Join(dir, "synth"), "--students", "300")
	if err != nil || !strings.HasPrefix(stdout, "wrote 300 students") {
		t.Fatalf("synth: stdout %q, err %v", stdout, err)
	}
	for _, f := range []string{"courses.csv", "assessments.csv", "vle.csv", "studentInfo.csv", "studentRegistration.csv", "studentAssessment.csv", "studentVle.csv"} {
		if _, err := os.Stat(filepath.Join(dir, "synth", f)); err != nil {
			t.Errorf("synth output: %v", err)
		}
	}
}
