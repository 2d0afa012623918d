package reports

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/events"
)

// WriteEventsDescription writes the descriptive analytics of one event log
// for the terminal: cleaning counts, weekly activity with the resource-type
// heatmap (events per type and week), the largest drops in active students,
// students whose activity stopped, and the commonest weekly engagement
// patterns with their at-risk rates.
func WriteEventsDescription(w io.Writer, dataset, joined string, d *events.Description, cleaning []datasets.CleaningCount) error {
	fmt.Fprintf(w, "event log %s (joined to %s): %d students, %d never active\n", dataset, joined, len(d.Students), d.NeverActive)
	for _, warning := range d.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warning)
	}
	var cleaned []string
	for _, c := range cleaning {
		if c.Count > 0 {
			cleaned = append(cleaned, fmt.Sprintf("%s %d", c.Rule, c.Count))
		}
	}
	if len(cleaned) > 0 {
		fmt.Fprintf(w, "cleaning: %s\n", strings.Join(cleaned, ", "))
	}

	if h := d.Heatmap; len(h.Weeks) > 0 {
		fmt.Fprintln(w, "\nevents per resource type and week")
		weeks := h.Weeks
		if len(weeks) > 10 {
			weeks = weeks[:10]
		}
		table := borderless(w)
		header := []any{"type"}
		for _, wk := range weeks {
			header = append(header, "w"+strconv.Itoa(wk))
		}
		table.Header(header...)
		for t, name := range h.ResourceTypes {
			row := []any{name}
			for i := range weeks {
				row = append(row, strconv.FormatInt(h.Counts[t][i], 10))
			}
			if err := table.Append(row...); err != nil {
				return err
			}
		}
		if err := table.Render(); err != nil {
			return err
		}
		if len(h.Weeks) > len(weeks) {
			fmt.Fprintf(w, "(%d more weeks in the JSON)\n", len(h.Weeks)-len(weeks))
		}
	}
	if len(d.LargestDrops) > 0 {
		fmt.Fprintln(w, "\nlargest drops in active students")
		table := borderless(w)
		table.Header("week", "active before", "active", "drop", "relative")
		for _, drop := range d.LargestDrops {
			if err := table.Append(strconv.Itoa(drop.Week), strconv.Itoa(drop.ActiveBefore), strconv.Itoa(drop.Active),
				strconv.Itoa(drop.Drop), strconv.FormatFloat(100*drop.RelativeDrop, 'f', 0, 64)+"%"); err != nil {
				return err
			}
		}
		if err := table.Render(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\n%d students stopped at least %d days before day %d", len(d.Stopped), d.QuietDays, d.EndDay)
	if len(d.Stopped) > 0 {
		fmt.Fprint(w, "; first to stop:")
		for i, st := range d.Stopped {
			if i == 5 {
				break
			}
			fmt.Fprintf(w, " %s (day %d)", st.Student, st.LastActiveDay)
		}
	}
	fmt.Fprintln(w)
	if len(d.Patterns) > 0 {
		fmt.Fprintln(w, "\nweekly engagement patterns (1 = active that week, from week 0)")
		table := borderless(w)
		table.Header("pattern", "students", "with outcome", "at-risk rate")
		for _, p := range d.Patterns {
			rate := "-"
			if p.OutcomeRate != nil {
				rate = strconv.FormatFloat(100**p.OutcomeRate, 'f', 1, 64) + "%"
			}
			if err := table.Append(p.Pattern, strconv.Itoa(p.Students), strconv.Itoa(p.WithOutcome), rate); err != nil {
				return err
			}
		}
		if err := table.Render(); err != nil {
			return err
		}
	}
	return nil
}
