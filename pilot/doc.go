// Package pilot runs the intervention pilots declared in an experiment
// spec: it reads an `[[abtests]]` table (Spec), checks it, loads the pilot
// data from a CSV file (ReadPilot), runs the planned analysis of package
// abtest with optional group-sequential monitoring (Run), and serves the
// design commands: sample size, power and minimum detectable effect
// (Power) and reproducible randomization of a roster (Assign).
//
// Package abtest does the statistics; this package turns user input (TOML
// keys, CSV files, command-line flags) into abtest's types, reports every
// problem with its spec key or its file:line:field, and writes results
// that are deterministic: the same spec and data give the same bytes.
//
// docs/pilots.md documents every key, the commands and the result JSON.
package pilot
