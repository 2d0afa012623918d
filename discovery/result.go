package discovery

import (
	"math"

	"github.com/evalrun/evalrun/abtest"
)

// Result is one analysis's findings, as written to results.json.
type Result struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Dataset   string `json:"dataset"`
	CutoffDay int    `json:"cutoff_day"`
	// TrainTerms fitted the analysis; TestTerms (may be empty) only
	// received assignments and confirmed findings.
	TrainTerms []string `json:"train_terms"`
	TestTerms  []string `json:"test_terms"`
	// Students fitted; HeldOut confirmed (held-out training students or
	// test-term students); HeldOutFrom says which.
	Students    int    `json:"students"`
	HeldOut     int    `json:"held_out"`
	HeldOutFrom string `json:"held_out_from"`
	Events      int    `json:"events"`

	Archetypes *ArchetypesResult `json:"archetypes,omitempty"`
	Sequences  *SequencesResult  `json:"sequences,omitempty"`
	Rules      *RulesResult      `json:"rules,omitempty"`
	Network    *NetworkResult    `json:"network,omitempty"`
	// Notes say what the analysis could not do and why ("the log has no
	// reply structure"); Warnings what the reader must weigh.
	Notes    []string `json:"notes,omitempty"`
	Warnings []string `json:"warnings,omitempty"`

	// Rows are per-student outputs for the CSV files (pseudonymized by the
	// caller), not in results.json.
	Rows []StudentRow `json:"-"`
	// Features are model feature columns aligned with the population's
	// rows (NaN for rows outside the analysis): archetype membership
	// (one 0/1 column per archetype; test students by the training
	// centres) or centralities as of the cutoff.
	Features []FeatureColumn `json:"-"`
}

// FeatureColumn is one feature column over the population's rows.
type FeatureColumn struct {
	Name   string
	Values []float64
}

// StudentRow is one student's per-student output: archetype membership or
// centralities, as of the cutoff (usable as model features).
type StudentRow struct {
	Student string
	Term    string
	Role    string
	Values  map[string]float64
	Label   string
}

// wilson returns the Wilson interval of x events in n at level (nil, nil
// when n is 0).
func wilson(x, n int, level float64) (lower, upper *float64) {
	if n <= 0 {
		return nil, nil
	}
	iv, err := abtest.Wilson(x, n, level)
	if err != nil {
		return nil, nil
	}
	return num(iv.Lower), num(iv.Upper)
}

// num turns NaN into nil for JSON.
func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// ArchetypesResult holds the archetypes and the evidence for them.
type ArchetypesResult struct {
	K          int                  `json:"k"`
	Weeks      int                  `json:"weeks"`
	WeekDays   int                  `json:"week_days"`
	Transform  string               `json:"transform"`
	Candidates []ArchetypeCandidate `json:"candidates"`
	Archetypes []Archetype          `json:"archetypes"`
	// Outcomes per archetype overall (term "") and per term, with Wilson
	// intervals; groups below the minimum size are suppressed.
	Outcomes []ArchetypeOutcome `json:"outcomes"`
}

// ArchetypeCandidate is the evidence for one k.
type ArchetypeCandidate struct {
	K            int        `json:"k"`
	Silhouette   *float64   `json:"silhouette"`
	SeedARI      *float64   `json:"seed_ari"`
	MinStability *float64   `json:"min_stability"`
	Stability    []*float64 `json:"stability"`
	Sizes        []int      `json:"sizes"`
	Chosen       bool       `json:"chosen"`
}

// Archetype is one named archetype.
type Archetype struct {
	Index     int       `json:"index"`
	Name      string    `json:"name"`
	Size      int       `json:"size"`
	Stability *float64  `json:"stability"`
	Verdict   string    `json:"verdict"`
	Level     float64   `json:"level"`
	Early     float64   `json:"early"`
	Late      float64   `json:"late"`
	PeakRatio float64   `json:"peak_ratio"`
	PeakWeek  int       `json:"peak_week"`
	Profile   []float64 `json:"profile"`
}

// ArchetypeOutcome is an archetype's outcome rate overall or in a term.
type ArchetypeOutcome struct {
	Archetype  string   `json:"archetype"`
	Term       string   `json:"term,omitempty"`
	Role       string   `json:"role,omitempty"`
	Size       int      `json:"size"`
	Known      int      `json:"known"`
	AtRisk     int      `json:"at_risk"`
	Rate       *float64 `json:"rate"`
	Lower      *float64 `json:"lower"`
	Upper      *float64 `json:"upper"`
	Suppressed bool     `json:"suppressed,omitempty"`
}

// SequencesResult holds the differential patterns.
type SequencesResult struct {
	Mode       string  `json:"mode"`
	GapMinutes int     `json:"gap_minutes"`
	Sessions   int     `json:"sessions"`
	MinSupport float64 `json:"min_support"`
	MaxLength  int     `json:"max_length"`
	// AtRiskStudents and OtherStudents are the fitting students of each
	// group; Level is the level of the shares' Wilson intervals.
	AtRiskStudents int             `json:"at_risk_students"`
	OtherStudents  int             `json:"other_students"`
	Level          float64         `json:"level"`
	Tested         int             `json:"tested"`
	Significant    int             `json:"significant"`
	Confirmed      int             `json:"confirmed"`
	Patterns       []PatternResult `json:"patterns"`
}

// PatternResult is one pattern's differential support.
type PatternResult struct {
	Pattern     []string `json:"pattern"`
	Sentence    string   `json:"sentence"`
	ShareAtRisk float64  `json:"share_at_risk"`
	ShareOther  float64  `json:"share_other"`
	// SupportAtRisk and SupportOther count the supporting students of
	// each group; the shares' Wilson intervals are at the result's Level.
	SupportAtRisk    int      `json:"support_at_risk"`
	SupportOther     int      `json:"support_other"`
	ShareAtRiskLower *float64 `json:"share_at_risk_lower"`
	ShareAtRiskUpper *float64 `json:"share_at_risk_upper"`
	ShareOtherLower  *float64 `json:"share_other_lower"`
	ShareOtherUpper  *float64 `json:"share_other_upper"`
	Diff             float64  `json:"diff"`
	P                float64  `json:"p"`
	Q                float64  `json:"q"`
	Significant      bool     `json:"significant"`
	// HeldOut re-measures the pattern (significant patterns only).
	HeldOutShareAtRisk *float64 `json:"held_out_share_at_risk"`
	HeldOutShareOther  *float64 `json:"held_out_share_other"`
	HeldOutP           *float64 `json:"held_out_p"`
	Confirmed          bool     `json:"confirmed"`
}

// RulesResult holds class association rules and correlations.
type RulesResult struct {
	Items      []string `json:"items"`
	MinSupport float64  `json:"min_support"`
	MinConf    float64  `json:"min_confidence"`
	// AtRiskRate is the share of fitting students at risk: the
	// confidence a rule for "at risk" with lift 1 has (1 − AtRiskRate for
	// "not at risk"). FDR marks significant rules; Level is the level of
	// the confidence intervals.
	AtRiskRate   float64             `json:"at_risk_rate"`
	FDR          float64             `json:"fdr"`
	Level        float64             `json:"level"`
	Rules        []RuleResult        `json:"rules"`
	Correlations []CorrelationResult `json:"correlations"`
}

// RuleResult is one class rule.
type RuleResult struct {
	Antecedent        []string `json:"antecedent"`
	Consequent        string   `json:"consequent"`
	Students          int      `json:"students"`
	Support           float64  `json:"support"`
	Confidence        float64  `json:"confidence"`
	ConfidenceLower   *float64 `json:"confidence_lower"`
	ConfidenceUpper   *float64 `json:"confidence_upper"`
	Lift              float64  `json:"lift"`
	Leverage          float64  `json:"leverage"`
	Conviction        *float64 `json:"conviction"`
	P                 float64  `json:"p"`
	Q                 float64  `json:"q"`
	Significant       bool     `json:"significant"`
	HeldOutConfidence *float64 `json:"held_out_confidence"`
	HeldOutLift       *float64 `json:"held_out_lift"`
	HeldOutP          *float64 `json:"held_out_p"`
	Confirmed         bool     `json:"confirmed"`
	Sentence          string   `json:"sentence"`
}

// CorrelationResult is one feature's rank correlations with the outcome.
type CorrelationResult struct {
	Feature     string   `json:"feature"`
	N           int      `json:"n"`
	Spearman    *float64 `json:"spearman"`
	SpearmanP   *float64 `json:"spearman_p"`
	SpearmanQ   *float64 `json:"spearman_q"`
	KendallTauB *float64 `json:"kendall_tau_b"`
	KendallP    *float64 `json:"kendall_p"`
	KendallQ    *float64 `json:"kendall_q"`
	Significant bool     `json:"significant"`
}

// NetworkResult holds the reply graph's summary.
type NetworkResult struct {
	Source   string `json:"source"`
	Directed bool   `json:"directed"`
	Nodes    int    `json:"nodes"`
	Edges    int    `json:"edges"`
	Replies  int    `json:"replies"`
	// Unresolved replies answer a post not in the log.
	Unresolved int `json:"unresolved"`
	// StaffExcluded counts the staff accounts left out (in the student
	// table or the replies): StaffByList were listed in staff,
	// StaffByRole carry one of StaffRoles (an account can be both).
	// Staff are never named.
	StaffExcluded int      `json:"staff_excluded"`
	StaffByList   int      `json:"staff_by_list"`
	StaffByRole   int      `json:"staff_by_role"`
	StaffRoles    []string `json:"staff_roles,omitempty"`
	// Isolated lists (pseudonymized) students with no reply edge: a risk
	// signal; IsolatedCount counts them all.
	IsolatedCount int      `json:"isolated_count"`
	Isolated      []string `json:"isolated"`
	// BetweennessSources: all nodes (exact) or a sample.
	BetweennessSources int  `json:"betweenness_sources"`
	Converged          bool `json:"converged"`
	// Measures summarise each centrality over students; Correlations
	// relate each to the outcome (Spearman, Kendall tau-b, BH).
	Measures     []MeasureSummary    `json:"measures"`
	Correlations []CorrelationResult `json:"correlations,omitempty"`
	// IsolatedOutcome compares the at-risk rate of isolated and connected
	// students (Fisher's exact p).
	IsolatedRate  *float64 `json:"isolated_at_risk_rate"`
	ConnectedRate *float64 `json:"connected_at_risk_rate"`
	IsolatedP     *float64 `json:"isolated_fisher_p"`
	// OutcomeGroups are the at-risk rates (Wilson intervals at Level) of
	// the isolated training students and of the connected ones in
	// quarters of their degree (edges, in plus out when directed); a
	// group below the minimum size is suppressed.
	OutcomeGroups []GroupOutcome `json:"outcome_groups,omitempty"`
	Level         float64        `json:"level"`
}

// GroupOutcome is the at-risk rate of one group of training students.
type GroupOutcome struct {
	Group      string   `json:"group"`
	Students   int      `json:"students,omitempty"`
	AtRisk     int      `json:"at_risk,omitempty"`
	Rate       *float64 `json:"rate"`
	Lower      *float64 `json:"lower"`
	Upper      *float64 `json:"upper"`
	Suppressed bool     `json:"suppressed,omitempty"`
}

// MeasureSummary describes one centrality over the students.
type MeasureSummary struct {
	Measure string  `json:"measure"`
	Mean    float64 `json:"mean"`
	Median  float64 `json:"median"`
	Max     float64 `json:"max"`
}
