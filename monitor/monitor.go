package monitor

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/evalrun/evalrun/abtest"
	"github.com/evalrun/evalrun/bundle"
	"github.com/evalrun/evalrun/drift"
	"github.com/evalrun/evalrun/fairness"
	"github.com/evalrun/evalrun/internal/workpool"
	"github.com/evalrun/evalrun/metrics"
)

// MethodNoValues is the method of a feature without any value this term.
const MethodNoValues drift.Method = "no values"

// MissingRise is the rise of a feature's share of missing values, against
// training, that is a watch item (10 percentage points).
const MissingRise = 0.10

// EntryKind marks every line of history.jsonl.
const EntryKind = "evalrun monitor entry"

// Config is what stays the same from term to term: the bundle's training
// distribution, threshold and card, and the options.
type Config struct {
	// Model names the model; BundleID identifies the bundle (the SHA-256
	// of its manifest): a history holds one bundle's terms.
	Model    string
	BundleID string
	Schema   bundle.Schema
	// Scores is the distribution of the model's scores on its training
	// rows (bundle.Model.Scores): each term's scores are compared with it
	// as a numeric feature is with its schema.
	Scores bundle.FeatureSchema
	// Threshold flags scores >= it.
	Threshold float64
	// TopFeatures are the model's most important features: their drift is
	// an alert.
	TopFeatures []string
	Card        Card
	Drift       drift.Options
	// Level is the level of realized intervals (default 0.95).
	Level float64
	// CalibrationBins (default 10) and ECETolerance (default 0.05): a
	// realized ECE above the card's by more than the tolerance is an alert.
	CalibrationBins int
	ECETolerance    float64
	// Fairness, when not nil, runs the audit on terms with outcomes; its
	// Threshold is set to Threshold.
	Fairness *fairness.AuditOptions
	// Workers bounds the goroutines measuring drift (default 2); results
	// do not depend on it.
	Workers int
}

// Term is one term's data: the raw values of the features the model
// reads, the model's scores and calibrated risks, and the outcomes once
// known.
type Term struct {
	// Term names the entry (the term, or a scoring week of it); DataTerm
	// is the term of the data when it differs ("" otherwise).
	Term        string
	DataTerm    string
	Numeric     map[string][]float64
	Categorical map[string][]string
	// Scores are the model's scores, which the threshold applies to and
	// AUC, precision, recall and the fairness audit rank by (nil: Risks).
	Scores []float64
	// Risks are the calibrated probabilities (the recalibrated scores when
	// the bundle recalibrates): expected performance and calibration use
	// them.
	Risks []float64
	// Labels are nil until outcomes exist; then one per risk.
	Labels []uint8
	Groups []fairness.Attribute
}

// Measure is one measure of a term beside its reference.
type Measure struct {
	Name  string   `json:"name"`
	Value *float64 `json:"value"`
	Lower *float64 `json:"lower,omitempty"`
	Upper *float64 `json:"upper,omitempty"`
	// Reference, RefLower and RefUpper come from the model card (or the
	// drift threshold); Position is "inside", "below", "above" or "" when
	// there is no reference interval.
	Reference *float64 `json:"reference,omitempty"`
	RefLower  *float64 `json:"reference_lower,omitempty"`
	RefUpper  *float64 `json:"reference_upper,omitempty"`
	Position  string   `json:"position,omitempty"`
	// HigherIsBetter says which side of the reference is worse.
	HigherIsBetter bool `json:"higher_is_better"`
	// CardLower and CardUpper are the card's interval of a fairness gap,
	// whose reference band is its allowed range; Verdict is the gap's
	// verdict this term.
	CardLower *float64 `json:"card_lower,omitempty"`
	CardUpper *float64 `json:"card_upper,omitempty"`
	Verdict   string   `json:"verdict,omitempty"`
}

// Severity of an alert: Alert pages someone, Watch is shown.
type Severity string

// Severities.
const (
	SeverityAlert Severity = "alert"
	SeverityWatch Severity = "watch"
)

// Alert is a finding in plain language.
type Alert struct {
	Severity Severity `json:"severity"`
	Kind     string   `json:"kind"`
	Message  string   `json:"message"`
}

// Realized holds the measures computed from outcomes.
type Realized struct {
	Positives   int                        `json:"positives"`
	Calibration *metrics.CalibrationResult `json:"calibration,omitempty"`
	Fairness    *fairness.AuditResult      `json:"fairness,omitempty"`
	// VerdictChanges lists verdicts that differ from the card's.
	VerdictChanges []VerdictChange `json:"verdict_changes,omitempty"`
	// Gaps are the audited gaps with their intervals, the card's evaluated
	// gap (Reference, CardLower, CardUpper) and the allowed range
	// (RefLower, RefUpper).
	Gaps []Measure `json:"gaps,omitempty"`
}

// VerdictChange is a fairness verdict that differs from the evaluation's.
type VerdictChange struct {
	Key       string           `json:"key"`
	Evaluated fairness.Outcome `json:"evaluated"`
	Now       fairness.Outcome `json:"now"`
}

// Entry is one term of the history (one line of history.jsonl).
type Entry struct {
	Kind string `json:"kind"`
	// Term names the entry; DataTerm is the data's term when the entry is
	// a scoring week of it.
	Term     string `json:"term"`
	DataTerm string `json:"data_term,omitempty"`
	Model    string `json:"model"`
	BundleID string `json:"bundle_id"`
	// RecordedAt is the UTC time the entry was appended (RFC 3339).
	RecordedAt string `json:"recorded_at"`
	Rows       int    `json:"rows"`
	Flagged    int    `json:"flagged"`
	// TopFeatures are the model's most important features this term was
	// watched with (Config.TopFeatures).
	TopFeatures []string            `json:"top_features"`
	Threshold   float64             `json:"threshold"`
	Drift       drift.DatasetResult `json:"drift"`
	// PSIThreshold is the PSI at which a feature's PSI flags drift.
	PSIThreshold float64 `json:"psi_threshold"`
	// ScoreDrift compares the scores with the training rows' scores kept
	// in the bundle; ScoreQuantiles are this term's score percentiles.
	ScoreDrift     *drift.FeatureResult      `json:"score_drift,omitempty"`
	ScoreQuantiles []float64                 `json:"score_quantiles"`
	Expected       drift.ExpectedPerformance `json:"expected"`
	// OutcomesKnown says whether Realized was computed.
	OutcomesKnown bool      `json:"outcomes_known"`
	Realized      *Realized `json:"realized,omitempty"`
	// Measures are the time series of the term (drift share, expected and
	// realized measures) with their references.
	Measures []Measure `json:"measures"`
	Alerts   []Alert   `json:"alerts"`
	// Status is "alert", "watch" or "ok".
	Status string `json:"status"`
}

func ptr(v float64) *float64 { return &v }

func (c *Config) defaults() {
	if c.Level == 0 {
		c.Level = 0.95
	}
	if c.CalibrationBins == 0 {
		c.CalibrationBins = 10
	}
	if c.ECETolerance == 0 {
		c.ECETolerance = 0.05
	}
	if c.Workers < 1 {
		c.Workers = 2
	}
	if c.Drift == (drift.Options{}) {
		c.Drift = drift.DefaultOptions()
	}
}

// Observe measures one term. history holds the earlier entries (oldest
// first), which the term must not repeat; recordedAt is written into the
// entry. cfg.Scores must hold the training score distribution.
func Observe(cfg Config, t Term, history []Entry, recordedAt string) (Entry, error) {
	cfg.defaults()
	if err := cfg.Drift.Validate(); err != nil {
		return Entry{}, err
	}
	scoreRef, _ := NumericReference(&cfg.Scores)
	if scoreRef == nil {
		return Entry{}, errors.New("monitor: no training score distribution (bundle training_scores) to compare the scores with")
	}
	n := len(t.Risks)
	if n == 0 {
		return Entry{}, fmt.Errorf("monitor: term %s has no scored student", t.Term)
	}
	if t.Scores == nil {
		t.Scores = t.Risks
	}
	if len(t.Scores) != n {
		return Entry{}, fmt.Errorf("monitor: term %s: %d scores for %d risks", t.Term, len(t.Scores), n)
	}
	if t.Labels != nil && len(t.Labels) != n {
		return Entry{}, fmt.Errorf("monitor: term %s: %d outcomes for %d scores", t.Term, len(t.Labels), n)
	}
	for _, h := range history {
		if h.Term == t.Term {
			return Entry{}, fmt.Errorf("monitor: term %s is already in the history (recorded %s): earlier entries are never rewritten", t.Term, h.RecordedAt)
		}
		if h.BundleID != cfg.BundleID {
			return Entry{}, fmt.Errorf("monitor: the history monitors bundle %s, not %s: start a new history for a new model", h.BundleID, cfg.BundleID)
		}
	}
	e := Entry{Kind: EntryKind, Term: t.Term, DataTerm: t.DataTerm, Model: cfg.Model, BundleID: cfg.BundleID, RecordedAt: recordedAt, Rows: n, Threshold: cfg.Threshold, TopFeatures: cfg.TopFeatures}
	feats, err := featureDrift(cfg, t)
	if err != nil {
		return Entry{}, err
	}
	e.Drift = drift.Summarize(feats, cfg.Drift)
	e.PSIThreshold = cfg.Drift.PSIThreshold
	// The scores are sorted once, for the drift test and the percentiles.
	sorted := make([]float64, 0, n)
	for _, v := range t.Scores {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			sorted = append(sorted, v)
		}
	}
	slices.Sort(sorted)
	sd, err := drift.CompareNumericSorted(bundle.ScoreFeature, scoreRef, sorted, n-len(sorted), cfg.Drift)
	if err != nil {
		return Entry{}, fmt.Errorf("monitor: term %s: score drift: %w", t.Term, err)
	}
	e.ScoreDrift = &sd
	e.ScoreQuantiles = percentiles(sorted)
	flagged := make([]bool, n)
	for i, v := range t.Scores {
		flagged[i] = v >= cfg.Threshold
	}
	exp, err := drift.ExpectedFlagged(t.Risks, flagged, cfg.Threshold, cfg.Level)
	if err != nil {
		return Entry{}, fmt.Errorf("monitor: term %s: %w", t.Term, err)
	}
	exp.AssessReliability(e.Drift, cfg.TopFeatures, e.ScoreDrift)
	e.Expected = exp
	e.Flagged = exp.Flagged
	e.Measures = append(e.Measures, Measure{Name: "share of drifted features", Value: ptr(e.Drift.Share), Reference: ptr(e.Drift.Threshold)})
	e.Measures = append(e.Measures, cardMeasure("expected precision", exp.Precision, exp.PrecisionRange, cfg.Card.Precision, true))
	e.Measures = append(e.Measures, cardMeasure("expected recall", exp.Recall, exp.RecallRange, cfg.Card.Recall, true))
	if t.Labels != nil {
		e.OutcomesKnown = true
		r, ms, err := realize(cfg, t)
		if err != nil {
			return Entry{}, err
		}
		e.Realized = r
		e.Measures = append(e.Measures, ms...)
	}
	e.Alerts = alerts(cfg, &e)
	e.Status = "ok"
	for _, a := range e.Alerts {
		if a.Severity == SeverityAlert {
			e.Status = "alert"
			break
		}
		e.Status = "watch"
	}
	return e, nil
}

// featureDrift measures every schema feature on up to cfg.Workers
// goroutines; the result order is the schema's.
func featureDrift(cfg Config, t Term) ([]drift.FeatureResult, error) {
	fs := cfg.Schema.Features
	out := make([]drift.FeatureResult, len(fs))
	errs := make([]error, len(fs))
	workpool.For(len(fs), cfg.Workers, func(i int) {
		out[i], errs[i] = oneFeature(cfg, &fs[i], t)
		// A term without any value of a feature is a finding, not a
		// failure: the feature counts as drifted.
		if errs[i] != nil && errors.Is(errs[i], drift.ErrEmptySample) && out[i].CurrentRows == 0 && out[i].ReferenceRows > 0 {
			out[i].Method, out[i].Drifted, errs[i] = MethodNoValues, true, nil
		}
	})
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("monitor: term %s: %w", t.Term, err)
	}
	return out, nil
}

func oneFeature(cfg Config, fs *bundle.FeatureSchema, t Term) (drift.FeatureResult, error) {
	switch fs.Type {
	case "numeric":
		cur, ok := t.Numeric[fs.Name]
		if !ok {
			return drift.FeatureResult{}, fmt.Errorf("no values of numeric feature %s", fs.Name)
		}
		ref, _ := NumericReference(fs)
		if ref == nil {
			return drift.FeatureResult{}, fmt.Errorf("feature %s has no training values in the bundle", fs.Name)
		}
		return drift.CompareNumeric(fs.Name, ref, cur, cfg.Drift)
	case "categorical":
		cur, ok := t.Categorical[fs.Name]
		if !ok {
			return drift.FeatureResult{}, fmt.Errorf("no values of categorical feature %s", fs.Name)
		}
		return drift.CompareCategorical(fs.Name, CategoricalReference(fs), cur, cfg.Drift)
	}
	return drift.FeatureResult{}, fmt.Errorf("feature %s has unknown type %q", fs.Name, fs.Type)
}

// cardMeasure places a value (nil: undefined) with its interval beside a
// card value.
func cardMeasure(name string, v *float64, iv [2]float64, card *CardValue, higherBetter bool) Measure {
	m := Measure{Name: name, Value: v, HigherIsBetter: higherBetter}
	if v != nil {
		m.Lower, m.Upper = ptr(iv[0]), ptr(iv[1])
	}
	if card != nil {
		m.Reference, m.RefLower, m.RefUpper = ptr(card.Value), card.Lower, card.Upper
	}
	m.Position = position(m)
	return m
}

// position is where the value lies against the reference interval.
func position(m Measure) string {
	if m.Value == nil || m.RefLower == nil || m.RefUpper == nil {
		return ""
	}
	switch v := *m.Value; {
	case v < *m.RefLower:
		return "below"
	case v > *m.RefUpper:
		return "above"
	}
	return "inside"
}

// realize computes the measures that need outcomes.
func realize(cfg Config, t Term) (*Realized, []Measure, error) {
	r := &Realized{}
	for _, y := range t.Labels {
		r.Positives += int(y)
	}
	var ms []Measure
	n := len(t.Labels)
	auc := Measure{Name: "AUC", HigherIsBetter: true}
	if r.Positives > 0 && r.Positives < n {
		ci, err := metrics.DeLongCI(t.Labels, t.Scores, cfg.Level)
		if err != nil {
			return nil, nil, fmt.Errorf("monitor: term %s: AUC: %w", t.Term, err)
		}
		auc.Value, auc.Lower, auc.Upper = ptr(ci.AUC), ptr(ci.Lower), ptr(ci.Upper)
	}
	if c := cfg.Card.AUC; c != nil {
		auc.Reference, auc.RefLower, auc.RefUpper = ptr(c.Value), c.Lower, c.Upper
	}
	auc.Position = position(auc)
	ms = append(ms, auc)
	conf, err := metrics.ConfusionAt(t.Labels, t.Scores, cfg.Threshold)
	if err != nil {
		return nil, nil, fmt.Errorf("monitor: term %s: %w", t.Term, err)
	}
	ratio := func(name string, x, of int, card *CardValue) Measure {
		m := Measure{Name: name, HigherIsBetter: true}
		if of > 0 {
			m.Value = ptr(float64(x) / float64(of))
			if iv, err := abtest.Wilson(x, of, cfg.Level); err == nil {
				m.Lower, m.Upper = ptr(iv.Lower), ptr(iv.Upper)
			}
		}
		if card != nil {
			m.Reference, m.RefLower, m.RefUpper = ptr(card.Value), card.Lower, card.Upper
		}
		m.Position = position(m)
		return m
	}
	ms = append(ms, ratio("precision", conf.TP, conf.TP+conf.FP, cfg.Card.Precision), ratio("recall", conf.TP, conf.TP+conf.FN, cfg.Card.Recall))
	cal, err := metrics.Calibration(t.Labels, t.Risks, cfg.CalibrationBins)
	if err != nil {
		return nil, nil, fmt.Errorf("monitor: term %s: calibration: %w", t.Term, err)
	}
	r.Calibration = &cal
	ece := Measure{Name: "ECE", Value: ptr(cal.ECE)}
	if c := cfg.Card.ECE; c != nil {
		ece.Reference = ptr(c.Value)
		ece.RefLower, ece.RefUpper = ptr(0), ptr(c.Value+cfg.ECETolerance)
	}
	ece.Position = position(ece)
	ms = append(ms, ece)
	slope := Measure{Name: "calibration slope", Value: cal.Slope, Reference: ptr(1), RefLower: ptr(0.8), RefUpper: ptr(1.25)}
	slope.Position = position(slope)
	ms = append(ms, slope)
	if cfg.Fairness != nil && len(t.Groups) > 0 {
		opts := *cfg.Fairness
		opts.Threshold = cfg.Threshold
		a, err := fairness.Audit(t.Labels, t.Scores, t.Groups, opts)
		if err != nil {
			return nil, nil, fmt.Errorf("monitor: term %s: fairness audit: %w", t.Term, err)
		}
		r.Fairness = &a
		for _, v := range a.Verdicts {
			key := VerdictKey(v.Metric, v.Attribute, v.Group, v.Reference)
			// Each gap beside the card's evaluated gap and interval; the
			// reference band is the allowed range of the verdict.
			g := Measure{Name: "fairness: " + verdictWords(key), Reference: nil}
			if v.Estimate.Defined {
				g.Value = ptr(v.Estimate.Value)
			}
			if v.Lower.Defined && v.Upper.Defined {
				g.Lower, g.Upper = ptr(v.Lower.Value), ptr(v.Upper.Value)
			}
			if c, ok := cfg.Card.Gaps[key]; ok {
				g.Reference, g.CardLower, g.CardUpper = ptr(c.Value), c.Lower, c.Upper
			}
			g.RefLower, g.RefUpper = ptr(v.AllowedLow), ptr(v.AllowedHigh)
			g.Verdict = string(v.Outcome)
			r.Gaps = append(r.Gaps, g)
			if was, ok := cfg.Card.Verdicts[key]; ok && was != v.Outcome {
				r.VerdictChanges = append(r.VerdictChanges, VerdictChange{Key: key, Evaluated: was, Now: v.Outcome})
			}
		}
	}
	return r, ms, nil
}

// alerts turns the entry's findings into plain-language alerts.
func alerts(cfg Config, e *Entry) []Alert {
	var out []Alert
	add := func(s Severity, kind, format string, args ...any) {
		out = append(out, Alert{Severity: s, Kind: kind, Message: fmt.Sprintf(format, args...)})
	}
	top := map[string]bool{}
	for _, f := range cfg.TopFeatures {
		top[f] = true
	}
	for _, f := range e.Drift.Features {
		if f.Method == MethodNoValues {
			add(SeverityAlert, "feature without values", "%s has no value this term (missing for all %d students): the model imputes it for everyone, so its risks rest on the other features.", f.Name, f.CurrentMissing)
			continue
		}
		refShare := float64(f.ReferenceMissing) / float64(max(1, f.ReferenceMissing+f.ReferenceRows))
		curShare := float64(f.CurrentMissing) / float64(max(1, f.CurrentMissing+f.CurrentRows))
		if curShare-refShare >= MissingRise {
			add(SeverityWatch, "missing values rose", "%s is missing for %.0f%% of students this term, against %.0f%% in training.", f.Name, 100*curShare, 100*refShare)
		}
		switch {
		case f.Drifted && top[f.Name]:
			add(SeverityAlert, "top feature drift", "%s, one of the model's most important features, has drifted from training: %s. Its risks may no longer mean what they meant.", f.Name, f.Describe())
		case f.PSIDrifted && top[f.Name]:
			add(SeverityWatch, "top feature PSI", "%s, one of the model's most important features, has a population stability index of %.3f (>= %.2g) although its drift test did not flag it.", f.Name, f.PSI, cfg.Drift.PSIThreshold)
		}
	}
	if e.Drift.DatasetDrift {
		add(SeverityAlert, "dataset drift", "%d of %d features (%.0f%%) drifted from training, at least the %.0f%% that marks the data as drifted: the students scored this term differ from those the model learned from.",
			e.Drift.Drifted, len(e.Drift.Features), 100*e.Drift.Share, 100*e.Drift.Threshold)
	}
	if s := e.ScoreDrift; s != nil && s.Drifted {
		add(SeverityWatch, "score drift", "The distribution of scores differs from the training students' scores: %s.", s.Describe())
	}
	if !e.Expected.Reliable {
		add(SeverityWatch, "expected performance unreliable", "The precision and recall expected from the risks are unreliable this term: %s.", joinReasons(e.Expected.Reasons))
	}
	for _, m := range e.Measures {
		if m.Position != "below" && m.Position != "above" {
			continue
		}
		worse := (m.Position == "below") == m.HigherIsBetter
		if m.Name == "share of drifted features" {
			continue
		}
		sev := SeverityWatch
		verb := "better than"
		if worse {
			verb = "worse than"
			if !strings.HasPrefix(m.Name, "expected ") {
				sev = SeverityAlert
			}
		}
		if m.Name == "ECE" || m.Name == "calibration slope" {
			sev = SeverityAlert
			verb = "outside"
		}
		add(sev, "measure outside reference", "%s is %s, %s the reference range %s to %s%s.", m.Name, fmtPtr(m.Value), verb, fmtPtr(m.RefLower), fmtPtr(m.RefUpper), refWords(m))
	}
	if r := e.Realized; r != nil {
		for _, c := range r.VerdictChanges {
			sev := SeverityWatch
			if c.Now == fairness.Fail {
				sev = SeverityAlert
			}
			add(sev, "fairness verdict changed", "The fairness verdict on %s changed from %s at evaluation to %s this term.", verdictWords(c.Key), c.Evaluated, c.Now)
		}
		if r.Fairness != nil && r.Fairness.Status == fairness.Fail && len(r.VerdictChanges) == 0 {
			add(SeverityAlert, "fairness audit failed", "The fairness audit of this term FAILS (as it did at evaluation).")
		}
	}
	return out
}

func joinReasons(rs []string) string { return strings.Join(rs, "; ") }

func refWords(m Measure) string {
	switch m.Name {
	case "ECE":
		return " (the card's ECE plus the tolerance)"
	case "calibration slope":
		return " (1 is perfect calibration)"
	case "expected precision", "expected recall", "AUC", "precision", "recall":
		return " of the model card"
	}
	return ""
}

func verdictWords(key string) string {
	parts := [4]string{}
	copy(parts[:], strings.SplitN(key, keySeparator, 4))
	return fmt.Sprintf("%s of %s %s against %s", parts[0], parts[1], parts[2], parts[3])
}

func fmtPtr(v *float64) string {
	if v == nil || math.IsNaN(*v) {
		return "undefined"
	}
	return fmt.Sprintf("%.3f", *v)
}

// ExitCode follows the audit's convention: 3 when the entry holds an
// alert, 4 when it holds only watch items and failOnWatch, 0 otherwise.
func (e Entry) ExitCode(failOnWatch bool) int {
	switch {
	case e.Status == "alert":
		return fairness.ExitFail
	case e.Status == "watch" && failOnWatch:
		return fairness.ExitInconclusive
	}
	return 0
}
