package results

import (
	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/explain"
)

// ScoringFormatVersion is the version of the scoring.json layout.
const ScoringFormatVersion = 1

// Scoring is what `evalrun score` found: scoring.json (the summary) and,
// outside JSON, the ranked students that risk_list.csv, alerts.csv and
// report.html show.
type Scoring struct {
	FormatVersion int                 `json:"format_version"`
	Bundle        ScoringBundle       `json:"bundle"`
	Dataset       string              `json:"dataset"`
	Inputs        []datasets.FileInfo `json:"inputs"`
	// Terms are the terms scored.
	Terms []string `json:"terms"`
	// Students are the students scored; NotScored those the missing-value
	// policy "drop" left out.
	Students  int         `json:"students"`
	NotScored int         `json:"not_scored"`
	Flagged   int         `json:"flagged"`
	Bands     []BandCount `json:"bands"`
	// Extrapolated counts the students whose score is an extrapolation:
	// with a value outside the training range or a category the training
	// data never showed. StudentsOutOfRange, StudentsUnseen and
	// StudentsMissing count the students with each kind of input (a
	// student may count in more than one); a missing input, filled in by
	// the bundle's encoder, is no extrapolation. The maps count the
	// students per feature.
	Extrapolated       int            `json:"extrapolated"`
	StudentsOutOfRange int            `json:"students_out_of_range"`
	StudentsUnseen     int            `json:"students_unseen_category"`
	StudentsMissing    int            `json:"students_missing_input"`
	OutOfRange         map[string]int `json:"out_of_range"`
	Unseen             map[string]int `json:"unseen_categories"`
	Missing            map[string]int `json:"missing_inputs"`
	// Previous compares with the previous scoring (score --previous).
	Previous *PreviousScoring `json:"previous,omitempty"`
	// Alerts counts the rows of alerts.csv.
	Alerts        int      `json:"alerts"`
	Pseudonymized bool     `json:"pseudonymized"`
	ScoredAt      string   `json:"scored_at"`
	Warnings      []string `json:"warnings,omitempty"`
	// List is the ranked students, highest risk first (not in JSON).
	List []ScoredStudent `json:"-"`
}

// ScoringBundle identifies the bundle that scored.
type ScoringBundle struct {
	Dir             string   `json:"dir"`
	Model           string   `json:"model"`
	Kind            string   `json:"kind"`
	Experiment      string   `json:"experiment"`
	ModelSHA256     string   `json:"model_sha256"`
	TrainedOn       []string `json:"trained_on"`
	CutoffDay       *int     `json:"cutoff_day"`
	ThresholdPolicy string   `json:"threshold_policy"`
	Threshold       float64  `json:"threshold"`
	Calibrated      bool     `json:"calibrated"`
}

// BandCount is the number of students in a risk band.
type BandCount struct {
	Band     string `json:"band"`
	Students int    `json:"students"`
}

// PreviousScoring is the comparison with last week's scoring.
type PreviousScoring struct {
	Dir string `json:"dir"`
	// Students were in the previous risk list; Matched are scored now too.
	Students int `json:"students"`
	Matched  int `json:"matched"`
	// NewlyFlagged are flagged now but were not (or were not scored);
	// Risen had their risk rise by more than Rise; NoLongerFlagged were
	// flagged and are not now.
	NewlyFlagged    int     `json:"newly_flagged"`
	Risen           int     `json:"risen"`
	NoLongerFlagged int     `json:"no_longer_flagged"`
	Rise            float64 `json:"rise"`
	// SameModel is false when the previous scoring used another bundle.
	SameModel bool `json:"same_model"`
}

// ScoredStudent is one row of the scored risk list.
type ScoredStudent struct {
	Rank int
	// Key is the pseudonym (or the id when the spec shows ids); ID is the
	// real identifier, written only to the owner-only ids file.
	Key, ID string
	// Pseudonym is the student's pseudonym even when the spec shows ids:
	// the xAPI statements, which leave evalrun for a learning record
	// store, name students by it only.
	Pseudonym    string
	Term, Course string
	Score        float64
	Calibrated   *float64
	Band         string
	Flagged      bool
	Reasons      []explain.Reason
	// OutOfRange, Unseen and Missing name the features whose input the
	// training data never showed; RangeWords and UnseenWords say the same
	// in words ("clicks_total 950 is above the training range (max 612)").
	OutOfRange, Unseen, Missing []string
	RangeWords, UnseenWords     []string
	Features                    map[string]float64
	Weekly                      []float64
	Assessments                 []datasets.AssessmentRecord
	// Previous is last week's score (nil when not scored then).
	Previous     *float64
	NewlyFlagged bool
	Risen        bool
	// Alert is "newly_flagged", "risen" or "".
	Alert string
}
