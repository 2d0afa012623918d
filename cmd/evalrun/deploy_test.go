package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTrainScoreCLI trains a bundle from a CSV spec and scores next
// term's students from the command line; flag mistakes are usage errors.
func TestTrainScoreCLI(t *testing.T) {
	t.Setenv("EVALRUN_PSEUDONYM_KEY", "a-test-key-of-sixteen-bytes")
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("id,term,clicks,late,at_risk\n")
	for i := 0; i < 300; i++ {
		term := []string{"T1", "T2"}[i%2]
		late := i % 4
		label := "0"
		if late >= 2 && i%5 != 0 || i%7 == 0 {
			label = "1"
		}
		fmt.Fprintf(&b, "s%d,%s,%d,%d,%s\n", i, term, (i*31)%90, late, label)
	}
	os.WriteFile(filepath.Join(dir, "students.csv"), []byte(b.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "current.csv"), []byte("id,term,clicks,late\nn1,T3,10,3\nn2,T3,80,0\nn3,T3,200,1\n"), 0o644)
	spec := filepath.Join(dir, "spec.toml")
	os.WriteFile(spec, []byte(`[experiment]
name = "cli-deploy"
seed = 1

[[datasets]]
name = "t"
kind = "csv"
path = "students.csv"
id = "id"
label = "at_risk"
term = "term"
features = ["clicks", "late"]

[[models]]
name = "lr"
kind = "logistic"

[[splits]]
name = "s"
kind = "temporal"
train = ["T1"]
test = ["T2"]

[deploy]
model = "lr"

[explain]
permutation_repeats = 0
`), 0o644)
	bundleDir := filepath.Join(dir, "bundle")
	out, _, err := runCLI(t, "train", spec, "-o", bundleDir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "lr (logistic) trained on [T1 T2] (300 students") || !strings.Contains(out, "evaluation s: AUC") {
		t.Errorf("train printed %q", out)
	}
	scores := filepath.Join(dir, "scores")
	out, _, err = runCLI(t, "score", bundleDir, "--data", filepath.Join(dir, "current.csv"), "-o", scores)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "scored 3 students of T3 with lr") || !strings.Contains(out, "students with a value outside the training range: 1; with a category the training data never showed: 0; with a missing input (filled in): 0") {
		t.Errorf("score printed %q", out)
	}
	for _, f := range []string{"risk_list.csv", "alerts.csv", "report.html", "scoring.json"} {
		if _, err := os.Stat(filepath.Join(scores, f)); err != nil {
			t.Error(err)
		}
	}
	// xAPI statements on the institution's URLs given by flags.
	xscores := filepath.Join(dir, "xscores")
	if _, _, err := runCLI(t, "score", bundleDir, "--data", filepath.Join(dir, "current.csv"), "--xapi",
		"--xapi-home-page", "https://lms.example.edu", "--xapi-activity-base", "https://lms.example.edu/terms/", "-o", xscores); err != nil {
		t.Fatal(err)
	}
	alerts, _ := os.ReadFile(filepath.Join(xscores, "alerts.csv"))
	statements, err := os.ReadFile(filepath.Join(xscores, "alerts.jsonl"))
	if n := bytes.Count(statements, []byte("\n")); err != nil || n == 0 || n != bytes.Count(alerts, []byte("\n"))-1 ||
		bytes.Count(statements, []byte(`"account":{"homePage":"https://lms.example.edu","name":"`)) != n || bytes.Count(statements, []byte(`"id":"https://lms.example.edu/terms/T3"`)) != n {
		t.Errorf("alerts.jsonl (%v):\n%s\nalerts.csv:\n%s", err, statements, alerts)
	}
	if _, _, err := runCLI(t, "score", bundleDir, "--data", filepath.Join(dir, "current.csv"), "--xapi", "--xapi-home-page", "https://lms.example.edu",
		"-o", filepath.Join(dir, "x2")); err == nil || !strings.Contains(err.Error(), "--xapi: no base URL for the course activity ids") {
		t.Errorf("--xapi without --xapi-activity-base: %v", err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"score", bundleDir, "-o", scores}, "exactly one of --spec"},
		{[]string{"score", bundleDir, "--data", "x.csv", "--xapi-home-page", "https://lms.example.edu", "-o", scores}, "--xapi-home-page and --xapi-activity-base are used only with --xapi"},
		{[]string{"score", bundleDir, "--data", "x.csv"}, "score needs -o DIR"},
		{[]string{"score", bundleDir, "--data", "x.csv", "--rise", "2", "-o", scores}, "--rise must be in (0, 1], got 2"},
		{[]string{"train", spec}, "train needs -o BUNDLE"},
		{[]string{"train", spec, "--cutoff", "900", "-o", bundleDir}, "--cutoff must be a day between -30 and 400"},
	} {
		_, _, err := runCLI(t, c.args...)
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want a usage error containing %q", c.args, err, c.want)
		}
	}
}
