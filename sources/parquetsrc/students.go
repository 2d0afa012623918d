package parquetsrc

import (
	"context"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/sources"
)

// LoadStudents reads a student table from the Parquet file at path into
// the Frame datasets.LoadCSV gives for the same table exported as CSV
// (see datasets.TableBuilder for the rules of typed cells). Columns of
// opts may be dotted paths into groups. Report.Files records the path,
// the SHA-256 of the file and its number of rows. Errors name the file,
// the row (1-based), its key and the column.
func LoadStudents(ctx context.Context, path string, opts datasets.CSVOptions) (*datasets.Frame, error) {
	b, err := datasets.NewTableBuilder(path, opts)
	if err != nil {
		return nil, err
	}
	cols := b.Columns()
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	if opts.KeepUnlabelled {
		have, err := LoadStudentsColumns(path)
		if err != nil {
			return nil, err
		}
		if !have[names[1]] {
			names[1] = "" // no outcome yet: a null label in every row
		}
	}
	t, err := open(path, names)
	if err != nil {
		return nil, err
	}
	defer t.close()
	textRole := make([]bool, len(cols))
	for i, c := range cols {
		textRole[i] = c.Role != datasets.RoleNumeric && !(c.Role == datasets.RoleLabel && len(opts.PositiveValues) == 0)
	}
	cells := make([]datasets.Cell, len(cols))
	err = t.scan(ctx, func(row int64, vals []sources.Value) error {
		for i, v := range vals {
			cells[i] = cellOf(v, textRole[i])
		}
		return b.Add(int(row)+1, cells)
	})
	if err != nil {
		return nil, err
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, err
	}
	return b.Frame([]datasets.FileInfo{{Path: path, SHA256: sum, Rows: b.Rows()}})
}

// cellOf converts a value without copying text (the builder copies what
// it keeps); numbers get their text only in text roles or when infinite
// (for the error message).
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
	case sources.Text:
		return datasets.Cell{Text: unsafeString(v.Text)}
	}
	return datasets.Cell{Text: string(v.AppendText(nil))}
}

// LoadStudentsColumns returns the column paths of a Parquet student
// table, for callers that choose features by what the file holds.
func LoadStudentsColumns(path string) (map[string]bool, error) {
	names, err := ColumnNames(path)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out, nil
}
