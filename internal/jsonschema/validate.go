package jsonschema

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Validate checks the JSON document doc against schema (both as
// encoding/json decodes them into any, with numbers as float64) and
// returns every violation, each naming its JSON path ("$.evaluations[0]
// .metrics.auc"); nil when doc conforms.
func Validate(schema Schema, doc any) []error {
	v := validator{root: schema}
	v.check(schema, doc, "$")
	return v.errs
}

// ValidateJSON decodes data and validates it.
func ValidateJSON(schema Schema, data []byte) []error {
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return []error{fmt.Errorf("not JSON: %w", err)}
	}
	return Validate(schema, doc)
}

type validator struct {
	root Schema
	errs []error
}

func (v *validator) fail(path, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
}

func (v *validator) resolve(ref string) (Schema, bool) {
	name, ok := strings.CutPrefix(ref, "#/$defs/")
	if !ok {
		return nil, false
	}
	defs, _ := v.root["$defs"].(Schema)
	s, ok := defs[name].(Schema)
	return s, ok
}

func asSchema(x any) (Schema, bool) {
	s, ok := x.(map[string]any)
	return s, ok
}

// typeOf names the JSON type of a decoded value; "integer" for whole
// numbers (which are numbers too).
func typeOf(x any) string {
	switch t := x.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if t == math.Trunc(t) && !math.IsInf(t, 0) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", x)
}

func typeMatches(want, got string) bool {
	return want == got || (want == "number" && got == "integer")
}

func (v *validator) check(s Schema, x any, path string) {
	if ref, ok := s["$ref"].(string); ok {
		target, ok := v.resolve(ref)
		if !ok {
			v.fail(path, "unresolvable $ref %q", ref)
			return
		}
		v.check(target, x, path)
		return
	}
	if any_, ok := s["anyOf"].([]any); ok {
		// An alternative whose type fits but whose contents do not (a
		// non-null value of a nullable object) explains the failure best.
		var closest []error
		for _, alt := range any_ {
			as, _ := asSchema(alt)
			sub := validator{root: v.root}
			sub.check(as, x, path)
			if len(sub.errs) == 0 {
				return
			}
			if !strings.HasPrefix(sub.errs[0].Error(), path+": is ") {
				closest = sub.errs
			}
		}
		if closest != nil {
			v.errs = append(v.errs, closest...)
			return
		}
		v.fail(path, "matches none of the %d alternatives of anyOf", len(any_))
		return
	}
	if t, ok := s["type"]; ok {
		var allowed []string
		switch tt := t.(type) {
		case string:
			allowed = []string{tt}
		case []any:
			for _, a := range tt {
				if as, ok := a.(string); ok {
					allowed = append(allowed, as)
				}
			}
		}
		got := typeOf(x)
		okType := false
		for _, a := range allowed {
			okType = okType || typeMatches(a, got)
		}
		if !okType {
			v.fail(path, "is %s, want %s", got, strings.Join(allowed, " or "))
			return
		}
	}
	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			found = found || e == x
		}
		if !found {
			v.fail(path, "%v is not one of %v", x, enum)
		}
	}
	switch val := x.(type) {
	case map[string]any:
		props, _ := asSchema(s["properties"])
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				name, _ := r.(string)
				if _, present := val[name]; !present {
					v.fail(path, "lacks required property %q", name)
				}
			}
		}
		keys := make([]string, 0, len(val))
		for k := range val {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub := path + "." + k
			if ps, ok := props[k]; ok {
				pss, _ := asSchema(ps)
				v.check(pss, val[k], sub)
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case bool:
				if !ap {
					v.fail(path, "has property %q, which the schema does not allow", k)
				}
			case map[string]any:
				v.check(ap, val[k], sub)
			}
		}
	case []any:
		if items, ok := asSchema(s["items"]); ok {
			for i, it := range val {
				v.check(items, it, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
}
