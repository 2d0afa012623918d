package events

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestBadCSVInput(t *testing.T) {
	start := time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC)
	format := CSVFormat{Student: []string{"student"}, Time: "ts", Action: "action"}
	cases := []struct {
		name     string
		data     string
		format   CSVFormat
		cleaning Cleaning
		wantErr  string // substring; "" means no error
		rule     string // with no error: this rule counts 1
	}{
		{"wrong header", "learner,ts,action\na,2024-01-08T10:00:00Z,viewed\n", format, Cleaning{},
			`x.csv:1: header has no column "student" (mapped as student)`, ""},
		{"bad timestamp", "student,ts,action\na,2024-01-08T10:00:00Z,viewed\na,08/01/2024 10:01,viewed\n", format, Cleaning{},
			`x.csv:3: timestamp "08/01/2024 10:01" (format rfc3339)`, ""},
		{"bad timestamp dropped", "student,ts,action\na,2024-01-08T10:00:00Z,viewed\na,08/01/2024 10:01,viewed\n", format,
			Cleaning{DropBadTimestamps: true}, "", RuleBadTimestamp},
		{"no zone", "student,ts,action\na,2024-01-08 10:00:00,viewed\n", format, Cleaning{},
			`x.csv:2: timestamp "2024-01-08 10:00:00" (format rfc3339): no time zone offset and no declared time zone`, ""},
		{"wrong field count", "student,ts,action\na,2024-01-08T10:00:00Z\n", format, Cleaning{},
			"x.csv:2: 2 fields, header has 3", ""},
		{"wrong field count dropped", "student,ts,action\na,2024-01-08T10:00:00Z\n", format, Cleaning{DropMalformed: true}, "", RuleMalformed},
		{"bad quote", "student,ts,action\n\"a,2024-01-08T10:00:00Z,viewed\n", format, Cleaning{}, "x.csv:2: unterminated quoted field", ""},
		{"missing timestamp", "student,ts,action\na,,viewed\n", format, Cleaning{}, "", RuleMissingTimestamp},
		{"missing student", "student,ts,action\n,2024-01-08T10:00:00Z,viewed\n", format, Cleaning{}, "", RuleMissingStudent},
		{"out of order", "student,ts,action\na,2024-01-08T10:00:00Z,viewed\na,2024-01-08T09:00:00Z,viewed\n", format, Cleaning{},
			`x.csv:3: student "a": event at 2024-01-08T09:00:00Z is earlier than the student's previous event at 2024-01-08T10:00:00Z`, ""},
		{"datetime needs zone", "student,ts,action\na,2024-01-08 10:00:00,viewed\n",
			CSVFormat{Student: []string{"student"}, Time: "ts", TimeFormat: FormatDateTime}, Cleaning{},
			`time format "datetime" needs a declared time zone`, ""},
		{"bad count", "student,ts,n\na,2024-01-08T10:00:00Z,-2\n",
			CSVFormat{Student: []string{"student"}, Time: "ts", Count: "n"}, Cleaning{}, `x.csv:2: column "n": invalid count "-2"`, ""},
		{"empty file", "", format, Cleaning{}, "x.csv: empty file, no header line", ""},
		{"unknown zone", "student,ts\na,2024-01-08 10:00:00\n",
			CSVFormat{Student: []string{"student"}, Time: "ts", TimeFormat: FormatDateTime, TimeZone: "Mars/Olympus"}, Cleaning{}, "time zone", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := NewBuilder(Options{Cutoffs: []int{7}, Term: Term{Start: start}, Cleaning: tc.cleaning})
			if err != nil {
				t.Fatal(err)
			}
			_, err = ReadCSV(strings.NewReader(tc.data), "x.csv", tc.format, b.Symbols(), b)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r, err := b.Finish()
			if err != nil {
				t.Fatal(err)
			}
			if n := ruleCount(r, tc.rule); n != 1 {
				t.Errorf("rule %s counted %d, want 1 (report %+v)", tc.rule, n, r.Report.Rules)
			}
		})
	}
}

func TestBuilderOptionErrors(t *testing.T) {
	start := time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		opts Options
		want string
	}{
		{"no cutoffs", Options{}, "no cutoff days"},
		{"cutoff range", Options{Cutoffs: []int{4000}}, "cutoff day 4000 outside"},
		{"end before start", Options{Cutoffs: []int{1}, Term: Term{Start: start, End: start}}, "is not after its start"},
		{"end without start", Options{Cutoffs: []int{1}, Term: Term{End: start}}, "term end given without a term start"},
		{"unknown kind", Options{Cutoffs: []int{1}, Features: []Feature{{Kind: "clickz"}}}, `features[0] (kind "clickz"): unknown kind`},
		{"param of another kind", Options{Cutoffs: []int{1}, Features: []Feature{{Kind: KindTrend, IdleGapMinutes: 10}}}, "idle_gap_minutes does not apply"},
		{"bad gap", Options{Cutoffs: []int{1}, Features: []Feature{{Kind: KindSessions, IdleGapMinutes: -1}}}, "idle_gap_minutes -1 outside"},
		{"repeated", Options{Cutoffs: []int{1}, Features: []Feature{{Kind: KindTrend}, {Kind: KindTrend}}}, "same kind and prefix as features[0]"},
		{"bad zone", Options{Cutoffs: []int{1}, Term: Term{Start: start, TimeZone: "Nowhere/Land"}}, "term time zone"},
		{"empty bot agent", Options{Cutoffs: []int{1}, Cleaning: Cleaning{BotUserAgents: []string{""}}}, "bot_user_agents holds an empty string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewBuilder(tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestResourceTableErrors(t *testing.T) {
	cases := []struct{ name, data, want string }{
		{"missing column", "id_site,type\n1,page\n", `vle.csv:1: header has no column "activity_type"`},
		{"duplicate id", "id_site,activity_type\n1,page\n1,quiz\n", `vle.csv:3: id_site "1" listed twice`},
		{"field count", "id_site,activity_type\n1\n", "vle.csv:2: 1 fields, header has 2"},
		{"empty type", "id_site,activity_type\n1,\n", "vle.csv:2: empty id_site or activity_type"},
		{"empty", "", "vle.csv: empty file"},
	}
	for _, tc := range cases {
		_, err := ReadResourceTable(strings.NewReader(tc.data), "vle.csv", "id_site", "activity_type", nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	tab, err := ReadResourceTable(strings.NewReader("\xef\xbb\xbfid,type,m,p\r\n\"1\",page,AAA,2013J\r\n"), "r.csv", "id", "type", []string{"m", "p"})
	if err != nil || tab.Types["1"] != "page" || tab.Courses["1"] != "AAA/2013J" {
		t.Errorf("table %+v, %v", tab, err)
	}
}

func TestLogKindErrors(t *testing.T) {
	start := time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC)
	day := CSVFormat{Student: []string{"s"}, Time: "d", TimeFormat: FormatDay}
	timed := CSVFormat{Student: []string{"s"}, Time: "d"}
	b, _ := NewBuilder(Options{Cutoffs: []int{7}, Term: Term{Start: start}})
	if _, err := ReadCSV(strings.NewReader("s,d\na,3\n"), "days.csv", day, b.Symbols(), b); err != nil {
		t.Fatal(err)
	}
	_, err := ReadCSV(strings.NewReader("s,d\na,2024-01-09T10:00:00Z\n"), "timed.csv", timed, b.Symbols(), b)
	if err == nil || !strings.Contains(err.Error(), "timed.csv:2: a timestamped event in a log of day offsets") {
		t.Errorf("mixing: %v", err)
	}
	b, _ = NewBuilder(Options{Cutoffs: []int{7}})
	_, err = ReadCSV(strings.NewReader("s,d\na,2024-01-09T10:00:00Z\n"), "timed.csv", timed, b.Symbols(), b)
	if err == nil || !strings.Contains(err.Error(), "timed.csv:2: timestamped events need the term start") {
		t.Errorf("no term: %v", err)
	}
}

// TestRandomLinesNeverPanic feeds seeded random lines (quotes, commas,
// digits, dates, garbage) through every reader with every drop enabled:
// no panic, and every record is either kept or counted.
func TestRandomLinesNeverPanic(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 7))
	pieces := []string{",", "\"", "\"\"", "a", "7", "-", ":", "2024-01-08T10:00:00Z", "2024-13-45 99:99:99", "{", "}", "[", "]", "\"actor\":", " ", "\r", "é", "\x00"}
	start := time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC)
	for round := range 30 {
		var sb strings.Builder
		sb.WriteString("student,ts,action,n\n")
		lines := 1 + rng.IntN(40)
		for range lines {
			for range rng.IntN(12) {
				sb.WriteString(pieces[rng.IntN(len(pieces))])
			}
			sb.WriteString("\n")
		}
		for _, kind := range []string{"csv", "xapi", "caliper"} {
			b, err := NewBuilder(Options{Cutoffs: []int{7}, Term: Term{Start: start}, SortInMemory: true,
				Cleaning: Cleaning{DropMalformed: true, DropBadTimestamps: true, Duplicates: true, MaxEventsPerMinute: 3, RegularGaps: 2}})
			if err != nil {
				t.Fatal(err)
			}
			var st Stats
			switch kind {
			case "csv":
				st, err = ReadCSV(strings.NewReader(sb.String()), "r.csv", CSVFormat{Student: []string{"student"}, Time: "ts", Action: "action", Count: "n"}, b.Symbols(), b)
			case "xapi":
				st, err = ReadXAPI(strings.NewReader(sb.String()), "r.jsonl", b.Symbols(), b)
			case "caliper":
				st, err = ReadCaliper(strings.NewReader(sb.String()), "r.json", b.Symbols(), b)
			}
			if err != nil {
				continue // a clear error is a valid outcome; a panic is not
			}
			r, err := b.Finish()
			if err != nil {
				t.Fatal(err)
			}
			dropped := 0
			for _, rc := range r.Report.Rules {
				dropped += rc.Count
			}
			if r.Report.Records != st.Events+st.Malformed || r.Report.Kept+dropped != r.Report.Records {
				t.Errorf("round %d %s: records %d (reader %+v), kept %d, dropped %d", round, kind, r.Report.Records, st, r.Report.Kept, dropped)
			}
		}
	}
}
