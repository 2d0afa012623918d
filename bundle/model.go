package bundle

import (
	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/features"
	"github.com/evalrun/evalrun/models"
)

// FormatVersion is the version of the bundle layout (model.json and
// manifest.json). Load refuses any other version. Version 2 added the
// training score distribution (Model.Scores), which version 1 lacks.
// Version 3 moved a tree ensemble's nodes from fitted.params.trees to
// fitted.trees and stores each node column only for the nodes it applies
// to (models.TreeColumns), which loads the bundle of a 300-tree forest in
// about half the time.
const FormatVersion = 3

// Model is the content of model.json.
type Model struct {
	FormatVersion int `json:"format_version"`
	// Evalrun identifies the program that trained the model.
	Evalrun Build `json:"evalrun"`
	// Name is the [[models]] name in the spec; Kind its kind.
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	Experiment string `json:"experiment"`
	// Seed is the experiment seed; without a pseudonym key, scoring keys
	// pseudonyms as the run did (from the experiment name and seed).
	Seed uint64 `json:"seed"`
	// Dataset says how rows to score are loaded and which features the
	// model reads.
	Dataset Dataset `json:"dataset"`
	// CutoffDay is the prediction day features were built as of (null for
	// tables without prediction points). Scoring data must be built as of
	// the same day.
	CutoffDay *int    `json:"cutoff_day"`
	Outcome   Outcome `json:"outcome"`
	// Training describes the rows the model was fitted on.
	Training Training `json:"training"`
	// Encoder is the fitted feature encoding (categories, imputation
	// values, indicator columns).
	Encoder features.Description `json:"encoder"`
	// Schema is the training distribution of every feature.
	Schema Schema `json:"schema"`
	// Scores is the distribution of the model's raw scores on its
	// training rows (named "score"), summarised as a numeric feature of
	// Schema is: the reference of score drift.
	Scores FeatureSchema `json:"training_scores"`
	// Ranking ranks the features by the permutation importance of the
	// run's temporal evaluations (nil when the run measured none):
	// monitoring alerts on the drift of the top features.
	Ranking *FeatureRanking `json:"feature_ranking,omitempty"`
	// Fitted holds every fitted parameter of the model.
	Fitted models.FittedParams `json:"fitted"`
	// Recalibration maps raw scores to calibrated probabilities when the
	// spec asks for recalibration.
	Recalibration *Recalibration `json:"recalibration,omitempty"`
	Threshold     Threshold      `json:"threshold"`
	// Bands are the risk bands, highest first; a student is in the first
	// band whose MinScore the score reaches.
	Bands []Band `json:"risk_bands"`
	// Reasons is the number of top reasons given per student.
	Reasons      int          `json:"reasons"`
	Fingerprints Fingerprints `json:"fingerprints"`
}

// Build identifies an evalrun build.
type Build struct {
	Module      string `json:"module"`
	Version     string `json:"version"`
	VCSRevision string `json:"vcs_revision"`
	GoVersion   string `json:"go_version"`
}

// Dataset is the dataset definition the model was trained on: enough to
// load current-term data the same way without the spec.
type Dataset struct {
	Name string `json:"name"`
	// Kind is "oulad", "synthetic-oulad" or "csv" (the student table of an
	// events dataset is one of these).
	Kind string `json:"kind"`
	// Numeric and Categorical are the selected features in encoder order.
	Numeric     []string `json:"numeric"`
	Categorical []string `json:"categorical"`
	Groups      []string `json:"groups,omitempty"`
	// csv columns
	IDColumn     string `json:"id_column,omitempty"`
	LabelColumn  string `json:"label_column,omitempty"`
	TermColumn   string `json:"term_column,omitempty"`
	CourseColumn string `json:"course_column,omitempty"`
	// Clicks says whether OULAD click features were built.
	Clicks bool `json:"clicks,omitempty"`
	// Events names the event-log datasets joined to the table; their
	// features need the spec (score --spec) to be rebuilt.
	Events []string `json:"events,omitempty"`
}

// Outcome is the definition of the at-risk label.
type Outcome struct {
	// Positive lists the outcome values that are at risk (label 1); empty
	// for a 0/1 label column.
	Positive    []string `json:"positive"`
	Description string   `json:"description"`
}

// Training describes the training rows.
type Training struct {
	Terms     []string `json:"terms"`
	Rows      int      `json:"rows"`
	Positives int      `json:"positives"`
	// Split names the spec split whose training terms were used (--split),
	// "" for the [deploy] terms.
	Split string `json:"split,omitempty"`
	// Selected records the grid values chosen by inner validation.
	Selected map[string]any `json:"selected,omitempty"`
	// Summary is the fitted model's summary as in results.json.
	Summary models.Summary `json:"summary"`
}

// Recalibration is a fitted score-to-probability map: Platt scaling
// (probability = 1/(1+exp(-(slope·score + intercept)))) or isotonic
// (piecewise-linear through X, Y; clipped outside).
type Recalibration struct {
	Method    string    `json:"method"`
	Slope     *float64  `json:"slope,omitempty"`
	Intercept *float64  `json:"intercept,omitempty"`
	X         []float64 `json:"x,omitempty"`
	Y         []float64 `json:"y,omitempty"`
}

// Threshold is the spec's threshold policy resolved to a score: a student
// whose score is >= Score is flagged.
type Threshold struct {
	Policy string  `json:"policy"`
	Score  float64 `json:"score"`
	// ResolvedOn says which scores and labels fixed Score.
	ResolvedOn string `json:"resolved_on"`
}

// Band is one risk band: students whose score is >= MinScore and below
// the previous band's MinScore. The last band has no MinScore.
type Band struct {
	Name     string   `json:"name"`
	MinScore *float64 `json:"min_score"`
	Meaning  string   `json:"meaning"`
}

// Fingerprints are the SHA-256 digests of the spec and every input file
// the model was trained from.
type Fingerprints struct {
	SpecFile   string              `json:"spec_file"`
	SpecSHA256 string              `json:"spec_sha256"`
	Inputs     []datasets.FileInfo `json:"inputs"`
}

// BandOf returns the name of the band a score falls in.
func (m *Model) BandOf(score float64) string {
	for _, b := range m.Bands {
		if b.MinScore == nil || score >= *b.MinScore {
			return b.Name
		}
	}
	return ""
}
