package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/evalrun/evalrun/results"
)

// smallSpec is a synthetic-data experiment small enough for unit tests.
func smallSpec(t *testing.T, extra string) *Spec {
	t.Helper()
	src := `[experiment]
name = "small"
seed = 99

[[datasets]]
name = "syn"
kind = "synthetic-oulad"
students = 1200
cutoff_days = [28, 56]
positive = ["Fail", "Withdrawn"]
groups = ["gender", "disability"]

[[models]]
name = "lr"
kind = "logistic"

[[models]]
name = "missed"
kind = "rule"
feature = "missed"

[[models]]
name = "prior"
kind = "prior"

[[splits]]
name = "2013-to-2014"
kind = "temporal"
train = ["2013B", "2013J"]
test = ["2014B", "2014J"]
` + extra
	s, err := ParseSpec("small.toml", ".", []byte(src))
	if err != nil {
		t.Fatalf("ParseSpec: %v", err)
	}
	return s
}

func runOrErr(s *Spec, dir string) (*Outcome, error) {
	return Run(context.Background(), s, RunOptions{Output: filepath.Join(dir, "run"), Now: fixedNow, Getenv: func(string) string { return "test-key-of-16-bytes" }})
}

func fixedNow() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }

func runTo(t *testing.T, s *Spec, dir string) *Outcome {
	t.Helper()
	out, err := Run(context.Background(), s, RunOptions{Output: dir, Now: fixedNow, Getenv: func(string) string { return "test-key-of-16-bytes" }})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return out
}

// ensembleAudit adds parallel-trained models and a fairness audit to
// smallSpec, so determinism covers forests, boosting and the audit's
// parallel bootstrap.
const ensembleAudit = `
[[models]]
name = "rf"
kind = "random_forest"
n_trees = 40
min_samples_leaf = 5

[[models]]
name = "gbm"
kind = "gbm"
max_iter = 40

[fairness]
attributes = ["gender", "disability"]
models = ["rf", "gbm"]
replicates = 200
permutations = 200

[[fairness.thresholds]]
metric = "fnr_difference"
max = 0.1
`

// lighterResampling shrinks the metric bootstrap to the fewest replicates
// a spec may ask for (and with it the
// calibration bootstrap) and the permutation repeats for tests whose
// assertions do not depend on how many there are: each replicate and
// repeat draws from its own seed, and every worker still gets several.
const lighterResampling = `
[metrics.bootstrap]
replicates = 200

[explain]
permutation_repeats = 2
`

// noResampling turns off, for tests that look at none of them, the metric
// and calibration bootstraps, reasons and permutation importance.
const noResampling = `
[metrics.bootstrap]
replicates = 0

[explain]
reasons = 0
permutation_repeats = 0
`

// TestRunByteIdentical runs the same spec with one and two cores and one and
// two workers: every result file except the manifest must not differ by a
// byte; in the reports, only the timings section (wall-clock seconds, as
// in the manifest) may differ.
func TestRunByteIdentical(t *testing.T) {
	base := t.TempDir()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var dirs []string
	for i, cfg := range []struct{ procs, workers int }{{1, 1}, {2, 2}, {2, 1}} {
		runtime.GOMAXPROCS(cfg.procs)
		s := smallSpec(t, ensembleAudit+lighterResampling)
		s.Experiment.Workers = cfg.workers
		dir := filepath.Join(base, "run", string(rune('a'+i)))
		runTo(t, s, dir)
		dirs = append(dirs, dir)
	}
	for _, name := range []string{"results.json", "predictions.csv", "metrics.csv", "fairness.csv", "risk_list.csv", "report.md", "report.html"} {
		first, err := os.ReadFile(filepath.Join(dirs[0], name))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dirs[1:] {
			got, err := os.ReadFile(filepath.Join(d, name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(withoutTimings(t, name, first), withoutTimings(t, name, got)) {
				t.Errorf("%s differs between %s and %s", name, dirs[0], d)
			}
		}
	}
}

// withoutTimings removes the timings section from a report (the last
// section of report.md; the section and its contents entry in
// report.html), failing the test when a report lacks it.
func withoutTimings(t *testing.T, name string, b []byte) []byte {
	t.Helper()
	s := string(b)
	switch name {
	case "report.md":
		i := strings.Index(s, "\n## How long it took\n")
		if i < 0 {
			t.Fatalf("report.md has no timings section")
		}
		return []byte(s[:i])
	case "report.html":
		i := strings.Index(s, `<section id="timings">`)
		j := strings.Index(s[max(i, 0):], "</section>")
		nav := `<li><a href="#timings">How long it took</a></li>`
		if i < 0 || j < 0 || !strings.Contains(s, nav) {
			t.Fatalf("report.html has no timings section")
		}
		return []byte(strings.Replace(s[:i]+s[i+j:], nav, "", 1))
	}
	return b
}

func TestRunResults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	// Reasons and permutation importance are checked; intervals are
	// TestUncertaintyInResults's.
	out := runTo(t, smallSpec(t, "\n[metrics.bootstrap]\nreplicates = 0\n"), dir)
	var run results.Run
	b, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &run); err != nil {
		t.Fatalf("results.json is not valid JSON: %v", err)
	}
	// 2 cutoffs x 1 split x 3 models.
	if len(run.Evaluations) != 6 {
		t.Fatalf("%d evaluations, want 6", len(run.Evaluations))
	}
	auc := map[string]float64{}
	for _, e := range run.Evaluations {
		if e.Cutoff == nil {
			t.Fatalf("evaluation without cutoff: %+v", e)
		}
		if e.Test.Rows == 0 || e.Train.Rows == 0 {
			t.Errorf("%s/%d: empty train or test set", e.Model, *e.Cutoff)
		}
		if e.Metrics.AUC == nil {
			t.Fatalf("%s/%d: AUC undefined", e.Model, *e.Cutoff)
		}
		if *e.Cutoff == 56 {
			auc[e.Model] = *e.Metrics.AUC
		}
		if e.Model == "missed" && (e.Metrics.Brier != nil || e.Metrics.Undefined["brier"] == "") {
			t.Errorf("rule model has Brier %v, want undefined with a reason", e.Metrics.Brier)
		}
	}
	// The synthetic data plants an engagement signal: the logistic model must
	// beat the base-rate model (AUC 0.5) and the one-feature rule.
	if auc["prior"] != 0.5 {
		t.Errorf("prior AUC = %v, want 0.5 (constant score)", auc["prior"])
	}
	if auc["lr"] < 0.75 || auc["lr"] <= auc["missed"] {
		t.Errorf("logistic AUC %.3f, rule AUC %.3f: want logistic >= 0.75 and above the rule", auc["lr"], auc["missed"])
	}
	// predictions.csv: a header plus one row per test student and model.
	p, err := os.ReadFile(filepath.Join(dir, "predictions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(p)), "\n")
	want := 0
	for _, e := range run.Evaluations {
		want += e.Test.Rows
	}
	if len(lines)-1 != want {
		t.Errorf("predictions.csv has %d rows, want %d", len(lines)-1, want)
	}
	if lines[0] != "dataset,cutoff,split,model,student,term,score,label,gender,disability,reason_1,reason_2,reason_3" {
		t.Errorf("predictions.csv header = %q", lines[0])
	}
	// Logistic rows carry reasons (features raising the score); rule and
	// prior models cannot split their scores and leave them empty.
	withReason := map[string]int{}
	for _, line := range lines[1:] {
		f := strings.Split(line, ",")
		if f[10] != "" {
			withReason[f[3]]++
			if !strings.Contains(f[10], "=") || !strings.Contains(f[10], "(+") {
				t.Fatalf("reason %q is not feature=value (+contribution)", f[10])
			}
		}
	}
	if withReason["lr"] == 0 || withReason["missed"] != 0 || withReason["prior"] != 0 {
		t.Errorf("rows with reasons per model %v: want some for lr only", withReason)
	}
	for _, e := range run.Evaluations {
		if e.Model == "lr" && (len(e.Importance) != len(e.Features.Columns) || e.Importance[0].Mean <= 0) {
			t.Errorf("lr permutation importance %+v: want one per column, the first positive", e.Importance)
		}
	}
	// Pseudonyms: 16 hex characters, never the synthetic ids.
	fields := strings.Split(lines[1], ",")
	if len(fields[4]) != 16 {
		t.Errorf("student key %q is not a 16-character pseudonym", fields[4])
	}
	if _, err := os.Stat(filepath.Join("..", ".git")); err == nil && len(out.Manifest.VCSRevision) != 40 {
		t.Errorf("manifest revision %q in a git checkout, want the 40-hex commit", out.Manifest.VCSRevision)
	}
	if out.Manifest.StartedAt != "2026-11-23T12:00:00Z" || len(out.Manifest.Inputs) != 7 {
		t.Errorf("manifest: started %q, %d inputs; want the fixed clock and the 7 OULAD tables", out.Manifest.StartedAt, len(out.Manifest.Inputs))
	}
}

func TestRunReplacesPreviousRunOnlyOnSuccess(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	runTo(t, smallSpec(t, noResampling), dir)
	before, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	// A rule on a column that does not exist fails after loading: the
	// previous run must survive untouched and no temporary directory remain.
	bad := smallSpec(t, noResampling)
	bad.Models[1].Params.(*ruleParams).Feature = "no_such_column"
	if _, err := Run(context.Background(), bad, RunOptions{Output: dir, Now: fixedNow}); err == nil || !strings.Contains(err.Error(), "no_such_column") {
		t.Fatalf("Run with a rule on a missing column: err = %v, want one naming the column", err)
	}
	after, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("a failed run changed the previous results (err %v)", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"." + filepath.Base(dir) + ".evalrun-lock", filepath.Base(dir)}; !slices.Equal(names, want) {
		t.Errorf("run parent holds %v, want only the run directory and its lock file %v", names, want)
	}
}

// csvSpec is an experiment on the small student table in testdata.
func csvSpec(t *testing.T, edit string) *Spec {
	t.Helper()
	s, err := ParseSpec("csv.toml", ".", []byte(csvSource()+edit))
	if err != nil {
		t.Fatalf("ParseSpec: %v", err)
	}
	return s
}

// csvSource is the spec text of csvSpec.
func csvSource() string {
	return `[experiment]
name = "csv"
seed = 3

[[datasets]]
name = "students"
kind = "csv"
path = "testdata/students.csv"
id = "student_id"
label = "dfw"
term = "term"
features = ["gpa", "credits", "major"]
categorical = ["major"]
groups = ["first_gen"]

[[models]]
name = "lr"
kind = "logistic"

[[splits]]
name = "by-term"
kind = "rolling"
terms = ["2021F", "2022S", "2022F", "2023S"]
min_train = 2
`
}

func TestRunCSVRollingSplits(t *testing.T) {
	out := runTo(t, csvSpec(t, ""), filepath.Join(t.TempDir(), "run"))
	var folds []string
	for _, e := range out.Results.Evaluations {
		folds = append(folds, e.Split)
		if e.Cutoff != nil {
			t.Errorf("csv evaluation has cutoff %d, want none", *e.Cutoff)
		}
		// gpa is missing in some rows: imputed with an indicator column.
		if !slices.Contains(e.Features.Columns, "gpa_missing") || !slices.Contains(e.Features.Columns, "major=Math") {
			t.Errorf("fold %s columns %v, want gpa_missing and one-hot major", e.Split, e.Features.Columns)
		}
	}
	if got := strings.Join(folds, " "); got != "by-term/2022F by-term/2023S" {
		t.Errorf("folds %q, want by-term/2022F by-term/2023S", got)
	}
}

func TestValidateDataProblems(t *testing.T) {
	syn := func(t *testing.T) *Spec { return smallSpec(t, "") }
	cases := []struct {
		name  string
		spec  func(t *testing.T) *Spec
		edit  func(s *Spec)
		wants []string
	}{
		{
			name:  "term no row has",
			spec:  syn,
			edit:  func(s *Spec) { s.Splits[0].Test = []string{"2014B", "2015J"} },
			wants: []string{`small.toml:30: splits[0].test: no row of dataset "syn" has term "2015J"`},
		},
		{
			name:  "missing feature column",
			spec:  syn,
			edit:  func(s *Spec) { s.Datasets[0].Features = []string{"missed", "shoe_size"} },
			wants: []string{`datasets[0].features: no column "shoe_size" in dataset "syn"`},
		},
		{
			name:  "missing group column",
			spec:  syn,
			edit:  func(s *Spec) { s.Datasets[0].Groups = []string{"gender", "star_sign"} },
			wants: []string{`datasets[0].groups: no categorical column "star_sign"`},
		},
		{
			name: "empty class in training set",
			spec: func(t *testing.T) *Spec { return csvSpec(t, "") },
			edit: func(s *Spec) { s.Datasets[0].Path = "testdata/one-class-early.csv" },
			wants: []string{
				`csv.toml:20: splits[0]: the training set of split "by-term/2022F" of dataset "students" has no positive (at-risk) rows`,
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := c.spec(t)
			c.edit(s)
			err := Validate(s)
			if err == nil {
				t.Fatalf("Validate accepted the spec; want %q", c.wants)
			}
			for _, w := range c.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q; got:\n%v", w, err)
				}
			}
		})
	}
}

// TestShortPseudonymKeyRefused: a pseudonym key shorter than 16 bytes is
// an error naming the variable, before anything is loaded or written.
func TestShortPseudonymKeyRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	_, err := Run(context.Background(), csvSpec(t, ""), RunOptions{Output: dir, Getenv: func(string) string { return "abc" }})
	if err == nil || !strings.Contains(err.Error(), "EVALRUN_PSEUDONYM_KEY (privacy.key_env): the pseudonym key is 3 bytes; it needs at least 16") {
		t.Fatalf("err = %v", err)
	}
	if _, statErr := os.Stat(filepath.Dir(dir)); statErr != nil {
		t.Fatal(statErr)
	}
	if entries, _ := os.ReadDir(filepath.Dir(dir)); len(entries) != 0 {
		t.Errorf("a refused run wrote %v", entries)
	}
	s := csvSpec(t, "")
	if _, err := Describe(s, func(string) string { return "short" }); err == nil || !strings.Contains(err.Error(), "5 bytes") {
		t.Errorf("describe with a short key: err = %v", err)
	}
}
