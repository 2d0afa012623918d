package harness

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const eventsSpec = `
[[datasets]]
name = "clicks"
kind = "events"
join = "students"
cutoff_days = [14, 28]

[[datasets.sources]]
path = "testdata/clicks.csv"
[datasets.sources.columns]
student = ["student_id"]
timestamp = "day"
time_format = "day"
action = "verb"
resource = "resource"
resource_type = "resource_type"
count = "clicks"

[[features]]
kind = "clicks"

[[features]]
kind = "forum"
`

// TestEventsJoin joins engagement features built from a day-offset event
// log to the csv student table: the table gets one frame per cutoff of the
// log, each with the event columns, and every model runs on each.
func TestEventsJoin(t *testing.T) {
	s := csvSpec(t, eventsSpec)
	data, err := loadAndValidate(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != 1 || len(data[0].frames) != 2 {
		t.Fatalf("%d datasets, want the student table with 2 cutoff frames", len(data))
	}
	f14, f28 := data[0].frames[0], data[0].frames[1]
	if f14.Cutoff != 14 || f28.Cutoff != 28 {
		t.Errorf("cutoffs %d, %d; want 14, 28", f14.Cutoff, f28.Cutoff)
	}
	var eventCols []string
	for _, c := range f28.Numeric {
		if !slices.Contains([]string{"gpa", "credits"}, c.Name) {
			eventCols = append(eventCols, c.Name)
		}
	}
	if len(eventCols) == 0 {
		t.Fatalf("no event columns joined: %v", f28.ColumnNames())
	}
	// Activity grows with the cutoff: some student's first event column is
	// larger at day 28 than at day 14, and none is smaller.
	c14, _ := f14.NumericByName(eventCols[0])
	c28, _ := f28.NumericByName(eventCols[0])
	grew := false
	for i := range c14.Values {
		if c28.Values[i] < c14.Values[i] {
			t.Fatalf("%s of row %d falls from %v (day 14) to %v (day 28)", eventCols[0], i, c14.Values[i], c28.Values[i])
		}
		grew = grew || c28.Values[i] > c14.Values[i]
	}
	if !grew {
		t.Errorf("%s never grows from day 14 to day 28", eventCols[0])
	}
	// The csv table's own frame is untouched by the join.
	s2 := csvSpec(t, eventsSpec+noResampling)
	s2.Datasets[0].Features = append(s2.Datasets[0].Features, eventCols[0])
	out := runTo(t, s2, filepath.Join(t.TempDir(), "run"))
	if len(out.Results.Evaluations) != 4 {
		t.Errorf("%d evaluations, want 2 cutoffs x 2 folds", len(out.Results.Evaluations))
	}
	for _, e := range out.Results.Evaluations {
		if !slices.Contains(e.Features.Columns, eventCols[0]) {
			t.Errorf("fold %s at %d lacks the event feature %s", e.Split, *e.Cutoff, eventCols[0])
		}
	}
}

func TestEventsSpecProblems(t *testing.T) {
	src := csvSource() + `
[[datasets]]
name = "clicks"
kind = "events"
join = "nowhere"
join_on = "email"

[[datasets.sources]]
format = "jsonl"
`
	_, err := ParseSpec("e.toml", ".", []byte(src))
	for _, want := range []string{
		`e.toml:29: datasets[1].join: no dataset named "nowhere"`,
		`e.toml:30: datasets[1].join_on: must be "student" or "key", got "email"`,
		`datasets[1].cutoff_days: missing`,
		`datasets[1].sources[0].path: missing`,
		`datasets[1].sources[0].format: must be "csv", "parquet", "postgres", "xapi" or "caliper", got "jsonl"`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error does not contain %q; got:\n%v", want, err)
		}
	}
}

// TestDescribeSuppressesSmallPatterns checks that engagement patterns of
// fewer than privacy.min_group_size students are not reported (their
// at-risk rates would disclose those students' outcomes), and counted.
func TestDescribeSuppressesSmallPatterns(t *testing.T) {
	s := csvSpec(t, eventsSpec)
	descs, err := Describe(s, func(string) string { return "key-of-sixteen-bytes" })
	if err != nil {
		t.Fatal(err)
	}
	d := descs[0].Description
	if len(d.Patterns) == 0 {
		t.Fatal("every pattern was suppressed")
	}
	for _, p := range d.Patterns {
		if p.Students < s.Privacy.MinGroupSize {
			t.Errorf("pattern %s of %d students reported (minimum %d)", p.Pattern, p.Students, s.Privacy.MinGroupSize)
		}
	}
	found := false
	for _, w := range d.Warnings {
		found = found || strings.Contains(w, "suppressed (privacy.min_group_size)")
	}
	if !found {
		t.Errorf("no warning counts the suppressed patterns: %q", d.Warnings)
	}
	for _, st := range d.Students {
		if strings.HasPrefix(st.Student, "S0") {
			t.Fatalf("student %q is not pseudonymized", st.Student)
		}
	}
}

// TestEventsFairnessAudit: a spec with an event log and a fairness audit
// audits the attribute through the student table the log joins (its
// groups), for every cutoff of the log; the events dataset needs no groups.
func TestEventsFairnessAudit(t *testing.T) {
	s := csvSpec(t, eventsSpec+noResampling+"\n[fairness]\nattributes = [\"first_gen\"]\nreplicates = 0\npermutations = 0\nrule = \"point\"\n")
	out := runTo(t, s, filepath.Join(t.TempDir(), "run"))
	audited := 0
	for _, e := range out.Results.Evaluations {
		if e.Model == "lr" {
			if e.Fairness == nil || len(e.Fairness.Attributes) != 1 || e.Fairness.Attributes[0].Name != "first_gen" || len(e.Fairness.Attributes[0].Groups) != 2 {
				t.Fatalf("%s at %d: audit %+v, want first_gen with groups N and Y", e.Split, *e.Cutoff, e.Fairness)
			}
			audited++
		}
	}
	if audited != 4 {
		t.Errorf("%d audited evaluations, want 2 cutoffs x 2 folds", audited)
	}
	// An attribute the joined table does not have is still an error, named
	// at the student table.
	_, err := ParseSpec("f.toml", ".", []byte(csvSource()+eventsSpec+"\n[fairness]\nattributes = [\"major\"]\n"))
	if err == nil || !strings.Contains(err.Error(), `"major" is not among the groups of dataset "students"`) || strings.Contains(err.Error(), `dataset "clicks"`) {
		t.Errorf("err = %v", err)
	}
}
