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
	// Dict, when not 0, is 1 + the index of a Text value in the
	// dictionary its column was decoded with, and DictGen identifies that
	// dictionary (it changes when the column's dictionary does): equal
	// (DictGen, Dict) in a column mean equal text, so readers can cache
	// per dictionary entry what they derive from the text.
	Dict, DictGen uint32
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
