package events

import (
	"strings"
	"testing"
	"time"
)

// Expected instants from GNU date (date -u -d VALUE +%s%3N; for zones
// TZ=ZONE date -d VALUE +%s).
func TestTimestampFormats(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		format string
		loc    *time.Location
		value  string
		wantMS int64
		day    int32 // for FormatDay
		err    string
	}{
		{FormatRFC3339, nil, "2024-03-31T00:30:00Z", 1711845000000, 0, ""},
		{FormatRFC3339, nil, "2024-03-31T01:30:00+01:00", 1711845000000, 0, ""},
		{FormatRFC3339, nil, "2016-11-15T10:15:00.123+05:30", 1479185100123, 0, ""},
		{FormatRFC3339, nil, "2016-11-15 04:45:00.123Z", 1479185100123, 0, ""},
		{FormatRFC3339, nil, "2016-11-15T10:15:00.123+0530", 1479185100123, 0, ""},
		{FormatRFC3339, nil, "1969-12-31T23:59:59Z", -1000, 0, ""},
		{FormatRFC3339, nil, "2024-02-29T12:00:00Z", 1709208000000, 0, ""},
		{FormatRFC3339, nil, "2023-02-29T12:00:00Z", 0, 0, "field out of range"},
		{FormatRFC3339, nil, "2024-01-08T10:00:00", 0, 0, "no time zone offset"},
		{FormatRFC3339, london, "2024-03-31T03:00:00", 1711850400000, 0, ""},
		{FormatRFC3339, nil, "2024-01-08T10:00:00+25:00", 0, 0, "want RFC 3339"},
		{FormatRFC3339, nil, "yesterday", 0, 0, "want RFC 3339"},
		{FormatDateTime, london, "2024-03-31 03:00:00", 1711850400000, 0, ""},
		{FormatDateTime, ny, "2024-07-04 12:00:00", 1720108800000, 0, ""},
		{FormatDateTime, ny, "2024-07-04T12:00:00Z", 0, 0, "want YYYY-MM-DD hh:mm:ss"},
		{FormatEpochSeconds, nil, "1479185100", 1479185100000, 0, ""},
		{FormatEpochSeconds, nil, "1479185100.123", 1479185100123, 0, ""},
		{FormatEpochSeconds, nil, "soon", 0, 0, "not epoch seconds"},
		{FormatEpochMillis, nil, "1479185100123", 1479185100123, 0, ""},
		{FormatEpochMillis, nil, "1.5", 0, 0, "not epoch milliseconds"},
		{FormatDay, nil, "-10", 0, -10, ""},
		{FormatDay, nil, "3.5", 0, 0, "not an integer day"},
		{"02/01/2006 15:04", ny, "04/07/2024 12:00", 1720108800000, 0, ""},
	}
	for _, tc := range cases {
		p, err := newTimeParser(tc.format, tc.loc)
		if err != nil {
			t.Fatalf("%s: %v", tc.format, err)
		}
		var e Event
		e.reset()
		p.parse([]byte(tc.value), &e)
		switch {
		case tc.err != "":
			if e.TimeStatus != TimeInvalid || !strings.Contains(e.TimeError, tc.err) {
				t.Errorf("%s %q: status %d error %q, want one containing %q", tc.format, tc.value, e.TimeStatus, e.TimeError, tc.err)
			}
		case e.TimeStatus != TimeOK:
			t.Errorf("%s %q: %s", tc.format, tc.value, e.TimeError)
		case tc.format == FormatDay:
			if !e.DayOnly || e.Day != tc.day {
				t.Errorf("%s %q: day %d (day only %v), want %d", tc.format, tc.value, e.Day, e.DayOnly, tc.day)
			}
		case e.Time != tc.wantMS:
			t.Errorf("%s %q: %d ms, want %d", tc.format, tc.value, e.Time, tc.wantMS)
		}
	}
	if _, err := newTimeParser("not a layout", nil); err == nil {
		t.Error("bad layout: no error")
	}
}

func TestISODuration(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		err  bool
	}{
		{"PT0S", 0, false},
		{"PT1S", 1000, false},
		{"PT50M12S", 3012000, false},
		{"PT1H2M3.5S", 3723500, false},
		{"P1DT2H", 93600000, false},
		{"P2W", 1209600000, false},
		{"PT0,5S", 500, false},
		{"P1M", 0, true}, // months have no fixed length
		{"PT5", 0, true},
		{"1H", 0, true},
		{"P", 0, true},
	}
	for _, tc := range cases {
		got, err := parseISODuration(tc.in)
		if (err != nil) != tc.err || (!tc.err && got != tc.want) {
			t.Errorf("%q: %d, %v; want %d (error %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// TestDaysAcrossDST checks that days follow the term zone's calendar: an
// event at 00:30 local time on the day after the switch to summer time is
// on that day, not the previous one.
func TestDaysAcrossDST(t *testing.T) {
	london, _ := time.LoadLocation("Europe/London")
	start := time.Date(2024, 3, 25, 0, 0, 0, 0, london)
	b, err := NewBuilder(Options{Cutoffs: []int{7}, Term: Term{Start: start}, Features: []Feature{{Kind: KindWeekly}, {Kind: KindRegularity}}})
	if err != nil {
		t.Fatal(err)
	}
	// Both are 00:30 BST on Monday 1 April (23:30 UTC on 31 March): day 7.
	log := "s,t\na,2024-03-31T23:30:00Z\na,2024-04-01T00:30:00+01:00\n"
	if _, err := ReadCSV(strings.NewReader(log), "dst.csv", CSVFormat{Student: []string{"s"}, Time: "t"}, b.Symbols(), b); err != nil {
		t.Fatal(err)
	}
	r, _ := b.Finish()
	cols, _, _ := r.Columns(7, []string{"a"}, nil)
	for _, c := range cols {
		// 2024-04-01 is a Monday, day 7 (week 1), one active day.
		if c.Name == "events_week_1" && c.Values[0] != 2 {
			t.Errorf("events_week_1 = %v, want 2", c.Values[0])
		}
		if c.Name == "weekday_entropy" && c.Values[0] != 0 {
			t.Errorf("weekday_entropy = %v, want 0 (one active weekday)", c.Values[0])
		}
	}
}
