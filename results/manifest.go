package results

import "github.com/evalrun/evalrun/datasets"

// Manifest is the content of manifest.json: what went into a run and when.
// Timestamps appear only here, so results.json and predictions.csv stay
// byte-identical across reruns.
type Manifest struct {
	Experiment  string              `json:"experiment"`
	SpecFile    string              `json:"spec_file"`
	SpecSHA256  string              `json:"spec_sha256"`
	Seed        uint64              `json:"seed"`
	Inputs      []datasets.FileInfo `json:"inputs"`
	GoVersion   string              `json:"go_version"`
	Module      string              `json:"module"`
	Version     string              `json:"module_version"`
	VCSRevision string              `json:"vcs_revision"`
	VCSModified bool                `json:"vcs_modified"`
	// VCSSource says where VCSRevision came from.
	VCSSource   string   `json:"vcs_source,omitempty"`
	CommandLine []string `json:"command_line"`
	GOMAXPROCS  int      `json:"gomaxprocs"`
	StartedAt   string   `json:"started_at"`
	FinishedAt  string   `json:"finished_at"`
	// Outputs lists the files of the run directory with their SHA-256.
	Outputs  []datasets.FileInfo `json:"outputs"`
	Warnings []string            `json:"warnings,omitempty"`
	// OutputNotes say what was done to the run directory beyond writing
	// it: leftovers of an interrupted run removed, a previous run restored.
	OutputNotes []string `json:"output_notes,omitempty"`
	// Timings are the wall-clock seconds of each evaluation's steps, as
	// scikit-learn's cross_validate reports fit and score times. They
	// vary from run to run, so they live here and not in results.json.
	Timings []ModelTiming `json:"timings,omitempty"`
}

// ModelTiming is how long one evaluation (dataset, cutoff, split, model)
// took, in seconds: fitting (with any grid search), predicting the
// training and test rows, explaining (reasons and permutation
// importance), bootstrapping (metric intervals, calibration intervals,
// the ROC band) and the fairness audit (with any threshold sweep).
type ModelTiming struct {
	Dataset   string  `json:"dataset"`
	Cutoff    *int    `json:"cutoff"`
	Split     string  `json:"split"`
	Model     string  `json:"model"`
	Fit       float64 `json:"fit_seconds"`
	Predict   float64 `json:"predict_seconds"`
	Explain   float64 `json:"explain_seconds"`
	Bootstrap float64 `json:"bootstrap_seconds"`
	Audit     float64 `json:"audit_seconds"`
}
