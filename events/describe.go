package events

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// DescribeOptions configures Result.Describe. Zero values take the
// defaults given per field.
type DescribeOptions struct {
	// Outcomes maps student keys to the at-risk label (1) or not (0);
	// students absent from it have an unknown outcome. nil: no outcome
	// rates.
	Outcomes map[string]uint8
	// EndDay is the course's last day for "stopped" students (default: the
	// last day built, see Options.DescribeThroughDay).
	EndDay int
	// QuietDays: a student stopped when the last active day is at least
	// this many days before EndDay (default 14).
	QuietDays int
	// TopDrops is the number of largest weekly drops reported (default 5).
	TopDrops int
	// PatternWeeks is the number of weeks (from week 0) in an engagement
	// pattern (default 4); TopPatterns the number of patterns reported
	// (default 10).
	PatternWeeks int
	TopPatterns  int
	// Students, when not nil, limits the description to these student
	// keys (e.g. the students of one term); the others are left out of
	// every count, not counted as never active.
	Students map[string]bool
}

// Description is the descriptive analytics of a log: data for the
// reports package to render, deterministic for a given input.
type Description struct {
	// Students: one row per student (the student table, or every student
	// seen), sorted by key.
	Students []StudentSummary `json:"students"`
	// Timeline: course activity per day, from the first to the last active
	// day.
	Timeline []DayActivity `json:"timeline"`
	// Heatmap: events per resource type and week.
	Heatmap Heatmap `json:"heatmap"`
	// LargestDrops: the complete weeks (all seven days built) with the
	// largest fall in active students
	// from the week before, largest first (ties: earlier week first).
	LargestDrops []WeekDrop `json:"largest_drops"`
	// Stopped: students whose activity stopped QuietDays or more before
	// EndDay, by last active day then key; NeverActive counts students
	// without any activity (not listed).
	Stopped     []StoppedStudent `json:"stopped"`
	NeverActive int              `json:"never_active"`
	EndDay      int              `json:"end_day"`
	QuietDays   int              `json:"quiet_days"`
	// Patterns: weekly active ("1") / inactive ("0") strings over weeks
	// 0..PatternWeeks-1, most frequent first (ties: pattern order), with
	// outcome rates where outcomes are known.
	Patterns []Pattern `json:"patterns"`
	// Warnings say what could not be described (e.g. sessions of a
	// day-offset log).
	Warnings []string `json:"warnings,omitempty"`
}

// StudentSummary is one student's engagement over the whole log (days up
// to the last day built). Pointers are null when undefined.
type StudentSummary struct {
	Student           string   `json:"student"`
	Events            int64    `json:"events"`
	ActiveDays        int      `json:"active_days"`
	ActiveWeeks       int      `json:"active_weeks"`
	FirstActiveDay    *int     `json:"first_active_day"`
	LastActiveDay     *int     `json:"last_active_day"`
	Sessions          *int     `json:"sessions"`
	TimeOnTaskMinutes *float64 `json:"time_on_task_minutes"`
	Outcome           *uint8   `json:"outcome"`
}

// DayActivity is the course's activity on one day.
type DayActivity struct {
	Day            int    `json:"day"`
	Date           string `json:"date,omitempty"` // YYYY-MM-DD when the term start is known
	Events         int64  `json:"events"`
	ActiveStudents int    `json:"active_students"`
}

// Heatmap holds Counts[t][w]: events of resource type ResourceTypes[t] in
// week Weeks[w] (week w = days 7w..7w+6; negative weeks are before the
// start).
type Heatmap struct {
	ResourceTypes []string  `json:"resource_types"`
	Weeks         []int     `json:"weeks"`
	Counts        [][]int64 `json:"counts"`
}

// WeekDrop is the fall in active students from week Week-1 to Week.
type WeekDrop struct {
	Week         int     `json:"week"`
	ActiveBefore int     `json:"active_before"`
	Active       int     `json:"active"`
	Drop         int     `json:"drop"`
	RelativeDrop float64 `json:"relative_drop"` // Drop / ActiveBefore
}

// StoppedStudent is a student whose activity stopped before the end.
type StoppedStudent struct {
	Student       string `json:"student"`
	LastActiveDay int    `json:"last_active_day"`
	Date          string `json:"date,omitempty"`
	QuietDays     int    `json:"quiet_days"` // EndDay - LastActiveDay
}

// Pattern is an engagement pattern and its outcome rate.
type Pattern struct {
	Pattern     string   `json:"pattern"`
	Students    int      `json:"students"`
	WithOutcome int      `json:"with_outcome"`
	OutcomeRate *float64 `json:"outcome_rate"` // share with outcome 1 among WithOutcome; null when 0
}

// Describe summarizes the whole log (every clean event up to the last day
// built; it is descriptive, not bound to a cutoff).
func (r *Result) Describe(o DescribeOptions) (*Description, error) {
	b := r.b
	if o.EndDay == 0 {
		o.EndDay = b.lastDay
	}
	if o.QuietDays == 0 {
		o.QuietDays = 14
	}
	if o.TopDrops == 0 {
		o.TopDrops = 5
	}
	if o.PatternWeeks == 0 {
		o.PatternWeeks = 4
	}
	if o.TopPatterns == 0 {
		o.TopPatterns = 10
	}
	if o.QuietDays < 0 || o.TopDrops < 0 || o.TopPatterns < 0 || o.PatternWeeks < 0 || o.PatternWeeks > 520 {
		return nil, fmt.Errorf("events: describe options out of range: %+v", o)
	}
	d := &Description{EndDay: o.EndDay, QuietDays: o.QuietDays}
	if b.isDayLog() {
		d.Warnings = append(d.Warnings, "day-offset log: sessions and time on task are unknown")
	}
	date := func(day int) string {
		if !b.hasTerm {
			return ""
		}
		return time.Unix((b.day0+int64(day))*86400, 0).UTC().Format("2006-01-02")
	}
	order := make([]*student, len(b.students))
	copy(order, b.students)
	slices.SortFunc(order, func(x, y *student) int { return strings.Compare(b.sym.Name(x.key), b.sym.Name(y.key)) })

	type dayAgg struct {
		events   int64
		students int
	}
	days := map[int]*dayAgg{}
	weekActive := map[int]int{}
	patterns := map[string]*Pattern{}
	for _, st := range order {
		key := b.sym.Name(st.key)
		if o.Students != nil && !o.Students[key] {
			continue
		}
		s := StudentSummary{Student: key}
		first, last := 0, 0
		weeks := map[int]bool{}
		bits := []byte(strings.Repeat("0", o.PatternWeeks))
		st.act.EachDay(b.layout, func(day int, n int64) {
			if s.ActiveDays == 0 || day < first {
				first = day
			}
			if s.ActiveDays == 0 || day > last {
				last = day
			}
			s.ActiveDays++
			s.Events += n
			a := days[day]
			if a == nil {
				a = &dayAgg{}
				days[day] = a
			}
			a.events += n
			a.students++
			w := int(floorDiv(int64(day), 7))
			weeks[w] = true
			if w >= 0 && w < o.PatternWeeks {
				bits[w] = '1'
			}
		})
		for w := range weeks {
			weekActive[w]++
		}
		s.ActiveWeeks = len(weeks)
		if s.ActiveDays > 0 {
			s.FirstActiveDay, s.LastActiveDay = &first, &last
			if last <= o.EndDay-o.QuietDays {
				d.Stopped = append(d.Stopped, StoppedStudent{Student: key, LastActiveDay: last, Date: date(last), QuietDays: o.EndDay - last})
			}
		} else {
			d.NeverActive++
		}
		if !b.isDayLog() && len(st.sess) > 0 {
			snap := st.sess[0].snapshot()
			n, minutes := snap.n, float64(snap.totalMS)/60000
			s.Sessions, s.TimeOnTaskMinutes = &n, &minutes
		}
		if o.Outcomes != nil {
			if y, ok := o.Outcomes[key]; ok {
				s.Outcome = &y
			}
		}
		d.Students = append(d.Students, s)
		p := patterns[string(bits)]
		if p == nil {
			p = &Pattern{Pattern: string(bits)}
			patterns[string(bits)] = p
		}
		p.Students++
		if s.Outcome != nil {
			p.WithOutcome++
			if *s.Outcome == 1 {
				rate := 1.0
				if p.OutcomeRate != nil {
					rate = *p.OutcomeRate + 1
				}
				p.OutcomeRate = &rate
			} else if p.OutcomeRate == nil {
				zero := 0.0
				p.OutcomeRate = &zero
			}
		}
	}
	if o.PatternWeeks*7-1 > b.lastDay {
		d.Warnings = append(d.Warnings, fmt.Sprintf("patterns span weeks 0..%d but days after %d were not kept", o.PatternWeeks-1, b.lastDay))
	}

	dayList := make([]int, 0, len(days))
	for day := range days {
		dayList = append(dayList, day)
	}
	slices.Sort(dayList)
	for _, day := range dayList {
		d.Timeline = append(d.Timeline, DayActivity{Day: day, Date: date(day), Events: days[day].events, ActiveStudents: days[day].students})
	}

	// Heatmap: types sorted by name, weeks from the first to the last.
	typeOrder := make([]int, len(b.typeNames))
	for i := range typeOrder {
		typeOrder[i] = i
	}
	slices.SortFunc(typeOrder, func(x, y int) int { return strings.Compare(b.typeNames[x], b.typeNames[y]) })
	var weekKeys []int
	for w := range b.heat {
		weekKeys = append(weekKeys, w)
	}
	slices.Sort(weekKeys)
	if len(weekKeys) > 0 {
		for w := weekKeys[0]; w <= weekKeys[len(weekKeys)-1]; w++ {
			d.Heatmap.Weeks = append(d.Heatmap.Weeks, w)
		}
	}
	for _, t := range typeOrder {
		d.Heatmap.ResourceTypes = append(d.Heatmap.ResourceTypes, b.typeNames[t])
		row := make([]int64, len(d.Heatmap.Weeks))
		for i, w := range d.Heatmap.Weeks {
			if t < len(b.heat[w]) {
				row[i] = b.heat[w][t]
			}
		}
		d.Heatmap.Counts = append(d.Heatmap.Counts, row)
	}

	// Weekly drops in active students, between consecutive weeks.
	var activeWeeks []int
	for w := range weekActive {
		activeWeeks = append(activeWeeks, w)
	}
	slices.Sort(activeWeeks)
	if len(activeWeeks) > 0 {
		for w := activeWeeks[0] + 1; w <= activeWeeks[len(activeWeeks)-1]; w++ {
			if 7*w+6 > b.lastDay {
				// A week the log stops inside would show a drop that is only
				// the missing days.
				break
			}
			before, now := weekActive[w-1], weekActive[w]
			if before > now {
				d.LargestDrops = append(d.LargestDrops, WeekDrop{Week: w, ActiveBefore: before, Active: now, Drop: before - now,
					RelativeDrop: float64(before-now) / float64(before)})
			}
		}
	}
	slices.SortStableFunc(d.LargestDrops, func(x, y WeekDrop) int { return cmp.Or(cmp.Compare(y.Drop, x.Drop), cmp.Compare(x.Week, y.Week)) })
	if len(d.LargestDrops) > o.TopDrops {
		d.LargestDrops = d.LargestDrops[:o.TopDrops]
	}
	slices.SortStableFunc(d.Stopped, func(x, y StoppedStudent) int {
		return cmp.Or(cmp.Compare(x.LastActiveDay, y.LastActiveDay), strings.Compare(x.Student, y.Student))
	})

	for _, p := range patterns {
		if p.OutcomeRate != nil {
			rate := *p.OutcomeRate / float64(p.WithOutcome)
			p.OutcomeRate = &rate
		}
		d.Patterns = append(d.Patterns, *p)
	}
	slices.SortFunc(d.Patterns, func(x, y Pattern) int {
		return cmp.Or(cmp.Compare(y.Students, x.Students), strings.Compare(x.Pattern, y.Pattern))
	})
	if len(d.Patterns) > o.TopPatterns {
		d.Patterns = d.Patterns[:o.TopPatterns]
	}
	return d, nil
}
