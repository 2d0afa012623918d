package events

import (
	"github.com/evalrun/evalrun/internal/csvline"

	"errors"
	"fmt"
	"strconv"
	"time"
)

// Timestamp formats of CSVFormat.TimeFormat. Any other value is a Go
// reference-time layout (e.g. "02/01/2006 15:04"), read in the declared
// Location unless the layout has a zone.
const (
	// FormatRFC3339 is RFC 3339 / ISO 8601: "2016-11-15T10:15:00Z",
	// "2016-11-15T10:15:00.123+01:00"; a space may replace the 'T'. A
	// value without a zone offset is read in the declared Location (an
	// error when none is declared).
	FormatRFC3339 = "rfc3339"
	// FormatDateTime is "2006-01-02 15:04:05" (optional fraction) in the
	// declared Location, which is required.
	FormatDateTime = "datetime"
	// FormatEpochSeconds and FormatEpochMillis are Unix times (decimal
	// fractions allowed for seconds).
	FormatEpochSeconds = "epoch_s"
	FormatEpochMillis  = "epoch_ms"
	// FormatDay is an integer day offset relative to the course start, as
	// OULAD's studentVle.csv "date" column; events have no time of day.
	FormatDay = "day"
)

// timeParser parses one timestamp format.
type timeParser struct {
	format string
	loc    *time.Location
	// zone cache for local wall times: unix seconds in [lo, hi) have
	// offset off (seconds east of UTC).
	lo, hi int64
	off    int64
}

func newTimeParser(format string, loc *time.Location) (*timeParser, error) {
	if format == "" {
		format = FormatRFC3339
	}
	switch format {
	case FormatRFC3339, FormatEpochSeconds, FormatEpochMillis, FormatDay:
	case FormatDateTime:
		if loc == nil {
			return nil, fmt.Errorf("time format %q needs a declared time zone (IANA name, e.g. \"Europe/London\")", format)
		}
	default:
		ref := time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)
		_, err := time.Parse(format, ref.Format(format))
		if err == nil && ref.Format(format) == ref.AddDate(0, 0, 1).Format(format) {
			err = fmt.Errorf("the layout has no day")
		}
		if err != nil {
			return nil, fmt.Errorf("time format %q: not rfc3339, datetime, epoch_s, epoch_ms, day or a Go layout with a date: %w", format, err)
		}
	}
	return &timeParser{format: format, loc: loc, lo: 1, hi: 0}, nil
}

var (
	errNoZone       = errors.New("no time zone offset and no declared time zone")
	errWantDateTime = errors.New("want YYYY-MM-DD hh:mm:ss")
	errWantRFC3339  = errors.New("want RFC 3339, e.g. 2016-11-15T10:15:00Z")
)

// parse reads b into e's Time or Day; it sets e.TimeStatus.
func (p *timeParser) parse(b []byte, e *Event) {
	if len(b) == 0 {
		e.TimeStatus = TimeMissing
		return
	}
	var err error
	switch p.format {
	case FormatDay:
		d, ok := csvline.ParseInt(b)
		if !ok || d < -1<<30 || d > 1<<30 {
			err = errors.New("not an integer day")
			break
		}
		e.Day, e.DayOnly = int32(d), true
	case FormatEpochSeconds:
		if v, ok := csvline.ParseInt(b); ok && v > -1e11 && v < 1e11 {
			e.Time = v * 1000
			break
		}
		v, perr := strconv.ParseFloat(string(b), 64)
		if perr != nil || !(v > -1e11 && v < 1e11) {
			err = errors.New("not epoch seconds")
			break
		}
		e.Time = int64(v * 1000)
	case FormatEpochMillis:
		v, ok := csvline.ParseInt(b)
		if !ok || v <= -1e14 || v >= 1e14 {
			err = errors.New("not epoch milliseconds")
			break
		}
		e.Time = v
	case FormatRFC3339, FormatDateTime:
		e.Time, err = p.parseISO(b, p.format == FormatRFC3339)
	default:
		var t time.Time
		loc := p.loc
		if loc == nil {
			loc = time.UTC
		}
		t, err = time.ParseInLocation(p.format, string(b), loc)
		e.Time = t.UnixMilli()
	}
	if err != nil {
		e.TimeStatus = TimeInvalid
		e.TimeError = fmt.Sprintf("timestamp %q (format %s): %v", b, p.format, err)
		return
	}
	e.TimeStatus = TimeOK
}

// parseISO parses "YYYY-MM-DD[T ]hh:mm:ss[.frac][Z|+hh:mm|-hh:mm|+hhmm]";
// a zone is accepted only when zoneOK.
func (p *timeParser) parseISO(b []byte, zoneOK bool) (int64, error) {
	bad := errWantDateTime
	if zoneOK {
		bad = errWantRFC3339
	}
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ' && b[10] != 't') || b[13] != ':' || b[16] != ':' {
		return 0, bad
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range b[i : i+n] {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, d, h, mi, s := num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60 {
		return 0, fmt.Errorf("%w: field out of range", bad)
	}
	if s == 60 { // a leap second is read as the last ordinary second
		s = 59
	}
	i := 19
	var ms int64
	if i < len(b) && (b[i] == '.' || b[i] == ',') {
		i++
		start := i
		scale := int64(100)
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			ms += int64(b[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == start {
			return 0, bad
		}
	}
	wall := daysFromCivil(y, mo, d)*86400 + int64(h*3600+mi*60+s)
	if i == len(b) {
		if p.loc == nil {
			return 0, errNoZone
		}
		return (wall-p.offsetOfWall(wall, y, mo, d, h, mi, s))*1000 + ms, nil
	}
	if !zoneOK {
		return 0, bad
	}
	switch b[i] {
	case 'Z', 'z':
		if i+1 != len(b) {
			return 0, bad
		}
		return wall*1000 + ms, nil
	case '+', '-':
		rest := b[i+1:]
		var oh, om int
		switch {
		case len(rest) == 5 && rest[2] == ':':
			oh, om = num(i+1, 2), num(i+4, 2)
		case len(rest) == 4:
			oh, om = num(i+1, 2), num(i+3, 2)
		case len(rest) == 2:
			oh, om = num(i+1, 2), 0
		default:
			return 0, bad
		}
		if oh < 0 || om < 0 || oh > 23 || om > 59 {
			return 0, bad
		}
		off := int64(oh*3600 + om*60)
		if b[i] == '-' {
			off = -off
		}
		return (wall-off)*1000 + ms, nil
	}
	return 0, bad
}

// offsetOfWall returns the zone offset (seconds east of UTC) in p.loc of a
// wall-clock time, caching the zone period so most calls do no lookup.
func (p *timeParser) offsetOfWall(wall int64, y, mo, d, h, mi, s int) int64 {
	if u := wall - p.off; u >= p.lo && u < p.hi {
		return p.off
	}
	t := time.Date(y, time.Month(mo), d, h, mi, s, 0, p.loc)
	_, off := t.Zone()
	start, end := t.ZoneBounds()
	p.off = int64(off)
	p.lo, p.hi = -1<<62, 1<<62
	if !start.IsZero() {
		p.lo = start.Unix()
	}
	if !end.IsZero() {
		p.hi = end.Unix()
	}
	// Wall times within a zone period's first hours after a change may be
	// ambiguous or skipped; time.Date decided them, so do not cache the
	// edges of a period.
	if u := wall - p.off; u < p.lo+2*86400 || u >= p.hi-2*86400 {
		p.lo, p.hi = 1, 0
	}
	return int64(off)
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (H. Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseISODuration parses an ISO 8601 duration such as "PT1H2M3.5S" or
// "P1DT2H" into milliseconds. Years and months are not accepted (their
// length varies); weeks and days are 7 and 1 days of 24 hours.
func parseISODuration(v string) (int64, error) {
	if len(v) < 3 || v[0] != 'P' {
		return 0, fmt.Errorf("duration %q: want ISO 8601, e.g. PT1M30S", v)
	}
	var ms float64
	inTime := false
	num := ""
	for i := 1; i < len(v); i++ {
		c := v[i]
		switch {
		case c == 'T':
			if inTime || num != "" {
				return 0, fmt.Errorf("duration %q: misplaced T", v)
			}
			inTime = true
		case (c >= '0' && c <= '9') || c == '.' || c == ',':
			if c == ',' {
				c = '.'
			}
			num += string(c)
		default:
			f, err := strconv.ParseFloat(num, 64)
			if err != nil || f < 0 {
				return 0, fmt.Errorf("duration %q: bad number before %c", v, c)
			}
			num = ""
			var unit float64
			switch {
			case !inTime && c == 'W':
				unit = 7 * 86400e3
			case !inTime && c == 'D':
				unit = 86400e3
			case inTime && c == 'H':
				unit = 3600e3
			case inTime && c == 'M':
				unit = 60e3
			case inTime && c == 'S':
				unit = 1e3
			default:
				return 0, fmt.Errorf("duration %q: unit %c not supported (years and months have no fixed length)", v, c)
			}
			ms += f * unit
		}
	}
	if num != "" {
		return 0, fmt.Errorf("duration %q: number without unit", v)
	}
	return int64(ms + 0.5), nil
}

// TimeParser parses timestamps of one format exactly as the CSV reader
// does, for readers of other table formats (Parquet, PostgreSQL) whose
// timestamp columns hold text or numbers.
type TimeParser struct{ p *timeParser }

// NewTimeParser returns the parser of format (FormatRFC3339 when empty;
// see CSVFormat.TimeFormat) for wall times in loc (nil: none declared).
func NewTimeParser(format string, loc *time.Location) (*TimeParser, error) {
	p, err := newTimeParser(format, loc)
	if err != nil {
		return nil, err
	}
	return &TimeParser{p: p}, nil
}

// Format returns the parser's format name.
func (t *TimeParser) Format() string { return t.p.format }

// Parse reads b into e's Time or Day and sets e.TimeStatus (TimeMissing
// for an empty b, TimeInvalid with e.TimeError for text it cannot read).
func (t *TimeParser) Parse(b []byte, e *Event) { t.p.parse(b, e) }
