package harness

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/explain"
	"github.com/evalrun/evalrun/external"
	"github.com/evalrun/evalrun/features"
	"github.com/evalrun/evalrun/internal/workpool"
	"github.com/evalrun/evalrun/leakage"
	"github.com/evalrun/evalrun/metrics"
	"github.com/evalrun/evalrun/models"
	"github.com/evalrun/evalrun/results"
)

// TaskRand returns the random source of one task: a PCG seeded from the
// experiment seed and a stable task name, so a task draws the same numbers
// whatever else runs and in whatever order.
func TaskRand(seed uint64, task string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(task))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// evaluation is the work and result of one (dataset, cutoff, fold, model).
type evaluation struct {
	spec   *Spec
	seed   uint64
	data   *loadedDataset
	frame  *datasets.Frame
	fold   fold
	model  ModelSpec
	prep   *preparedFold
	result results.Evaluation
	// scores of the test rows kept by the encoder, in prep.testKept order.
	scores []float64
	// stderr is what a command model's program wrote, kept in the run.
	stderr []byte
	// reasons are the top reasons of each test row's score (nil when the
	// model cannot split its score into feature contributions).
	reasons [][]explain.Reason

	// train and test are the fold's rows as the model sees them (with
	// group labels for multilevel kinds).
	train, test models.Rows
	// grid, in a sharded run, holds the grid candidates computed as cells.
	grid *gridCells
	// inner, when set, keeps the grid's inner validation fold once
	// prepared, for the candidates and the evaluation to share.
	inner *innerMemo

	// timing holds the wall-clock seconds of each step, read from clock.
	timing results.ModelTiming
	// storedGridSeconds is what the grid candidates selectParams read from
	// a sharded run's cells took to compute; fitting counts them.
	storedGridSeconds float64
	// clock is RunOptions.Now (time.Now when nil): a run whose manifest
	// time is fixed (tests, byte-identical comparisons) gets fixed timings.
	clock func() time.Time
}

// now reads the evaluation's clock.
func (e *evaluation) now() time.Time {
	if e.clock == nil {
		return time.Now()
	}
	return e.clock()
}

// since returns the seconds from t0 to now on the evaluation's clock.
func (e *evaluation) since(t0 time.Time) float64 { return e.now().Sub(t0).Seconds() }

// preparedFold holds the encoded matrices of one fold, shared by its models.
type preparedFold struct {
	train, test         models.Rows
	trainY, testY       []uint8
	trainKept, testKept []int
	summary             results.FeatureSummary
	trainSet, testSet   results.SetSummary
	err                 error
	// testFrame is the frame test rows index: the fold's frame, or its
	// rows without an outcome for a scoring-only fold (scoringOnly).
	testFrame   *datasets.Frame
	scoringOnly bool
}

// prepareFold fits the feature encoder on the training rows and encodes both sets.
func prepareFold(ld *loadedDataset, f *datasets.Frame, fo fold) *preparedFold {
	p := &preparedFold{testFrame: f}
	if rows := scoringOnlyRows(ld, f, fo); rows != nil {
		p.testFrame, p.scoringOnly = unlabelledOf(ld, f), true
		fo.test = rows
	}
	numeric, notes := presentNumeric(f, fo.train, ld.numeric)
	spec := features.Spec{
		Numeric:     numeric,
		Categorical: ld.categorical,
		Missing:     features.MissingPolicy(ld.spec.Missing),
		Impute:      ld.spec.Impute,
	}
	enc, err := features.Fit(f, fo.train, spec)
	if err != nil {
		p.err = fmt.Errorf("features: %w", err)
		return p
	}
	xtr, keptTr, statTr, err := enc.Transform(f, fo.train)
	if err != nil {
		p.err = fmt.Errorf("encoding training rows: %w", err)
		return p
	}
	xte, keptTe, statTe, err := enc.Transform(p.testFrame, fo.test)
	if err != nil {
		p.err = fmt.Errorf("encoding test rows: %w", err)
		return p
	}
	p.trainKept, p.testKept = keptTr, keptTe
	p.train = rowsFor(f, xtr, keptTr)
	p.test = rowsFor(p.testFrame, xte, keptTe)
	p.trainY = labelsOf(f, keptTr)
	p.testY = labelsOf(p.testFrame, keptTe)
	p.trainSet = setSummary(p.trainY, len(fo.train)-len(keptTr))
	p.testSet = setSummary(p.testY, len(fo.test)-len(keptTe))
	desc := enc.Describe()
	p.summary = results.FeatureSummary{
		Columns:   xtr.Names,
		Encoding:  desc,
		TrainStat: statTr,
		TestStat:  statTe,
		Notes:     notes,
	}
	if len(p.trainY) > 0 {
		suspects, err := leakage.Screen(xtr, p.trainY, missingIndicators(desc), leakage.Options{})
		if err != nil {
			p.err = fmt.Errorf("leakage screen: %w", err)
			return p
		}
		p.summary.LeakageSuspects = suspects
	}
	return p
}

// missingIndicators names the columns of an encoding that are 1 where a
// feature is missing: numeric features' indicators and categorical
// features' missing level.
func missingIndicators(d features.Description) map[string]bool {
	out := map[string]bool{}
	for _, n := range d.Numeric {
		if n.Indicator != "" {
			out[n.Indicator] = true
		}
	}
	for _, c := range d.Categorical {
		for _, l := range c.Levels {
			if l == "" {
				out[c.Name+"=(missing)"] = true
			}
		}
	}
	return out
}

// presentNumeric returns the numeric features that have a value in at least
// one training row, and a note for each one left out. A feature can be
// wholly missing early in a term (no weighted assessment is due by day 14,
// so no submitted-weight fraction exists): there is nothing to learn from
// it and nothing to impute it with.
func presentNumeric(f *datasets.Frame, train []int, names []string) (kept, notes []string) {
	for _, name := range names {
		col, _ := f.NumericByName(name)
		present := false
		for _, i := range train {
			if !math.IsNaN(col.Values[i]) {
				present = true
				break
			}
		}
		if present {
			kept = append(kept, name)
		} else {
			notes = append(notes, fmt.Sprintf("feature %q has no value in any of the %d training rows; left out of this fold", name, len(train)))
		}
	}
	return kept, notes
}

func rowsFor(f *datasets.Frame, x *models.Matrix, kept []int) models.Rows {
	r := models.Rows{X: x, Keys: make([]string, len(kept)), Terms: make([]string, len(kept))}
	for j, i := range kept {
		r.Keys[j] = f.Keys[i]
		r.Terms[j] = f.Terms[i]
	}
	return r
}

func labelsOf(f *datasets.Frame, idx []int) []uint8 {
	y := make([]uint8, len(idx))
	for j, i := range idx {
		y[j] = f.Labels[i]
	}
	return y
}

func setSummary(y []uint8, dropped int) results.SetSummary {
	s := results.SetSummary{Rows: len(y), DroppedRows: dropped}
	for _, v := range y {
		s.Positives += int(v)
	}
	if len(y) > 0 {
		s.BaseRate = float64(s.Positives) / float64(len(y))
	}
	return s
}

// cutoffPtr returns the frame's cutoff for results, nil when it has none.
func cutoffPtr(f *datasets.Frame) *int {
	if f.Cutoff == datasets.NoCutoff {
		return nil
	}
	c := f.Cutoff
	return &c
}

// taskName is the stable name that seeds a task's randomness.
func (e *evaluation) taskName() string {
	return fmt.Sprintf("fit/dataset=%s/cutoff=%s/split=%s/model=%s", e.data.spec.Name, cutoffLabel(e.frame), e.fold.split, e.model.Name)
}

// cutoffKey is the cutoff as written in predictions files: "" for none.
func cutoffKey(f *datasets.Frame) string {
	if f.Cutoff == datasets.NoCutoff {
		return ""
	}
	return fmt.Sprint(f.Cutoff)
}

func cutoffLabel(f *datasets.Frame) string {
	if f.Cutoff == datasets.NoCutoff {
		return "none"
	}
	return fmt.Sprint(f.Cutoff)
}

// evaluate fits the model on the fold's training rows, chooses the threshold
// and scores the test rows.
func (e *evaluation) evaluate(ctx context.Context, seed uint64, policy metrics.ThresholdPolicy, predictions map[string]*external.PredictionsFile) error {
	where := fmt.Sprintf("dataset %q, cutoff %s, split %q, model %q", e.data.spec.Name, cutoffLabel(e.frame), e.fold.split, e.model.Name)
	if e.prep.err != nil {
		return fmt.Errorf("%s: %w", where, e.prep.err)
	}
	spec := e.model
	var selection *results.Selection
	t0 := e.now()
	if len(spec.candidates) > 0 {
		params, sel, err := e.selectParams(ctx, seed)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		spec.Params, selection = params, sel
	}
	m, err := buildModel(spec, buildContext{split: e.fold.split, cutoff: cutoffKey(e.frame), predictions: predictions})
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	if e.train, e.test, err = groupedRows(spec.Params, e.frame, e.prep); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	fitted, err := m.Fit(ctx, models.TrainingSet{Rows: e.train, Y: e.prep.trainY}, TaskRand(seed, e.taskName()))
	if err != nil {
		return fmt.Errorf("%s: fitting: %w", where, err)
	}
	e.timing.Fit = e.since(t0) + e.storedGridSeconds
	t0 = e.now()
	// Training scores are needed only by policies chosen on training
	// labels; models trained elsewhere may have none.
	var trainScores []float64
	if policy.UsesLabels() || e.spec.Metrics.Recalibrate != "" {
		trainScores, err = fitted.Predict(ctx, e.train)
		if err != nil {
			return fmt.Errorf("%s: scoring training rows (for the threshold policy %s or recalibration): %w", where, policy, err)
		}
	}
	testScores, err := fitted.Predict(ctx, e.test)
	e.timing.Predict = e.since(t0)
	if fc, ok := fitted.(*external.FittedCommand); ok {
		e.stderr = append([]byte(nil), fc.Stderr.Bytes()...)
	}
	if err != nil {
		return fmt.Errorf("%s: scoring test rows: %w", where, err)
	}
	if len(testScores) != len(e.prep.testY) {
		return fmt.Errorf("%s: model returned %d scores for %d test rows", where, len(testScores), len(e.prep.testY))
	}
	thr, err := policy.Threshold(e.prep.trainY, trainScores, testScores)
	if err != nil {
		return fmt.Errorf("%s: choosing the threshold: %w", where, err)
	}
	if e.prep.scoringOnly {
		// No outcome to evaluate against: keep the scores, the threshold
		// and each student's reasons.
		e.scores = testScores
		e.result = results.Evaluation{Dataset: e.data.spec.Name, Cutoff: cutoffPtr(e.frame), Split: e.fold.split,
			Model: e.model.Name, ModelKind: e.model.Kind, Threshold: thr, Fit: fitted.Summary(), Train: e.prep.trainSet}
		if err := e.explain(ctx, fitted, seed); err != nil {
			return fmt.Errorf("%s: explaining: %w", where, err)
		}
		return nil
	}
	report, err := metrics.Evaluate(e.prep.testY, testScores, thr)
	if err != nil {
		return fmt.Errorf("%s: evaluating: %w", where, err)
	}
	if modelKinds[e.model.Kind].scoresNotProbabilities {
		report.Brier, report.LogLoss = nil, nil
		if report.Undefined == nil {
			report.Undefined = map[string]string{}
		}
		const reason = "a rule model's scores rank students but are not probabilities"
		report.Undefined["brier"], report.Undefined["log_loss"] = reason, reason
	}
	e.scores = testScores
	e.result = results.Evaluation{
		Dataset:    e.data.spec.Name,
		Cutoff:     cutoffPtr(e.frame),
		Split:      e.fold.split,
		TrainTerms: e.fold.trainTerms,
		TestTerms:  e.fold.testTerms,
		Model:      e.model.Name,
		ModelKind:  e.model.Kind,
		Train:      e.prep.trainSet,
		Test:       e.prep.testSet,
		Features:   e.prep.summary,
		Threshold:  thr,
		Metrics:    report,
		Fit:        fitted.Summary(),
		Selection:  selection,
	}
	if g, ok := fitted.(interface{ PopulationLevelRows(models.Rows) int }); ok {
		n := g.PopulationLevelRows(e.test)
		e.result.PopulationLevelRows = &n
	}
	t0 = e.now()
	if err := e.addUncertainty(e.spec, trainScores, !modelKinds[e.model.Kind].scoresNotProbabilities); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	e.timing.Bootstrap = e.since(t0)
	t0 = e.now()
	if err := e.explain(ctx, fitted, seed); err != nil {
		return fmt.Errorf("%s: explaining: %w", where, err)
	}
	e.timing.Explain = e.since(t0)
	if e.spec.audited(e.model) {
		t0 = e.now()
		if err := e.audit(); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		e.timing.Audit = e.since(t0)
	}
	t0 = e.now()
	if err := e.addCurves(seed); err != nil {
		return fmt.Errorf("%s: curves: %w", where, err)
	}
	e.timing.Bootstrap += e.since(t0) // the ROC band is a bootstrap
	return nil
}

// explain adds permutation importance and each test student's top reasons.
func (e *evaluation) explain(ctx context.Context, fitted models.Fitted, seed uint64) error {
	ex := e.spec.Explain
	if k := ex.reasons(); k > 0 {
		if m, ok := fitted.(models.Explainer); ok {
			// Exact TreeSHAP costs about 4.4 CPU-ms per student for a
			// 300-tree forest: explain the highest-risk students first.
			limit := ex.reasonRows(e.model.Kind)
			idx := topScores(e.scores, limit)
			rows := e.test.Select(idx)
			top, err := explain.StudentReasons(ctx, m, rows, k)
			if err != nil {
				return err
			}
			explain.MarkOutsideTraining(top, e.train.X.Names, explain.TrainingRanges(e.train.X))
			e.reasons = make([][]explain.Reason, len(e.scores))
			for j, i := range idx {
				e.reasons[i] = top[j]
			}
			e.result.ReasonRows = len(idx)
		}
	}
	if r := ex.repeats(); r > 0 && e.prep.test.X.Cols > 0 && e.result.Metrics.AUC != nil {
		if !modelKinds[e.model.Kind].external {
			rng := TaskRand(seed, "permutation/"+e.taskName())
			rows, y := subsampleRows(e.test, e.prep.testY, ex.permutationRows(), rng)
			imp, err := explain.PermutationImportance(ctx, fitted, rows, y, r, rng)
			if err != nil {
				return err
			}
			e.result.Importance = imp
		}
	}
	return nil
}

// topScores returns the indexes of the n highest scores (all when there
// are fewer), ties broken by index, in increasing index order.
func topScores(scores []float64, n int) []int {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	if len(idx) > n {
		sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
		idx = idx[:n]
		sort.Ints(idx)
	}
	return idx
}

// subsampleRows returns at most n rows (all when there are fewer), drawn
// without replacement with rng and kept in their original order.
func subsampleRows(rows models.Rows, y []uint8, n int, rng *rand.Rand) (models.Rows, []uint8) {
	if rows.X.Rows <= n {
		return rows, y
	}
	idx := rng.Perm(rows.X.Rows)[:n]
	sort.Ints(idx)
	sy := make([]uint8, n)
	for j, i := range idx {
		sy[j] = y[i]
	}
	out := rows.Select(idx)
	return out, sy
}

// runEvaluations prepares every fold and runs every evaluation on up to
// workers goroutines. Results land in fixed slots, so their order and
// content do not depend on scheduling.
func runEvaluations(ctx context.Context, s *Spec, data []*loadedDataset, policy metrics.ThresholdPolicy, predictions map[string]*external.PredictionsFile, clock func() time.Time, progress func(done, total int, what string), log *slog.Logger) ([]*evaluation, error) {
	evals, preps, _ := enumerate(s, data)
	for _, e := range evals {
		e.clock = clock
	}
	workers := max(1, s.Experiment.Workers)
	if err := parallel(ctx, workers, len(preps), func(i int) error { preps[i](); return nil }); err != nil {
		return nil, err
	}
	// Grid candidates are tasks of their own, run beside the other
	// evaluations; an evaluation with a grid starts once its candidates are
	// done and reads their AUCs from their slots. The ready task with the
	// longest estimated chain of work starts first, so the last one to
	// finish does not start late while the other core idles; results land
	// in their slots whatever the order.
	var tasks []runTask
	pending := make([]int, len(evals))
	cands := make([][]gridSlot, len(evals))
	for k, e := range evals {
		// A candidate's priority is all the work of its evaluation (which
		// cannot start before every candidate is done), the longest
		// candidates first.
		rest, chain := e.restCost(), e.cost()
		if n := len(e.model.candidates); n > 0 {
			pending[k] = n
			cands[k] = make([]gridSlot, n)
			e.inner = &innerMemo{}
			slots := cands[k]
			e.grid = &gridCells{
				lookup: func(i int) (float64, float64, bool) {
					return slots[i].candidate.AUC, slots[i].seconds, slots[i].err == nil
				},
				store: func(int, results.Candidate, float64) error { return nil },
			}
			for i := range n {
				tasks = append(tasks, runTask{eval: k, grid: i, priority: chain + e.candidateCost(i)})
			}
		}
		tasks = append(tasks, runTask{eval: k, grid: -1, priority: rest})
	}
	var mu sync.Mutex
	done := 0
	// errs is indexed by evaluation, so the error reported is that of the
	// first evaluation in spec order that failed, whatever ran first.
	errs := make([]error, len(evals))
	runTasks(workers, tasks, pending, func(t runTask) {
		e := evals[t.eval]
		if err := ctx.Err(); err != nil {
			if t.grid >= 0 {
				cands[t.eval][t.grid].err = err
			} else {
				errs[t.eval] = err
			}
			return
		}
		start := time.Now()
		if t.grid >= 0 {
			// A failed candidate is left unstored: the evaluation fits it
			// again and reports the error as it would without the pool.
			slot := &cands[t.eval][t.grid]
			t0 := e.now()
			slot.err = fmt.Errorf("candidate %d not computed", t.grid)
			if inner, prep, err := e.innerValidation(); err == nil {
				slot.candidate, slot.err = e.gridCandidate(ctx, s.Experiment.Seed, inner, prep, t.grid)
			}
			slot.seconds = e.since(t0)
			return
		}
		if err := e.evaluate(ctx, s.Experiment.Seed, policy, predictions); err != nil {
			errs[t.eval] = err
			return
		}
		log.Debug("evaluated", "dataset", e.data.spec.Name, "cutoff", cutoffLabel(e.frame), "split", e.fold.split, "model", e.model.Name,
			"test_rows", e.result.Test.Rows, "seconds", time.Since(start).Seconds())
		mu.Lock()
		done++
		if progress != nil {
			progress(done, len(evals), e.taskName())
		}
		mu.Unlock()
	})
	if err := firstError(errs); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return evals, nil
}

// gridSlot is what a grid candidate's task leaves for its evaluation.
type gridSlot struct {
	candidate results.Candidate
	seconds   float64
	err       error
}

// parallel runs fn(0..n-1) on up to workers goroutines and returns the error
// of the lowest index that failed, so the reported error is deterministic.
// Unlike workpool.Run it goes on after a failure (a sharded run still
// writes its other cells, for a later resume); the tasks that start after
// ctx is done fail with its error.
func parallel(ctx context.Context, workers, n int, fn func(i int) error) error {
	errs := make([]error, n)
	workpool.For(n, workers, func(i int) {
		if err := ctx.Err(); err != nil {
			errs[i] = err
			return
		}
		errs[i] = fn(i)
	})
	return firstError(errs)
}

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
