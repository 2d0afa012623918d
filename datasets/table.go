package datasets

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Cell is one value of a typed table source (a Parquet file, a PostgreSQL
// result) handed to a TableBuilder.
type Cell struct {
	// Null marks a missing value (SQL NULL, a Parquet null, a null
	// enclosing group).
	Null bool
	// IsNumber says the source column is numeric (integer, floating point
	// or boolean as 0/1) and Number holds the value.
	IsNumber bool
	Number   float64
	// Text is the value as text: the cell itself for text columns, and
	// the decimal form of a number (strconv 'g' shortest for floating
	// point, plain digits for integers, "true"/"false" for booleans) for
	// numeric columns.
	Text string
}

// TableRole is the part a column plays in a student table.
type TableRole string

// Table roles, as LoadCSV names them in its messages.
const (
	RoleID          TableRole = "id"
	RoleLabel       TableRole = "label"
	RoleTerm        TableRole = "term"
	RoleCourse      TableRole = "course"
	RoleNumeric     TableRole = "numeric"
	RoleCategorical TableRole = "categorical"
	RoleGroup       TableRole = "group"
)

// TableColumn is one column a TableBuilder needs.
type TableColumn struct {
	Name string
	Role TableRole
}

// TableBuilder builds the Frame of a student table from typed rows with
// LoadCSV's rules, so that a table read from Parquet or PostgreSQL gives
// the frame its CSV export gives: the same missing-value markers in text
// cells, labels, keys, interned levels, cleaning counts and notes.
//
// Differences from LoadCSV, all about typed cells: a null is missing in
// every role; a numeric cell is a number as it is (NaN is missing,
// infinities are an error as in CSV); a numeric cell in a text role (id,
// term, categorical, a label matched against positive values) is its
// Text. Errors name the source, the row (1-based) and its key, and the
// column: `students (query): row 17 (key "2014J/11391"): column "gpa":
// invalid number "3,2"`.
type TableBuilder struct {
	source  string
	opts    CSVOptions
	columns []TableColumn
	// positions of the roles in columns
	course              int
	numeric             []int
	categorical         []int
	missing             []int // per column
	levels              []map[string]string
	positive            map[string]bool
	labelValues         map[string]int
	firstRow            map[string]int
	rows, missingLabels int
	f                   *Frame
}

// NewTableBuilder checks opts as LoadCSV does and returns a builder for
// rows from source (a name used in messages).
func NewTableBuilder(source string, opts CSVOptions) (*TableBuilder, error) {
	if err := opts.csvValidate(); err != nil {
		return nil, fmt.Errorf("%s: dataset %q: %w", source, opts.Name, err)
	}
	b := &TableBuilder{source: source, opts: opts, course: -1, positive: map[string]bool{}, labelValues: map[string]int{}, firstRow: map[string]int{}}
	b.columns = []TableColumn{{opts.IDColumn, RoleID}, {opts.LabelColumn, RoleLabel}, {opts.TermColumn, RoleTerm}}
	if opts.CourseColumn != "" {
		b.course = len(b.columns)
		b.columns = append(b.columns, TableColumn{opts.CourseColumn, RoleCourse})
	}
	for _, n := range opts.Numeric {
		b.numeric = append(b.numeric, len(b.columns))
		b.columns = append(b.columns, TableColumn{n, RoleNumeric})
	}
	catNames := slices.Clone(opts.Categorical)
	for _, g := range opts.Groups {
		if !slices.Contains(catNames, g) {
			catNames = append(catNames, g)
		}
	}
	for _, n := range catNames {
		role := RoleCategorical
		if !slices.Contains(opts.Categorical, n) {
			role = RoleGroup
		}
		b.categorical = append(b.categorical, len(b.columns))
		b.columns = append(b.columns, TableColumn{n, role})
	}
	b.missing = make([]int, len(b.columns))
	b.levels = make([]map[string]string, len(b.columns))
	for i := range b.levels {
		b.levels[i] = map[string]string{}
	}
	for _, v := range opts.PositiveValues {
		b.positive[v] = true
	}
	f := &Frame{Dataset: opts.Name, Cutoff: NoCutoff}
	f.Numeric = make([]NumericColumn, len(b.numeric))
	for i, c := range b.numeric {
		f.Numeric[i].Name = b.columns[c].Name
	}
	f.Categorical = make([]CategoricalColumn, len(b.categorical))
	for i, c := range b.categorical {
		f.Categorical[i].Name = b.columns[c].Name
	}
	b.f = f
	return b, nil
}

// Columns returns the columns every row must hold, in the order Add takes
// their cells: id, label, term, the course column when declared, the
// numeric columns, then the categorical and group columns. With
// KeepUnlabelled a source without the label column passes a null label
// cell in every row (no student has an outcome yet), as LoadCSV does for
// a header without it.
func (b *TableBuilder) Columns() []TableColumn { return slices.Clone(b.columns) }

// MissingColumnsError formats the error for columns a source lacks, as
// LoadCSV does for a header: missing lists the absent columns (in Columns
// order) and have the source's column names.
func (b *TableBuilder) MissingColumnsError(missing []TableColumn, have []string) error {
	parts := make([]string, len(missing))
	for i, c := range missing {
		parts[i] = fmt.Sprintf("%q (%s)", c.Name, c.Role)
	}
	shown, more := have, ""
	if len(shown) > 30 {
		shown, more = shown[:30], fmt.Sprintf(", ... (%d more)", len(have)-30)
	}
	return fmt.Errorf("%s: no column(s) %s; columns are: %s%s", b.source, strings.Join(parts, ", "), strings.Join(shown, ", "), more)
}

func (b *TableBuilder) intern(col int, s string) string {
	if v, ok := b.levels[col][s]; ok {
		return v
	}
	v := strings.Clone(s)
	b.levels[col][v] = v
	return v
}

// textOf returns a cell as text and whether it is missing.
func textOf(c Cell) (string, bool) {
	if c.Null {
		return "", true
	}
	if !c.IsNumber && csvIsMissing(c.Text) {
		return "", true
	}
	if c.IsNumber && math.IsNaN(c.Number) {
		return "", true
	}
	return c.Text, false
}

// numberOf returns a cell as a number (NaN when missing).
func numberOf(c Cell) (float64, error) {
	switch {
	case c.Null:
		return math.NaN(), nil
	case c.IsNumber:
		if math.IsInf(c.Number, 0) {
			return 0, fmt.Errorf("invalid number %q", c.Text)
		}
		return c.Number, nil
	}
	return csvParseNumber(c.Text)
}

// Add adds the row with 1-based number row; cells are in Columns order.
func (b *TableBuilder) Add(row int, cells []Cell) error {
	if len(cells) != len(b.columns) {
		panic(fmt.Sprintf("datasets: TableBuilder.Add: %d cells for %d columns", len(cells), len(b.columns)))
	}
	b.rows++
	id, idMissing := textOf(cells[0])
	if idMissing {
		return fmt.Errorf("%s: row %d: column %q: missing student id %q", b.source, row, b.columns[0].Name, cells[0].Text)
	}
	term, termMissing := textOf(cells[2])
	if termMissing {
		return fmt.Errorf("%s: row %d (student %q): column %q: missing term %q", b.source, row, id, b.columns[2].Name, cells[2].Text)
	}
	key := term + "/" + id
	at := func(col int) string {
		return fmt.Sprintf("%s: row %d (key %q): column %q", b.source, row, key, b.columns[col].Name)
	}
	if first, dup := b.firstRow[key]; dup {
		return fmt.Errorf("%s: row %d: duplicate row for student %q in term %q (key %q): first at row %d", b.source, row, id, term, key, first)
	}
	b.firstRow[key] = row

	rawLabel, labelMissing := textOf(cells[1])
	var label uint8
	if !labelMissing {
		if len(b.opts.PositiveValues) == 0 {
			v, err := numberOf(cells[1])
			switch {
			case err == nil && v == 0:
				label = 0
			case err == nil && v == 1:
				label = 1
			default:
				return fmt.Errorf("%s: label must be 0 or 1, got %q (declare positive values to map other labels)", at(1), cells[1].Text)
			}
		} else if b.positive[rawLabel] {
			label = 1
		}
	}
	for i, c := range b.numeric {
		v, err := numberOf(cells[c])
		if err != nil {
			return fmt.Errorf("%s: %w", at(c), err)
		}
		if labelMissing && !b.opts.KeepUnlabelled {
			continue
		}
		if math.IsNaN(v) {
			b.missing[c]++
		}
		b.f.Numeric[i].Values = append(b.f.Numeric[i].Values, v)
	}
	if labelMissing {
		b.missingLabels++
		if !b.opts.KeepUnlabelled {
			return nil
		}
		label = NoOutcome
	} else if len(b.opts.PositiveValues) > 0 {
		b.labelValues[b.intern(1, rawLabel)]++
	}
	for i, c := range b.categorical {
		v, miss := textOf(cells[c])
		if miss {
			b.missing[c]++
		} else {
			v = b.intern(c, v)
		}
		b.f.Categorical[i].Values = append(b.f.Categorical[i].Values, v)
	}
	course := ""
	if b.course >= 0 {
		if v, miss := textOf(cells[b.course]); miss {
			b.missing[b.course]++
		} else {
			course = b.intern(b.course, v)
		}
	}
	f := b.f
	f.Keys = append(f.Keys, key)
	f.Students = append(f.Students, strings.Clone(id))
	f.Terms = append(f.Terms, b.intern(2, term))
	f.Courses = append(f.Courses, course)
	f.Labels = append(f.Labels, label)
	return nil
}

// Frame returns the frame of the rows added, with files as its
// Report.Files; like LoadCSV it is an error when no row was added or every
// row lacks a label.
func (b *TableBuilder) Frame(files []FileInfo) (*Frame, error) {
	f := b.f
	if b.rows == 0 {
		return nil, fmt.Errorf("%s: no data rows", b.source)
	}
	if f.Len() == 0 {
		return nil, fmt.Errorf("%s: every one of the %d rows lacks a label in column %q", b.source, b.rows, b.columns[1].Name)
	}
	if b.missingLabels > 0 && !b.opts.KeepUnlabelled {
		f.Report.Cleaning = append(f.Report.Cleaning, CleaningCount{Rule: "missing_label", Count: b.missingLabels, Detail: b.columns[1].Name})
	}
	// LoadCSV's order: numeric columns, categorical ones, then the course.
	order := append(append(slices.Clone(b.numeric), b.categorical...), b.course)
	for _, c := range order {
		if c >= 0 && b.missing[c] > 0 {
			f.Report.Cleaning = append(f.Report.Cleaning, CleaningCount{Rule: "missing_value", Count: b.missing[c], Detail: b.columns[c].Name})
		}
	}
	if len(b.opts.PositiveValues) > 0 {
		f.Report.Notes = append(f.Report.Notes, csvLabelNotes(b.columns[1].Name, b.opts.PositiveValues, b.labelValues)...)
	}
	f.Report.Files = files
	return f, nil
}

// Rows returns the number of rows added (rows without a label included).
func (b *TableBuilder) Rows() int { return b.rows }

// NumberText returns the Text of a numeric cell: integers as plain digits,
// other values in strconv's shortest 'g' form.
func NumberText(v float64, integer bool) string {
	if integer {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
