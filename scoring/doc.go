// Package scoring turns the scores a model bundle gives the students of a
// running term into what advisors act on: the ranked list with counts per
// band and per extrapolated input (Summarize), the comparison with last
// week's scoring (ReadPrevious, Compare: change of risk, newly flagged and
// risen students) and the alerts a CRM or a learning record store imports.
package scoring
