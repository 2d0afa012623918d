package datasets

import (
	"bytes"
	"compress/gzip"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// csvBasicOptions describe testdata/csv_basic.csv and its CRLF, BOM and
// gzip twins.
var csvBasicOptions = CSVOptions{
	Name:        "basic",
	IDColumn:    "student",
	LabelColumn: "at_risk",
	TermColumn:  "term",
	// course is both the course column and nothing else.
	CourseColumn: "course",
	Numeric:      []string{"gpa", "clicks"},
	Categorical:  []string{"gender"},
	Groups:       []string{"gender", "region"},
}

// csvBasicWant is the frame csv_basic.csv holds, written out by hand from
// the fixture: s4 (line 6) has no label and is excluded; "NA", "null" and
// blank cells are missing; " 2.75 " is 2.75; "1e0" is 1.
func csvBasicWant() *Frame {
	nan := math.NaN()
	return &Frame{
		Dataset:  "basic",
		Cutoff:   NoCutoff,
		Keys:     []string{"2013B/s1", "2013B/s2", "2013B/s3", "2014B/s1", "2014B/s5"},
		Students: []string{"s1", "s2", "s3", "s1", "s5"},
		Terms:    []string{"2013B", "2013B", "2013B", "2014B", "2014B"},
		Courses:  []string{"AAA", "AAA", "BBB", "AAA", "BBB"},
		Labels:   []uint8{0, 1, 1, 0, 0},
		Numeric: []NumericColumn{
			{Name: "gpa", Values: []float64{3.2, nan, 2.1, 3.5, 2.75}},
			{Name: "clicks", Values: []float64{120, 45, nan, 200, nan}},
		},
		Categorical: []CategoricalColumn{
			{Name: "gender", Values: []string{"F", "M", "F", "F", ""}},
			{Name: "region", Values: []string{"North", "South", "", "North", "South"}},
		},
		Report: LoadReport{
			Cleaning: []CleaningCount{
				{Rule: "missing_label", Count: 1, Detail: "at_risk"},
				{Rule: "missing_value", Count: 1, Detail: "gpa"},
				{Rule: "missing_value", Count: 2, Detail: "clicks"},
				{Rule: "missing_value", Count: 1, Detail: "gender"},
				{Rule: "missing_value", Count: 1, Detail: "region"},
			},
		},
	}
}

func TestLoadCSVFixtures(t *testing.T) {
	quotedWant := &Frame{
		Dataset:  "quoted",
		Cutoff:   NoCutoff,
		Keys:     []string{"T1/a,1", "T1/b2", "T2/c3"},
		Students: []string{"a,1", "b2", "c3"},
		Terms:    []string{"T1", "T1", "T2"},
		Courses:  []string{"", "", ""},
		Labels:   []uint8{1, 0, 1},
		Numeric:  []NumericColumn{{Name: "score", Values: []float64{10, -0.5, 0.5}}},
		Categorical: []CategoricalColumn{{Name: "note", Values: []string{
			"says \"hi\", then\nleaves", "plain", "multi\nline\ntext"}}},
	}
	positiveWant := &Frame{
		Dataset:     "positive",
		Cutoff:      NoCutoff,
		Keys:        []string{"2013J/1", "2013J/2", "2013J/3", "2013J/4", "2013J/6"},
		Students:    []string{"1", "2", "3", "4", "6"},
		Terms:       []string{"2013J", "2013J", "2013J", "2013J", "2013J"},
		Courses:     []string{"", "", "", "", ""},
		Labels:      []uint8{0, 1, 1, 0, 1},
		Numeric:     []NumericColumn{{Name: "credits", Values: []float64{60, 30, 60, 120, 90}}},
		Categorical: []CategoricalColumn{},
		Report: LoadReport{
			Cleaning: []CleaningCount{{Rule: "missing_label", Count: 1, Detail: "final_result"}},
			Notes: []string{
				`label column "final_result" values: "Distinction" 1, "Fail" 2 (positive), "Pass" 1, "Withdrawn" 1 (positive)`,
				`label column "final_result": positive value "Retake" never occurs`,
			},
		},
	}
	cases := []struct {
		file string
		opts CSVOptions
		want *Frame
		rows int
		// sha256 computed with coreutils sha256sum.
		sha256 string
	}{
		{"csv_basic.csv", csvBasicOptions, csvBasicWant(), 6, "a1969e5630dff88b25555f2b373943aa3bdc8e799a31d84a99d9b2624c68afaf"},
		{"csv_crlf.csv", csvBasicOptions, csvBasicWant(), 6, "388c6aeab1e5250f7178f02f12cd5e9a0d255cb57588cb178aea1c4817aaee9d"},
		{"csv_bom.csv", csvBasicOptions, csvBasicWant(), 6, "3b4f734987471f21f08361eaa8fc3fea633a4551314e7bb08fa8f380cfb134c5"},
		{"csv_basic.csv.gz", csvBasicOptions, csvBasicWant(), 6, "e0e4f7f1621a26e6a402ffb069be58b10237dbd7121e5e4203e5c660604add32"},
		{"csv_quoted.csv", CSVOptions{Name: "quoted", IDColumn: "id", LabelColumn: "label", TermColumn: "term",
			Numeric: []string{"score"}, Categorical: []string{"note"}}, quotedWant, 3,
			"e36b6dc4ee00ba250eae179e07380d0353c68ca0764cff7866c4824f3bd87e72"},
		{"csv_positive.csv", CSVOptions{Name: "positive", IDColumn: "id", LabelColumn: "final_result", TermColumn: "term",
			PositiveValues: []string{"Fail", "Withdrawn", "Retake"}, Numeric: []string{"credits"}}, positiveWant, 6,
			"c90124da82ea471ae9a312eaf15d478c09d9b32f9566182267ba74f0ab4f7db5"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join("testdata", c.file)
			got, err := LoadCSV(path, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			want := *c.want
			want.Report.Files = []FileInfo{{Path: path, SHA256: c.sha256, Rows: c.rows}}
			csvCompareFrames(t, got, &want)
		})
	}
}

// TestCSVFixtureBytes guards the fixtures against line-ending or BOM
// normalisation by editors or git, which would make the twins identical.
func TestCSVFixtureBytes(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	basic, crlf, bom, gz := read("csv_basic.csv"), read("csv_crlf.csv"), read("csv_bom.csv"), read("csv_basic.csv.gz")
	if bytes.Contains(basic, []byte("\r")) {
		t.Error("csv_basic.csv contains CR: it should have LF line ends")
	}
	if got, want := bytes.Count(crlf, []byte("\r\n")), bytes.Count(basic, []byte("\n")); got != want {
		t.Errorf("csv_crlf.csv has %d CRLF line ends, want %d", got, want)
	}
	if !bytes.HasPrefix(bom, []byte{0xEF, 0xBB, 0xBF}) || !bytes.Equal(bom[3:], basic) {
		t.Error("csv_bom.csv should be a UTF-8 BOM followed by csv_basic.csv")
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	if _, err := plain.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(plain.Bytes(), basic) {
		t.Error("csv_basic.csv.gz should decompress to csv_basic.csv")
	}
}

// TestLoadCSVGzipByMagic checks that gzip is recognised from its magic
// bytes even when the name lacks .gz.
func TestLoadCSVGzipByMagic(t *testing.T) {
	gz, err := os.ReadFile(filepath.Join("testdata", "csv_basic.csv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "students.csv")
	if err := os.WriteFile(path, gz, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := LoadCSV(path, csvBasicOptions)
	if err != nil {
		t.Fatal(err)
	}
	want := csvBasicWant()
	want.Report.Files = []FileInfo{{Path: path, SHA256: "e0e4f7f1621a26e6a402ffb069be58b10237dbd7121e5e4203e5c660604add32", Rows: 6}}
	csvCompareFrames(t, got, want)
}

func TestLoadCSVMissingMarkers(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,term,x,g,y\n")
	markers := CSVMissingMarkers()
	for i, m := range markers {
		// Pad with spaces: markers are compared after trimming.
		b.WriteString("s" + string(rune('a'+i)) + ",T, " + m + " ," + m + ",1\n")
	}
	// "None" and "-" are real values, not markers.
	b.WriteString("z,T,1,None,0\n")
	path := filepath.Join(t.TempDir(), "students.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := LoadCSV(path, CSVOptions{IDColumn: "id", LabelColumn: "y", TermColumn: "term",
		Numeric: []string{"x"}, Categorical: []string{"g"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(markers) != 10 {
		t.Errorf("CSVMissingMarkers has %d entries, want the 10 documented", len(markers))
	}
	n := len(markers)
	for i := 0; i < n; i++ {
		if !math.IsNaN(f.Numeric[0].Values[i]) {
			t.Errorf("marker %q: numeric value %v, want NaN", markers[i], f.Numeric[0].Values[i])
		}
		if f.Categorical[0].Values[i] != "" {
			t.Errorf("marker %q: categorical value %q, want missing", markers[i], f.Categorical[0].Values[i])
		}
	}
	if f.Categorical[0].Values[n] != "None" {
		t.Errorf(`"None" read as %q, want the level "None"`, f.Categorical[0].Values[n])
	}
	wantCleaning := []CleaningCount{{Rule: "missing_value", Count: n, Detail: "x"}, {Rule: "missing_value", Count: n, Detail: "g"}}
	if !reflect.DeepEqual(f.Report.Cleaning, wantCleaning) {
		t.Errorf("cleaning %+v, want %+v", f.Report.Cleaning, wantCleaning)
	}
}

// TestLoadCSVErrors runs one bad input per case and checks the whole
// error text (path replaced by "students.csv").
func TestLoadCSVErrors(t *testing.T) {
	std := CSVOptions{IDColumn: "id", LabelColumn: "y", TermColumn: "term", Numeric: []string{"gpa"}, Categorical: []string{"g"}}
	cases := []struct {
		name    string
		content string
		gz      bool   // gzip content before writing
		file    string // default students.csv
		opts    *CSVOptions
		want    string
	}{
		{name: "empty file", content: "", want: "students.csv: empty file: no header row"},
		{name: "BOM only", content: "\uFEFF", want: "students.csv: empty file: no header row"},
		{name: "empty gzip", content: "", gz: true, file: "students.csv.gz", want: "students.csv.gz: empty file: no header row"},
		{name: "header only", content: "id,term,gpa,g,y\n", want: "students.csv: no data rows after the header"},
		{name: "missing columns", content: "id,gpa,label\n1,2,3\n",
			want: `students.csv:1: header lacks column(s) "y" (label), "term" (term), "g" (categorical); header has: id, gpa, label`},
		{name: "duplicated header column", content: "id,term,gpa,g,y,gpa\n1,T,2,a,1,3\n",
			want: `students.csv:1: ambiguous column(s) appearing more than once in the header: "gpa" (fields 3 and 6)`},
		{name: "invalid number", content: "id,term,gpa,g,y\n1,T,3.5,a,1\n2,T,\"3,2\",a,0\n",
			want: `students.csv:3: field "gpa": invalid number "3,2"`},
		{name: "thousands separator", content: "id,term,gpa,g,y\n1,T,\"1,000\",a,1\n", want: `students.csv:2: field "gpa": invalid number "1,000"`},
		{name: "infinity is not a number", content: "id,term,gpa,g,y\n1,T,Inf,a,1\n", want: `students.csv:2: field "gpa": invalid number "Inf"`},
		{name: "hex is not a number", content: "id,term,gpa,g,y\n1,T,0x10,a,1\n", want: `students.csv:2: field "gpa": invalid number "0x10"`},
		{name: "number out of range", content: "id,term,gpa,g,y\n1,T,1e999,a,1\n", want: `students.csv:2: field "gpa": number "1e999" out of range`},
		{name: "label not 0/1", content: "id,term,gpa,g,y\n1,T,1,a,1\n2,T,1,a,yes\n",
			want: `students.csv:3: field "y": label must be 0 or 1, got "yes" (declare positive values to map other labels)`},
		{name: "label 2", content: "id,term,gpa,g,y\n1,T,1,a,2\n",
			want: `students.csv:2: field "y": label must be 0 or 1, got "2" (declare positive values to map other labels)`},
		{name: "label 0.5", content: "id,term,gpa,g,y\n1,T,1,a,0.5\n",
			want: `students.csv:2: field "y": label must be 0 or 1, got "0.5" (declare positive values to map other labels)`},
		{name: "label true", content: "id,term,gpa,g,y\n1,T,1,a,true\n",
			want: `students.csv:2: field "y": label must be 0 or 1, got "true" (declare positive values to map other labels)`},
		{name: "ragged short row", content: "id,term,gpa,g,y\n1,T,1,a,1\n2,T,1\n", want: "students.csv:3: ragged row: 3 fields, header has 5"},
		{name: "ragged long row", content: "id,term,gpa,g,y\n1,T,1,a,1,extra\n", want: "students.csv:2: ragged row: 6 fields, header has 5"},
		{name: "missing id", content: "id,term,gpa,g,y\n1,T,1,a,1\nNA,T,1,a,1\n", want: `students.csv:3: field "id": missing student id "NA"`},
		{name: "missing term", content: "id,term,gpa,g,y\n1,,1,a,1\n", want: `students.csv:2: field "term": missing term ""`},
		{name: "duplicate student in term", content: "id,term,gpa,g,y\n1,T,1,a,1\n2,T,1,a,1\n1,U,1,a,0\n1,T,2,b,0\n",
			want: `students.csv:5: duplicate row for student "1" in term "T" (key "T/1"): first at line 2`},
		{name: "duplicate of a row without label", content: "id,term,gpa,g,y\n1,T,1,a,\n1,T,1,a,1\n",
			want: `students.csv:3: duplicate row for student "1" in term "T" (key "T/1"): first at line 2`},
		{name: "bad number in a row without label", content: "id,term,gpa,g,y\n1,T,1,a,1\n2,T,x,a,NA\n",
			want: `students.csv:3: field "gpa": invalid number "x"`},
		{name: "every label missing", content: "id,term,gpa,g,y\n1,T,1,a,\n2,T,1,a,NA\n",
			want: `students.csv: every one of the 2 rows lacks a label in column "y"`},
		{name: "bare quote", content: "id,term,gpa,g,y\n1,T,1,a\"b,1\n", want: `students.csv:2: column 8: bare " in non-quoted-field`},
		{name: "unterminated quote", content: "id,term,gpa,g,y\n1,T,1,\"a,1\n2,T,1,a,1\n",
			want: `students.csv:3: column 11 (record starting at line 2): extraneous or missing " in quoted-field`},
		{name: "gz name but plain text", content: "id,term,gpa,g,y\n1,T,1,a,1\n", file: "students.csv.gz",
			want: "students.csv.gz: named .gz but not gzip-compressed (no gzip magic bytes)"},
		{name: "corrupt gzip", content: "\x1f\x8b\x08\x00garbage", file: "students.csv.gz", want: "students.csv.gz: reading: gzip: unexpected EOF"},
		{name: "options: everything wrong", content: "id,term,gpa,g,y\n1,T,1,a,1\n",
			opts: &CSVOptions{Name: "bad", IDColumn: "id", LabelColumn: "id", Numeric: []string{"gpa", "gpa", "y", "id"},
				Categorical: []string{"gpa", ""}, Groups: []string{"gpa"}, PositiveValues: []string{"NA"}},
			want: `students.csv: csv dataset "bad": no term column declared; ` +
				`column "id" is both the id and the label column; column "gpa" listed twice in numeric columns; ` +
				`column "id" is the id column and cannot be a numeric column; column "gpa" is declared both numeric and categorical; ` +
				`empty column name in categorical columns; ` +
				`column "gpa" is numeric and a group attribute: group attributes are categorical; declare it categorical to use it as a feature; ` +
				`positive label value "NA" is a missing-value marker`},
		{name: "label as feature", content: "id,term,gpa,g,y\n1,T,1,a,1\n",
			opts: &CSVOptions{IDColumn: "id", LabelColumn: "y", TermColumn: "term", Numeric: []string{"y"}},
			want: `students.csv: csv dataset "": column "y" is the label column and cannot be a numeric column`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			file := c.file
			if file == "" {
				file = "students.csv"
			}
			data := []byte(c.content)
			if c.gz {
				var buf bytes.Buffer
				zw := gzip.NewWriter(&buf)
				if _, err := zw.Write(data); err != nil {
					t.Fatal(err)
				}
				if err := zw.Close(); err != nil {
					t.Fatal(err)
				}
				data = buf.Bytes()
			}
			path := filepath.Join(dir, file)
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			opts := std
			if c.opts != nil {
				opts = *c.opts
			}
			_, err := LoadCSV(path, opts)
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			got := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
			if got != c.want {
				t.Errorf("error\n got: %s\nwant: %s", got, c.want)
			}
		})
	}
}

// TestLoadCSVLineNumbers checks that blank lines are skipped but still
// counted, as are the lines inside a quoted field, so error lines point
// into the file.
func TestLoadCSVLineNumbers(t *testing.T) {
	content := "id,term,gpa,y\n\n1,T,\"1\n\",1\n\n2,T,1,1\r\n3,T,bad,0\n"
	path := filepath.Join(t.TempDir(), "students.csv")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadCSV(path, CSVOptions{IDColumn: "id", LabelColumn: "y", TermColumn: "term", Numeric: []string{"gpa"}})
	want := path + `:7: field "gpa": invalid number "bad"`
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
	good := strings.Replace(content, "bad", "2", 1)
	if err := os.WriteFile(path, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := LoadCSV(path, CSVOptions{IDColumn: "id", LabelColumn: "y", TermColumn: "term", Numeric: []string{"gpa"}})
	if err != nil {
		t.Fatal(err)
	}
	// The quoted "1\n" is a number with a trailing line break: white space.
	if got := f.Numeric[0].Values; !slices.Equal(got, []float64{1, 1, 2}) || f.Report.Files[0].Rows != 3 {
		t.Errorf("gpa %v from %d rows, want [1 1 2] from 3", got, f.Report.Files[0].Rows)
	}
}

// TestLoadCSVNumericLabels checks that 0/1 labels written as floats (as
// pandas writes an integer column with gaps) are read as 0 and 1.
func TestLoadCSVNumericLabels(t *testing.T) {
	content := "id,term,y\n1,T,1.0\n2,T,0.0\n3,T,\n4,T, 1 \n5,T,0e0\n6,T,-0\n"
	path := filepath.Join(t.TempDir(), "students.csv")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := LoadCSV(path, CSVOptions{IDColumn: "id", LabelColumn: "y", TermColumn: "term"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint8{1, 0, 1, 0, 0}; !slices.Equal(f.Labels, want) {
		t.Errorf("labels %v, want %v", f.Labels, want)
	}
	if want := []string{"T/1", "T/2", "T/4", "T/5", "T/6"}; !slices.Equal(f.Keys, want) {
		t.Errorf("keys %v, want %v (row 3 has no label)", f.Keys, want)
	}
}

func TestLoadCSVMissingFile(t *testing.T) {
	_, err := LoadCSV(filepath.Join(t.TempDir(), "absent.csv"), CSVOptions{Name: "d", IDColumn: "id", LabelColumn: "y", TermColumn: "t"})
	if err == nil || !strings.Contains(err.Error(), `csv dataset "d": open `) || !strings.Contains(err.Error(), "absent.csv") {
		t.Errorf("error %v, want one naming the dataset and the missing file", err)
	}
}

func TestCSVIsDecimal(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"0", true}, {"-1", true}, {"+2.5", true}, {".5", true}, {"5.", true}, {"1e3", true}, {"1E-3", true}, {"-0.0e+0", true},
		{"", false}, {".", false}, {"-", false}, {"e3", false}, {"1e", false}, {"1e+", false}, {"1.2.3", false},
		{"3,2", false}, {"0x1p3", false}, {"Inf", false}, {"NaN", false}, {"1_000", false}, {"1 2", false},
	} {
		if got := csvIsDecimal(c.s); got != c.want {
			t.Errorf("csvIsDecimal(%q) = %v, want %v", c.s, got, c.want)
		}
	}
}

// csvCompareFrames compares frames field by field, NaN equal to NaN.
func csvCompareFrames(t *testing.T, got, want *Frame) {
	t.Helper()
	if got.Dataset != want.Dataset || got.Cutoff != want.Cutoff {
		t.Errorf("dataset/cutoff %q/%d, want %q/%d", got.Dataset, got.Cutoff, want.Dataset, want.Cutoff)
	}
	for _, s := range []struct {
		name      string
		got, want []string
	}{{"keys", got.Keys, want.Keys}, {"students", got.Students, want.Students}, {"terms", got.Terms, want.Terms}, {"courses", got.Courses, want.Courses}} {
		if !reflect.DeepEqual(s.got, s.want) {
			t.Errorf("%s %q, want %q", s.name, s.got, s.want)
		}
	}
	if !reflect.DeepEqual(got.Labels, want.Labels) {
		t.Errorf("labels %v, want %v", got.Labels, want.Labels)
	}
	if len(got.Numeric) != len(want.Numeric) {
		t.Fatalf("%d numeric columns, want %d", len(got.Numeric), len(want.Numeric))
	}
	for i, wc := range want.Numeric {
		gc := got.Numeric[i]
		if gc.Name != wc.Name || len(gc.Values) != len(wc.Values) {
			t.Errorf("numeric column %d: %q with %d values, want %q with %d", i, gc.Name, len(gc.Values), wc.Name, len(wc.Values))
			continue
		}
		for j, w := range wc.Values {
			if g := gc.Values[j]; !(g == w || math.IsNaN(g) && math.IsNaN(w)) {
				t.Errorf("%s[%d] = %v, want %v", wc.Name, j, g, w)
			}
		}
	}
	if len(got.Categorical) != len(want.Categorical) {
		t.Fatalf("%d categorical columns, want %d", len(got.Categorical), len(want.Categorical))
	}
	for i, wc := range want.Categorical {
		if !reflect.DeepEqual(got.Categorical[i], wc) {
			t.Errorf("categorical column %d: %q, want %q", i, got.Categorical[i], wc)
		}
	}
	if !reflect.DeepEqual(got.Report.Files, want.Report.Files) {
		t.Errorf("files %+v, want %+v", got.Report.Files, want.Report.Files)
	}
	if !reflect.DeepEqual(got.Report.Cleaning, want.Report.Cleaning) {
		t.Errorf("cleaning %+v, want %+v", got.Report.Cleaning, want.Report.Cleaning)
	}
	if !reflect.DeepEqual(got.Report.Notes, want.Report.Notes) {
		t.Errorf("notes %q, want %q", got.Report.Notes, want.Report.Notes)
	}
}
