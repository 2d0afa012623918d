package parquetsrc

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/events"
	"github.com/evalrun/evalrun/external"
	"github.com/evalrun/evalrun/internal/parquettest"
	"github.com/evalrun/evalrun/models"
)

// studentsCSV and studentColumns hold the same table: the CSV as an
// export would write it, the Parquet columns typed, with a nested
// optional group "demographics".
const studentsCSV = `id,term,outcome,gpa,clicks,demographics.gender,demographics.age,course
1,2013J,Fail,2.5,10,F,21,AAA
2,2013J,Pass,NA,3,,,AAA
3,2013J,Pass,3.5,,M,35,
4,2014J,Withdrawn,1,7,F,19,BBB
5,2014J,,2,1,M,40,BBB
6,2014J,Pass,0.25,0,NA,22,BBB
`

func studentColumns() []parquettest.Column {
	return []parquettest.Column{
		{Name: "id", Type: "int64", Values: []any{int64(1), int64(2), int64(3), int64(4), int64(5), int64(6)}},
		{Name: "term", Type: "string", Values: []any{"2013J", "2013J", "2013J", "2014J", "2014J", "2014J"}},
		{Name: "outcome", Type: "string", Values: []any{"Fail", "Pass", "Pass", "Withdrawn", nil, "Pass"}},
		{Name: "gpa", Type: "float64", Values: []any{2.5, nil, 3.5, 1.0, 2.0, 0.25}},
		{Name: "clicks", Type: "int64", Values: []any{int64(10), int64(3), nil, int64(7), int64(1), int64(0)}},
		{Name: "demographics.gender", Type: "string", Values: []any{"F", nil, "M", "F", "M", "NA"}},
		{Name: "demographics.age", Type: "int64", Values: []any{int64(21), nil, int64(35), int64(19), int64(40), int64(22)}},
		{Name: "course", Type: "string", Values: []any{"AAA", "AAA", nil, "BBB", "BBB", "BBB"}},
	}
}

var studentOpts = datasets.CSVOptions{
	Name: "s", IDColumn: "id", LabelColumn: "outcome", PositiveValues: []string{"Fail", "Withdrawn"},
	TermColumn: "term", CourseColumn: "course", Numeric: []string{"gpa", "clicks", "demographics.age"},
	Categorical: []string{"demographics.gender"}, Groups: []string{"demographics.gender"},
}

func TestLoadStudentsSameFrameAsCSV(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "s.csv")
	if err := os.WriteFile(csvPath, []byte(studentsCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	pqPath := filepath.Join(dir, "s.parquet")
	if err := parquettest.Write(pqPath, 4, studentColumns()...); err != nil {
		t.Fatal(err)
	}
	keep := studentOpts
	keep.KeepUnlabelled = true
	for _, opts := range []datasets.CSVOptions{studentOpts, keep} {
		compareFrames(t, csvPath, pqPath, opts)
	}
}

func compareFrames(t *testing.T, csvPath, pqPath string, opts datasets.CSVOptions) {
	want, err := datasets.LoadCSV(csvPath, opts)
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadStudents(context.Background(), pqPath, opts)
	if err != nil {
		t.Fatal(err)
	}
	if opts.KeepUnlabelled && (got.Len() != 6 || got.Labels[4] != datasets.NoOutcome) {
		t.Errorf("KeepUnlabelled: %d rows, labels %v", got.Len(), got.Labels)
	}
	if got.Report.Files[0].Rows != 6 || got.Report.Files[0].Path != pqPath || len(got.Report.Files[0].SHA256) != 64 {
		t.Errorf("files = %+v", got.Report.Files)
	}
	got.Report.Files, want.Report.Files = nil, nil
	// NaN != NaN: compare the numeric columns by bits.
	for i := range want.Numeric {
		for j := range want.Numeric[i].Values {
			a, b := want.Numeric[i].Values[j], got.Numeric[i].Values[j]
			if math.Float64bits(a) != math.Float64bits(b) {
				t.Errorf("%s[%d] = %v, want %v", want.Numeric[i].Name, j, b, a)
			}
		}
		want.Numeric[i].Values, got.Numeric[i].Values = nil, nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parquet frame\n%+v\nwant (csv)\n%+v", got, want)
	}
	if g, _ := want.CategoricalByName("demographics.gender"); g.Values[1] != "" || g.Values[len(g.Values)-1] != "" {
		t.Errorf("gender = %q", g.Values)
	}
}

func TestLoadStudentsErrors(t *testing.T) {
	dir := t.TempDir()
	cols := studentColumns()
	cols[3] = parquettest.Column{Name: "gpa", Type: "string", Values: []any{"2.5", "x", "3,2", "1", "2", "0.25"}}
	bad := filepath.Join(dir, "bad.parquet")
	if err := parquettest.Write(bad, 0, cols...); err != nil {
		t.Fatal(err)
	}
	_, err := LoadStudents(context.Background(), bad, studentOpts)
	if err == nil || !strings.Contains(err.Error(), `row 2 (key "2013J/2"): column "gpa": invalid number "x"`) {
		t.Errorf("err = %v", err)
	}
	opts := studentOpts
	opts.Numeric = []string{"gpa", "demographics.height"}
	_, err = LoadStudents(context.Background(), bad, opts)
	if err == nil || !strings.Contains(err.Error(), `no column(s) "demographics.height"`) || !strings.Contains(err.Error(), "demographics.age") {
		t.Errorf("err = %v", err)
	}
	dup := filepath.Join(dir, "dup.parquet")
	cols = studentColumns()
	cols[0].Values[1] = int64(1)
	if err := parquettest.Write(dup, 0, cols...); err != nil {
		t.Fatal(err)
	}
	_, err = LoadStudents(context.Background(), dup, studentOpts)
	if err == nil || !strings.Contains(err.Error(), `row 2: duplicate row for student "1" in term "2013J"`) {
		t.Errorf("err = %v", err)
	}
	notPQ := filepath.Join(dir, "x.parquet")
	os.WriteFile(notPQ, []byte("id,term\n"), 0o644)
	if ok, _ := IsParquet(notPQ); ok {
		t.Error("IsParquet(csv) = true")
	}
	if ok, _ := IsParquet(bad); !ok {
		t.Error("IsParquet(parquet) = false")
	}
}

// recorder keeps every event and malformed row.
type recorder struct {
	sym       *events.Symbols
	got       []string
	malformed []string
}

func (r *recorder) Event(e *events.Event) error {
	ts, _ := e.Timestamp()
	r.got = append(r.got, strings.Join([]string{
		r.sym.Name(e.Student), ts.Format(time.RFC3339Nano), r.sym.Name(e.Action), r.sym.Name(e.Object), r.sym.Name(e.Course),
		strings.TrimSpace(strings.Repeat("x", int(e.Count))), time.Duration(e.DurationMS * 1e6).String(), floatText(e.Score), string(rune('0' + e.TimeStatus)),
	}, "|"))
	return nil
}

func floatText(v float64) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	return time.Duration(v * 1e9).String()
}

func (r *recorder) Malformed(source string, line int, err error) error {
	r.malformed = append(r.malformed, err.Error())
	return nil
}

const eventsCSV = `student,ts,verb,object,course,n,secs,score
u1,2024-01-15T10:00:00Z,viewed,r1,C1,2,30,
u1,2024-01-15T10:05:00.250Z,completed,r2,C1,1,,0.5
u2,,viewed,r1,C1,1,5,
u2,2024-01-16T08:00:00Z,viewed,r3,,-1,5,
u3,2024-01-17T09:30:00Z,answered,r4,C2,1,12.5,1
`

func TestReadEventsSameAsCSV(t *testing.T) {
	dir := t.TempDir()
	ts := func(s string) any {
		if s == "" {
			return nil
		}
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	pq := filepath.Join(dir, "log.parquet")
	err := parquettest.Write(pq, 2,
		parquettest.Column{Name: "actor.id", Type: "string", Values: []any{"u1", "u1", "u2", "u2", "u3"}},
		parquettest.Column{Name: "ts", Type: "timestamp", Values: []any{ts("2024-01-15T10:00:00Z"), ts("2024-01-15T10:05:00.250Z"), nil, ts("2024-01-16T08:00:00Z"), ts("2024-01-17T09:30:00Z")}},
		parquettest.Column{Name: "verb", Type: "string", Values: []any{"viewed", "completed", "viewed", "viewed", "answered"}},
		parquettest.Column{Name: "object", Type: "string", Values: []any{"r1", "r2", "r1", "r3", "r4"}},
		parquettest.Column{Name: "course", Type: "string", Values: []any{"C1", "C1", "C1", nil, "C2"}},
		parquettest.Column{Name: "n", Type: "int64", Values: []any{int64(2), int64(1), int64(1), int64(-1), int64(1)}},
		parquettest.Column{Name: "secs", Type: "float64", Values: []any{30.0, nil, 5.0, 5.0, 12.5}},
		parquettest.Column{Name: "score", Type: "float64", Values: []any{nil, 0.5, nil, nil, 1.0}},
	)
	if err != nil {
		t.Fatal(err)
	}
	format := events.CSVFormat{Student: []string{"student"}, Time: "ts", Action: "verb", Resource: "object", Course: []string{"course"}, Count: "n", Duration: "secs", Score: "score"}
	want := &recorder{sym: events.NewSymbols()}
	if _, err := events.ReadCSV(strings.NewReader(eventsCSV), "log.csv", format, want.sym, want); err != nil {
		t.Fatal(err)
	}
	format.Student = []string{"actor.id"}
	got := &recorder{sym: events.NewSymbols()}
	st, err := ReadEvents(context.Background(), pq, format, got.sym, got)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 5 || st.Events != 4 || st.Malformed != 1 {
		t.Errorf("stats = %+v", st)
	}
	if !reflect.DeepEqual(got.got, want.got) {
		t.Errorf("parquet events\n%s\nwant (csv)\n%s", strings.Join(got.got, "\n"), strings.Join(want.got, "\n"))
	}
	if len(got.malformed) != 1 || got.malformed[0] != want.malformed[0] {
		t.Errorf("malformed %q, want %q", got.malformed, want.malformed)
	}
}

func TestLoadPredictions(t *testing.T) {
	dir := t.TempDir()
	pq := filepath.Join(dir, "p.parquet")
	err := parquettest.Write(pq, 0,
		parquettest.Column{Name: "key", Type: "string", Values: []any{"2014J/1", "2014J/2", "2014J/1"}},
		parquettest.Column{Name: "split", Type: "string", Values: []any{"a", "a", "b"}},
		parquettest.Column{Name: "score", Type: "float64", Values: []any{0.25, 0.75, 0.5}},
	)
	if err != nil {
		t.Fatal(err)
	}
	p, err := LoadPredictions(context.Background(), external.PredictionsConfig{Path: pq})
	if err != nil {
		t.Fatal(err)
	}
	if p.Rows() != 3 {
		t.Errorf("rows = %d", p.Rows())
	}
	fitted, _ := p.Model("a", "28").Fit(context.Background(), modelsTraining(), nil)
	scores, err := fitted.Predict(context.Background(), rowsWithKeys("2014J/2", "2014J/1"))
	if err != nil || scores[0] != 0.75 || scores[1] != 0.25 {
		t.Errorf("scores = %v, %v", scores, err)
	}
	bad := filepath.Join(dir, "bad.parquet")
	parquettest.Write(bad, 0,
		parquettest.Column{Name: "key", Type: "string", Values: []any{"k"}},
		parquettest.Column{Name: "score", Type: "float64", Values: []any{0.25}},
	)
	if _, err := LoadPredictions(context.Background(), external.PredictionsConfig{Path: bad}); err == nil || !strings.Contains(err.Error(), `no column(s) "split"`) {
		t.Errorf("err = %v", err)
	}
}

func modelsTraining() models.TrainingSet { return models.TrainingSet{} }

func rowsWithKeys(keys ...string) models.Rows {
	return models.Rows{Keys: keys, Terms: make([]string, len(keys)), X: &models.Matrix{Rows: len(keys)}}
}
