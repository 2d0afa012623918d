package harness

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/evalrun/evalrun/explain"
	"github.com/evalrun/evalrun/fairness"
	"github.com/evalrun/evalrun/results"
	"github.com/evalrun/evalrun/shard"
)

// This file wires package shard to the runner: the cells of a spec, the
// computation of a shard's cells and the reading of every cell for a
// merge. A merge is Run with the evaluations read from the plan instead of
// computed, so the run directory it writes is the one Run writes.

// enumerate lists every evaluation of the spec in spec order (dataset,
// cutoff, fold, model) with, per evaluation, the preparation of its fold
// (one per fold, shared by the fold's models; run it once).
func enumerate(s *Spec, data []*loadedDataset) (evals []*evaluation, preps []func(), prepOf []int) {
	for _, ld := range data {
		for _, f := range ld.frames {
			for _, fo := range expandSplits(s, ld.spec.Name) {
				fo.train = rowsOf(f, fo.trainTerms)
				fo.test = rowsOf(f, fo.testTerms)
				prep := &preparedFold{}
				ld, f, fo := ld, f, fo
				preps = append(preps, func() { *prep = *prepareFold(ld, f, fo) })
				for _, m := range s.Models {
					evals = append(evals, &evaluation{spec: s, seed: s.Experiment.Seed, data: ld, frame: f, fold: fo, model: m, prep: prep})
					prepOf = append(prepOf, len(preps)-1)
				}
			}
		}
	}
	return evals, preps, prepOf
}

// inputsFingerprint is the SHA-256 of what the dataset's cells read: the
// digest and row count of every input (not its path, which differs
// between machines) and the digests of the predictions files.
func inputsFingerprint(s *Spec, ld *loadedDataset) (string, error) {
	h := sha256.New()
	for _, f := range ld.frames[0].Report.Files {
		fmt.Fprintf(h, "%s %d\n", f.SHA256, f.Rows)
	}
	for _, m := range s.Models {
		if p, ok := m.Params.(*predictionsParams); ok {
			sum, err := fileDigest(s.ResolvePath(p.Path))
			if err != nil {
				return "", fmt.Errorf("model %q: %w", m.Name, err)
			}
			fmt.Fprintf(h, "predictions %s %s\n", m.Name, sum)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// fileDigest returns the hex SHA-256 of a file's bytes.
func fileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// planCell is one cell and the evaluation it belongs to.
type planCell struct {
	cell shard.Cell
	eval int // index into the evaluations
	grid int // candidate index for a grid cell, -1 for the evaluation
}

// planCells returns the cells of the evaluations, in plan order: for each
// evaluation its grid candidates (tuned models), then the evaluation.
func planCells(s *Spec, evals []*evaluation) ([]planCell, error) {
	inputs := map[*loadedDataset]string{}
	var out []planCell
	for k, e := range evals {
		in, ok := inputs[e.data]
		if !ok {
			var err error
			if in, err = inputsFingerprint(s, e.data); err != nil {
				return nil, err
			}
			inputs[e.data] = in
		}
		base := shard.Cell{
			Dataset: e.data.spec.Name, Cutoff: cutoffPtr(e.frame), Split: e.fold.split,
			TrainTerms: e.fold.trainTerms, TestTerms: e.fold.testTerms, Model: e.model.Name,
			Seed: s.Experiment.Seed, SpecSHA256: s.SHA256, Inputs: in,
		}
		for i := range e.model.candidates {
			c := base
			c.Kind, c.Key, c.Task = "grid", fmt.Sprintf("%06d/g%04d", k, i), e.gridTaskName(i)
			c.Candidate, c.Params = &i, e.model.candidateValues[i]
			c.ID = c.ComputeID()
			out = append(out, planCell{cell: c, eval: k, grid: i})
		}
		c := base
		c.Kind, c.Key, c.Task = "evaluation", fmt.Sprintf("%06d/m", k), e.taskName()
		c.ID = c.ComputeID()
		out = append(out, planCell{cell: c, eval: k, grid: -1})
	}
	return out, nil
}

func cellsOf(pcs []planCell) []shard.Cell {
	out := make([]shard.Cell, len(pcs))
	for i, pc := range pcs {
		out[i] = pc.cell
	}
	return out
}

// evalPayload is a computed evaluation cell: what the run directory needs
// of an evaluation beyond the data every machine loads itself.
type evalPayload struct {
	Result   results.Evaluation `json:"result"`
	Scores   []float64          `json:"scores"`
	Reasons  [][]explain.Reason `json:"reasons"`
	Stderr   []byte             `json:"stderr"`
	TestKept []int              `json:"test_kept"`
	TrainSet results.SetSummary `json:"train_set"`
	// Timing is how long the cell's steps took (fitting includes the grid
	// candidates it read from their cells), for the merged manifest and
	// report. Cells written before it was stored have none: their
	// timings merge as zero.
	Timing *results.ModelTiming `json:"timing,omitempty"`
}

// gridPayload is a computed grid cell: the candidate's validation AUC and
// how long computing it took (absent, so zero, in cells written before).
type gridPayload struct {
	results.Candidate
	Seconds float64 `json:"seconds,omitempty"`
}

// PlanOutcome is what Plan wrote.
type PlanOutcome struct {
	Dir   string
	Cells []shard.Cell
	// Current counts the cells whose files already hold their result.
	Current int
}

// shardSetup loads what every sharded command needs: the data, the
// evaluations and the cells of the spec.
type shardSetup struct {
	data  []*loadedDataset
	evals []*evaluation
	preps []func()
	// prepOf maps an evaluation to its fold preparation.
	prepOf []int
	cells  []planCell
}

func setupShards(ctx context.Context, s *Spec, getenv func(string) string) (*shardSetup, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	data, err := loadAndValidateEnv(sourceEnv{ctx: ctx, getenv: getenv}, s)
	if err != nil {
		return nil, err
	}
	st := &shardSetup{data: data}
	st.evals, st.preps, st.prepOf = enumerate(s, data)
	if st.cells, err = planCells(s, st.evals); err != nil {
		return nil, err
	}
	return st, nil
}

// Plan loads the spec's data and writes the plan of its cells into dir
// (plan.jsonl, sorted JSON lines; cells/ for their results). Cell files
// already in dir are kept: those of unchanged cells stay current.
func Plan(ctx context.Context, s *Spec, dir string, opts RunOptions) (*PlanOutcome, error) {
	if err := shard.CheckPlanDir(dir); err != nil { // before loading any data
		return nil, err
	}
	st, err := setupShards(ctx, s, opts.Getenv)
	if err != nil {
		return nil, err
	}
	cells := cellsOf(st.cells)
	if err := shard.WritePlan(dir, cells); err != nil {
		return nil, err
	}
	if err := writePlanSpec(s, dir); err != nil {
		return nil, err
	}
	out := &PlanOutcome{Dir: dir, Cells: cells}
	out.Current = len(cells) - len(shard.Check(dir, cells))
	return out, nil
}

// checkPlan compares the plan in dir with the cells of the spec and data.
func checkPlan(s *Spec, dir string, cells []planCell) error {
	stored, err := shard.ReadPlan(dir)
	if err != nil {
		return err
	}
	same := len(stored) == len(cells)
	for i := 0; same && i < len(stored); i++ {
		same = stored[i].ID == cells[i].cell.ID
	}
	if !same {
		return fmt.Errorf("%s/%s is not the plan of %s and its data as they are now (the spec or the data changed since evalrun plan): write it again with evalrun plan %s -o %s", dir, shard.PlanFile, s.File, s.File, dir)
	}
	return nil
}

// ShardOutcome counts what RunShard did.
type ShardOutcome struct {
	Shard    shard.Shard
	Cells    int // cells of the shard
	Skipped  int // already current
	Computed int
}

// RunShard computes the cells of one shard of the plan in dir and writes
// each to dir/cells/<id>.json; cells already current are skipped, so a
// rerun or a duplicate worker repeats no work. The plan must be that of
// the spec and data as they are now.
func RunShard(ctx context.Context, s *Spec, dir string, sh shard.Shard, opts RunOptions) (*ShardOutcome, error) {
	if cmds := commandModels(s); len(cmds) > 0 && !opts.AllowCommands {
		return nil, fmt.Errorf("%s: model %q runs a program (%s): pass --allow-commands to let this spec run programs on this machine", s.File, cmds[0].Name, strings.Join(cmds[0].Params.(*commandParams).Argv, " "))
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	st, err := setupShards(ctx, s, getenv)
	if err != nil {
		return nil, err
	}
	if err := checkPlan(s, dir, st.cells); err != nil {
		return nil, err
	}
	predictions, err := loadPredictionFiles(sourceEnv{ctx: ctx, getenv: getenv}, s)
	if err != nil {
		return nil, err
	}
	policy := s.thresholdPolicy()
	var mine []planCell
	for p, pc := range st.cells {
		if p%sh.Count == sh.Index {
			mine = append(mine, pc)
		}
	}
	out := &ShardOutcome{Shard: sh, Cells: len(mine)}
	onces := make([]sync.Once, len(st.preps))
	prepare := func(k int) {
		j := st.prepOf[k]
		onces[j].Do(st.preps[j])
	}
	byEval := map[int][]planCell{}
	for _, pc := range st.cells {
		if pc.grid >= 0 {
			byEval[pc.eval] = append(byEval[pc.eval], pc)
		}
	}
	var mu sync.Mutex
	done := 0
	errs := make([]error, len(mine))
	workers := max(1, s.Experiment.Workers)
	err = parallel(ctx, workers, len(mine), func(i int) error {
		pc := mine[i]
		if _, status, _ := shard.ReadCell(dir, pc.cell); status == shard.Current {
			mu.Lock()
			out.Skipped++
			mu.Unlock()
			return nil
		}
		e := *st.evals[pc.eval] // a copy: grid and evaluation cells of one model may run at once
		e.grid = storedGrid(dir, byEval[pc.eval])
		e.clock = opts.Now // as in Run: a fixed clock gives fixed timings
		var payload []byte
		if pc.grid >= 0 {
			inner, prep, err := e.innerValidation()
			if err == nil {
				var c results.Candidate
				t0 := e.now()
				if c, err = e.gridCandidate(ctx, s.Experiment.Seed, inner, prep, pc.grid); err == nil {
					payload, err = json.Marshal(gridPayload{Candidate: c, Seconds: e.since(t0)})
				}
			}
			if err != nil {
				errs[i] = fmt.Errorf("cell %s: %w", pc.cell.ID, err)
				return nil
			}
		} else {
			prepare(pc.eval)
			if err := e.evaluate(ctx, s.Experiment.Seed, policy, predictions); err != nil {
				errs[i] = fmt.Errorf("cell %s: %w", pc.cell.ID, err)
				return nil
			}
			if payload, err = json.Marshal(evalPayload{Result: e.result, Scores: e.scores, Reasons: e.reasons, Stderr: e.stderr, TestKept: e.prep.testKept, TrainSet: e.prep.trainSet, Timing: &e.timing}); err != nil {
				errs[i] = fmt.Errorf("cell %s: encoding: %w", pc.cell.ID, err)
				return nil
			}
		}
		if err := shard.WriteCell(dir, pc.cell, payload); err != nil {
			errs[i] = err
			return nil
		}
		mu.Lock()
		out.Computed++
		done++
		if opts.Progress != nil {
			opts.Progress(done, len(mine), pc.cell.Task)
		}
		mu.Unlock()
		return nil
	})
	if err := firstError(errs); err != nil {
		return out, err
	}
	return out, err
}

// storedGrid gives an evaluation the grid candidates already computed as
// cells and writes those it computes itself.
func storedGrid(dir string, cells []planCell) *gridCells {
	if len(cells) == 0 {
		return nil
	}
	byIndex := map[int]shard.Cell{}
	for _, pc := range cells {
		byIndex[pc.grid] = pc.cell
	}
	return &gridCells{
		lookup: func(i int) (float64, float64, bool) {
			b, status, _ := shard.ReadCell(dir, byIndex[i])
			if status != shard.Current {
				return 0, 0, false
			}
			var c gridPayload
			if err := json.Unmarshal(b, &c); err != nil {
				return 0, 0, false
			}
			return c.AUC, c.Seconds, true
		},
		store: func(i int, c results.Candidate, seconds float64) error {
			b, err := json.Marshal(gridPayload{Candidate: c, Seconds: seconds})
			if err != nil {
				return err
			}
			return shard.WriteCell(dir, byIndex[i], b)
		},
	}
}

// evaluationsFromPlan reads every evaluation of the spec from the cells of
// the plan in dir, for a merge. Every cell must be present and current:
// otherwise the error lists those that are not and the command that
// computes them.
func evaluationsFromPlan(ctx context.Context, s *Spec, data []*loadedDataset, dir string) ([]*evaluation, error) {
	evals, _, _ := enumerate(s, data)
	cells, err := planCells(s, evals)
	if err != nil {
		return nil, err
	}
	if err := checkPlan(s, dir, cells); err != nil {
		return nil, err
	}
	// One read of every cell file, decoded on the spec's workers.
	payloads := make([][]byte, len(cells))
	statuses := make([]shard.Status, len(cells))
	whys := make([]string, len(cells))
	workers := max(1, s.Experiment.Workers)
	err = parallel(ctx, workers, len(cells), func(i int) error {
		payloads[i], statuses[i], whys[i] = shard.ReadCell(dir, cells[i].cell)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var problems []shard.Problem
	for i, st := range statuses {
		if st != shard.Current {
			problems = append(problems, shard.Problem{Cell: cells[i].cell, Status: st, Why: whys[i]})
		}
	}
	if len(problems) > 0 {
		return nil, &shard.IncompleteError{Dir: dir, Problems: problems,
			Rerun: fmt.Sprintf("evalrun run %s --plan %s --shard 0/1   (or rerun the failed shards with their --shard i/N)", s.File, dir)}
	}
	errs := make([]error, len(cells))
	err = parallel(ctx, workers, len(cells), func(i int) error {
		pc := cells[i]
		if pc.grid >= 0 {
			return nil
		}
		var p evalPayload
		if err := json.Unmarshal(payloads[i], &p); err != nil {
			errs[i] = fmt.Errorf("cell %s: %w", pc.cell.ID, err)
			return nil
		}
		fairness.RestoreReasons(&p.Result)
		e := evals[pc.eval]
		e.result, e.scores, e.reasons, e.stderr = p.Result, p.Scores, p.Reasons, p.Stderr
		if p.Timing != nil {
			e.timing = *p.Timing
		}
		prep := &preparedFold{testFrame: e.frame, testKept: p.TestKept, trainSet: p.TrainSet}
		if rows := scoringOnlyRows(e.data, e.frame, e.fold); rows != nil {
			prep.testFrame, prep.scoringOnly = unlabelledOf(e.data, e.frame), true
		}
		prep.testY = labelsOf(prep.testFrame, p.TestKept)
		e.prep = prep
		return nil
	})
	if err := firstError(errs); err != nil {
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	return evals, nil
}

// Merge writes the run directory of a sharded run from the cells of the
// plan in dir: byte-identical to the directory Run writes for the same
// spec, data and options, since everything that spans cells (model
// comparisons, Holm adjustment, fairness status, predictions, reports,
// manifest) is computed by the same code from the same evaluations.
func Merge(ctx context.Context, s *Spec, dir string, opts RunOptions) (*Outcome, error) {
	opts.fromPlan = dir
	return Run(ctx, s, opts)
}

// Files holding the planned spec in a plan directory, for evalrun merge.
const (
	planSpecFile   = "spec.toml"
	planSourceFile = "spec-source.json"
)

// planSpecSource says where the planned spec was read from.
type planSpecSource struct {
	File string `json:"file"`
	Dir  string `json:"dir"`
}

func writePlanSpec(s *Spec, dir string) error {
	b, err := os.ReadFile(s.File)
	if err != nil {
		return fmt.Errorf("plan: the spec must be a file: %w", err)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != s.SHA256 {
		return fmt.Errorf("plan: %s changed while it was planned", s.File)
	}
	abs, err := filepath.Abs(s.Dir)
	if err != nil {
		return err
	}
	src, _ := json.Marshal(planSpecSource{File: s.File, Dir: abs})
	if err := shard.WriteFileAtomic(filepath.Join(dir, planSpecFile), b); err != nil {
		return err
	}
	return shard.WriteFileAtomic(filepath.Join(dir, planSourceFile), append(src, '\n'))
}

// LoadPlanSpec reads the spec a plan directory was written for: its bytes
// as planned, named and resolved as they were (relative data paths from
// the planned spec's directory, which every machine must see at the same
// path).
func LoadPlanSpec(dir string) (*Spec, error) {
	b, err := os.ReadFile(filepath.Join(dir, planSpecFile))
	if err != nil {
		return nil, fmt.Errorf("%s: not a plan directory (write one with evalrun plan SPEC -o %s): %w", dir, dir, err)
	}
	var src planSpecSource
	sb, err := os.ReadFile(filepath.Join(dir, planSourceFile))
	if err == nil {
		err = json.Unmarshal(sb, &src)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", dir, planSourceFile, err)
	}
	return ParseSpec(src.File, src.Dir, b)
}
