// Package csvline splits one line of a CSV file (RFC 4180 quoting, comma
// separator) into fields without allocating per field: the hot path of the
// OULAD loader and the clickstream reader, which read millions of lines.
package csvline

import (
	"bytes"
	"errors"
)

// Errors of Split; callers add the file, line and field.
var (
	ErrUnterminatedQuote = errors.New("unterminated quoted field")
	ErrBareQuote         = errors.New(`bare " in unquoted field`)
	ErrQuoteNotFollowed  = errors.New(`extraneous character after closing quote`)
)

// Split splits line (without its line end) into fields, appending them to
// fields. Fields alias line, except quoted fields holding a doubled quote,
// which are unescaped into scratch; scratch is grown once to len(line) up
// front so earlier fields stay valid. It returns the fields and the
// (possibly grown) scratch buffer. A quoted field may not span lines.
func Split(line []byte, fields [][]byte, scratch []byte) ([][]byte, []byte, error) {
	if bytes.IndexByte(line, '"') < 0 {
		for {
			j := bytes.IndexByte(line, ',')
			if j < 0 {
				return append(fields, line), scratch, nil
			}
			fields = append(fields, line[:j])
			line = line[j+1:]
		}
	}
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
				// Fields are short: a plain loop beats bytes.IndexByte.
				for j < len(line) && line[j] != '"' {
					j++
				}
				if j == len(line) {
					return fields, scratch, ErrUnterminatedQuote
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
				return fields, scratch, ErrQuoteNotFollowed
			}
			i++
			continue
		}
		j := i
		for j < len(line) && line[j] != ',' {
			if line[j] == '"' {
				return fields, scratch, ErrBareQuote
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

// ParseInt parses an optionally signed decimal integer of at most 18
// digits (so it cannot overflow) without allocating.
func ParseInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}
