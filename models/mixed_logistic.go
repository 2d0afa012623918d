package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"math/rand/v2"
	"sort"

	"github.com/evalrun/evalrun/multilevel"
)

// MixedLogisticConfig configures the random-intercept logistic regression
// of kind "mixed_logistic".
type MixedLogisticConfig struct {
	// GroupColumn names the column whose labels are the groups (for OULAD
	// "code_module"); the caller fills Rows.Groups from it.
	GroupColumn string `json:"group"`
	// NAGQ is the number of adaptive Gauss-Hermite nodes: 0 or 1 for the
	// Laplace approximation (lme4's default), up to multilevel.MaxNAGQ.
	NAGQ int `json:"n_agq"`
}

// MixedLogistic is an untrained random-intercept logistic regression:
// fixed effects on every feature column plus a random intercept per group,
// fitted by maximum likelihood as lme4's glmer (package multilevel).
type MixedLogistic struct {
	Config MixedLogisticConfig
}

// Grouped is a model (trained or not) whose scores depend on each row's
// group: whoever hands it rows fills Rows.Groups from GroupColumn.
type Grouped interface {
	GroupColumn() string
}

// GroupColumn names the grouping column.
func (m MixedLogistic) GroupColumn() string { return m.Config.GroupColumn }

// RandomInterceptSummary is the random part of a fitted multilevel model
// in results.json.
type RandomInterceptSummary struct {
	// Group is the grouping column; Groups the number of groups in the
	// training rows.
	Group  string `json:"group"`
	Groups int    `json:"groups"`
	// SD is the random-intercept standard deviation (log-odds scale).
	SD float64 `json:"sd"`
	// ICC is the latent-scale intraclass correlation SD²/(SD² + π²/3).
	ICC float64 `json:"icc"`
	// SingularFit says the SD was estimated at zero (lme4's "boundary
	// (singular) fit"): the model is then plain logistic regression.
	SingularFit bool `json:"singular_fit"`
	// LogLik is the maximised log-likelihood (Laplace approximation when
	// NAGQ is 1, adaptive Gauss-Hermite otherwise).
	LogLik float64 `json:"loglik"`
	NAGQ   int     `json:"n_agq"`
	// Modes are the groups' conditional modes (the random intercepts added
	// to a known group's log-odds), by group label.
	Modes map[string]float64 `json:"modes"`
	// UnlabeledTrainingRows counts training rows without a group label,
	// left out of the fit.
	UnlabeledTrainingRows int `json:"unlabeled_training_rows,omitempty"`
}

// FittedMixedLogistic is a trained random-intercept logistic regression.
// Rows of a group seen in training are scored with the group's conditional
// mode added to the log-odds; rows of an unseen group (or without a label)
// at the population level, random intercept 0.
type FittedMixedLogistic struct {
	config    MixedLogisticConfig
	names     []string
	beta      []float64 // intercept first, raw feature scale
	se        []float64
	center    []float64 // training mean of each column, the reference of Explain
	dropped   []string  // columns dropped as collinear
	sd        float64
	loglik    float64
	singular  bool
	nagq      int
	groups    []string // sorted
	modes     []float64
	rows      int
	unlabeled int
	iter      int
	converged bool
	warnings  []string
	modeOf    map[string]float64
}

// Fit fits the model to the training rows whose group label is not empty
// (rows without one are counted in the summary). It returns an error for
// an invalid training set, a missing Rows.Groups, and every error of
// multilevel.FitRandomIntercept (fewer than two groups, one class,
// n_agq out of range). rng is not used.
func (m MixedLogistic) Fit(ctx context.Context, train TrainingSet, _ *rand.Rand) (Fitted, error) {
	const kind = "mixed_logistic"
	if err := validateTraining(kind, train, false, true); err != nil {
		return nil, err
	}
	x := train.X
	if len(train.Groups) != x.Rows {
		return nil, fmt.Errorf("%s: %d group labels (column %q) for %d training rows", kind, len(train.Groups), m.Config.GroupColumn, x.Rows)
	}
	d := multilevel.Data{Cols: x.Cols, Names: copyNames(x.Names, x.Cols)}
	unlabeled := 0
	center := make([]float64, x.Cols)
	for i := 0; i < x.Rows; i++ {
		if train.Groups[i] == "" {
			unlabeled++
			continue
		}
		row := x.Row(i)
		d.X = append(d.X, row...)
		for j, v := range row {
			center[j] += v
		}
		d.Y = append(d.Y, float64(train.Y[i]))
		d.Group = append(d.Group, train.Groups[i])
	}
	if len(d.Y) > 0 {
		for j := range center {
			center[j] /= float64(len(d.Y))
		}
	}
	fit, err := multilevel.FitRandomIntercept(ctx, d, multilevel.Options{NAGQ: m.Config.NAGQ})
	if err != nil {
		return nil, fmt.Errorf("%s (group %q): %w", kind, m.Config.GroupColumn, err)
	}
	f := &FittedMixedLogistic{
		config: m.Config, names: d.Names, beta: fit.Beta, se: fit.SE, center: center, sd: fit.SD, loglik: fit.LogLik,
		singular: fit.Singular, nagq: fit.NAGQ, groups: fit.Groups, modes: fit.Modes, rows: fit.N, unlabeled: unlabeled,
		iter: fit.Iterations, converged: fit.Converged, warnings: fit.Warnings,
	}
	for _, j := range fit.Dropped {
		f.dropped = append(f.dropped, d.Names[j])
	}
	f.index()
	return f, nil
}

func (f *FittedMixedLogistic) index() {
	f.modeOf = make(map[string]float64, len(f.groups))
	for g, label := range f.groups {
		f.modeOf[label] = f.modes[g]
	}
}

// GroupColumn names the grouping column.
func (f *FittedMixedLogistic) GroupColumn() string { return f.config.GroupColumn }

// KnownGroup reports whether the training rows held the group: only then
// does a row's score include a conditional mode.
func (f *FittedMixedLogistic) KnownGroup(label string) bool {
	_, ok := f.modeOf[label]
	return ok
}

// PopulationLevelRows counts the rows scored at the population level
// because their group was not in the training rows (or is empty).
func (f *FittedMixedLogistic) PopulationLevelRows(rows Rows) int {
	n := 0
	for _, g := range rows.Groups {
		if !f.KnownGroup(g) {
			n++
		}
	}
	return n
}

func (f *FittedMixedLogistic) check(rows Rows) error {
	if err := validatePredictRows("mixed_logistic", rows, f.names, len(f.names), false); err != nil {
		return err
	}
	if len(rows.Groups) != rows.X.Rows {
		return fmt.Errorf("mixed_logistic: %d group labels (column %q) for %d rows", len(rows.Groups), f.config.GroupColumn, rows.X.Rows)
	}
	return nil
}

// RawScore returns each row's log-odds: [1 x]·β plus the conditional mode
// of the row's group when the group is known.
func (f *FittedMixedLogistic) RawScore(ctx context.Context, rows Rows) ([]float64, error) {
	if err := f.check(rows); err != nil {
		return nil, err
	}
	out := make([]float64, rows.X.Rows)
	for i := range out {
		eta := f.beta[0]
		for j, v := range rows.X.Row(i) {
			eta += f.beta[j+1] * v
		}
		out[i] = eta + f.modeOf[rows.Groups[i]]
	}
	return out, nil
}

// Predict returns the probability of the at-risk outcome of each row.
func (f *FittedMixedLogistic) Predict(ctx context.Context, rows Rows) ([]float64, error) {
	eta, err := f.RawScore(ctx, rows)
	if err != nil {
		return nil, err
	}
	for i, v := range eta {
		eta[i] = sigmoid(v)
	}
	return eta, nil
}

// RawScoreScale reports the scale Explain's values add up on.
func (f *FittedMixedLogistic) RawScoreScale() string { return "log-odds" }

// Explain splits each row's log-odds into per-feature contributions
// β_j·(x_j − training mean_j) and a base: the log-odds at the training
// mean plus the row's group's conditional mode (0 for an unseen group), so
// base differs between groups and base + Σ contributions = RawScore.
func (f *FittedMixedLogistic) Explain(ctx context.Context, rows Rows) (contributions [][]float64, base []float64, err error) {
	if err := f.check(rows); err != nil {
		return nil, nil, err
	}
	b0 := f.beta[0]
	for j, c := range f.center {
		b0 += f.beta[j+1] * c
	}
	contributions = make([][]float64, rows.X.Rows)
	base = make([]float64, rows.X.Rows)
	for i := range contributions {
		ci := make([]float64, len(f.names))
		for j, v := range rows.X.Row(i) {
			ci[j] = f.beta[j+1] * (v - f.center[j])
		}
		contributions[i] = ci
		base[i] = b0 + f.modeOf[rows.Groups[i]]
	}
	return contributions, base, nil
}

// GroupEffects returns each row's random intercept: the conditional mode
// of its group, 0 for a group the training rows did not hold.
func (f *FittedMixedLogistic) GroupEffects(rows Rows) ([]float64, error) {
	if err := f.check(rows); err != nil {
		return nil, err
	}
	out := make([]float64, rows.X.Rows)
	for i, g := range rows.Groups {
		out[i] = f.modeOf[g]
	}
	return out, nil
}

// ICC returns the latent-scale intraclass correlation SD²/(SD² + π²/3).
func (f *FittedMixedLogistic) ICC() float64 {
	v := f.sd * f.sd
	return v / (v + multilevel.ResidualVarianceLogit)
}

// Summary reports the fixed effects (raw feature scale, conditional on the
// random intercept), the random intercept (SD, ICC, singular fit, the
// groups' conditional modes) and the optimiser's outcome.
func (f *FittedMixedLogistic) Summary() Summary {
	coef := make(map[string]float64, len(f.names))
	for j, n := range f.names {
		coef[n] = f.beta[j+1]
	}
	b0 := f.beta[0]
	conv := f.converged
	nagq := max(f.nagq, 1)
	s := Summary{
		Kind:             "mixed_logistic",
		Params:           map[string]any{"group": f.config.GroupColumn, "n_agq": nagq},
		Coefficients:     coef,
		CoefficientScale: "raw: conditional log-odds per unit of the encoded feature (within a group)",
		Intercept:        &b0,
		Iterations:       f.iter,
		Converged:        &conv,
		RandomIntercept: &RandomInterceptSummary{
			Group: f.config.GroupColumn, Groups: len(f.groups), SD: f.sd, ICC: f.ICC(), SingularFit: f.singular,
			LogLik: f.loglik, NAGQ: nagq, Modes: make(map[string]float64, len(f.groups)), UnlabeledTrainingRows: f.unlabeled,
		},
	}
	for g, label := range f.groups {
		s.RandomIntercept.Modes[label] = f.modes[g]
	}
	if f.singular {
		s.Notes = append(s.Notes, fmt.Sprintf("singular fit: the random-intercept SD of %q is estimated at 0, so the model equals plain logistic regression", f.config.GroupColumn))
	}
	if len(f.dropped) > 0 {
		s.Notes = append(s.Notes, fmt.Sprintf("columns collinear with the intercept and earlier columns dropped from the fixed effects (coefficient 0): %v", f.dropped))
	}
	if f.unlabeled > 0 {
		s.Notes = append(s.Notes, fmt.Sprintf("%d training rows without a %q label left out of the fit", f.unlabeled, f.config.GroupColumn))
	}
	s.Notes = append(s.Notes, f.warnings...)
	return s
}

// StdErrors returns the Wald standard errors of the intercept and the
// coefficients, in column order after the intercept (nil when the fixed
// effects are not identified).
func (f *FittedMixedLogistic) StdErrors() []float64 { return append([]float64(nil), f.se...) }

// mixedLogisticParams is FittedMixedLogistic as data.
type mixedLogisticParams struct {
	Config       MixedLogisticConfig `json:"config"`
	Columns      []string            `json:"columns"`
	Intercept    float64             `json:"intercept"`
	Coefficients []float64           `json:"coefficients"`
	StdErrors    []float64           `json:"std_errors"`
	Center       []float64           `json:"center"`
	Dropped      []string            `json:"dropped,omitempty"`
	SD           float64             `json:"sd"`
	LogLik       float64             `json:"loglik"`
	Singular     bool                `json:"singular_fit"`
	NAGQ         int                 `json:"n_agq"`
	Groups       []string            `json:"groups"`
	Modes        []float64           `json:"modes"`
	Rows         int                 `json:"rows"`
	Unlabeled    int                 `json:"unlabeled_rows"`
	Iterations   int                 `json:"iterations"`
	Converged    bool                `json:"converged"`
	Warnings     []string            `json:"warnings,omitempty"`
}

// MarshalFitted writes every fitted parameter: fixed effects with their
// standard errors, the random-intercept SD and every group's conditional
// mode.
func (f *FittedMixedLogistic) MarshalFitted() (FittedParams, error) {
	return marshalParams("mixed_logistic", mixedLogisticParams{
		Config: f.config, Columns: f.names, Intercept: f.beta[0], Coefficients: f.beta[1:], StdErrors: f.se, Center: f.center,
		Dropped: f.dropped, SD: f.sd, LogLik: f.loglik, Singular: f.singular, NAGQ: f.nagq, Groups: f.groups, Modes: f.modes,
		Rows: f.rows, Unlabeled: f.unlabeled, Iterations: f.iter, Converged: f.converged, Warnings: f.warnings,
	})
}

func unmarshalMixedLogistic(data json.RawMessage) (Fitted, error) {
	var p mixedLogisticParams
	if err := decodeStrict(data, &p); err != nil {
		return nil, err
	}
	d := len(p.Columns)
	if p.Config.GroupColumn == "" {
		return nil, errors.New("config.group is empty")
	}
	if len(p.Coefficients) != d || len(p.Center) != d || (p.StdErrors != nil && len(p.StdErrors) != d+1) {
		return nil, fmt.Errorf("%d coefficients, %d centers and %d standard errors for %d columns (want %d, %d, %d or none)",
			len(p.Coefficients), len(p.Center), len(p.StdErrors), d, d, d, d+1)
	}
	if len(p.Modes) != len(p.Groups) {
		return nil, fmt.Errorf("%d modes for %d groups", len(p.Modes), len(p.Groups))
	}
	if !sort.StringsAreSorted(p.Groups) {
		return nil, errors.New("groups are not sorted")
	}
	for _, c := range []struct {
		name string
		v    []float64
	}{{"coefficients", p.Coefficients}, {"std_errors", p.StdErrors}, {"center", p.Center}, {"modes", p.Modes}, {"intercept", []float64{p.Intercept}}, {"sd", []float64{p.SD}}} {
		if err := checkFinite(c.name, c.v...); err != nil {
			return nil, err
		}
	}
	if p.SD < 0 {
		return nil, fmt.Errorf("sd is %v, want >= 0", p.SD)
	}
	f := &FittedMixedLogistic{
		config: p.Config, names: p.Columns, beta: append([]float64{p.Intercept}, p.Coefficients...), se: p.StdErrors, center: p.Center,
		dropped: p.Dropped, sd: p.SD, loglik: p.LogLik, singular: p.Singular, nagq: p.NAGQ, groups: p.Groups, modes: p.Modes,
		rows: p.Rows, unlabeled: p.Unlabeled, iter: p.Iterations, converged: p.Converged, warnings: p.Warnings,
	}
	for i := 1; i < len(f.groups); i++ {
		if f.groups[i] == f.groups[i-1] {
			return nil, fmt.Errorf("group %q listed twice", f.groups[i])
		}
	}
	f.index()
	return f, nil
}

func init() {
	RegisterFittedKind("mixed_logistic", unmarshalMixedLogistic)
}

var (
	_ Persistent = (*FittedMixedLogistic)(nil)
	_ Explainer  = (*FittedMixedLogistic)(nil)
	_ Grouped    = (*FittedMixedLogistic)(nil)
	_ Grouped    = MixedLogistic{}
)
