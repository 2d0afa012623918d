package pilot

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/evalrun/evalrun/abtest"
)

// FileReport identifies a file that was read.
type FileReport struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Rows   int    `json:"rows"`
}

// AssignmentOutput is a randomization of a roster (Assign): the
// assignments, counts per stratum and arm, and the balance table of the
// roster's covariates and attributes.
type AssignmentOutput struct {
	Name       string                  `json:"name"`
	Experiment string                  `json:"experiment"`
	Method     abtest.AssignmentMethod `json:"method"`
	Seed       uint64                  `json:"seed"`
	Control    string                  `json:"control"`
	Roster     FileReport              `json:"roster"`
	Previous   *FileReport             `json:"previous,omitempty"`
	// Columns names the CSV columns written by WriteCSV: unit, arm, and
	// StratumColumn and ClusterColumn when the method uses them.
	Columns       []string                `json:"columns"`
	StratumColumn string                  `json:"stratum_column,omitempty"`
	ClusterColumn string                  `json:"cluster_column,omitempty"`
	Result        abtest.AssignmentResult `json:"result"`
	// Balance compares each arm with control on the spec's covariates and
	// attributes that the roster holds (BalanceColumns).
	Balance        []abtest.ArmBalance `json:"balance,omitempty"`
	BalanceColumns []string            `json:"balance_columns,omitempty"`
	Warnings       []string            `json:"warnings,omitempty"`
}

// Assign randomizes the units of the roster CSV at rosterPath with the
// spec's `[abtests.assignment]` (method, seed; experiment defaults to the
// pilot's name) and arms and allocation. The roster needs the unit column,
// the strata column for stratified assignment (and for cluster assignment
// when the spec names one: clusters are then randomized within strata) and
// the cluster column for cluster assignment. previousPath, when not empty,
// is an assignment CSV written earlier (by WriteCSV): those assignments are
// kept and only new units are randomized, so adding late enrollees never
// changes an existing assignment. The assignment is a deterministic
// function of seed, experiment and unit (or cluster) ids (abtest.Assign).
// Assign writes nothing; problems in either file are reported with
// file:line:field.
func Assign(rosterPath string, s Spec, previousPath string) (AssignmentOutput, error) {
	if err := s.checkErr(""); err != nil {
		return AssignmentOutput{}, fmt.Errorf("assign %s: %w", s.Name, err)
	}
	if s.Assignment == nil {
		return AssignmentOutput{}, fmt.Errorf("assign %s: the spec has no [abtests.assignment] table (method and seed)", s.Name)
	}
	method := abtest.AssignmentMethod(s.Assignment.Method)
	useStrata := s.Strata != "" && (method == abtest.AssignStratified || method == abtest.AssignCluster)
	useCluster := method == abtest.AssignCluster
	out := AssignmentOutput{Name: s.Name, Experiment: s.Assignment.Experiment, Method: method, Seed: s.Assignment.Seed, Control: s.Control}
	if out.Experiment == "" {
		out.Experiment = s.Name
	}
	out.Columns = []string{s.Unit, s.Arm}
	if useStrata {
		out.StratumColumn = s.Strata
		out.Columns = append(out.Columns, s.Strata)
	}
	if useCluster {
		out.ClusterColumn = s.Cluster
		out.Columns = append(out.Columns, s.Cluster)
	}

	roster, covs, attrs, rep, err := readRoster(rosterPath, s, useStrata, useCluster)
	if err != nil {
		return AssignmentOutput{}, fmt.Errorf("assign %s: %w", s.Name, err)
	}
	out.Roster = rep
	var previous []abtest.Assignment
	if previousPath != "" {
		var prep FileReport
		previous, prep, err = readPrevious(previousPath, s, useStrata, useCluster)
		if err != nil {
			return AssignmentOutput{}, fmt.Errorf("assign %s: %w", s.Name, err)
		}
		out.Previous = &prep
	}
	design := abtest.AssignmentDesign{Experiment: out.Experiment, Seed: out.Seed, Arms: s.Arms, Allocation: s.Allocation, Method: method}
	res, err := abtest.Assign(roster, design, previous)
	if err != nil {
		return AssignmentOutput{}, fmt.Errorf("assign %s: %w", s.Name, err)
	}
	out.Result = res
	out.Warnings = append(out.Warnings, res.Warnings...)

	// Balance on the roster's units (units kept from previous assignments
	// but missing from the roster have no values: NaN and "").
	n := len(res.Assignments)
	extend := func(vals []float64) []float64 {
		v := append([]float64(nil), vals...)
		for len(v) < n {
			v = append(v, math.NaN())
		}
		return v
	}
	byArm := map[string]*abtest.ArmBalance{}
	var armOrder []string
	addRows := func(bs []abtest.ArmBalance) {
		for _, b := range bs {
			if byArm[b.Arm] == nil {
				byArm[b.Arm] = &abtest.ArmBalance{Arm: b.Arm}
				armOrder = append(armOrder, b.Arm)
			}
			byArm[b.Arm].Rows = append(byArm[b.Arm].Rows, b.Rows...)
			byArm[b.Arm].Suppressed = append(byArm[b.Arm].Suppressed, b.Suppressed...)
		}
	}
	for _, c := range covs {
		bs, err := abtest.AssignmentBalance(res, s.Control, []abtest.Covariate{{Name: c.Name, Values: extend(c.Values)}}, nil, s.MinGroupSize)
		if err != nil {
			out.Warnings = append(out.Warnings, fmt.Sprintf("balance of %s not computed: %v", c.Name, err))
			continue
		}
		out.BalanceColumns = append(out.BalanceColumns, c.Name)
		addRows(bs)
	}
	for _, a := range attrs {
		vals := append([]string(nil), a.Values...)
		for len(vals) < n {
			vals = append(vals, "")
		}
		bs, err := abtest.AssignmentBalance(res, s.Control, nil, []abtest.Attribute{{Name: a.Name, Values: vals}}, s.MinGroupSize)
		if err != nil {
			out.Warnings = append(out.Warnings, fmt.Sprintf("balance of %s not computed: %v", a.Name, err))
			continue
		}
		out.BalanceColumns = append(out.BalanceColumns, a.Name)
		addRows(bs)
	}
	for _, arm := range armOrder {
		out.Balance = append(out.Balance, *byArm[arm])
		for _, sl := range byArm[arm].Suppressed {
			out.Warnings = append(out.Warnings, fmt.Sprintf("balance of arm %s: %s", arm, sl))
		}
		for _, row := range byArm[arm].Rows {
			if row.Imbalanced {
				out.Warnings = append(out.Warnings, fmt.Sprintf("imbalance in arm %s: %s has standardized mean difference %s (threshold %.1f)", arm, balanceName(row), smdText(row.SMD), abtest.SMDThreshold))
			}
		}
	}
	return out, nil
}

// WriteCSV writes the assignments, one row per unit in roster order
// followed by previously assigned units missing from the roster, with the
// columns of o.Columns.
func (o AssignmentOutput) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(o.Columns); err != nil {
		return err
	}
	for _, a := range o.Result.Assignments {
		rec := []string{a.ID, a.Arm}
		if o.StratumColumn != "" {
			rec = append(rec, a.Stratum)
		}
		if o.ClusterColumn != "" {
			rec = append(rec, a.Cluster)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// readRoster reads the roster's units and the spec's covariates and
// attributes that it holds.
func readRoster(path string, s Spec, useStrata, useCluster bool) ([]abtest.RosterUnit, []abtest.Covariate, []abtest.Attribute, FileReport, error) {
	t, err := openCSV(path)
	if err != nil {
		return nil, nil, nil, FileReport{}, fmt.Errorf("roster: %w", err)
	}
	cols := []string{s.Unit}
	if useStrata {
		cols = append(cols, s.Strata)
	}
	if useCluster {
		cols = append(cols, s.Cluster)
	}
	if _, err := t.require(cols); err != nil {
		t.closer()
		return nil, nil, nil, FileReport{}, fmt.Errorf("roster: %w", err)
	}
	var covs []abtest.Covariate
	for _, c := range s.Covariates {
		if _, ok := t.index[c]; ok {
			covs = append(covs, abtest.Covariate{Name: c})
		}
	}
	var attrs []abtest.Attribute
	for _, a := range s.Attributes {
		if _, ok := t.index[a]; ok {
			attrs = append(attrs, abtest.Attribute{Name: a})
		}
	}
	var problems []string
	problem := func(line int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s:%d: %s", path, line, fmt.Sprintf(format, args...)))
	}
	var units []abtest.RosterUnit
	seen := map[string]int{}
	err = t.rows(problem, func(line int, rec []string) {
		cell := func(name string) string { return strings.TrimSpace(rec[t.index[name]]) }
		u := abtest.RosterUnit{ID: cell(s.Unit)}
		switch prev := seen[u.ID]; {
		case u.ID == "":
			problem(line, "field %q: empty unit id", s.Unit)
		case prev > 0:
			problem(line, "field %q: unit %q appears twice (lines %d and %d)", s.Unit, u.ID, prev, line)
		default:
			seen[u.ID] = line
		}
		if useStrata {
			if u.Stratum = cell(s.Strata); u.Stratum == "" {
				problem(line, "field %q: empty stratum", s.Strata)
			}
		}
		if useCluster {
			if u.Cluster = cell(s.Cluster); u.Cluster == "" {
				problem(line, "field %q: empty cluster", s.Cluster)
			}
		}
		units = append(units, u)
		for i := range covs {
			v, _, err := parseNumber(cell(covs[i].Name))
			if err != nil {
				problem(line, "field %q: %v", covs[i].Name, err)
			}
			covs[i].Values = append(covs[i].Values, v)
		}
		for i := range attrs {
			attrs[i].Values = append(attrs[i].Values, cell(attrs[i].Name))
		}
	})
	if err != nil {
		t.closer()
		return nil, nil, nil, FileReport{}, fmt.Errorf("roster: %w", err)
	}
	sum, err := t.finish()
	if err != nil {
		return nil, nil, nil, FileReport{}, fmt.Errorf("roster: %w", err)
	}
	if len(units) == 0 && len(problems) == 0 {
		problems = append(problems, fmt.Sprintf("%s: no units below the header", path))
	}
	if len(problems) > 0 {
		return nil, nil, nil, FileReport{}, fmt.Errorf("roster: %w", &DataFileError{Problems: problems})
	}
	return units, covs, attrs, FileReport{Path: path, SHA256: sum, Rows: len(units)}, nil
}

// readPrevious reads an assignment CSV written by WriteCSV.
func readPrevious(path string, s Spec, useStrata, useCluster bool) ([]abtest.Assignment, FileReport, error) {
	t, err := openCSV(path)
	if err != nil {
		return nil, FileReport{}, fmt.Errorf("previous assignments: %w", err)
	}
	cols := []string{s.Unit, s.Arm}
	if useStrata {
		cols = append(cols, s.Strata)
	}
	if useCluster {
		cols = append(cols, s.Cluster)
	}
	if _, err := t.require(cols); err != nil {
		t.closer()
		return nil, FileReport{}, fmt.Errorf("previous assignments: %w", err)
	}
	declared := map[string]bool{}
	for _, a := range s.Arms {
		declared[a] = true
	}
	var problems []string
	problem := func(line int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s:%d: %s", path, line, fmt.Sprintf(format, args...)))
	}
	var out []abtest.Assignment
	seen := map[string]int{}
	err = t.rows(problem, func(line int, rec []string) {
		cell := func(name string) string { return strings.TrimSpace(rec[t.index[name]]) }
		a := abtest.Assignment{ID: cell(s.Unit), Arm: cell(s.Arm)}
		switch prev := seen[a.ID]; {
		case a.ID == "":
			problem(line, "field %q: empty unit id", s.Unit)
		case prev > 0:
			problem(line, "field %q: unit %q appears twice (lines %d and %d)", s.Unit, a.ID, prev, line)
		default:
			seen[a.ID] = line
		}
		if !declared[a.Arm] {
			problem(line, "field %q: unknown arm label %q; declared arms: %s", s.Arm, a.Arm, strings.Join(s.Arms, ", "))
		}
		if useStrata {
			a.Stratum = cell(s.Strata)
		}
		if useCluster {
			a.Cluster = cell(s.Cluster)
		}
		out = append(out, a)
	})
	if err != nil {
		t.closer()
		return nil, FileReport{}, fmt.Errorf("previous assignments: %w", err)
	}
	sum, err := t.finish()
	if err != nil {
		return nil, FileReport{}, fmt.Errorf("previous assignments: %w", err)
	}
	if len(problems) > 0 {
		return nil, FileReport{}, fmt.Errorf("previous assignments: %w", &DataFileError{Problems: problems})
	}
	return out, FileReport{Path: path, SHA256: sum, Rows: len(out)}, nil
}
