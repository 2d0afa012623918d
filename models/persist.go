package models

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"sync"
)

// Persistent is a fitted model whose every fitted parameter can be written
// out and read back: UnmarshalFitted(m.MarshalFitted()) predicts exactly
// (bit for bit) what m predicts, on any machine. Every model kind fitted
// inside evalrun implements it; models scored outside (predictions files,
// commands) do not.
type Persistent interface {
	Fitted
	// MarshalFitted returns the model's kind and its fitted parameters.
	MarshalFitted() (FittedParams, error)
}

// FittedParams is a fitted model as data: its kind ("logistic", "prior",
// "rule", "tree", "random_forest", "gbm", or a kind registered with
// RegisterFittedKind) and the kind's parameters as a JSON object. Numbers
// are written with the shortest representation that reads back to the same
// float64. A tree ensemble's nodes (kinds "tree", "random_forest", "gbm")
// are in Trees, beside Params rather than inside: a reader of the enclosing
// document passes over their megabytes once, where the bytes of Params are
// scanned again when the kind decodes them.
type FittedParams struct {
	Kind   string          `json:"kind"`
	Params json.RawMessage `json:"params"`
	Trees  *TreeColumns    `json:"trees,omitempty"`
}

var (
	fittedKindsMu sync.RWMutex
	fittedKinds   = map[string]func(json.RawMessage) (Fitted, error){
		"prior":    unmarshalPrior,
		"rule":     unmarshalRule,
		"logistic": unmarshalLogistic,
	}
	// treeKinds read their parameters and FittedParams.Trees.
	treeKinds = map[string]func(json.RawMessage, *TreeColumns) (Fitted, error){
		"tree":          unmarshalTree,
		"random_forest": unmarshalForest,
		"gbm":           unmarshalGBM,
	}
)

// RegisterFittedKind lets a model kind defined outside this file be read back
// by UnmarshalFitted. It panics when kind is empty or already registered (a
// programmer error).
func RegisterFittedKind(kind string, decode func(params json.RawMessage) (Fitted, error)) {
	fittedKindsMu.Lock()
	defer fittedKindsMu.Unlock()
	if kind == "" || decode == nil {
		panic("models: RegisterFittedKind with an empty kind or nil decoder")
	}
	if _, dup := fittedKinds[kind]; dup || treeKinds[kind] != nil {
		panic(fmt.Sprintf("models: fitted kind %q registered twice", kind))
	}
	fittedKinds[kind] = decode
}

// FittedKinds lists the kinds UnmarshalFitted reads, sorted.
func FittedKinds() []string {
	fittedKindsMu.RLock()
	defer fittedKindsMu.RUnlock()
	out := make([]string, 0, len(fittedKinds)+len(treeKinds))
	for k := range fittedKinds {
		out = append(out, k)
	}
	for k := range treeKinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// UnmarshalFitted rebuilds the fitted model MarshalFitted wrote. It returns
// an error for an unknown kind and for parameters that are malformed or
// inconsistent (wrong lengths, child indexes out of range, non-finite
// coefficients), naming the field.
func UnmarshalFitted(p FittedParams) (Fitted, error) {
	fittedKindsMu.RLock()
	decode, ok := fittedKinds[p.Kind]
	fittedKindsMu.RUnlock()
	decodeEnsemble, isTrees := treeKinds[p.Kind]
	var f Fitted
	var err error
	switch {
	case isTrees:
		if p.Trees == nil {
			return nil, fmt.Errorf("%s: no trees", p.Kind)
		}
		f, err = decodeEnsemble(p.Params, p.Trees)
	case !ok:
		return nil, fmt.Errorf("unknown fitted model kind %q (known: %v)", p.Kind, FittedKinds())
	case p.Trees != nil:
		return nil, fmt.Errorf("%s: trees given to a model kind without trees", p.Kind)
	default:
		f, err = decode(p.Params)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.Kind, err)
	}
	return f, nil
}

func marshalParams(kind string, v any) (FittedParams, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return FittedParams{}, fmt.Errorf("%s: encoding fitted parameters: %w", kind, err)
	}
	return FittedParams{Kind: kind, Params: b}, nil
}

func decodeStrict(data json.RawMessage, v any) error {
	if len(data) == 0 {
		return fmt.Errorf("no parameters")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("parameters: %w", err)
	}
	return nil
}

func checkFinite(field string, vs ...float64) error {
	for i, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s[%d] is %v, want a finite number", field, i, v)
		}
	}
	return nil
}

// priorParams is FittedPrior as data.
type priorParams struct {
	Rate    float64  `json:"rate"`
	N       int      `json:"n"`
	Columns []string `json:"columns"`
}

// MarshalFitted writes the base rate, the training row count and columns.
func (f *FittedPrior) MarshalFitted() (FittedParams, error) {
	return marshalParams("prior", priorParams{Rate: f.rate, N: f.n, Columns: f.names})
}

func unmarshalPrior(data json.RawMessage) (Fitted, error) {
	var p priorParams
	if err := decodeStrict(data, &p); err != nil {
		return nil, err
	}
	if !(p.Rate >= 0 && p.Rate <= 1) {
		return nil, fmt.Errorf("rate %v outside [0, 1]", p.Rate)
	}
	return &FittedPrior{rate: p.Rate, n: p.N, names: p.Columns}, nil
}

// ruleParams is FittedRule as data.
type ruleParams struct {
	Feature   string   `json:"feature"`
	Direction string   `json:"direction"`
	Columns   []string `json:"columns"`
}

// MarshalFitted writes the feature, the direction and the columns.
func (f *FittedRule) MarshalFitted() (FittedParams, error) {
	dir := "higher"
	if f.sign < 0 {
		dir = "lower"
	}
	return marshalParams("rule", ruleParams{Feature: f.feature, Direction: dir, Columns: f.names})
}

func unmarshalRule(data json.RawMessage) (Fitted, error) {
	var p ruleParams
	if err := decodeStrict(data, &p); err != nil {
		return nil, err
	}
	f := &FittedRule{feature: p.Feature, col: -1, names: p.Columns}
	switch p.Direction {
	case "higher":
		f.sign = 1
	case "lower":
		f.sign = -1
	default:
		return nil, fmt.Errorf("direction %q: want \"higher\" or \"lower\"", p.Direction)
	}
	for j, n := range p.Columns {
		if n == p.Feature {
			f.col = j
		}
	}
	if f.col < 0 {
		return nil, fmt.Errorf("feature %q is not one of the columns", p.Feature)
	}
	return f, nil
}

// logisticParams is FittedLogistic as data: the configuration, the
// per-column shift (mean), divisor (sd) and training mean (center), the
// coefficients on the fitted scale and the intercept, and the solver's
// outcome.
type logisticParams struct {
	Config          LogisticConfig `json:"config"`
	Columns         []string       `json:"columns"`
	Mean            []float64      `json:"mean"`
	SD              []float64      `json:"sd"`
	Center          []float64      `json:"center"`
	ZeroVariance    []string       `json:"zero_variance,omitempty"`
	Coefficients    []float64      `json:"coefficients"`
	Intercept       float64        `json:"intercept"`
	Iterations      int            `json:"iterations"`
	Converged       bool           `json:"converged"`
	GradientMaxNorm float64        `json:"gradient_max_norm"`
	StopMessage     string         `json:"stop_message,omitempty"`
}

// MarshalFitted writes every fitted parameter of the regression.
func (f *FittedLogistic) MarshalFitted() (FittedParams, error) {
	return marshalParams("logistic", logisticParams{
		Config: f.config, Columns: f.names, Mean: f.mean, SD: f.sd, Center: f.center, ZeroVariance: f.zeroVar,
		Coefficients: f.coef, Intercept: f.intercept, Iterations: f.iter, Converged: f.converged,
		GradientMaxNorm: f.gradNorm, StopMessage: f.stopped,
	})
}

func unmarshalLogistic(data json.RawMessage) (Fitted, error) {
	var p logisticParams
	if err := decodeStrict(data, &p); err != nil {
		return nil, err
	}
	d := len(p.Columns)
	for _, c := range []struct {
		name string
		v    []float64
	}{{"mean", p.Mean}, {"sd", p.SD}, {"center", p.Center}, {"coefficients", p.Coefficients}} {
		if len(c.v) != d {
			return nil, fmt.Errorf("%s has %d values for %d columns", c.name, len(c.v), d)
		}
		if err := checkFinite(c.name, c.v...); err != nil {
			return nil, err
		}
	}
	for j, s := range p.SD {
		if !(s > 0) {
			return nil, fmt.Errorf("sd[%d] is %v, want > 0", j, s)
		}
	}
	if err := checkFinite("intercept", p.Intercept); err != nil {
		return nil, err
	}
	return &FittedLogistic{config: p.Config, names: p.Columns, mean: p.Mean, sd: p.SD, center: p.Center,
		zeroVar: p.ZeroVariance, coef: p.Coefficients, intercept: p.Intercept, iter: p.Iterations,
		converged: p.Converged, gradNorm: p.GradientMaxNorm, stopped: p.StopMessage}, nil
}

// ensembleParams is the prediction side of a tree ensemble as data: raw
// score = Init + Scale · Σ_t tree_t(x), the logistic of it when LogOdds.
// The trees themselves are FittedParams.Trees.
type ensembleParams struct {
	Columns  []string `json:"columns"`
	Scale    float64  `json:"scale"`
	Init     float64  `json:"init"`
	LogOdds  bool     `json:"log_odds"`
	AllowNaN bool     `json:"allow_missing"`
}

func (e *treeEnsemble) params() (ensembleParams, *TreeColumns, error) {
	cols, err := encodeTrees(e.trees)
	if err != nil {
		return ensembleParams{}, nil, fmt.Errorf("%s: %w", e.kind, err)
	}
	return ensembleParams{Columns: e.names, Scale: e.scale, Init: e.init, LogOdds: e.logOdds, AllowNaN: e.allowNaN}, &cols, nil
}

func (p ensembleParams) ensemble(kind string, tc *TreeColumns) (*treeEnsemble, error) {
	if err := checkFinite("scale", p.Scale); err != nil {
		return nil, err
	}
	if err := checkFinite("init", p.Init); err != nil {
		return nil, err
	}
	trees, depth, err := decodeTrees(*tc, len(p.Columns))
	if err != nil {
		return nil, err
	}
	// newTreeEnsemble with the depth decodeTrees measured on the way.
	return &treeEnsemble{kind: kind, names: p.Columns, trees: trees, scale: p.Scale, init: p.Init, logOdds: p.LogOdds, allowNaN: p.AllowNaN, maxDepth: depth}, nil
}

func marshalEnsemble(kind string, params any, trees *TreeColumns) (FittedParams, error) {
	p, err := marshalParams(kind, params)
	p.Trees = trees
	return p, err
}

type treeParamsJSON struct {
	Config TreeConfig `json:"config"`
	ensembleParams
}

// MarshalFitted writes the configuration and every node of the tree.
func (f *FittedTree) MarshalFitted() (FittedParams, error) {
	e, trees, err := f.params()
	if err != nil {
		return FittedParams{}, err
	}
	return marshalEnsemble("tree", treeParamsJSON{Config: f.config, ensembleParams: e}, trees)
}

func unmarshalTree(data json.RawMessage, trees *TreeColumns) (Fitted, error) {
	var p treeParamsJSON
	if err := decodeStrict(data, &p); err != nil {
		return nil, err
	}
	e, err := p.ensemble("tree", trees)
	if err != nil {
		return nil, err
	}
	if len(e.trees) != 1 {
		return nil, fmt.Errorf("a tree has %d trees", len(e.trees))
	}
	return &FittedTree{treeEnsemble: e, config: p.Config}, nil
}

type forestParamsJSON struct {
	Config      ForestConfig `json:"config"`
	MaxFeatures int          `json:"max_features_resolved"`
	ensembleParams
}

// MarshalFitted writes the configuration and every node of every tree.
func (f *FittedForest) MarshalFitted() (FittedParams, error) {
	e, trees, err := f.params()
	if err != nil {
		return FittedParams{}, err
	}
	return marshalEnsemble("random_forest", forestParamsJSON{Config: f.config, MaxFeatures: f.maxFeatures, ensembleParams: e}, trees)
}

func unmarshalForest(data json.RawMessage, trees *TreeColumns) (Fitted, error) {
	var p forestParamsJSON
	if err := decodeStrict(data, &p); err != nil {
		return nil, err
	}
	e, err := p.ensemble("random_forest", trees)
	if err != nil {
		return nil, err
	}
	return &FittedForest{treeEnsemble: e, config: p.Config, maxFeatures: p.MaxFeatures}, nil
}

type gbmParamsJSON struct {
	Config GBMConfig `json:"config"`
	Notes  []string  `json:"notes"`
	ensembleParams
}

// MarshalFitted writes the configuration, the baseline log-odds and every
// node of every tree (leaf values already shrunk by the learning rate).
func (f *FittedGBM) MarshalFitted() (FittedParams, error) {
	e, trees, err := f.params()
	if err != nil {
		return FittedParams{}, err
	}
	return marshalEnsemble("gbm", gbmParamsJSON{Config: f.config, Notes: f.notes, ensembleParams: e}, trees)
}

func unmarshalGBM(data json.RawMessage, trees *TreeColumns) (Fitted, error) {
	var p gbmParamsJSON
	if err := decodeStrict(data, &p); err != nil {
		return nil, err
	}
	e, err := p.ensemble("gbm", trees)
	if err != nil {
		return nil, err
	}
	return &FittedGBM{treeEnsemble: e, config: p.Config, notes: p.Notes}, nil
}

var (
	_ Persistent = (*FittedPrior)(nil)
	_ Persistent = (*FittedRule)(nil)
	_ Persistent = (*FittedLogistic)(nil)
	_ Persistent = (*FittedTree)(nil)
	_ Persistent = (*FittedForest)(nil)
	_ Persistent = (*FittedGBM)(nil)
)
