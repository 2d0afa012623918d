package jsonschema

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

type inner struct {
	A int     `json:"a"`
	B *string `json:"b,omitempty"`
}

type base struct {
	ID string `json:"id"`
}

type outer struct {
	base
	Name    string            `json:"name"`
	Score   float64           `json:"score"`
	Tags    []string          `json:"tags"`
	Counts  map[string]int    `json:"counts,omitempty"`
	Child   *inner            `json:"child"`
	Kids    []inner           `json:"kids,omitempty"`
	Self    *outer            `json:"self,omitempty"`
	Secret  string            `json:"-"`
	Any     any               `json:"any,omitempty"`
	Special special           `json:"special"`
	hidden  int               //nolint:unused // unexported: not encoded
	Raw     map[string]string `json:"raw,omitempty"`
}

// special encodes itself as a number or null.
type special struct{ v *float64 }

func (s special) MarshalJSON() ([]byte, error) { return json.Marshal(s.v) }

func schemaFor(t *testing.T) Schema {
	t.Helper()
	g := Generator{Overrides: map[reflect.Type]Schema{reflect.TypeFor[special](): {"type": []any{"number", "null"}}}}
	s, err := g.Generate(reflect.TypeFor[outer](), "https://example.org/outer.json", "outer")
	if err != nil {
		t.Fatal(err)
	}
	// Round-trip through JSON, as the published files are read.
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Schema
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	return back
}

func TestGenerateAndValidate(t *testing.T) {
	s := schemaFor(t)
	x := 2.5
	good := outer{base: base{ID: "x"}, Name: "n", Score: 1, Child: &inner{A: 1}, Kids: []inner{{A: 2}}, Self: &outer{Name: "s"}, Special: special{&x}}
	b, _ := json.Marshal(good)
	if errs := ValidateJSON(s, b); len(errs) != 0 {
		t.Errorf("valid document rejected: %v\n%s", errs, b)
	}
	for i, c := range []struct {
		doc  string
		want []string
	}{
		{`{"id":"x","name":"n","score":"high","tags":null,"child":null,"special":null}`, []string{`$.score: is string, want number`}},
		{`{"id":"x","score":1,"tags":[1],"child":null,"special":null}`, []string{`$: lacks required property "name"`, `$.tags[0]: is integer, want string`}},
		{`{"id":"x","name":"n","score":1,"tags":[],"child":{"a":1.5,"c":2},"special":"no"}`, []string{`$.child.a: is number, want integer`, `$.child: has property "c", which the schema does not allow`, `$.special: is string, want number or null`}},
		{`{"id":"x","name":"n","score":1,"tags":[],"child":null,"special":1,"self":{"id":"s","name":1,"score":0,"tags":null,"child":null,"special":null}}`, []string{`$.self.name: is integer, want string`}},
		{`{"id":"x","name":"n","score":1,"tags":[],"child":null,"special":1,"self":"me"}`, []string{`$.self: matches none of the 2 alternatives of anyOf`}},
		{`{"id":"x","name":"n","score":1,"tags":[],"child":null,"special":1,"counts":{"a":"b"}}`, []string{`$.counts.a: is string, want integer`}},
		{`[1]`, []string{`$: is array, want object`}},
	} {
		errs := ValidateJSON(s, []byte(c.doc))
		var got []string
		for _, e := range errs {
			got = append(got, e.Error())
		}
		all := strings.Join(got, "\n")
		for _, w := range c.want {
			if !strings.Contains(all, w) {
				t.Errorf("case %d: errors %q lack %q", i, got, w)
			}
		}
		if len(errs) != len(c.want) {
			t.Errorf("case %d: %d errors %q, want %d", i, len(errs), got, len(c.want))
		}
	}
}

func TestGenerateRefusesSelfEncodingTypes(t *testing.T) {
	var g Generator
	if _, err := g.Generate(reflect.TypeFor[outer](), "id", "t"); err == nil || !strings.Contains(err.Error(), "encodes itself") {
		t.Errorf("err = %v, want a demand for an override", err)
	}
}
