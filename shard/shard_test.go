package shard

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	cases := []struct {
		v       string
		getenv  func(string) string
		want    Shard
		wantErr string
	}{
		{"0/1", env(), Shard{0, 1}, ""},
		{"2/3", env(), Shard{2, 3}, ""},
		{"3/3", env(), Shard{}, "i must be an integer from 0 to 2"},
		{"-1/3", env(), Shard{}, "i must be an integer from 0 to 2"},
		{"1/0", env(), Shard{}, "N must be a positive integer"},
		{"1", env(), Shard{}, "want i/N"},
		{"auto", env("JOB_COMPLETION_INDEX", "2", "EVALRUN_SHARDS", "4"), Shard{2, 4}, ""},
		{"auto/5", env("JOB_COMPLETION_INDEX", "4"), Shard{4, 5}, ""},
		{"auto", env("JOB_COMPLETION_INDEX", "4", "EVALRUN_SHARDS", "4"), Shard{}, "index 4 is outside 0..3"},
		{"auto", env("SLURM_ARRAY_TASK_ID", "13", "SLURM_ARRAY_TASK_MIN", "10", "SLURM_ARRAY_TASK_COUNT", "8"), Shard{3, 8}, ""},
		{"auto", env("SLURM_ARRAY_TASK_ID", "14", "SLURM_ARRAY_TASK_MIN", "10", "SLURM_ARRAY_TASK_STEP", "2", "SLURM_ARRAY_TASK_COUNT", "3"), Shard{2, 3}, ""},
		{"auto", env(), Shard{}, "neither JOB_COMPLETION_INDEX"},
		{"auto", env("JOB_COMPLETION_INDEX", "1"), Shard{}, "the number of shards is unknown"},
		{"auto", env("JOB_COMPLETION_INDEX", "x", "EVALRUN_SHARDS", "2"), Shard{}, `JOB_COMPLETION_INDEX="x" is not an integer`},
	}
	for _, c := range cases {
		got, err := ParseShard(c.v, c.getenv)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%q: err = %v, want %q", c.v, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q = %v, %v; want %v", c.v, got, err, c.want)
		}
	}
}

func testCells(n int) []Cell {
	var cells []Cell
	for i := 0; i < n; i++ {
		c := Cell{Key: fmt.Sprintf("%03d", i), Kind: "evaluation", Dataset: "d", Split: "s", Model: string(rune('a' + i)), Inputs: "f"}
		c.ID = c.ComputeID()
		cells = append(cells, c)
	}
	return cells
}

func TestSelectCoversEveryCellOnce(t *testing.T) {
	cells := testCells(10)
	seen := map[string]int{}
	for i := 0; i < 3; i++ {
		for _, c := range (Shard{i, 3}).Select(cells) {
			seen[c.ID]++
		}
	}
	if len(seen) != 10 {
		t.Fatalf("%d cells selected, want 10", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("cell %s selected %d times", id, n)
		}
	}
}

func TestPlanAndCellFiles(t *testing.T) {
	dir := t.TempDir()
	cells := testCells(4)
	if err := WritePlan(dir, []Cell{cells[3], cells[1], cells[0], cells[2]}); err != nil {
		t.Fatal(err)
	}
	got, err := ReadPlan(dir)
	if err != nil || len(got) != 4 || got[0].ID != cells[0].ID || got[3].ID != cells[3].ID {
		t.Fatalf("ReadPlan: %v, %v", got, err)
	}
	if err := WriteCell(dir, cells[1], []byte(`{"x":1}`)); err != nil {
		t.Fatal(err)
	}
	if b, st, _ := ReadCell(dir, cells[1]); st != Current || string(b) != `{"x":1}` {
		t.Errorf("cell 1: %s %v", b, st)
	}
	// A cell file under another cell's name is stale.
	b, _ := os.ReadFile(CellPath(dir, cells[1].ID))
	os.WriteFile(CellPath(dir, cells[2].ID), b, 0o644)
	problems := Check(dir, got)
	if len(problems) != 3 || problems[1].Cell.ID != cells[2].ID || problems[1].Status != Stale || problems[0].Status != Missing {
		t.Errorf("problems %+v", problems)
	}
	// A payload edited in place is stale.
	os.WriteFile(CellPath(dir, cells[1].ID), []byte(strings.Replace(string(b), `{"x":1}`, `{"x":2}`, 1)), 0o644)
	if _, st, why := ReadCell(dir, cells[1]); st != Stale || !strings.Contains(why, "checksum") {
		t.Errorf("edited payload: %v %s", st, why)
	}
	// A plan line edited by hand is refused.
	pb, _ := os.ReadFile(filepath.Join(dir, PlanFile))
	os.WriteFile(filepath.Join(dir, PlanFile), []byte(strings.Replace(string(pb), `"model":"b"`, `"model":"z"`, 1)), 0o644)
	if _, err := ReadPlan(dir); err == nil || !strings.Contains(err.Error(), "plan.jsonl:2: cell id") {
		t.Errorf("edited plan: %v", err)
	}
}

// TestPlanDirMustBeEvalruns: a plan goes only into a new, empty or plan
// directory; a folder of other files or a file is refused and survives
// byte for byte.
func TestPlanDirMustBeEvalruns(t *testing.T) {
	cells := testCells(2)
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string)
		ok    bool
	}{
		{"absent", func(t *testing.T, dir string) {}, true},
		{"empty", func(t *testing.T, dir string) { os.Mkdir(dir, 0o755) }, true},
		{"a plan directory", func(t *testing.T, dir string) {
			if err := WritePlan(dir, cells); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"a thesis folder", func(t *testing.T, dir string) {
			os.Mkdir(dir, 0o755)
			os.WriteFile(filepath.Join(dir, "thesis.tex"), []byte("\\chapter{One}"), 0o644)
		}, false},
		{"a file", func(t *testing.T, dir string) { os.WriteFile(dir, []byte("notes"), 0o644) }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "plan")
			c.setup(t, dir)
			before := map[string]string{}
			filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					b, _ := os.ReadFile(p)
					before[p] = string(b)
				}
				return nil
			})
			err := WritePlan(dir, cells)
			if (err == nil) != c.ok || (!c.ok && !strings.Contains(err.Error(), dir)) {
				t.Fatalf("WritePlan: %v, want ok %v", err, c.ok)
			}
			if !c.ok {
				for p, want := range before {
					if b, err := os.ReadFile(p); err != nil || string(b) != want {
						t.Errorf("%s changed: %q %v", p, b, err)
					}
				}
				if _, err := os.Stat(filepath.Join(dir, CellsDir)); err == nil {
					t.Errorf("a refused plan created %s", CellsDir)
				}
			}
		})
	}
}
