// Package results defines what a run produces: the evaluated results written
// to results.json (documented in docs/results.md) and the manifest that
// identifies the inputs. The harness fills these; reports only render them.
package results

import (
	"github.com/evalrun/evalrun/discovery"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/events"
	"github.com/evalrun/evalrun/explain"
	"github.com/evalrun/evalrun/fairness"
	"github.com/evalrun/evalrun/features"
	"github.com/evalrun/evalrun/leakage"
	"github.com/evalrun/evalrun/metrics"
	"github.com/evalrun/evalrun/models"
	"github.com/evalrun/evalrun/pilot"
)

// FormatVersion is the version of the results.json layout.
const FormatVersion = 1

// Run is the content of results.json. Every field is deterministic for a
// given spec and data: no timestamps, no host names (those go to the
// manifest).
type Run struct {
	FormatVersion int `json:"format_version"`
	// Timings are each evaluation's step times (also in manifest.json),
	// for the reports only: results.json leaves them out so it stays
	// byte-identical across reruns.
	Timings     []ModelTiming `json:"-"`
	Experiment  string        `json:"experiment"`
	Description string        `json:"description,omitempty"`
	Seed        uint64        `json:"seed"`
	SpecSHA256  string        `json:"spec_sha256"`
	// ThresholdPolicy describes how each evaluation's threshold was chosen.
	ThresholdPolicy string `json:"threshold_policy"`
	// Pseudonymized is false only when the spec asked for real identifiers.
	Pseudonymized bool         `json:"pseudonymized"`
	Datasets      []Dataset    `json:"datasets"`
	Evaluations   []Evaluation `json:"evaluations"`
	// Comparisons are paired model comparisons per fold; FoldComparisons
	// test differences across the folds of rolling splits.
	Comparisons []Comparison `json:"comparisons"`
	// FairnessStatus is FAIL when any audit verdict failed, INCONCLUSIVE
	// when none failed but one was inconclusive, PASS when all passed,
	// NOT_EVALUATED without fairness thresholds.
	FairnessStatus  fairness.Outcome `json:"fairness_status"`
	FoldComparisons []FoldComparison `json:"fold_comparisons"`
	// Abtests are the analyses of the spec's intervention pilots.
	Abtests []*pilot.Result `json:"abtests,omitempty"`
	// EventLogs describe the spec's event logs (aggregates only: the
	// per-student rows are in `evalrun describe --json`).
	EventLogs []EventLog `json:"event_logs,omitempty"`
	// ScoringOnly are the folds whose test terms have no outcome yet:
	// their students are scored (predictions.csv, empty label) but not
	// evaluated.
	ScoringOnly []ScoringOnly `json:"scoring_only,omitempty"`
	// Discoveries are the results of the spec's [[analyses]] (archetypes,
	// sequences, rules, networks; docs/discovery.md).
	Discoveries []*discovery.Result `json:"discoveries,omitempty"`
	Warnings    []string            `json:"warnings,omitempty"`
}

// Dataset summarises one loaded dataset per cutoff.
type Dataset struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	// Positive lists the outcome values counted as at risk (label 1);
	// empty for a 0/1 label column.
	Positive []string `json:"positive"`
	Cutoffs  []Cutoff `json:"cutoffs"`
}

// Cutoff summarises one frame: its rows and what loading cleaned or excluded.
type Cutoff struct {
	// Day is the prediction day, null for datasets without prediction points.
	Day       *int `json:"day"`
	Rows      int  `json:"rows"`
	Positives int  `json:"positives"`
	// NoOutcome counts the students whose outcome is not known yet; they
	// are not in Rows.
	NoOutcome int                      `json:"no_outcome,omitempty"`
	Terms     []TermCount              `json:"terms"`
	Cleaning  []datasets.CleaningCount `json:"cleaning"`
	Notes     []string                 `json:"notes,omitempty"`
}

// TermCount is the number of rows and positives of one term.
type TermCount struct {
	Term      string `json:"term"`
	Rows      int    `json:"rows"`
	Positives int    `json:"positives"`
	NoOutcome int    `json:"no_outcome,omitempty"`
}

// ScoringOnly is a model fitted on a fold whose test terms have no outcome
// yet: its test students are scored with the threshold the policy gives,
// and nothing is evaluated.
type ScoringOnly struct {
	Dataset    string         `json:"dataset"`
	Cutoff     *int           `json:"cutoff"`
	Split      string         `json:"split"`
	TrainTerms []string       `json:"train_terms"`
	TestTerms  []string       `json:"test_terms"`
	Model      string         `json:"model"`
	ModelKind  string         `json:"model_kind"`
	Train      SetSummary     `json:"train"`
	Students   int            `json:"students"`
	Threshold  float64        `json:"threshold"`
	Flagged    int            `json:"flagged"`
	Fit        models.Summary `json:"fit"`
	Note       string         `json:"note"`
}

// Evaluation is one model fitted on one split of one frame and scored on
// its test rows.
type Evaluation struct {
	Dataset    string   `json:"dataset"`
	Cutoff     *int     `json:"cutoff"`
	Split      string   `json:"split"`
	TrainTerms []string `json:"train_terms"`
	TestTerms  []string `json:"test_terms"`
	Model      string   `json:"model"`
	ModelKind  string   `json:"model_kind"`

	Train SetSummary `json:"train"`
	Test  SetSummary `json:"test"`

	// Features lists the encoded columns and what encoding cleaned.
	Features FeatureSummary `json:"features"`
	// Threshold is the score threshold the policy chose (on training data,
	// or from capacity on the test scores; see docs/results.md).
	Threshold float64        `json:"threshold"`
	Metrics   metrics.Report `json:"metrics"`
	// Uncertainty holds DeLong and bootstrap intervals of Metrics.
	Uncertainty *Uncertainty `json:"uncertainty"`
	// Calibration summarizes the test probabilities (null for scores that
	// are not probabilities); Recalibrated evaluates them after the spec's
	// recalibration; Strata evaluates them per stratum.
	Calibration *metrics.CalibrationResult `json:"calibration"`
	// CalibrationIntervals holds bootstrap intervals of the ECE, slope and
	// calibration-in-the-large.
	CalibrationIntervals *CalibrationIntervals `json:"calibration_intervals,omitempty"`
	Recalibrated         *Recalibrated         `json:"recalibrated,omitempty"`
	Strata               *metrics.StrataReport `json:"strata,omitempty"`
	// StrataAUC holds each stratum's DeLong AUC interval.
	StrataAUC []StratumAUC `json:"strata_auc,omitempty"`
	// StrataSuppressed counts the strata with fewer test rows than
	// privacy.min_group_size: they appear in neither Strata nor StrataAUC.
	StrataSuppressed int            `json:"strata_suppressed,omitempty"`
	Fit              models.Summary `json:"fit"`
	// PopulationLevelRows counts the test rows of a multilevel model
	// (mixed_logistic) whose group the training rows did not hold: they
	// are scored at the population level (random intercept 0). Null for
	// other kinds.
	PopulationLevelRows *int `json:"population_level_rows,omitempty"`
	// Fairness is the subgroup audit of the test scores (with [fairness]).
	Fairness *fairness.AuditResult `json:"fairness,omitempty"`
	// FairnessSweep holds the same audit at each of the spec's
	// fairness.sweep thresholds (TFMA-style); its verdicts are reported
	// but do not set fairness_status, which is decided at Threshold.
	FairnessSweep []fairness.AuditResult `json:"fairness_sweep,omitempty"`
	// Curves are the plot data of the test scores.
	Curves *Curves `json:"curves,omitempty"`
	// Selection records how a model with a grid chose its parameters.
	Selection *Selection `json:"selection,omitempty"`
	// ReasonRows is how many test students (the highest-scored) have
	// reasons in predictions.csv; 0 when the model gives none.
	ReasonRows int `json:"reason_rows"`
	// Importance is the permutation importance of each feature on the
	// test rows (AUC drop), largest first.
	Importance []explain.Importance `json:"permutation_importance,omitempty"`
	Notes      []string             `json:"notes,omitempty"`
}

// SetSummary describes the rows of a training or test set.
type SetSummary struct {
	Rows      int     `json:"rows"`
	Positives int     `json:"positives"`
	BaseRate  float64 `json:"base_rate"`
	// DroppedRows counts rows removed by the missing-value policy "drop".
	DroppedRows int `json:"dropped_rows"`
}

// FeatureSummary describes the feature encoding of one split.
type FeatureSummary struct {
	Columns   []string                `json:"columns"`
	Encoding  features.Description    `json:"encoding"`
	TrainStat features.TransformStats `json:"train_stats"`
	TestStat  features.TransformStats `json:"test_stats"`
	// Notes say which declared features were left out and why.
	Notes []string `json:"notes,omitempty"`
	// LeakageSuspects are the features that predict the outcome too well
	// on the training rows (package leakage), with their numbers.
	LeakageSuspects []leakage.Suspect `json:"leakage_suspects,omitempty"`
}

// Uncertainty holds the intervals of one evaluation's test metrics.
type Uncertainty struct {
	Level float64 `json:"level"`
	// Interval names the bootstrap interval reports show: "bca" or
	// "percentile" (both are in Bootstrap).
	Interval  string                   `json:"interval"`
	AUCDeLong *DeLongInterval          `json:"auc_delong"`
	Bootstrap *metrics.BootstrapResult `json:"bootstrap"`
	Notes     []string                 `json:"notes,omitempty"`
}

// DeLongInterval is an AUC interval by DeLong's method (as pROC ci.auc).
type DeLongInterval struct {
	Method string `json:"method"`
	metrics.AUCInterval
}

// Recalibrated is the evaluation of recalibrated test scores.
type Recalibrated struct {
	Method      string                     `json:"method"`
	FittedOn    string                     `json:"fitted_on"`
	Metrics     metrics.Report             `json:"metrics"`
	Calibration *metrics.CalibrationResult `json:"calibration"`
	// Bootstrap holds the intervals of Metrics (as Uncertainty.Bootstrap).
	Bootstrap *metrics.BootstrapResult `json:"bootstrap,omitempty"`
}

// Comparison compares two models on the same test rows of one fold.
type Comparison struct {
	Dataset string `json:"dataset"`
	Cutoff  *int   `json:"cutoff"`
	Split   string `json:"split"`
	// ModelA is compared with ModelB (the baseline): differences are A − B.
	ModelA string        `json:"model_a"`
	ModelB string        `json:"model_b"`
	DeLong *PairedDeLong `json:"delong"`
	// Bootstrap holds paired-bootstrap intervals of A − B for every metric.
	Bootstrap *metrics.BootstrapResult `json:"bootstrap"`
	Notes     []string                 `json:"notes,omitempty"`
}

// PairedDeLong is DeLong's paired test of equal AUC with the interval of
// the difference and Holm's adjusted p-value over every DeLong test of the
// run (Tests of them).
type PairedDeLong struct {
	Method string `json:"method"`
	metrics.PairedDeLong
	Lower float64 `json:"lower"`
	Upper float64 `json:"upper"`
	Level float64 `json:"level"`
	PHolm float64 `json:"p_holm"`
	Tests int     `json:"tests"`
}

// FoldComparison is the Nadeau-Bengio corrected resampled t-test of a
// metric's differences across the folds of one rolling split.
type FoldComparison struct {
	Dataset string                  `json:"dataset"`
	Cutoff  *int                    `json:"cutoff"`
	Split   string                  `json:"split"`
	ModelA  string                  `json:"model_a"`
	ModelB  string                  `json:"model_b"`
	Metric  string                  `json:"metric"`
	Folds   int                     `json:"folds"`
	Method  string                  `json:"method"`
	Test    *metrics.CorrectedTTest `json:"test"`
	// PHolm is Holm's adjustment over every corrected test of the run.
	PHolm *float64 `json:"p_holm"`
	Note  string   `json:"note,omitempty"`
}

// Selection is the choice among a model's grid candidates by inner temporal
// validation inside the training terms.
type Selection struct {
	Method         string         `json:"method"`
	TrainTerms     []string       `json:"train_terms"`
	ValidationTerm string         `json:"validation_term"`
	ValidationRows int            `json:"validation_rows"`
	Metric         string         `json:"metric"`
	Candidates     []Candidate    `json:"candidates"`
	Chosen         map[string]any `json:"chosen"`
}

// Candidate is one grid point and its validation score.
type Candidate struct {
	Params map[string]any `json:"params"`
	AUC    float64        `json:"auc"`
}

// Curves holds the plot data of one evaluation's test scores.
type Curves struct {
	// ROC and PR are thinned to at most 200 points each.
	ROC     []metrics.CurvePoint `json:"roc"`
	ROCBand *metrics.ROCBand     `json:"roc_band"`
	PR      []metrics.CurvePoint `json:"pr"`
	// Groups holds the ROC curve of every reported group of each audited
	// attribute (for ABROCA plots), thinned to at most 100 points.
	Groups []GroupCurve `json:"groups,omitempty"`
}

// GroupCurve is the ROC curve of one group of one attribute.
type GroupCurve struct {
	Attribute string               `json:"attribute"`
	Group     string               `json:"group"`
	ROC       []metrics.CurvePoint `json:"roc"`
}

// RiskList ranks the test students of one model, cutoff and split for
// advisors. It is not part of results.json: it holds one row per student
// and is written to risk_list.csv and the reports.
type RiskList struct {
	Dataset   string `json:"dataset"`
	Cutoff    *int   `json:"cutoff"`
	Split     string `json:"split"`
	Model     string `json:"model"`
	Threshold float64
	// Pseudonymized is false only when the spec shows real identifiers.
	Pseudonymized bool
	Students      []RiskStudent
	// Labels are the dataset's feature labels and units (the spec's
	// datasets[].labels), used to put reasons in words.
	Labels map[string]FeatureLabel
}

// FeatureLabel names a feature for people: Label replaces the column name
// in reasons ("prior GPA" for prior_gpa) and Unit, when set, follows the
// value ("grade points").
type FeatureLabel struct {
	Label string `toml:"label" json:"label"`
	Unit  string `toml:"unit" json:"unit,omitempty"`
}

// RiskStudent is one row of the risk list.
type RiskStudent struct {
	Rank   int
	Key    string // pseudonym unless the spec opts into real ids
	Term   string
	Course string
	Score  float64
	// Band is "high" (flagged by the threshold policy), "medium" (the next
	// 20% of students by rank) or "low".
	Band    string
	Reasons []explain.Reason
	// Features holds the student's values of the features the risk list
	// explains in words (assessments due, submitted, missed, mean score,
	// late submissions, clicks, days since last activity) when present.
	Features map[string]float64
	// Weekly holds clicks per week from week 0 (OULAD click features).
	Weekly []float64
	// Assessments is the student's assessment trail as of the cutoff
	// (due and submitted assessments), when the loader provides one.
	Assessments []datasets.AssessmentRecord
	// Warnings say where the student's inputs left the training data
	// (values outside the training range, unseen categories, missing
	// inputs): the score is then an extrapolation.
	Warnings []string
}

// EventLog is the descriptive analytics of one events dataset: activity
// timeline, resource-type by week heatmap, largest drops, students who
// stopped (pseudonymous keys), engagement patterns, cleaning counts.
type EventLog struct {
	Dataset     string                   `json:"dataset"`
	Joined      string                   `json:"joined_to"`
	Description *events.Description      `json:"description"`
	Cleaning    []datasets.CleaningCount `json:"cleaning"`
}

// CalibrationIntervals are bootstrap intervals of the calibration
// summaries (null where too few replicates had the summary defined).
type CalibrationIntervals struct {
	Method     string          `json:"method"`
	Replicates int             `json:"replicates"`
	Level      float64         `json:"level"`
	ECE        *metrics.Bounds `json:"ece"`
	Slope      *metrics.Bounds `json:"slope"`
	Intercept  *metrics.Bounds `json:"intercept"`
}

// StratumAUC is the AUC of one stratum with its DeLong interval (null with
// a note when the stratum holds one class).
type StratumAUC struct {
	Stratum string          `json:"stratum"`
	AUC     *DeLongInterval `json:"auc"`
	Note    string          `json:"note,omitempty"`
}
