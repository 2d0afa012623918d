package events

import (
	"bytes"
	"compress/gzip"
	"math"
	"strings"
	"testing"
	"time"
)

func genOptions(t testing.TB, truth *genTruth, cutoffs []int) Options {
	t.Helper()
	loc, err := time.LoadLocation(genZone)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2024, 1, 8, 0, 0, 0, 0, loc)
	return Options{
		Name:     "generated",
		Cutoffs:  cutoffs,
		Term:     Term{Start: start, End: start.AddDate(0, 0, genTermDays), TimeZone: genZone},
		Students: truth.students,
		Cleaning: DefaultCleaning(),
		Features: []Feature{{Kind: KindClicks}, {Kind: KindSessions}, {Kind: KindRecency}, {Kind: KindFirstWeek}},
	}
}

func buildGenerated(t *testing.T, data []byte, opts Options) *Result {
	t.Helper()
	b, err := NewBuilder(opts)
	if err != nil {
		t.Fatal(err)
	}
	f := genFormat
	f.TimeZone = genZone
	if _, err := ReadCSV(bytes.NewReader(data), "gen.csv", f, b.Symbols(), b); err != nil {
		t.Fatal(err)
	}
	r, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestGeneratedClickstream checks exact cleaning counts (total and per
// student) and features against what the generator planted.
func TestGeneratedClickstream(t *testing.T) {
	var buf bytes.Buffer
	truth, err := genClickstream(&buf, genConfig{Students: 300, MaxSessions: 20, MaxEvents: 15, UnknownStudents: 7, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	for _, rule := range []string{RuleDuplicate, RuleBotRate, RuleBotRegular, RuleBotUserAgent, RuleMissingTimestamp, RuleOutsideTerm, RuleUnknownStudent} {
		if truth.drops[rule] == 0 {
			t.Fatalf("generator planted no %s: pick another seed", rule)
		}
	}
	cutoffs := []int{6, 27, 83}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(buf.Bytes())
	zw.Close()
	for name, data := range map[string][]byte{"plain": buf.Bytes(), "gzip": gz.Bytes()} {
		t.Run(name, func(t *testing.T) {
			r := buildGenerated(t, data, genOptions(t, truth, cutoffs))
			checkGenerated(t, r, truth, cutoffs)
		})
	}
	t.Run("sort_in_memory_reversed", func(t *testing.T) {
		// Reverse every data line: students and times descending.
		lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
		var rev bytes.Buffer
		rev.WriteString(lines[0] + "\n")
		for i := len(lines) - 1; i >= 1; i-- {
			rev.WriteString(lines[i] + "\n")
		}
		opts := genOptions(t, truth, cutoffs)
		opts.SortInMemory = true
		r := buildGenerated(t, rev.Bytes(), opts)
		checkGenerated(t, r, truth, cutoffs)
	})
}

func checkGenerated(t *testing.T, r *Result, truth *genTruth, cutoffs []int) {
	t.Helper()
	if r.Report.Records != truth.rows {
		t.Errorf("records %d, want %d", r.Report.Records, truth.rows)
	}
	dropped := 0
	for _, rc := range r.Report.Rules {
		if rc.Count != truth.drops[rc.Rule] {
			t.Errorf("rule %s: %d, want %d", rc.Rule, rc.Count, truth.drops[rc.Rule])
		}
		dropped += rc.Count
	}
	if r.Report.Kept+dropped != truth.rows {
		t.Errorf("kept %d + dropped %d != rows %d", r.Report.Kept, dropped, truth.rows)
	}
	kept := 0
	for _, ss := range truth.sessions {
		for _, s := range ss {
			kept += len(s.kept)
		}
	}
	if r.Report.Kept != kept {
		t.Errorf("kept %d events, planted %d", r.Report.Kept, kept)
	}
	if len(r.Report.Students) != len(truth.perStud) {
		t.Errorf("%d students with drops, want %d", len(r.Report.Students), len(truth.perStud))
	}
	for _, sc := range r.Report.Students {
		want := truth.perStud[sc.Student]
		for rule, n := range sc.Counts {
			if want[rule] != n {
				t.Errorf("student %s rule %s: %d, want %d", sc.Student, rule, n, want[rule])
			}
		}
		if len(sc.Counts) != len(want) {
			t.Errorf("student %s: rules %v, want %v", sc.Student, sc.Counts, want)
		}
	}
	for _, c := range cutoffs {
		cols, _, err := r.Columns(c, truth.students, nil)
		if err != nil {
			t.Fatal(err)
		}
		get := func(name string) []float64 {
			for _, col := range cols {
				if col.Name == name {
					return col.Values
				}
			}
			t.Fatalf("cutoff %d: no column %s", c, name)
			return nil
		}
		total, active, sess, tot, since := get("clicks_total"), get("active_days"), get("sessions"), get("time_on_task_minutes"), get("days_since_last_event")
		fwe := get("first_week_events")
		for i, id := range truth.students {
			var events, nsess, firstWeek int
			var minutes float64
			days := map[int]bool{}
			last := -1
			for _, s := range truth.sessions[id] {
				if s.day > c {
					continue
				}
				nsess++
				events += len(s.kept)
				minutes += float64(s.kept[len(s.kept)-1]-s.kept[0]) / 60000
				days[s.day] = true
				last = max(last, s.day)
				if s.day <= 6 {
					firstWeek += len(s.kept)
				}
			}
			wantSince := math.NaN()
			if last >= 0 {
				wantSince = float64(c - last)
			}
			if total[i] != float64(events) || active[i] != float64(len(days)) || sess[i] != float64(nsess) ||
				math.Abs(tot[i]-minutes) > 1e-9 || !sameFloat(since[i], wantSince) || fwe[i] != float64(firstWeek) {
				t.Errorf("cutoff %d student %s: events %v active %v sessions %v minutes %v since %v first week %v; want %d %d %d %v %v %d",
					c, id, total[i], active[i], sess[i], tot[i], since[i], fwe[i], events, len(days), nsess, minutes, wantSince, firstWeek)
			}
		}
	}
}

func sameFloat(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
