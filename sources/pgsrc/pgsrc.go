// Package pgsrc reads student tables and LMS event logs from PostgreSQL
// (a Canvas Data 2 replica kept by Instructure's dap client, a SQL LRS
// xapi_statement table, a warehouse view) into the frames and events the
// CSV readers give for the same rows. The connection string comes from an
// environment variable the spec names and is never written anywhere.
// Rows are streamed (nothing but the frame or the events is kept) over
// github.com/jackc/pgx/v5's pgconn, with binary results for numbers and
// timestamps, and the read stops when its context is cancelled. Each
// read returns a fingerprint: the SHA-256 of the SQL it ran and of every
// value of the result, so the manifest records exactly what was read.
package pgsrc

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/evalrun/evalrun/sources"
)

// Source selects rows of one PostgreSQL table or query.
type Source struct {
	// ConnectionEnv names the environment variable holding the connection
	// string (a libpq URL or key=value string).
	ConnectionEnv string
	// Table ("name" or "schema.name") or Query (one SELECT): exactly one.
	Table string
	Query string
}

// Check reports what is wrong with the source's settings.
func (s Source) Check() error {
	var problems []string
	if s.ConnectionEnv == "" {
		problems = append(problems, "connection_env is missing: name the environment variable holding the connection string")
	}
	switch {
	case s.Table == "" && s.Query == "":
		problems = append(problems, "set table or query")
	case s.Table != "" && s.Query != "":
		problems = append(problems, "set table or query, not both")
	}
	if s.Query != "" && strings.Contains(strings.TrimRight(strings.TrimSpace(s.Query), ";"), ";") {
		problems = append(problems, "query must be a single statement")
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// Name describes the source for messages and the manifest, without the
// connection string: "postgres $EVALRUN_PG table canvas.submissions" or
// "postgres $EVALRUN_PG query".
func (s Source) Name() string {
	if s.Table != "" {
		return fmt.Sprintf("postgres $%s table %s", s.ConnectionEnv, s.Table)
	}
	return fmt.Sprintf("postgres $%s query", s.ConnectionEnv)
}

// quoteIdent quotes a possibly schema-qualified name.
func quoteIdent(name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = `"` + strings.ReplaceAll(p, `"`, `""`) + `"`
	}
	return strings.Join(parts, ".")
}

func quoteColumn(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// SQL returns the statement that selects columns (in order, repeats
// allowed) from the table or from the query's result.
func (s Source) SQL(columns []string) string {
	cols := make([]string, len(columns))
	for i, c := range columns {
		cols[i] = quoteColumn(c)
		if c == "" {
			cols[i] = "NULL::text" // a null in every row
		}
	}
	from := quoteIdent(s.Table)
	if s.Table == "" {
		from = "(" + strings.TrimRight(strings.TrimSpace(s.Query), ";") + ") AS evalrun_source"
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + from
}

// connect opens a connection with the string in the source's variable.
func (s Source) connect(ctx context.Context, getenv func(string) string) (*pgconn.PgConn, error) {
	dsn := getenv(s.ConnectionEnv)
	if dsn == "" {
		return nil, fmt.Errorf("%s: environment variable %s (connection_env) is unset or empty", s.Name(), s.ConnectionEnv)
	}
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		// The parse error may quote the string: say only that it failed.
		return nil, fmt.Errorf("%s: the connection string in %s does not parse", s.Name(), s.ConnectionEnv)
	}
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		var ce *pgconn.ConnectError
		if errors.As(err, &ce) && ce.Unwrap() != nil {
			err = ce.Unwrap()
		}
		return nil, fmt.Errorf("%s: connecting: %v", s.Name(), err)
	}
	return conn, nil
}

// PostgreSQL type OIDs read in binary.
const (
	oidBool        = 16
	oidInt8        = 20
	oidInt2        = 21
	oidInt4        = 23
	oidFloat4      = 700
	oidFloat8      = 701
	oidDate        = 1082
	oidTimestamp   = 1114
	oidTimestamptz = 1184
	oidNumeric     = 1700
)

// Column is one result column: its name and PostgreSQL type.
type Column struct {
	Name string
	OID  uint32
	Type string // SQL type name for messages
}

// Numeric reports whether the column holds numbers.
func (c Column) Numeric() bool {
	switch c.OID {
	case oidInt2, oidInt4, oidInt8, oidFloat4, oidFloat8, oidNumeric, oidBool:
		return true
	}
	return false
}

// Textual reports whether the column holds text that readers parse as
// the CSV reader would (text, varchar, char, json, uuid and other types
// without a binary decoder here).
func (c Column) Textual() bool {
	return !c.Numeric() && c.OID != oidDate && c.OID != oidTimestamp && c.OID != oidTimestamptz
}

var typeNames = map[uint32]string{
	oidBool: "boolean", oidInt8: "bigint", oidInt2: "smallint", oidInt4: "integer", oidFloat4: "real",
	oidFloat8: "double precision", oidDate: "date", oidTimestamp: "timestamp", oidTimestamptz: "timestamptz",
	oidNumeric: "numeric", 25: "text", 1043: "varchar", 1042: "char", 114: "json", 3802: "jsonb", 2950: "uuid",
}

func typeName(oid uint32) string {
	if n, ok := typeNames[oid]; ok {
		return n
	}
	return "type oid " + strconv.FormatUint(uint64(oid), 10)
}

// Result is what one read returned.
type Result struct {
	Rows int
	// Fingerprint is the hex SHA-256 of the SQL and of every value of
	// every row (length-prefixed, as sent).
	Fingerprint string
	SQL         string
}

// scan runs the source's SELECT of columns and calls fn for each row with
// its values. check, when set, sees the result columns before any row.
func (s Source) scan(ctx context.Context, getenv func(string) string, columns []string, check func([]Column) error, fn func(row int, vals []sources.Value) error) (Result, error) {
	if err := s.Check(); err != nil {
		return Result{}, fmt.Errorf("%s: %w", s.Name(), err)
	}
	conn, err := s.connect(ctx, getenv)
	if err != nil {
		return Result{}, err
	}
	defer conn.Close(context.Background())
	have, err := s.describe(ctx, conn)
	if err != nil {
		return Result{}, err
	}
	var missing []string
	for _, c := range columns {
		if c != "" && !have[c] && !contains(missing, strconv.Quote(c)) {
			missing = append(missing, strconv.Quote(c))
		}
	}
	if len(missing) > 0 {
		names := make([]string, 0, len(have))
		for n := range have {
			names = append(names, n)
		}
		slices.Sort(names)
		return Result{}, fmt.Errorf("%s: no column(s) %s; columns are: %s", s.Name(), strings.Join(missing, ", "), strings.Join(names, ", "))
	}
	sql := s.SQL(columns)
	res := Result{SQL: sql}
	sd, err := conn.Prepare(ctx, "", sql, nil)
	if err != nil {
		return res, fmt.Errorf("%s: %s: %w", s.Name(), sql, pgError(err))
	}
	cols := make([]Column, len(sd.Fields))
	formats := make([]int16, len(sd.Fields))
	decoders := make([]decoder, len(sd.Fields))
	for i, f := range sd.Fields {
		cols[i] = Column{Name: columns[i], OID: f.DataTypeOID, Type: typeName(f.DataTypeOID)}
		decoders[i], formats[i] = decoderFor(f.DataTypeOID)
	}
	if check != nil {
		if err := check(cols); err != nil {
			return res, fmt.Errorf("%s: %w", s.Name(), err)
		}
	}
	h := sha256.New()
	h.Write([]byte(sql))
	h.Write([]byte{0})
	rr := conn.ExecPrepared(ctx, sd.Name, nil, nil, formats)
	vals := make([]sources.Value, len(cols))
	var rowBuf []byte
	var ferr error
	for rr.NextRow() {
		raw := rr.Values()
		// One hash write per row: the values length-prefixed (-1: NULL).
		rowBuf = rowBuf[:0]
		for _, b := range raw {
			if b == nil {
				rowBuf = append(rowBuf, 0xff, 0xff, 0xff, 0xff)
				continue
			}
			rowBuf = binary.BigEndian.AppendUint32(rowBuf, uint32(len(b)))
			rowBuf = append(rowBuf, b...)
		}
		h.Write(rowBuf)
		for i, b := range raw {
			if b == nil {
				vals[i] = sources.Value{}
				continue
			}
			v, err := decoders[i](b)
			if err != nil {
				ferr = fmt.Errorf("%s: row %d: column %q (%s): %w", s.Name(), res.Rows+1, cols[i].Name, cols[i].Type, err)
				break
			}
			vals[i] = v
		}
		if ferr != nil {
			break
		}
		res.Rows++
		if err := fn(res.Rows, vals); err != nil {
			ferr = err
			break
		}
		if res.Rows&4095 == 0 && ctx.Err() != nil {
			ferr = ctx.Err()
			break
		}
	}
	if ferr != nil {
		// Stop the server sending the rest: closing the connection is the
		// quickest way out of a large result.
		conn.Close(context.Background())
		return res, ferr
	}
	if _, err := rr.Close(); err != nil {
		if ctx.Err() != nil {
			return res, fmt.Errorf("%s: %w", s.Name(), ctx.Err())
		}
		return res, fmt.Errorf("%s: %w", s.Name(), pgError(err))
	}
	res.Fingerprint = hex.EncodeToString(h.Sum(nil))
	return res, nil
}

func contains(list []string, v string) bool { return slices.Contains(list, v) }

// describe returns the column names of the table or query, without
// running it.
func (s Source) describe(ctx context.Context, conn *pgconn.PgConn) (map[string]bool, error) {
	sql := "SELECT * FROM " + quoteIdent(s.Table)
	if s.Table == "" {
		sql = "SELECT * FROM (" + strings.TrimRight(strings.TrimSpace(s.Query), ";") + ") AS evalrun_source"
	}
	sd, err := conn.Prepare(ctx, "", sql, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name(), pgError(err))
	}
	have := map[string]bool{}
	for _, f := range sd.Fields {
		have[f.Name] = true
	}
	return have, nil
}

// ColumnNames returns the column names of the source's table or query.
func ColumnNames(ctx context.Context, s Source, getenv func(string) string) (map[string]bool, error) {
	if err := s.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name(), err)
	}
	conn, err := s.connect(ctx, getenv)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	return s.describe(ctx, conn)
}

// pgError shortens a server error to its message, detail and position.
func pgError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		msg := pe.Severity + ": " + pe.Message
		if pe.Detail != "" {
			msg += " (" + pe.Detail + ")"
		}
		if pe.Hint != "" {
			msg += "; hint: " + pe.Hint
		}
		return errors.New(msg)
	}
	return err
}

// decoder turns one non-null wire value into a Value; its Text may alias b.
type decoder func(b []byte) (sources.Value, error)

// pgEpochMillis is 2000-01-01T00:00:00Z in Unix milliseconds.
const pgEpochMillis = 946684800000

func decoderFor(oid uint32) (decoder, int16) {
	const text, bin = 0, 1
	switch oid {
	case oidInt2:
		return func(b []byte) (sources.Value, error) {
			if len(b) != 2 {
				return sources.Value{}, errors.New("bad smallint")
			}
			return sources.Value{Kind: sources.Int, Int: int64(int16(binary.BigEndian.Uint16(b)))}, nil
		}, bin
	case oidInt4:
		return func(b []byte) (sources.Value, error) {
			if len(b) != 4 {
				return sources.Value{}, errors.New("bad integer")
			}
			return sources.Value{Kind: sources.Int, Int: int64(int32(binary.BigEndian.Uint32(b)))}, nil
		}, bin
	case oidInt8:
		return func(b []byte) (sources.Value, error) {
			if len(b) != 8 {
				return sources.Value{}, errors.New("bad bigint")
			}
			return sources.Value{Kind: sources.Int, Int: int64(binary.BigEndian.Uint64(b))}, nil
		}, bin
	case oidFloat4:
		return func(b []byte) (sources.Value, error) {
			if len(b) != 4 {
				return sources.Value{}, errors.New("bad real")
			}
			return sources.Value{Kind: sources.Float, Float: float64(math.Float32frombits(binary.BigEndian.Uint32(b)))}, nil
		}, bin
	case oidFloat8:
		return func(b []byte) (sources.Value, error) {
			if len(b) != 8 {
				return sources.Value{}, errors.New("bad double precision")
			}
			return sources.Value{Kind: sources.Float, Float: math.Float64frombits(binary.BigEndian.Uint64(b))}, nil
		}, bin
	case oidBool:
		return func(b []byte) (sources.Value, error) {
			if len(b) != 1 {
				return sources.Value{}, errors.New("bad boolean")
			}
			return sources.Value{Kind: sources.Bool, Int: int64(b[0])}, nil
		}, bin
	case oidNumeric:
		return func(b []byte) (sources.Value, error) {
			f, err := strconv.ParseFloat(string(b), 64)
			if err != nil {
				return sources.Value{}, fmt.Errorf("numeric %q out of range", b)
			}
			return sources.Value{Kind: sources.Float, Float: f}, nil
		}, text
	case oidTimestamptz, oidTimestamp:
		var buf []byte
		return func(b []byte) (sources.Value, error) {
			if len(b) != 8 {
				return sources.Value{}, errors.New("bad timestamp")
			}
			us := int64(binary.BigEndian.Uint64(b))
			if us == math.MaxInt64 || us == math.MinInt64 {
				return sources.Value{Kind: sources.Text, Text: []byte("infinity")}, nil
			}
			ms := floorDiv(us, 1000) + pgEpochMillis
			if oid == oidTimestamptz {
				return sources.Value{Kind: sources.Time, Int: ms}, nil
			}
			// A wall time without a zone: text, read in the declared zone.
			buf = time.UnixMilli(ms).UTC().AppendFormat(buf[:0], "2006-01-02 15:04:05.000")
			return sources.Value{Kind: sources.Text, Text: buf}, nil
		}, bin
	case oidDate:
		var buf []byte
		return func(b []byte) (sources.Value, error) {
			if len(b) != 4 {
				return sources.Value{}, errors.New("bad date")
			}
			d := int64(int32(binary.BigEndian.Uint32(b)))
			buf = time.UnixMilli(d*86400000+pgEpochMillis).UTC().AppendFormat(buf[:0], "2006-01-02")
			return sources.Value{Kind: sources.Text, Text: buf}, nil
		}, bin
	}
	return func(b []byte) (sources.Value, error) {
		return sources.Value{Kind: sources.Text, Text: b}, nil
	}, text
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
