package datasets

import (
	"github.com/evalrun/evalrun/internal/csvline"

	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"sync"
)

// ouladChunkSize is the read size of the streaming reader. Three buffers of
// this size are in flight per file, so memory stays constant however large
// the file is.
const ouladChunkSize = 1 << 20

// ouladChunk is one block of file bytes handed from the reading goroutine to
// the parsing goroutine.
type ouladChunk struct {
	data []byte
	eof  bool
	err  error
}

// ouladRowFunc receives one data row: its 1-based line number in the file
// and the wanted fields in the order they were asked for. The field slices
// alias internal buffers and are valid only during the call.
type ouladRowFunc func(line int, rec [][]byte) error

// ouladFastFunc handles a whole data line (without its line end) when the
// header has exactly the wanted columns in the wanted order, and reports
// whether it did; when it did not, the line goes through the general field
// splitter and the row function.
type ouladFastFunc func(line []byte) bool

// ouladScanFile streams the CSV file name from fsys. It checks that the
// header names every column in want and calls fn for each non-blank data
// line with those columns. The file's bytes are hashed (SHA-256) by a second
// goroutine as they are read, so there is no second pass; the returned
// FileInfo holds the hash and the number of data rows. free holds the read
// buffers (see ouladNewBuffers); after a successful scan they are all back
// in it, so one set serves every file of a load. fast may be nil.
//
// Accepted format: fields separated by commas, each either double-quoted
// (a doubled quote "" inside stands for one quote) or bare; LF or CRLF line
// ends; an optional UTF-8 byte order mark; a final line without a line end.
// A quoted field may not span lines (OULAD has none).
func ouladScanFile(fsys fs.FS, name string, want []string, free chan []byte, fast ouladFastFunc, fn ouladRowFunc) (FileInfo, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return FileInfo{}, fmt.Errorf("oulad: %w", err)
	}
	defer f.Close()

	hash := sha256.New()
	chunks := make(chan ouladChunk, 2)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			var buf []byte
			select {
			case buf = <-free:
			case <-done:
				return
			}
			n, err := io.ReadFull(f, buf)
			hash.Write(buf[:n])
			c := ouladChunk{data: buf[:n]}
			switch {
			case err == io.EOF || err == io.ErrUnexpectedEOF:
				c.eof = true
			case err != nil:
				c.err = err
			}
			select {
			case chunks <- c:
			case <-done:
				return
			}
			if c.eof || c.err != nil {
				return
			}
		}
	}()
	// Stop the reader before the deferred Close runs.
	defer wg.Wait()
	defer close(done)

	p := ouladLineParser{file: name, want: want, fn: fn, fast: fast}
	var carry []byte
	for {
		c := <-chunks
		if c.err != nil {
			return FileInfo{}, fmt.Errorf("oulad: read %s: %w", name, c.err)
		}
		data := c.data
		if len(carry) > 0 {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				carry = append(carry, data...)
				data = nil
			} else {
				carry = append(carry, data[:i]...)
				if err := p.line(carry); err != nil {
					return FileInfo{}, err
				}
				carry = carry[:0]
				data = data[i+1:]
			}
		}
		for len(data) > 0 {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				carry = append(carry, data...)
				break
			}
			if err := p.line(data[:i]); err != nil {
				return FileInfo{}, err
			}
			data = data[i+1:]
		}
		free <- c.data[:cap(c.data)]
		if c.eof {
			break
		}
	}
	if len(carry) > 0 {
		if err := p.line(carry); err != nil {
			return FileInfo{}, err
		}
	}
	if p.lineNo == 0 {
		return FileInfo{}, fmt.Errorf("oulad: %s: empty file, no header line", name)
	}
	return FileInfo{Path: name, SHA256: hex.EncodeToString(hash.Sum(nil)), Rows: p.rows}, nil
}

// ouladNewBuffers returns the read buffers for ouladScanFile.
func ouladNewBuffers() chan []byte {
	free := make(chan []byte, 3)
	for range cap(free) {
		free <- make([]byte, ouladChunkSize)
	}
	return free
}

// ouladLineParser turns lines into records for one file.
type ouladLineParser struct {
	file    string
	want    []string
	fn      ouladRowFunc
	fast    ouladFastFunc // nil, or usable once the header matched want exactly
	lineNo  int
	rows    int
	nfields int   // number of header fields
	idx     []int // header position of each wanted column
	fields  [][]byte
	rec     [][]byte
	scratch []byte
}

func (p *ouladLineParser) line(line []byte) error {
	p.lineNo++
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if p.lineNo == 1 {
		return p.header(bytes.TrimPrefix(line, []byte("\xef\xbb\xbf")))
	}
	if len(line) == 0 {
		return nil
	}
	p.rows++
	if p.fast != nil && p.fast(line) {
		return nil
	}
	var err error
	p.fields, p.scratch, err = csvline.Split(line, p.fields[:0], p.scratch)
	if err != nil {
		return fmt.Errorf("oulad: %s:%d: %w", p.file, p.lineNo, err)
	}
	if len(p.fields) != p.nfields {
		return fmt.Errorf("oulad: %s:%d: %d fields, header has %d", p.file, p.lineNo, len(p.fields), p.nfields)
	}
	for i, j := range p.idx {
		p.rec[i] = p.fields[j]
	}
	return p.fn(p.lineNo, p.rec)
}

func (p *ouladLineParser) header(line []byte) error {
	fields, _, err := csvline.Split(line, nil, nil)
	if err != nil {
		return fmt.Errorf("oulad: %s:1: header: %w", p.file, err)
	}
	p.nfields = len(fields)
	p.idx = make([]int, len(p.want))
	p.rec = make([][]byte, len(p.want))
	for i, w := range p.want {
		p.idx[i] = -1
		for j, f := range fields {
			if string(f) == w {
				p.idx[i] = j
				break
			}
		}
		if p.idx[i] < 0 {
			return fmt.Errorf("oulad: %s:1: missing header column %q", p.file, w)
		}
		if p.idx[i] != i {
			p.fast = nil
		}
	}
	if p.nfields != len(p.want) {
		p.fast = nil
	}
	return nil
}

// ouladParseFloat parses a finite decimal number; integers take a fast path
// without allocating.
func ouladParseFloat(b []byte) (float64, bool) {
	if v, ok := csvline.ParseInt(b); ok {
		return float64(v), true
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// ouladFieldError formats an error naming file, line and field.
func ouladFieldError(file string, line int, field, problem string, value []byte) error {
	return fmt.Errorf("oulad: %s:%d: field %q: %s %q", file, line, field, problem, value)
}

// ouladInt parses an integer field within int32 range or returns an error
// naming file, line and field.
func ouladInt(file string, line int, field string, b []byte) (int, error) {
	v, ok := csvline.ParseInt(b)
	if !ok || v < math.MinInt32 || v > math.MaxInt32 {
		return 0, ouladFieldError(file, line, field, "invalid integer", b)
	}
	return int(v), nil
}

// ouladFloat parses a finite number field or returns an error naming file,
// line and field.
func ouladFloat(file string, line int, field string, b []byte) (float64, error) {
	v, ok := ouladParseFloat(b)
	if !ok {
		return 0, ouladFieldError(file, line, field, "invalid number", b)
	}
	return v, nil
}

// ouladMissing reports whether a field holds OULAD's missing marker: empty
// or "?".
func ouladMissing(b []byte) bool {
	return len(b) == 0 || (len(b) == 1 && b[0] == '?')
}
