package archetypes

import (
	"fmt"
	"sort"

	"github.com/evalrun/evalrun/abtest"
)

// Outcome is a student's outcome: 1 (the at-risk outcome occurred), 0 (it
// did not) or -1 (unknown, e.g. still enrolled).
type Outcome = int8

// GroupOutcome is the size and outcome rate of an archetype, overall (Term
// "") or within one term.
type GroupOutcome struct {
	Archetype int    `json:"archetype"`
	Name      string `json:"name"`
	Term      string `json:"term,omitempty"`
	// Size counts the students; Known those with a known outcome; Events
	// those with outcome 1.
	Size   int `json:"size"`
	Known  int `json:"known"`
	Events int `json:"events"`
	// Rate is Events/Known with its Wilson interval at the given level;
	// nil when no outcome is known or the group is suppressed.
	Rate  *float64 `json:"rate"`
	Lower *float64 `json:"lower"`
	Upper *float64 `json:"upper"`
	// Suppressed is true when Size is below the minimum group size: the
	// counts and rate are then withheld (zero and nil).
	Suppressed bool `json:"suppressed,omitempty"`
}

// Summarise returns, for each archetype (0..len(names)-1), its size and
// outcome rate with a Wilson interval at level, first overall and then per
// term in sorted term order (terms may be nil: no per-term rows). Groups of
// fewer than minGroup students are suppressed.
func Summarise(labels []int, names []string, outcome []Outcome, terms []string, level float64, minGroup int) ([]GroupOutcome, error) {
	if len(outcome) != len(labels) {
		return nil, fmt.Errorf("archetypes: summarise: %d outcomes for %d students", len(outcome), len(labels))
	}
	if terms != nil && len(terms) != len(labels) {
		return nil, fmt.Errorf("archetypes: summarise: %d terms for %d students", len(terms), len(labels))
	}
	if !(level > 0 && level < 1) {
		return nil, fmt.Errorf("archetypes: summarise: level %v must be in (0, 1)", level)
	}
	type key struct {
		arch int
		term string
	}
	acc := map[key]*GroupOutcome{}
	add := func(k key, o Outcome) {
		g := acc[k]
		if g == nil {
			g = &GroupOutcome{Archetype: k.arch, Name: names[k.arch], Term: k.term}
			acc[k] = g
		}
		g.Size++
		switch o {
		case 1:
			g.Known++
			g.Events++
		case 0:
			g.Known++
		}
	}
	for i, l := range labels {
		if l < 0 || l >= len(names) {
			return nil, fmt.Errorf("archetypes: summarise: student %d has archetype %d, want 0..%d", i, l, len(names)-1)
		}
		if o := outcome[i]; o != 0 && o != 1 && o != -1 {
			return nil, fmt.Errorf("archetypes: summarise: student %d has outcome %d, want 1, 0 or -1", i, o)
		}
		add(key{l, ""}, outcome[i])
		if terms != nil {
			if terms[i] == "" {
				return nil, fmt.Errorf("archetypes: summarise: student %d has an empty term", i)
			}
			add(key{l, terms[i]}, outcome[i])
		}
	}
	var out []GroupOutcome
	for _, g := range acc {
		if g.Size < minGroup {
			*g = GroupOutcome{Archetype: g.Archetype, Name: g.Name, Term: g.Term, Suppressed: true}
		} else if g.Known > 0 {
			iv, err := abtest.Wilson(g.Events, g.Known, level)
			if err != nil {
				return nil, fmt.Errorf("archetypes: summarise: %w", err)
			}
			rate := float64(g.Events) / float64(g.Known)
			g.Rate, g.Lower, g.Upper = &rate, &iv.Lower, &iv.Upper
		}
		out = append(out, *g)
	}
	sort.Slice(out, func(a, b int) bool {
		if (out[a].Term == "") != (out[b].Term == "") {
			return out[a].Term == ""
		}
		if out[a].Term != out[b].Term {
			return out[a].Term < out[b].Term
		}
		return out[a].Archetype < out[b].Archetype
	})
	return out, nil
}
