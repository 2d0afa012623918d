package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/fairness"
	"github.com/evalrun/evalrun/harness"
	"github.com/evalrun/evalrun/internal/jsonschema"
	"github.com/evalrun/evalrun/results"
	"github.com/evalrun/evalrun/scored"
)

var updateSchemas = flag.Bool("update-schemas", false, "rewrite docs/schemas from the Go types")

// schemaDir holds the published schemas.
var schemaDir = filepath.Join("..", "..", "docs", "schemas")

// publishedSchemas are the JSON Schemas of evalrun's JSON outputs: the Go
// type each file encodes, with the schema of the types that encode
// themselves.
var publishedSchemas = []struct {
	file, title string
	typ         reflect.Type
}{
	{"results.schema.json", "evalrun results.json (format_version 1)", reflect.TypeFor[results.Run]()},
	{"describe.schema.json", "evalrun describe.json and describe --json", reflect.TypeFor[[]harness.EventsDescription]()},
	{"audit.schema.json", "evalrun audit --json (one threshold)", reflect.TypeFor[fairness.AuditResult]()},
	{"audit-sweep.schema.json", "evalrun audit --json --thresholds (a sweep)", reflect.TypeFor[scored.Sweep]()},
}

func schemaGenerator() *jsonschema.Generator {
	return &jsonschema.Generator{Overrides: map[reflect.Type]jsonschema.Schema{
		// A number, or null when undefined (its reason is in the
		// enclosing "undefined" map).
		reflect.TypeFor[fairness.Estimate](): {"type": []any{"number", "null"}},
	}}
}

// TestSchemasPublished checks that docs/schemas holds the schemas the Go
// types give (go test ./cmd/evalrun -run TestSchemasPublished
// -update-schemas rewrites them).
func TestSchemasPublished(t *testing.T) {
	for _, p := range publishedSchemas {
		s, err := schemaGenerator().Generate(p.typ, "https://github.com/evalrun/evalrun/docs/schemas/"+p.file, p.title)
		if err != nil {
			t.Fatalf("%s: %v", p.file, err)
		}
		b, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, '\n')
		path := filepath.Join(schemaDir, p.file)
		if *updateSchemas {
			if err := os.MkdirAll(schemaDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./cmd/evalrun -run TestSchemasPublished -update-schemas)", err)
		}
		if !bytes.Equal(b, want) {
			t.Errorf("%s is out of date with the Go types: run go test ./cmd/evalrun -run TestSchemasPublished -update-schemas", path)
		}
	}
}

// TestSchemaRejects checks that the published results schema can fail:
// wrong types, missing and unknown keys are each reported.
func TestSchemaRejects(t *testing.T) {
	s := loadSchema(t, "results.schema.json")
	errs := jsonschema.ValidateJSON(s, []byte(`{"format_version": "1", "colour": "red", "evaluations": [{"model": 3}]}`))
	all := ""
	for _, e := range errs {
		all += e.Error() + "\n"
	}
	for _, want := range []string{`$.format_version: is string, want integer`, `$: has property "colour"`, `$: lacks required property "experiment"`, `$.evaluations[0].model: is integer, want string`} {
		if !strings.Contains(all, want) {
			t.Errorf("errors lack %q:\n%s", want, all)
		}
	}
}

// loadSchema reads a published schema.
func loadSchema(t *testing.T, file string) jsonschema.Schema {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(schemaDir, file))
	if err != nil {
		t.Fatal(err)
	}
	var s jsonschema.Schema
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return s
}

// checkAgainstSchema validates a written JSON file against a published
// schema, listing every violation.
func checkAgainstSchema(t *testing.T, file string, data []byte, name string) {
	t.Helper()
	if errs := jsonschema.ValidateJSON(loadSchema(t, file), data); len(errs) > 0 {
		var msgs []string
		for i, e := range errs {
			if i == 20 {
				msgs = append(msgs, "...")
				break
			}
			msgs = append(msgs, e.Error())
		}
		t.Errorf("%s does not conform to docs/schemas/%s:\n%s", name, file, strings.Join(msgs, "\n"))
	}
}
