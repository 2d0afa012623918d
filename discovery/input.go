package discovery

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/evalrun/evalrun/events"
)

// Role says what an analysis may do with a student.
type Role int8

// Roles.
const (
	// Excluded students are left out (terms outside the analysis).
	Excluded Role = iota
	// Train students fit the analysis.
	Train
	// Test students (later terms) only receive assignments and confirm
	// findings.
	Test
)

// Population is the student table of an analysis: one row per student key
// (the key events name the student by).
type Population struct {
	Keys  []string
	Terms []string
	// Outcome is 1 for the at-risk outcome, 0 otherwise, -1 unknown.
	Outcome []int8
	Role    []Role
}

func (p *Population) index() map[string]int32 {
	m := make(map[string]int32, len(p.Keys))
	for i, k := range p.Keys {
		m[k] = int32(i)
	}
	return m
}

// Log holds the events of a log in compact form. Student is the row of the
// population (-1: an account without a row, e.g. staff); Actor the raw
// student symbol.
type Log struct {
	Sym     *events.Symbols
	Student []int32
	Actor   []events.Sym
	Day     []int32
	Time    []int64 // milliseconds; day-offset logs: Day·86,400,000
	Count   []int32
	Action  []events.Sym
	Post    []events.Sym
	ReplyTo []events.Sym
	// Roles are the roles the log gives accounts (Caliper membership
	// roles of an event's actor; "Instructor" for an agent an xAPI
	// statement names as context.instructor), each listed once.
	Roles map[string][]string
	// Malformed and Undated count records skipped.
	Malformed, Undated int
}

// Len returns the number of events.
func (l *Log) Len() int { return len(l.Day) }

// Collector is an events.Sink that keeps every dated event in a Log.
type Collector struct {
	Log *Log
	// ResourceTypes, when set, names each event's action by its
	// resource's type (OULAD's vle.csv activity_type), as the engagement
	// features do.
	ResourceTypes map[string]string
	index         map[string]int32
	start         int64 // term start, ms (timestamped logs)
	cache         map[events.Sym]int32
}

// NewCollector collects events of any account; those of pop's keys are
// tied to their rows. termStart places timestamped events in days (day 0
// starts at termStart); day-offset events keep their day.
func NewCollector(pop *Population, sym *events.Symbols, termStartMS int64) *Collector {
	return &Collector{Log: &Log{Sym: sym}, index: pop.index(), start: termStartMS, cache: map[events.Sym]int32{}}
}

// Event implements events.Sink.
func (c *Collector) Event(e *events.Event) error {
	l := c.Log
	if e.TimeStatus != events.TimeOK || e.Student == 0 {
		l.Undated++
		return nil
	}
	var day int32
	var t int64
	if e.DayOnly {
		day, t = e.Day, int64(e.Day)*86400000
	} else {
		t = e.Time
		day = int32(math.Floor(float64(e.Time-c.start) / 86400000))
	}
	row, ok := c.cache[e.Student]
	if !ok {
		row = -1
		if r, found := c.index[l.Sym.Name(e.Student)]; found {
			row = r
		}
		c.cache[e.Student] = row
	}
	cnt := e.Count
	if cnt > math.MaxInt32 {
		cnt = math.MaxInt32
	}
	l.Student = append(l.Student, row)
	l.Actor = append(l.Actor, e.Student)
	l.Day = append(l.Day, day)
	l.Time = append(l.Time, t)
	l.Count = append(l.Count, int32(cnt))
	action := e.Action
	if c.ResourceTypes != nil {
		if t, ok := c.ResourceTypes[l.Sym.Name(e.Object)]; ok {
			action = l.Sym.InternString(t)
		}
	}
	l.Action = append(l.Action, action)
	l.Post = append(l.Post, e.Post)
	l.ReplyTo = append(l.ReplyTo, e.ReplyTo)
	if e.Roles != 0 {
		for _, r := range strings.Fields(l.Sym.Name(e.Roles)) {
			l.addRole(l.Sym.Name(e.Student), r)
		}
	}
	if e.Instructor != 0 {
		l.addRole(l.Sym.Name(e.Instructor), "Instructor")
	}
	return nil
}

// addRole records that account has role (once).
func (l *Log) addRole(account, role string) {
	if l.Roles == nil {
		l.Roles = map[string][]string{}
	}
	if !slices.Contains(l.Roles[account], role) {
		l.Roles[account] = append(l.Roles[account], role)
	}
}

// StaffRole reports whether role is one of the staff roles: equal to one,
// ignoring case, or ending in "#" or "/" and one (so "Instructor" matches
// LIS's "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
// and "TeachingAssistant" the sub-role "Instructor#TeachingAssistant").
func StaffRole(role string, staffRoles []string) bool {
	r := strings.ToLower(strings.TrimSpace(role))
	for _, s := range staffRoles {
		s = strings.ToLower(strings.TrimSpace(s))
		if s != "" && (r == s || strings.HasSuffix(r, "#"+s) || strings.HasSuffix(r, "/"+s)) {
			return true
		}
	}
	return false
}

// Malformed implements events.Sink: records that cannot be parsed are
// counted and skipped.
func (c *Collector) Malformed(source string, line int, err error) error {
	c.Log.Malformed++
	return nil
}

// byStudent returns, for each population row, its events (indices into the
// log) dated on or before cutoff, in time order (ties: log order).
func (l *Log) byStudent(rows, cutoff int) [][]int32 {
	out := make([][]int32, rows)
	for i, s := range l.Student {
		if s >= 0 && int(l.Day[i]) <= cutoff {
			out[s] = append(out[s], int32(i))
		}
	}
	for _, ev := range out {
		sort.SliceStable(ev, func(a, b int) bool { return l.Time[ev[a]] < l.Time[ev[b]] })
	}
	return out
}

// EdgeRecord is one reply of an edge list: From replied to To on Day
// (HasDay false: undated, always before the cutoff).
type EdgeRecord struct {
	From, To string
	Day      int
	HasDay   bool
	Weight   float64
}

func checkSpecRange(name string, v, lo, hi float64) error {
	if !(v >= lo && v <= hi) {
		return fmt.Errorf("%s %v outside [%v, %v]", name, v, lo, hi)
	}
	return nil
}
