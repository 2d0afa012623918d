package harness

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/evalrun/evalrun/bundle"
	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/pseudonym"
	"github.com/evalrun/evalrun/reports"
	"github.com/evalrun/evalrun/results"
	"github.com/evalrun/evalrun/rundir"
	"github.com/evalrun/evalrun/scoring"
)

// ScoreOptions are the settings of `evalrun score`.
type ScoreOptions struct {
	// Bundle is the bundle directory.
	Bundle string
	// Spec loads the data through the spec's dataset (events joins
	// included); Data is a CSV file or OULAD directory read with the
	// bundle's dataset definition instead. Exactly one is set.
	Spec *Spec
	Data string
	// Terms are the terms whose students are scored (default: the terms
	// with students whose outcome is not known yet; an error when every
	// student has an outcome).
	Terms []string
	// AsOfDay, when set, must equal the bundle's cutoff day.
	AsOfDay *int
	// Output is the scoring directory.
	Output string
	// Previous is last week's scoring directory.
	Previous string
	// Rise is the rise of risk that raises an alert (nil: [deploy]
	// alert_rise of the spec, else AlertRiseDefault).
	Rise *float64
	// XAPI adds alerts.jsonl, its statements built on XAPIHomePage and
	// XAPIActivityBase (score --xapi-home-page, --xapi-activity-base;
	// nil: the spec's [deploy] xapi_home_page and xapi_activity_base).
	// XAPI without both is an error, and so is either without XAPI.
	XAPI                           bool
	XAPIHomePage, XAPIActivityBase *string
	// IDsFile, when set, receives the real identifiers beside their
	// pseudonyms, in a new file readable by its owner only.
	IDsFile     string
	CommandLine []string
	Now         func() time.Time
	Getenv      func(string) string
}

// ScoreOutcome is what Score wrote.
type ScoreOutcome struct {
	Dir     string
	Scoring *results.Scoring
	Notes   []string
}

// Score loads a bundle, builds the current students' features as of the
// bundle's cutoff through the same dataset kind, scores them and writes
// the scoring directory (scoring.json, risk_list.csv, alerts.csv,
// report.html, optionally alerts.jsonl), and the ids file when asked.
func Score(ctx context.Context, opts ScoreOptions) (*ScoreOutcome, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if (opts.Spec == nil) == (opts.Data == "") {
		return nil, fmt.Errorf("score: give exactly one of --spec and --data")
	}
	if opts.Output == "" {
		return nil, fmt.Errorf("score: no output directory (-o DIR)")
	}
	xapi, err := scoreXAPIOptions(opts)
	if err != nil {
		return nil, err
	}
	b, err := bundle.Load(opts.Bundle)
	if err != nil {
		return nil, err
	}
	m := &b.Model
	modelPath := filepath.Join(opts.Bundle, bundle.ModelFile)
	if opts.AsOfDay != nil {
		switch {
		case m.CutoffDay == nil:
			return nil, fmt.Errorf("--as-of-day %d: the bundle %s was trained on a table without prediction days", *opts.AsOfDay, modelPath)
		case *opts.AsOfDay != *m.CutoffDay:
			return nil, fmt.Errorf("--as-of-day %d differs from the bundle's cutoff day %d (%s: cutoff_day): the model was trained on features as of day %d; score as of that day or train a bundle for day %d", *opts.AsOfDay, *m.CutoffDay, modelPath, *m.CutoffDay, *opts.AsOfDay)
		}
	}
	if opts.IDsFile != "" {
		if _, err := os.Lstat(opts.IDsFile); err == nil {
			return nil, fmt.Errorf("--ids-file %s exists: evalrun creates a new file for real identifiers and never overwrites one", opts.IDsFile)
		}
	}
	var prev *scoring.Previous
	if opts.Previous != "" {
		if prev, err = scoring.ReadPrevious(opts.Previous); err != nil {
			return nil, err
		}
	}
	w, err := rundir.Open(opts.Output, rundir.Options{Kind: "scoring", Command: opts.CommandLine})
	if err != nil {
		return nil, err
	}
	defer w.Close()

	s, where, err := scoringSpec(opts, b)
	if err != nil {
		return nil, err
	}
	if err := checkPseudonymKey(s, getenv); err != nil {
		return nil, err
	}
	if xapi != nil && s.Privacy.ShowIDs {
		// The statements carry pseudonyms even when the spec shows ids.
		if err := pseudonym.CheckKey([]byte(getenv(s.Privacy.KeyEnv))); err != nil {
			return nil, fmt.Errorf("--xapi: the statements name students by pseudonym: %s (privacy.key_env): %w", s.Privacy.KeyEnv, err)
		}
	}
	var data []*loadedDataset
	if opts.Spec != nil {
		if data, err = loadDatasets(defaultSourceEnv(), s); err != nil {
			return nil, err
		}
	} else {
		frames, err := loadDataset(defaultSourceEnv(), s, s.Datasets[0])
		if err != nil {
			return nil, fmt.Errorf("--data: %w", err)
		}
		ld := &loadedDataset{spec: s.Datasets[0], frames: frames}
		separateUnlabelled(ld)
		data = append(data, ld)
	}
	var ld *loadedDataset
	for _, d := range data {
		if d.spec.Name == m.Dataset.Name {
			ld = d
		}
	}
	if ld == nil {
		return nil, fmt.Errorf("score: dataset %q of the bundle was not loaded", m.Dataset.Name)
	}
	frames := []*datasets.Frame{ld.frames[0]}
	if len(ld.unlabelled) > 0 && ld.unlabelled[0] != nil {
		frames = append(frames, ld.unlabelled[0])
	}
	// By default, with --spec as with --data, the running terms: those
	// with students whose outcome is not known yet. Scoring every term of
	// an export that also holds past terms would rank students of terms
	// long over beside the running one.
	terms := opts.Terms
	if len(terms) == 0 {
		if len(frames) > 1 {
			terms = sortedTermSet(frames[1])
		}
		if len(terms) == 0 {
			of := where // dataset "name" of spec.toml
			if opts.Spec == nil {
				of = fmt.Sprintf("%s (dataset %q)", where, m.Dataset.Name)
			}
			return nil, fmt.Errorf("score: every student of %s has an outcome: pass --term to choose the terms to score", of)
		}
	}
	for _, t := range terms {
		found := false
		for _, f := range frames {
			found = found || slices.Contains(f.Terms, t)
		}
		if !found {
			return nil, fmt.Errorf("--term %q: no student of that term in %s", t, where)
		}
	}

	pseudonymized := !s.Privacy.ShowIDs
	var warnings []string
	if (pseudonymized || xapi != nil) && getenv(s.Privacy.KeyEnv) == "" {
		warnings = append(warnings, fmt.Sprintf("%s unset: pseudonyms derive from the experiment and can be recomputed", s.Privacy.KeyEnv))
	}
	mapper := pseudonymMapper(s, getenv)
	mb, _ := os.ReadFile(modelPath)
	sum := sha256.Sum256(mb)
	sc := &results.Scoring{
		FormatVersion: results.ScoringFormatVersion,
		Bundle: results.ScoringBundle{Dir: opts.Bundle, Model: m.Name, Kind: m.Kind, Experiment: m.Experiment, ModelSHA256: hex.EncodeToString(sum[:]),
			TrainedOn: m.Training.Terms, CutoffDay: m.CutoffDay, ThresholdPolicy: m.Threshold.Policy, Threshold: m.Threshold.Score, Calibrated: b.Recalibrator != nil},
		Dataset: m.Dataset.Name, Inputs: ld.frames[0].Report.Files, Pseudonymized: pseudonymized,
		ScoredAt: now().UTC().Format(time.RFC3339), Warnings: warnings,
	}
	termSet := map[string]bool{}
	for _, f := range frames {
		var rows []int
		for i, t := range f.Terms {
			if len(terms) == 0 || slices.Contains(terms, t) {
				rows = append(rows, i)
				termSet[t] = true
			}
		}
		if len(rows) == 0 {
			continue
		}
		reasonRows := 0
		if m.Kind == "random_forest" {
			reasonRows = s.Explain.reasonRows(m.Kind)
		}
		res, err := b.Apply(ctx, f, rows, bundle.ApplyOptions{ReasonRows: reasonRows})
		if err != nil {
			var mc *bundle.MissingColumnError
			if errors.As(err, &mc) {
				return nil, fmt.Errorf("%s: %w (bundle %s)", where, err, modelPath)
			}
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		sc.NotScored += len(res.Dropped)
		sc.List = append(sc.List, scoredStudents(f, res, mapper, pseudonymized)...)
	}
	sc.Terms = sortedKeys(termSet)
	if len(sc.List) == 0 {
		return nil, fmt.Errorf("score: no student to score in %s (terms %v)", where, terms)
	}
	var order []string
	for _, band := range m.Bands {
		order = append(order, band.Name)
	}
	scoring.Summarize(sc, order)
	if prev != nil {
		rise := s.Deploy.alertRise()
		if opts.Rise != nil {
			rise = *opts.Rise
		}
		scoring.Compare(sc, prev, rise)
	}
	files, err := reports.ScoringFiles(sc, reports.ScoringOptions{XAPI: xapi, Reasons: m.Reasons})
	if err != nil {
		return nil, fmt.Errorf("rendering the scoring: %w", err)
	}
	for _, f := range files {
		if err := w.WriteFile(f.Name, f.Data); err != nil {
			return nil, err
		}
	}
	if opts.IDsFile != "" && !pseudonymized {
		warnings = append(warnings, "the spec shows real ids (privacy.show_ids): --ids-file adds nothing")
	}
	if opts.IDsFile != "" && pseudonymized {
		if err := writeIDsFile(opts.IDsFile, sc); err != nil {
			return nil, err
		}
	}
	if err := w.Commit(); err != nil {
		return nil, err
	}
	return &ScoreOutcome{Dir: opts.Output, Scoring: sc, Notes: w.Notes()}, nil
}

// scoreXAPIOptions resolves the settings of score --xapi before any work:
// each flag, else the spec's [deploy] key, checked as an absolute http(s)
// URL; a missing one is an error saying what to set, never a made-up
// default. Nil without --xapi.
func scoreXAPIOptions(opts ScoreOptions) (*reports.XAPIOptions, error) {
	if !opts.XAPI {
		for _, f := range []struct {
			flag string
			v    *string
		}{{"--xapi-home-page", opts.XAPIHomePage}, {"--xapi-activity-base", opts.XAPIActivityBase}} {
			if f.v != nil {
				return nil, fmt.Errorf("%s is used only with --xapi (alerts.jsonl): add --xapi or drop it", f.flag)
			}
		}
		return nil, nil
	}
	var x reports.XAPIOptions
	var deploy DeploySpec
	if opts.Spec != nil {
		deploy = opts.Spec.Deploy
	}
	var errs []error
	for _, set := range []struct {
		flag, key, what, example string
		given, spec              *string
		check                    func(string) error
		dst                      *string
	}{
		{"--xapi-home-page", "xapi_home_page", "URL for the actors' account homePage (the institution's system whose accounts the pseudonyms name)", "https://lms.example.edu",
			opts.XAPIHomePage, deploy.XAPIHomePage, reports.CheckXAPIHomePage, &x.HomePage},
		{"--xapi-activity-base", "xapi_activity_base", "base URL for the course activity ids, an IRI the institution controls (ids are <base>/<course>/<term>)", "https://lms.example.edu/courses",
			opts.XAPIActivityBase, deploy.XAPIActivityBase, reports.CheckXAPIActivityBase, &x.ActivityBase},
	} {
		switch {
		case set.given != nil:
			if err := set.check(*set.given); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", set.flag, err))
			}
			*set.dst = *set.given
		case set.spec != nil:
			if err := set.check(*set.spec); err != nil {
				s, key := opts.Spec, "deploy."+set.key
				errs = append(errs, errors.New(Problem{File: s.File, Line: s.lines.line(key), Key: key, Msg: err.Error()}.String()))
			}
			*set.dst = *set.spec
		case opts.Spec != nil:
			errs = append(errs, fmt.Errorf("--xapi: no %s: set %s in the [deploy] table of %s (e.g. %s = %q, with your institution's URL) or pass %s URL; xAPI wants a URL there, and stores that validate statements refuse urn: ids", set.what, set.key, opts.Spec.File, set.key, set.example, set.flag))
		default:
			errs = append(errs, fmt.Errorf("--xapi: no %s: pass %s URL (e.g. %s %s, with your institution's URL), or score with --spec whose [deploy] table sets %s; xAPI wants a URL there, and stores that validate statements refuse urn: ids", set.what, set.flag, set.flag, set.example, set.key))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &x, nil
}

// scoringSpec returns the spec the data is loaded with: the given spec
// with the bundle's dataset at the bundle's cutoff day only, or a spec
// built from the bundle's dataset definition for Data. where names the
// data in errors.
func scoringSpec(opts ScoreOptions, b *bundle.Bundle) (*Spec, string, error) {
	m := &b.Model
	modelPath := filepath.Join(opts.Bundle, bundle.ModelFile)
	var days []int
	if m.CutoffDay != nil {
		days = []int{*m.CutoffDay}
	}
	if opts.Spec != nil {
		s := *opts.Spec
		s.Datasets = slices.Clone(s.Datasets)
		found := false
		for i := range s.Datasets {
			d := &s.Datasets[i]
			if d.Name != m.Dataset.Name && d.Join != m.Dataset.Name {
				continue
			}
			if d.Name == m.Dataset.Name {
				found = true
				if d.Kind != m.Dataset.Kind {
					return nil, "", fmt.Errorf("%s: dataset %q is of kind %q, the bundle %s was trained on kind %q", s.File, d.Name, d.Kind, modelPath, m.Dataset.Kind)
				}
			}
			if len(d.CutoffDays) > 0 && m.CutoffDay != nil && !slices.Contains(d.CutoffDays, *m.CutoffDay) {
				return nil, "", fmt.Errorf("%s:%d: dataset %q builds features as of days %v, not the bundle's cutoff day %d (%s: cutoff_day)", s.File, s.lines.line(fmt.Sprintf("datasets[%d].cutoff_days", i)), d.Name, d.CutoffDays, *m.CutoffDay, modelPath)
			}
			if len(d.CutoffDays) > 0 {
				d.CutoffDays = days
			}
		}
		if !found {
			return nil, "", fmt.Errorf("%s: no dataset %q, which the bundle %s was trained on", s.File, m.Dataset.Name, modelPath)
		}
		return &s, fmt.Sprintf("dataset %q of %s", m.Dataset.Name, s.File), nil
	}
	if len(m.Dataset.Events) > 0 {
		return nil, "", fmt.Errorf("--data: the bundle's features include event logs (%v): score with --spec so that the logs are joined", m.Dataset.Events)
	}
	d := Dataset{Name: m.Dataset.Name, Kind: m.Dataset.Kind, Path: opts.Data, Positive: m.Outcome.Positive, Groups: m.Dataset.Groups,
		Missing: string(m.Encoder.Missing), Impute: m.Encoder.Impute, AllowGroupFeatures: true}
	switch m.Dataset.Kind {
	case "oulad", "synthetic-oulad":
		d.Kind = "oulad"
		d.CutoffDays = days
		clicks := m.Dataset.Clicks
		d.Clicks = &clicks
	case "csv":
		d.ID, d.Label, d.Term, d.Course = m.Dataset.IDColumn, m.Dataset.LabelColumn, m.Dataset.TermColumn, m.Dataset.CourseColumn
		d.Features = append(slices.Clone(m.Dataset.Numeric), m.Dataset.Categorical...)
		d.Categorical = m.Dataset.Categorical
	default:
		return nil, "", fmt.Errorf("%s: dataset kind %q cannot be read with --data", modelPath, m.Dataset.Kind)
	}
	s := &Spec{File: modelPath, Dir: ".", Experiment: Experiment{Name: m.Experiment, Seed: m.Seed}, Datasets: []Dataset{d}}
	s.applyDefaults()
	return s, opts.Data, nil
}

func sortedTermSet(f *datasets.Frame) []string {
	if f == nil {
		return nil
	}
	set := map[string]bool{}
	for _, t := range f.Terms {
		set[t] = true
	}
	return sortedKeys(set)
}

// scoredStudents turns one frame's scores into risk-list rows with the
// run report's drill-down (assessments, activity, weekly clicks).
// Key is the pseudonym when pseudonymized, else the id; Pseudonym is
// always the pseudonym.
func scoredStudents(f *datasets.Frame, res *bundle.Scored, mapper *pseudonym.Mapper, pseudonymized bool) []results.ScoredStudent {
	var weekCols []int
	var weekVals [][]float64
	for _, c := range f.Numeric {
		if mm := weekColumn.FindStringSubmatch(c.Name); mm != nil {
			wk, _ := strconv.Atoi(mm[1])
			weekCols = append(weekCols, wk)
			weekVals = append(weekVals, c.Values)
		}
	}
	out := make([]results.ScoredStudent, len(res.Rows))
	for k, i := range res.Rows {
		pseud := mapper.Pseudonym(f.Students[i])
		key := f.Students[i]
		if pseudonymized {
			key = pseud
		}
		st := results.ScoredStudent{Key: key, ID: f.Students[i], Pseudonym: pseud, Term: f.Terms[i], Course: f.Courses[i], Score: res.Scores[k],
			Band: res.Bands[k], Flagged: res.Flagged[k], Reasons: res.Reasons[k], Features: map[string]float64{}}
		if res.Calibrated != nil {
			v := res.Calibrated[k]
			st.Calibrated = &v
		}
		fl := res.Flags[k]
		for _, r := range fl.OutOfRange {
			st.OutOfRange = append(st.OutOfRange, r.Feature)
			st.RangeWords = append(st.RangeWords, r.Words())
		}
		for _, u := range fl.Unseen {
			st.Unseen = append(st.Unseen, u.Feature)
			st.UnseenWords = append(st.UnseenWords, u.Words())
		}
		st.Missing = fl.Missing
		if f.Trails != nil {
			st.Assessments = f.Trails[i]
		}
		for _, name := range riskFeatures {
			if c, ok := f.NumericByName(name); ok && !math.IsNaN(c.Values[i]) {
				st.Features[name] = c.Values[i]
			}
		}
		if len(weekCols) > 0 && !math.IsNaN(weekVals[0][i]) {
			st.Weekly = make([]float64, len(weekCols))
			for j, wk := range weekCols {
				if wk < len(st.Weekly) {
					st.Weekly[wk] = weekVals[j][i]
				}
			}
		}
		out[k] = st
	}
	return out
}

// writeIDsFile writes pseudonym, real id, term and course of every scored
// student to a new file only its owner can read (mode 0600); an existing
// file is never replaced, and an interrupted write leaves no partial file.
func writeIDsFile(path string, sc *results.Scoring) error {
	err := rundir.WriteNewFile(path, 0o600, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"rank", "student", "student_id", "term", "course", "risk", "flagged", "alert"})
		for _, s := range sc.List {
			cw.Write([]string{strconv.Itoa(s.Rank), s.Key, s.ID, s.Term, s.Course, strconv.FormatFloat(s.Score, 'g', -1, 64), strconv.FormatBool(s.Flagged), s.Alert})
		}
		cw.Flush()
		return cw.Error()
	})
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("--ids-file %s exists: evalrun never overwrites a file of real identifiers", path)
	}
	if err != nil {
		return fmt.Errorf("--ids-file: %w", err)
	}
	return nil
}
