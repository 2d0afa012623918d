package sources

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/evalrun/evalrun/events"
	"github.com/evalrun/evalrun/internal/csvline"
)

func appendRFC3339Millis(dst []byte, ms int64) []byte {
	return time.UnixMilli(ms).UTC().AppendFormat(dst, "2006-01-02T15:04:05.000Z07:00")
}

// EventMapper maps rows of typed values to events with the rules of
// events.ReadCSV: the same column mapping (events.CSVFormat, whose names
// are column names or, for Parquet, dotted paths), the same timestamp
// formats, and the same malformed-row checks of counts, durations and
// scores. Typed timestamps (Parquet TIMESTAMP, PostgreSQL timestamptz)
// are instants as they are; text and numbers are read per TimeFormat.
type EventMapper struct {
	format events.CSVFormat
	sym    *events.Symbols
	tp     *events.TimeParser
	// positions in Columns()
	student, course                                              []int
	time, action, resource, rtype, duration, count, agent, score int
	columns                                                      []string
	scratch, key                                                 []byte
	lastVal                                                      [][]byte
	lastSym                                                      []events.Sym
	// cache is a small direct-mapped cache per column in front of the
	// Symbols map, for columns with few distinct values (actions, types).
	cache [][internCacheSize]internEntry
	// dictSyms caches per column the symbol of each entry of the current
	// dictionary (Value.Dict); noSym marks an entry not seen yet.
	dictSyms [][]events.Sym
	dictGen  []uint32
}

const noSym = ^events.Sym(0)

const internCacheSize = 256

type internEntry struct {
	val []byte
	sym events.Sym
}

// NewEventMapper checks the mapping (student and timestamp columns
// required, a valid time format and zone) and returns its mapper.
func NewEventMapper(f events.CSVFormat, sym *events.Symbols) (*EventMapper, error) {
	if len(f.Student) == 0 || f.Time == "" {
		return nil, fmt.Errorf("the column mapping needs student and timestamp columns")
	}
	loc := f.Location
	if loc == nil && f.TimeZone != "" {
		var err error
		if loc, err = time.LoadLocation(f.TimeZone); err != nil {
			return nil, fmt.Errorf("time zone: %w", err)
		}
	}
	tp, err := events.NewTimeParser(f.TimeFormat, loc)
	if err != nil {
		return nil, err
	}
	m := &EventMapper{format: f, sym: sym, tp: tp}
	add := func(name string) int {
		if name == "" {
			return -1
		}
		m.columns = append(m.columns, name)
		return len(m.columns) - 1
	}
	for _, s := range f.Student {
		m.student = append(m.student, add(s))
	}
	for _, c := range f.Course {
		m.course = append(m.course, add(c))
	}
	m.time = add(f.Time)
	m.action = add(f.Action)
	m.resource = add(f.Resource)
	m.rtype = add(f.ResourceType)
	m.duration = add(f.Duration)
	m.count = add(f.Count)
	m.agent = add(f.UserAgent)
	m.score = add(f.Score)
	m.lastVal = make([][]byte, len(m.columns))
	m.lastSym = make([]events.Sym, len(m.columns))
	m.cache = make([][internCacheSize]internEntry, len(m.columns))
	m.dictSyms = make([][]events.Sym, len(m.columns))
	m.dictGen = make([]uint32, len(m.columns))
	return m, nil
}

// Columns returns the mapped column names in the order Map takes their
// values: student columns, course columns, then timestamp, action,
// resource, resource type, duration, count, user agent and score (absent
// ones left out). A name may appear more than once.
func (m *EventMapper) Columns() []string { return append([]string(nil), m.columns...) }

// Roles returns the mapping name of each column of Columns ("student",
// "timestamp", ...), for messages.
func (m *EventMapper) Roles() []string {
	roles := make([]string, len(m.columns))
	for _, j := range m.student {
		roles[j] = "student"
	}
	for _, j := range m.course {
		roles[j] = "course"
	}
	for _, r := range []struct {
		j    int
		name string
	}{{m.time, "timestamp"}, {m.action, "action"}, {m.resource, "resource"}, {m.rtype, "resource_type"}, {m.duration, "duration"}, {m.count, "count"}, {m.agent, "user_agent"}, {m.score, "score"}} {
		if r.j >= 0 {
			roles[r.j] = r.name
		}
	}
	return roles
}

// intern interns column j's value, remembering it: consecutive rows often
// repeat a student, course or user agent.
func (m *EventMapper) intern(j int, v Value) events.Sym {
	if v.Dict != 0 {
		if m.dictGen[j] != v.DictGen {
			m.dictGen[j], m.dictSyms[j] = v.DictGen, m.dictSyms[j][:0]
		}
		k := int(v.Dict - 1)
		for len(m.dictSyms[j]) <= k {
			m.dictSyms[j] = append(m.dictSyms[j], noSym)
		}
		if s := m.dictSyms[j][k]; s != noSym {
			return s
		}
		v.Dict = 0
		s := m.intern(j, v)
		m.dictSyms[j][k] = s
		return s
	}
	var b []byte
	if v.Kind == Text {
		b = v.Text
	} else {
		m.scratch = v.AppendText(m.scratch[:0])
		b = m.scratch
	}
	if m.lastVal[j] != nil && bytes.Equal(m.lastVal[j], b) {
		return m.lastSym[j]
	}
	var h int
	if n := len(b); n > 0 {
		h = (n*31 + int(b[0])*7 + int(b[n-1])*13 + int(b[n/2])*3 + int(b[(n-1)/3])) & (internCacheSize - 1)
	}
	c := &m.cache[j][h]
	var s events.Sym
	if c.val != nil && bytes.Equal(c.val, b) {
		s = c.sym
	} else {
		s = m.sym.Intern(b)
		c.val = append(c.val[:0], b...)
		if c.val == nil {
			c.val = []byte{}
		}
		c.sym = s
	}
	m.lastVal[j] = append(m.lastVal[j][:0], b...)
	if m.lastVal[j] == nil {
		m.lastVal[j] = []byte{}
	}
	m.lastSym[j] = s
	return s
}

func (m *EventMapper) joined(cols []int, row []Value) events.Sym {
	if len(cols) == 1 {
		return m.intern(cols[0], row[cols[0]])
	}
	m.key = m.key[:0]
	for i, j := range cols {
		if i > 0 {
			m.key = append(m.key, '/')
		}
		m.key = row[j].AppendText(m.key)
	}
	return m.sym.Intern(m.key)
}

// Map fills e (reset first; Source and Line are the caller's) from row,
// whose values are in Columns order. An error is a malformed row, for the
// sink's Malformed.
func (m *EventMapper) Map(row []Value, e *events.Event) error {
	src, line := e.Source, e.Line
	e.Reset()
	e.Source, e.Line = src, line
	if m.count >= 0 {
		v := row[m.count]
		n, ok := int64(0), false
		switch v.Kind {
		case Int:
			n, ok = v.Int, true
		case Float:
			n, ok = int64(v.Float), v.Float == math.Trunc(v.Float) && math.Abs(v.Float) < 1e15
		case Text:
			n, ok = csvline.ParseInt(v.Text)
		}
		if !ok || n < 0 || n > math.MaxInt32 {
			return fmt.Errorf("column %q: invalid count %q", m.format.Count, v.AppendText(nil))
		}
		e.Count = n
	}
	if m.duration >= 0 {
		v, ok, err := m.number(row[m.duration])
		if ok && (err != nil || !(v >= 0 && v < 1e12)) {
			return fmt.Errorf("column %q: invalid duration in seconds %q", m.format.Duration, row[m.duration].AppendText(nil))
		}
		if ok {
			e.DurationMS = int64(v*1000 + 0.5)
		}
	}
	if m.score >= 0 {
		v, ok, err := m.number(row[m.score])
		if ok && (err != nil || !(v >= 0 && v <= 1)) {
			return fmt.Errorf("column %q: invalid score %q (want a number in [0, 1])", m.format.Score, row[m.score].AppendText(nil))
		}
		if ok {
			e.Score = v
		}
	}
	switch t := row[m.time]; t.Kind {
	case Time:
		if m.tp.Format() == events.FormatDay {
			return fmt.Errorf("column %q holds timestamps; time_format %q wants day numbers", m.format.Time, events.FormatDay)
		}
		e.Time, e.TimeStatus = t.Int, events.TimeOK
	case Text:
		m.tp.Parse(t.Text, e)
	default:
		m.scratch = t.AppendText(m.scratch[:0])
		m.tp.Parse(m.scratch, e)
	}
	e.Student = m.joined(m.student, row)
	if len(m.course) > 0 {
		e.Course = m.joined(m.course, row)
	}
	opt := func(j int) events.Sym {
		if j < 0 {
			return 0
		}
		return m.intern(j, row[j])
	}
	e.Action = opt(m.action)
	e.Object = opt(m.resource)
	e.ObjectType = opt(m.rtype)
	e.UserAgent = opt(m.agent)
	return nil
}

// number reads an optional numeric value: ok is false for a null or empty
// one (unknown, as an empty CSV field).
func (m *EventMapper) number(v Value) (float64, bool, error) {
	switch v.Kind {
	case Null:
		return 0, false, nil
	case Int, Bool:
		return float64(v.Int), true, nil
	case Float:
		return v.Float, true, nil
	case Text:
		if len(v.Text) == 0 {
			return 0, false, nil
		}
		f, err := strconv.ParseFloat(string(v.Text), 64)
		return f, true, err
	}
	return 0, true, fmt.Errorf("not a number")
}
