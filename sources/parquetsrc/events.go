package parquetsrc

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/evalrun/evalrun/events"
	"github.com/evalrun/evalrun/sources"
)

// ReadEvents reads an event log from the Parquet file at path with the
// column mapping f (names may be dotted paths into groups) and hands each
// row to sink, as events.ReadCSV does for a CSV log: rows whose count,
// duration or score is invalid go to sink.Malformed with their row number
// (1-based) as the line. Event.Source is path.
func ReadEvents(ctx context.Context, path string, f events.CSVFormat, sym *events.Symbols, sink events.Sink) (events.Stats, error) {
	var st events.Stats
	m, err := sources.NewEventMapper(f, sym)
	if err != nil {
		return st, fmt.Errorf("events: %s: %w", path, err)
	}
	t, err := open(path, m.Columns())
	if err != nil {
		return st, fmt.Errorf("events: %w", err)
	}
	defer t.close()
	var e events.Event
	err = t.scan(ctx, func(row int64, vals []sources.Value) error {
		st.Records++
		e.Source, e.Line = path, int(row)+1
		if err := m.Map(vals, &e); err != nil {
			st.Malformed++
			return sink.Malformed(path, int(row)+1, err)
		}
		st.Events++
		return sink.Event(&e)
	})
	return st, err
}

// ReadEventsGlob reads every file matching pattern, in name order, with
// ReadEvents and sums their statistics; a pattern matching no file is an
// error. files gets one entry per file: its path, SHA-256 and rows.
func ReadEventsGlob(ctx context.Context, pattern string, f events.CSVFormat, sym *events.Symbols, sink events.Sink) (total events.Stats, files []FileStat, err error) {
	paths, err := filepath.Glob(pattern)
	if err != nil {
		return total, nil, fmt.Errorf("events: path %q: %w", pattern, err)
	}
	if len(paths) == 0 {
		return total, nil, fmt.Errorf("events: path %q: no such file", pattern)
	}
	slices.Sort(paths)
	for _, p := range paths {
		st, err := ReadEvents(ctx, p, f, sym, sink)
		total.Records += st.Records
		total.Events += st.Events
		total.Skipped += st.Skipped
		total.Malformed += st.Malformed
		if err != nil {
			return total, files, err
		}
		sum, err := fileSHA256(p)
		if err != nil {
			return total, files, err
		}
		files = append(files, FileStat{Path: p, SHA256: sum, Rows: st.Records})
	}
	return total, files, nil
}

// FileStat is one file read: path, SHA-256 of its bytes and rows.
type FileStat struct {
	Path   string
	SHA256 string
	Rows   int
}
