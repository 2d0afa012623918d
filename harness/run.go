package harness

import (
	"github.com/evalrun/evalrun/discovery"

	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/explain"
	"github.com/evalrun/evalrun/internal/workpool"
	"github.com/evalrun/evalrun/metrics"
	"github.com/evalrun/evalrun/pilot"
	"github.com/evalrun/evalrun/pseudonym"
	"github.com/evalrun/evalrun/reports"
	"github.com/evalrun/evalrun/results"
	"github.com/evalrun/evalrun/rundir"
)

// RunOptions are the settings of one run that do not come from the spec.
type RunOptions struct {
	// Output overrides the spec's output directory when not empty.
	Output string
	// CommandLine is recorded in the manifest.
	CommandLine []string
	// Now returns the current time for the manifest (time.Now when nil).
	Now func() time.Time
	// Getenv reads the pseudonym key (os.Getenv when nil).
	Getenv func(string) string
	// AllowCommands is the --allow-commands consent: without it a spec
	// with command models is refused before anything runs.
	AllowCommands bool
	// Progress, when set, is called after each evaluation with the number
	// done and the total (serially, from any goroutine).
	Progress func(done, total int, what string)
	// Log receives structured log lines (nil: none).
	Log *slog.Logger

	// fromPlan, set by Merge, reads the evaluations from the cells of a
	// sharded run's plan directory instead of computing them.
	fromPlan string
	// Note, when set, is told at once what was done to the output
	// directory beyond writing it: leftovers of an interrupted run removed
	// or a previous run restored (see package rundir). The notes are also
	// in Outcome.Notes and the manifest.
	Note func(string)
}

// Outcome is what a finished run produced.
type Outcome struct {
	Dir      string
	Results  *results.Run
	Manifest *results.Manifest
	// ExitCode is what a deployment gate should exit with: 0, or
	// fairness.ExitFail when a fairness verdict failed, or
	// fairness.ExitInconclusive when one was inconclusive and the spec
	// sets fairness.fail_on_inconclusive.
	ExitCode int
	// Notes say what was done to the output directory beyond writing it
	// (package rundir).
	Notes []string
}

// Validate checks that the spec's output directory is absent or a run
// directory evalrun wrote (rundir.Check), then loads the spec's data and
// reports every problem that needs it: missing columns, terms no row has,
// training sets with one class. It fits nothing and writes nothing.
func Validate(s *Spec) error {
	if s.Experiment.Output != "" {
		if err := rundir.Check(s.Experiment.Output); err != nil {
			ps := &problems{spec: s}
			if _, given := s.lines["experiment.output"]; given {
				ps.add("experiment.output", "%v", err)
			} else {
				ps.add("experiment.name", "the default output runs/<name>: %v", err)
			}
			return ps.err()
		}
	}
	_, err := loadAndValidate(s)
	return err
}

func loadAndValidate(s *Spec) ([]*loadedDataset, error) {
	return loadAndValidateEnv(defaultSourceEnv(), s)
}

func loadAndValidateEnv(env sourceEnv, s *Spec) ([]*loadedDataset, error) {
	data, err := loadDatasets(env, s)
	if err != nil {
		return nil, err
	}
	ps := &problems{spec: s}
	validateData(s, data, ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return data, nil
}

// Run executes the experiment and writes its run directory through package
// rundir: before loading any data it takes the directory's lock, recovers
// the leftovers of an interrupted run and refuses an output that is not a
// run directory evalrun wrote; the files are written under a hidden name
// and exchanged with the previous run only when complete, so a failed or
// killed run leaves the previous one intact.
func Run(ctx context.Context, s *Spec, opts RunOptions) (*Outcome, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	started := now().UTC()
	if s.DescribeOnly() {
		return nil, fmt.Errorf("%s: the spec declares an event log but no [[models]] or [[splits]]: nothing to run; evalrun describe %s describes its event logs", s.File, s.File)
	}
	if cmds := commandModels(s); len(cmds) > 0 && !opts.AllowCommands {
		return nil, fmt.Errorf("%s: model %q runs a program (%s): pass --allow-commands to let this spec run programs on this machine", s.File, cmds[0].Name, strings.Join(cmds[0].Params.(*commandParams).Argv, " "))
	}
	if err := checkPseudonymKey(s, getenv); err != nil {
		return nil, err
	}
	wall := time.Now() // durations for logs; opts.Now may be a fixed clock
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	out := opts.Output
	if out == "" {
		out = s.Experiment.Output
	}
	w, err := rundir.Open(out, rundir.Options{Kind: "run", Command: opts.CommandLine})
	if err != nil {
		return nil, err
	}
	defer w.Close()
	notes := w.Notes()
	for _, n := range notes {
		log.Warn("output directory", "note", n)
		if opts.Note != nil {
			opts.Note(n)
		}
	}
	log.Info("loading data", "spec", s.File, "datasets", len(s.Datasets))
	env := sourceEnv{ctx: ctx, getenv: getenv}
	data, err := loadAndValidateEnv(env, s)
	if err != nil {
		return nil, err
	}
	for _, ld := range data {
		log.Info("loaded dataset", "dataset", ld.spec.Name, "kind", ld.spec.Kind, "cutoffs", len(ld.frames), "rows", ld.frames[0].Len(), "seconds", time.Since(wall).Seconds())
	}
	predictions, err := loadPredictionFiles(env, s)
	if err != nil {
		return nil, err
	}
	// Discovery analyses run before the models: their features (archetype
	// membership, centralities) may be model features.
	var discoveries []*discovery.Result
	if len(s.Analyses) > 0 {
		pseudo := func(k string) string { return k }
		if !s.Privacy.ShowIDs {
			pseudo = pseudonymMapper(s, getenv).Pseudonym
		}
		if discoveries, err = runAnalyses(s, data, pseudo); err != nil {
			return nil, err
		}
		for _, d := range discoveries {
			log.Info("ran analysis", "analysis", d.Name, "kind", d.Kind, "students", d.Students, "seconds", time.Since(wall).Seconds())
		}
		if err := addAnalysisFeatures(s, data, discoveries); err != nil {
			return nil, err
		}
	}
	policy := s.thresholdPolicy()
	var allEvals []*evaluation
	if opts.fromPlan != "" {
		allEvals, err = evaluationsFromPlan(ctx, s, data, opts.fromPlan)
	} else {
		allEvals, err = runEvaluations(ctx, s, data, policy, predictions, opts.Now, opts.Progress, log)
	}
	if err != nil {
		return nil, err
	}
	evals, scoringOnly := splitScoringOnly(allEvals)

	warnings := s.futureTrainingWarnings()
	var mapper *pseudonym.Mapper
	if !s.Privacy.ShowIDs {
		if getenv(s.Privacy.KeyEnv) == "" {
			warnings = append(warnings, fmt.Sprintf("%s unset: pseudonyms derive from the spec and can be recomputed", s.Privacy.KeyEnv))
		}
		mapper = pseudonymMapper(s, getenv)
	}

	run := &results.Run{
		FormatVersion:   results.FormatVersion,
		Experiment:      s.Experiment.Name,
		Description:     s.Experiment.Description,
		Seed:            s.Experiment.Seed,
		SpecSHA256:      s.SHA256,
		ThresholdPolicy: policy.String(),
		Pseudonymized:   mapper != nil,
		Warnings:        warnings,
	}
	for _, ld := range data {
		run.Datasets = append(run.Datasets, datasetSummary(ld))
	}
	logs, err := describeLogs(s, data, getenv)
	if err != nil {
		return nil, err
	}
	for _, l := range logs {
		l.Description.Students = nil // per-student rows stay out of results.json
		run.EventLogs = append(run.EventLogs, l)
	}
	run.Discoveries = discoveries
	for _, p := range s.Abtests {
		r, err := pilot.Run(p, s.Dir)
		if err != nil {
			return nil, fmt.Errorf("pilot %q: %w", p.Name, err)
		}
		run.Abtests = append(run.Abtests, r)
		log.Info("analysed pilot", "pilot", p.Name, "units", r.Inputs.Data.Rows)
	}
	for _, e := range evals {
		run.Evaluations = append(run.Evaluations, e.result)
		tm := e.timing
		tm.Dataset, tm.Cutoff, tm.Split, tm.Model = e.result.Dataset, e.result.Cutoff, e.result.Split, e.result.Model
		run.Timings = append(run.Timings, tm)
	}
	for _, e := range scoringOnly {
		run.ScoringOnly = append(run.ScoringOnly, e.scoringOnlyResult())
	}
	run.Comparisons, run.FoldComparisons, err = compareModels(s, evals)
	if err != nil {
		return nil, fmt.Errorf("comparing models: %w", err)
	}
	run.FairnessStatus = fairnessStatus(run)

	// results.json and predictions.csv encode while the reports render
	// (which spread their plots over the cores): all read the finished run.
	var (
		resultsJSON, predictionRows []byte
		jsonErr, predictionsErr     error
		rendered                    = make(chan struct{})
	)
	go func() {
		defer close(rendered)
		resultsJSON, jsonErr = marshalJSON(run)
		predictionRows, predictionsErr = predictionsCSV(data, allEvals, mapper, s.Explain.reasons())
	}()
	keyOf := func(id string) string { return id }
	if mapper != nil {
		keyOf = mapper.Pseudonym
	}
	extra, reportsErr := reports.RunFiles(run, riskList(s, evals, keyOf))
	<-rendered
	if jsonErr != nil {
		return nil, fmt.Errorf("encoding results.json: %w", jsonErr)
	}
	if predictionsErr != nil {
		return nil, fmt.Errorf("writing predictions.csv: %w", predictionsErr)
	}
	if reportsErr != nil {
		return nil, fmt.Errorf("rendering reports: %w", reportsErr)
	}
	files := []reports.File{
		{Name: "results.json", Data: resultsJSON},
		{Name: "predictions.csv", Data: predictionRows},
	}
	files = append(files, extra...)
	for _, e := range evals {
		if e.stderr != nil {
			name := fmt.Sprintf("commands/%s/%s-cutoff-%s-%s.stderr", e.model.Name, e.data.spec.Name, cutoffLabel(e.frame), strings.ReplaceAll(e.fold.split, "/", "_"))
			files = append(files, reports.File{Name: name, Data: e.stderr})
		}
	}
	manifest := &results.Manifest{
		Experiment:  s.Experiment.Name,
		SpecFile:    s.File,
		SpecSHA256:  s.SHA256,
		Seed:        s.Experiment.Seed,
		CommandLine: opts.CommandLine,
		GOMAXPROCS:  runtime.GOMAXPROCS(0),
		StartedAt:   started.Format(time.RFC3339),
		Warnings:    warnings,
		OutputNotes: notes,
	}
	fillBuildInfo(manifest)
	manifest.Timings = run.Timings
	for _, ld := range data {
		manifest.Inputs = append(manifest.Inputs, ld.frames[0].Report.Files...)
	}
	for _, r := range run.Abtests {
		manifest.Inputs = append(manifest.Inputs, datasets.FileInfo{Path: r.Inputs.Data.Path, SHA256: r.Inputs.Data.SHA256, Rows: r.Inputs.Data.Rows})
	}
	for _, f := range files {
		sum := sha256.Sum256(f.Data)
		manifest.Outputs = append(manifest.Outputs, datasets.FileInfo{Path: f.Name, SHA256: hex.EncodeToString(sum[:]), Rows: bytes.Count(f.Data, []byte("\n"))})
	}
	manifest.FinishedAt = now().UTC().Format(time.RFC3339)
	manifestJSON, err := marshalJSON(manifest)
	if err != nil {
		return nil, fmt.Errorf("encoding manifest.json: %w", err)
	}
	files = append(files, reports.File{Name: "manifest.json", Data: manifestJSON})

	if err := writeFiles(w, files); err != nil {
		return nil, err
	}
	for _, n := range w.Notes()[len(notes):] {
		log.Warn("output directory", "note", n)
		if opts.Note != nil {
			opts.Note(n)
		}
	}
	log.Info("run written", "dir", out, "evaluations", len(evals), "fairness_status", string(run.FairnessStatus), "seconds", time.Since(wall).Seconds())
	outcome := &Outcome{Dir: out, Results: run, Manifest: manifest, Notes: w.Notes()}
	if s.Fairness.gates() {
		outcome.ExitCode = run.FairnessStatus.ExitCode(s.Fairness.FailOnInconclusive)
	}
	return outcome, nil
}

// checkPseudonymKey refuses a pseudonym key that is set but too short to
// keep pseudonyms from being recomputed (commands call it before any
// work; an unset key is a warning in the results instead).
func checkPseudonymKey(s *Spec, getenv func(string) string) error {
	if s.Privacy.ShowIDs {
		return nil
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	if err := pseudonym.CheckKey([]byte(getenv(s.Privacy.KeyEnv))); err != nil {
		return fmt.Errorf("%s (privacy.key_env): %w", s.Privacy.KeyEnv, err)
	}
	return nil
}

// pseudonymMapper keys pseudonyms with the secret in the spec's key
// variable, or, without one, with a key derived from the spec.
func pseudonymMapper(s *Spec, getenv func(string) string) *pseudonym.Mapper {
	if getenv == nil {
		getenv = os.Getenv
	}
	key := getenv(s.Privacy.KeyEnv)
	if key == "" {
		key = fmt.Sprintf("evalrun/%s/%d", s.Experiment.Name, s.Experiment.Seed)
	}
	return pseudonym.New([]byte(key))
}

func (s *Spec) thresholdPolicy() metrics.ThresholdPolicy {
	t := s.Metrics.Threshold
	switch {
	case t.Value != nil:
		return metrics.ThresholdPolicy{Kind: "value", Value: *t.Value}
	case t.TopK != nil:
		return metrics.ThresholdPolicy{Kind: "top_k", K: *t.TopK}
	case t.TargetRecall != nil:
		return metrics.ThresholdPolicy{Kind: "target_recall", TargetRecall: *t.TargetRecall}
	case t.MaxF1 != nil:
		return metrics.ThresholdPolicy{Kind: "max_f1"}
	case t.MinCost != nil:
		return metrics.ThresholdPolicy{Kind: "min_cost", CostFN: t.MinCost.FalseNegative, CostFP: t.MinCost.FalsePositive}
	case t.TopFraction != nil:
		return metrics.ThresholdPolicy{Kind: "top_fraction", Fraction: *t.TopFraction}
	}
	return metrics.ThresholdPolicy{Kind: "top_fraction", Fraction: 0.3}
}

func datasetSummary(ld *loadedDataset) results.Dataset {
	d := results.Dataset{Name: ld.spec.Name, Kind: ld.spec.Kind, Positive: ld.spec.Positive}
	if d.Kind == "postgres" {
		// results.json holds the data model (a student table, as csv):
		// the same rows give the same results whatever their source;
		// manifest.json says where they came from.
		d.Kind = "csv"
	}
	if d.Positive == nil {
		d.Positive = []string{}
	}
	for _, f := range ld.frames {
		c := results.Cutoff{Day: cutoffPtr(f), Rows: f.Len(), Cleaning: f.Report.Cleaning, Notes: f.Report.Notes}
		byTerm := map[string]*results.TermCount{}
		for i, t := range f.Terms {
			tc := byTerm[t]
			if tc == nil {
				tc = &results.TermCount{Term: t}
				byTerm[t] = tc
			}
			tc.Rows++
			tc.Positives += int(f.Labels[i])
			c.Positives += int(f.Labels[i])
		}
		for _, t := range sortedTermKeys(byTerm) {
			c.Terms = append(c.Terms, *byTerm[t])
		}
		if c.Cleaning == nil {
			c.Cleaning = []datasets.CleaningCount{}
		}
		if k := len(d.Cutoffs); k < len(ld.unlabelled) {
			noOutcomeSummary(ld.unlabelled[k], &c)
		}
		d.Cutoffs = append(d.Cutoffs, c)
	}
	return d
}

func sortedTermKeys(m map[string]*results.TermCount) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// predictionsCSV writes one row per test student of every evaluation:
// dataset, cutoff, split, model, student (pseudonym unless the spec asks for
// identifiers), term, score, label and the dataset's group columns.
func predictionsCSV(data []*loadedDataset, evals []*evaluation, mapper *pseudonym.Mapper, reasons int) ([]byte, error) {
	var groupCols []string
	seen := map[string]bool{}
	for _, ld := range data {
		for _, g := range ld.spec.Groups {
			if !seen[g] {
				seen[g] = true
				groupCols = append(groupCols, g)
			}
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := append([]string{"dataset", "cutoff", "split", "model", "student", "term", "score", "label"}, groupCols...)
	for r := 1; r <= reasons; r++ {
		header = append(header, fmt.Sprintf("reason_%d", r))
	}
	if err := w.Write(header); err != nil {
		return nil, err
	}
	record := make([]string, len(header))
	for _, e := range evals {
		f := e.prep.testFrame
		cols := make([][]string, len(groupCols))
		for j, g := range groupCols {
			if c, ok := f.CategoricalByName(g); ok {
				cols[j] = c.Values
			}
		}
		cutoff := ""
		if f.Cutoff != datasets.NoCutoff {
			cutoff = strconv.Itoa(f.Cutoff)
		}
		for k, i := range e.prep.testKept {
			student := f.Students[i]
			if mapper != nil {
				student = mapper.Pseudonym(student)
			}
			record[0], record[1], record[2], record[3] = e.data.spec.Name, cutoff, e.fold.split, e.model.Name
			record[4], record[5] = student, f.Terms[i]
			record[6] = strconv.FormatFloat(e.scores[k], 'g', -1, 64)
			record[7] = ""
			if f.HasOutcome(i) {
				record[7] = strconv.Itoa(int(f.Labels[i]))
			}
			for j := range groupCols {
				record[8+j] = ""
				if cols[j] != nil {
					record[8+j] = cols[j][i]
				}
			}
			for r := 0; r < reasons; r++ {
				cell := ""
				if e.reasons != nil && r < len(e.reasons[k]) {
					cell = reasonText(e.reasons[k][r])
				}
				record[8+len(groupCols)+r] = cell
			}
			if err := w.Write(record); err != nil {
				return nil, err
			}
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// reasonText writes a reason as "feature=value (+contribution)", with
// "; outside training range min to max" inside the brackets when the
// value lies outside the feature's range on the training rows; a group's
// random intercept reads "column group: +contribution (random intercept)".
func reasonText(r explain.Reason) string {
	if r.IsGroupEffect() {
		return fmt.Sprintf("%s %s: %+.3f (random intercept)", r.Feature, r.Group, r.Contribution)
	}
	outside := ""
	if t := r.OutsideTraining; t != nil {
		outside = "; outside training range " + strconv.FormatFloat(t.Min, 'g', 6, 64) + " to " + strconv.FormatFloat(t.Max, 'g', 6, 64)
	}
	return fmt.Sprintf("%s=%s (+%s%s)", r.Feature, strconv.FormatFloat(r.Value, 'g', 6, 64), strconv.FormatFloat(r.Contribution, 'f', 3, 64), outside)
}

func marshalJSON(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func fillBuildInfo(m *results.Manifest) {
	m.GoVersion = runtime.Version()
	m.Version, m.VCSRevision = "unknown", "unknown"
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	m.Module = info.Main.Path
	if info.Main.Version != "" {
		m.Version = info.Main.Version
	}
	for _, st := range info.Settings {
		switch st.Key {
		case "vcs.revision":
			m.VCSRevision = st.Value
			m.VCSSource = "build info"
		case "vcs.modified":
			m.VCSModified = st.Value == "true"
		}
	}
	if m.VCSRevision == "unknown" {
		// `go run` and -buildvcs=false builds carry no revision: fall back
		// to the checkout of this module around the working directory.
		if rev, ok := gitHead(m.Module); ok {
			m.VCSRevision, m.VCSSource = rev, "git checkout of the working directory (build info has none)"
		}
	}
}

// gitHead returns the commit HEAD points to in the git checkout holding
// the working directory, when that checkout's go.mod declares module.
func gitHead(module string) (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil || !strings.HasPrefix(string(mod), "module "+module+"\n") {
		return "", false
	}
	gitDir, commonDir, ok := gitDirs(filepath.Join(dir, ".git"))
	if !ok {
		return "", false
	}
	head, err := os.ReadFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return "", false
	}
	ref, isRef := strings.CutPrefix(strings.TrimSpace(string(head)), "ref: ")
	if !isRef {
		return ref, ref != ""
	}
	if b, err := os.ReadFile(filepath.Join(commonDir, filepath.FromSlash(ref))); err == nil {
		return strings.TrimSpace(string(b)), true
	}
	packed, err := os.ReadFile(filepath.Join(commonDir, "packed-refs"))
	if err != nil {
		return "", false
	}
	for _, line := range strings.Split(string(packed), "\n") {
		if sha, name, ok := strings.Cut(line, " "); ok && name == ref {
			return sha, true
		}
	}
	return "", false
}

// gitDirs returns the git directory of a checkout whose .git entry is
// dotGit, and the common directory holding its refs. In a plain clone both
// are dotGit; in a linked worktree (`git worktree add`) dotGit is a file
// "gitdir: PATH" naming the worktree's own directory (HEAD), whose
// "commondir" file names the repository's directory (refs, packed-refs).
func gitDirs(dotGit string) (gitDir, commonDir string, ok bool) {
	st, err := os.Stat(dotGit)
	if err != nil {
		return "", "", false
	}
	if st.IsDir() {
		return dotGit, dotGit, true
	}
	b, err := os.ReadFile(dotGit)
	if err != nil {
		return "", "", false
	}
	gitDir, found := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir: ")
	if !found {
		return "", "", false
	}
	if !filepath.IsAbs(gitDir) {
		gitDir = filepath.Join(filepath.Dir(dotGit), gitDir)
	}
	commonDir = gitDir
	if c, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		commonDir = strings.TrimSpace(string(c))
		if !filepath.IsAbs(commonDir) {
			commonDir = filepath.Join(gitDir, commonDir)
		}
	}
	return gitDir, commonDir, true
}

// WriteDir writes files (slash-separated names) as the directory dir
// through package rundir: it refuses a dir evalrun did not write or another
// process is writing, and replaces an earlier directory atomically. What
// it did beyond writing (leftovers of an interrupted write removed) is
// printed to standard error.
//
// Deprecated: commands that compute before writing should call rundir.Open
// before computing, so that a refused output costs no computation, and
// report Writer.Notes themselves.
func WriteDir(dir string, files []reports.File) error {
	w, err := rundir.Open(dir, rundir.Options{Kind: "output"})
	if err != nil {
		return err
	}
	defer w.Close()
	for _, n := range w.Notes() {
		fmt.Fprintf(os.Stderr, "evalrun: %s\n", n)
	}
	return writeFiles(w, files)
}

// writeFiles writes files into w and commits it. The files are written
// (and flushed to disk, which is mostly waiting) by a few goroutines at
// once; the error returned is that of the first file in order that failed.
func writeFiles(w *rundir.Writer, files []reports.File) error {
	errs := make([]error, len(files))
	workpool.For(len(files), fileWriters, func(i int) {
		errs[i] = w.WriteFile(files[i].Name, files[i].Data)
	})
	if err := firstError(errs); err != nil {
		return err
	}
	return w.Commit()
}

// fileWriters is the number of files writeFiles writes at once.
const fileWriters = 8

// Version describes this build of evalrun in one line, from the same
// build information manifest.json records: the module version, the VCS
// revision (with "+modified" for a dirty checkout) and the Go version,
// e.g. "evalrun (devel) revision 1a2b3c4d5e6f go1.26.0".
func Version() string {
	var m results.Manifest
	fillBuildInfo(&m)
	rev := m.VCSRevision
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if m.VCSModified {
		rev += "+modified"
	}
	return fmt.Sprintf("evalrun %s revision %s %s", m.Version, rev, m.GoVersion)
}
