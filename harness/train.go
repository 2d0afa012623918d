package harness

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/evalrun/evalrun/bundle"
	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/metrics"
	"github.com/evalrun/evalrun/models"
	"github.com/evalrun/evalrun/results"
	"github.com/evalrun/evalrun/rundir"
)

// TrainOptions are the settings of `evalrun train` that do not come from
// the spec.
type TrainOptions struct {
	// Model names the [[models]] entry to fit (default [deploy] model).
	Model string
	// Cutoff is the prediction day (default [deploy] cutoff, or the
	// dataset's only cutoff).
	Cutoff *int
	// Split takes that split's training terms instead of [deploy] train.
	Split string
	// Output is the bundle directory.
	Output      string
	CommandLine []string
	Now         func() time.Time
	Log         *slog.Logger
}

// TrainOutcome is what Train wrote.
type TrainOutcome struct {
	Dir    string
	Bundle *bundle.Bundle
	// Evaluations are the temporal evaluations of the same settings the
	// model card reports.
	Evaluations []results.Evaluation
	Notes       []string
}

// trainTarget is the model, dataset and cutoff a bundle is trained for.
type trainTarget struct {
	model   ModelSpec
	dataset Dataset
	cutoff  *int
}

// resolveTrainTarget finds the model, dataset and cutoff, with errors that
// name the flag or the [deploy] key.
func resolveTrainTarget(s *Spec, opts TrainOptions) (trainTarget, error) {
	var t trainTarget
	name := opts.Model
	if name == "" {
		name = s.Deploy.Model
	}
	if name == "" {
		return t, fmt.Errorf("%s: no model to train: pass --model NAME or set deploy.model (models: %s)", s.File, strings.Join(modelNames(s), ", "))
	}
	i := slices.IndexFunc(s.Models, func(m ModelSpec) bool { return m.Name == name })
	if i < 0 {
		return t, fmt.Errorf("%s: --model %q: no such model (models: %s)", s.File, name, strings.Join(modelNames(s), ", "))
	}
	t.model = s.Models[i]
	if modelKinds[t.model.Kind].external {
		return t, fmt.Errorf("%s:%d: model %q of kind %q is scored outside evalrun: there are no fitted parameters to bundle", s.File, s.lines.line(fmt.Sprintf("models[%d]", i)), name, t.model.Kind)
	}
	var tables []Dataset
	for _, d := range s.Datasets {
		if d.Kind != "events" && (s.Deploy.Dataset == "" || d.Name == s.Deploy.Dataset) {
			tables = append(tables, d)
		}
	}
	if len(tables) != 1 {
		return t, fmt.Errorf("%s: %d student-table datasets: set deploy.dataset to the one to train on", s.File, len(tables))
	}
	t.dataset = tables[0]
	cutoff := opts.Cutoff
	if cutoff == nil {
		cutoff = s.Deploy.Cutoff
	}
	days := t.dataset.CutoffDays
	if len(days) == 0 {
		for _, d := range s.Datasets {
			if d.Kind == "events" && d.Join == t.dataset.Name {
				days = d.CutoffDays
			}
		}
	}
	switch {
	case cutoff != nil && len(days) == 0:
		return t, fmt.Errorf("%s: --cutoff %d: dataset %q has no cutoff days (a table already as of its prediction point)", s.File, *cutoff, t.dataset.Name)
	case cutoff != nil && !slices.Contains(days, *cutoff):
		return t, fmt.Errorf("%s: --cutoff %d: dataset %q has cutoff days %v", s.File, *cutoff, t.dataset.Name, days)
	case cutoff == nil && len(days) > 1:
		return t, fmt.Errorf("%s: dataset %q has cutoff days %v: pass --cutoff DAY or set deploy.cutoff", s.File, t.dataset.Name, days)
	case cutoff == nil && len(days) == 1:
		c := days[0]
		cutoff = &c
	}
	t.cutoff = cutoff
	if opts.Split != "" && !slices.ContainsFunc(expandSplits(s, t.dataset.Name), func(f fold) bool { return f.split == opts.Split }) {
		return t, fmt.Errorf("%s: --split %q: no split (or rolling fold) of that name applies to dataset %q", s.File, opts.Split, t.dataset.Name)
	}
	return t, nil
}

func modelNames(s *Spec) []string {
	var out []string
	for _, m := range s.Models {
		out = append(out, m.Name)
	}
	return out
}

// Train fits one model of the spec for deployment and writes its bundle:
// on the [deploy] training terms (default: every term with outcomes) or,
// with Split, on that split's training terms, exactly as the run fits it
// there (so the bundle scores that split's test students byte for byte as
// the run did). The model card reports the temporal evaluations of the
// same model, dataset and cutoff, run here.
func Train(ctx context.Context, s *Spec, opts TrainOptions) (*TrainOutcome, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	target, err := resolveTrainTarget(s, opts)
	if err != nil {
		return nil, err
	}
	if opts.Output == "" {
		return nil, fmt.Errorf("train: no output directory (-o BUNDLE)")
	}
	w, err := rundir.Open(opts.Output, rundir.Options{Kind: "bundle", Command: opts.CommandLine})
	if err != nil {
		return nil, err
	}
	defer w.Close()
	data, err := loadAndValidate(s)
	if err != nil {
		return nil, err
	}
	var ld *loadedDataset
	for _, d := range data {
		if d.spec.Name == target.dataset.Name {
			ld = d
		}
	}
	if ld == nil {
		return nil, fmt.Errorf("train: dataset %q was not loaded", target.dataset.Name)
	}
	// One frame: the cutoff's.
	one := *ld
	one.frames, one.unlabelled = nil, nil
	for i, f := range ld.frames {
		if (target.cutoff == nil && f.Cutoff == datasets.NoCutoff) || (target.cutoff != nil && f.Cutoff == *target.cutoff) {
			one.frames = append(one.frames, f)
			one.unlabelled = append(one.unlabelled, ld.unlabelled[i])
		}
	}
	if len(one.frames) != 1 {
		return nil, fmt.Errorf("train: dataset %q has no frame at the cutoff", target.dataset.Name)
	}
	f := one.frames[0]
	only := *s
	only.Models = []ModelSpec{target.model}
	policy := s.thresholdPolicy()
	log.Info("evaluating", "model", target.model.Name, "dataset", target.dataset.Name)
	evals, err := runEvaluations(ctx, &only, []*loadedDataset{&one}, policy, nil, nil, nil, log)
	if err != nil {
		return nil, err
	}
	evaluated, _ := splitScoringOnly(evals)
	var card []results.Evaluation
	for _, e := range evaluated {
		card = append(card, e.result)
	}

	// The deployment fit.
	var fo fold
	var ref *evaluation // the split's evaluation (--split)
	if opts.Split != "" {
		for _, e := range evals {
			if e.fold.split == opts.Split {
				ref = e
			}
		}
		fo = ref.fold
	} else {
		terms := s.Deploy.Train
		if len(terms) == 0 {
			terms = labelledTerms(f)
		}
		for _, t := range terms {
			if len(rowsOf(f, []string{t})) == 0 {
				return nil, fmt.Errorf("%s:%d: deploy.train: no student of term %q of dataset %q has an outcome", s.File, s.lines.line("deploy.train"), t, target.dataset.Name)
			}
		}
		fo = fold{split: "deploy", trainTerms: terms}
		fo.train = rowsOf(f, terms)
	}
	prep := prepareFold(&one, f, fo)
	if opts.Split != "" {
		prep = ref.prep
	}
	if prep.err != nil {
		return nil, fmt.Errorf("train: %w", prep.err)
	}
	e := &evaluation{spec: &only, seed: s.Experiment.Seed, data: &one, frame: f, fold: fo, model: target.model, prep: prep}
	fitted, selection, err := e.fit(ctx)
	if err != nil {
		return nil, err
	}
	persistent, ok := fitted.(models.Persistent)
	if !ok {
		return nil, fmt.Errorf("train: model kind %q cannot be bundled (its fitted parameters cannot be written)", target.model.Kind)
	}
	params, err := persistent.MarshalFitted()
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	trainScores, err := fitted.Predict(ctx, e.train)
	if err != nil {
		return nil, fmt.Errorf("train: scoring the training rows: %w", err)
	}

	// The threshold and bands.
	var threshold bundle.Threshold
	var reference []float64
	switch {
	case ref != nil:
		threshold = bundle.Threshold{Policy: policy.String(), Score: ref.result.Threshold,
			ResolvedOn: fmt.Sprintf("as in the run's evaluation of split %s (%s)", opts.Split, policyBasis(policy, "its test students' scores"))}
		reference = ref.scores
	case policy.UsesLabels():
		thr, err := policy.Threshold(prep.trainY, trainScores, trainScores)
		if err != nil {
			return nil, fmt.Errorf("train: threshold: %w", err)
		}
		threshold = bundle.Threshold{Policy: policy.String(), Score: thr, ResolvedOn: "the training students' labels and scores"}
		reference = trainScores
	default:
		latest := fo.trainTerms[len(fo.trainTerms)-1]
		for _, t := range fo.trainTerms {
			if t > latest {
				latest = t
			}
		}
		for k, term := range prep.train.Terms {
			if term == latest {
				reference = append(reference, trainScores[k])
			}
		}
		thr, err := policy.Threshold(nil, nil, reference)
		if err != nil {
			return nil, fmt.Errorf("train: threshold: %w", err)
		}
		threshold = bundle.Threshold{Policy: policy.String(), Score: thr,
			ResolvedOn: fmt.Sprintf("the scores of the %d training students of the latest training term %s, a cohort like the one scored", len(reference), latest)}
	}
	bands := riskBands(threshold.Score, reference, s.Deploy.mediumFraction())

	var recal *bundle.Recalibration
	if s.Metrics.Recalibrate != "" {
		r, err := metrics.FitRecalibration(s.Metrics.Recalibrate, prep.trainY, trainScores)
		if err != nil {
			return nil, fmt.Errorf("train: recalibration: %w", err)
		}
		recal = bundle.NewRecalibration(r)
	}
	enc := prep.summary.Encoding
	var numeric, categorical []string
	for _, n := range enc.Numeric {
		numeric = append(numeric, n.Name)
	}
	for _, c := range enc.Categorical {
		categorical = append(categorical, c.Name)
	}
	schema, err := bundle.DescribeFeatures(f, prep.trainKept, numeric, categorical)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	// The ranking of the evaluations the card reports; with --split, of
	// that split's evaluation, whose fit is the bundle's.
	rankFrom := card
	if ref != nil {
		rankFrom = []results.Evaluation{ref.result}
	}
	ranking, err := bundle.RankFeatures(schema, rankFrom)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	var mf results.Manifest
	fillBuildInfo(&mf)
	sum := results.SetSummary{}
	for _, y := range prep.trainY {
		sum.Positives += int(y)
	}
	var selected map[string]any
	if selection != nil {
		selected = selection.Chosen
	}
	model := bundle.Model{
		FormatVersion: bundle.FormatVersion,
		Evalrun:       bundle.Build{Module: mf.Module, Version: mf.Version, VCSRevision: mf.VCSRevision, GoVersion: mf.GoVersion},
		Name:          target.model.Name, Kind: params.Kind, Experiment: s.Experiment.Name, Seed: s.Experiment.Seed,
		Dataset:   bundleDataset(s, target.dataset, numeric, categorical),
		CutoffDay: target.cutoff,
		Outcome:   outcomeOf(target.dataset),
		Training: bundle.Training{Terms: fo.trainTerms, Rows: len(prep.trainY), Positives: sum.Positives, Split: opts.Split,
			Selected: selected, Summary: fitted.Summary()},
		Encoder: enc, Schema: schema, Scores: bundle.DescribeScores(trainScores), Ranking: ranking, Fitted: params, Recalibration: recal,
		Threshold: threshold, Bands: bands, Reasons: s.Explain.reasons(),
		Fingerprints: bundle.Fingerprints{SpecFile: s.File, SpecSHA256: s.SHA256, Inputs: f.Report.Files},
	}
	var owners []bundle.Owner
	if s.Deploy.Owner != "" {
		owners = append(owners, bundle.Owner{Name: s.Deploy.Owner, Contact: s.Deploy.Contact})
	}
	fp := sha256.Sum256(params.Params)
	c := bundle.NewModelCard(bundle.CardInput{Model: &model, Evaluations: card, Description: s.Experiment.Description,
		Date: now().UTC().Format("2006-01-02"), Version: hex.EncodeToString(fp[:6]), Owners: owners,
		ScoreCommand: "evalrun score BUNDLE --data CURRENT-TERM-DATA -o SCORES"})
	b, err := bundle.New(model, c)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	files, err := b.Files()
	if err != nil {
		return nil, err
	}
	for _, file := range files {
		if err := w.WriteFile(file.Name, file.Data); err != nil {
			return nil, err
		}
	}
	if err := w.Commit(); err != nil {
		return nil, err
	}
	log.Info("bundle written", "dir", opts.Output, "model", target.model.Name, "train_rows", len(prep.trainY))
	return &TrainOutcome{Dir: opts.Output, Bundle: b, Evaluations: card, Notes: w.Notes()}, nil
}

// fit builds and fits the evaluation's model exactly as evaluate does
// (grid selection, then the fit with the task's seed).
func (e *evaluation) fit(ctx context.Context) (models.Fitted, *results.Selection, error) {
	spec := e.model
	var selection *results.Selection
	if len(spec.candidates) > 0 {
		params, sel, err := e.selectParams(ctx, e.seed)
		if err != nil {
			return nil, nil, err
		}
		spec.Params, selection = params, sel
	}
	m, err := buildModel(spec, buildContext{split: e.fold.split, cutoff: cutoffKey(e.frame)})
	if err != nil {
		return nil, nil, err
	}
	if e.train, e.test, err = groupedRows(spec.Params, e.frame, e.prep); err != nil {
		return nil, nil, err
	}
	fitted, err := m.Fit(ctx, models.TrainingSet{Rows: e.train, Y: e.prep.trainY}, TaskRand(e.seed, e.taskName()))
	if err != nil {
		return nil, nil, fmt.Errorf("fitting %q: %w", e.model.Name, err)
	}
	return fitted, selection, nil
}

func policyBasis(p metrics.ThresholdPolicy, scored string) string {
	if p.UsesLabels() {
		return "chosen on the training students' labels and scores"
	}
	if p.Kind == metrics.PolicyValue {
		return "a fixed score"
	}
	return "capacity applied to " + scored
}

// riskBands returns high (flagged: score >= threshold), medium (the next
// mediumFraction of the reference students by rank) and low.
func riskBands(threshold float64, reference []float64, mediumFraction float64) []bundle.Band {
	hi := threshold
	sorted := slices.Clone(reference)
	sort.Sort(sort.Reverse(sort.Float64Slice(sorted)))
	flagged := 0
	for _, v := range sorted {
		if v >= threshold {
			flagged++
		}
	}
	mid := threshold
	if k := flagged + int(math.Ceil(mediumFraction*float64(len(sorted)))); k > flagged && len(sorted) > 0 {
		mid = sorted[min(k, len(sorted))-1]
	}
	bands := []bundle.Band{{Name: "high", MinScore: &hi, Meaning: fmt.Sprintf("flagged: score %.4g or more", hi)}}
	if mid < hi {
		bands = append(bands, bundle.Band{Name: "medium", MinScore: &mid,
			Meaning: fmt.Sprintf("score %.4g to %.4g, the next %.0f%% of students by rank when the threshold was resolved", mid, hi, 100*mediumFraction)})
	}
	return append(bands, bundle.Band{Name: "low", Meaning: "every other student"})
}

// labelledTerms lists the terms with at least one outcome, sorted.
func labelledTerms(f *datasets.Frame) []string {
	seen := map[string]bool{}
	for _, t := range f.Terms {
		seen[t] = true
	}
	return sortedKeys(seen)
}

func bundleDataset(s *Spec, d Dataset, numeric, categorical []string) bundle.Dataset {
	out := bundle.Dataset{Name: d.Name, Kind: d.Kind, Numeric: numeric, Categorical: categorical, Groups: d.Groups,
		IDColumn: d.ID, LabelColumn: d.Label, TermColumn: d.Term, CourseColumn: d.Course}
	if d.Kind != "csv" {
		out.Clicks = d.ClicksEnabled()
	}
	for _, e := range s.Datasets {
		if e.Kind == "events" && e.Join == d.Name {
			out.Events = append(out.Events, e.Name)
		}
	}
	return out
}

func outcomeOf(d Dataset) bundle.Outcome {
	col := "final_result"
	if d.Kind == "csv" {
		col = d.Label
	}
	if len(d.Positive) == 0 {
		return bundle.Outcome{Positive: []string{}, Description: fmt.Sprintf("the at-risk outcome (%s = 1)", col)}
	}
	return bundle.Outcome{Positive: d.Positive, Description: fmt.Sprintf("%s %s", col, strings.Join(d.Positive, " or "))}
}
