package events

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/evalrun/evalrun/datasets"
)

// Result holds what a Builder aggregated: feature columns on demand
// (Columns, JoinFrame), the cleaning report and Describe.
type Result struct {
	b *Builder
	// Cutoffs are the sorted unique cutoff days.
	Cutoffs []int
	// Report is the cleaning report of the whole log.
	Report CleaningReport
	// Notes are warnings about the log as a whole (e.g. features that are
	// undefined for day-offset logs).
	Notes []string
}

// CleaningReport counts what each cleaning rule dropped, in total and per
// student. Nothing is dropped without being counted: Records = Kept +
// the sum of Rules' counts.
type CleaningReport struct {
	// Records is the number of records read (events and malformed ones).
	Records int `json:"records"`
	// Kept is the number of events aggregated (counted as they are, so
	// the identity above is checked by the tests, not assumed).
	Kept int `json:"kept"`
	// Rules lists every rule in the order applied, zero counts included.
	Rules []datasets.CleaningCount `json:"rules"`
	// Students lists, sorted by student key, every student with at least
	// one dropped event and the nonzero counts by rule; records without a
	// student (rules malformed_record, missing_student) are under "".
	Students []StudentCleaning `json:"students"`
}

// StudentCleaning is one student's nonzero drop counts by rule.
type StudentCleaning struct {
	Student string         `json:"student"`
	Counts  map[string]int `json:"counts"`
}

func newResult(b *Builder) *Result {
	r := &Result{b: b, Cutoffs: slices.Clone(b.cutoffs)}
	rep := &r.Report
	rep.Records = b.records
	for i, name := range rules {
		rep.Rules = append(rep.Rules, datasets.CleaningCount{Rule: name, Count: b.counts[i], Detail: ruleDetails[i]})
	}
	rep.Kept = b.kept
	for s, pc := range b.perStudent {
		sc := StudentCleaning{Student: b.sym.Name(s), Counts: map[string]int{}}
		for i, n := range pc {
			if n > 0 {
				sc.Counts[rules[i]] = n
			}
		}
		rep.Students = append(rep.Students, sc)
	}
	slices.SortFunc(rep.Students, func(x, y StudentCleaning) int { return strings.Compare(x.Student, y.Student) })
	if b.isDayLog() {
		r.Notes = append(r.Notes, "day-offset log (no time of day): sessions, time on task and session gaps are NaN; duplicate, rate and regularity rules do not apply")
		if !b.hasTerm {
			r.Notes = append(r.Notes, "day-offset log without a term start: weekdays are unknown, weekday_entropy is NaN")
		}
	}
	return r
}

// rowView is one student's activity as of a cutoff, computed once per row.
type rowView struct {
	st         *student
	summary    datasets.ActivitySummary
	weekActive []int // active days per week 0..floor(c/7)
	weekdays   [7]int
	firstEv    int64
	firstAct   int
}

// Columns returns the feature columns of cutoff day cutoff for the rows
// keys (student keys as the events name them), in Options.Features order.
// courses, when not nil, gives each row's course: a row whose course has
// no record in the log (of any date; the log does not cover it) gets NaN
// in every column, never 0. A key without clean events gets zero counts
// and NaN for undefined values (means, rates, days since last event).
//
// It also returns two counts: rows whose course the log does not cover
// ("no_event_rows") and covered rows without activity by the cutoff
// ("no_activity_by_cutoff"). An error is returned for a cutoff that was
// not built, courses of the wrong length, or repeated column names.
func (r *Result) Columns(cutoff int, keys, courses []string) ([]datasets.NumericColumn, []datasets.CleaningCount, error) {
	b := r.b
	k, ok := slices.BinarySearch(b.cutoffs, cutoff)
	if !ok {
		return nil, nil, fmt.Errorf("events: cutoff day %d was not built (built: %v)", cutoff, b.cutoffs)
	}
	if courses != nil && len(courses) != len(keys) {
		return nil, nil, fmt.Errorf("events: %d courses for %d keys", len(courses), len(keys))
	}
	c := b.cutoffs[k]
	n := len(keys)
	covered := make([]bool, n)
	rows := make([]*student, n)
	uncovered := 0
	for i, key := range keys {
		covered[i] = true
		if courses != nil {
			s, ok := b.sym.Lookup(courses[i])
			covered[i] = ok && int(s) < len(b.covered) && b.covered[s]
		}
		if !covered[i] {
			uncovered++
			continue
		}
		if s, ok := b.sym.Lookup(key); ok && int(s) < len(b.stateOf) && b.stateOf[s] >= 0 {
			rows[i] = b.students[b.stateOf[s]]
		}
	}
	views := make([]*rowView, n)
	inactive := 0
	for i, st := range rows {
		if !covered[i] {
			continue
		}
		views[i] = b.view(st, k)
		if views[i].summary.ActiveDays == 0 {
			inactive++
		}
	}
	var cols []datasets.NumericColumn
	for fi := range b.features {
		f := &b.features[fi]
		fc := b.featureColumns(f, k, c, rows, views, covered)
		for j := range fc {
			fc[j].Name = f.Prefix + fc[j].Name
		}
		cols = append(cols, fc...)
	}
	seen := map[string]bool{}
	for _, col := range cols {
		if seen[col.Name] {
			return nil, nil, fmt.Errorf("events: column %q produced twice; give one of the features a prefix", col.Name)
		}
		seen[col.Name] = true
	}
	counts := []datasets.CleaningCount{
		{Rule: "no_event_rows", Count: uncovered, Detail: "rows whose course has no record in the event log: event features NaN"},
		{Rule: "no_activity_by_cutoff", Count: inactive, Detail: fmt.Sprintf("rows with no event on or before day %d", c)},
	}
	return cols, counts, nil
}

// view computes a student's (nil: no events) activity as of cutoff index k.
func (b *Builder) view(st *student, k int) *rowView {
	c := b.cutoffs[k]
	v := &rowView{st: st}
	weeks := 0
	if c >= 0 {
		weeks = c/7 + 1
	}
	v.weekActive = make([]int, weeks)
	v.summary.Weeks = make([]int64, weeks)
	if st == nil {
		return v
	}
	b.layout.Summarize(&st.act, k, 0, &v.summary)
	st.act.EachDay(b.layout, func(d int, cnt int64) {
		if d > c {
			return
		}
		if d >= 0 {
			v.weekActive[d/7]++
			if d <= 6 {
				v.firstEv += cnt
				v.firstAct++
			}
		}
		wd := (b.day0 + int64(d) + 3) % 7 // 1970-01-01 was a Thursday; Monday = 0
		if wd < 0 {
			wd += 7
		}
		v.weekdays[wd]++
	})
	return v
}

// featureColumns computes one feature's columns (names without prefix).
func (b *Builder) featureColumns(f *Feature, k, c int, rows []*student, views []*rowView, covered []bool) []datasets.NumericColumn {
	n := len(rows)
	nan := math.NaN()
	col := func(name string, fn func(i int, v *rowView) float64) datasets.NumericColumn {
		vals := make([]float64, n)
		for i := range vals {
			if !covered[i] {
				vals[i] = nan
				continue
			}
			vals[i] = fn(i, views[i])
		}
		return datasets.NumericColumn{Name: name, Values: vals}
	}
	gap := func() int {
		return slices.Index(b.gaps, int64(math.Round(f.IdleGapMinutes*60000)))
	}
	switch f.Kind {
	case KindClicks:
		accs := make([]*datasets.DailyActivity, n)
		for i, st := range rows {
			if st != nil {
				accs[i] = &st.act
			}
		}
		cols, _, _ := b.layout.ActivityColumns(k, accs, covered, b.typeNames)
		if b.opts.Resources != nil {
			return cols
		}
		// Types discovered from the events: keep those seen by day c by any
		// student, sorted by name.
		seen := b.typesSeen(k)
		var types []datasets.NumericColumn
		for t := range b.typeNames {
			if seen[t] {
				types = append(types, cols[1+t])
			}
		}
		slices.SortFunc(types, func(x, y datasets.NumericColumn) int { return strings.Compare(x.Name, y.Name) })
		out := append([]datasets.NumericColumn{cols[0]}, types...)
		return append(out, cols[1+len(b.typeNames):]...)
	case KindSessions:
		g := gap()
		snap := func(v *rowView) (sessionSnap, bool) {
			if b.isDayLog() {
				return sessionSnap{}, false
			}
			if v.st == nil {
				return sessionSnap{gapSD: nan}, true
			}
			return v.st.sess[g].snaps[k], true
		}
		return []datasets.NumericColumn{
			col("sessions", func(_ int, v *rowView) float64 {
				s, ok := snap(v)
				if !ok {
					return nan
				}
				return float64(s.n)
			}),
			col("time_on_task_minutes", func(_ int, v *rowView) float64 {
				s, ok := snap(v)
				if !ok {
					return nan
				}
				return float64(s.totalMS) / 60000
			}),
			col("mean_session_minutes", func(_ int, v *rowView) float64 {
				s, ok := snap(v)
				if !ok || s.n == 0 {
					return nan
				}
				return float64(s.totalMS) / 60000 / float64(s.n)
			}),
		}
	case KindWeekly:
		var cols []datasets.NumericColumn
		weeks := 0
		if c >= 0 {
			weeks = c/7 + 1
		}
		for w := range weeks {
			cols = append(cols, col(weekName("", "events_week_", w), func(_ int, v *rowView) float64 { return float64(v.summary.Weeks[w]) }))
		}
		for w := range weeks {
			cols = append(cols, col(weekName("", "active_days_week_", w), func(_ int, v *rowView) float64 { return float64(v.weekActive[w]) }))
		}
		return cols
	case KindActions:
		names := f.Actions
		if names == nil {
			names = b.actionsSeen(k)
		}
		var cols []datasets.NumericColumn
		for _, name := range names {
			cat := slices.Index(b.actNames, ShortName(name))
			cols = append(cols, col("action_"+ShortName(name), func(_ int, v *rowView) float64 {
				if v.st == nil || cat < 0 {
					return 0
				}
				return float64(v.st.cats.total(k, cat))
			}))
		}
		return cols
	case KindResourceTypes:
		names := f.ResourceTypes
		if names == nil {
			if b.opts.Resources != nil {
				names = b.typeNames
			} else {
				seen := b.typesSeen(k)
				for t, name := range b.typeNames {
					if seen[t] {
						names = append(names, name)
					}
				}
				slices.Sort(names)
			}
		}
		var cols []datasets.NumericColumn
		for _, name := range names {
			cat := slices.Index(b.typeNames, ShortName(name))
			cols = append(cols, col("resource_type_"+ShortName(name), func(_ int, v *rowView) float64 {
				if v.st == nil || cat < 0 {
					return 0
				}
				return float64(v.st.act.CategoryTotal(k, cat))
			}))
		}
		return cols
	case KindForum:
		var cols []datasets.NumericColumn
		for kind, name := range []string{"forum_posts", "forum_replies", "forum_views"} {
			cols = append(cols, col(name, func(_ int, v *rowView) float64 {
				if v.st == nil || v.st.forum == nil {
					return 0
				}
				var s int64
				for j := 0; j <= k; j++ {
					s += v.st.forum[3*j+kind]
				}
				return float64(s)
			}))
		}
		return cols
	case KindRegularity:
		g := gap()
		return []datasets.NumericColumn{
			col("weekday_entropy", func(_ int, v *rowView) float64 {
				if v.summary.ActiveDays == 0 || (b.isDayLog() && !b.hasTerm) {
					return nan
				}
				return entropyBits(v.weekdays[:])
			}),
			col("session_gap_sd_hours", func(_ int, v *rowView) float64 {
				if b.isDayLog() || v.st == nil {
					return nan
				}
				return v.st.sess[g].snaps[k].gapSD
			}),
		}
	case KindTrend:
		return []datasets.NumericColumn{col("activity_trend", func(_ int, v *rowView) float64 {
			weeks := 0
			if c >= 0 {
				weeks = (c + 1) / 7
			}
			if weeks < 2 {
				return nan
			}
			return slope(v.summary.Weeks[:weeks])
		})}
	case KindRecency:
		return []datasets.NumericColumn{col("days_since_last_event", func(_ int, v *rowView) float64 {
			if v.summary.ActiveDays == 0 {
				return nan
			}
			return float64(c - v.summary.LastActive)
		})}
	case KindFirstWeek:
		return []datasets.NumericColumn{
			col("first_week_events", func(_ int, v *rowView) float64 {
				if c < 0 {
					return nan
				}
				return float64(v.firstEv)
			}),
			col("first_week_active_days", func(_ int, v *rowView) float64 {
				if c < 0 {
					return nan
				}
				return float64(v.firstAct)
			}),
		}
	case KindAssessments:
		agg := func(v *rowView) resultAgg {
			var a resultAgg
			if v.st == nil {
				return a
			}
			for j := 0; j <= k && j < len(v.st.res); j++ {
				r := v.st.res[j]
				a.attempts += r.attempts
				a.scored += r.scored
				a.scoreSum += r.scoreSum
				a.successKnown += r.successKnown
				a.successYes += r.successYes
				a.completed += r.completed
			}
			return a
		}
		return []datasets.NumericColumn{
			col("assessment_attempts", func(_ int, v *rowView) float64 { return float64(agg(v).attempts) }),
			col("assessment_mean_score", func(_ int, v *rowView) float64 {
				a := agg(v)
				if a.scored == 0 {
					return nan
				}
				return a.scoreSum / float64(a.scored)
			}),
			col("assessment_success_rate", func(_ int, v *rowView) float64 {
				a := agg(v)
				if a.successKnown == 0 {
					return nan
				}
				return float64(a.successYes) / float64(a.successKnown)
			}),
			col("assessment_completions", func(_ int, v *rowView) float64 { return float64(agg(v).completed) }),
		}
	}
	panic("events: unvalidated feature kind " + f.Kind)
}

// typesSeen reports, per discovered type category, whether any student
// has a positive count of it on days <= cutoffs[k].
func (b *Builder) typesSeen(k int) []bool {
	seen := make([]bool, len(b.typeNames))
	for _, st := range b.students {
		for t := range seen {
			if !seen[t] && st.act.CategoryTotal(k, t) > 0 {
				seen[t] = true
			}
		}
	}
	return seen
}

// actionsSeen returns the sorted action names with a positive count on
// days <= cutoffs[k] for some student.
func (b *Builder) actionsSeen(k int) []string {
	seen := make([]bool, len(b.actNames))
	for _, st := range b.students {
		for a := range seen {
			if !seen[a] && st.cats.total(k, a) > 0 {
				seen[a] = true
			}
		}
	}
	var names []string
	for a, ok := range seen {
		if ok {
			names = append(names, b.actNames[a])
		}
	}
	slices.Sort(names)
	return names
}

// entropyBits returns the Shannon entropy (base 2) of counts.
func entropyBits(counts []int) float64 {
	total := 0
	for _, c := range counts {
		total += c
	}
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / float64(total)
			h -= p * math.Log2(p)
		}
	}
	return h
}

// slope returns the least-squares slope of ys against 0, 1, 2, ...
func slope(ys []int64) float64 {
	n := float64(len(ys))
	xm := (n - 1) / 2
	var ym float64
	for _, y := range ys {
		ym += float64(y)
	}
	ym /= n
	var sxy, sxx float64
	for i, y := range ys {
		dx := float64(i) - xm
		sxy += dx * (float64(y) - ym)
		sxx += dx * dx
	}
	return sxy / sxx
}

// JoinOn says which frame identifier matches the events' student keys.
type JoinOn string

// Join keys.
const (
	JoinStudents JoinOn = "student" // Frame.Students
	JoinKeys     JoinOn = "key"     // Frame.Keys
)

// JoinFrame appends the feature columns of f.Cutoff to f, matching rows by
// on (Frame.Students or Frame.Keys), and appends the two row counts of
// Columns and the log's cleaning rule counts (prefixed "events_") to
// f.Report.Cleaning. With byCourse, f.Courses decides coverage (see
// Columns). It fails when a column name is already in f.
func (r *Result) JoinFrame(f *datasets.Frame, on JoinOn, byCourse bool) error {
	var keys []string
	switch on {
	case JoinStudents:
		keys = f.Students
	case JoinKeys:
		keys = f.Keys
	default:
		return fmt.Errorf("events: join on %q: want %q or %q", on, JoinStudents, JoinKeys)
	}
	var courses []string
	if byCourse {
		courses = f.Courses
	}
	cols, counts, err := r.Columns(f.Cutoff, keys, courses)
	if err != nil {
		return err
	}
	for _, c := range cols {
		if _, dup := f.NumericByName(c.Name); dup {
			return fmt.Errorf("events: column %q already in dataset %q; give the feature a prefix", c.Name, f.Dataset)
		}
		if _, dup := f.CategoricalByName(c.Name); dup {
			return fmt.Errorf("events: column %q already in dataset %q; give the feature a prefix", c.Name, f.Dataset)
		}
	}
	f.Numeric = append(f.Numeric, cols...)
	for _, rc := range r.Report.Rules {
		rc.Rule = "events_" + rc.Rule
		f.Report.Cleaning = append(f.Report.Cleaning, rc)
	}
	f.Report.Cleaning = append(f.Report.Cleaning, counts...)
	f.Report.Notes = append(f.Report.Notes, r.Notes...)
	return nil
}
