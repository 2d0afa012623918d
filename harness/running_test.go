package harness

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/evalrun/evalrun/synth"
)

// runningTermOULAD writes synthetic OULAD tables to a temporary directory
// and blanks final_result for every student of the running terms, as an
// institution's export during the term looks. It returns the directory and
// the number of students left without an outcome per term. Tests only read
// the directory, so each data set is written once per test binary (several
// tests use the same one) and removed when the tests end.
func runningTermOULAD(t testing.TB, students int, seed uint64, running ...string) (string, map[string]int) {
	t.Helper()
	key := fmt.Sprintf("%d/%d/%s", students, seed, strings.Join(running, ","))
	sharedRunning.Lock()
	defer sharedRunning.Unlock()
	if d, ok := sharedRunning.sets[key]; ok {
		return d.dir, maps.Clone(d.blanked)
	}
	dir, err := os.MkdirTemp("", "evalrun-running-")
	if err != nil {
		t.Fatal(err)
	}
	sharedRunning.dirs = append(sharedRunning.dirs, dir)
	if _, err := synth.WriteOULAD(dir, synth.OULADConfig{Students: students, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "studentInfo.csv")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	blanked := map[string]int{}
	for _, r := range recs[1:] {
		for _, term := range running {
			if r[1] == term {
				r[len(r)-1] = ""
				blanked[term]++
			}
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.WriteAll(recs)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if sharedRunning.sets == nil {
		sharedRunning.sets = map[string]runningSet{}
	}
	sharedRunning.sets[key] = runningSet{dir, blanked}
	return dir, maps.Clone(blanked)
}

type runningSet struct {
	dir     string
	blanked map[string]int
}

// sharedRunning holds the data sets runningTermOULAD wrote; TestMain
// removes their directories.
var sharedRunning struct {
	sync.Mutex
	sets map[string]runningSet
	dirs []string
}

func removeSharedRunning() {
	for _, d := range sharedRunning.dirs {
		os.RemoveAll(d)
	}
}

// runningSpec is a spec over runningTermOULAD data: an evaluation split
// with outcomes and a "current" split whose test term has none.
func runningSpec(t testing.TB, dir, models string) *Spec {
	t.Helper()
	spec := fmt.Sprintf(`[experiment]
name = "running"
seed = 7

[[datasets]]
name = "oulad"
kind = "oulad"
path = %q
clicks = false
cutoff_days = [28]
positive = ["Fail", "Withdrawn"]
groups = ["gender"]
features = ["due_by_cutoff", "submitted", "missed", "mean_score", "late_submissions", "studied_credits", "num_of_prev_attempts", "age_band"]

%s

[[splits]]
name = "evaluate"
kind = "temporal"
train = ["2013B", "2013J"]
test = ["2014B"]

[[splits]]
name = "current"
kind = "temporal"
train = ["2013B", "2013J", "2014B"]
test = ["2014J"]

[explain]
permutation_repeats = 0
`, dir, models)
	s, err := ParseSpec("running.toml", dir, []byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestScoringOnlySplit: students of a term without outcomes are counted
// and named, never trained or evaluated on, and the split testing on that
// term scores them instead of failing.
func TestScoringOnlySplit(t *testing.T) {
	dir, blanked := runningTermOULAD(t, 3000, 5, "2014J")
	// Counts and flags are checked, no intervals.
	s := runningSpec(t, dir, "[[models]]\nname = \"lr\"\nkind = \"logistic\"\n\n[metrics.bootstrap]\nreplicates = 0\n")
	out, err := Run(context.Background(), s, RunOptions{Output: filepath.Join(t.TempDir(), "run"), Now: fixedNow, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Results
	if len(r.Evaluations) != 1 || r.Evaluations[0].Split != "evaluate" {
		t.Fatalf("evaluations %d (want only split evaluate)", len(r.Evaluations))
	}
	if len(r.ScoringOnly) != 1 {
		t.Fatalf("scoring-only %+v, want the split current", r.ScoringOnly)
	}
	so := r.ScoringOnly[0]
	c := r.Datasets[0].Cutoffs[0]
	if so.Split != "current" || so.Students == 0 || so.Students != c.NoOutcome || so.Flagged == 0 || so.Flagged >= so.Students {
		t.Errorf("scoring-only %+v, %d without outcome", so, c.NoOutcome)
	}
	// Students who withdrew before day 28 are not in the frame, so the
	// count is at most the blanked rows.
	if c.NoOutcome == 0 || c.NoOutcome > blanked["2014J"] {
		t.Errorf("no_outcome %d, blanked %d", c.NoOutcome, blanked["2014J"])
	}
	note := fmt.Sprintf("%d students of 2014J have no outcome yet", c.NoOutcome)
	if !strings.Contains(strings.Join(c.Notes, "\n"), note) {
		t.Errorf("notes %q lack %q", c.Notes, note)
	}
	for _, tc := range c.Terms {
		if tc.Term == "2014J" && (tc.Rows != 0 || tc.NoOutcome != c.NoOutcome) {
			t.Errorf("term 2014J counted %+v", tc)
		}
	}
	pred, err := os.ReadFile(filepath.Join(out.Dir, "predictions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := csv.NewReader(bytes.NewReader(pred)).ReadAll()
	var current, empty int
	for _, rec := range recs[1:] {
		if rec[2] == "current" {
			current++
			if rec[7] == "" && rec[5] == "2014J" {
				empty++
			}
		}
	}
	if current != so.Students || empty != current {
		t.Errorf("predictions.csv has %d rows of split current, %d with an empty label; want %d", current, empty, so.Students)
	}
	// A term without outcomes cannot train.
	bad := runningSpec(t, dir, "[[models]]\nname = \"lr\"\nkind = \"logistic\"\n")
	bad.Splits[0].Train = []string{"2014J"}
	bad.Splits[0].Test = []string{"2014B"}
	if err := Validate(bad); err == nil || !strings.Contains(err.Error(), `no student of term "2014J" of dataset "oulad" has an outcome yet`) {
		t.Errorf("training on a term without outcomes: %v", err)
	}
}
