package datasets

import "math"

// Frame is a student-level table as of one prediction point: one row per
// student (per presentation for OULAD). Columns are typed slices of equal
// length Len().
type Frame struct {
	// Dataset is the spec name of the dataset the frame came from.
	Dataset string
	// Cutoff is the prediction day: nothing dated after it reached a feature.
	// NoCutoff marks datasets (plain CSV tables) that have no time axis.
	Cutoff int

	// Keys identify rows uniquely within the frame (for OULAD
	// "module/presentation/student").
	Keys []string
	// Students are the student identifiers (personal data: reports show
	// pseudonyms of these).
	Students []string
	// Terms are the term / presentation of each row, used by temporal splits.
	Terms []string
	// Courses are the course or module of each row ("" when unknown).
	Courses []string
	// Labels are 1 for the at-risk outcome and 0 otherwise.
	Labels []uint8

	// Numeric holds numeric columns; NaN is a missing value.
	Numeric []NumericColumn
	// Categorical holds string columns; "" is a missing value. They serve as
	// features (one-hot encoded from training rows) and as group attributes.
	Categorical []CategoricalColumn

	// Trails holds, per row, the student's assessments as of the cutoff
	// (OULAD: every assessment due by the cutoff or submitted by it), for
	// advisors' drill-downs; nil when the loader has none.
	Trails [][]AssessmentRecord

	Report LoadReport
}

// AssessmentRecord is one assessment of a student as of a cutoff.
type AssessmentRecord struct {
	ID     string  `json:"id"`
	Type   string  `json:"type"` // TMA, CMA, Exam for OULAD
	Due    int     `json:"due"`  // due day
	Weight float64 `json:"weight"`
	// Submitted is the submission day, nil when not submitted by the
	// cutoff; Score is nil when not scored (or not submitted).
	Submitted *int     `json:"submitted"`
	Score     *float64 `json:"score"`
	Banked    bool     `json:"banked,omitempty"`
}

// NoCutoff is Frame.Cutoff for datasets without prediction points.
const NoCutoff = math.MinInt32

// NumericColumn is a named float64 column; NaN marks a missing value.
type NumericColumn struct {
	Name   string
	Values []float64
}

// CategoricalColumn is a named string column; "" marks a missing value.
type CategoricalColumn struct {
	Name   string
	Values []string
}

// LoadReport records what a loader read and everything it excluded or
// cleaned, so reports can show it.
type LoadReport struct {
	Files    []FileInfo      `json:"files"`
	Cleaning []CleaningCount `json:"cleaning"`
	Notes    []string        `json:"notes,omitempty"`
}

// FileInfo identifies one input file for the run manifest.
type FileInfo struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Rows   int    `json:"rows"`
}

// CleaningCount is the number of rows (or values) one cleaning rule changed
// or excluded.
type CleaningCount struct {
	Rule   string `json:"rule"`
	Count  int    `json:"count"`
	Detail string `json:"detail,omitempty"`
}

// Len returns the number of rows.
func (f *Frame) Len() int { return len(f.Keys) }

// NumericByName returns the numeric column with the given name.
func (f *Frame) NumericByName(name string) (*NumericColumn, bool) {
	for i := range f.Numeric {
		if f.Numeric[i].Name == name {
			return &f.Numeric[i], true
		}
	}
	return nil, false
}

// CategoricalByName returns the categorical column with the given name.
func (f *Frame) CategoricalByName(name string) (*CategoricalColumn, bool) {
	for i := range f.Categorical {
		if f.Categorical[i].Name == name {
			return &f.Categorical[i], true
		}
	}
	return nil, false
}

// ColumnNames lists every feature-capable column, numeric first, in frame order.
func (f *Frame) ColumnNames() []string {
	names := make([]string, 0, len(f.Numeric)+len(f.Categorical))
	for _, c := range f.Numeric {
		names = append(names, c.Name)
	}
	for _, c := range f.Categorical {
		names = append(names, c.Name)
	}
	return names
}
