package harness

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/evalrun/evalrun/bundle"
	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/fairness"
	"github.com/evalrun/evalrun/monitor"
	"github.com/evalrun/evalrun/reports"
	"github.com/evalrun/evalrun/rundir"
)

// MonitorOptions are the settings of `evalrun monitor`.
type MonitorOptions struct {
	// Bundle is the bundle directory; Spec loads the term's data through
	// the bundle's dataset (as `evalrun score --spec` does).
	Bundle string
	Spec   *Spec
	// Term is the term to record; Entry names the entry when one term is
	// recorded several times (a scoring week: "2014J-week6"; default: the
	// term).
	Term  string
	Entry string
	// History is the history directory (created when missing).
	History string
	// Top lists the model's most important features (default: the 3
	// first of the bundle's feature ranking, or without one the 3 largest
	// standardized coefficients of a linear model).
	Top []string
	// FailOnWatch makes watch-level findings exit 4.
	FailOnWatch bool
	CommandLine []string
	Now         func() time.Time
}

// MonitorOutcome is what Monitor recorded.
type MonitorOutcome struct {
	Entry    monitor.Entry
	Terms    int
	Dir      string
	ExitCode int
	Notes    []string
}

// defaultTopFeatures ranks the schema's features by the largest absolute
// standardized coefficient of any of their encoded columns ("name" or
// "name=level"); nil for models without standardized coefficients.
func defaultTopFeatures(m *bundle.Model, n int) []string {
	sum := m.Training.Summary
	if !strings.HasPrefix(sum.CoefficientScale, "standardized") || len(sum.Coefficients) == 0 {
		return nil
	}
	type ranked struct {
		name string
		w    float64
	}
	var rs []ranked
	for _, f := range m.Schema.Features {
		w := 0.0
		for k, c := range sum.Coefficients {
			if k == f.Name || strings.HasPrefix(k, f.Name+"=") {
				w = math.Max(w, math.Abs(c))
			}
		}
		if w > 0 {
			rs = append(rs, ranked{f.Name, w})
		}
	}
	slices.SortStableFunc(rs, func(a, b ranked) int { return cmp.Compare(b.w, a.w) })
	var out []string
	for i := 0; i < len(rs) && i < n; i++ {
		out = append(out, rs[i].name)
	}
	return out
}

// Monitor records one term of a deployed model: it loads the term's
// students through the spec's dataset as of the bundle's cutoff, scores
// them with the bundle, measures drift against the bundle's training
// schema and, when every student of the term has an outcome, the realized
// performance and fairness audit against the model card, appends the
// entry to the history and renders monitor.html. The history directory is
// written through package rundir: one that evalrun did not write (or whose
// files were edited) is refused before any work.
func Monitor(ctx context.Context, opts MonitorOptions) (*MonitorOutcome, error) {
	if opts.Spec == nil || opts.Term == "" || opts.History == "" || opts.Bundle == "" {
		return nil, fmt.Errorf("monitor: a bundle, --spec, --term and -o HISTORY are required")
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	w, err := rundir.Open(opts.History, rundir.Options{Kind: "monitor", Command: opts.CommandLine})
	if err != nil {
		return nil, err
	}
	defer w.Close()
	history, err := monitor.ReadHistory(opts.History)
	if err != nil {
		return nil, err
	}
	name, dataTerm := opts.Entry, opts.Term
	if name == "" || name == opts.Term {
		name, dataTerm = opts.Term, ""
	}
	for _, h := range history {
		if h.Term == name {
			return nil, fmt.Errorf("monitor: %s is already in %s (recorded %s): earlier entries are never rewritten; name a new entry with --entry", name, opts.History, h.RecordedAt)
		}
	}
	b, err := bundle.Load(opts.Bundle)
	if err != nil {
		return nil, err
	}
	m := &b.Model
	manifest, err := os.ReadFile(filepath.Join(opts.Bundle, bundle.ManifestName))
	if err != nil {
		return nil, err
	}
	id := sha256.Sum256(manifest)
	s, where, err := scoringSpec(ScoreOptions{Bundle: opts.Bundle, Spec: opts.Spec}, b)
	if err != nil {
		return nil, err
	}
	data, err := loadDatasets(defaultSourceEnv(), s)
	if err != nil {
		return nil, err
	}
	var ld *loadedDataset
	for _, d := range data {
		if d.spec.Name == m.Dataset.Name {
			ld = d
		}
	}
	if ld == nil {
		return nil, fmt.Errorf("monitor: dataset %q of the bundle was not loaded", m.Dataset.Name)
	}
	frames := []*datasets.Frame{ld.frames[0]}
	if len(ld.unlabelled) > 0 && ld.unlabelled[0] != nil {
		frames = append(frames, ld.unlabelled[0])
	}
	term := monitor.Term{Term: name, DataTerm: dataTerm, Numeric: map[string][]float64{}, Categorical: map[string][]string{}}
	labelled, unlabelled := 0, 0
	var labels []uint8
	groups := map[string][]string{}
	for fi, f := range frames {
		var rows []int
		for i, t := range f.Terms {
			if t == opts.Term {
				rows = append(rows, i)
			}
		}
		if len(rows) == 0 {
			continue
		}
		res, err := b.Apply(ctx, f, rows, bundle.ApplyOptions{ReasonRows: 1})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		for _, fs := range m.Schema.Features {
			if fs.Type == "numeric" {
				col, _ := f.NumericByName(fs.Name)
				for _, i := range res.Rows {
					term.Numeric[fs.Name] = append(term.Numeric[fs.Name], col.Values[i])
				}
			} else {
				col, _ := f.CategoricalByName(fs.Name)
				for _, i := range res.Rows {
					term.Categorical[fs.Name] = append(term.Categorical[fs.Name], col.Values[i])
				}
			}
		}
		term.Scores = append(term.Scores, res.Scores...)
		risks := res.Scores
		if res.Calibrated != nil {
			risks = res.Calibrated
		}
		term.Risks = append(term.Risks, risks...)
		if fi == 0 {
			labelled += len(res.Rows)
			for _, i := range res.Rows {
				labels = append(labels, f.Labels[i])
			}
		} else {
			unlabelled += len(res.Rows)
		}
		for _, attr := range s.Fairness.Attributes {
			vals, err := rowLabels(f, attr, res.Rows)
			if err != nil {
				return nil, err
			}
			groups[attr] = append(groups[attr], vals...)
		}
	}
	if len(term.Scores) == 0 {
		return nil, fmt.Errorf("monitor: no student of term %q in %s", opts.Term, where)
	}
	var notes []string
	switch {
	case unlabelled == 0:
		term.Labels = labels
	case labelled > 0:
		notes = append(notes, fmt.Sprintf("term %s: %d of %d students have no outcome yet: realized measures wait until every outcome is known", opts.Term, unlabelled, labelled+unlabelled))
	}
	for _, attr := range s.Fairness.Attributes {
		term.Groups = append(term.Groups, fairness.Attribute{Name: attr, Values: groups[attr]})
	}
	top := opts.Top
	if len(top) == 0 {
		top = m.Ranking.Top(3)
	}
	if len(top) == 0 {
		top = defaultTopFeatures(m, 3)
	}
	for _, t := range top {
		if _, ok := m.Schema.Feature(t); !ok {
			return nil, fmt.Errorf("monitor: --top %s: the model reads no feature of that name", t)
		}
	}
	if len(top) == 0 {
		notes = append(notes, "the bundle ranks no feature by importance (the run measured no permutation importance: [explain] permutation_repeats = 0, or no evaluation with outcomes) and the model has no standardized coefficients: pass --top to name the features whose drift is an alert")
	}
	cfg := monitor.Config{Model: m.Name, BundleID: hex.EncodeToString(id[:]), Schema: m.Schema, Scores: m.Scores, Threshold: m.Threshold.Score, TopFeatures: top,
		Card: monitor.CardOf(b.Card), Level: s.Metrics.Level, CalibrationBins: s.Metrics.CalibrationBins}
	if s.Fairness.enabled() {
		o := s.auditOptions("monitor/"+name, m.Threshold.Score)
		cfg.Fairness = &o
	}
	e, err := monitor.Observe(cfg, term, history, now().UTC().Format(time.RFC3339))
	if err != nil {
		return nil, err
	}

	jsonl, csvData, err := monitor.Appended(opts.History, e)
	if err != nil {
		return nil, err
	}
	html, err := reports.MonitorHTML(append(history, e))
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{monitor.HistoryJSONL, jsonl}, {monitor.HistoryCSV, csvData}, {monitor.MonitorHTML, html}} {
		if err := w.WriteFile(f.name, f.data); err != nil {
			return nil, err
		}
	}
	if err := w.Commit(); err != nil {
		return nil, err
	}
	return &MonitorOutcome{Entry: e, Terms: len(history) + 1, Dir: opts.History, ExitCode: e.ExitCode(opts.FailOnWatch), Notes: append(w.Notes(), notes...)}, nil
}
