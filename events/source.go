package events

import (
	"fmt"
	"path/filepath"
	"slices"
)

// Source formats.
const (
	SourceCSV     = "csv"
	SourceXAPI    = "xapi"
	SourceCaliper = "caliper"
)

// Source formats read by package sources (the harness dispatches them;
// ReadSource refuses them).
const (
	SourceParquet  = "parquet"
	SourcePostgres = "postgres"
)

// Source is one input of an events dataset: a file or a glob pattern
// (matches read in name order), its format and, for CSV, Parquet and
// PostgreSQL, the column mapping (Parquet columns nested in groups are
// addressed by dotted path, "actor.id").
type Source struct {
	Path    string    `toml:"path"`
	Format  string    `toml:"format"` // "csv" (default), "xapi", "caliper", "parquet" or "postgres"
	Columns CSVFormat `toml:"columns"`
	// Table or Query (exactly one) select the rows of a "postgres"
	// source, and ConnectionEnv names the environment variable holding
	// its connection string (never written in a spec or an output).
	Table         string `toml:"table"`
	Query         string `toml:"query"`
	ConnectionEnv string `toml:"connection_env"`
}

// ReadSource reads every file of src into the builder and returns the
// summed reader statistics. A pattern matching no file is an error.
func (b *Builder) ReadSource(src Source) (Stats, error) {
	var total Stats
	paths, err := filepath.Glob(src.Path)
	if err != nil {
		return total, fmt.Errorf("events: path %q: %w", src.Path, err)
	}
	if len(paths) == 0 {
		return total, fmt.Errorf("events: path %q: no such file", src.Path)
	}
	slices.Sort(paths)
	for _, p := range paths {
		var st Stats
		switch src.Format {
		case "", SourceCSV:
			st, err = ReadCSVFile(p, src.Columns, b.sym, b)
		case SourceXAPI:
			st, err = ReadXAPIFile(p, b.sym, b)
		case SourceCaliper:
			st, err = ReadCaliperFile(p, b.sym, b)
		case SourceParquet, SourcePostgres:
			return total, fmt.Errorf("events: source %q: format %q is read by package sources, not by Builder.ReadSource", src.Path, src.Format)
		default:
			return total, fmt.Errorf("events: source %q: format %q: want csv, xapi or caliper", src.Path, src.Format)
		}
		total.Records += st.Records
		total.Events += st.Events
		total.Skipped += st.Skipped
		total.Malformed += st.Malformed
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
