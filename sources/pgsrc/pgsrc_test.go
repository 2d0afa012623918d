package pgsrc

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/events"
	"github.com/evalrun/evalrun/internal/pgtest"
)

const studentsCSV = `id,term,outcome,gpa,clicks,gender,course
1,2013J,Fail,2.5,10,F,AAA
2,2013J,Pass,NA,3,,AAA
3,2013J,Pass,3.5,,M,
4,2014J,Withdrawn,1,7,F,BBB
5,2014J,,2,1,M,BBB
6,2014J,Pass,0.25,0,NA,BBB
`

// The same rows typed, NULL where the CSV has a missing value.
const studentsSQL = `
CREATE SCHEMA sis;
CREATE TABLE sis.students (id bigint, term text, outcome text, gpa double precision, clicks integer, gender text, course varchar(10), enrolled timestamptz);
INSERT INTO sis.students VALUES
 (1,'2013J','Fail',2.5,10,'F','AAA',now()), (2,'2013J','Pass',NULL,3,NULL,'AAA',now()), (3,'2013J','Pass',3.5,NULL,'M',NULL,now()),
 (4,'2014J','Withdrawn',1,7,'F','BBB',now()), (5,'2014J',NULL,2,1,'M','BBB',now()), (6,'2014J','Pass',0.25,0,'NA','BBB',now());
CREATE TABLE lms_events (student text, ts timestamptz, verb text, object text, course text, n integer, secs double precision, score numeric);
CREATE TABLE xapi_statement (id uuid, payload jsonb, is_voided boolean DEFAULT false);
`

const eventsCSV = `student,ts,verb,object,course,n,secs,score
u1,2024-01-15T10:00:00Z,viewed,r1,C1,2,30,
u1,2024-01-15T10:05:00.250Z,completed,r2,C1,1,,0.5
u2,,viewed,r1,C1,1,5,
u2,2024-01-16T08:00:00Z,viewed,r3,,-1,5,
u3,2024-01-17T09:30:00Z,answered,r4,C2,1,12.5,1
`

var studentOpts = datasets.CSVOptions{
	Name: "s", IDColumn: "id", LabelColumn: "outcome", PositiveValues: []string{"Fail", "Withdrawn"},
	TermColumn: "term", CourseColumn: "course", Numeric: []string{"gpa", "clicks"},
	Categorical: []string{"gender"}, Groups: []string{"gender"},
}

type recorder struct {
	sym       *events.Symbols
	got       []string
	malformed []string
}

func (r *recorder) Event(e *events.Event) error {
	ts, _ := e.Timestamp()
	r.got = append(r.got, strings.Join([]string{
		r.sym.Name(e.Student), ts.Format(time.RFC3339Nano), r.sym.Name(e.Action), r.sym.Name(e.Object), r.sym.Name(e.Course),
		time.Duration(e.Count).String(), time.Duration(e.DurationMS).String(), strings.TrimSpace(strings.Repeat(" ", 0)) + floatText(e.Score), string(rune('0' + e.TimeStatus)),
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

// TestPostgres runs every PostgreSQL test on one throwaway cluster.
func TestPostgres(t *testing.T) {
	c := pgtest.Start(t)
	c.Exec(t, studentsSQL)
	c.Copy(t, "lms_events", eventsCSV)
	getenv := func(k string) string {
		if k == "EVALRUN_TEST_PG" {
			return c.ConnString
		}
		return ""
	}
	ctx := context.Background()
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "s.csv")
	os.WriteFile(csvPath, []byte(studentsCSV), 0o644)

	t.Run("students same frame as CSV", func(t *testing.T) {
		want, err := datasets.LoadCSV(csvPath, studentOpts)
		if err != nil {
			t.Fatal(err)
		}
		src := Source{ConnectionEnv: "EVALRUN_TEST_PG", Table: "sis.students"}
		got, res, err := LoadStudents(ctx, src, studentOpts, getenv)
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows != 6 || len(res.Fingerprint) != 64 || got.Report.Files[0].Path != "postgres $EVALRUN_TEST_PG table sis.students" {
			t.Errorf("result %+v, files %+v", res, got.Report.Files)
		}
		if strings.Contains(got.Report.Files[0].Path, c.Dir) {
			t.Error("the manifest entry names the connection")
		}
		got.Report.Files, want.Report.Files = nil, nil
		for i := range want.Numeric {
			for j := range want.Numeric[i].Values {
				if a, b := want.Numeric[i].Values[j], got.Numeric[i].Values[j]; math.Float64bits(a) != math.Float64bits(b) {
					t.Errorf("%s[%d] = %v, want %v", want.Numeric[i].Name, j, b, a)
				}
			}
			want.Numeric[i].Values, got.Numeric[i].Values = nil, nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("postgres frame\n%+v\nwant (csv)\n%+v", got, want)
		}
		// The same rows through a query give the same fingerprint of the
		// result only when the SQL is the same: the fingerprint covers both.
		_, res2, err := LoadStudents(ctx, src, studentOpts, getenv)
		if err != nil || res2.Fingerprint != res.Fingerprint {
			t.Errorf("second read fingerprint %s, want %s (%v)", res2.Fingerprint, res.Fingerprint, err)
		}
		q := Source{ConnectionEnv: "EVALRUN_TEST_PG", Query: "SELECT * FROM sis.students WHERE term = '2014J'"}
		f, res3, err := LoadStudents(ctx, q, studentOpts, getenv)
		if err != nil || f.Len() != 2 || res3.Rows != 3 || res3.Fingerprint == res.Fingerprint {
			t.Errorf("query: %v rows, result %+v, err %v", f, res3, err)
		}
	})

	t.Run("errors", func(t *testing.T) {
		src := Source{ConnectionEnv: "EVALRUN_TEST_PG", Table: "sis.students"}
		opts := studentOpts
		opts.Numeric = []string{"gpa", "enrolled"}
		_, _, err := LoadStudents(ctx, src, opts, getenv)
		if err == nil || !strings.Contains(err.Error(), `column "enrolled" is timestamptz: the numeric column needs numbers`) {
			t.Errorf("timestamp as a feature: %v", err)
		}
		opts.Numeric = []string{"gpa", "height"}
		_, _, err = LoadStudents(ctx, src, opts, getenv)
		if err == nil || !strings.Contains(err.Error(), `no column(s) "height"; columns are: clicks, course, enrolled, gender, gpa, id, outcome, term`) {
			t.Errorf("missing column: %v", err)
		}
		q := Source{ConnectionEnv: "EVALRUN_TEST_PG", Query: "SELECT id, term, outcome, CASE WHEN id = 4 THEN 'x' ELSE gpa::text END AS gpa, clicks, gender, course FROM sis.students"}
		_, _, err = LoadStudents(ctx, q, studentOpts, getenv)
		if err == nil || !strings.Contains(err.Error(), `row 4 (key "2014J/4"): column "gpa": invalid number "x"`) {
			t.Errorf("bad text number: %v", err)
		}
		_, _, err = LoadStudents(ctx, Source{ConnectionEnv: "EVALRUN_UNSET", Table: "sis.students"}, studentOpts, getenv)
		if err == nil || !strings.Contains(err.Error(), "EVALRUN_UNSET (connection_env) is unset") {
			t.Errorf("unset variable: %v", err)
		}
		_, _, err = LoadStudents(ctx, Source{ConnectionEnv: "EVALRUN_TEST_PG", Table: "sis.students", Query: "SELECT 1"}, studentOpts, getenv)
		if err == nil || !strings.Contains(err.Error(), "set table or query, not both") {
			t.Errorf("both table and query: %v", err)
		}
	})

	t.Run("events same as CSV", func(t *testing.T) {
		format := events.CSVFormat{Student: []string{"student"}, Time: "ts", Action: "verb", Resource: "object", Course: []string{"course"}, Count: "n", Duration: "secs", Score: "score"}
		want := &recorder{sym: events.NewSymbols()}
		if _, err := events.ReadCSV(strings.NewReader(eventsCSV), "log.csv", format, want.sym, want); err != nil {
			t.Fatal(err)
		}
		got := &recorder{sym: events.NewSymbols()}
		st, res, err := ReadEvents(ctx, Source{ConnectionEnv: "EVALRUN_TEST_PG", Table: "lms_events"}, format, got.sym, got, getenv)
		if err != nil {
			t.Fatal(err)
		}
		if st.Records != 5 || st.Events != 4 || st.Malformed != 1 || res.Rows != 5 {
			t.Errorf("stats %+v, result %+v", st, res)
		}
		if !reflect.DeepEqual(got.got, want.got) || !reflect.DeepEqual(got.malformed, want.malformed) {
			t.Errorf("postgres events\n%s\n%q\nwant (csv)\n%s\n%q", strings.Join(got.got, "\n"), got.malformed, strings.Join(want.got, "\n"), want.malformed)
		}
	})

	t.Run("SQL LRS xapi_statement", func(t *testing.T) {
		c.Exec(t, `INSERT INTO xapi_statement (id, payload, is_voided) VALUES
 ('6fbd600f-d17c-4c74-801a-2ec2e53231c7', '{"actor":{"account":{"homePage":"https://lms.example.edu","name":"s1"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"https://lms.example.edu/quiz/1","definition":{"type":"http://adlnet.gov/expapi/activities/assessment"}},"result":{"score":{"scaled":0.8},"duration":"PT5M"},"timestamp":"2024-02-01T09:00:00Z"}', false),
 ('7fbd600f-d17c-4c74-801a-2ec2e53231c7', '{"actor":{"account":{"homePage":"https://lms.example.edu","name":"s2"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/experienced"},"object":{"id":"https://lms.example.edu/page/3"},"timestamp":"2024-02-02T10:30:00+01:00"}', false),
 ('8fbd600f-d17c-4c74-801a-2ec2e53231c7', '{"actor":{"account":{"name":"s3"}},"verb":{"id":"x"},"object":{"id":"y"},"timestamp":"2024-02-03T00:00:00Z"}', true)`)
		src := Source{ConnectionEnv: "EVALRUN_TEST_PG", Query: sqlLRSQuery}
		format := events.CSVFormat{Student: []string{"student"}, Time: "ts", Action: "verb", Resource: "object", ResourceType: "object_type", Score: "score"}
		got := &recorder{sym: events.NewSymbols()}
		st, _, err := ReadEvents(ctx, src, format, got.sym, got, getenv)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			"s1|2024-02-01T09:00:00Z|http://adlnet.gov/expapi/verbs/completed|https://lms.example.edu/quiz/1||1ns|-1ns|800ms|0",
			"s2|2024-02-02T09:30:00Z|http://adlnet.gov/expapi/verbs/experienced|https://lms.example.edu/page/3||1ns|-1ns|NaN|0",
		}
		if st.Events != 2 || !reflect.DeepEqual(got.got, want) {
			t.Errorf("xAPI events %+v\n%s\nwant\n%s", st, strings.Join(got.got, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("cancellation", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		src := Source{ConnectionEnv: "EVALRUN_TEST_PG", Query: "SELECT 's' || (g % 100) AS student, timestamptz '2024-01-01' + g * interval '1 second' AS ts FROM generate_series(1, 1000000) g"}
		n := 0
		sink := countSink{fn: func() {
			n++
			if n == 1000 {
				cancel()
			}
		}}
		start := time.Now()
		_, _, err := ReadEvents(cctx, src, events.CSVFormat{Student: []string{"student"}, Time: "ts"}, events.NewSymbols(), sink, getenv)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if n > 10000 || time.Since(start) > 20*time.Second {
			t.Errorf("read %d rows in %v after cancelling at 1000", n, time.Since(start))
		}
	})
}

// sqlLRSQuery is the query docs/sources.md gives for SQL LRS.
const sqlLRSQuery = `SELECT payload #>> '{actor,account,name}' AS student,
       (payload ->> 'timestamp')::timestamptz AS ts,
       payload #>> '{verb,id}' AS verb,
       payload #>> '{object,id}' AS object,
       payload #>> '{object,definition,type}' AS object_type,
       (payload #>> '{result,score,scaled}')::double precision AS score
  FROM xapi_statement
 WHERE NOT is_voided
 ORDER BY student, ts`

type countSink struct{ fn func() }

func (s countSink) Event(*events.Event) error          { s.fn(); return nil }
func (s countSink) Malformed(string, int, error) error { return nil }
