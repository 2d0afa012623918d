// Package events reads learning-management-system event logs (clickstream
// CSV exports, xAPI statements, IMS Caliper events), cleans them with a
// counted report, and turns them into per-student engagement features as of
// each prediction day (cutoff) and into descriptive summaries.
//
// Readers (ReadCSV, ReadXAPI, ReadCaliper) parse one record at a time into
// an Event whose identifiers are interned in a Symbols table, and hand it to
// a Sink. A Builder is the Sink that cleans and aggregates: it keeps running
// aggregates per student, never the events, so a log of any length is read
// in memory proportional to the number of students (events of one student
// must come in time order, or Options.SortInMemory buffers 72 bytes per
// event and sorts). Builder.Finish returns a Result: feature columns aligned
// to any list of student keys (datasets.NumericColumn), the cleaning report,
// and Describe's descriptive analytics.
//
// The click features of the OULAD loader come from the same code
// (datasets.ActivityLayout): OULAD's studentVle.csv read as a day-offset
// event log gives the loader's numbers exactly. See docs/events.md.
package events
