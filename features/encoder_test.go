package features

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/datasets"
)

// testFrame has six rows; tests train on rows 0-3 and test on rows 4-5.
//
//	row  x    y    g    h
//	r0   1    2    b    p
//	r1   NaN  3    a    q
//	r2   4    5    ""   p
//	r3   10   8    b    q
//	r4   NaN  NaN  c    ""
//	r5   7    1    ""   r
func testFrame() *datasets.Frame {
	nan := math.NaN()
	return &datasets.Frame{
		Dataset:  "test",
		Cutoff:   datasets.NoCutoff,
		Keys:     []string{"T/r0", "T/r1", "T/r2", "T/r3", "U/r4", "U/r5"},
		Students: []string{"r0", "r1", "r2", "r3", "r4", "r5"},
		Terms:    []string{"T", "T", "T", "T", "U", "U"},
		Courses:  []string{"", "", "", "", "", ""},
		Labels:   []uint8{0, 1, 0, 1, 0, 1},
		Numeric: []datasets.NumericColumn{
			{Name: "x", Values: []float64{1, nan, 4, 10, nan, 7}},
			{Name: "y", Values: []float64{2, 3, 5, 8, nan, 1}},
		},
		Categorical: []datasets.CategoricalColumn{
			{Name: "g", Values: []string{"b", "a", "", "b", "c", ""}},
			{Name: "h", Values: []string{"p", "q", "p", "q", "", "r"}},
		},
	}
}

var (
	testTrain = []int{0, 1, 2, 3}
	testTest  = []int{4, 5}
	testSpec  = Spec{Numeric: []string{"x", "y"}, Categorical: []string{"g", "h"}}
)

func fptr(v float64) *float64 { return &v }

// TestEncoder checks fitted values, matrices and counts. Expected values
// are worked out by hand from testFrame: training x = {1, 4, 10} (r1
// missing), median 4, mean 5; training y = {2, 3, 5, 8}, median
// (3+5)/2 = 4, mean 4.5; training levels g = {"", a, b}, h = {p, q}; by
// the definitions of scikit-learn's SimpleImputer(add_indicator=True) and
// OneHotEncoder(handle_unknown="ignore") (not run here: worked by hand).
func TestEncoder(t *testing.T) {
	cases := []struct {
		name      string
		spec      Spec
		desc      Description
		train     [][]float64
		trainKept []int
		trainStat TransformStats
		test      [][]float64
		testKept  []int
		testStat  TransformStats
	}{
		{
			name: "impute median",
			spec: testSpec,
			desc: Description{
				Missing: MissingImpute, Impute: ImputeMedian,
				Columns: []string{"x", "y", "x_missing", "g=(missing)", "g=a", "g=b", "h=p", "h=q"},
				FitRows: 4,
				Numeric: []NumericDescription{
					{Name: "x", Fill: fptr(4), TrainMissing: 1, Indicator: "x_missing"},
					{Name: "y", Fill: fptr(4)},
				},
				Categorical: []CategoricalDescription{
					{Name: "g", Levels: []string{"", "a", "b"}, Counts: []int{1, 1, 2}},
					{Name: "h", Levels: []string{"p", "q"}, Counts: []int{2, 2}},
				},
			},
			train: [][]float64{
				{1, 2, 0, 0, 0, 1, 1, 0},
				{4, 3, 1, 0, 1, 0, 0, 1},
				{4, 5, 0, 1, 0, 0, 1, 0},
				{10, 8, 0, 0, 0, 1, 0, 1},
			},
			trainKept: testTrain,
			trainStat: TransformStats{RowsIn: 4, RowsOut: 4, Imputed: map[string]int{"x": 1}},
			test: [][]float64{
				{4, 4, 1, 0, 0, 0, 0, 0}, // g=c and h="" unseen
				{7, 1, 0, 1, 0, 0, 0, 0}, // h=r unseen
			},
			testKept: testTest,
			testStat: TransformStats{RowsIn: 2, RowsOut: 2,
				Imputed:                 map[string]int{"x": 1, "y": 1},
				ImputedWithoutIndicator: map[string]int{"y": 1},
				UnseenLevels:            map[string]int{"g": 1, "h": 2}},
		},
		{
			name: "impute mean",
			spec: Spec{Numeric: []string{"y", "x"}, Impute: ImputeMean},
			desc: Description{
				Missing: MissingImpute, Impute: ImputeMean,
				Columns: []string{"y", "x", "x_missing"},
				FitRows: 4,
				Numeric: []NumericDescription{
					{Name: "y", Fill: fptr(4.5)},
					{Name: "x", Fill: fptr(5), TrainMissing: 1, Indicator: "x_missing"},
				},
				Categorical: []CategoricalDescription{},
			},
			train:     [][]float64{{2, 1, 0}, {3, 5, 1}, {5, 4, 0}, {8, 10, 0}},
			trainKept: testTrain,
			trainStat: TransformStats{RowsIn: 4, RowsOut: 4, Imputed: map[string]int{"x": 1}},
			test:      [][]float64{{4.5, 5, 1}, {1, 7, 0}},
			testKept:  testTest,
			testStat: TransformStats{RowsIn: 2, RowsOut: 2,
				Imputed: map[string]int{"x": 1, "y": 1}, ImputedWithoutIndicator: map[string]int{"y": 1}},
		},
		{
			// r1 (x missing) and r2 (g missing) leave fitting; r4 and r5
			// both miss something.
			name: "drop",
			spec: Spec{Numeric: []string{"x", "y"}, Categorical: []string{"g", "h"}, Missing: MissingDrop, Impute: ImputeMean},
			desc: Description{
				Missing: MissingDrop,
				Columns: []string{"x", "y", "g=b", "h=p", "h=q"},
				FitRows: 2, FitDroppedRows: 2,
				Numeric: []NumericDescription{{Name: "x", TrainMissing: 1}, {Name: "y"}},
				Categorical: []CategoricalDescription{
					{Name: "g", Levels: []string{"b"}, Counts: []int{2}},
					{Name: "h", Levels: []string{"p", "q"}, Counts: []int{1, 1}},
				},
			},
			train:     [][]float64{{1, 2, 1, 1, 0}, {10, 8, 1, 0, 1}},
			trainKept: []int{0, 3},
			trainStat: TransformStats{RowsIn: 4, RowsOut: 2, DroppedRows: 2, DroppedMissing: map[string]int{"x": 1, "g": 1}},
			test:      [][]float64{},
			testKept:  []int{},
			testStat: TransformStats{RowsIn: 2, RowsOut: 0, DroppedRows: 2,
				DroppedMissing: map[string]int{"x": 1, "y": 1, "g": 1, "h": 1}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := testFrame()
			enc, err := Fit(f, testTrain, c.spec)
			if err != nil {
				t.Fatal(err)
			}
			if got := enc.Describe(); !reflect.DeepEqual(got, c.desc) {
				t.Errorf("Describe\n got %s\nwant %s", mustJSON(t, got), mustJSON(t, c.desc))
			}
			for _, set := range []struct {
				name  string
				idx   []int
				want  [][]float64
				kept  []int
				stats TransformStats
			}{{"train", testTrain, c.train, c.trainKept, c.trainStat}, {"test", testTest, c.test, c.testKept, c.testStat}} {
				m, kept, stats, err := enc.Transform(f, set.idx)
				if err != nil {
					t.Fatalf("%s: %v", set.name, err)
				}
				if !slices.Equal(m.Names, c.desc.Columns) || m.Cols != len(c.desc.Columns) {
					t.Errorf("%s: columns %q (%d), want %q", set.name, m.Names, m.Cols, c.desc.Columns)
				}
				if !slices.Equal(kept, set.kept) {
					t.Errorf("%s: kept %v, want %v", set.name, kept, set.kept)
				}
				if !reflect.DeepEqual(stats, set.stats) {
					t.Errorf("%s: stats %+v, want %+v", set.name, stats, set.stats)
				}
				if m.Rows != len(set.want) || len(m.Data) != m.Rows*m.Cols {
					t.Fatalf("%s: %d rows (%d values), want %d rows", set.name, m.Rows, len(m.Data), len(set.want))
				}
				for r, want := range set.want {
					// Exact: every value is a copied input, a fill that is an
					// exact binary fraction, or 0/1.
					if got := m.Row(r); !slices.Equal(got, want) {
						t.Errorf("%s row %d: %v, want %v", set.name, r, got, want)
					}
				}
			}
		})
	}
}

// TestFitIgnoresNonTrainingRows changes every non-training row (values,
// NaN, new levels, missing levels) and permutes and repeats the training
// indexes; the fitted encoder must not change.
func TestFitIgnoresNonTrainingRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 11))
	const n = 200
	base := randomFrame(rng, n)
	train := make([]int, 0, n/2)
	for i := 0; i < n; i += 2 {
		train = append(train, i)
	}
	isTrain := func(i int) bool { return i%2 == 0 }
	for _, spec := range []Spec{
		{Numeric: []string{"a", "b"}, Categorical: []string{"c"}},
		{Numeric: []string{"a", "b"}, Categorical: []string{"c"}, Impute: ImputeMean},
		{Numeric: []string{"a", "b"}, Categorical: []string{"c"}, Missing: MissingDrop},
	} {
		want, err := Fit(base, train, spec)
		if err != nil {
			t.Fatal(err)
		}
		wantTrain, _, _, err := want.Transform(base, train)
		if err != nil {
			t.Fatal(err)
		}
		for trial := 0; trial < 20; trial++ {
			f := randomFrame(rng, n)
			for i := 0; i < n; i++ {
				if !isTrain(i) {
					continue
				}
				f.Numeric[0].Values[i] = base.Numeric[0].Values[i]
				f.Numeric[1].Values[i] = base.Numeric[1].Values[i]
				f.Categorical[0].Values[i] = base.Categorical[0].Values[i]
			}
			// Non-training rows get levels and missingness never seen in
			// training.
			f.Categorical[0].Values[1] = "never-in-training"
			f.Numeric[1].Values[3] = math.NaN()
			permuted := slices.Clone(train)
			rng.Shuffle(len(permuted), func(i, j int) { permuted[i], permuted[j] = permuted[j], permuted[i] })
			got, err := Fit(f, permuted, spec)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%+v trial %d: encoder changed\n got %s\nwant %s", spec, trial, mustJSON(t, got), mustJSON(t, want))
			}
			gotTrain, _, _, err := got.Transform(f, train)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotTrain, wantTrain) {
				t.Fatalf("%+v trial %d: training matrix changed", spec, trial)
			}
		}
	}
}

// randomFrame has numeric a (never missing), b (missing 20%) and
// categorical c (levels l0-l4, missing 10%).
func randomFrame(rng *rand.Rand, n int) *datasets.Frame {
	f := &datasets.Frame{Dataset: "random", Cutoff: datasets.NoCutoff,
		Numeric:     []datasets.NumericColumn{{Name: "a"}, {Name: "b"}},
		Categorical: []datasets.CategoricalColumn{{Name: "c"}}}
	for i := 0; i < n; i++ {
		f.Keys = append(f.Keys, "k"+strconv.Itoa(i))
		f.Labels = append(f.Labels, uint8(rng.IntN(2)))
		f.Numeric[0].Values = append(f.Numeric[0].Values, rng.NormFloat64())
		b := rng.Float64() * 100
		if rng.Float64() < 0.2 {
			b = math.NaN()
		}
		f.Numeric[1].Values = append(f.Numeric[1].Values, b)
		c := "l" + string(rune('0'+rng.IntN(5)))
		if rng.Float64() < 0.1 {
			c = ""
		}
		f.Categorical[0].Values = append(f.Categorical[0].Values, c)
	}
	return f
}

func TestFillValue(t *testing.T) {
	cases := []struct {
		values       []float64
		median, mean float64
	}{
		// numpy.median / numpy.mean by hand.
		{[]float64{3}, 3, 3},
		{[]float64{5, 1, 3}, 3, 3},
		{[]float64{4, 1, 3, 2}, 2.5, 2.5},
		{[]float64{-1, 100, 0, 0}, 0, 24.75},
		{[]float64{1, 1, 1, 10}, 1, 3.25},
	}
	for i, c := range cases {
		if got := fillValue(slices.Clone(c.values), ImputeMedian); got != c.median {
			t.Errorf("case %d: median %v, want %v", i, got, c.median)
		}
		if got := fillValue(slices.Clone(c.values), ImputeMean); math.Abs(got-c.mean) > 1e-12 {
			t.Errorf("case %d: mean %v, want %v (tol 1e-12)", i, got, c.mean)
		}
	}
}

func TestFitErrors(t *testing.T) {
	cases := []struct {
		name   string
		modify func(f *datasets.Frame)
		train  []int
		spec   Spec
		want   string
	}{
		{name: "bad spec", spec: Spec{Numeric: []string{"x", "", "x"}, Categorical: []string{"x"}, Missing: "zero", Impute: "mode"},
			want: `unknown missing-value policy "zero" (want "impute" or "drop"); unknown imputation "mode" (want "median" or "mean"); ` +
				`empty numeric feature name; feature "x" listed as numeric and again as numeric; feature "x" listed as numeric and again as categorical`},
		{name: "absent and mistyped columns", spec: Spec{Numeric: []string{"x", "nope", "g"}, Categorical: []string{"y", "gone"}},
			want: `no numeric column "nope" in dataset "test"; feature "g" is categorical in dataset "test", not numeric; ` +
				`feature "y" is numeric in dataset "test", not categorical; no categorical column "gone" in dataset "test"`},
		{name: "no training rows", train: []int{}, spec: testSpec, want: "no training rows"},
		{name: "index out of range", train: []int{0, 6}, spec: testSpec, want: "training rows: row index 6 out of range [0, 6)"},
		{name: "negative index", train: []int{-1}, spec: testSpec, want: "training rows: row index -1 out of range [0, 6)"},
		{name: "all training values missing", train: []int{1, 4}, spec: Spec{Numeric: []string{"y", "x"}},
			want: `numeric feature "x": missing in every one of the 2 training rows, nothing to impute from`},
		{name: "drop leaves nothing", train: []int{1, 2, 4}, spec: Spec{Numeric: []string{"x"}, Categorical: []string{"g"}, Missing: MissingDrop},
			want: `missing = "drop": every one of the 3 training rows misses a value in some selected feature`},
		{name: "infinite value", modify: func(f *datasets.Frame) { f.Numeric[1].Values[2] = math.Inf(-1) }, spec: testSpec,
			want: `numeric feature "y": infinite value -Inf in row "T/r2"`},
		{name: "column length mismatch", modify: func(f *datasets.Frame) { f.Numeric[0].Values = f.Numeric[0].Values[:3] }, spec: testSpec,
			want: `numeric column "x" has 3 values for 6 rows`},
		{name: "indicator clashes with a feature", modify: func(f *datasets.Frame) {
			f.Numeric = append(f.Numeric, datasets.NumericColumn{Name: "x_missing", Values: make([]float64, 6)})
		}, spec: Spec{Numeric: []string{"x", "x_missing"}},
			want: `duplicate column names: column "x_missing" comes from both numeric feature "x_missing" and the missing indicator of "x"`},
		{name: "literal (missing) level clashes with missing", modify: func(f *datasets.Frame) { f.Categorical[0].Values[0] = "(missing)" },
			spec: Spec{Categorical: []string{"g"}},
			want: `duplicate column names: column "g=(missing)" comes from both level "" of categorical feature "g" and level "(missing)" of categorical feature "g"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := testFrame()
			if c.modify != nil {
				c.modify(f)
			}
			train := c.train
			if train == nil {
				train = testTrain
			}
			enc, err := Fit(f, train, c.spec)
			if err == nil {
				t.Fatalf("no error (encoder %s), want %q", mustJSON(t, enc), c.want)
			}
			if err.Error() != c.want {
				t.Errorf("error\n got: %s\nwant: %s", err, c.want)
			}
		})
	}
}

func TestTransformErrors(t *testing.T) {
	enc, err := Fit(testFrame(), testTrain, testSpec)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		modify func(f *datasets.Frame)
		idx    []int
		want   string
	}{
		{name: "index out of range", idx: []int{7}, want: "row index 7 out of range [0, 6)"},
		{name: "frame lacks a column", modify: func(f *datasets.Frame) { f.Categorical = f.Categorical[:1] }, idx: testTest,
			want: `no categorical column "h" in dataset "test"`},
		{name: "column changed type", modify: func(f *datasets.Frame) {
			f.Categorical = append(f.Categorical, datasets.CategoricalColumn{Name: "y", Values: make([]string, 6)})
			f.Numeric = f.Numeric[:1]
		}, idx: testTest, want: `feature "y" is categorical in dataset "test", not numeric`},
		{name: "infinite test value", modify: func(f *datasets.Frame) { f.Numeric[0].Values[5] = math.Inf(1) }, idx: testTest,
			want: `numeric feature "x": infinite value +Inf in row "U/r5"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := testFrame()
			if c.modify != nil {
				c.modify(f)
			}
			_, _, _, err := enc.Transform(f, c.idx)
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			if err.Error() != c.want {
				t.Errorf("error\n got: %s\nwant: %s", err, c.want)
			}
		})
	}
}

// TestEncoderJSON pins the results.json form of an encoder and its stats.
func TestEncoderJSON(t *testing.T) {
	f := testFrame()
	enc, err := Fit(f, testTrain, Spec{Numeric: []string{"x"}, Categorical: []string{"g"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"missing":"impute","impute":"median","columns":["x","x_missing","g=(missing)","g=a","g=b"],` +
		`"fit_rows":4,"fit_dropped_rows":0,"numeric":[{"name":"x","fill":4,"train_missing":1,"indicator":"x_missing"}],` +
		`"categorical":[{"name":"g","levels":["","a","b"],"counts":[1,1,2]}]}`
	if got := mustJSON(t, enc); got != want {
		t.Errorf("encoder JSON\n got %s\nwant %s", got, want)
	}
	_, _, stats, err := enc.Transform(f, testTest)
	if err != nil {
		t.Fatal(err)
	}
	wantStats := `{"rows_in":2,"rows_out":2,"dropped_rows":0,"imputed":{"x":1},"unseen_levels":{"g":1}}`
	if got := mustJSON(t, stats); got != wantStats {
		t.Errorf("stats JSON\n got %s\nwant %s", got, wantStats)
	}
	empty, err := Fit(f, testTrain, Spec{})
	if err != nil {
		t.Fatal(err)
	}
	if got := mustJSON(t, empty); !strings.Contains(got, `"columns":[]`) || !strings.Contains(got, `"numeric":[]`) {
		t.Errorf("encoder without features encodes as %s, want empty lists, not null", got)
	}
	m, kept, _, err := empty.Transform(f, testTest)
	if err != nil {
		t.Fatal(err)
	}
	if m.Rows != 2 || m.Cols != 0 || !slices.Equal(kept, testTest) {
		t.Errorf("encoder without features: %dx%d matrix, kept %v; want 2x0, kept %v", m.Rows, m.Cols, kept, testTest)
	}
}

// TestDescribeIsACopy checks that changing a Description or a matrix's
// names cannot change the encoder.
func TestDescribeIsACopy(t *testing.T) {
	f := testFrame()
	enc, err := Fit(f, testTrain, testSpec)
	if err != nil {
		t.Fatal(err)
	}
	d := enc.Describe()
	d.Columns[0] = "changed"
	d.Categorical[0].Levels[0] = "changed"
	*d.Numeric[0].Fill = -1
	m, _, _, err := enc.Transform(f, testTest)
	if err != nil {
		t.Fatal(err)
	}
	m.Names[1] = "changed"
	again := enc.Describe()
	if again.Columns[0] != "x" || again.Columns[1] != "y" || again.Categorical[0].Levels[0] != "" || *again.Numeric[0].Fill != 4 {
		t.Errorf("encoder changed through its description or matrix: %s", mustJSON(t, again))
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
