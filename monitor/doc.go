// Package monitor watches a deployed at-risk model term by term: for each
// term it measures the drift of every feature the model reads against the
// training distribution kept in the model bundle (package drift, with
// Evidently's defaults), the drift of the score distribution against the
// training rows' scores kept in the bundle, the precision and recall to expect at the bundle's
// threshold from the calibrated risks, and, once outcomes are known, the
// realized AUC, precision, recall, calibration and fairness audit, each
// compared with the value and interval of the model card. It turns what it
// finds into alerts in plain language and keeps an append-only history
// (history.jsonl and history.csv) that package reports renders as
// monitor.html.
//
// docs/governance.md documents the measures, the alerts, the history files
// and the exit status of `evalrun monitor`.
package monitor
