package harness

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/evalrun/evalrun/metrics"
	"github.com/evalrun/evalrun/models"
	"github.com/evalrun/evalrun/results"
)

// gridAxis is one hyperparameter of a [models.grid] table and its values.
type gridAxis struct {
	key    string
	values []any
}

// decodeGrid checks a model's grid table against its kind's keys and
// returns its axes in key order.
func decodeGrid(prefix string, raw any, params any, ps *problems) []gridAxis {
	table, ok := raw.(map[string]any)
	if !ok {
		ps.add(prefix+".grid", "must be a table of key = [values]")
		return nil
	}
	allowed := map[string]bool{}
	for _, k := range tomlKeys(reflect.TypeOf(params).Elem()) {
		allowed[k] = true
	}
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var axes []gridAxis
	for _, k := range keys {
		if !allowed[k] {
			ps.add(prefix+".grid."+k, "not a hyperparameter of this model kind")
			continue
		}
		values, ok := table[k].([]any)
		if !ok || len(values) == 0 {
			ps.add(prefix+".grid."+k, "must be a non-empty array of values")
			continue
		}
		axes = append(axes, gridAxis{key: k, values: values})
	}
	return axes
}

// gridCandidates returns every combination of the axes applied to a copy of
// base, in row-major order (the last axis varies fastest), with the values
// of each combination by key.
func gridCandidates(base any, axes []gridAxis) ([]any, []map[string]any, error) {
	var params []any
	var values []map[string]any
	var walk func(i int, cur map[string]any) error
	walk = func(i int, cur map[string]any) error {
		if i == len(axes) {
			p := reflect.New(reflect.TypeOf(base).Elem())
			p.Elem().Set(reflect.ValueOf(base).Elem())
			chosen := map[string]any{}
			for _, a := range axes {
				if err := setParam(p.Interface(), a.key, cur[a.key]); err != nil {
					return err
				}
				chosen[a.key] = cur[a.key]
			}
			params = append(params, p.Interface())
			values = append(values, chosen)
			return nil
		}
		for _, v := range axes[i].values {
			cur[axes[i].key] = v
			if err := walk(i+1, cur); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(0, map[string]any{}); err != nil {
		return nil, nil, err
	}
	return params, values, nil
}

// setParam sets the field of params whose toml tag is key to v, a TOML
// value (int64, float64, string or bool).
func setParam(params any, key string, v any) error {
	rv := reflect.ValueOf(params).Elem()
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		if strings.Split(rt.Field(i).Tag.Get("toml"), ",")[0] != key {
			continue
		}
		f := rv.Field(i)
		if f.Kind() == reflect.Pointer {
			f.Set(reflect.New(f.Type().Elem()))
			f = f.Elem()
		}
		switch f.Kind() {
		case reflect.Float64:
			switch x := v.(type) {
			case float64:
				f.SetFloat(x)
			case int64:
				f.SetFloat(float64(x))
			default:
				return fmt.Errorf("%s: want a number, got %v", key, v)
			}
		case reflect.Int:
			switch x := v.(type) {
			case int64:
				f.SetInt(x)
			case float64:
				if x != math.Trunc(x) {
					return fmt.Errorf("%s: want an integer, got %v", key, v)
				}
				f.SetInt(int64(x))
			default:
				return fmt.Errorf("%s: want an integer, got %v", key, v)
			}
		case reflect.String:
			x, ok := v.(string)
			if !ok {
				return fmt.Errorf("%s: want a string, got %v", key, v)
			}
			f.SetString(x)
		case reflect.Bool:
			x, ok := v.(bool)
			if !ok {
				return fmt.Errorf("%s: want true or false, got %v", key, v)
			}
			f.SetBool(x)
		default:
			return fmt.Errorf("%s: this key cannot be searched over", key)
		}
		return nil
	}
	return fmt.Errorf("%s: not a hyperparameter", key)
}

// selectParams chooses a grid candidate by an inner temporal validation
// inside the fold's training terms: the candidates are fitted on every
// training term but the last (in the split's order) and scored by AUC on the
// last; the best (first on ties) wins. Test rows are never touched.
func (e *evaluation) selectParams(ctx context.Context, seed uint64) (any, *results.Selection, error) {
	inner, prep, err := e.innerValidation()
	if err != nil {
		return nil, nil, err
	}
	sel := &results.Selection{
		Method:         "inner temporal validation",
		TrainTerms:     inner.trainTerms,
		ValidationTerm: inner.testTerms[0],
		Metric:         "auc",
		ValidationRows: len(prep.testY),
	}
	best, bestAUC := -1, math.Inf(-1)
	e.storedGridSeconds = 0
	for i := range e.model.candidates {
		var auc, secs float64
		stored := false
		if e.grid != nil {
			auc, secs, stored = e.grid.lookup(i)
		}
		if stored {
			e.storedGridSeconds += secs
		} else {
			var t0 time.Time
			if e.grid != nil {
				t0 = e.now()
			}
			c, err := e.gridCandidate(ctx, seed, inner, prep, i)
			if err != nil {
				return nil, nil, err
			}
			auc = c.AUC
			if e.grid != nil {
				if err := e.grid.store(i, c, e.since(t0)); err != nil {
					return nil, nil, err
				}
			}
		}
		sel.Candidates = append(sel.Candidates, results.Candidate{Params: e.model.candidateValues[i], AUC: auc})
		if auc > bestAUC {
			best, bestAUC = i, auc
		}
	}
	sel.Chosen = e.model.candidateValues[best]
	return e.model.candidates[best], sel, nil
}

// gridCells gives selectParams the grid candidates computed as cells of a
// sharded run, with the seconds each took to compute, and keeps those it
// computes itself.
type gridCells struct {
	lookup func(i int) (auc, seconds float64, ok bool)
	store  func(i int, c results.Candidate, seconds float64) error
}

// innerMemo is an inner validation fold prepared once.
type innerMemo struct {
	once  sync.Once
	inner fold
	prep  *preparedFold
	err   error
}

// innerValidation prepares the inner temporal validation fold of a grid:
// every training term but the last trains, the last validates. With
// e.inner set, it is prepared once and shared.
func (e *evaluation) innerValidation() (fold, *preparedFold, error) {
	if m := e.inner; m != nil {
		m.once.Do(func() { m.inner, m.prep, m.err = e.prepareInnerValidation() })
		return m.inner, m.prep, m.err
	}
	return e.prepareInnerValidation()
}

func (e *evaluation) prepareInnerValidation() (fold, *preparedFold, error) {
	terms := e.fold.trainTerms
	if len(terms) < 2 {
		return fold{}, nil, fmt.Errorf("model %q has a grid but split %q trains on one term (%s): the inner temporal validation needs at least two", e.model.Name, e.fold.split, strings.Join(terms, ", "))
	}
	inner := fold{
		split:      e.fold.split + "/inner",
		trainTerms: terms[:len(terms)-1],
		testTerms:  terms[len(terms)-1:],
	}
	inner.train = rowsOf(e.frame, inner.trainTerms)
	inner.test = rowsOf(e.frame, inner.testTerms)
	prep := prepareFold(e.data, e.frame, inner)
	if prep.err != nil {
		return fold{}, nil, fmt.Errorf("inner validation: %w", prep.err)
	}
	return inner, prep, nil
}

// gridCandidate fits candidate i on the inner fold and returns its
// validation AUC; its randomness derives from the task name and i.
func (e *evaluation) gridCandidate(ctx context.Context, seed uint64, inner fold, prep *preparedFold, i int) (results.Candidate, error) {
	params := e.model.candidates[i]
	m, err := modelKinds[e.model.Kind].build(params, buildContext{model: e.model.Name})
	if err != nil {
		return results.Candidate{}, err
	}
	train, test, err := groupedRows(params, e.frame, prep)
	if err != nil {
		return results.Candidate{}, err
	}
	fitted, err := m.Fit(ctx, models.TrainingSet{Rows: train, Y: prep.trainY}, TaskRand(seed, e.gridTaskName(i)))
	if err != nil {
		return results.Candidate{}, fmt.Errorf("inner validation, candidate %v: %w", e.model.candidateValues[i], err)
	}
	scores, err := fitted.Predict(ctx, test)
	if err != nil {
		return results.Candidate{}, fmt.Errorf("inner validation, candidate %v: %w", e.model.candidateValues[i], err)
	}
	auc, err := metrics.ROCAUC(prep.testY, scores, nil)
	if err != nil {
		return results.Candidate{}, fmt.Errorf("inner validation on term %s: %w", inner.testTerms[0], err)
	}
	return results.Candidate{Params: e.model.candidateValues[i], AUC: auc}, nil
}

// gridTaskName is the stable name that seeds grid candidate i.
func (e *evaluation) gridTaskName(i int) string { return fmt.Sprintf("%s/grid=%d", e.taskName(), i) }
