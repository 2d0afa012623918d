// Package reports renders the results of a run for people: terminal tables
// now, Markdown and HTML reports later. Renderers only format what the
// harness computed; they never recompute a statistic.
package reports
