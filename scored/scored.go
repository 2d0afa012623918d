// Package scored reads scored CSV files, one row per student with a 0/1
// label, a model's score and group attributes, as produced by any model,
// inside evalrun or elsewhere: the input of `evalrun audit`.
package scored

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Table is a scored CSV's label, score and group columns.
type Table struct {
	Path   string
	Labels []uint8
	Scores []float64
	// Groups holds each requested group column, in request order; an
	// empty cell is a missing value.
	Groups []Column
}

// Column is one named string column.
type Column struct {
	Name   string
	Values []string
}

// Read reads path (plain or gzip-compressed CSV with a header) and keeps the
// label, score and group columns. Errors name the file, line and field:
// a missing column, a label other than 0/1 (1.0 is accepted), a score that
// is not a finite number. No row is dropped.
func Read(path, label, score string, groups []string) (*Table, error) {
	return ReadWith(path, Columns{Label: label, Score: score, Groups: groups})
}

// Columns says which columns of a scored CSV to read and which rows to
// keep.
type Columns struct {
	Label, Score string
	Groups       []string
	// Key, when set, is the student key column: after filtering, every
	// key must appear once, since rows of one student pooled across
	// models, cutoffs or splits would count the student several times.
	Key string
	// KeyOptional skips the key check when the file has no Key column
	// (the default key "student" of evalrun's predictions.csv).
	KeyOptional bool
	// Filters keep only the rows whose column equals the value (all
	// filters must match), e.g. model = "lr", cutoff = "28".
	Filters []Filter
}

// Filter keeps the rows whose Column equals Value.
type Filter struct{ Column, Value string }

// PoolingColumns are the columns of evalrun's predictions.csv that tell
// apart rows which must not be pooled in one audit; a duplicate key error
// lists their values so the user knows which filter to add.
var PoolingColumns = []string{"dataset", "model", "cutoff", "split"}

// ReadWith reads path as Read does, keeping only the rows that pass
// c.Filters and checking that c.Key (when set) is unique among them.
// Errors name the file and line: a filter or key column that is absent,
// no row left after filtering (with the values present), a key seen
// twice (with both lines and the values of PoolingColumns in the file).
func ReadWith(path string, c Columns) (*Table, error) {
	label, score, groups := c.Label, c.Score, c.Groups
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: empty file", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	col := map[string]int{}
	fields := map[string][]string{} // name -> 1-based field numbers, for duplicates
	for i, h := range header {
		name := strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")
		if _, dup := col[name]; !dup {
			col[name] = i
		}
		fields[name] = append(fields[name], strconv.Itoa(i+1))
	}
	if _, ok := col[c.Key]; c.KeyOptional && !ok {
		c.Key = ""
	}
	var missing []string
	want := append([]string{label, score}, groups...)
	if c.Key != "" {
		want = append(want, c.Key)
	}
	for _, flt := range c.Filters {
		want = append(want, flt.Column)
	}
	for _, name := range want {
		if _, ok := col[name]; !ok {
			missing = append(missing, strconv.Quote(name))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s:1: no column %s (header: %s)", path, strings.Join(missing, ", "), strings.Join(header, ","))
	}
	// A column the audit reads must be unambiguous: which of two "score"
	// columns is meant cannot be guessed (the student CSV loader refuses
	// the same).
	var duplicated []string
	for _, name := range append(want, PoolingColumns...) {
		if f := fields[name]; len(f) > 1 && !slices.Contains(duplicated, strconv.Quote(name)+" (fields "+strings.Join(f, ", ")+")") {
			duplicated = append(duplicated, strconv.Quote(name)+" (fields "+strings.Join(f, ", ")+")")
		}
	}
	if len(duplicated) > 0 {
		return nil, fmt.Errorf("%s:1: column %s appears more than once in the header", path, strings.Join(duplicated, ", "))
	}
	t := &Table{Path: path, Groups: make([]Column, len(groups))}
	for j, g := range groups {
		t.Groups[j].Name = g
	}
	// seen maps each pooling column present to the values met in the
	// file, for the error messages.
	seen := map[string]map[string]bool{}
	for _, name := range PoolingColumns {
		if _, ok := col[name]; ok {
			seen[name] = map[string]bool{}
		}
	}
	for _, flt := range c.Filters {
		seen[flt.Column] = map[string]bool{}
	}
	keyLine := map[string]int{}
	var dup *duplicateKey
	li, si := col[label], col[score]
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		line, _ := cr.FieldPos(0)
		for name, values := range seen {
			values[strings.TrimSpace(rec[col[name]])] = true
		}
		keep := true
		for _, flt := range c.Filters {
			if strings.TrimSpace(rec[col[flt.Column]]) != flt.Value {
				keep = false
				break
			}
		}
		if !keep || dup != nil {
			// After a duplicate the rest of the file is read only to
			// name every value of the pooling columns.
			continue
		}
		if c.Key != "" {
			k := strings.TrimSpace(rec[col[c.Key]])
			if first, ok := keyLine[k]; ok {
				dup = &duplicateKey{line: line, first: first, key: k}
				continue
			}
			keyLine[k] = line
		}
		y, err := strconv.ParseFloat(strings.TrimSpace(rec[li]), 64)
		if err != nil || (y != 0 && y != 1) {
			return nil, fmt.Errorf("%s:%d: field %q: label %q is not 0 or 1", path, line, label, rec[li])
		}
		s, err := strconv.ParseFloat(strings.TrimSpace(rec[si]), 64)
		if err != nil || math.IsNaN(s) || math.IsInf(s, 0) {
			return nil, fmt.Errorf("%s:%d: field %q: score %q is not a finite number", path, line, score, rec[si])
		}
		t.Labels = append(t.Labels, uint8(y))
		t.Scores = append(t.Scores, s)
		for j, g := range groups {
			t.Groups[j].Values = append(t.Groups[j].Values, strings.TrimSpace(rec[col[g]]))
		}
	}
	if dup != nil {
		return nil, fmt.Errorf("%s:%d: field %q: student %q appears again (first on line %d): one audit must count each student once; %s", path, dup.line, c.Key, dup.key, dup.first, poolingHint(seen, c.Filters))
	}
	if len(t.Labels) == 0 {
		if len(c.Filters) > 0 {
			return nil, fmt.Errorf("%s: no row matches %s (%s)", path, filterWords(c.Filters), valuesWords(seen))
		}
		return nil, fmt.Errorf("%s: no data rows", path)
	}
	return t, nil
}

// duplicateKey is a student key met twice among the rows kept.
type duplicateKey struct {
	line, first int
	key         string
}

// poolingHint tells which filters would separate the pooled rows.
func poolingHint(seen map[string]map[string]bool, filters []Filter) string {
	filtered := map[string]bool{}
	for _, f := range filters {
		filtered[f.Column] = true
	}
	var several, flags []string
	for _, name := range PoolingColumns {
		if v := seen[name]; len(v) > 1 && !filtered[name] {
			several = append(several, name+" ("+strings.Join(sortedKeys(v), ", ")+")")
			flags = append(flags, "--"+name)
		}
	}
	if len(several) == 0 {
		return "the file holds the same student twice"
	}
	return "the rows pool several values of " + strings.Join(several, " and ") + ": choose one with " + strings.Join(flags, " and ")
}

func filterWords(filters []Filter) string {
	var parts []string
	for _, f := range filters {
		parts = append(parts, f.Column+" = "+strconv.Quote(f.Value))
	}
	return strings.Join(parts, " and ")
}

func valuesWords(seen map[string]map[string]bool) string {
	var parts []string
	for _, name := range sortedKeys(seen) {
		parts = append(parts, name+" holds "+strings.Join(quoteAll(sortedKeys(seen[name])), ", "))
	}
	return strings.Join(parts, "; ")
}

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strconv.Quote(x)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
