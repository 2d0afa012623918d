package events

import (
	"encoding/json"
	"github.com/evalrun/evalrun/datasets"
	"math"
	"strings"
	"testing"
	"time"
)

// handLog is a small log whose features were worked out by hand (the
// session-gap SD and the weekday entropy with Python's statistics.stdev
// and math.log2). Term start: Monday 2024-01-08 UTC.
const handLog = `student,ts,action,resource,type,score
A,2024-01-08T09:00:00Z,viewed,p1,page,
A,2024-01-08T09:10:00Z,viewed,f1,forum,
A,2024-01-08T09:50:00Z,posted,f1,forum,
A,2024-01-09T10:00:00Z,replied,f1,forum,
A,2024-01-10T10:00:00Z,submitted,q1,quiz,0.8
A,2024-01-17T12:00:00Z,viewed,p1,page,
A,2024-01-17T12:05:00Z,viewed,p2,page,
A,2024-01-23T08:00:00Z,submitted,q2,quiz,0.4
A,2024-02-20T08:00:00Z,viewed,p1,page,
C,2024-01-08T11:00:00Z,viewed,p1,page,
`

var handFormat = CSVFormat{Student: []string{"student"}, Time: "ts", Action: "action", Resource: "resource", ResourceType: "type", Score: "score"}

func buildHand(t *testing.T, cutoffs []int) *Result {
	t.Helper()
	b, err := NewBuilder(Options{Cutoffs: cutoffs, Term: Term{Start: time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC)},
		DescribeThroughDay: 60, Students: []string{"A", "B", "C"}, Cleaning: DefaultCleaning()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadCSV(strings.NewReader(handLog), "hand.csv", handFormat, b.Symbols(), b); err != nil {
		t.Fatal(err)
	}
	r, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestFeaturesByHand(t *testing.T) {
	r := buildHand(t, []int{1, 20})
	nan := math.NaN()
	cases := []struct {
		cutoff int
		column string
		want   [3]float64 // students A, B (no events), C
	}{
		{20, "clicks_total", [3]float64{8, 0, 1}},
		{20, "clicks_type_forum", [3]float64{3, 0, 0}},
		{20, "clicks_type_page", [3]float64{3, 0, 1}},
		{20, "clicks_type_quiz", [3]float64{2, 0, 0}},
		{20, "clicks_week_2", [3]float64{1, 0, 0}},
		{20, "active_days", [3]float64{5, 0, 1}},
		{20, "days_since_last_activity", [3]float64{5, nan, 20}},
		// Sessions: 09:00-09:10, 09:50, then one per later day (6 in all); 10 + 5 minutes.
		{20, "sessions", [3]float64{6, 0, 1}},
		{20, "time_on_task_minutes", [3]float64{15, 0, 0}},
		{20, "mean_session_minutes", [3]float64{2.5, nan, 0}},
		{1, "sessions", [3]float64{3, 0, 1}},
		{1, "time_on_task_minutes", [3]float64{10, 0, 0}},
		{20, "events_week_0", [3]float64{5, 0, 1}},
		{20, "events_week_1", [3]float64{2, 0, 0}},
		{20, "active_days_week_0", [3]float64{3, 0, 1}},
		{20, "active_days_week_1", [3]float64{1, 0, 0}},
		{20, "action_viewed", [3]float64{4, 0, 1}},
		{20, "action_posted", [3]float64{1, 0, 0}},
		{20, "action_submitted", [3]float64{2, 0, 0}},
		{1, "action_replied", [3]float64{1, 0, 0}},
		{20, "resource_type_forum", [3]float64{3, 0, 0}},
		{20, "forum_posts", [3]float64{1, 0, 0}},
		{20, "forum_replies", [3]float64{1, 0, 0}},
		{20, "forum_views", [3]float64{1, 0, 0}},
		// Active weekdays Mon, Tue, Wed, Wed, Tue: -(0.2 log2 0.2 + 2 0.4 log2 0.4).
		{20, "weekday_entropy", [3]float64{1.5219280948873621, nan, 0}},
		// Idle gaps 40 min, 24 h 10 min, 24 h, 170 h, 139 h 55 min.
		{20, "session_gap_sd_hours", [3]float64{77.29300313309953, nan, nan}},
		// Events per complete week: A 5, 2, 1 (slope -2); C 1, 0, 0 (slope -0.5).
		{20, "activity_trend", [3]float64{-2, 0, -0.5}},
		{1, "activity_trend", [3]float64{nan, nan, nan}},
		{20, "days_since_last_event", [3]float64{5, nan, 20}},
		{20, "first_week_events", [3]float64{5, 0, 1}},
		{20, "first_week_active_days", [3]float64{3, 0, 1}},
		{1, "first_week_events", [3]float64{4, 0, 1}},
		{20, "assessment_attempts", [3]float64{2, 0, 0}},
		{20, "assessment_mean_score", [3]float64{0.6000000000000001, nan, nan}},
		{20, "assessment_success_rate", [3]float64{nan, nan, nan}},
		{1, "assessment_attempts", [3]float64{0, 0, 0}},
	}
	cols := map[int]map[string][]float64{}
	for _, c := range []int{1, 20} {
		cc, counts, err := r.Columns(c, []string{"A", "B", "C"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		cols[c] = map[string][]float64{}
		for _, col := range cc {
			cols[c][col.Name] = col.Values
		}
		if counts[1].Rule != "no_activity_by_cutoff" || counts[1].Count != 1 {
			t.Errorf("cutoff %d: counts %+v, want 1 row without activity", c, counts)
		}
	}
	if _, ok := cols[1]["action_submitted"]; ok {
		t.Error("cutoff 1 has a column for an action first seen on day 2")
	}
	for _, tc := range cases {
		got, ok := cols[tc.cutoff][tc.column]
		if !ok {
			t.Errorf("cutoff %d: no column %s", tc.cutoff, tc.column)
			continue
		}
		for i, want := range tc.want {
			if !(sameFloat(got[i], want) || math.Abs(got[i]-want) <= 1e-9*math.Max(1, math.Abs(want))) {
				t.Errorf("cutoff %d %s student %d: %v, want %v", tc.cutoff, tc.column, i, got[i], want)
			}
		}
	}
	// The event on 2024-02-20 (day 43) is after the largest cutoff, kept
	// for Describe (described through day 60).
	if r.Report.Kept != 10 {
		t.Errorf("kept %d, want 10", r.Report.Kept)
	}
	if _, _, err := r.Columns(7, []string{"A"}, nil); err == nil {
		t.Error("cutoff not built: no error")
	}
}

func TestDescribeByHand(t *testing.T) {
	r := buildHand(t, []int{20})
	d, err := r.Describe(DescribeOptions{Outcomes: map[string]uint8{"A": 0, "C": 1}, QuietDays: 30, PatternWeeks: 3})
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	// Worked out by hand from handLog: A active days 0,1,2,9,15,43 (weeks
	// 0,0,0,1,2,6), C day 0; end day 60, quiet 30 days: C stopped on day 0
	// (A's last day 43 is within 30 days of 60); week 1 has 1 active student
	// after 2 in week 0; weeks 3-5 have none after 1 in week 2.
	want := `{"students":[` +
		`{"student":"A","events":9,"active_days":6,"active_weeks":4,"first_active_day":0,"last_active_day":43,"sessions":7,"time_on_task_minutes":15,"outcome":0},` +
		`{"student":"B","events":0,"active_days":0,"active_weeks":0,"first_active_day":null,"last_active_day":null,"sessions":0,"time_on_task_minutes":0,"outcome":null},` +
		`{"student":"C","events":1,"active_days":1,"active_weeks":1,"first_active_day":0,"last_active_day":0,"sessions":1,"time_on_task_minutes":0,"outcome":1}],` +
		`"timeline":[{"day":0,"date":"2024-01-08","events":4,"active_students":2},{"day":1,"date":"2024-01-09","events":1,"active_students":1},` +
		`{"day":2,"date":"2024-01-10","events":1,"active_students":1},{"day":9,"date":"2024-01-17","events":2,"active_students":1},` +
		`{"day":15,"date":"2024-01-23","events":1,"active_students":1},{"day":43,"date":"2024-02-20","events":1,"active_students":1}],` +
		`"heatmap":{"resource_types":["forum","page","quiz"],"weeks":[0,1,2,3,4,5,6],"counts":[[3,0,0,0,0,0,0],[2,2,0,0,0,0,1],[1,0,1,0,0,0,0]]},` +
		`"largest_drops":[{"week":1,"active_before":2,"active":1,"drop":1,"relative_drop":0.5},{"week":3,"active_before":1,"active":0,"drop":1,"relative_drop":1}],` +
		`"stopped":[{"student":"C","last_active_day":0,"date":"2024-01-08","quiet_days":60}],"never_active":1,"end_day":60,"quiet_days":30,` +
		`"patterns":[{"pattern":"000","students":1,"with_outcome":0,"outcome_rate":null},{"pattern":"100","students":1,"with_outcome":1,"outcome_rate":1},` +
		`{"pattern":"111","students":1,"with_outcome":1,"outcome_rate":0}]}`
	if string(js) != want {
		t.Errorf("description\n got %s\nwant %s", js, want)
	}
}

func TestJoinFrame(t *testing.T) {
	r := buildHand(t, []int{20})
	f := &datasets.Frame{Dataset: "table", Cutoff: 20, Keys: []string{"k1", "k2"}, Students: []string{"C", "A"},
		Courses: []string{"x", "y"}}
	if err := r.JoinFrame(f, JoinStudents, false); err != nil {
		t.Fatal(err)
	}
	col, ok := f.NumericByName("clicks_total")
	if !ok || col.Values[0] != 1 || col.Values[1] != 8 {
		t.Fatalf("clicks_total %v, want [1 8] (rows C, A)", col)
	}
	// Every rule of the log's report, prefixed, then the two row counts.
	if n := len(f.Report.Cleaning); n != numRules+2 || f.Report.Cleaning[0].Rule != "events_"+RuleMalformed ||
		f.Report.Cleaning[n-1].Rule != "no_activity_by_cutoff" {
		t.Errorf("cleaning %+v", f.Report.Cleaning)
	}
	if err := r.JoinFrame(f, JoinStudents, false); err == nil || !strings.Contains(err.Error(), `column "clicks_total" already in dataset "table"`) {
		t.Errorf("second join: %v", err)
	}
	// By course: the log names no course, so no row is covered: NaN, never 0.
	g := &datasets.Frame{Cutoff: 20, Keys: []string{"k1"}, Students: []string{"A"}, Courses: []string{"C1"}}
	if err := r.JoinFrame(g, JoinStudents, true); err != nil {
		t.Fatal(err)
	}
	if v, _ := g.NumericByName("sessions"); !math.IsNaN(v.Values[0]) {
		t.Errorf("uncovered course: sessions %v, want NaN", v.Values[0])
	}
	if err := r.JoinFrame(g, "id", false); err == nil {
		t.Error("join on an unknown identifier: no error")
	}
}
