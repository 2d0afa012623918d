// Package external brings models trained outside the harness into an
// experiment: scores read from a predictions file, and scores produced by a
// user's program that the harness runs on each split's rows. The harness
// still owns splits, metrics, fairness and reports.
package external

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/evalrun/evalrun/models"
)

// PredictionsConfig locates scores computed elsewhere in a CSV file.
type PredictionsConfig struct {
	Path string
	// KeyColumn holds the row key the harness uses (the `key` column of
	// the rows a command model receives; "AAA/2013J/11391" for OULAD,
	// "<term>/<id>" for csv datasets). Default "key".
	KeyColumn string
	// ScoreColumn holds the score. Default "score".
	ScoreColumn string
	// SplitColumn holds the split (fold) name. Default "split".
	SplitColumn string
	// CutoffColumn holds the cutoff day; a file without this column serves
	// every cutoff. Default "cutoff".
	CutoffColumn string
}

// Defaults fills the column names left empty with their defaults.
func (c *PredictionsConfig) Defaults() { c.defaults() }

func (c *PredictionsConfig) defaults() {
	if c.KeyColumn == "" {
		c.KeyColumn = "key"
	}
	if c.ScoreColumn == "" {
		c.ScoreColumn = "score"
	}
	if c.SplitColumn == "" {
		c.SplitColumn = "split"
	}
	if c.CutoffColumn == "" {
		c.CutoffColumn = "cutoff"
	}
}

// PredictionsFile holds every score of a predictions file, keyed by split,
// cutoff and row key.
type PredictionsFile struct {
	path      string
	hasCutoff bool
	scores    map[predictionKey]float64
	rows      int
}

type predictionKey struct {
	split, cutoff, key string
}

// LoadPredictions reads a predictions CSV. Errors name the file, line and
// column: a missing column, an unparseable or non-finite score, a key that
// appears twice for the same split and cutoff (both lines named).
func LoadPredictions(cfg PredictionsConfig) (*PredictionsFile, error) {
	cfg.defaults()
	f, err := os.Open(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("predictions file: %w", err)
	}
	defer f.Close()
	return parsePredictions(cfg, f)
}

// ParsePredictions reads a predictions CSV from r with LoadPredictions'
// rules; cfg.Path names the input in messages. Readers of other formats
// (Parquet) hand it their rows as CSV.
func ParsePredictions(cfg PredictionsConfig, r io.Reader) (*PredictionsFile, error) {
	cfg.defaults()
	return parsePredictions(cfg, r)
}

func parsePredictions(cfg PredictionsConfig, r io.Reader) (*PredictionsFile, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty file, want a header with %s, %s and %s", cfg.Path, cfg.KeyColumn, cfg.SplitColumn, cfg.ScoreColumn)
		}
		return nil, fmt.Errorf("%s: %w", cfg.Path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	var missing []string
	for _, name := range []string{cfg.KeyColumn, cfg.SplitColumn, cfg.ScoreColumn} {
		if _, ok := col[name]; !ok && name != "" {
			missing = append(missing, strconv.Quote(name))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s:1: missing column %s (header: %s)", cfg.Path, strings.Join(missing, ", "), strings.Join(header, ","))
	}
	p := &PredictionsFile{path: cfg.Path, scores: map[predictionKey]float64{}}
	keyCol, scoreCol := col[cfg.KeyColumn], col[cfg.ScoreColumn]
	splitCol, hasSplit := col[cfg.SplitColumn]
	cutoffCol, hasCutoff := col[cfg.CutoffColumn]
	p.hasCutoff = hasCutoff
	firstLine := map[predictionKey]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", cfg.Path, err)
		}
		line, _ := cr.FieldPos(0)
		k := predictionKey{key: rec[keyCol]}
		if hasSplit {
			k.split = rec[splitCol]
		}
		if hasCutoff {
			k.cutoff = rec[cutoffCol]
		}
		if k.key == "" {
			return nil, fmt.Errorf("%s:%d: field %q: empty key", cfg.Path, line, cfg.KeyColumn)
		}
		score, err := strconv.ParseFloat(strings.TrimSpace(rec[scoreCol]), 64)
		if err != nil || math.IsNaN(score) || math.IsInf(score, 0) {
			return nil, fmt.Errorf("%s:%d: field %q: invalid score %q", cfg.Path, line, cfg.ScoreColumn, rec[scoreCol])
		}
		if prev, dup := firstLine[k]; dup {
			return nil, fmt.Errorf("%s:%d: duplicate key %q%s%s (first on line %d)", cfg.Path, line, k.key, splitText(k.split, hasSplit), cutoffText(k.cutoff, hasCutoff), prev)
		}
		firstLine[k] = line
		p.scores[k] = score
		p.rows++
	}
	return p, nil
}

func splitText(split string, has bool) string {
	if !has {
		return ""
	}
	return fmt.Sprintf(" for split %q", split)
}

func cutoffText(cutoff string, has bool) string {
	if !has {
		return ""
	}
	return fmt.Sprintf(" and cutoff %q", cutoff)
}

// Rows returns the number of scores in the file.
func (p *PredictionsFile) Rows() int { return p.rows }

// Model returns the model whose scores for one split and cutoff come from
// the file. cutoff is the decimal cutoff day, or "" for datasets without
// cutoffs; it is ignored when the file has no cutoff column.
func (p *PredictionsFile) Model(split, cutoff string) models.Model {
	if !p.hasCutoff {
		cutoff = ""
	}
	return &predictionsModel{file: p, split: split, cutoff: cutoff}
}

type predictionsModel struct {
	file          *PredictionsFile
	split, cutoff string
}

// Fit trains nothing: the scores were computed elsewhere.
func (m *predictionsModel) Fit(ctx context.Context, train models.TrainingSet, _ *rand.Rand) (models.Fitted, error) {
	return m, nil
}

// Predict looks up each row's score. Keys the file lacks are an error that
// names them.
func (m *predictionsModel) Predict(ctx context.Context, rows models.Rows) ([]float64, error) {
	return m.file.lookup(rows.Keys, m.split, m.cutoff)
}

// lookup returns the scores of keys for one split and cutoff; keys the
// file lacks are an error that names them.
func (p *PredictionsFile) lookup(keys []string, split, cutoff string) ([]float64, error) {
	scores := make([]float64, len(keys))
	var missing []string
	for i, key := range keys {
		s, ok := p.scores[predictionKey{split: split, cutoff: cutoff, key: key}]
		if !ok {
			missing = append(missing, key)
			continue
		}
		scores[i] = s
	}
	if len(missing) > 0 {
		where := ""
		if split != "" {
			where = fmt.Sprintf(" of split %q", split)
		}
		return nil, fmt.Errorf("%s has no score for %d of %d rows%s%s: %s", p.path, len(missing), len(keys), where, cutoffText(cutoff, p.hasCutoff), listKeys(missing, 5))
	}
	return scores, nil
}

// Summary describes the source of the scores.
func (m *predictionsModel) Summary() models.Summary {
	return models.Summary{Kind: "predictions", Params: map[string]any{"path": m.file.path}}
}

// listKeys quotes the first limit keys in sorted order.
func listKeys(keys []string, limit int) string {
	keys = append([]string(nil), keys...)
	sort.Strings(keys)
	var quoted []string
	for i, k := range keys {
		if i == limit {
			quoted = append(quoted, fmt.Sprintf("and %d more", len(keys)-limit))
			break
		}
		quoted = append(quoted, strconv.Quote(k))
	}
	return strings.Join(quoted, ", ")
}
