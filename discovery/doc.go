// Package discovery runs the spec's discovery analyses ([[analyses]]) on an
// event log and its student table as of a cutoff day: learner archetypes
// (package archetypes), differential sequence mining (sequences), class
// association rules and correlation mining (rules) and forum reply
// networks (networks). Every analysis is fitted on the students of the
// training terms only; findings are confirmed on held-out students (the
// test terms, or a seeded share of the training students when there are
// none), and every finding carries its uncertainty.
//
// The harness loads the data into a Population and a Log (a Collector
// reads any events source) and renders the Result; this package only
// computes.
package discovery
