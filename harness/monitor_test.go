package harness

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/monitor"
	"github.com/evalrun/evalrun/results"
)

// TestMonitorTerms trains a logistic bundle on 2013B-2013J, then monitors
// 2014B (outcomes known: realized measures and the fairness audit against
// the card) and 2014J (no outcomes yet: drift and expected performance).
// The history keeps both entries in order; recording a term twice is
// refused and leaves the history as it was.
func TestMonitorTerms(t *testing.T) {
	dir, _ := runningTermOULAD(t, 2500, 5, "2014J")
	s := runningSpec(t, dir, "[[models]]\nname = \"lr\"\nkind = \"logistic\"\n\n[fairness]\nattributes = [\"gender\"]\nreplicates = 100\npermutations = 0\n")
	bdir := filepath.Join(t.TempDir(), "bundle")
	trained, err := Train(context.Background(), s, TrainOptions{Model: "lr", Split: "evaluate", Output: bdir, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	hist := filepath.Join(t.TempDir(), "history")
	first, err := Monitor(context.Background(), MonitorOptions{Bundle: bdir, Spec: s, Term: "2014B", History: hist, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	e := first.Entry
	if !e.OutcomesKnown || e.Realized == nil || e.Realized.Fairness == nil || len(e.Drift.Features) == 0 {
		t.Fatalf("2014B: outcomes known %v, realized %v, %d features", e.OutcomesKnown, e.Realized != nil, len(e.Drift.Features))
	}
	// The scores are compared with the bundle's training scores from the
	// first term on.
	if sd := e.ScoreDrift; sd == nil || sd.ReferenceRows != trained.Bundle.Model.Scores.Count || sd.CurrentRows != e.Rows {
		t.Errorf("2014B score drift %+v: want the %d training scores against the term's %d", sd, trained.Bundle.Model.Scores.Count, e.Rows)
	}
	var auc *monitor.Measure
	for i := range e.Measures {
		if e.Measures[i].Name == "AUC" {
			auc = &e.Measures[i]
		}
	}
	if auc == nil || auc.Value == nil || auc.Reference == nil || auc.RefLower == nil {
		t.Fatalf("AUC measure %+v: want the realized value beside the card's interval", auc)
	}
	second, err := Monitor(context.Background(), MonitorOptions{Bundle: bdir, Spec: s, Term: "2014J", History: hist, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if second.Entry.OutcomesKnown || second.Entry.ScoreDrift == nil || second.Entry.Expected.Precision == nil || second.Terms != 2 {
		t.Errorf("2014J: %+v", second.Entry)
	}
	before, _ := os.ReadFile(filepath.Join(hist, monitor.HistoryJSONL))
	if _, err := Monitor(context.Background(), MonitorOptions{Bundle: bdir, Spec: s, Term: "2014J", History: hist, Now: fixedNow}); err == nil || !strings.Contains(err.Error(), "already in") {
		t.Errorf("recording 2014J twice: %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(hist, monitor.HistoryJSONL))
	// The same term again as a scoring week is a new entry.
	week, err := Monitor(context.Background(), MonitorOptions{Bundle: bdir, Spec: s, Term: "2014J", Entry: "2014J-week6", History: hist, Now: fixedNow})
	if err != nil || week.Entry.Term != "2014J-week6" || week.Entry.DataTerm != "2014J" || week.Terms != 3 {
		t.Errorf("scoring week entry: %v", err)
	}
	if !bytes.Equal(before, after) || bytes.Count(after, []byte("\n")) != 2 {
		t.Errorf("history changed or has %d lines", bytes.Count(after, []byte("\n")))
	}
	html, err := os.ReadFile(filepath.Join(hist, monitor.MonitorHTML))
	if err != nil || !bytes.Contains(html, []byte("Latest term <strong>2014J-week6</strong>")) {
		t.Errorf("monitor.html: %v", err)
	}
	if _, err := Monitor(context.Background(), MonitorOptions{Bundle: bdir, Spec: s, Term: "2020X", History: hist, Now: fixedNow}); err == nil || !strings.Contains(err.Error(), "no student of term") {
		t.Errorf("unknown term: %v", err)
	}
}

// TestMonitorForestTopFeatures: a random forest has no coefficients, yet
// its bundle ranks the features by the permutation importance of the run's
// evaluation of the same split (each feature's importance is the sum over
// its encoded columns), and monitor watches the ranking's top three
// without --top.
func TestMonitorForestTopFeatures(t *testing.T) {
	dir, _ := runningTermOULAD(t, 1500, 5, "2014J")
	s := runningSpec(t, dir, "[[models]]\nname = \"rf\"\nkind = \"random_forest\"\nn_trees = 20\nmin_samples_leaf = 5\n")
	repeats := 2
	s.Explain.PermutationRepeats = &repeats
	bdir := filepath.Join(t.TempDir(), "bundle")
	trained, err := Train(context.Background(), s, TrainOptions{Model: "rf", Split: "evaluate", Output: bdir, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	r := trained.Bundle.Model.Ranking
	if r == nil || len(r.Features) < 3 || len(r.Evaluations) != 1 || r.Evaluations[0] != "split evaluate: test terms 2014B" {
		t.Fatalf("ranking %+v", r)
	}
	var eval *results.Evaluation
	for i := range trained.Evaluations {
		if trained.Evaluations[i].Split == "evaluate" {
			eval = &trained.Evaluations[i]
		}
	}
	if eval == nil || len(eval.Importance) == 0 {
		t.Fatal("no importance in the evaluation of split evaluate")
	}
	want := map[string]float64{}
	for _, im := range eval.Importance {
		name, _, _ := strings.Cut(im.Feature, "=")
		want[strings.TrimSuffix(name, "_missing")] += im.Mean
	}
	for _, f := range r.Features {
		if math.Abs(f.Importance-want[f.Name]) > 1e-12 {
			t.Errorf("%s: importance %v, the evaluation's columns sum to %v", f.Name, f.Importance, want[f.Name])
		}
	}
	out, err := Monitor(context.Background(), MonitorOptions{Bundle: bdir, Spec: s, Term: "2014B", History: filepath.Join(t.TempDir(), "history"), Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if top := out.Entry.TopFeatures; len(top) == 0 || !slices.Equal(top, r.Top(3)) || top[0] != r.Features[0].Name {
		t.Errorf("top features %q, ranking %+v", top, r.Features)
	}
	for _, n := range out.Notes {
		if strings.Contains(n, "--top") {
			t.Errorf("note %q", n)
		}
	}
}
