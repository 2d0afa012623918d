// Package jsonschema derives JSON Schemas (draft 2020-12) from the Go
// types evalrun encodes with encoding/json, and validates decoded JSON
// documents against the subset of the vocabulary those schemas use: type
// (one or a list), properties, required, additionalProperties (false or a
// schema), items, enum, anyOf and $ref to "#/$defs/...". It is the check
// behind the schemas published in docs/schemas: every file evalrun writes
// is tested against them.
package jsonschema

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Schema is a JSON Schema as a JSON object.
type Schema = map[string]any

// Generator derives schemas from Go types. Overrides gives the schema of
// types that encode themselves (json.Marshaler), which the generator
// cannot see into; meeting any other such type is an error.
type Generator struct {
	Overrides map[reflect.Type]Schema
	defs      map[string]Schema
	names     map[reflect.Type]string
}

var (
	marshaler     = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// Generate returns the schema of values of type t, with every named
// struct type in $defs, titled title and identified by id.
func (g *Generator) Generate(t reflect.Type, id, title string) (Schema, error) {
	g.defs, g.names = map[string]Schema{}, map[reflect.Type]string{}
	root, err := g.schemaOf(t)
	if err != nil {
		return nil, err
	}
	out := Schema{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": id, "title": title}
	for k, v := range root {
		out[k] = v
	}
	if len(g.defs) > 0 {
		defs := Schema{}
		for k, v := range g.defs {
			defs[k] = v
		}
		out["$defs"] = defs
	}
	return out, nil
}

func nullable(s Schema) Schema {
	if ref, ok := s["$ref"]; ok {
		return Schema{"anyOf": []any{Schema{"$ref": ref}, Schema{"type": "null"}}}
	}
	switch t := s["type"].(type) {
	case string:
		out := Schema{}
		for k, v := range s {
			out[k] = v
		}
		out["type"] = []any{t, "null"}
		return out
	}
	return s
}

func (g *Generator) schemaOf(t reflect.Type) (Schema, error) {
	if s, ok := g.Overrides[t]; ok {
		return s, nil
	}
	if t.Kind() == reflect.Pointer {
		if s, ok := g.Overrides[t.Elem()]; ok {
			return nullable(s), nil
		}
		s, err := g.schemaOf(t.Elem())
		if err != nil {
			return nil, err
		}
		return nullable(s), nil
	}
	if t.Implements(marshaler) || reflect.PointerTo(t).Implements(marshaler) {
		return nil, fmt.Errorf("jsonschema: %s encodes itself: give its schema in Overrides", t)
	}
	if t.Kind() != reflect.String && (t.Implements(textMarshaler) || reflect.PointerTo(t).Implements(textMarshaler)) {
		return Schema{"type": "string"}, nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return Schema{"type": "boolean"}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return Schema{"type": "integer"}, nil
	case reflect.Float32, reflect.Float64:
		return Schema{"type": "number"}, nil
	case reflect.String:
		return Schema{"type": "string"}, nil
	case reflect.Interface:
		return Schema{}, nil
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return Schema{"type": "string"}, nil // base64
		}
		items, err := g.schemaOf(t.Elem())
		if err != nil {
			return nil, err
		}
		if t.Kind() == reflect.Array {
			return Schema{"type": "array", "items": items}, nil
		}
		return Schema{"type": []any{"array", "null"}, "items": items}, nil
	case reflect.Map:
		vals, err := g.schemaOf(t.Elem())
		if err != nil {
			return nil, err
		}
		return Schema{"type": []any{"object", "null"}, "additionalProperties": vals}, nil
	case reflect.Struct:
		return g.structRef(t)
	}
	return nil, fmt.Errorf("jsonschema: cannot describe %s (kind %s)", t, t.Kind())
}

// structRef returns a $ref to the struct's definition, adding it first.
func (g *Generator) structRef(t reflect.Type) (Schema, error) {
	if t.Name() == "" {
		return g.structSchema(t)
	}
	if name, ok := g.names[t]; ok {
		return Schema{"$ref": "#/$defs/" + name}, nil
	}
	name := defName(t)
	for base, i := name, 2; ; i++ {
		if _, taken := g.defs[name]; !taken {
			break
		}
		name = fmt.Sprintf("%s%d", base, i)
	}
	g.names[t] = name
	g.defs[name] = Schema{} // placeholder against recursion
	s, err := g.structSchema(t)
	if err != nil {
		return nil, err
	}
	g.defs[name] = s
	return Schema{"$ref": "#/$defs/" + name}, nil
}

func defName(t reflect.Type) string {
	pkg := t.PkgPath()
	if i := strings.LastIndexByte(pkg, '/'); i >= 0 {
		pkg = pkg[i+1:]
	}
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 {
		name = name[:i]
	}
	if pkg == "" {
		return name
	}
	return pkg + "." + name
}

// structSchema describes a struct as encoding/json writes it: exported
// fields by their json names, "-" skipped, embedded structs without a
// name promoted, omitempty fields optional and every other one required.
func (g *Generator) structSchema(t reflect.Type) (Schema, error) {
	props := Schema{}
	var required []string
	if err := g.addFields(t, props, &required); err != nil {
		return nil, err
	}
	sort.Strings(required)
	s := Schema{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		r := make([]any, len(required))
		for i, v := range required {
			r[i] = v
		}
		s["required"] = r
	}
	return s, nil
}

func (g *Generator) addFields(t reflect.Type, props Schema, required *[]string) error {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				if err := g.addFields(ft, props, required); err != nil {
					return err
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fs, err := g.schemaOf(f.Type)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", t, f.Name, err)
		}
		props[name] = fs
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			*required = append(*required, name)
		}
	}
	return nil
}
