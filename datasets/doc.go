// Package datasets loads student-level tables for experiments: CSV student
// tables and the OULAD benchmark, each turned into one Frame per prediction
// point (cutoff day) holding one row per student (and presentation) with typed
// feature columns, group attributes, a 0/1 at-risk label and the term used for
// temporal splits.
//
// Loaders never drop or coerce rows silently: every row excluded or value
// cleaned is counted in the Frame's LoadReport.
package datasets
