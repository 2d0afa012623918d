package harness

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/internal/parquettest"
	"github.com/evalrun/evalrun/internal/pgtest"
)

// csvToParquet writes the CSV file at src as Parquet with the given column
// types (default string); an empty cell is a null.
func csvToParquet(t *testing.T, src, dst string, types map[string]string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cols := make([]parquettest.Column, len(recs[0]))
	for j, name := range recs[0] {
		typ := types[name]
		if typ == "" {
			typ = "string"
		}
		cols[j] = parquettest.Column{Name: name, Type: typ}
		for _, r := range recs[1:] {
			var v any
			switch {
			case r[j] == "":
			case typ == "int64":
				n, err := strconv.ParseInt(r[j], 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				v = n
			case typ == "float64":
				f, err := strconv.ParseFloat(r[j], 64)
				if err != nil {
					t.Fatal(err)
				}
				v = f
			default:
				v = r[j]
			}
			cols[j].Values = append(cols[j].Values, v)
		}
	}
	if err := parquettest.Write(dst, 1000, cols...); err != nil {
		t.Fatal(err)
	}
}

// TestSameResultsFromCSVParquetPostgres runs the csv experiment with its
// event log on the same rows read from CSV files, Parquet files and
// PostgreSQL tables: results.json must be byte-identical.
func TestSameResultsFromCSVParquetPostgres(t *testing.T) {
	dir := t.TempDir()
	studentTypes := map[string]string{"gpa": "float64", "credits": "int64", "dfw": "int64"}
	clickTypes := map[string]string{"day": "int64", "clicks": "int64"}
	// One spec reads data/students and data/clicks: CSV files in one
	// directory, Parquet files in the other (told apart by content), so
	// the spec bytes and their digest in results.json are the same.
	for _, d := range []string{"csv/data", "parquet/data", "postgres"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	for _, tbl := range []string{"students", "clicks"} {
		b, err := os.ReadFile("testdata/" + tbl + ".csv")
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "csv/data", tbl), b, 0o644)
	}
	csvToParquet(t, "testdata/students.csv", filepath.Join(dir, "parquet/data/students"), studentTypes)
	csvToParquet(t, "testdata/clicks.csv", filepath.Join(dir, "parquet/data/clicks"), clickTypes)

	c := pgtest.Start(t)
	c.Exec(t, `CREATE TABLE students (student_id text, term text, gpa double precision, credits integer, major text, first_gen text, dfw smallint);
CREATE TABLE clicks (student_id text, day integer, verb text, resource text, resource_type text, clicks bigint)`)
	for _, tbl := range []string{"students", "clicks"} {
		b, err := os.ReadFile("testdata/" + tbl + ".csv")
		if err != nil {
			t.Fatal(err)
		}
		c.Copy(t, tbl, string(b))
	}

	// Fewer bootstrap replicates (still seeded per replicate, so a change
	// in row order changes the intervals and shows).
	base := csvSource() + eventsSpec + lighterResampling
	base = strings.ReplaceAll(base, `"testdata/students.csv"`, `"data/students"`)
	base = strings.ReplaceAll(base, `"testdata/clicks.csv"`, `"data/clicks"`)
	specs := map[string]string{
		"csv":     base,
		"parquet": base,
		"postgres": strings.NewReplacer(`kind = "csv"
path = "data/students"`, `kind = "postgres"
table = "students"
connection_env = "EVALRUN_TEST_PG"`,
			`path = "data/clicks"`, `format = "postgres"
query = "SELECT * FROM clicks ORDER BY student_id, day"
connection_env = "EVALRUN_TEST_PG"`).Replace(base),
	}
	if specs["postgres"] == base || !strings.Contains(specs["postgres"], `format = "postgres"`) {
		t.Fatal("the postgres spec was not rewritten")
	}
	getenv := func(k string) string {
		if k == "EVALRUN_TEST_PG" {
			return c.ConnString
		}
		return "test-key-of-16-bytes"
	}
	var want []byte
	var csvSHA string
	for _, kind := range []string{"csv", "parquet", "postgres"} {
		s, err := ParseSpec(kind+".toml", filepath.Join(dir, kind), []byte(specs[kind]))
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		out, err := Run(context.Background(), s, RunOptions{Output: filepath.Join(dir, "run-"+kind), Now: fixedNow, Getenv: getenv})
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		got, err := os.ReadFile(filepath.Join(out.Dir, "results.json"))
		if err != nil {
			t.Fatal(err)
		}
		inputs := ""
		for _, in := range out.Manifest.Inputs {
			inputs += in.Path + " " + in.SHA256 + " " + strconv.Itoa(in.Rows) + "\n"
		}
		if strings.Contains(inputs, c.Dir) {
			t.Errorf("%s: the manifest names the connection: %s", kind, inputs)
		}
		t.Logf("%s inputs:\n%s", kind, inputs)
		if want == nil {
			want, csvSHA = got, s.SHA256
			if len(out.Results.Evaluations) == 0 {
				t.Fatal("no evaluations")
			}
			continue
		}
		if kind == "postgres" {
			// A postgres spec is another spec: only its digest may differ.
			got = bytes.Replace(got, []byte(s.SHA256), []byte(csvSHA), 1)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s results.json differs from the csv run's (%d vs %d bytes)", kind, len(got), len(want))
		}
	}
}
