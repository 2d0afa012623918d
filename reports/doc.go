// Package reports renders the results of a run for people: terminal
// tables, report.md and a self-contained report.html with a plain-language
// summary, plots (SVG and PNG), CSV exports (metrics, fairness, the
// advisors' risk list), and the pilot and event-log summaries. Renderers
// only format what the harness computed; they never recompute a statistic.
package reports
