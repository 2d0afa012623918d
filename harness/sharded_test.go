package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/evalrun/evalrun/results"

	"github.com/evalrun/evalrun/shard"
)

// shardedSpec covers what crosses cells: rolling folds, a tuned model
// (grid cells), a forest, the baseline comparisons with Holm and a
// fairness audit.
const shardedSpec = `
[[models]]
name = "tuned"
kind = "logistic"
[models.grid]
C = [0.1, 1.0]

[[models]]
name = "rf"
kind = "random_forest"
n_trees = 15
min_samples_leaf = 5

[metrics.bootstrap]
replicates = 200

[fairness]
attributes = ["first_gen"]
models = ["lr"]
replicates = 100
permutations = 100

[[fairness.thresholds]]
metric = "fnr_difference"
max = 0.1
`

// readTree returns every file under dir by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestShardedRunMatchesSingleMachine plans the spec, runs it as three
// shards of which one is stopped after its first cell, checks that the
// merge refuses the incomplete plan naming the missing cells and the
// rerun command, reruns the stopped shard (computing only what it lacks),
// merges, and compares every file of the run directory byte for byte with
// a single-machine run of the same spec.
func TestShardedRunMatchesSingleMachine(t *testing.T) {
	base := t.TempDir()
	opts := RunOptions{Now: fixedNow, Getenv: func(string) string { return "test-key-of-16-bytes" }}
	ctx := context.Background()

	specFile := filepath.Join(base, "csv.toml")
	os.WriteFile(specFile, []byte(strings.ReplaceAll(csvSource()+shardedSpec, `"testdata/`, `"`+mustAbs(t, "testdata")+`/`)), 0o644)
	load := func() *Spec {
		s, err := LoadSpecFile(specFile)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	single := opts
	single.Output = filepath.Join(base, "single")
	if _, err := Run(ctx, load(), single); err != nil {
		t.Fatal(err)
	}

	plan := filepath.Join(base, "plan")
	planned := load()
	po, err := Plan(ctx, planned, plan, opts)
	if err != nil {
		t.Fatal(err)
	}
	grids := 0
	for _, c := range po.Cells {
		if c.Kind == "grid" {
			grids++
		}
	}
	// 2 folds x 3 models, plus 2 grid candidates of "tuned" per fold.
	if len(po.Cells) != 10 || grids != 4 || po.Current != 0 {
		t.Fatalf("plan: %d cells, %d grid cells, %d current", len(po.Cells), grids, po.Current)
	}

	// The killed shard runs first, so that its grid cells are not all
	// computed by the other shards' tuned evaluations before it starts.
	for _, i := range []int{1, 0, 2} {
		sh := shard.Shard{Index: i, Count: 3}
		o := opts
		sctx := ctx
		if i == 1 {
			// Killed midway: the context ends after the shard's first cell.
			c, cancel := context.WithCancel(ctx)
			defer cancel()
			sctx = c
			o.Progress = func(done, total int, what string) {
				if done == 1 {
					cancel()
				}
			}
			s := load()
			s.Experiment.Workers = 1
			out, err := RunShard(sctx, s, plan, sh, o)
			if !errors.Is(err, context.Canceled) || out.Computed != 1 {
				t.Fatalf("killed shard: %+v, %v", out, err)
			}
			continue
		}
		if _, err := RunShard(sctx, load(), plan, sh, o); err != nil {
			t.Fatal(err)
		}
	}

	merged := opts
	merged.Output = filepath.Join(base, "merged")
	_, err = Merge(ctx, load(), plan, merged)
	var inc *shard.IncompleteError
	if !errors.As(err, &inc) || len(inc.Problems) == 0 || !strings.Contains(err.Error(), "--plan "+plan+" --shard 0/1") {
		t.Fatalf("merge of an incomplete plan: %v", err)
	}
	if _, err := os.Stat(merged.Output); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an incomplete merge wrote %s", merged.Output)
	}

	out, err := RunShard(ctx, load(), plan, shard.Shard{Index: 1, Count: 3}, opts)
	if err != nil || out.Skipped < 1 || out.Computed != len(inc.Problems) {
		t.Fatalf("rerun of the killed shard: %+v (missing %d), %v", out, len(inc.Problems), err)
	}
	fromPlan, err := LoadPlanSpec(plan)
	if err != nil || fromPlan.SHA256 != planned.SHA256 || fromPlan.File != specFile {
		t.Fatalf("spec of the plan: %v, %+v", err, fromPlan)
	}
	if _, err := Merge(ctx, fromPlan, plan, merged); err != nil {
		t.Fatal(err)
	}

	want, got := readTree(t, single.Output), readTree(t, merged.Output)
	if len(want) < 5 || len(got) != len(want) {
		t.Errorf("single run has %d files, merged %d", len(want), len(got))
	}
	for name, b := range want {
		if !bytes.Equal(got[name], b) {
			t.Errorf("%s differs between the single-machine run and the merge", name)
		}
	}

	// A damaged cell is stale: the merge names it.
	cells, _ := shard.ReadPlan(plan)
	path := shard.CellPath(plan, cells[0].ID)
	b, _ := os.ReadFile(path)
	os.WriteFile(path, b[:len(b)/2], 0o644)
	_, err = Merge(ctx, load(), plan, merged)
	if err == nil || !strings.Contains(err.Error(), cells[0].ID) || !strings.Contains(err.Error(), "stale") {
		t.Errorf("merge with a damaged cell: %v", err)
	}

	// Another spec does not match the plan.
	_, err = RunShard(ctx, csvSpec(t, shardedSpec+"\n[[models]]\nname = \"p\"\nkind = \"prior\"\n"), plan, shard.Shard{Index: 0, Count: 1}, opts)
	if err == nil || !strings.Contains(err.Error(), "is not the plan of") {
		t.Errorf("run with a stale plan: %v", err)
	}
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestShardedEventsMatchesSingleMachine covers what the first case does
// not: an event log joined to the table (one frame per cutoff of the log)
// and a prior model; two shards, merged, against a single-machine run.
func TestShardedEventsMatchesSingleMachine(t *testing.T) {
	base := t.TempDir()
	opts := RunOptions{Now: fixedNow, Getenv: func(string) string { return "test-key-of-16-bytes" }}
	ctx := context.Background()
	specFile := filepath.Join(base, "events.toml")
	src := strings.ReplaceAll(csvSource()+eventsSpec+"\n[[models]]\nname = \"base\"\nkind = \"prior\"\n"+lighterResampling, `"testdata/`, `"`+mustAbs(t, "testdata")+`/`)
	os.WriteFile(specFile, []byte(src), 0o644)
	load := func() *Spec {
		s, err := LoadSpecFile(specFile)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	single := opts
	single.Output = filepath.Join(base, "single")
	if _, err := Run(ctx, load(), single); err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(base, "plan")
	if _, err := Plan(ctx, load(), plan, opts); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := RunShard(ctx, load(), plan, shard.Shard{Index: i, Count: 2}, opts); err != nil {
			t.Fatal(err)
		}
	}
	merged := opts
	merged.Output = filepath.Join(base, "merged")
	s, err := LoadPlanSpec(plan)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Merge(ctx, s, plan, merged)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Results.Evaluations) != 8 || out.Results.Evaluations[0].Cutoff == nil {
		t.Errorf("merged %d evaluations, want 2 cutoffs x 2 folds x 2 models", len(out.Results.Evaluations))
	}
	want, got := readTree(t, single.Output), readTree(t, merged.Output)
	if len(got) != len(want) {
		t.Errorf("single run has %d files, merged %d", len(want), len(got))
	}
	for name, b := range want {
		if !bytes.Equal(got[name], b) {
			t.Errorf("%s differs between the single-machine run and the merge", name)
		}
	}
}

// TestMergedRunShowsTheShardsTimings: each cell stores how long its steps
// took, and the merge puts those timings, not its own, in manifest.json and
// the report. A clock that advances one second per reading, with one
// worker running the plan's cells in order (a grid cell just before the
// evaluation that uses it), makes every step take a known number of
// "seconds": one per timed step, and fitting "tuned" one more per grid
// candidate read from its cell.
func TestMergedRunShowsTheShardsTimings(t *testing.T) {
	base := t.TempDir()
	specFile := filepath.Join(base, "csv.toml")
	spec := csvSource() + "\n[[models]]\nname = \"tuned\"\nkind = \"logistic\"\n[models.grid]\nC = [0.1, 1.0, 10.0]\n"
	os.WriteFile(specFile, []byte(strings.ReplaceAll(spec, `"testdata/`, `"`+mustAbs(t, "testdata")+`/`)), 0o644)
	load := func() *Spec {
		s, err := LoadSpecFile(specFile)
		if err != nil {
			t.Fatal(err)
		}
		s.Experiment.Workers = 1
		return s
	}
	var mu sync.Mutex
	tick := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	ticking := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		tick = tick.Add(time.Second)
		return tick
	}
	opts := RunOptions{Now: ticking, Getenv: func(string) string { return "test-key-of-16-bytes" }}
	ctx := context.Background()
	plan := filepath.Join(base, "plan")
	if _, err := Plan(ctx, load(), plan, opts); err != nil {
		t.Fatal(err)
	}
	if _, err := RunShard(ctx, load(), plan, shard.Shard{Index: 0, Count: 1}, opts); err != nil {
		t.Fatal(err)
	}
	merged := opts
	merged.Output = filepath.Join(base, "merged")
	if _, err := Merge(ctx, load(), plan, merged); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(merged.Output, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest results.Manifest
	if err := json.Unmarshal(b, &manifest); err != nil {
		t.Fatal(err)
	}
	// 2 folds x 2 models.
	if len(manifest.Timings) != 4 {
		t.Fatalf("merged manifest has %d timings, want 4: %+v", len(manifest.Timings), manifest.Timings)
	}
	for _, tm := range manifest.Timings {
		wantFit := 1.0
		if tm.Model == "tuned" {
			wantFit = 1 + 3 // its own fit, and one second for each grid cell
		}
		if tm.Fit != wantFit || tm.Predict != 1 || tm.Bootstrap < 1 {
			t.Errorf("%s %s: fit %g s, predict %g s, bootstrap %g s; want fit %g s, predict 1 s, bootstrap >= 1 s", tm.Split, tm.Model, tm.Fit, tm.Predict, tm.Bootstrap, wantFit)
		}
	}
	report, err := os.ReadFile(filepath.Join(merged.Output, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(report, []byte("How long it took"))
	if i < 0 {
		t.Fatal("report.md has no timings section")
	}
	if section := string(report[i:]); strings.Contains(section, "<0.001") || !strings.Contains(section, "| 4 |") {
		t.Errorf("the report's timings are not the cells':\n%s", section)
	}
}
