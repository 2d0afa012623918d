package features

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/models"
)

// MissingPolicy says what happens to missing feature values.
type MissingPolicy string

const (
	// MissingImpute (the default) replaces a missing numeric value with the
	// training median or mean and adds a missing-indicator column for each
	// numeric feature missing in some training row; a missing categorical
	// value is its own level.
	MissingImpute MissingPolicy = "impute"
	// MissingDrop excludes every row (training and test) that misses a value
	// in any selected feature.
	MissingDrop MissingPolicy = "drop"
)

// Imputation statistics for Spec.Impute.
const (
	ImputeMedian = "median"
	ImputeMean   = "mean"
)

// MissingLevel is the level name of a missing ("") categorical value in
// column names: "<feature>=(missing)".
const MissingLevel = "(missing)"

// Spec selects and configures the features to encode.
type Spec struct {
	// Numeric and Categorical name frame columns of those types. A name may
	// appear once across both lists. Both may be empty (an encoder with no
	// columns, for models that use no features).
	Numeric, Categorical []string
	// Missing is MissingImpute (default when "") or MissingDrop.
	Missing MissingPolicy
	// Impute is ImputeMedian (default when "") or ImputeMean; it applies
	// under MissingImpute only.
	Impute string
}

// Encoder is the fitted encoding. Its zero value is not usable; build one
// with Fit. An Encoder is immutable and safe for concurrent Transform calls.
type Encoder struct {
	policy      MissingPolicy
	impute      string
	numeric     []numericFeature
	categorical []categoricalFeature
	names       []string
	fitRows     int
	fitDropped  int
}

type numericFeature struct {
	name string
	// fill replaces NaN under MissingImpute.
	fill float64
	// trainMissing counts NaN among the training rows given to Fit.
	trainMissing int
	// indicator is the column of the missing indicator, or -1.
	indicator int
}

type categoricalFeature struct {
	name   string
	levels []string // sorted; "" (missing) sorts first
	counts []int    // fitting rows per level
	index  map[string]int
	// offset is the column of levels[0].
	offset int
}

// Fit learns an Encoder from rows train of f. Only those rows are read:
// the rest of f cannot influence the result. train may repeat an index
// (a bootstrap sample); a repeated row counts each time. Its order does not
// matter: fills and levels are the same for any permutation of train.
//
// Numeric features: under MissingImpute the fill is the median (the mean of
// the two middle values for an even count, as numpy.median) or the mean of
// the non-missing training values, and a missing indicator
// "<name>_missing" is added for each feature that has a NaN in some
// training row. A numeric feature missing in every training row is an
// error, as is an infinite value. Under MissingDrop, training rows missing
// any selected feature (numeric NaN or categorical "") are left out of
// fitting, and no fills or indicators are learned.
//
// Categorical features: one column "<name>=<level>" per level seen in the
// fitting rows, levels sorted by byte order; a missing value ("") seen in
// training is the level "<name>=(missing)". No reference level is dropped.
//
// Columns are ordered: numeric features in spec order, then their
// indicators in the same order, then the one-hot columns of each
// categorical feature in spec order. Two columns with the same name are an
// error. Errors: an invalid spec (all problems at once), a selected column
// the frame lacks, an empty or out-of-range train, no row left to fit.
func Fit(f *datasets.Frame, train []int, spec Spec) (*Encoder, error) {
	policy, impute, err := spec.normalize()
	if err != nil {
		return nil, err
	}
	numCols, catCols, err := resolveColumns(f, spec)
	if err != nil {
		return nil, err
	}
	if len(train) == 0 {
		return nil, errors.New("no training rows")
	}
	if err := checkIndexes(f, train); err != nil {
		return nil, fmt.Errorf("training rows: %w", err)
	}
	for j, col := range numCols {
		for _, i := range train {
			if math.IsInf(col[i], 0) {
				return nil, fmt.Errorf("numeric feature %q: infinite value %v in row %q", spec.Numeric[j], col[i], f.Keys[i])
			}
		}
	}

	fitting := train
	if policy == MissingDrop {
		fitting = make([]int, 0, len(train))
		for _, i := range train {
			if !rowMissing(numCols, catCols, i) {
				fitting = append(fitting, i)
			}
		}
		if len(fitting) == 0 {
			return nil, fmt.Errorf("missing = %q: every one of the %d training rows misses a value in some selected feature", MissingDrop, len(train))
		}
	}

	e := &Encoder{policy: policy, impute: impute, fitRows: len(fitting), fitDropped: len(train) - len(fitting)}
	e.numeric = make([]numericFeature, len(numCols))
	values := make([]float64, 0, len(fitting))
	for j, col := range numCols {
		nf := numericFeature{name: spec.Numeric[j], indicator: -1}
		for _, i := range train {
			if math.IsNaN(col[i]) {
				nf.trainMissing++
			}
		}
		if policy == MissingImpute {
			values = values[:0]
			for _, i := range fitting {
				if v := col[i]; !math.IsNaN(v) {
					values = append(values, v)
				}
			}
			if len(values) == 0 {
				return nil, fmt.Errorf("numeric feature %q: missing in every one of the %d training rows, nothing to impute from", nf.name, len(fitting))
			}
			nf.fill = fillValue(values, impute)
			if math.IsInf(nf.fill, 0) {
				return nil, fmt.Errorf("numeric feature %q: training %s overflows float64", nf.name, impute)
			}
		}
		e.numeric[j] = nf
	}
	e.categorical = make([]categoricalFeature, len(catCols))
	for j, col := range catCols {
		counts := map[string]int{}
		for _, i := range fitting {
			counts[col[i]]++
		}
		cf := categoricalFeature{name: spec.Categorical[j], index: make(map[string]int, len(counts))}
		for level := range counts {
			cf.levels = append(cf.levels, level)
		}
		slices.Sort(cf.levels)
		cf.counts = make([]int, len(cf.levels))
		for k, level := range cf.levels {
			cf.counts[k] = counts[level]
			cf.index[level] = k
		}
		e.categorical[j] = cf
	}
	if err := e.layOut(); err != nil {
		return nil, err
	}
	return e, nil
}

// layOut assigns column positions and names, rejecting duplicate names.
func (e *Encoder) layOut() error {
	var names []string
	var origins []string
	add := func(name, what string) {
		names = append(names, name)
		origins = append(origins, what)
	}
	for _, nf := range e.numeric {
		add(nf.name, fmt.Sprintf("numeric feature %q", nf.name))
	}
	for j := range e.numeric {
		nf := &e.numeric[j]
		if nf.trainMissing > 0 && e.policy == MissingImpute {
			nf.indicator = len(names)
			add(nf.name+"_missing", fmt.Sprintf("the missing indicator of %q", nf.name))
		}
	}
	for j := range e.categorical {
		cf := &e.categorical[j]
		cf.offset = len(names)
		for _, level := range cf.levels {
			add(cf.name+"="+levelName(level), fmt.Sprintf("level %q of categorical feature %q", level, cf.name))
		}
	}
	first := make(map[string]int, len(names))
	var clashes []string
	for k, n := range names {
		if p, dup := first[n]; dup {
			clashes = append(clashes, fmt.Sprintf("column %q comes from both %s and %s", n, origins[p], origins[k]))
			continue
		}
		first[n] = k
	}
	if len(clashes) > 0 {
		return errors.New("duplicate column names: " + strings.Join(clashes, "; "))
	}
	e.names = names
	return nil
}

func levelName(level string) string {
	if level == "" {
		return MissingLevel
	}
	return level
}

// fillValue returns the median or mean of values (non-empty, no NaN). It
// sorts values in place so that the result does not depend on row order.
func fillValue(values []float64, impute string) float64 {
	slices.Sort(values)
	n := len(values)
	if impute == ImputeMean {
		sum := 0.0
		for _, v := range values {
			sum += v
		}
		return sum / float64(n)
	}
	if n%2 == 1 {
		return values[n/2]
	}
	return (values[n/2-1] + values[n/2]) / 2
}

func (s Spec) normalize() (MissingPolicy, string, error) {
	var problems []string
	policy := s.Missing
	switch policy {
	case "":
		policy = MissingImpute
	case MissingImpute, MissingDrop:
	default:
		problems = append(problems, fmt.Sprintf("unknown missing-value policy %q (want %q or %q)", s.Missing, MissingImpute, MissingDrop))
	}
	impute := s.Impute
	switch impute {
	case "":
		impute = ImputeMedian
	case ImputeMedian, ImputeMean:
	default:
		problems = append(problems, fmt.Sprintf("unknown imputation %q (want %q or %q)", s.Impute, ImputeMedian, ImputeMean))
	}
	seen := map[string]string{}
	for _, list := range []struct {
		kind  string
		names []string
	}{{"numeric", s.Numeric}, {"categorical", s.Categorical}} {
		for _, n := range list.names {
			if n == "" {
				problems = append(problems, fmt.Sprintf("empty %s feature name", list.kind))
				continue
			}
			if prev, dup := seen[n]; dup {
				problems = append(problems, fmt.Sprintf("feature %q listed as %s and again as %s", n, prev, list.kind))
				continue
			}
			seen[n] = list.kind
		}
	}
	if len(problems) > 0 {
		return "", "", errors.New(strings.Join(problems, "; "))
	}
	if policy == MissingDrop {
		impute = ""
	}
	return policy, impute, nil
}

// resolveColumns finds the spec's columns in f, reporting all that are
// absent or have the wrong type.
func resolveColumns(f *datasets.Frame, spec Spec) ([][]float64, [][]string, error) {
	var problems []string
	n := f.Len()
	numCols := make([][]float64, len(spec.Numeric))
	for j, name := range spec.Numeric {
		c, ok := f.NumericByName(name)
		switch {
		case ok && len(c.Values) != n:
			problems = append(problems, fmt.Sprintf("numeric column %q has %d values for %d rows", name, len(c.Values), n))
		case ok:
			numCols[j] = c.Values
		default:
			if _, isCat := f.CategoricalByName(name); isCat {
				problems = append(problems, fmt.Sprintf("feature %q is categorical in dataset %q, not numeric", name, f.Dataset))
			} else {
				problems = append(problems, fmt.Sprintf("no numeric column %q in dataset %q", name, f.Dataset))
			}
		}
	}
	catCols := make([][]string, len(spec.Categorical))
	for j, name := range spec.Categorical {
		c, ok := f.CategoricalByName(name)
		switch {
		case ok && len(c.Values) != n:
			problems = append(problems, fmt.Sprintf("categorical column %q has %d values for %d rows", name, len(c.Values), n))
		case ok:
			catCols[j] = c.Values
		default:
			if _, isNum := f.NumericByName(name); isNum {
				problems = append(problems, fmt.Sprintf("feature %q is numeric in dataset %q, not categorical", name, f.Dataset))
			} else {
				problems = append(problems, fmt.Sprintf("no categorical column %q in dataset %q", name, f.Dataset))
			}
		}
	}
	if len(problems) > 0 {
		return nil, nil, errors.New(strings.Join(problems, "; "))
	}
	return numCols, catCols, nil
}

func checkIndexes(f *datasets.Frame, idx []int) error {
	n := f.Len()
	for _, i := range idx {
		if i < 0 || i >= n {
			return fmt.Errorf("row index %d out of range [0, %d)", i, n)
		}
	}
	return nil
}

func rowMissing(numCols [][]float64, catCols [][]string, i int) bool {
	for _, col := range numCols {
		if math.IsNaN(col[i]) {
			return true
		}
	}
	for _, col := range catCols {
		if col[i] == "" {
			return true
		}
	}
	return false
}

// TransformStats counts what Transform did to a set of rows, for the run
// report. Maps are keyed by feature name and hold only non-zero counts.
type TransformStats struct {
	// RowsIn is len(idx); RowsOut the rows encoded; DroppedRows the rows
	// excluded under MissingDrop (RowsIn = RowsOut + DroppedRows).
	RowsIn      int `json:"rows_in"`
	RowsOut     int `json:"rows_out"`
	DroppedRows int `json:"dropped_rows"`
	// DroppedMissing counts, per feature, the dropped rows missing that
	// feature (a row missing several features counts once for each).
	DroppedMissing map[string]int `json:"dropped_missing,omitempty"`
	// Imputed counts the missing numeric values replaced by the fill.
	Imputed map[string]int `json:"imputed,omitempty"`
	// ImputedWithoutIndicator counts the imputed values of features that
	// had no missing value in training and so have no indicator column:
	// the model never saw these values missing.
	ImputedWithoutIndicator map[string]int `json:"imputed_without_indicator,omitempty"`
	// UnseenLevels counts categorical values (including a missing value)
	// absent from the training rows, encoded as all zeros.
	UnseenLevels map[string]int `json:"unseen_levels,omitempty"`
}

func increment(m *map[string]int, key string) {
	if *m == nil {
		*m = map[string]int{}
	}
	(*m)[key]++
}

// Transform encodes rows idx of f (which must hold the encoder's columns
// with the same types; usually the frame given to Fit). It returns the
// matrix of the rows kept, kept (the elements of idx that were encoded, in
// idx order, so row r of m is row kept[r] of f), and counts of what it
// did. Under MissingImpute every row is kept; under MissingDrop rows
// missing any selected feature are excluded. An empty idx, or every row
// dropped, gives a matrix with zero rows, not an error.
//
// A missing numeric value becomes the training fill (its indicator, if
// any, is 1). A categorical value not among the training levels, including
// a missing value when training had none, encodes as all zeros in that
// feature's one-hot columns. Errors: a column f lacks or of the wrong type,
// an index out of range, an infinite numeric value.
func (e *Encoder) Transform(f *datasets.Frame, idx []int) (m *models.Matrix, kept []int, stats TransformStats, err error) {
	spec := Spec{Numeric: make([]string, len(e.numeric)), Categorical: make([]string, len(e.categorical))}
	for j, nf := range e.numeric {
		spec.Numeric[j] = nf.name
	}
	for j, cf := range e.categorical {
		spec.Categorical[j] = cf.name
	}
	numCols, catCols, err := resolveColumns(f, spec)
	if err != nil {
		return nil, nil, stats, err
	}
	if err := checkIndexes(f, idx); err != nil {
		return nil, nil, stats, err
	}
	stats.RowsIn = len(idx)
	kept = make([]int, 0, len(idx))
	for _, i := range idx {
		for j, col := range numCols {
			if math.IsInf(col[i], 0) {
				return nil, nil, TransformStats{}, fmt.Errorf("numeric feature %q: infinite value %v in row %q", e.numeric[j].name, col[i], f.Keys[i])
			}
		}
		if e.policy == MissingDrop && rowMissing(numCols, catCols, i) {
			stats.DroppedRows++
			for j, col := range numCols {
				if math.IsNaN(col[i]) {
					increment(&stats.DroppedMissing, e.numeric[j].name)
				}
			}
			for j, col := range catCols {
				if col[i] == "" {
					increment(&stats.DroppedMissing, e.categorical[j].name)
				}
			}
			continue
		}
		kept = append(kept, i)
	}

	cols := len(e.names)
	m = &models.Matrix{Rows: len(kept), Cols: cols, Data: make([]float64, len(kept)*cols), Names: slices.Clone(e.names)}
	for r, i := range kept {
		row := m.Row(r)
		for j, col := range numCols {
			nf := &e.numeric[j]
			v := col[i]
			if math.IsNaN(v) {
				v = nf.fill
				increment(&stats.Imputed, nf.name)
				if nf.indicator >= 0 {
					row[nf.indicator] = 1
				} else {
					increment(&stats.ImputedWithoutIndicator, nf.name)
				}
			}
			row[j] = v
		}
		for j, col := range catCols {
			cf := &e.categorical[j]
			if k, ok := cf.index[col[i]]; ok {
				row[cf.offset+k] = 1
			} else {
				increment(&stats.UnseenLevels, cf.name)
			}
		}
	}
	stats.RowsOut = len(kept)
	return m, kept, stats, nil
}

// Columns returns the encoded column names in matrix order.
func (e *Encoder) Columns() []string { return slices.Clone(e.names) }

// Description is the fitted encoding as written to results.json.
type Description struct {
	Missing MissingPolicy `json:"missing"`
	// Impute is the imputation statistic (absent under MissingDrop).
	Impute string `json:"impute,omitempty"`
	// Columns are the matrix column names in order.
	Columns []string `json:"columns"`
	// FitRows are the training rows the values were learned from;
	// FitDroppedRows the training rows left out under MissingDrop.
	FitRows        int                      `json:"fit_rows"`
	FitDroppedRows int                      `json:"fit_dropped_rows"`
	Numeric        []NumericDescription     `json:"numeric"`
	Categorical    []CategoricalDescription `json:"categorical"`
}

// NumericDescription is one fitted numeric feature.
type NumericDescription struct {
	Name string `json:"name"`
	// Fill is the imputation value (nil under MissingDrop).
	Fill *float64 `json:"fill,omitempty"`
	// TrainMissing counts the training rows given to Fit that miss it.
	TrainMissing int `json:"train_missing"`
	// Indicator names the missing-indicator column ("" when none).
	Indicator string `json:"indicator,omitempty"`
}

// CategoricalDescription is one fitted categorical feature.
type CategoricalDescription struct {
	Name string `json:"name"`
	// Levels are the training levels in column order ("" is the missing
	// level, column "<name>=(missing)"); Counts the fitting rows of each.
	Levels []string `json:"levels"`
	Counts []int    `json:"counts"`
}

// Describe returns the fitted encoding: column names, fills, indicators
// and levels. The result shares no memory with the encoder.
func (e *Encoder) Describe() Description {
	d := Description{
		Missing:        e.policy,
		Impute:         e.impute,
		Columns:        slices.Clone(e.names),
		FitRows:        e.fitRows,
		FitDroppedRows: e.fitDropped,
		Numeric:        make([]NumericDescription, len(e.numeric)),
		Categorical:    make([]CategoricalDescription, len(e.categorical)),
	}
	if d.Columns == nil {
		d.Columns = []string{}
	}
	for j, nf := range e.numeric {
		nd := NumericDescription{Name: nf.name, TrainMissing: nf.trainMissing}
		if e.policy == MissingImpute {
			fill := nf.fill
			nd.Fill = &fill
		}
		if nf.indicator >= 0 {
			nd.Indicator = e.names[nf.indicator]
		}
		d.Numeric[j] = nd
	}
	for j, cf := range e.categorical {
		d.Categorical[j] = CategoricalDescription{Name: cf.name, Levels: slices.Clone(cf.levels), Counts: slices.Clone(cf.counts)}
	}
	return d
}

// MarshalJSON encodes the encoder as its Description.
func (e *Encoder) MarshalJSON() ([]byte, error) { return json.Marshal(e.Describe()) }

// FromDescription rebuilds the fitted encoder Describe returned, so that an
// encoder saved with a model (package bundle) encodes new rows exactly as
// the one fitted did. It returns an error for an unknown policy or
// imputation, a numeric feature without a fill under MissingImpute, levels
// and counts of different lengths or unsorted levels, and columns that do
// not match the ones the description lists.
func FromDescription(d Description) (*Encoder, error) {
	spec := Spec{Missing: d.Missing, Impute: d.Impute}
	for _, nd := range d.Numeric {
		spec.Numeric = append(spec.Numeric, nd.Name)
	}
	for _, cd := range d.Categorical {
		spec.Categorical = append(spec.Categorical, cd.Name)
	}
	policy, impute, err := spec.normalize()
	if err != nil {
		return nil, err
	}
	if policy == MissingImpute && d.Impute == "" {
		return nil, errors.New("encoder: impute missing under missing = \"impute\"")
	}
	e := &Encoder{policy: policy, impute: impute, fitRows: d.FitRows, fitDropped: d.FitDroppedRows}
	for _, nd := range d.Numeric {
		nf := numericFeature{name: nd.Name, trainMissing: nd.TrainMissing, indicator: -1}
		if policy == MissingImpute {
			if nd.Fill == nil || math.IsNaN(*nd.Fill) || math.IsInf(*nd.Fill, 0) {
				return nil, fmt.Errorf("encoder: numeric feature %q has no finite fill", nd.Name)
			}
			nf.fill = *nd.Fill
		}
		if nd.TrainMissing < 0 {
			return nil, fmt.Errorf("encoder: numeric feature %q: train_missing %d", nd.Name, nd.TrainMissing)
		}
		e.numeric = append(e.numeric, nf)
	}
	for _, cd := range d.Categorical {
		if len(cd.Levels) != len(cd.Counts) {
			return nil, fmt.Errorf("encoder: categorical feature %q has %d levels and %d counts", cd.Name, len(cd.Levels), len(cd.Counts))
		}
		if !slices.IsSorted(cd.Levels) || len(slices.Compact(slices.Clone(cd.Levels))) != len(cd.Levels) {
			return nil, fmt.Errorf("encoder: categorical feature %q: levels are not sorted and distinct", cd.Name)
		}
		cf := categoricalFeature{name: cd.Name, levels: slices.Clone(cd.Levels), counts: slices.Clone(cd.Counts), index: make(map[string]int, len(cd.Levels))}
		for k, level := range cf.levels {
			cf.index[level] = k
		}
		e.categorical = append(e.categorical, cf)
	}
	if err := e.layOut(); err != nil {
		return nil, fmt.Errorf("encoder: %w", err)
	}
	if !slices.Equal(e.names, d.Columns) {
		return nil, fmt.Errorf("encoder: the features lay out as columns %v, the description lists %v", e.names, d.Columns)
	}
	for j, nd := range d.Numeric {
		want := ""
		if e.numeric[j].indicator >= 0 {
			want = e.names[e.numeric[j].indicator]
		}
		if nd.Indicator != want {
			return nil, fmt.Errorf("encoder: numeric feature %q: indicator %q, want %q", nd.Name, nd.Indicator, want)
		}
	}
	return e, nil
}
