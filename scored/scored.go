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
	for i, h := range header {
		col[strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")] = i
	}
	var missing []string
	want := append([]string{label, score}, groups...)
	for _, name := range want {
		if _, ok := col[name]; !ok {
			missing = append(missing, strconv.Quote(name))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s:1: no column %s (header: %s)", path, strings.Join(missing, ", "), strings.Join(header, ","))
	}
	t := &Table{Path: path, Groups: make([]Column, len(groups))}
	for j, g := range groups {
		t.Groups[j].Name = g
	}
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
	if len(t.Labels) == 0 {
		return nil, fmt.Errorf("%s: no data rows", path)
	}
	return t, nil
}
