// Package sources holds what the table-shaped data sources (Parquet files
// in package parquetsrc, PostgreSQL queries in package pgsrc) share: typed
// cell values, and the mapping of a row of such values to an event of an
// LMS log with the CSV reader's rules, so that the same rows give the
// same events whichever format they came in. Student tables go through
// datasets.TableBuilder, which applies LoadCSV's rules.
package sources
