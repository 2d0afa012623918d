package harness

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/evalrun/evalrun/explain"
)

// TestFeatureLabels runs the CSV spec with labels for its features: the
// risk list gives reasons with the labels and units, never the raw
// column names of labelled features.
func TestFeatureLabels(t *testing.T) {
	src := strings.Replace(csvSource(), `groups = ["first_gen"]`, `groups = ["first_gen"]
labels = { gpa = { label = "prior GPA", unit = "grade points" }, credits = { label = "credits attempted", unit = "credits" }, major = { label = "major subject" } }`, 1)
	s, err := ParseSpec("csv.toml", ".", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	// The same run checks the timings: one per evaluation in
	// manifest.json, read from the run's clock (here one that advances a
	// millisecond per reading), none in results.json.
	tick := fixedNow()
	clock := func() time.Time { tick = tick.Add(time.Millisecond); return tick }
	out, err := Run(context.Background(), s, RunOptions{Output: dir, Now: clock, Getenv: func(string) string { return "test-key-of-16-bytes" }})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n, m := len(out.Manifest.Timings), len(out.Results.Evaluations); n != m || n == 0 {
		t.Errorf("%d timings for %d evaluations", n, m)
	}
	// runTo's fixed clock gives fixed durations (reruns identical); the
	// real clock measures them.
	for _, tm := range out.Manifest.Timings {
		if tm.Model != "lr" || tm.Split == "" {
			t.Errorf("timing under a fixed clock %+v", tm)
		}
	}
	real, err := Run(context.Background(), s, RunOptions{Output: filepath.Join(t.TempDir(), "real"), Getenv: func(string) string { return "test-key-of-16-bytes" }})
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range real.Manifest.Timings {
		if !(tm.Fit > 0) || !(tm.Bootstrap > 0) || tm.Predict < 0 {
			t.Errorf("timing under the real clock %+v", tm)
		}
	}
	manifest, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil || !strings.Contains(string(manifest), `"fit_seconds"`) {
		t.Errorf("manifest.json lacks fit_seconds (err %v)", err)
	}
	if res, _ := os.ReadFile(filepath.Join(dir, "results.json")); strings.Contains(string(res), "seconds") {
		t.Error("results.json holds timings; it must stay byte-identical across reruns")
	}
	b, err := os.ReadFile(filepath.Join(dir, "risk_list.csv"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if !strings.Contains(text, "prior GPA") && !strings.Contains(text, "credits attempted") && !strings.Contains(text, "major subject") {
		t.Errorf("risk_list.csv uses no label:\n%s", text[:min(len(text), 600)])
	}
	for _, raw := range []string{"gpa =", "credits =", "major=", "major is"} {
		if strings.Contains(text, raw) {
			t.Errorf("risk_list.csv still writes the raw column name %q", raw)
		}
	}
}

func TestFeatureLabelProblems(t *testing.T) {
	src := strings.Replace(csvSource(), `groups = ["first_gen"]`, `groups = ["first_gen"]
labels = { gpa = { unit = "points" }, shoe_size = { label = "shoe size" } }`, 1)
	_, err := ParseSpec("csv.toml", ".", []byte(src))
	for _, want := range []string{
		"csv.toml:15: datasets[0].labels.gpa.label: missing: give the feature a label",
		`datasets[0].labels.shoe_size: no feature "shoe_size" in datasets[0].features (one of gpa, credits, major)`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestReasonTextOutsideTraining(t *testing.T) {
	in := explain.Reason{Feature: "clicks", Value: 36, Contribution: 5.8216}
	if got := reasonText(in); got != "clicks=36 (+5.822)" {
		t.Errorf("reasonText = %q", got)
	}
	in.OutsideTraining = &explain.Range{Min: 0, Max: 12}
	if got := reasonText(in); got != "clicks=36 (+5.822; outside training range 0 to 12)" {
		t.Errorf("reasonText = %q", got)
	}
}

// TestLeakageSuspectsInResults adds to the CSV data a column written
// after the outcome (a withdrawal flag that equals the outcome but for
// a few rows): every fold must list it with its training AUC.
func TestLeakageSuspectsInResults(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "students.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	lines[0] += ",withdrew"
	for i := 1; i < len(lines); i++ {
		w := lines[i][len(lines[i])-1:] // the dfw outcome
		if i%25 == 0 {
			w = map[string]string{"0": "1", "1": "0"}[w]
		}
		lines[i] += "," + w
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "students.csv")
	if err := os.WriteFile(data, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(strings.Replace(csvSource(), `path = "testdata/students.csv"`, `path = "`+data+`"`, 1),
		`features = ["gpa", "credits", "major"]`, `features = ["gpa", "credits", "major", "withdrew"]`, 1)
	s, err := ParseSpec("csv.toml", ".", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	out := runTo(t, s, filepath.Join(dir, "run"))
	for _, e := range out.Results.Evaluations {
		var found bool
		for _, sp := range e.Features.LeakageSuspects {
			if sp.Feature == "withdrew" && sp.AUC != nil && *sp.AUC > 0.9 {
				found = true
			}
			if sp.Feature == "gpa" || sp.Feature == "credits" {
				t.Errorf("%s flagged: %+v", sp.Feature, sp)
			}
		}
		if !found {
			t.Errorf("fold %s: withdrew not among the leakage suspects %+v", e.Split, e.Features.LeakageSuspects)
		}
	}
}
