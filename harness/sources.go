package harness

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/events"
	"github.com/evalrun/evalrun/external"
	"github.com/evalrun/evalrun/sources/parquetsrc"
	"github.com/evalrun/evalrun/sources/pgsrc"
)

// sourceEnv is what reading data from outside files needs: the run's
// context (cancellation stops a PostgreSQL read) and the environment
// (the variable holding a connection string).
type sourceEnv struct {
	ctx    context.Context
	getenv func(string) string
}

func defaultSourceEnv() sourceEnv { return sourceEnv{ctx: context.Background(), getenv: os.Getenv} }

// pgSource is the PostgreSQL source of a postgres dataset.
func (d Dataset) pgSource() pgsrc.Source {
	return pgsrc.Source{ConnectionEnv: d.ConnectionEnv, Table: d.Table, Query: d.Query}
}

// loadStudentTable reads a csv dataset (a CSV or Parquet file, told apart
// by the Parquet magic bytes) or a postgres one.
func loadStudentTable(env sourceEnv, s *Spec, d Dataset, opts datasets.CSVOptions) (*datasets.Frame, error) {
	if d.Kind == "postgres" {
		f, _, err := pgsrc.LoadStudents(env.ctx, d.pgSource(), opts, env.getenv)
		return f, err
	}
	path := s.ResolvePath(d.Path)
	if pq, err := parquetsrc.IsParquet(path); err == nil && pq {
		return parquetsrc.LoadStudents(env.ctx, path, opts)
	}
	return datasets.LoadCSV(path, opts)
}

// studentTableColumns returns the column names of a dataset's table.
func studentTableColumns(env sourceEnv, s *Spec, d Dataset) (map[string]bool, error) {
	if d.Kind == "postgres" {
		return pgsrc.ColumnNames(env.ctx, d.pgSource(), env.getenv)
	}
	path := s.ResolvePath(d.Path)
	if pq, err := parquetsrc.IsParquet(path); err == nil && pq {
		return parquetsrc.LoadStudentsColumns(path)
	}
	return csvHeader(path)
}

// readEventSource reads one source of an events dataset into b and
// returns the manifest entries of what it read.
func readEventSource(env sourceEnv, b *events.Builder, src events.Source) ([]datasets.FileInfo, error) {
	format := src.Format
	if format == "" || format == events.SourceCSV {
		// A CSV source whose file is Parquet is read as Parquet.
		if pq, err := parquetsrc.IsParquet(src.Path); err == nil && pq {
			format = events.SourceParquet
		}
	}
	switch format {
	case events.SourceParquet:
		_, files, err := parquetsrc.ReadEventsGlob(env.ctx, src.Path, src.Columns, b.Symbols(), b)
		var out []datasets.FileInfo
		for _, f := range files {
			out = append(out, datasets.FileInfo{Path: f.Path, SHA256: f.SHA256, Rows: f.Rows})
		}
		return out, err
	case events.SourcePostgres:
		pg := pgsrc.Source{ConnectionEnv: src.ConnectionEnv, Table: src.Table, Query: src.Query}
		st, res, err := pgsrc.ReadEvents(env.ctx, pg, src.Columns, b.Symbols(), b, env.getenv)
		if err != nil {
			return nil, err
		}
		return []datasets.FileInfo{{Path: pg.Name(), SHA256: res.Fingerprint, Rows: st.Records}}, nil
	}
	st, err := b.ReadSource(src)
	if err != nil {
		return nil, err
	}
	sum, err := globDigest(src.Path)
	if err != nil {
		return nil, err
	}
	return []datasets.FileInfo{{Path: src.Path, SHA256: sum, Rows: st.Records}}, nil
}

// globDigest is the SHA-256 of the files matching pattern: of the file's
// own digest when one matches, else of each match's name and digest in
// name order (so a changed log changes the cells that read it).
func globDigest(pattern string) (string, error) {
	paths, err := filepath.Glob(pattern)
	if err != nil {
		return "", err
	}
	sort.Strings(paths)
	if len(paths) == 1 {
		return fileDigest(paths[0])
	}
	h := sha256.New()
	for _, p := range paths {
		sum, err := fileDigest(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %s\n", filepath.Base(p), sum)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// loadPredictions reads a predictions file, CSV or Parquet.
func loadPredictions(env sourceEnv, cfg external.PredictionsConfig) (*external.PredictionsFile, error) {
	if pq, err := parquetsrc.IsParquet(cfg.Path); err == nil && pq {
		return parquetsrc.LoadPredictions(env.ctx, cfg)
	}
	return external.LoadPredictions(cfg)
}

// checkPostgresSource reports the problems of a postgres source's keys.
func checkPostgresSource(ps *problems, key string, src pgsrc.Source, path string) {
	if path != "" {
		ps.add(key+".path", "not used by a postgres source (set table or query)")
	}
	if src.ConnectionEnv == "" {
		ps.add(key+".connection_env", "missing: the environment variable holding the connection string (never put the string itself in a spec)")
	}
	switch {
	case src.Table == "" && src.Query == "":
		ps.add(key, "a postgres source needs table or query")
	case src.Table != "" && src.Query != "":
		ps.add(key+".query", "set table or query, not both")
	}
	if err := src.Check(); err != nil && src.Table == "" && src.Query != "" && src.ConnectionEnv != "" {
		ps.add(key+".query", "%v", err)
	}
}
