package discovery

import "fmt"

// Kinds of analysis.
const (
	KindArchetypes = "archetypes"
	KindSequences  = "sequences"
	KindRules      = "rules"
	KindNetwork    = "network"
)

// Spec configures one analysis; zero values take the documented defaults
// (docs/discovery.md).
type Spec struct {
	Name, Kind string
	// Dataset names the events dataset (for the report).
	Dataset   string
	CutoffDay int
	Seed      uint64
	// Level of the outcome-rate intervals (default 0.95); FDR of
	// Benjamini-Hochberg (default 0.05); MinGroupSize suppresses smaller
	// groups in every output.
	Level, FDR   float64
	MinGroupSize int
	// HoldoutShare of the training students held out for confirmation
	// when no test-term student has an outcome (default 0.5).
	HoldoutShare float64

	// Archetypes.
	KMin, KMax, Restarts, StabilityReplicates int
	Transform                                 string
	WeekDays                                  int // default 7

	// Sequences.
	GapMinutes      int     // default 30
	MinSupport      float64 // default 0.1 (sequences and rules)
	MaxLength       int     // default 3
	Contiguous      bool
	CollapseRepeats bool
	MaxPatterns     int // rows reported (default 20)

	// Rules.
	MinConfidence float64 // default 0.6
	MaxAntecedent int     // default 3

	// Network.
	Directed bool
	// Staff lists accounts flagged as staff and left out of the graph;
	// StaffRoles flags, too, every account with a matching role (see
	// StaffRole).
	Staff      []string
	StaffRoles []string
	// EdgeSource describes where edges come from ("replies in the event
	// log" or an edge file), for the report.
	EdgeSource string
}

// WithDefaults fills the defaults and checks the values.
func (s Spec) WithDefaults() (Spec, error) {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	defi := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&s.Level, 0.95)
	def(&s.FDR, 0.05)
	def(&s.HoldoutShare, 0.5)
	defi(&s.WeekDays, 7)
	defi(&s.GapMinutes, 30)
	defi(&s.MaxLength, 3)
	defi(&s.MaxPatterns, 20)
	defi(&s.MaxAntecedent, 3)
	def(&s.MinConfidence, 0.6)
	def(&s.MinSupport, 0.1)
	for _, c := range []struct {
		name       string
		v, lo, hi  float64
		exclusiveL bool
	}{
		{"level", s.Level, 0, 1, true}, {"fdr", s.FDR, 0, 1, true}, {"holdout", s.HoldoutShare, 0, 0.9, true},
		{"min_support", s.MinSupport, 0, 1, true}, {"min_confidence", s.MinConfidence, 0, 1, false},
	} {
		if !(c.v <= c.hi && (c.v > c.lo || (!c.exclusiveL && c.v >= c.lo))) || (c.name != "min_support" && c.name != "min_confidence" && c.v >= c.hi) {
			return s, fmt.Errorf("%s %v outside its range", c.name, c.v)
		}
	}
	switch s.Kind {
	case KindArchetypes, KindSequences, KindRules, KindNetwork:
	default:
		return s, fmt.Errorf("kind %q: want archetypes, sequences, rules or network", s.Kind)
	}
	if s.WeekDays < 1 || s.GapMinutes < 1 || s.MaxLength < 1 || s.MaxPatterns < 1 || s.MaxAntecedent < 1 {
		return s, fmt.Errorf("week_days, gap_minutes, max_length, max_patterns and max_antecedent must be positive")
	}
	if s.CutoffDay < 0 {
		return s, fmt.Errorf("cutoff_day %d must not be negative", s.CutoffDay)
	}
	return s, nil
}
