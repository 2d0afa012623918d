package events

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Expected counts below were computed from the files with an independent
// Python json script (counting result keys, actor names, course parents).
func TestReadXAPIMoodleStatements(t *testing.T) {
	path := filepath.Join(sharedData(t, "xapi"), "moodle-statements.jsonl")
	sym := NewSymbols()
	rec := &recorder{sym: sym}
	st, err := ReadXAPIFile(path, sym, rec)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 190 || st.Events != 190 || st.Malformed != 0 {
		t.Fatalf("stats %+v, want 190 records and events", st)
	}
	var scored, success, completion, duration, course, reply, missing int
	students := map[string]bool{}
	for _, e := range rec.events {
		if e.Student == 0 || e.Action == 0 {
			t.Errorf("line %d: student %q action %q", e.Line, rec.name(e.Student), rec.name(e.Action))
		}
		students[rec.name(e.Student)] = true
		if e.TimeStatus == TimeMissing {
			missing++
		}
		if !math.IsNaN(e.Score) {
			scored++
			if e.Score < 0 || e.Score > 1 {
				t.Errorf("line %d: score %v outside [0, 1]", e.Line, e.Score)
			}
		}
		if e.Success != Unknown {
			success++
		}
		if e.Completion != Unknown {
			completion++
		}
		if e.DurationMS >= 0 {
			duration++
		}
		if e.Course != 0 {
			course++
		}
		if e.Reply {
			reply++
		}
	}
	got := []int{missing, scored, success, completion, duration, course, reply, len(students)}
	want := []int{190, 21, 34, 37, 16, 169, 1, 3}
	if !slices.Equal(got, want) {
		t.Errorf("missing, scored, success, completion, duration, course, reply, students = %v, want %v", got, want)
	}
	// Every statement lacks a timestamp: the builder drops and counts each,
	// per student, never placing one at a zero date.
	b, err := NewBuilder(Options{Cutoffs: []int{7}, Cleaning: DefaultCleaning()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadXAPIFile(path, b.Symbols(), b); err != nil {
		t.Fatal(err)
	}
	res, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if res.Report.Records != 190 || res.Report.Kept != 0 || ruleCount(res, RuleMissingTimestamp) != 190 {
		t.Errorf("report %+v, want 190 records, all missing_timestamp", res.Report)
	}
	perStudent := 0
	for _, s := range res.Report.Students {
		perStudent += s.Counts[RuleMissingTimestamp]
	}
	if perStudent != 190 || len(res.Report.Students) != 3 {
		t.Errorf("per-student missing_timestamp sum %d over %d students, want 190 over 3", perStudent, len(res.Report.Students))
	}
}

func ruleCount(r *Result, rule string) int {
	for _, c := range r.Report.Rules {
		if c.Rule == rule {
			return c.Count
		}
	}
	return -1
}

func TestReadCaliperExamples(t *testing.T) {
	dir := sharedData(t, "caliper")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) != 37 {
		t.Fatalf("%d Caliper files (%v), want 37", len(files), err)
	}
	sym := NewSymbols()
	rec := &recorder{sym: sym}
	events, entities := 0, 0
	for _, f := range files {
		st, err := ReadCaliperFile(f, sym, rec)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		events += st.Events
		entities += st.Skipped
	}
	if events != 39 || entities != 8 {
		t.Errorf("events %d entities %d, want 39 and 8", events, entities)
	}
	for _, e := range rec.events {
		if e.Student == 0 || e.Action == 0 || e.Object == 0 || e.TimeStatus != TimeOK {
			t.Errorf("%s item %d: student %q action %q object %q time status %d", filepath.Base(e.Source), e.Line,
				rec.name(e.Student), rec.name(e.Action), rec.name(e.Object), e.TimeStatus)
		}
		// Thinned events reference an object by id only; without an entity
		// describing it in the envelope its type is unknown.
		thinned := strings.Contains(e.Source, "Thinned")
		if (e.ObjectType == 0) != thinned {
			t.Errorf("%s item %d: object %q without type", filepath.Base(e.Source), e.Line, rec.name(e.Object))
		}
	}
	byFile := func(name string) []Event {
		var out []Event
		for _, e := range rec.events {
			if filepath.Base(e.Source) == name {
				out = append(out, e)
			}
		}
		return out
	}
	g := byFile("caliperEventGradeGraded.json")[0]
	if rec.name(g.Student) != "https://example.edu/users/554433" || math.Abs(g.Score-10.0/15) > 1e-12 || g.DurationMS != (50*60+12)*1000 {
		t.Errorf("GradeEvent: student %q score %v duration %d ms; want the assignee, 10/15, 3012000", rec.name(g.Student), g.Score, g.DurationMS)
	}
	if ts, ok := g.Timestamp(); !ok || ts.Format(time.RFC3339) != "2016-11-15T10:57:06Z" {
		t.Errorf("GradeEvent time %v %v", ts, ok)
	}
	mixed := byFile("caliperEnvelopeMixedBatch.json")
	if len(mixed) != 3 || rec.name(mixed[0].ObjectType) != "Assessment" || rec.name(mixed[2].Student) != "https://example.edu/users/554433" {
		t.Errorf("mixed batch: thinned references not resolved: %d events, type %q, graded student %q",
			len(mixed), rec.name(mixed[0].ObjectType), rec.name(mixed[2].Student))
	}
	if rec.name(mixed[0].Course) != "https://example.edu/terms/201601/courses/7/sections/1" {
		t.Errorf("thinned group %q", rec.name(mixed[0].Course))
	}
	if r := byFile("caliperEventMessageReplied.json")[0]; !r.Reply {
		t.Error("MessageEvent with replyTo not marked Reply")
	}
	if ua := byFile("caliperEventSessionLoggedInExtended.json")[0].UserAgent; !strings.HasPrefix(rec.name(ua), "Mozilla/5.0") {
		t.Errorf("user agent %q", rec.name(ua))
	}
}

func TestReadXAPIArrayAndErrors(t *testing.T) {
	array := `[{"actor":{"mbox":"mailto:a@example.org"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},
	"object":{"id":"http://x/act/1","definition":{"type":"http://adlnet.gov/expapi/activities/assessment"}},
	"timestamp":"2024-01-02T03:04:05.5+01:00","result":{"score":{"raw":7,"min":0,"max":10},"success":true,"duration":"PT1M30S"}},
	{"actor":{"mbox_sha1sum":"ab12"},"verb":{"id":"v"},"object":{"id":"o"},"timestamp":"yesterday"}]`
	sym := NewSymbols()
	rec := &recorder{sym: sym}
	st, err := ReadXAPI(strings.NewReader(array), "array.json", sym, rec)
	if err != nil || st.Events != 2 {
		t.Fatalf("array: %+v %v", st, err)
	}
	e := rec.events[0]
	// 2024-01-02T02:04:05.5Z = 1704161045500 ms (date -d).
	if rec.name(e.Student) != "mailto:a@example.org" || e.Time != 1704161045500 || math.Abs(e.Score-0.7) > 1e-12 ||
		e.Success != Yes || e.DurationMS != 90000 {
		t.Errorf("statement 1: %+v", e)
	}
	if rec.name(rec.events[1].Student) != "ab12" || rec.events[1].TimeStatus != TimeInvalid {
		t.Errorf("statement 2: student %q status %d", rec.name(rec.events[1].Student), rec.events[1].TimeStatus)
	}

	// A truncated JSON line: an error naming line 2, or a counted drop.
	lines := `{"actor":{"account":{"name":"s1"}},"verb":{"id":"v"},"object":{"id":"o"},"timestamp":"2024-01-02T03:04:05Z"}
{"actor":{"account":{"name":"s1"}},"verb":{"id":"v"
`
	b, _ := NewBuilder(Options{Cutoffs: []int{7}, Term: Term{Start: mustTime(t, "2024-01-01T00:00:00Z")}})
	_, err = ReadXAPI(strings.NewReader(lines), "t.jsonl", b.Symbols(), b)
	if err == nil || !strings.Contains(err.Error(), "t.jsonl:2:") {
		t.Errorf("truncated line: error %v, want one naming t.jsonl:2", err)
	}
	b, _ = NewBuilder(Options{Cutoffs: []int{7}, Term: Term{Start: mustTime(t, "2024-01-01T00:00:00Z")}, Cleaning: Cleaning{DropMalformed: true}})
	if _, err = ReadXAPI(strings.NewReader(lines), "t.jsonl", b.Symbols(), b); err != nil {
		t.Fatal(err)
	}
	res, _ := b.Finish()
	if ruleCount(res, RuleMalformed) != 1 || res.Report.Kept != 1 {
		t.Errorf("with drop_malformed: malformed %d kept %d, want 1 and 1", ruleCount(res, RuleMalformed), res.Report.Kept)
	}
}

func TestReadXAPIEmpty(t *testing.T) {
	sym := NewSymbols()
	if _, err := ReadXAPI(strings.NewReader("  \n"), "e.json", sym, &recorder{sym: sym}); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty input: %v", err)
	}
	if _, err := ReadCaliper(strings.NewReader(`{"data": [`), "c.json", sym, &recorder{sym: sym}); err == nil || !strings.Contains(err.Error(), "c.json") {
		t.Errorf("truncated Caliper: %v", err)
	}
	if _, err := ReadCaliperFile(filepath.Join(os.TempDir(), "no-such-caliper.json"), sym, &recorder{sym: sym}); err == nil {
		t.Error("missing file: no error")
	}
}

func TestReadSource(t *testing.T) {
	dir := sharedData(t, "caliper")
	start := mustTime(t, "2016-11-01T00:00:00Z")
	// The example files are not in time order: sort in memory.
	b, err := NewBuilder(Options{Cutoffs: []int{30}, Term: Term{Start: start}, Cleaning: DefaultCleaning(), SortInMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	st, err := b.ReadSource(Source{Path: filepath.Join(dir, "*.json"), Format: SourceCaliper})
	if err != nil || st.Events != 39 || st.Skipped != 8 {
		t.Fatalf("stats %+v, err %v; want 39 events, 8 entities", st, err)
	}
	if _, err := b.ReadSource(Source{Path: filepath.Join(dir, "*.nothing")}); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("no match: %v", err)
	}
	if _, err := b.ReadSource(Source{Path: filepath.Join(dir, "LICENSE"), Format: "parquet"}); err == nil || !strings.Contains(err.Error(), `format "parquet"`) {
		t.Errorf("bad format: %v", err)
	}
	r, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	// Expected from an independent Python pass over the files: two events
	// dated 2017-11-15 (after day 30) and three exact duplicates (the same
	// NavigatedTo, Started and Used events appear both as a single event
	// and inside an envelope).
	if r.Report.Records != 39 || ruleCount(r, RuleAfterLastDay) != 2 || ruleCount(r, RuleDuplicate) != 3 || r.Report.Kept != 34 {
		t.Errorf("report %+v: want 39 records, 2 after the last day, 3 duplicates, 34 kept", r.Report)
	}
}
