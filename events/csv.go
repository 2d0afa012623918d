package events

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"time"
)

// CSVFormat maps the columns of a clickstream CSV to the event model.
// Column names are matched exactly against the header line. Student and
// Time are required; every other column is optional ("" or nil: absent).
type CSVFormat struct {
	// Student names the column(s) of the student key; several columns are
	// joined with "/" (OULAD: code_module, code_presentation, id_student).
	Student []string `toml:"student"`
	// Time names the timestamp column, read per TimeFormat.
	Time string `toml:"timestamp"`
	// TimeFormat is FormatRFC3339 (default), FormatDateTime,
	// FormatEpochSeconds, FormatEpochMillis, FormatDay or a Go layout.
	TimeFormat string `toml:"time_format"`
	// TimeZone is the IANA name (e.g. "Europe/London") of the zone of
	// timestamps without an offset (required for FormatDateTime);
	// Location, when set, takes precedence.
	TimeZone string         `toml:"time_zone"`
	Location *time.Location `toml:"-"`

	Action       string   `toml:"action"`
	Resource     string   `toml:"resource"`
	ResourceType string   `toml:"resource_type"`
	Course       []string `toml:"course"` // joined with "/"
	// Duration is a number of seconds (>= 0).
	Duration string `toml:"duration"`
	// Count is the number of actions a row stands for (an integer >= 0,
	// e.g. OULAD's sum_click); without it every row is one action.
	Count     string `toml:"count"`
	UserAgent string `toml:"user_agent"`
	// Score is a result score in [0, 1].
	Score string `toml:"score"`
}

// ReadCSVFile reads a clickstream CSV file, plain or gzip-compressed
// (recognized by its content, whatever the name), with ReadCSV.
func ReadCSVFile(path string, f CSVFormat, sym *Symbols, sink Sink) (Stats, error) {
	fh, err := os.Open(path)
	if err != nil {
		return Stats{}, fmt.Errorf("events: %w", err)
	}
	defer fh.Close()
	return ReadCSV(fh, path, f, sym, sink)
}

// Stats counts what a reader read.
type Stats struct {
	Records int // data rows, statements or envelope items read
	Events  int // events handed to the sink
	// Skipped counts records that are not events (Caliper entities in an
	// envelope).
	Skipped int
	// Malformed counts records the sink chose to skip.
	Malformed int
}

// ReadCSV reads a clickstream CSV from r (gzip-compressed data is
// recognized by its magic bytes) and hands each data row to sink as an
// Event. source names the input in messages ("file.csv:12: ...").
//
// Format: comma-separated, a header line, fields bare or double-quoted
// ("" inside quotes is a quote; a quoted field may not span lines), LF or
// CRLF line ends, optional UTF-8 byte order mark; blank lines are skipped.
//
// Errors (returned, naming source and line): a header without a mapped
// column, an invalid format mapping. Rows with the wrong number of fields,
// bad quoting, or an invalid count, duration or score go to
// sink.Malformed; an empty timestamp gives TimeMissing and an unparseable
// one TimeInvalid, which the sink counts or rejects.
func ReadCSV(r io.Reader, source string, f CSVFormat, sym *Symbols, sink Sink) (Stats, error) {
	var st Stats
	if len(f.Student) == 0 || f.Time == "" {
		return st, fmt.Errorf("events: %s: the column mapping needs student and timestamp columns", source)
	}
	loc := f.Location
	if loc == nil && f.TimeZone != "" {
		var err error
		if loc, err = time.LoadLocation(f.TimeZone); err != nil {
			return st, fmt.Errorf("events: %s: time zone: %w", source, err)
		}
	}
	tp, err := newTimeParser(f.TimeFormat, loc)
	if err != nil {
		return st, fmt.Errorf("events: %s: %w", source, err)
	}
	br := bufio.NewReaderSize(r, 1<<20)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return st, fmt.Errorf("events: %s: gzip: %w", source, err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 1<<20)
	}
	p := csvRowParser{format: f, sym: sym, tp: tp}
	var carry []byte
	lineNo := 0
	var e Event
	for {
		line, rerr := br.ReadSlice('\n')
		if rerr == bufio.ErrBufferFull {
			carry = append(carry, line...)
			continue
		}
		if rerr != nil && rerr != io.EOF {
			return st, fmt.Errorf("events: %s: line %d: read: %w", source, lineNo+1, rerr)
		}
		if len(carry) > 0 {
			carry = append(carry, line...)
			line = carry
		}
		if len(line) > 0 {
			lineNo++
			line = bytes.TrimSuffix(line, []byte("\n"))
			line = bytes.TrimSuffix(line, []byte("\r"))
			if lineNo == 1 {
				if err := p.header(bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))); err != nil {
					return st, fmt.Errorf("events: %s:1: %w", source, err)
				}
			} else if len(line) > 0 {
				st.Records++
				e.reset()
				e.Line, e.Source = lineNo, source
				if err := p.row(line, &e); err != nil {
					st.Malformed++
					if serr := sink.Malformed(source, lineNo, err); serr != nil {
						return st, serr
					}
				} else {
					st.Events++
					if err := sink.Event(&e); err != nil {
						return st, err
					}
				}
			}
		}
		carry = carry[:0]
		if rerr == io.EOF {
			break
		}
	}
	if lineNo == 0 {
		return st, fmt.Errorf("events: %s: empty file, no header line", source)
	}
	return st, nil
}

// csvRowParser turns CSV lines into events.
type csvRowParser struct {
	format                                                       CSVFormat
	sym                                                          *Symbols
	tp                                                           *timeParser
	nfields                                                      int
	student                                                      []int
	course                                                       []int
	time, action, resource, rtype, duration, count, agent, score int
	fields                                                       [][]byte
	scratch                                                      []byte
	key                                                          []byte
}

func (p *csvRowParser) header(line []byte) error {
	fields, _, err := splitCSVLine(line, nil, nil)
	if err != nil {
		return fmt.Errorf("header: %w", err)
	}
	p.nfields = len(fields)
	find := func(mapping, name string) (int, error) {
		if name == "" {
			return -1, nil
		}
		for j, f := range fields {
			if string(f) == name {
				return j, nil
			}
		}
		return -1, fmt.Errorf("header has no column %q (mapped as %s); header is %q", name, mapping, line)
	}
	one := func(dst *int, mapping, name string) {
		if err != nil {
			return
		}
		*dst, err = find(mapping, name)
	}
	many := func(dst *[]int, mapping string, names []string) {
		for _, n := range names {
			var j int
			one(&j, mapping, n)
			*dst = append(*dst, j)
		}
	}
	many(&p.student, "student", p.format.Student)
	many(&p.course, "course", p.format.Course)
	one(&p.time, "timestamp", p.format.Time)
	one(&p.action, "action", p.format.Action)
	one(&p.resource, "resource", p.format.Resource)
	one(&p.rtype, "resource_type", p.format.ResourceType)
	one(&p.duration, "duration", p.format.Duration)
	one(&p.count, "count", p.format.Count)
	one(&p.agent, "user_agent", p.format.UserAgent)
	one(&p.score, "score", p.format.Score)
	return err
}

func (p *csvRowParser) joined(cols []int) Sym {
	if len(cols) == 1 {
		return p.sym.Intern(p.fields[cols[0]])
	}
	p.key = p.key[:0]
	for i, j := range cols {
		if i > 0 {
			p.key = append(p.key, '/')
		}
		p.key = append(p.key, p.fields[j]...)
	}
	return p.sym.Intern(p.key)
}

func (p *csvRowParser) opt(j int) Sym {
	if j < 0 {
		return 0
	}
	return p.sym.Intern(p.fields[j])
}

func (p *csvRowParser) row(line []byte, e *Event) error {
	var err error
	p.fields, p.scratch, err = splitCSVLine(line, p.fields[:0], p.scratch)
	if err != nil {
		return err
	}
	if len(p.fields) != p.nfields {
		return fmt.Errorf("%d fields, header has %d", len(p.fields), p.nfields)
	}
	if p.count >= 0 {
		n, ok := parseInt(p.fields[p.count])
		if !ok || n < 0 || n > math.MaxInt32 {
			return fmt.Errorf("column %q: invalid count %q", p.format.Count, p.fields[p.count])
		}
		e.Count = n
	}
	if p.duration >= 0 && len(p.fields[p.duration]) > 0 {
		v, err := strconv.ParseFloat(string(p.fields[p.duration]), 64)
		if err != nil || !(v >= 0 && v < 1e12) {
			return fmt.Errorf("column %q: invalid duration in seconds %q", p.format.Duration, p.fields[p.duration])
		}
		e.DurationMS = int64(v*1000 + 0.5)
	}
	if p.score >= 0 && len(p.fields[p.score]) > 0 {
		v, err := strconv.ParseFloat(string(p.fields[p.score]), 64)
		if err != nil || !(v >= 0 && v <= 1) {
			return fmt.Errorf("column %q: invalid score %q (want a number in [0, 1])", p.format.Score, p.fields[p.score])
		}
		e.Score = v
	}
	e.Student = p.joined(p.student)
	if len(p.course) > 0 {
		e.Course = p.joined(p.course)
	}
	e.Action = p.opt(p.action)
	e.Object = p.opt(p.resource)
	e.ObjectType = p.opt(p.rtype)
	e.UserAgent = p.opt(p.agent)
	p.tp.parse(p.fields[p.time], e)
	return nil
}

var (
	errUnterminatedQuote = errors.New("unterminated quoted field")
	errBareQuote         = errors.New(`bare " in unquoted field`)
	errQuoteNotFollowed  = errors.New("extraneous character after closing quote")
)

// splitCSVLine splits one line (without its line end) into fields,
// appending to fields. Fields alias line, except quoted fields holding a
// doubled quote, which are unescaped into scratch (grown once to
// len(line) so earlier fields stay valid).
func splitCSVLine(line []byte, fields [][]byte, scratch []byte) ([][]byte, []byte, error) {
	if cap(scratch) < len(line) {
		scratch = make([]byte, 0, len(line))
	}
	scratch = scratch[:0]
	i := 0
	for {
		if i < len(line) && line[i] == '"' {
			start := i + 1
			j := start
			escaped := false
			for {
				for j < len(line) && line[j] != '"' {
					j++
				}
				if j == len(line) {
					return fields, scratch, errUnterminatedQuote
				}
				if j+1 < len(line) && line[j+1] == '"' {
					escaped = true
					j += 2
					continue
				}
				break
			}
			field := line[start:j]
			if escaped {
				from := len(scratch)
				for q := 0; q < len(field); q++ {
					scratch = append(scratch, field[q])
					if field[q] == '"' {
						q++
					}
				}
				field = scratch[from:len(scratch):len(scratch)]
			}
			fields = append(fields, field)
			i = j + 1
			if i == len(line) {
				return fields, scratch, nil
			}
			if line[i] != ',' {
				return fields, scratch, errQuoteNotFollowed
			}
			i++
			continue
		}
		j := i
		for j < len(line) && line[j] != ',' {
			if line[j] == '"' {
				return fields, scratch, errBareQuote
			}
			j++
		}
		fields = append(fields, line[i:j])
		if j == len(line) {
			return fields, scratch, nil
		}
		i = j + 1
	}
}
