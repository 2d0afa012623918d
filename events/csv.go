package events

import (
	"github.com/evalrun/evalrun/internal/csvline"

	"bufio"
	"bytes"
	"compress/gzip"
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
	p := &csvRowParser{format: f, sym: sym, tp: tp}
	header, _, rerr := readLine(br, nil)
	header = bytes.Clone(header)
	if rerr != nil && rerr != io.EOF {
		return st, fmt.Errorf("events: %s: line 1: read: %w", source, rerr)
	}
	if len(header) == 0 && rerr == io.EOF {
		return st, fmt.Errorf("events: %s: empty file, no header line", source)
	}
	if err := p.header(bytes.TrimPrefix(header, []byte("\xef\xbb\xbf"))); err != nil {
		return st, fmt.Errorf("events: %s:1: %w", source, err)
	}
	if rerr == io.EOF {
		return st, nil
	}

	// A second goroutine reads, splits and parses lines into batches; this
	// one interns identifiers and feeds the sink, in line order.
	free := make(chan *csvBatch, 3)
	for range cap(free) {
		free <- &csvBatch{}
	}
	full := make(chan *csvBatch, 3)
	done := make(chan struct{})
	go p.produce(br, source, free, full, done)
	defer close(done)
	var e Event
	for batch := range full {
		for i := range batch.rows {
			row := &batch.rows[i]
			st.Records++
			if row.err != nil {
				st.Malformed++
				if serr := sink.Malformed(source, row.ev.Line, row.err); serr != nil {
					return st, serr
				}
				continue
			}
			e = row.ev
			p.symbols(batch, i, &e)
			st.Events++
			if err := sink.Event(&e); err != nil {
				return st, err
			}
		}
		if batch.err != nil {
			return st, batch.err
		}
		if batch.eof {
			return st, nil
		}
		free <- batch
	}
	return st, nil
}

// readLine returns the next line without its line end (LF or CRLF); io.EOF
// comes with the last line. The line aliases br's buffer (valid until the
// next read) unless it is longer than the buffer, when it is copied into
// long.
func readLine(br *bufio.Reader, long []byte) (line, buf []byte, err error) {
	line, err = br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		long = append(long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = br.ReadSlice('\n')
			long = append(long, line...)
		}
		line = long
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	return line, long, err
}

// csvBatchRows is the number of rows per batch handed between goroutines.
const csvBatchRows = 4096

// csvBatch is a block of parsed rows: numbers and times in ev, the text of
// the identifier fields in buf at spans (two offsets per needed field).
type csvBatch struct {
	rows  []csvParsed
	buf   []byte
	spans []int32
	err   error // a read error after the rows
	eof   bool  // the input ended after the rows
}

type csvParsed struct {
	ev  Event // numbers, times, Line and Source; identifiers unset
	err error // a malformed row
}

// produce reads lines from br into batches until EOF, a read error or done.
func (p *csvRowParser) produce(br *bufio.Reader, source string, free <-chan *csvBatch, full chan<- *csvBatch, done <-chan struct{}) {
	defer close(full)
	lineNo := 1
	var line, long []byte
	for {
		var batch *csvBatch
		select {
		case batch = <-free:
		case <-done:
			return
		}
		batch.rows, batch.buf, batch.spans, batch.err, batch.eof = batch.rows[:0], batch.buf[:0], batch.spans[:0], nil, false
		for len(batch.rows) < csvBatchRows {
			var err error
			line, long, err = readLine(br, long)
			if len(line) > 0 || err == nil {
				lineNo++
			}
			if len(line) > 0 {
				batch.rows = append(batch.rows, csvParsed{})
				row := &batch.rows[len(batch.rows)-1]
				row.ev.reset()
				row.ev.Line, row.ev.Source = lineNo, source
				if perr := p.parse(line, &row.ev); perr != nil {
					row.err = perr
				} else {
					for _, j := range p.need {
						from := len(batch.buf)
						batch.buf = append(batch.buf, p.fields[j]...)
						batch.spans = append(batch.spans, int32(from), int32(len(batch.buf)))
					}
				}
				if row.err != nil {
					// Keep spans aligned: a malformed row has empty ones.
					for range p.need {
						batch.spans = append(batch.spans, int32(len(batch.buf)), int32(len(batch.buf)))
					}
				}
			}
			if err == io.EOF {
				batch.eof = true
				break
			}
			if err != nil {
				batch.err = fmt.Errorf("events: %s: line %d: read: %w", source, lineNo+1, err)
				break
			}
		}
		select {
		case full <- batch:
		case <-done:
			return
		}
		if batch.eof || batch.err != nil {
			return
		}
	}
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
	// need lists the header positions of the identifier fields passed
	// between goroutines: student columns, course columns, action,
	// resource, resource type, user agent (absent ones left out).
	need []int
	// last value and symbol per column: consecutive rows often repeat a
	// student, course or user agent, and a comparison beats a map lookup.
	lastVal [][]byte
	lastSym []Sym
	// cache is a small direct-mapped cache per needed field, in front of
	// the Symbols map, for columns with few distinct values.
	cache [][internCacheSize]internEntry
}

const internCacheSize = 256

type internEntry struct {
	val []byte
	sym Sym
}

// intern interns field j, remembering it as column j's last value.
func (p *csvRowParser) intern(j int, b []byte) Sym {
	if p.lastVal[j] != nil && bytes.Equal(p.lastVal[j], b) {
		return p.lastSym[j]
	}
	var h int
	if n := len(b); n > 0 {
		h = (n*31 + int(b[0])*7 + int(b[n-1])*13 + int(b[n/2])*3 + int(b[(n-1)/3])) & (internCacheSize - 1)
	}
	c := &p.cache[j][h]
	var s Sym
	if c.val != nil && bytes.Equal(c.val, b) {
		s = c.sym
	} else {
		s = p.sym.Intern(b)
		c.val = append(c.val[:0], b...)
		if c.val == nil {
			c.val = []byte{}
		}
		c.sym = s
	}
	p.lastVal[j] = append(p.lastVal[j][:0], b...)
	if p.lastVal[j] == nil {
		p.lastVal[j] = []byte{}
	}
	p.lastSym[j] = s
	return s
}

func (p *csvRowParser) header(line []byte) error {
	fields, _, err := csvline.Split(line, nil, nil)
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
	if err != nil {
		return err
	}
	p.need = append(append([]int(nil), p.student...), p.course...)
	for _, j := range []int{p.action, p.resource, p.rtype, p.agent} {
		if j >= 0 {
			p.need = append(p.need, j)
		}
	}
	p.lastVal = make([][]byte, len(p.need))
	p.lastSym = make([]Sym, len(p.need))
	p.cache = make([][internCacheSize]internEntry, len(p.need))
	return nil
}

// symbols sets e's identifiers from row i of batch.
func (p *csvRowParser) symbols(batch *csvBatch, i int, e *Event) {
	spans := batch.spans[2*i*len(p.need) : 2*(i+1)*len(p.need)]
	field := func(k int) []byte { return batch.buf[spans[2*k]:spans[2*k+1]] }
	k := 0
	joined := func(n int) Sym {
		if n == 1 {
			k++
			return p.intern(k-1, field(k-1))
		}
		p.key = p.key[:0]
		for i := range n {
			if i > 0 {
				p.key = append(p.key, '/')
			}
			p.key = append(p.key, field(k)...)
			k++
		}
		return p.sym.Intern(p.key)
	}
	e.Student = joined(len(p.student))
	if len(p.course) > 0 {
		e.Course = joined(len(p.course))
	}
	opt := func(j int) Sym {
		if j < 0 {
			return 0
		}
		k++
		return p.intern(k-1, field(k-1))
	}
	e.Action = opt(p.action)
	e.Object = opt(p.resource)
	e.ObjectType = opt(p.rtype)
	e.UserAgent = opt(p.agent)
}

// parse splits a data line and parses its numbers and timestamp into e;
// the identifier fields stay in p.fields.
func (p *csvRowParser) parse(line []byte, e *Event) error {
	var err error
	p.fields, p.scratch, err = csvline.Split(line, p.fields[:0], p.scratch)
	if err != nil {
		return err
	}
	if len(p.fields) != p.nfields {
		return fmt.Errorf("%d fields, header has %d", len(p.fields), p.nfields)
	}
	if p.count >= 0 {
		n, ok := csvline.ParseInt(p.fields[p.count])
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
	p.tp.parse(p.fields[p.time], e)
	return nil
}
