package features

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/datasets"
)

// TestFromDescriptionRoundTrip: an encoder rebuilt from its description,
// after a trip through JSON, is the same value and encodes rows the same.
func TestFromDescriptionRoundTrip(t *testing.T) {
	nan := math.NaN()
	f := &datasets.Frame{
		Keys:        []string{"a", "b", "c", "d", "e"},
		Numeric:     []datasets.NumericColumn{{Name: "clicks", Values: []float64{1, nan, 3, 10, 2}}, {Name: "late", Values: []float64{0, 1, 2, 0, 1}}},
		Categorical: []datasets.CategoricalColumn{{Name: "region", Values: []string{"N", "S", "", "N", "E"}}},
	}
	for _, spec := range []Spec{
		{Numeric: []string{"clicks", "late"}, Categorical: []string{"region"}},
		{Numeric: []string{"clicks", "late"}, Categorical: []string{"region"}, Impute: ImputeMean},
		{Numeric: []string{"clicks"}, Categorical: []string{"region"}, Missing: MissingDrop},
	} {
		enc, err := Fit(f, []int{0, 1, 2, 3}, spec)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(enc.Describe())
		if err != nil {
			t.Fatal(err)
		}
		var d Description
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		back, err := FromDescription(d)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, enc) {
			t.Errorf("spec %+v: rebuilt encoder %+v, want %+v", spec, back, enc)
		}
		m1, k1, s1, _ := enc.Transform(f, []int{0, 1, 2, 3, 4})
		m2, k2, s2, _ := back.Transform(f, []int{0, 1, 2, 3, 4})
		if !reflect.DeepEqual(m1, m2) || !reflect.DeepEqual(k1, k2) || !reflect.DeepEqual(s1, s2) {
			t.Errorf("spec %+v: the rebuilt encoder encodes differently", spec)
		}
	}
}

func TestFromDescriptionErrors(t *testing.T) {
	fill := 2.0
	good := Description{Missing: MissingImpute, Impute: ImputeMedian, Columns: []string{"x", "g=a", "g=b"},
		Numeric:     []NumericDescription{{Name: "x", Fill: &fill}},
		Categorical: []CategoricalDescription{{Name: "g", Levels: []string{"a", "b"}, Counts: []int{1, 2}}}}
	if _, err := FromDescription(good); err != nil {
		t.Fatalf("good description: %v", err)
	}
	cases := []struct {
		name string
		edit func(d *Description)
		want string
	}{
		{"no fill", func(d *Description) { d.Numeric = []NumericDescription{{Name: "x"}} }, `"x" has no finite fill`},
		{"policy", func(d *Description) { d.Missing = "guess" }, "unknown missing-value policy"},
		{"counts", func(d *Description) { d.Categorical[0].Counts = []int{1} }, "2 levels and 1 counts"},
		{"unsorted", func(d *Description) { d.Categorical[0].Levels = []string{"b", "a"} }, "not sorted"},
		{"columns", func(d *Description) { d.Columns = []string{"x", "g=a"} }, "lay out as columns"},
		{"indicator", func(d *Description) { d.Numeric[0].Indicator = "x_missing" }, `indicator "x_missing"`},
	}
	for _, tc := range cases {
		d := good
		d.Numeric = append([]NumericDescription(nil), good.Numeric...)
		d.Categorical = []CategoricalDescription{{Name: "g", Levels: []string{"a", "b"}, Counts: []int{1, 2}}}
		tc.edit(&d)
		if _, err := FromDescription(d); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
	}
}
