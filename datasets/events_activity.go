package datasets

import (
	"fmt"
	"math"
	"slices"
	"strconv"
)

// ActivityLayout fixes what every DailyActivity of one load counts: the
// prediction days (cutoffs), the last day counted, and the window of days
// kept in a dense slice. It is the one implementation of the click
// features shared by the OULAD loader (studentVle.csv) and the events
// package (any event log read as day offsets or timestamps), so the two
// give identical numbers for the same activity.
//
// Days are integers relative to the course start (day 0); negative days
// are before the start.
type ActivityLayout struct {
	cutoffs    []int // sorted, unique
	lastDay    int   // days after it are not counted
	denseFrom  int   // first day of the dense window
	denseLen   int   // days in the dense window
	categories int   // expected number of categories (a sizing hint)
	intervals  int   // cutoff intervals, plus one when lastDay > the largest cutoff
}

// The default dense day window covers OULAD's usual range (a few weeks
// before the start to the end of a 9-month presentation).
const (
	activityDenseFrom = -64
	activityDenseTo   = 511
)

// NewActivityLayout returns the layout for the given cutoff days (any
// order, duplicates allowed, at least one) counting days up to lastDay,
// which must be at least the largest cutoff (pass the largest cutoff when
// only features are wanted; a later day to also describe activity after
// it). Days in [-64, min(lastDay, 511)] are counted in a slice per
// student, other days in a map, so memory per student stays bounded.
// categories is the number of categories expected (known up front, e.g.
// the activity types of vle.csv); larger category indexes still work, at
// the cost of regrowing the accumulator.
func NewActivityLayout(cutoffs []int, lastDay, categories int) (*ActivityLayout, error) {
	if len(cutoffs) == 0 {
		return nil, fmt.Errorf("activity layout: no cutoff days")
	}
	cs := slices.Clone(cutoffs)
	slices.Sort(cs)
	cs = slices.Compact(cs)
	if lastDay < cs[len(cs)-1] {
		return nil, fmt.Errorf("activity layout: last day %d before the largest cutoff %d", lastDay, cs[len(cs)-1])
	}
	return &ActivityLayout{
		cutoffs:    cs,
		lastDay:    lastDay,
		denseFrom:  activityDenseFrom,
		denseLen:   max(0, min(lastDay, activityDenseTo)-activityDenseFrom+1),
		categories: max(0, categories),
		intervals:  len(cs) + min(1, lastDay-cs[len(cs)-1]),
	}, nil
}

// Cutoffs returns the sorted unique cutoff days; index k of this slice is
// the cutoff index taken by Summarize and ActivityColumns.
func (l *ActivityLayout) Cutoffs() []int { return slices.Clone(l.cutoffs) }

// CutoffIndex returns the index of cutoff day c in Cutoffs.
func (l *ActivityLayout) CutoffIndex(c int) (int, bool) {
	return slices.BinarySearch(l.cutoffs, c)
}

// LastDay returns the last day counted.
func (l *ActivityLayout) LastDay() int { return l.lastDay }

// DailyActivity accumulates one student's activity counts: the count per
// day, and the count per category (e.g. resource type) per cutoff
// interval (interval j holds days in (cutoffs[j-1], cutoffs[j]]; the
// interval after the last cutoff holds later days up to the layout's last
// day). The zero value is empty and ready to use.
type DailyActivity struct {
	days   []int64       // days[d-denseFrom]
	other  map[int]int64 // days outside the dense window
	cats   []int64       // cats[interval*stride+category]
	stride int           // categories per interval in cats
}

// Add counts n (>= 0) on day for category cat (cat < 0: no category).
// Days after the layout's last day are ignored.
func (l *ActivityLayout) Add(a *DailyActivity, day, cat int, n int64) {
	if day > l.lastDay {
		return
	}
	if a.days == nil && l.denseLen > 0 {
		a.days = make([]int64, l.denseLen)
	}
	if i := day - l.denseFrom; i >= 0 && i < l.denseLen {
		a.days[i] += n
	} else {
		if a.other == nil {
			a.other = map[int]int64{}
		}
		a.other[day] += n
	}
	if cat < 0 {
		return
	}
	if cat >= a.stride {
		a.grow(l, cat+1)
	}
	j := 0
	for j < len(l.cutoffs) && l.cutoffs[j] < day {
		j++
	}
	a.cats[j*a.stride+cat] += n
}

// grow makes room for at least n categories per interval.
func (a *DailyActivity) grow(l *ActivityLayout, n int) {
	stride := max(n, l.categories, 2*a.stride)
	cats := make([]int64, l.intervals*stride)
	for j := 0; a.stride > 0 && j < l.intervals; j++ {
		copy(cats[j*stride:], a.cats[j*a.stride:(j+1)*a.stride])
	}
	a.cats, a.stride = cats, stride
}

// Empty reports whether nothing was ever added (a count of 0 still makes
// the accumulator non-empty).
func (a *DailyActivity) Empty() bool { return a.days == nil && a.other == nil && a.cats == nil }

// EachDay calls fn for every day with a positive count, dense days in
// ascending order first, then the other days in no particular order.
func (a *DailyActivity) EachDay(l *ActivityLayout, fn func(day int, n int64)) {
	for i, v := range a.days {
		if v != 0 {
			fn(l.denseFrom+i, v)
		}
	}
	for d, v := range a.other {
		if v != 0 {
			fn(d, v)
		}
	}
}

// CategoryTotal returns the count of category cat on days <= cutoffs[k]
// (k = len(Cutoffs()) means up to the last day).
func (a *DailyActivity) CategoryTotal(k, cat int) int64 {
	if cat < 0 || cat >= a.stride {
		return 0
	}
	var v int64
	for j := 0; j <= k && j*a.stride < len(a.cats); j++ {
		v += a.cats[j*a.stride+cat]
	}
	return v
}

// ActivitySummary is one student's activity on days <= a cutoff c.
type ActivitySummary struct {
	Total       int64   // sum of counts
	BeforeStart int64   // counts on days < 0
	Weeks       []int64 // Weeks[w]: counts on days 7w..7w+6 (and <= c), w = 0..floor(c/7); empty when c < 0
	ActiveDays  int     // days with a positive count
	LastActive  int     // last day with a positive count; valid when ActiveDays > 0
	Categories  []int64 // Categories[t]: counts of category t, t < numCategories
}

// Summarize fills dst with a's activity as of cutoff index k (days <=
// Cutoffs()[k]) for numCategories categories, reusing dst's slices.
func (l *ActivityLayout) Summarize(a *DailyActivity, k, numCategories int, dst *ActivitySummary) {
	c := l.cutoffs[k]
	weeks := 0
	if c >= 0 {
		weeks = c/7 + 1
	}
	dst.Weeks = slices.Grow(dst.Weeks[:0], weeks)[:weeks]
	clear(dst.Weeks)
	dst.Categories = slices.Grow(dst.Categories[:0], numCategories)[:numCategories]
	var sum, before int64
	days := 0
	last := math.MinInt
	add := func(d int, v int64) {
		if d > c || v == 0 {
			return
		}
		sum += v
		days++
		last = max(last, d)
		if d < 0 {
			before += v
		} else {
			dst.Weeks[d/7] += v
		}
	}
	for i, v := range a.days {
		add(l.denseFrom+i, v)
	}
	for d, v := range a.other {
		add(d, v)
	}
	dst.Total, dst.BeforeStart, dst.ActiveDays, dst.LastActive = sum, before, days, last
	for t := range dst.Categories {
		dst.Categories[t] = a.CategoryTotal(k, t)
	}
}

// ActivityWeekName is the name of the click column of week w (days
// 7w..7w+6).
func ActivityWeekName(w int) string { return "clicks_week_" + strconv.Itoa(w) }

// ActivityColumns builds the click feature columns of cutoff index k for
// rows whose accumulators are accs (nil: no activity), in this order:
// clicks_total, clicks_type_<name> for each category name (category t is
// categories[t]), clicks_week_before_start, clicks_week_0 ..
// clicks_week_<floor(c/7)>, active_days, days_since_last_activity. Sums
// run over days <= c; see docs/oulad-features.md for the definitions.
//
// covered[r] false (covered may be nil: all covered) marks a row whose
// course the log does not cover: every column is NaN there, never 0. A
// covered row without activity by day c has 0 counts, 0 active days and
// NaN days_since_last_activity. It returns the columns, the number of
// uncovered rows and the number of covered rows without activity.
func (l *ActivityLayout) ActivityColumns(k int, accs []*DailyActivity, covered []bool, categories []string) (cols []NumericColumn, uncovered, inactive int) {
	c := l.cutoffs[k]
	n := len(accs)
	numTypes := len(categories)
	weeks := 0
	if c >= 0 {
		weeks = c/7 + 1
	}
	total := make([]float64, n)
	types := make([][]float64, numTypes)
	for t := range types {
		types[t] = make([]float64, n)
	}
	before := make([]float64, n)
	week := make([][]float64, weeks)
	for w := range week {
		week[w] = make([]float64, n)
	}
	active := make([]float64, n)
	since := make([]float64, n)
	var s ActivitySummary
	nan := math.NaN()
	for r, acc := range accs {
		if covered != nil && !covered[r] {
			uncovered++
			total[r], before[r], active[r], since[r] = nan, nan, nan, nan
			for t := range types {
				types[t][r] = nan
			}
			for w := range week {
				week[w][r] = nan
			}
			continue
		}
		if acc == nil {
			inactive++
			since[r] = nan
			continue
		}
		l.Summarize(acc, k, numTypes, &s)
		total[r] = float64(s.Total)
		before[r] = float64(s.BeforeStart)
		for w := range week {
			week[w][r] = float64(s.Weeks[w])
		}
		active[r] = float64(s.ActiveDays)
		if s.ActiveDays == 0 {
			inactive++
			since[r] = nan
		} else {
			since[r] = float64(c - s.LastActive)
		}
		for t := range types {
			types[t][r] = float64(s.Categories[t])
		}
	}
	cols = append(cols, NumericColumn{Name: "clicks_total", Values: total})
	for t, name := range categories {
		cols = append(cols, NumericColumn{Name: "clicks_type_" + name, Values: types[t]})
	}
	cols = append(cols, NumericColumn{Name: "clicks_week_before_start", Values: before})
	for w := range week {
		cols = append(cols, NumericColumn{Name: ActivityWeekName(w), Values: week[w]})
	}
	cols = append(cols,
		NumericColumn{Name: "active_days", Values: active},
		NumericColumn{Name: "days_since_last_activity", Values: since})
	return cols, uncovered, inactive
}
