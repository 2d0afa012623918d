// Package parquetsrc reads Parquet files wherever evalrun accepts a CSV
// file: student tables (into the frames datasets.LoadCSV gives), LMS
// event logs (into the events a CSV log gives) and prediction files.
// Columns are named by their path: a top-level column by its name, a
// column nested in optional groups (structs) by the dotted path of group
// and field names, "demographics.gender"; a null anywhere on the path is
// a missing value. Repeated columns (lists, maps) are refused. Files are
// read with github.com/apache/arrow-go's parquet/pqarrow, in batches of
// rows of only the columns needed.
package parquetsrc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/evalrun/evalrun/sources"
)

// Magic is the 4-byte marker that starts (and ends) every Parquet file.
const Magic = "PAR1"

// IsParquet reports whether the file at path starts with the Parquet
// magic bytes.
func IsParquet(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	var b [4]byte
	n, err := io.ReadFull(f, b[:])
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	return n == 4 && string(b[:]) == Magic, nil
}

// batchRows is the number of rows decoded at a time.
const batchRows = 64 << 10

// table is an open Parquet file and the columns selected from it.
type table struct {
	path   string
	rdr    *file.Reader
	fr     *pqarrow.FileReader
	leaves []int      // parquet leaf indices, sorted, unique
	paths  [][]string // per selected name: its path components
	rows   int64
}

// open opens path (memory-mapped: no read calls) and resolves names
// (duplicates allowed) to leaf columns.
func open(path string, names []string) (*table, error) {
	rdr, err := file.OpenParquetFile(path, true)
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable Parquet file: %w", path, err)
	}
	t := &table{path: path, rdr: rdr, rows: rdr.NumRows()}
	sc := rdr.MetaData().Schema
	var missing []string
	for _, name := range names {
		if name == "" {
			t.paths = append(t.paths, nil) // a null in every row
			continue
		}
		idx := sc.ColumnIndexByName(name)
		if idx < 0 {
			missing = append(missing, fmt.Sprintf("%q", name))
			t.paths = append(t.paths, nil)
			continue
		}
		col := sc.Column(idx)
		if col.MaxRepetitionLevel() > 0 {
			rdr.Close()
			return nil, fmt.Errorf("%s: column %q is repeated (a list or map): one value per row is needed", path, name)
		}
		t.paths = append(t.paths, col.ColumnPath())
		if !slices.Contains(t.leaves, idx) {
			t.leaves = append(t.leaves, idx)
		}
	}
	if len(missing) > 0 {
		rdr.Close()
		return nil, fmt.Errorf("%s: no column(s) %s; columns are: %s", path, strings.Join(missing, ", "), strings.Join(Columns(sc.NumColumns(), func(i int) string { return sc.Column(i).Path() }), ", "))
	}
	slices.Sort(t.leaves)
	// Strings decode as dictionaries: a value repeated through a row group
	// is decoded once, its bytes are not copied per row, and readers cache
	// per dictionary entry (Value.Dict). Columns decode one after the other:
	// decoding them in parallel cost more CPU than it saved.
	props := pqarrow.ArrowReadProperties{BatchSize: batchRows, Parallel: false}
	for _, idx := range t.leaves {
		if sc.Column(idx).PhysicalType() == parquet.Types.ByteArray {
			props.SetReadDict(idx, true)
		}
	}
	fr, err := pqarrow.NewFileReader(rdr, props, memory.DefaultAllocator)
	if err != nil {
		rdr.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t.fr = fr
	return t, nil
}

// Columns lists n column paths given by path(i), at most 30.
func Columns(n int, path func(int) string) []string {
	var out []string
	for i := 0; i < n && i < 30; i++ {
		out = append(out, path(i))
	}
	if n > 30 {
		out = append(out, fmt.Sprintf("... (%d more)", n-30))
	}
	return out
}

// ColumnNames returns the dotted paths of every leaf column of the
// Parquet file at path.
func ColumnNames(path string) ([]string, error) {
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable Parquet file: %w", path, err)
	}
	defer rdr.Close()
	sc := rdr.MetaData().Schema
	out := make([]string, sc.NumColumns())
	for i := range out {
		out[i] = sc.Column(i).Path()
	}
	return out, nil
}

func (t *table) close() { t.rdr.Close() }

// scan calls fn for each row (0-based) with the values of the selected
// names in order. The values alias the batch: valid during the call.
func (t *table) scan(ctx context.Context, fn func(row int64, vals []sources.Value) error) error {
	if t.rows == 0 {
		return nil
	}
	rr, err := t.fr.GetRecordReader(ctx, t.leaves, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", t.path, err)
	}
	defer rr.Release()
	// A second goroutine decodes the next batch while this one maps the
	// current batch's rows (as the CSV reader splits lines on one).
	batches := make(chan arrow.RecordBatch, 1)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		defer close(batches)
		for rr.Next() {
			rec := rr.RecordBatch()
			rec.Retain()
			select {
			case batches <- rec:
			case <-done:
				rec.Release()
				return
			}
		}
	}()
	defer func() {
		close(done)
		for rec := range batches {
			rec.Release()
		}
		<-finished
	}()
	vals := make([]sources.Value, len(t.paths))
	var row int64
	var batch uint32
	for rec := range batches {
		batch++
		err := t.scanBatch(ctx, rec, batch, &row, vals, fn)
		rec.Release()
		if err != nil {
			return err
		}
	}
	<-finished
	if err := rr.Err(); err != nil && err != io.EOF {
		return fmt.Errorf("%s: reading: %w", t.path, err)
	}
	return nil
}

// scanBatch calls fn for each row of one batch.
func (t *table) scanBatch(ctx context.Context, rec arrow.RecordBatch, batch uint32, row *int64, vals []sources.Value, fn func(row int64, vals []sources.Value) error) error {
	getters := make([]getter, len(t.paths))
	for i, p := range t.paths {
		if p == nil {
			getters[i] = func(int) sources.Value { return sources.Value{} }
			continue
		}
		g, err := getterFor(rec, p, batch)
		if err != nil {
			return fmt.Errorf("%s: column %q: %w", t.path, strings.Join(p, "."), err)
		}
		getters[i] = g
	}
	n := int(rec.NumRows())
	for i := 0; i < n; i++ {
		if i&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		for j, g := range getters {
			vals[j] = g(i)
		}
		if err := fn(*row, vals); err != nil {
			return err
		}
		*row++
	}
	return nil
}

// getter returns the value of one column at a row of a batch.
type getter func(i int) sources.Value

// getterFor finds the array of a column path in a batch.
func getterFor(rec arrow.RecordBatch, path []string, gen uint32) (getter, error) {
	idx := rec.Schema().FieldIndices(path[0])
	if len(idx) != 1 {
		return nil, fmt.Errorf("not found in the decoded batch")
	}
	arr := rec.Column(idx[0])
	var parents []arrow.Array
	for _, name := range path[1:] {
		st, ok := arr.(*array.Struct)
		if !ok {
			return nil, fmt.Errorf("%s is not a group", arr.DataType())
		}
		k, ok := st.DataType().(*arrow.StructType).FieldIdx(name)
		if !ok {
			return nil, fmt.Errorf("group has no field %q", name)
		}
		parents = append(parents, st)
		arr = st.Field(k)
	}
	g, err := leafGetter(arr, gen)
	if err != nil {
		return nil, err
	}
	if len(parents) == 0 {
		return g, nil
	}
	return func(i int) sources.Value {
		for _, p := range parents {
			if p.IsNull(i) {
				return sources.Value{}
			}
		}
		return g(i)
	}, nil
}

func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// leafGetter returns the getter of a leaf array by its type.
// gen identifies the batch, for Value.DictGen.
func leafGetter(arr arrow.Array, gen uint32) (getter, error) {
	null := func(i int) bool { return arr.IsNull(i) }
	if arr.NullN() == 0 {
		null = func(int) bool { return false }
	}
	switch a := arr.(type) {
	case *array.Int64:
		v := a.Int64Values()
		return func(i int) sources.Value {
			if null(i) {
				return sources.Value{}
			}
			return sources.Value{Kind: sources.Int, Int: v[i]}
		}, nil
	case *array.Int32:
		v := a.Int32Values()
		return func(i int) sources.Value {
			if null(i) {
				return sources.Value{}
			}
			return sources.Value{Kind: sources.Int, Int: int64(v[i])}
		}, nil
	case *array.Int16:
		return intGetter(null, func(i int) int64 { return int64(a.Value(i)) }), nil
	case *array.Int8:
		return intGetter(null, func(i int) int64 { return int64(a.Value(i)) }), nil
	case *array.Uint8:
		return intGetter(null, func(i int) int64 { return int64(a.Value(i)) }), nil
	case *array.Uint16:
		return intGetter(null, func(i int) int64 { return int64(a.Value(i)) }), nil
	case *array.Uint32:
		return intGetter(null, func(i int) int64 { return int64(a.Value(i)) }), nil
	case *array.Float64:
		v := a.Float64Values()
		return func(i int) sources.Value {
			if null(i) {
				return sources.Value{}
			}
			return sources.Value{Kind: sources.Float, Float: v[i]}
		}, nil
	case *array.Float32:
		return func(i int) sources.Value {
			if null(i) {
				return sources.Value{}
			}
			return sources.Value{Kind: sources.Float, Float: float64(a.Value(i))}
		}, nil
	case *array.Boolean:
		return func(i int) sources.Value {
			if null(i) {
				return sources.Value{}
			}
			var b int64
			if a.Value(i) {
				b = 1
			}
			return sources.Value{Kind: sources.Bool, Int: b}
		}, nil
	case *array.String:
		return func(i int) sources.Value {
			if null(i) {
				return sources.Value{}
			}
			return sources.Value{Kind: sources.Text, Text: bytesOf(a.Value(i))}
		}, nil
	case *array.LargeString:
		return func(i int) sources.Value {
			if null(i) {
				return sources.Value{}
			}
			return sources.Value{Kind: sources.Text, Text: bytesOf(a.Value(i))}
		}, nil
	case *array.Binary:
		return func(i int) sources.Value {
			if null(i) {
				return sources.Value{}
			}
			return sources.Value{Kind: sources.Text, Text: a.Value(i)}
		}, nil
	case *array.Timestamp:
		tt := a.DataType().(*arrow.TimestampType)
		toMillis := func(v int64) int64 {
			switch tt.Unit {
			case arrow.Second:
				return v * 1000
			case arrow.Microsecond:
				return floorDiv(v, 1000)
			case arrow.Nanosecond:
				return floorDiv(v, 1000000)
			}
			return v
		}
		if tt.TimeZone == "" {
			// A wall time without a zone (isAdjustedToUTC = false): text,
			// read with the declared time zone like a CSV datetime.
			var buf []byte
			return func(i int) sources.Value {
				if null(i) {
					return sources.Value{}
				}
				buf = time.UnixMilli(toMillis(int64(a.Value(i)))).UTC().AppendFormat(buf[:0], "2006-01-02 15:04:05.000")
				return sources.Value{Kind: sources.Text, Text: buf}
			}, nil
		}
		return func(i int) sources.Value {
			if null(i) {
				return sources.Value{}
			}
			return sources.Value{Kind: sources.Time, Int: toMillis(int64(a.Value(i)))}
		}, nil
	case *array.Date32:
		var buf []byte
		return func(i int) sources.Value {
			if null(i) {
				return sources.Value{}
			}
			buf = time.Unix(int64(a.Value(i))*86400, 0).UTC().AppendFormat(buf[:0], "2006-01-02")
			return sources.Value{Kind: sources.Text, Text: buf}
		}, nil
	case *array.Dictionary:
		// Strings (the usual dictionary): the dictionary's values once,
		// then a lookup per row by the typed index.
		if dict, ok := a.Dictionary().(*array.String); ok && dict.NullN() == 0 {
			vals := make([]sources.Value, dict.Len())
			for k := range vals {
				vals[k] = sources.Value{Kind: sources.Text, Text: bytesOf(dict.Value(k)), Dict: uint32(k + 1), DictGen: gen}
			}
			switch ix := a.Indices().(type) {
			case *array.Int32:
				idx := ix.Int32Values()
				return func(i int) sources.Value {
					if null(i) {
						return sources.Value{}
					}
					return vals[idx[i]]
				}, nil
			case *array.Int64:
				idx := ix.Int64Values()
				return func(i int) sources.Value {
					if null(i) {
						return sources.Value{}
					}
					return vals[idx[i]]
				}, nil
			}
		}
		inner, err := leafGetter(a.Dictionary(), gen)
		if err != nil {
			return nil, err
		}
		return func(i int) sources.Value {
			if null(i) {
				return sources.Value{}
			}
			return inner(a.GetValueIndex(i))
		}, nil
	}
	return nil, fmt.Errorf("Parquet/Arrow type %s is not supported (integers, floating point, booleans, strings, timestamps and dates are)", arr.DataType())
}

func intGetter(null func(int) bool, v func(int) int64) getter {
	return func(i int) sources.Value {
		if null(i) {
			return sources.Value{}
		}
		return sources.Value{Kind: sources.Int, Int: v(i)}
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// fileSHA256 returns the hex SHA-256 of the file bytes.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
