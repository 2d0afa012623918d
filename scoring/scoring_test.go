package scoring

import (
	"reflect"
	"testing"

	"github.com/evalrun/evalrun/results"
)

// TestCompare: each student's change against last week decides the alert:
// flagged now and not before (or not scored before) is newly flagged, a
// rise above the threshold is risen, a student flagged before and not now
// is counted as no longer flagged.
func TestCompare(t *testing.T) {
	sc := &results.Scoring{Bundle: results.ScoringBundle{ModelSHA256: "abc"}, List: []results.ScoredStudent{
		{Key: "a", Term: "T", Score: 0.9, Flagged: true, Band: "high"}, // flagged last week too, +0.05
		{Key: "b", Term: "T", Score: 0.8, Flagged: true, Band: "high"}, // new student
		{Key: "c", Term: "T", Score: 0.7, Flagged: true, Band: "high"}, // was not flagged
		{Key: "d", Term: "T", Score: 0.5, Flagged: false, Band: "low"}, // rose by 0.2
		{Key: "e", Term: "T", Score: 0.2, Flagged: false, Band: "low"}, // was flagged
		{Key: "a", Term: "U", Score: 0.1, Flagged: false, Band: "low"}, // same key, other term
	}}
	Summarize(sc, []string{"high", "low"})
	if sc.Alerts != 3 || sc.Flagged != 3 || !reflect.DeepEqual(sc.Bands, []results.BandCount{{Band: "high", Students: 3}, {Band: "low", Students: 3}}) {
		t.Fatalf("summary %+v", sc)
	}
	prev := &Previous{Dir: "week0", ModelSHA256: "other", Rows: []PreviousRow{
		{Key: "a", Term: "T", Score: 0.85, Flagged: true},
		{Key: "c", Term: "T", Score: 0.65, Flagged: false},
		{Key: "d", Term: "T", Score: 0.3, Flagged: false},
		{Key: "e", Term: "T", Score: 0.75, Flagged: true},
		{Key: "gone", Term: "T", Score: 0.9, Flagged: true},
	}}
	Compare(sc, prev, 0.1)
	alerts := map[string]string{}
	for _, s := range sc.List {
		alerts[s.Key+"/"+s.Term] = s.Alert
	}
	want := map[string]string{"a/T": "", "b/T": AlertNewlyFlagged, "c/T": AlertNewlyFlagged, "d/T": AlertRisen, "e/T": "", "a/U": ""}
	if !reflect.DeepEqual(alerts, want) {
		t.Errorf("alerts %v, want %v", alerts, want)
	}
	p := sc.Previous
	if p.Matched != 4 || p.NewlyFlagged != 2 || p.Risen != 1 || p.NoLongerFlagged != 1 || p.SameModel || sc.Alerts != 3 || len(sc.Warnings) != 1 {
		t.Errorf("previous %+v, alerts %d, warnings %v", p, sc.Alerts, sc.Warnings)
	}
}

// TestSummarizeInputCounts: students with a value outside the training
// range, an unseen category or a missing input are counted apart; only the
// first two are extrapolations (a missing input is filled in).
func TestSummarizeInputCounts(t *testing.T) {
	sc := &results.Scoring{List: []results.ScoredStudent{
		{Key: "a", Score: 0.9, OutOfRange: []string{"clicks", "late"}},
		{Key: "b", Score: 0.8, Unseen: []string{"region"}, Missing: []string{"clicks"}},
		{Key: "c", Score: 0.7, Missing: []string{"clicks", "late"}},
		{Key: "d", Score: 0.6},
	}}
	Summarize(sc, nil)
	got := []int{sc.Extrapolated, sc.StudentsOutOfRange, sc.StudentsUnseen, sc.StudentsMissing}
	if want := []int{2, 1, 1, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("extrapolated, out of range, unseen, missing = %v, want %v", got, want)
	}
	if sc.Missing["clicks"] != 2 || sc.Missing["late"] != 1 || sc.OutOfRange["late"] != 1 {
		t.Errorf("per feature: missing %v, out of range %v", sc.Missing, sc.OutOfRange)
	}
}
