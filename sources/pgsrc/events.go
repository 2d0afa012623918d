package pgsrc

import (
	"context"
	"fmt"

	"github.com/evalrun/evalrun/events"
	"github.com/evalrun/evalrun/sources"
)

// ReadEvents reads an event log from PostgreSQL with the column mapping
// f and hands each row to sink, as events.ReadCSV does for a CSV log:
// rows with an invalid count, duration or score go to sink.Malformed with
// their row number as the line. A timestamptz column gives instants as
// they are; text, numbers and timestamps without a zone are read per the
// mapping's time format and zone. Event.Source is Source.Name().
func ReadEvents(ctx context.Context, src Source, f events.CSVFormat, sym *events.Symbols, sink events.Sink, getenv func(string) string) (events.Stats, Result, error) {
	var st events.Stats
	m, err := sources.NewEventMapper(f, sym)
	if err != nil {
		return st, Result{}, fmt.Errorf("events: %s: %w", src.Name(), err)
	}
	roles := m.Roles()
	check := func(cols []Column) error {
		for i, c := range cols {
			switch roles[i] {
			case "count", "duration", "score":
				if !c.Numeric() && !c.Textual() {
					return fmt.Errorf("column %q is %s: the %s column needs numbers", c.Name, c.Type, roles[i])
				}
			}
		}
		return nil
	}
	name := src.Name()
	var e events.Event
	res, err := src.scan(ctx, getenv, m.Columns(), check, func(row int, vals []sources.Value) error {
		st.Records++
		e.Source, e.Line = name, row
		if err := m.Map(vals, &e); err != nil {
			st.Malformed++
			return sink.Malformed(name, row, err)
		}
		st.Events++
		return sink.Event(&e)
	})
	if err != nil {
		return st, res, fmt.Errorf("events: %w", err)
	}
	return st, res, nil
}
