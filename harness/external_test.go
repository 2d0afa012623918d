package harness

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets the test binary act as a user's model program for command
// models: with HARNESS_TEST_PROGRAM set it scores each row of {score} by its
// first feature column and exits.
func TestMain(m *testing.M) {
	if os.Getenv("HARNESS_TEST_PROGRAM") != "" {
		os.Exit(scoreByFirstFeature(os.Args[len(os.Args)-2:]))
	}
	code := m.Run()
	removeSharedRunning()
	os.Exit(code)
}

func scoreByFirstFeature(args []string) int {
	f, err := os.Open(args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var b strings.Builder
	b.WriteString("key,score\n")
	for _, r := range recs[1:] {
		fmt.Fprintf(&b, "%s,%s\n", r[0], r[2])
	}
	fmt.Fprintf(os.Stderr, "scored %d rows on feature %s\n", len(recs)-1, recs[0][2])
	if err := os.WriteFile(args[1], []byte(b.String()), 0o644); err != nil {
		return 1
	}
	return 0
}

// TestPredictionsModelRoundTrip runs the logistic model, turns its
// predictions into a predictions file, and checks that a predictions model
// reading it reproduces every metric.
func TestPredictionsModelRoundTrip(t *testing.T) {
	dir := t.TempDir()
	// Point metrics are compared: no resampling in either run.
	first := csvSpec(t, "\n[privacy]\nshow_ids = true\n"+noResampling)
	runTo(t, first, filepath.Join(dir, "first"))
	f, err := os.Open(filepath.Join(dir, "first", "predictions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("key,split,score\n")
	for _, r := range recs[1:] {
		// columns: dataset,cutoff,split,model,student,term,score,label,...
		fmt.Fprintf(&b, "%s/%s,%s,%s\n", r[5], r[4], r[2], r[6])
	}
	predPath := filepath.Join(dir, "lr-scores.csv")
	os.WriteFile(predPath, []byte(b.String()), 0o644)

	second := csvSpec(t, fmt.Sprintf("\n[[models]]\nname = \"outside\"\nkind = \"predictions\"\npath = %q\n", predPath)+noResampling)
	out := runTo(t, second, filepath.Join(dir, "second"))
	byModel := map[string][]string{}
	for _, e := range out.Results.Evaluations {
		byModel[e.Model] = append(byModel[e.Model], fmt.Sprintf("%s auc=%v ap=%v tp=%d", e.Split, *e.Metrics.AUC, *e.Metrics.AveragePrecision, e.Metrics.TP))
	}
	if strings.Join(byModel["lr"], ";") != strings.Join(byModel["outside"], ";") || len(byModel["lr"]) != 2 {
		t.Errorf("predictions model metrics differ from the model that produced them:\n lr      %v\n outside %v", byModel["lr"], byModel["outside"])
	}

	// A predictions file lacking a fold's rows is an error naming them.
	os.WriteFile(predPath, []byte("key,split,score\n2022F/S0121,by-term/2022F,0.5\n"), 0o644)
	_, err = Run(context.Background(), csvSpec(t, fmt.Sprintf("\n[[models]]\nname = \"outside\"\nkind = \"predictions\"\npath = %q\n", predPath)), RunOptions{Output: filepath.Join(dir, "third")})
	if err == nil || !strings.Contains(err.Error(), `has no score for 59 of 60 rows of split "by-term/2022F"`) {
		t.Errorf("incomplete predictions file: err = %v", err)
	}
}

func TestCommandModelNeedsConsent(t *testing.T) {
	exe, _ := os.Executable()
	model := fmt.Sprintf("\n[[models]]\nname = \"outside\"\nkind = \"command\"\nargv = [%q, \"{score}\", \"{output}\"]\n", exe)
	// Without experiment.allow_commands the spec itself is refused.
	src := csvSource() + model
	if _, err := ParseSpec("cmd.toml", ".", []byte(src)); err == nil || !strings.Contains(err.Error(), "models[1].kind: a command model runs a program: set experiment.allow_commands = true") {
		t.Errorf("command model without allow_commands: err = %v", err)
	}
	// With it, the run still needs the command line's consent.
	src = strings.Replace(csvSource(), "seed = 3\n", "seed = 3\nallow_commands = true\n", 1) + model
	s, err := ParseSpec("cmd.toml", ".", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	_, err = Run(context.Background(), s, RunOptions{Output: dir})
	if err == nil || !strings.Contains(err.Error(), `model "outside" runs a program`) || !strings.Contains(err.Error(), "--allow-commands") {
		t.Errorf("run without --allow-commands: err = %v", err)
	}
	if _, statErr := os.Stat(dir); statErr == nil {
		t.Errorf("a refused run created %s", dir)
	}
	// With both, the program scores every fold and its stderr is kept.
	t.Setenv("HARNESS_TEST_PROGRAM", "1")
	out, err := Run(context.Background(), s, RunOptions{Output: dir, AllowCommands: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range out.Results.Evaluations {
		if e.Model == "outside" && (e.Metrics.AUC == nil || e.Test.Rows != 60) {
			t.Errorf("command model fold %s: %+v", e.Split, e.Metrics)
		}
	}
	logs, _ := filepath.Glob(filepath.Join(dir, "commands", "outside", "*.stderr"))
	if len(logs) != 2 {
		t.Fatalf("stderr logs %v, want one per fold", logs)
	}
	b, _ := os.ReadFile(logs[0])
	if !strings.Contains(string(b), "scored 60 rows on feature gpa") {
		t.Errorf("stderr log %s = %q", logs[0], b)
	}
}
