package pgsrc

import (
	"context"
	"fmt"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/sources"
)

// LoadStudents reads a student table from PostgreSQL into the Frame
// datasets.LoadCSV gives for the same rows exported as CSV (see
// datasets.TableBuilder for typed cells). Types are checked before any
// row is read: a numeric feature must be a number column (smallint,
// integer, bigint, real, double precision, numeric, boolean) or a text
// column whose values parse as numbers; a date or timestamp column cannot
// be one. Errors name the source, the row, its key and the column.
// Report.Files holds one entry: Source.Name(), the fingerprint and the
// rows read.
func LoadStudents(ctx context.Context, src Source, opts datasets.CSVOptions, getenv func(string) string) (*datasets.Frame, Result, error) {
	b, err := datasets.NewTableBuilder(src.Name(), opts)
	if err != nil {
		return nil, Result{}, err
	}
	cols := b.Columns()
	names := make([]string, len(cols))
	textRole := make([]bool, len(cols))
	for i, c := range cols {
		names[i] = c.Name
		textRole[i] = c.Role != datasets.RoleNumeric && !(c.Role == datasets.RoleLabel && len(opts.PositiveValues) == 0)
	}
	if opts.KeepUnlabelled {
		have, err := ColumnNames(ctx, src, getenv)
		if err != nil {
			return nil, Result{}, err
		}
		if !have[names[1]] {
			names[1] = "" // no outcome yet: a null label in every row
		}
	}
	check := func(pc []Column) error {
		for i, c := range pc {
			if !textRole[i] && !c.Numeric() && !c.Textual() {
				return fmt.Errorf("column %q is %s: the %s column needs numbers", c.Name, c.Type, cols[i].Role)
			}
		}
		return nil
	}
	cells := make([]datasets.Cell, len(cols))
	res, err := src.scan(ctx, getenv, names, check, func(row int, vals []sources.Value) error {
		for i, v := range vals {
			cells[i] = cellOf(v, textRole[i])
		}
		return b.Add(row, cells)
	})
	if err != nil {
		return nil, res, err
	}
	f, err := b.Frame([]datasets.FileInfo{{Path: src.Name(), SHA256: res.Fingerprint, Rows: res.Rows}})
	return f, res, err
}

func cellOf(v sources.Value, textRole bool) datasets.Cell {
	switch v.Kind {
	case sources.Null:
		return datasets.Cell{Null: true}
	case sources.Int, sources.Bool, sources.Float:
		c := datasets.Cell{IsNumber: true, Number: float64(v.Int)}
		if v.Kind == sources.Float {
			c.Number = v.Float
		}
		if textRole || c.Number-c.Number != 0 {
			c.Text = string(v.AppendText(nil))
		}
		return c
	}
	return datasets.Cell{Text: string(v.AppendText(nil))}
}
