package costbenefit

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/evalrun/evalrun/abtest"
	"github.com/evalrun/evalrun/pilot"
	"github.com/evalrun/evalrun/results"
)

// Predictions are one model's test predictions read from a run directory.
type Predictions struct {
	Dataset, Cutoff, Split, Model string
	Scores                        []float64
	Labels                        []uint8
	// Terms is each prediction's test term.
	Terms []string
}

// Selector picks one model's predictions; empty fields match anything but
// must leave a single (dataset, cutoff, split, model).
type Selector struct {
	Dataset, Cutoff, Split, Model string
}

// ReadPredictions reads runDir/predictions.csv (the layout of
// docs/results.md) and returns the rows the selector picks. A selector
// matching several models, splits or cutoffs is an error listing them.
func ReadPredictions(runDir string, sel Selector) (*Predictions, error) {
	path := filepath.Join(runDir, "predictions.csv")
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("costbenefit: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("costbenefit: %s: header: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, need := range []string{"dataset", "cutoff", "split", "model", "term", "score", "label"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("costbenefit: %s: no %q column: not an evalrun predictions.csv", path, need)
		}
	}
	type key struct{ dataset, cutoff, split, model string }
	found := map[key]bool{}
	var keys []key
	out := &Predictions{}
	var chosen *key
	line := 1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			return nil, fmt.Errorf("costbenefit: %s: %w", path, err)
		}
		k := key{rec[col["dataset"]], rec[col["cutoff"]], rec[col["split"]], rec[col["model"]]}
		if (sel.Dataset != "" && k.dataset != sel.Dataset) || (sel.Cutoff != "" && k.cutoff != sel.Cutoff) ||
			(sel.Split != "" && k.split != sel.Split) || (sel.Model != "" && k.model != sel.Model) {
			continue
		}
		if !found[k] {
			found[k] = true
			keys = append(keys, k)
		}
		if chosen == nil {
			c := k
			chosen = &c
		}
		if k != *chosen {
			continue
		}
		s, err := strconv.ParseFloat(rec[col["score"]], 64)
		if err != nil {
			return nil, fmt.Errorf("costbenefit: %s:%d: score: %w", path, line, err)
		}
		var y uint8
		switch rec[col["label"]] {
		case "0":
		case "1":
			y = 1
		default:
			return nil, fmt.Errorf("costbenefit: %s:%d: label %q: want 0 or 1", path, line, rec[col["label"]])
		}
		out.Scores = append(out.Scores, s)
		out.Labels = append(out.Labels, y)
		out.Terms = append(out.Terms, rec[col["term"]])
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("costbenefit: %s: no predictions match dataset=%q cutoff=%q split=%q model=%q", path, sel.Dataset, sel.Cutoff, sel.Split, sel.Model)
	}
	if len(keys) > 1 {
		var names []string
		for _, k := range keys {
			names = append(names, fmt.Sprintf("--dataset %s --cutoff %s --split %s --model %s", k.dataset, orDash(k.cutoff), k.split, k.model))
		}
		return nil, fmt.Errorf("costbenefit: %s holds %d evaluations; choose one:\n  %s", path, len(keys), strings.Join(names, "\n  "))
	}
	out.Dataset, out.Cutoff, out.Split, out.Model = chosen.dataset, chosen.cutoff, chosen.split, chosen.model
	return out, nil
}

func orDash(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

// ReadPilots reads pilot results from path: the JSON array `evalrun abtest
// --json` prints, or a run's results.json (its "abtests"), or a run
// directory holding results.json.
func ReadPilots(path string) ([]*pilot.Result, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, "results.json")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("costbenefit: %w", err)
	}
	var list []*pilot.Result
	if err := json.Unmarshal(b, &list); err == nil {
		return list, nil
	}
	var run results.Run
	if err := json.Unmarshal(b, &run); err != nil {
		return nil, fmt.Errorf("costbenefit: %s: neither `evalrun abtest --json` output nor a results.json: %w", path, err)
	}
	if len(run.Abtests) == 0 {
		return nil, fmt.Errorf("costbenefit: %s: the run has no [[abtests]] pilot results", path)
	}
	return run.Abtests, nil
}

// EffectFrom picks the effect of arm on outcome from the named pilot
// (empty name: the only pilot; empty outcome: the first primary binary
// outcome; empty arm: the first treatment arm analysed).
func EffectFrom(pilots []*pilot.Result, name, outcome, arm string) (Effect, error) {
	var p *pilot.Result
	var names []string
	for _, r := range pilots {
		names = append(names, r.Name)
		if r.Name == name || (name == "" && len(pilots) == 1) {
			p = r
		}
	}
	if p == nil {
		if name == "" {
			return Effect{}, fmt.Errorf("costbenefit: %d pilots (%s): choose one with --pilot-name", len(pilots), strings.Join(names, ", "))
		}
		return Effect{}, fmt.Errorf("costbenefit: no pilot %q (have: %s)", name, strings.Join(names, ", "))
	}
	var candidates []string
	for _, e := range p.Analysis.Effects {
		if e.Kind != abtest.Binary {
			continue
		}
		candidates = append(candidates, e.Arm+" on "+e.Outcome)
		if (outcome == "" && !e.Primary) || (outcome != "" && e.Outcome != outcome) || (arm != "" && e.Arm != arm) {
			continue
		}
		if e.Proportions == nil {
			return Effect{}, fmt.Errorf("costbenefit: pilot %s: %s on %s has no arm proportions", p.Name, e.Arm, e.Outcome)
		}
		level := p.Inputs.Plan.Level
		if level == 0 {
			level = 0.95
		}
		return Effect{Pilot: p.Name, Arm: e.Arm, Outcome: e.Outcome, RiskDifference: e.Estimate, Lower: e.CI.Lower, Upper: e.CI.Upper,
			Level: level, Method: e.Method, ControlRate: e.Proportions.P2, ControlN: e.Proportions.N2}, nil
	}
	if len(candidates) == 0 {
		return Effect{}, errors.New("costbenefit: pilot " + p.Name + " has no binary outcome (DFW) effect")
	}
	slices.Sort(candidates)
	return Effect{}, fmt.Errorf("costbenefit: pilot %s has no binary effect matching outcome %q arm %q (have: %s)", p.Name, outcome, arm, strings.Join(candidates, "; "))
}
