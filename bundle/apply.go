package bundle

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/explain"
	"github.com/evalrun/evalrun/features"
	"github.com/evalrun/evalrun/models"
)

// Scored is the outcome of Apply: one entry per scored row, in the order
// of the rows given (rows dropped by the missing-value policy "drop" are
// listed in Dropped instead).
type Scored struct {
	// Rows are the frame indexes scored.
	Rows []int
	// Scores are the model's scores, exactly as Predict returns them.
	Scores []float64
	// Calibrated are the recalibrated probabilities (nil without
	// recalibration).
	Calibrated []float64
	Flagged    []bool
	Bands      []string
	// Reasons are the top reasons of each row (nil rows when not explained).
	Reasons [][]explain.Reason
	// Flags say where a row's inputs left the training data.
	Flags []InputFlags
	// Dropped are the frame indexes not scored (missing = "drop").
	Dropped []int
	Stats   features.TransformStats
}

// InputFlags are the inputs of one student the training data never showed.
type InputFlags struct {
	// OutOfRange lists numeric features outside the training range.
	OutOfRange []RangeFlag `json:"out_of_range,omitempty"`
	// Unseen lists categorical levels absent from training.
	Unseen []LevelFlag `json:"unseen,omitempty"`
	// Missing lists features without a value (imputed).
	Missing []string `json:"missing,omitempty"`
}

// RangeFlag is a value outside [Min, Max] of training.
type RangeFlag struct {
	Feature string  `json:"feature"`
	Value   float64 `json:"value"`
	Min     float64 `json:"min"`
	Max     float64 `json:"max"`
}

// LevelFlag is a categorical level never seen in training.
type LevelFlag struct {
	Feature string `json:"feature"`
	Level   string `json:"level"`
}

// Any reports whether any flag is set.
func (f InputFlags) Any() bool { return len(f.OutOfRange)+len(f.Unseen)+len(f.Missing) > 0 }

// Words describes the flags for an advisor ("" when none).
func (f InputFlags) Words() string {
	var parts []string
	for _, r := range f.OutOfRange {
		parts = append(parts, r.Words())
	}
	for _, u := range f.Unseen {
		parts = append(parts, u.Words())
	}
	if len(f.Missing) > 0 {
		parts = append(parts, "missing: "+strings.Join(f.Missing, ", "))
	}
	return strings.Join(parts, "; ")
}

// Words says which side of the training range the value lies on.
func (r RangeFlag) Words() string {
	if r.Value < r.Min {
		return fmt.Sprintf("%s %s is below the training range (min %s)", r.Feature, g(r.Value), g(r.Min))
	}
	return fmt.Sprintf("%s %s is above the training range (max %s)", r.Feature, g(r.Value), g(r.Max))
}

// Words names the level that training never showed.
func (l LevelFlag) Words() string {
	return fmt.Sprintf("%s %q never occurred in training", l.Feature, l.Level)
}

func g(v float64) string { return fmt.Sprintf("%g", v) }

// ApplyOptions configure Apply.
type ApplyOptions struct {
	// ReasonRows bounds the students whose reasons are computed: the
	// highest-scored ones (0: every student).
	ReasonRows int
}

// MissingColumnError is data lacking a column the model reads.
type MissingColumnError struct {
	Column string
	Type   string
}

func (e *MissingColumnError) Error() string {
	return fmt.Sprintf("no %s column %q, which the model reads", e.Type, e.Column)
}

// CheckColumns reports the first feature column the model reads that f
// lacks or holds with another type.
func (b *Bundle) CheckColumns(f *datasets.Frame) error {
	for _, name := range b.Model.Dataset.Numeric {
		if _, ok := f.NumericByName(name); !ok {
			return &MissingColumnError{Column: name, Type: "numeric"}
		}
	}
	for _, name := range b.Model.Dataset.Categorical {
		if _, ok := f.CategoricalByName(name); !ok {
			return &MissingColumnError{Column: name, Type: "categorical"}
		}
	}
	if g, ok := b.Fitted.(models.Grouped); ok {
		if _, err := groupLabels(f, g.GroupColumn(), nil); err != nil {
			return &MissingColumnError{Column: g.GroupColumn(), Type: "grouping"}
		}
	}
	return nil
}

// groupLabels returns the labels of a multilevel model's grouping column
// ("course" or a categorical column) for rows.
func groupLabels(f *datasets.Frame, column string, rows []int) ([]string, error) {
	values := f.Courses
	if c, ok := f.CategoricalByName(column); ok {
		values = c.Values
	} else if column != "course" {
		return nil, &MissingColumnError{Column: column, Type: "grouping"}
	}
	out := make([]string, len(rows))
	for j, i := range rows {
		out[j] = values[i]
	}
	return out, nil
}

// Apply encodes rows of f with the bundle's encoder, scores them with the
// fitted model, applies the threshold and bands, explains the
// highest-scored students and flags inputs outside the training data.
// A feature column f lacks is a *MissingColumnError.
func (b *Bundle) Apply(ctx context.Context, f *datasets.Frame, rows []int, opts ApplyOptions) (*Scored, error) {
	if err := b.CheckColumns(f); err != nil {
		return nil, err
	}
	x, kept, stats, err := b.Encoder.Transform(f, rows)
	if err != nil {
		return nil, fmt.Errorf("encoding: %w", err)
	}
	in := models.Rows{X: x, Keys: make([]string, len(kept)), Terms: make([]string, len(kept))}
	for j, i := range kept {
		in.Keys[j], in.Terms[j] = f.Keys[i], f.Terms[i]
	}
	// A multilevel model adds its group's conditional mode; a group it
	// never saw is scored at the population level and flagged as unseen.
	grouped, isGrouped := b.Fitted.(interface {
		models.Grouped
		KnownGroup(string) bool
	})
	if isGrouped {
		if in.Groups, err = groupLabels(f, grouped.GroupColumn(), kept); err != nil {
			return nil, err
		}
	}
	s := &Scored{Rows: kept, Stats: stats}
	keptSet := make(map[int]bool, len(kept))
	for _, i := range kept {
		keptSet[i] = true
	}
	for _, i := range rows {
		if !keptSet[i] {
			s.Dropped = append(s.Dropped, i)
		}
	}
	if len(kept) == 0 {
		return s, nil
	}
	if s.Scores, s.Flagged, s.Bands, err = b.ScoreEncoded(ctx, in); err != nil {
		return nil, err
	}
	if b.Recalibrator != nil {
		if s.Calibrated, err = b.Recalibrator.Apply(s.Scores); err != nil {
			return nil, fmt.Errorf("recalibrating: %w", err)
		}
	}
	s.Reasons = make([][]explain.Reason, len(kept))
	if ex, ok := b.Fitted.(models.Explainer); ok && b.Model.Reasons > 0 {
		idx := topIndexes(s.Scores, opts.ReasonRows)
		sub := in.Select(idx)
		top, err := explain.StudentReasons(ctx, ex, sub, b.Model.Reasons)
		if err != nil {
			return nil, fmt.Errorf("explaining: %w", err)
		}
		for j, k := range idx {
			s.Reasons[k] = top[j]
		}
	}
	s.Flags = b.inputFlags(f, kept)
	if isGrouped {
		for k, g := range in.Groups {
			if !grouped.KnownGroup(g) {
				s.Flags[k].Unseen = append(s.Flags[k].Unseen, LevelFlag{Feature: grouped.GroupColumn(), Level: g})
			}
		}
	}
	return s, nil
}

// ScoreEncoded scores rows whose features are already encoded (columns in
// the encoder's order) and applies the threshold and bands.
func (b *Bundle) ScoreEncoded(ctx context.Context, rows models.Rows) (scores []float64, flagged []bool, bands []string, err error) {
	scores, err = b.Fitted.Predict(ctx, rows)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("scoring: %w", err)
	}
	flagged = make([]bool, len(scores))
	bands = make([]string, len(scores))
	for k, v := range scores {
		flagged[k] = v >= b.Model.Threshold.Score
		bands[k] = b.Model.BandOf(v)
	}
	return scores, flagged, bands, nil
}

// inputFlags checks every row's raw values against the schema.
func (b *Bundle) inputFlags(f *datasets.Frame, kept []int) []InputFlags {
	out := make([]InputFlags, len(kept))
	for _, name := range b.Model.Dataset.Numeric {
		col, _ := f.NumericByName(name)
		fs, ok := b.Model.Schema.Feature(name)
		for k, i := range kept {
			v := col.Values[i]
			switch {
			case math.IsNaN(v):
				out[k].Missing = append(out[k].Missing, name)
			case ok && fs.OutOfRange(v):
				out[k].OutOfRange = append(out[k].OutOfRange, RangeFlag{Feature: name, Value: v, Min: *fs.Min, Max: *fs.Max})
			}
		}
	}
	for _, name := range b.Model.Dataset.Categorical {
		col, _ := f.CategoricalByName(name)
		fs, ok := b.Model.Schema.Feature(name)
		for k, i := range kept {
			v := col.Values[i]
			switch {
			case v == "":
				out[k].Missing = append(out[k].Missing, name)
			case ok && fs.Unseen(v):
				out[k].Unseen = append(out[k].Unseen, LevelFlag{Feature: name, Level: v})
			}
		}
	}
	return out
}

// topIndexes returns the indexes of the n highest scores (all when n is 0
// or there are fewer), ties by index, in increasing index order.
func topIndexes(scores []float64, n int) []int {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	if n > 0 && len(idx) > n {
		sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
		idx = idx[:n]
		sort.Ints(idx)
	}
	return idx
}
