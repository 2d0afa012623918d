package harness

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/bundle"
)

const everyKind = `[[models]]
name = "lr"
kind = "logistic"

[[models]]
name = "base"
kind = "prior"

[[models]]
name = "missed"
kind = "rule"
feature = "missed"

[[models]]
name = "cart"
kind = "tree"
max_depth = 5

[[models]]
name = "rf"
kind = "random_forest"
n_trees = 12
min_samples_leaf = 5

[[models]]
name = "gbm"
kind = "gbm"
max_iter = 15

[[models]]
name = "glmm"
kind = "mixed_logistic"
group = "code_module"
`

// TestBundleScoresEqualRun: a bundle trained on a split's training terms
// scores that split's test students byte for byte as the run did, for
// every model kind, after a trip through the bundle directory.
func TestBundleScoresEqualRun(t *testing.T) {
	dir, _ := runningTermOULAD(t, 2500, 5, "2014J")
	// Only the scores are compared: no metric bootstrap.
	s := runningSpec(t, dir, everyKind+"\n[metrics.bootstrap]\nreplicates = 0\n")
	getenv := func(string) string { return "" }
	out, err := Run(context.Background(), s, RunOptions{Output: filepath.Join(t.TempDir(), "run"), Now: fixedNow, Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	pred, err := os.ReadFile(filepath.Join(out.Dir, "predictions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := csv.NewReader(bytes.NewReader(pred)).ReadAll()
	want := map[string][]string{}
	for _, r := range recs[1:] {
		if r[2] == "evaluate" {
			want[r[3]] = append(want[r[3]], r[6])
		}
	}
	thresholds := map[string]float64{}
	for _, e := range out.Results.Evaluations {
		if e.Split == "evaluate" {
			thresholds[e.Model] = e.Threshold
		}
	}
	data, err := loadAndValidate(s)
	if err != nil {
		t.Fatal(err)
	}
	f := data[0].frames[0]
	rows := rowsOf(f, []string{"2014B"})
	for _, m := range s.Models {
		t.Run(m.Kind, func(t *testing.T) {
			bdir := filepath.Join(t.TempDir(), "bundle")
			if _, err := Train(context.Background(), s, TrainOptions{Model: m.Name, Split: "evaluate", Output: bdir, Now: fixedNow}); err != nil {
				t.Fatal(err)
			}
			b, err := bundle.Load(bdir)
			if err != nil {
				t.Fatal(err)
			}
			if b.Model.Threshold.Score != thresholds[m.Name] {
				t.Errorf("threshold %v, the run's %v", b.Model.Threshold.Score, thresholds[m.Name])
			}
			sc, err := b.Apply(context.Background(), f, rows, bundle.ApplyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(sc.Scores) != len(want[m.Name]) || len(sc.Scores) == 0 {
				t.Fatalf("%d scores, the run has %d", len(sc.Scores), len(want[m.Name]))
			}
			for k, v := range sc.Scores {
				if got := strconv.FormatFloat(v, 'g', -1, 64); got != want[m.Name][k] {
					t.Fatalf("student %d: bundle scores %s, the run %s", k, got, want[m.Name][k])
				}
			}
		})
	}
}

// TestTrainDeploy: the default deployment trains on every term with
// outcomes, resolves the capacity threshold on the latest training term,
// and writes a model card naming the evaluation's numbers.
func TestTrainDeploy(t *testing.T) {
	dir, _ := runningTermOULAD(t, 2500, 5, "2014J")
	s := runningSpec(t, dir, "[[models]]\nname = \"lr\"\nkind = \"logistic\"\n")
	bdir := filepath.Join(t.TempDir(), "bundle")
	out, err := Train(context.Background(), s, TrainOptions{Model: "lr", Output: bdir, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	m := out.Bundle.Model
	if strings.Join(m.Training.Terms, ",") != "2013B,2013J,2014B" || m.Training.Split != "" {
		t.Errorf("training terms %v", m.Training.Terms)
	}
	if !strings.Contains(m.Threshold.ResolvedOn, "latest training term 2014B") || m.Threshold.Policy != "top_fraction(0.3)" {
		t.Errorf("threshold %+v", m.Threshold)
	}
	if len(m.Bands) != 3 || *m.Bands[1].MinScore >= *m.Bands[0].MinScore {
		t.Errorf("bands %+v", m.Bands)
	}
	if *m.CutoffDay != 28 || m.Dataset.Kind != "oulad" || len(m.Schema.Features) != len(m.Dataset.Numeric)+len(m.Dataset.Categorical) {
		t.Errorf("model %+v", m)
	}
	if len(out.Evaluations) != 1 || out.Evaluations[0].Split != "evaluate" {
		t.Fatalf("card evaluations %+v", out.Evaluations)
	}
	perf := out.Bundle.Card.QuantitativeAnalysis.PerformanceMetrics
	if len(perf) == 0 || perf[0].Type != "AUC" || perf[0].Value != *out.Evaluations[0].Metrics.AUC {
		t.Errorf("card metrics %+v", perf)
	}
	for _, e := range []struct {
		opts TrainOptions
		want string
	}{
		{TrainOptions{Output: bdir}, "no model to train: pass --model NAME"},
		{TrainOptions{Model: "svm", Output: bdir}, `--model "svm": no such model`},
		{TrainOptions{Model: "lr", Split: "nope", Output: bdir}, `--split "nope"`},
		{TrainOptions{Model: "lr", Cutoff: new(int), Output: bdir}, "--cutoff 0: dataset \"oulad\" has cutoff days [28]"},
	} {
		if _, err := Train(context.Background(), s, e.opts); err == nil || !strings.Contains(err.Error(), e.want) {
			t.Errorf("Train(%+v): %v, want %q", e.opts, err, e.want)
		}
	}
}
