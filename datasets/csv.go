package datasets

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// CSVOptions describes the columns of a CSV student table (one `csv`
// dataset of the experiment spec).
type CSVOptions struct {
	// Name is the dataset name from the spec; it becomes Frame.Dataset.
	Name string
	// IDColumn holds the student identifier (required).
	IDColumn string
	// LabelColumn holds the outcome (required).
	LabelColumn string
	// PositiveValues are the label values that count as the at-risk outcome
	// (label 1); every other non-missing value is label 0. Values match the
	// cell text exactly. When empty, the label column must hold 0 or 1.
	PositiveValues []string
	// TermColumn holds the term used by temporal splits (required).
	TermColumn string
	// CourseColumn optionally holds the course of each row.
	CourseColumn string
	// Numeric are numeric feature columns.
	Numeric []string
	// Categorical are categorical feature columns.
	Categorical []string
	// Groups are group attribute columns. They are read as categorical
	// columns and may also be listed in Categorical (the frame holds them
	// once).
	Groups []string
	// KeepUnlabelled keeps rows whose label is missing, with label
	// NoOutcome (students of a running term), instead of excluding them
	// under rule "missing_label"; a header without the label column then
	// means every row has no outcome yet.
	KeepUnlabelled bool
}

// csvMissingMarkers are the cell texts (after trimming surrounding white
// space) read as a missing value: the empty cell plus the markers pandas,
// R and SQL exports write. "None" is deliberately absent: it is a real
// level of many categorical columns.
var csvMissingMarkers = []string{"", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "<NA>", "#N/A"}

// CSVMissingMarkers returns the cell texts LoadCSV reads as a missing value
// in any column, compared after trimming surrounding white space: "" (an
// empty or blank cell), "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null",
// "<NA>" and "#N/A".
func CSVMissingMarkers() []string { return slices.Clone(csvMissingMarkers) }

func csvIsMissing(s string) bool {
	t := strings.TrimSpace(s)
	// No marker is longer than four bytes.
	return len(t) <= 4 && slices.Contains(csvMissingMarkers, t)
}

// LoadCSV reads a student table from a .csv or .csv.gz file into a Frame
// with one row per student and term.
//
// The file is gzip-decompressed when it starts with the gzip magic bytes; a
// file named *.gz without them is an error. A leading UTF-8 byte order mark
// is skipped. The first record is the header; fields follow RFC 4180
// (quoted fields may hold commas, doubled quotes and line breaks; records
// end in LF or CRLF); empty lines are skipped. Every record must have as
// many fields as the header. Columns are matched to opts by exact header
// name; a column named in opts that the header lacks is an error (all
// missing columns are listed at once), as is a referenced column that
// appears twice in the header. Columns not named in opts are ignored.
//
// Cells: a cell equal to one of CSVMissingMarkers (after trimming white
// space) is missing. Numeric cells are decimal numbers ("-1.5", "2e3",
// surrounding white space allowed); anything else, including "3,2",
// thousands separators, hex and infinities, is an error: values are never
// coerced. A missing numeric cell is NaN and a missing categorical or course
// cell is "", each counted per column in Report.Cleaning under rule
// "missing_value" with the column name as detail. Other cells are kept
// verbatim. A row whose label is missing is excluded and counted under rule
// "missing_label"; a missing id or term is an error. Without
// PositiveValues the label must be a decimal number equal to 0 or 1 ("1",
// "1.0", "0.00"); anything else is an error. With PositiveValues,
// Report.Notes lists the label values seen (and any positive value never seen).
//
// Keys are term + "/" + id; two rows with the same key are an error naming
// both lines. Frame.Categorical holds Categorical then the Groups not
// already listed, Frame.Numeric holds Numeric, both in opts order.
// Report.Files records the path, the SHA-256 of the file bytes (compressed
// bytes for .gz) and the number of data records read (excluded rows
// included). Frame.Cutoff is NoCutoff. A file without a header, or without
// data rows, or whose every row lacks a label, is an error.
//
// Errors name the file, the line (1-based, of the field at fault) and the
// field: `students.csv:17: field "gpa": invalid number "3,2"`.
func LoadCSV(path string, opts CSVOptions) (*Frame, error) {
	if err := opts.csvValidate(); err != nil {
		return nil, fmt.Errorf("%s: csv dataset %q: %w", path, opts.Name, err)
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("csv dataset %q: %w", opts.Name, err)
	}
	defer file.Close()

	hash := sha256.New()
	raw := bufio.NewReaderSize(io.TeeReader(file, hash), 64<<10)
	magic, err := raw.Peek(2)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(magic) == 0 {
		return nil, fmt.Errorf("%s: empty file: no header row", path)
	}
	compressed := len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b
	if !compressed && strings.HasSuffix(strings.ToLower(path), ".gz") {
		return nil, fmt.Errorf("%s: named .gz but not gzip-compressed (no gzip magic bytes)", path)
	}
	var text io.Reader = raw
	if compressed {
		gz, err := gzip.NewReader(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", path, err)
		}
		defer gz.Close()
		text = csvGzipErrors{gz}
	}

	frame, records, err := csvParse(path, text, opts)
	if err != nil {
		return nil, err
	}
	// Hash the whole file even if the reader stopped early (gzip trailer
	// or padding after the last record).
	if _, err := io.Copy(io.Discard, raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	frame.Report.Files = []FileInfo{{Path: path, SHA256: hex.EncodeToString(hash.Sum(nil)), Rows: records}}
	return frame, nil
}

// csvValidate reports every problem with the options at once.
func (o CSVOptions) csvValidate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for _, req := range []struct{ role, col string }{{"id", o.IDColumn}, {"label", o.LabelColumn}, {"term", o.TermColumn}} {
		if req.col == "" {
			add("no %s column declared", req.role)
		}
	}
	// role of each key column, to reject it being reused.
	keyRole := map[string]string{}
	for _, kc := range []struct{ role, col string }{{"id", o.IDColumn}, {"label", o.LabelColumn}, {"term", o.TermColumn}, {"course", o.CourseColumn}} {
		if kc.col == "" {
			continue
		}
		if prev, ok := keyRole[kc.col]; ok {
			add("column %q is both the %s and the %s column", kc.col, prev, kc.role)
			continue
		}
		keyRole[kc.col] = kc.role
	}
	featureRole := map[string]string{}
	for _, list := range []struct {
		role string
		cols []string
	}{{"numeric", o.Numeric}, {"categorical", o.Categorical}, {"group", o.Groups}} {
		seen := map[string]bool{}
		for _, c := range list.cols {
			if c == "" {
				add("empty column name in %s columns", list.role)
				continue
			}
			if seen[c] {
				add("column %q listed twice in %s columns", c, list.role)
				continue
			}
			seen[c] = true
			if role := keyRole[c]; role != "" && role != "course" {
				add("column %q is the %s column and cannot be a %s column", c, role, list.role)
			}
			prev, ok := featureRole[c]
			switch {
			case !ok:
				featureRole[c] = list.role
			case prev == "numeric" && list.role == "group":
				add("column %q is numeric and a group attribute: group attributes are categorical; declare it categorical to use it as a feature", c)
			case prev == "numeric":
				add("column %q is declared both numeric and categorical", c)
			}
		}
	}
	for _, v := range o.PositiveValues {
		if csvIsMissing(v) {
			add("positive label value %q is a missing-value marker", v)
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// csvColumn binds a declared column to its header position.
type csvColumn struct {
	name  string
	index int
	// missing counts missing cells in retained rows.
	missing int
	// levels interns categorical values so retained strings do not pin
	// the csv reader's record buffers.
	levels map[string]string
}

func (c *csvColumn) intern(s string) string {
	if v, ok := c.levels[s]; ok {
		return v
	}
	v := strings.Clone(s)
	c.levels[v] = v
	return v
}

// csvParse reads the header and records from text. It returns the frame
// and the number of data records read.
func csvParse(path string, text io.Reader, opts CSVOptions) (*Frame, int, error) {
	body := bufio.NewReaderSize(text, 64<<10)
	if bom, err := body.Peek(3); err == nil && bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		if _, err := body.Discard(3); err != nil {
			return nil, 0, fmt.Errorf("%s: %w", path, err)
		}
	}
	r := csv.NewReader(body)
	r.FieldsPerRecord = -1 // ragged rows get our own message
	r.ReuseRecord = true

	header, err := r.Read()
	if err == io.EOF {
		return nil, 0, fmt.Errorf("%s: empty file: no header row", path)
	}
	if err != nil {
		return nil, 0, csvReadError(path, err)
	}
	header = slices.Clone(header)
	for i := range header {
		header[i] = strings.Clone(header[i])
	}

	positions := map[string][]int{}
	for i, h := range header {
		positions[h] = append(positions[h], i+1)
	}
	var missingCols, duplicated []string
	resolve := func(role, name string) *csvColumn {
		pos := positions[name]
		switch {
		case len(pos) == 0:
			entry := fmt.Sprintf("%q (%s)", name, role)
			if !slices.Contains(missingCols, entry) {
				missingCols = append(missingCols, entry)
			}
			return &csvColumn{name: name, index: -1}
		case len(pos) > 1:
			entry := fmt.Sprintf("%q (fields %s)", name, csvJoinInts(pos))
			if !slices.Contains(duplicated, entry) {
				duplicated = append(duplicated, entry)
			}
		}
		return &csvColumn{name: name, index: pos[0] - 1, levels: map[string]string{}}
	}
	idCol := resolve("id", opts.IDColumn)
	var labelCol *csvColumn
	if opts.KeepUnlabelled && len(positions[opts.LabelColumn]) == 0 {
		labelCol = &csvColumn{name: opts.LabelColumn, index: -1}
	} else {
		labelCol = resolve("label", opts.LabelColumn)
	}
	termCol := resolve("term", opts.TermColumn)
	var courseCol *csvColumn
	if opts.CourseColumn != "" {
		courseCol = resolve("course", opts.CourseColumn)
	}
	numCols := make([]*csvColumn, len(opts.Numeric))
	for i, n := range opts.Numeric {
		numCols[i] = resolve("numeric", n)
	}
	catNames := slices.Clone(opts.Categorical)
	for _, g := range opts.Groups {
		if !slices.Contains(catNames, g) {
			catNames = append(catNames, g)
		}
	}
	catCols := make([]*csvColumn, len(catNames))
	for i, n := range catNames {
		role := "categorical"
		if !slices.Contains(opts.Categorical, n) {
			role = "group"
		}
		catCols[i] = resolve(role, n)
	}
	if len(missingCols) > 0 {
		shown := header
		more := ""
		if len(shown) > 30 {
			shown, more = shown[:30], fmt.Sprintf(", ... (%d more)", len(header)-30)
		}
		return nil, 0, fmt.Errorf("%s:1: header lacks column(s) %s; header has: %s%s",
			path, strings.Join(missingCols, ", "), strings.Join(shown, ", "), more)
	}
	if len(duplicated) > 0 {
		return nil, 0, fmt.Errorf("%s:1: ambiguous column(s) appearing more than once in the header: %s",
			path, strings.Join(duplicated, ", "))
	}

	positive := map[string]bool{}
	for _, v := range opts.PositiveValues {
		positive[v] = true
	}
	labelValues := map[string]int{}

	f := &Frame{Dataset: opts.Name, Cutoff: NoCutoff}
	f.Numeric = make([]NumericColumn, len(numCols))
	for i, c := range numCols {
		f.Numeric[i].Name = c.name
	}
	f.Categorical = make([]CategoricalColumn, len(catCols))
	for i, c := range catCols {
		f.Categorical[i].Name = c.name
	}
	firstLine := map[string]int{}
	records, missingLabels := 0, 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, csvReadError(path, err)
		}
		records++
		line, _ := r.FieldPos(0)
		if len(rec) != len(header) {
			return nil, 0, fmt.Errorf("%s:%d: ragged row: %d fields, header has %d", path, line, len(rec), len(header))
		}
		fieldLine := func(c *csvColumn) int { l, _ := r.FieldPos(c.index); return l }

		id := rec[idCol.index]
		if csvIsMissing(id) {
			return nil, 0, fmt.Errorf("%s:%d: field %q: missing student id %q", path, fieldLine(idCol), idCol.name, id)
		}
		term := rec[termCol.index]
		if csvIsMissing(term) {
			return nil, 0, fmt.Errorf("%s:%d: field %q: missing term %q", path, fieldLine(termCol), termCol.name, term)
		}
		key := term + "/" + id
		if first, dup := firstLine[key]; dup {
			return nil, 0, fmt.Errorf("%s:%d: duplicate row for student %q in term %q (key %q): first at line %d",
				path, line, id, term, key, first)
		}
		firstLine[key] = line

		// Parse every field before deciding on exclusion so that a bad
		// cell is an error even in a row without a label.
		rawLabel := ""
		if labelCol.index >= 0 {
			rawLabel = rec[labelCol.index]
		}
		labelMissing := csvIsMissing(rawLabel)
		var label uint8
		if !labelMissing {
			if len(opts.PositiveValues) == 0 {
				// pandas writes an integer column with gaps as "1.0":
				// any decimal number equal to 0 or 1 is accepted.
				v, err := csvParseNumber(rawLabel)
				switch {
				case err == nil && v == 0:
					label = 0
				case err == nil && v == 1:
					label = 1
				default:
					return nil, 0, fmt.Errorf("%s:%d: field %q: label must be 0 or 1, got %q (declare positive values to map other labels)",
						path, fieldLine(labelCol), labelCol.name, rawLabel)
				}
			} else if positive[rawLabel] {
				label = 1
			}
		}
		for i, c := range numCols {
			v, err := csvParseNumber(rec[c.index])
			if err != nil {
				return nil, 0, fmt.Errorf("%s:%d: field %q: %w", path, fieldLine(c), c.name, err)
			}
			if labelMissing && !opts.KeepUnlabelled {
				continue
			}
			if math.IsNaN(v) {
				c.missing++
			}
			f.Numeric[i].Values = append(f.Numeric[i].Values, v)
		}
		if labelMissing {
			missingLabels++
			if !opts.KeepUnlabelled {
				continue
			}
			label = NoOutcome
		} else if len(opts.PositiveValues) > 0 {
			labelValues[labelCol.intern(rawLabel)]++
		}
		for i, c := range catCols {
			v := rec[c.index]
			if csvIsMissing(v) {
				c.missing++
				v = ""
			} else {
				v = c.intern(v)
			}
			f.Categorical[i].Values = append(f.Categorical[i].Values, v)
		}
		course := ""
		if courseCol != nil {
			if v := rec[courseCol.index]; csvIsMissing(v) {
				courseCol.missing++
			} else {
				course = courseCol.intern(v)
			}
		}
		f.Keys = append(f.Keys, key)
		f.Students = append(f.Students, strings.Clone(id))
		f.Terms = append(f.Terms, termCol.intern(term))
		f.Courses = append(f.Courses, course)
		f.Labels = append(f.Labels, label)
	}
	if records == 0 {
		return nil, 0, fmt.Errorf("%s: no data rows after the header", path)
	}
	if f.Len() == 0 {
		return nil, 0, fmt.Errorf("%s: every one of the %d rows lacks a label in column %q", path, records, labelCol.name)
	}

	if missingLabels > 0 && !opts.KeepUnlabelled {
		f.Report.Cleaning = append(f.Report.Cleaning, CleaningCount{Rule: "missing_label", Count: missingLabels, Detail: labelCol.name})
	}
	missingCounted := append(append(slices.Clone(numCols), catCols...), courseCol)
	for _, c := range missingCounted {
		if c != nil && c.missing > 0 {
			f.Report.Cleaning = append(f.Report.Cleaning, CleaningCount{Rule: "missing_value", Count: c.missing, Detail: c.name})
		}
	}
	if len(opts.PositiveValues) > 0 {
		f.Report.Notes = append(f.Report.Notes, csvLabelNotes(labelCol.name, opts.PositiveValues, labelValues)...)
	}
	return f, records, nil
}

// csvLabelNotes describes the label values seen, so that a misspelt
// positive value shows in the report.
func csvLabelNotes(column string, positives []string, seen map[string]int) []string {
	values := make([]string, 0, len(seen))
	for v := range seen {
		values = append(values, v)
	}
	slices.Sort(values)
	const maxShown = 20
	parts := make([]string, 0, min(len(values), maxShown)+1)
	for i, v := range values {
		if i == maxShown {
			parts = append(parts, fmt.Sprintf("... (%d more values)", len(values)-maxShown))
			break
		}
		part := fmt.Sprintf("%q %d", v, seen[v])
		if slices.Contains(positives, v) {
			part += " (positive)"
		}
		parts = append(parts, part)
	}
	notes := []string{fmt.Sprintf("label column %q values: %s", column, strings.Join(parts, ", "))}
	for _, p := range positives {
		if seen[p] == 0 {
			notes = append(notes, fmt.Sprintf("label column %q: positive value %q never occurs", column, p))
		}
	}
	return notes
}

// csvParseNumber parses a decimal number cell; missing markers give NaN.
func csvParseNumber(cell string) (float64, error) {
	if csvIsMissing(cell) {
		return math.NaN(), nil
	}
	s := strings.TrimSpace(cell)
	if !csvIsDecimal(s) {
		return 0, fmt.Errorf("invalid number %q", cell)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("number %q out of range", cell)
	}
	return v, nil
}

// csvIsDecimal reports whether s is [+-]digits[.digits][(e|E)[+-]digits]
// with at least one mantissa digit (".5" and "5." allowed).
func csvIsDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// csvGzipErrors marks decompression errors as such.
type csvGzipErrors struct{ r io.Reader }

func (g csvGzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("gzip: %w", err)
	}
	return n, err
}

// csvReadError formats a reader error as path:line: message.
func csvReadError(path string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if pe.StartLine != pe.Line {
			return fmt.Errorf("%s:%d: column %d (record starting at line %d): %w", path, pe.Line, pe.Column, pe.StartLine, pe.Err)
		}
		return fmt.Errorf("%s:%d: column %d: %w", path, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%s: reading: %w", path, err)
}

func csvJoinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, " and ")
}
