package sources

import (
	"strconv"

	"github.com/evalrun/evalrun/datasets"
)

// Kind is the type of a Value.
type Kind uint8

// Value kinds.
const (
	Null  Kind = iota // missing
	Int               // Value.Int
	Float             // Value.Float
	Bool              // Value.Int: 1 true, 0 false
	Text              // Value.Text
	Time              // Value.Int: milliseconds since the Unix epoch, UTC
)

// Value is one typed cell of a source row. Text aliases the source's
// buffers: it is valid until the next row is read.
type Value struct {
	Kind  Kind
	Int   int64
	Float float64
	Text  []byte
}

// AppendText appends the value as a CSV export would write it: integers
// in decimal, floating point in strconv's shortest form, booleans as
// "true"/"false", times as RFC 3339 with milliseconds in UTC, text as is
// and a null as nothing.
func (v Value) AppendText(dst []byte) []byte {
	switch v.Kind {
	case Int:
		return strconv.AppendInt(dst, v.Int, 10)
	case Float:
		return strconv.AppendFloat(dst, v.Float, 'g', -1, 64)
	case Bool:
		return strconv.AppendBool(dst, v.Int != 0)
	case Text:
		return append(dst, v.Text...)
	case Time:
		return appendRFC3339Millis(dst, v.Int)
	}
	return dst
}

// Cell returns the value as a student-table cell.
func (v Value) Cell() datasets.Cell {
	switch v.Kind {
	case Null:
		return datasets.Cell{Null: true}
	case Int, Bool:
		return datasets.Cell{IsNumber: true, Number: float64(v.Int), Text: string(v.AppendText(nil))}
	case Float:
		return datasets.Cell{IsNumber: true, Number: v.Float, Text: string(v.AppendText(nil))}
	}
	return datasets.Cell{Text: string(v.AppendText(nil))}
}
