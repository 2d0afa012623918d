// Package parquettest writes small Parquet files for tests: typed
// columns with nulls, optionally nested one level in optional groups.
package parquettest

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// Column is one column to write. Name "group.field" puts the field in an
// optional group (struct) "group", which is null in the rows where every
// one of its fields is nil. Values hold int64, float64, string, bool or
// time.Time (Type "timestamp": milliseconds, UTC) or nil for a null.
type Column struct {
	Name   string
	Type   string // "int64", "float64", "string", "bool", "timestamp"
	Values []any
}

func arrowType(t string) (arrow.DataType, error) {
	switch t {
	case "int64":
		return arrow.PrimitiveTypes.Int64, nil
	case "float64":
		return arrow.PrimitiveTypes.Float64, nil
	case "string":
		return arrow.BinaryTypes.String, nil
	case "bool":
		return arrow.FixedWidthTypes.Boolean, nil
	case "timestamp":
		return &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, nil
	}
	return nil, fmt.Errorf("parquettest: unknown type %q", t)
}

func appendValue(b array.Builder, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	switch bb := b.(type) {
	case *array.Int64Builder:
		bb.Append(v.(int64))
	case *array.Float64Builder:
		bb.Append(v.(float64))
	case *array.StringBuilder:
		bb.Append(v.(string))
	case *array.BooleanBuilder:
		bb.Append(v.(bool))
	case *array.TimestampBuilder:
		bb.Append(arrow.Timestamp(v.(time.Time).UnixMilli()))
	default:
		return fmt.Errorf("parquettest: builder %T", b)
	}
	return nil
}

// Write writes the columns (of equal length) to path, in row groups of
// rowGroup rows (0: one group).
func Write(path string, rowGroup int, cols ...Column) error {
	mem := memory.NewGoAllocator()
	type group struct {
		name   string
		fields []int // indexes into cols
	}
	var order []any // int (top-level column) or *group
	groups := map[string]*group{}
	for i, c := range cols {
		if g, f, ok := strings.Cut(c.Name, "."); ok {
			_ = f
			gr := groups[g]
			if gr == nil {
				gr = &group{name: g}
				groups[g] = gr
				order = append(order, gr)
			}
			gr.fields = append(gr.fields, i)
			continue
		}
		order = append(order, i)
	}
	n := len(cols[0].Values)
	var fields []arrow.Field
	var arrays []arrow.Array
	for _, o := range order {
		switch o := o.(type) {
		case int:
			c := cols[o]
			dt, err := arrowType(c.Type)
			if err != nil {
				return err
			}
			b := array.NewBuilder(mem, dt)
			for _, v := range c.Values {
				if err := appendValue(b, v); err != nil {
					return err
				}
			}
			fields = append(fields, arrow.Field{Name: c.Name, Type: dt, Nullable: true})
			arrays = append(arrays, b.NewArray())
		case *group:
			var sf []arrow.Field
			for _, i := range o.fields {
				dt, err := arrowType(cols[i].Type)
				if err != nil {
					return err
				}
				_, name, _ := strings.Cut(cols[i].Name, ".")
				sf = append(sf, arrow.Field{Name: name, Type: dt, Nullable: true})
			}
			st := arrow.StructOf(sf...)
			sb := array.NewStructBuilder(mem, st)
			for r := 0; r < n; r++ {
				null := true
				for _, i := range o.fields {
					null = null && cols[i].Values[r] == nil
				}
				if null {
					sb.AppendNull()
					continue
				}
				sb.Append(true)
				for k, i := range o.fields {
					if err := appendValue(sb.FieldBuilder(k), cols[i].Values[r]); err != nil {
						return err
					}
				}
			}
			fields = append(fields, arrow.Field{Name: o.name, Type: st, Nullable: true})
			arrays = append(arrays, sb.NewArray())
		}
	}
	schema := arrow.NewSchema(fields, nil)
	rec := array.NewRecordBatch(schema, arrays, int64(n))
	defer rec.Release()
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
	defer tbl.Release()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if rowGroup <= 0 {
		rowGroup = max(n, 1)
	}
	props := parquet.NewWriterProperties(parquet.WithDictionaryDefault(true))
	// Hide Close: WriteTable closes a sink that has one.
	if err := pqarrow.WriteTable(tbl, struct{ io.Writer }{f}, int64(rowGroup), props, pqarrow.DefaultWriterProps()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
