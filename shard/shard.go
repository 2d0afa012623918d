// Package shard splits a run into cells that machines compute
// independently and collects them again: a plan (the cells, as sorted
// JSON lines), the choice of a shard's cells, the cell files written
// atomically into the plan directory, and the check that every cell is
// present and current before a merge.
//
// A cell is one unit of work the harness describes (an evaluation of one
// model on one fold of one dataset at one cutoff, or one grid candidate's
// inner validation). Its id is the SHA-256 of its canonical description
// and of the fingerprints of the inputs it reads, so a changed spec or
// changed data gives new ids and an old cell file is never taken for a
// current one. The package knows nothing of what a cell computes: its
// payload is opaque JSON, checked by its SHA-256.
//
// Layout of a plan directory (shared between machines as a mounted
// volume: any path every machine sees):
//
//	PLAN/plan.jsonl          one cell per line, sorted by Key
//	PLAN/cells/<id>.json     one file per computed cell
package shard

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Cell is one unit of work of a plan.
type Cell struct {
	// ID is the hex SHA-256 of the cell's canonical description (every
	// field below but ID and Key) followed by Inputs.
	ID string `json:"id"`
	// Key orders the plan: the position of the cell's dataset, cutoff,
	// fold and model in the spec, with a grid cell just before the model
	// cell that uses it.
	Key  string `json:"key"`
	Kind string `json:"kind"` // "evaluation" or "grid"
	// What the cell computes.
	Dataset    string         `json:"dataset"`
	Cutoff     *int           `json:"cutoff"`
	Split      string         `json:"split"`
	TrainTerms []string       `json:"train_terms"`
	TestTerms  []string       `json:"test_terms"`
	Model      string         `json:"model"`
	Candidate  *int           `json:"candidate,omitempty"`
	Params     map[string]any `json:"params,omitempty"`
	// Seed and Task are the experiment seed and the stable task name
	// every random draw of the cell derives from.
	Seed uint64 `json:"seed"`
	Task string `json:"task"`
	// SpecSHA256 is the digest of the spec; Inputs the fingerprint of the
	// data the cell reads (file digests, PostgreSQL result fingerprints).
	SpecSHA256 string `json:"spec_sha256"`
	Inputs     string `json:"inputs"`
}

// ComputeID returns the cell's id from its other fields.
func (c Cell) ComputeID() string {
	d := c
	d.ID, d.Key = "", ""
	b, err := json.Marshal(d)
	if err != nil {
		panic("shard: cell description: " + err.Error())
	}
	h := sha256.New()
	h.Write(b)
	h.Write([]byte{0})
	h.Write([]byte(c.Inputs))
	return hex.EncodeToString(h.Sum(nil))
}

// PlanFile is the name of the plan inside a plan directory.
const PlanFile = "plan.jsonl"

// CellsDir is the directory of cell files inside a plan directory.
const CellsDir = "cells"

// Sort orders cells by Key (then id).
func Sort(cells []Cell) {
	sort.Slice(cells, func(i, j int) bool {
		if cells[i].Key != cells[j].Key {
			return cells[i].Key < cells[j].Key
		}
		return cells[i].ID < cells[j].ID
	})
}

// EncodePlan returns the plan's JSON lines, cells sorted by Key.
func EncodePlan(cells []Cell) ([]byte, error) {
	sorted := append([]Cell(nil), cells...)
	Sort(sorted)
	var buf bytes.Buffer
	seen := map[string]bool{}
	for _, c := range sorted {
		if c.ID != c.ComputeID() {
			return nil, fmt.Errorf("shard: cell %s: id does not match its description", c.Key)
		}
		if seen[c.ID] {
			return nil, fmt.Errorf("shard: cell %s appears twice", c.ID)
		}
		seen[c.ID] = true
		b, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}

// CheckPlanDir reports, writing nothing, whether dir may hold a plan:
// nothing is there, an empty directory, or a plan directory (one holding
// PlanFile). Anything else (a file, a folder of other files) is an error
// naming the path: evalrun writes only into directories it made.
func CheckPlanDir(dir string) error {
	st, err := os.Lstat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("plan directory %s: %w", dir, err)
	case !st.IsDir():
		return fmt.Errorf("plan directory %s: exists and is not a directory; choose another -o", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, PlanFile)); err == nil {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("plan directory %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("plan directory %s: exists, is not empty and holds no %s: evalrun writes plans only into new, empty or plan directories; choose another -o", dir, PlanFile)
	}
	return nil
}

// WritePlan writes the plan file into dir (created when absent), keeping
// any cell files already there: a cell whose id is in the new plan is
// still current and is not computed again. dir must pass CheckPlanDir.
func WritePlan(dir string, cells []Cell) error {
	if err := CheckPlanDir(dir); err != nil {
		return err
	}
	b, err := EncodePlan(cells)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, CellsDir), 0o755); err != nil {
		return fmt.Errorf("plan directory: %w", err)
	}
	return WriteFileAtomic(filepath.Join(dir, PlanFile), b)
}

// ReadPlan reads the plan file of dir. Errors name the file and line.
func ReadPlan(dir string) ([]Cell, error) {
	path := filepath.Join(dir, PlanFile)
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no plan (write one with evalrun plan SPEC -o %s)", path, dir)
		}
		return nil, err
	}
	var cells []Cell
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	line := 0
	for sc.Scan() {
		line++
		var c Cell
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if c.ID != c.ComputeID() {
			return nil, fmt.Errorf("%s:%d: cell id %s does not match its description (edited by hand?)", path, line, c.ID)
		}
		cells = append(cells, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(cells) == 0 {
		return nil, fmt.Errorf("%s: empty plan", path)
	}
	return cells, nil
}

// Shard is one of Count parts of a plan: the cells at positions p (in
// plan order) with p mod Count == Index.
type Shard struct {
	Index, Count int
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Select returns the cells of the shard, in plan order.
func (s Shard) Select(cells []Cell) []Cell {
	var out []Cell
	for p, c := range cells {
		if p%s.Count == s.Index {
			out = append(out, c)
		}
	}
	return out
}

// Environment variables read by ParseShard("auto").
const (
	EnvJobIndex      = "JOB_COMPLETION_INDEX" // Kubernetes Indexed Job
	EnvSlurmTaskID   = "SLURM_ARRAY_TASK_ID"
	EnvSlurmTaskMin  = "SLURM_ARRAY_TASK_MIN"
	EnvSlurmTaskStep = "SLURM_ARRAY_TASK_STEP"
	EnvSlurmCount    = "SLURM_ARRAY_TASK_COUNT"
	// EnvShards gives the number of shards to "auto" where the scheduler
	// does not (a Kubernetes Job's completions).
	EnvShards = "EVALRUN_SHARDS"
)

// ParseShard reads "i/N" (0 <= i < N), "auto/N" or "auto". auto takes the
// index from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs) or from
// SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN (divided by
// SLURM_ARRAY_TASK_STEP when set; Slurm job arrays), and N, when not
// given, from EVALRUN_SHARDS or SLURM_ARRAY_TASK_COUNT.
func ParseShard(v string, getenv func(string) string) (Shard, error) {
	idx, count, ok := strings.Cut(v, "/")
	if idx != "auto" && !ok {
		return Shard{}, fmt.Errorf("--shard %q: want i/N (0 <= i < N), auto/N or auto", v)
	}
	var s Shard
	var err error
	if ok {
		if s.Count, err = strconv.Atoi(count); err != nil || s.Count < 1 {
			return Shard{}, fmt.Errorf("--shard %q: N must be a positive integer", v)
		}
	}
	if idx != "auto" {
		if s.Index, err = strconv.Atoi(idx); err != nil || s.Index < 0 || s.Index >= s.Count {
			return Shard{}, fmt.Errorf("--shard %q: i must be an integer from 0 to %d", v, s.Count-1)
		}
		return s, nil
	}
	env := func(name string) (int, bool, error) {
		t := strings.TrimSpace(getenv(name))
		if t == "" {
			return 0, false, nil
		}
		n, err := strconv.Atoi(t)
		if err != nil {
			return 0, true, fmt.Errorf("--shard auto: %s=%q is not an integer", name, t)
		}
		return n, true, nil
	}
	if n, set, err := env(EnvJobIndex); err != nil {
		return Shard{}, err
	} else if set {
		s.Index = n
	} else if id, set, err := env(EnvSlurmTaskID); err != nil {
		return Shard{}, err
	} else if set {
		lo, _, err := env(EnvSlurmTaskMin)
		if err != nil {
			return Shard{}, err
		}
		step, hasStep, err := env(EnvSlurmTaskStep)
		if err != nil {
			return Shard{}, err
		}
		if !hasStep || step < 1 {
			step = 1
		}
		s.Index = (id - lo) / step
	} else {
		return Shard{}, fmt.Errorf("--shard auto: neither %s (Kubernetes Indexed Job) nor %s (Slurm job array) is set", EnvJobIndex, EnvSlurmTaskID)
	}
	if !ok {
		for _, name := range []string{EnvShards, EnvSlurmCount} {
			n, set, err := env(name)
			if err != nil {
				return Shard{}, err
			}
			if set {
				s.Count = n
				break
			}
		}
		if s.Count < 1 {
			return Shard{}, fmt.Errorf("--shard auto: the number of shards is unknown: set %s (or %s in a Slurm array), or pass --shard auto/N", EnvShards, EnvSlurmCount)
		}
	}
	if s.Index < 0 || s.Index >= s.Count {
		return Shard{}, fmt.Errorf("--shard auto: index %d is outside 0..%d", s.Index, s.Count-1)
	}
	return s, nil
}
