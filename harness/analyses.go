package harness

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/discovery"
	"github.com/evalrun/evalrun/events"
)

// AnalysisSpec is one [[analyses]] table: a discovery analysis of an
// events dataset (or an edge list) as of a cutoff day, fitted on the
// training terms (docs/discovery.md).
type AnalysisSpec struct {
	Name string `toml:"name"`
	Kind string `toml:"kind"` // archetypes | sequences | rules | network
	// Events names the events dataset whose log (and joined student
	// table) the analysis reads; a network may read Edges instead.
	Events    string   `toml:"events"`
	CutoffDay *int     `toml:"cutoff_day"`
	Train     []string `toml:"train"`
	Test      []string `toml:"test"`
	Holdout   float64  `toml:"holdout"`
	Level     float64  `toml:"level"`
	FDR       float64  `toml:"fdr"`

	KMin                int    `toml:"k_min"`
	KMax                int    `toml:"k_max"`
	Restarts            int    `toml:"restarts"`
	StabilityReplicates int    `toml:"stability_replicates"`
	Transform           string `toml:"transform"`
	WeekDays            int    `toml:"week_days"`

	GapMinutes      int     `toml:"gap_minutes"`
	MinSupport      float64 `toml:"min_support"`
	MaxLength       int     `toml:"max_length"`
	Mode            string  `toml:"mode"` // prefixspan (default) | ngram
	CollapseRepeats *bool   `toml:"collapse_repeats"`
	MaxPatterns     int     `toml:"max_patterns"`

	MinConfidence float64 `toml:"min_confidence"`
	MaxAntecedent int     `toml:"max_antecedent"`

	// Features adds the analysis's per-student results to the joined
	// student table as model features at cutoff_day: archetype membership
	// (one 0/1 column per archetype, test students assigned by the
	// training centres) or centralities (net_<measure>).
	Features bool `toml:"features"`

	Directed *bool    `toml:"directed"`
	Staff    []string `toml:"staff"`
	// StaffRoles flags as staff every account whose role (from the log's
	// Caliper memberships or xAPI context.instructor, a roster, the edge
	// list's role columns or its nodes file) is one of them
	// (discovery.StaffRole).
	StaffRoles []string        `toml:"staff_roles"`
	Roster     *RosterFileSpec `toml:"roster"`
	Edges      *EdgeFileSpec   `toml:"edges"`
	Nodes      *NodesFileSpec  `toml:"nodes"`
}

// RosterFileSpec is a CSV of accounts and their roles (students and staff;
// the student table's own file will do when it has a role column).
type RosterFileSpec struct {
	Path string `toml:"path"`
	ID   string `toml:"id"`
	Role string `toml:"role"`
}

// EdgeFileSpec is an edge list CSV: one reply per row.
type EdgeFileSpec struct {
	Path string `toml:"path"`
	From string `toml:"from"`
	To   string `toml:"to"`
	// Timestamp (optional) dates each reply; Start is day 0 ("2013-04-04").
	Timestamp string `toml:"timestamp"`
	Start     string `toml:"start"`
	Weight    string `toml:"weight"`
	// FromRole and ToRole (optional) hold the replier's and the replied
	// author's roles.
	FromRole string `toml:"from_role"`
	ToRole   string `toml:"to_role"`
}

// NodesFileSpec lists the participants of an edge list (isolated ones
// included) and, optionally, a staff flag column.
type NodesFileSpec struct {
	Path       string   `toml:"path"`
	ID         string   `toml:"id"`
	Role       string   `toml:"role"`
	StaffRoles []string `toml:"staff_roles"`
}

func (a AnalysisSpec) discoverySpec(s *Spec) discovery.Spec {
	d := discovery.Spec{Name: a.Name, Kind: a.Kind, Dataset: a.Events, Seed: s.Experiment.Seed, Level: a.Level, FDR: a.FDR,
		MinGroupSize: s.Privacy.MinGroupSize, HoldoutShare: a.Holdout, KMin: a.KMin, KMax: a.KMax, Restarts: a.Restarts,
		StabilityReplicates: a.StabilityReplicates, Transform: a.Transform, WeekDays: a.WeekDays, GapMinutes: a.GapMinutes,
		MinSupport: a.MinSupport, MaxLength: a.MaxLength, Contiguous: a.Mode == "ngram", CollapseRepeats: true,
		MaxPatterns: a.MaxPatterns, MinConfidence: a.MinConfidence, MaxAntecedent: a.MaxAntecedent, Directed: true, Staff: a.Staff,
		StaffRoles: a.StaffRoles}
	if a.Nodes != nil {
		d.StaffRoles = append(slices.Clip(d.StaffRoles), a.Nodes.StaffRoles...)
	}
	if a.CutoffDay != nil {
		d.CutoffDay = *a.CutoffDay
	}
	if a.CollapseRepeats != nil {
		d.CollapseRepeats = *a.CollapseRepeats
	}
	if a.Directed != nil {
		d.Directed = *a.Directed
	}
	d.EdgeSource = "replies in the event log " + a.Events
	if a.Edges != nil {
		d.EdgeSource = "edge list " + filepath.Base(a.Edges.Path)
		if d.Dataset == "" {
			d.Dataset = filepath.Base(a.Edges.Path)
		}
	}
	return d
}

// checkAnalyses checks every [[analyses]] table before any data is read.
func (s *Spec) checkAnalyses(ps *problems) {
	seen := map[string]bool{}
	for i, a := range s.Analyses {
		key := fmt.Sprintf("analyses[%d]", i)
		if a.Name == "" {
			ps.add(key+".name", "missing")
		} else if msg := badPathPart(a.Name); msg != "" {
			ps.add(key+".name", "%s (names become parts of file names)", msg)
		} else if seen[a.Name] {
			ps.add(key+".name", "duplicate analysis name %q", a.Name)
		}
		seen[a.Name] = true
		if a.CutoffDay == nil {
			ps.add(key+".cutoff_day", "missing: every analysis is as of a cutoff day")
		}
		switch a.Kind {
		case discovery.KindArchetypes, discovery.KindSequences, discovery.KindRules, discovery.KindNetwork:
			if _, err := a.discoverySpec(s).WithDefaults(); err != nil {
				ps.add(key, "%v", err)
			}
		case "":
			ps.add(key+".kind", "missing: archetypes, sequences, rules or network")
		default:
			ps.add(key+".kind", "%q: want archetypes, sequences, rules or network", a.Kind)
		}
		s.checkStaffRoles(ps, key, a)
		if a.Mode != "" && a.Mode != "prefixspan" && a.Mode != "ngram" {
			ps.add(key+".mode", "must be \"prefixspan\" or \"ngram\", got %q", a.Mode)
		}
		if a.Edges != nil {
			if a.Kind != discovery.KindNetwork {
				ps.add(key+".edges", "only a network analysis reads an edge list")
			}
			if a.Edges.Path == "" || a.Edges.From == "" || a.Edges.To == "" {
				ps.add(key+".edges", "needs path, from and to")
			}
			if a.Edges.Timestamp != "" && a.Edges.Start == "" {
				ps.add(key+".edges.start", "missing: the day 0 of the timestamps")
			}
			if a.Nodes != nil && (a.Nodes.Path == "" || a.Nodes.ID == "") {
				ps.add(key+".nodes", "needs path and id")
			}
			if a.Events == "" {
				continue
			}
		} else if a.Nodes != nil {
			ps.add(key+".nodes", "a nodes file goes with an edge list (edges)")
		}
		found := false
		for _, d := range s.Datasets {
			if d.Name == a.Events {
				found = true
				if d.Kind != "events" {
					ps.add(key+".events", "%q is a %s dataset; name an events dataset (kind = \"events\")", a.Events, d.Kind)
				}
			}
		}
		if !found {
			ps.add(key+".events", "no events dataset named %q", a.Events)
		}
		for _, t := range a.Test {
			if slices.Contains(a.Train, t) {
				ps.add(key+".test", "term %q is also a training term", t)
			}
		}
		if a.Features {
			s.checkAnalysisFeatures(ps, key, a)
		}
	}
}

// checkStaffRoles checks the keys that flag staff by role: network
// analyses only, no empty role, and a source of roles for every role key
// given (a roster or role column without staff_roles, or staff_roles
// without any source of roles, would silently flag nobody).
func (s *Spec) checkStaffRoles(ps *problems, key string, a AnalysisSpec) {
	roleColumns := a.Edges != nil && (a.Edges.FromRole != "" || a.Edges.ToRole != "")
	if a.Kind != discovery.KindNetwork {
		if len(a.StaffRoles) > 0 {
			ps.add(key+".staff_roles", "only a network analysis leaves staff out")
		}
		if a.Roster != nil {
			ps.add(key+".roster", "only a network analysis reads a roster")
		}
		return
	}
	for j, r := range a.StaffRoles {
		if strings.TrimSpace(r) == "" {
			ps.add(key+".staff_roles", "entry %d is empty", j+1)
		}
	}
	if r := a.Roster; r != nil {
		if r.Path == "" || r.ID == "" || r.Role == "" {
			ps.add(key+".roster", "needs path, id and role")
		}
		if len(a.StaffRoles) == 0 {
			ps.add(key+".roster", "roles flag staff only with staff_roles: name the staff roles")
		}
	}
	if roleColumns && len(a.StaffRoles) == 0 {
		ps.add(key+".edges", "from_role and to_role flag staff only with staff_roles: name the staff roles")
	}
	if n := a.Nodes; n != nil && len(n.StaffRoles) > 0 && n.Role == "" {
		ps.add(key+".nodes.staff_roles", "needs nodes.role, the column holding each account's role")
	}
	if len(a.StaffRoles) == 0 || a.Roster != nil || roleColumns || (a.Nodes != nil && a.Nodes.Role != "") {
		return
	}
	for _, d := range s.Datasets {
		if d.Name != a.Events || a.Events == "" {
			continue
		}
		for _, src := range d.Sources {
			if src.Format == events.SourceXAPI || src.Format == events.SourceCaliper {
				return
			}
		}
	}
	ps.add(key+".staff_roles", "no source gives roles (only xAPI context.instructor and Caliper memberships do, and the events of %q are CSV): add roster = { path, id, role }, or role columns to the edge list (edges.from_role, edges.to_role) or its nodes file (nodes.role)", a.Events)
}

// checkAnalysisFeatures refuses analysis features that a model could
// evaluate on the students the analysis was fitted on.
func (s *Spec) checkAnalysisFeatures(ps *problems, key string, a AnalysisSpec) {
	if a.Kind != discovery.KindArchetypes && a.Kind != discovery.KindNetwork {
		ps.add(key+".features", "only archetypes and network analyses give model features")
		return
	}
	if a.Events == "" {
		ps.add(key+".features", "features join the events dataset's student table: name it in events")
		return
	}
	if a.Kind == discovery.KindArchetypes && len(a.Train) == 0 {
		ps.add(key+".features", "archetype features need explicit train terms (the centres are fitted on them only)")
		return
	}
	if a.Kind != discovery.KindArchetypes {
		return // centralities fit nothing to outcomes
	}
	for _, sp := range s.Splits {
		tested := append(append([]string(nil), sp.Test...), sp.Terms...)
		for _, t := range tested {
			if slices.Contains(a.Train, t) && !slices.Contains(sp.Train, t) {
				ps.add(key+".features", "the archetypes are fitted on term %q, which split %q tests on: leakage", t, sp.Name)
			}
		}
	}
}

// addAnalysisFeatures joins the feature columns of the analyses with
// features = true to their student tables' frames at the analysis cutoff
// and adds them to the tables' feature lists.
func addAnalysisFeatures(s *Spec, data []*loadedDataset, res []*discovery.Result) error {
	for i, a := range s.Analyses {
		if !a.Features {
			continue
		}
		var d Dataset
		for _, x := range s.Datasets {
			if x.Name == a.Events {
				d = x
			}
		}
		var target *loadedDataset
		for _, ld := range data {
			if ld.spec.Name == d.Join {
				target = ld
			}
		}
		if target == nil {
			return fmt.Errorf("analysis %q: student table %q not loaded", a.Name, d.Join)
		}
		ids := func(f *datasets.Frame) []string {
			if d.JoinOn == string(events.JoinKeys) {
				return f.Keys
			}
			return f.Students
		}
		row := map[string]int{}
		for r, id := range ids(target.frames[0]) {
			row[id] = r
		}
		cutoff := *a.CutoffDay
		joined := false
		frames := append([]*datasets.Frame(nil), target.frames...)
		frames = append(frames, target.unlabelled...)
		for _, f := range frames {
			if f == nil || f.Cutoff != cutoff {
				continue
			}
			joined = joined || !slices.Contains(target.unlabelled, f)
			for _, col := range res[i].Features {
				vals := make([]float64, f.Len())
				for k, id := range ids(f) {
					vals[k] = math.NaN()
					if r, ok := row[id]; ok {
						vals[k] = col.Values[r]
					}
				}
				f.Numeric = append(f.Numeric, datasets.NumericColumn{Name: col.Name, Values: vals})
			}
		}
		if !joined {
			return fmt.Errorf("analysis %q: dataset %q has no frame at day %d: add the day to its cutoff_days", a.Name, d.Join, cutoff)
		}
		for _, col := range res[i].Features {
			if !slices.Contains(target.numeric, col.Name) {
				target.numeric = append(target.numeric, col.Name)
			}
		}
	}
	return nil
}

// runAnalyses runs every analysis of the spec on the loaded data.
func runAnalyses(s *Spec, data []*loadedDataset, pseudo func(string) string) ([]*discovery.Result, error) {
	var out []*discovery.Result
	for i, a := range s.Analyses {
		where := fmt.Sprintf("analysis %q (%s:%d)", a.Name, s.File, s.lines.line(fmt.Sprintf("analyses[%d]", i)))
		in, err := analysisInput(s, a, data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		in.Pseudonym = pseudo
		r, err := discovery.Run(a.discoverySpec(s), in)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// analysisInput loads the population (the joined student table) and the
// event log, or the edge list, of an analysis, and the accounts' roles from
// its roster, edge list and nodes file.
func analysisInput(s *Spec, a AnalysisSpec, data []*loadedDataset) (discovery.Input, error) {
	in, err := analysisData(s, a, data)
	if err != nil {
		return in, err
	}
	if a.Roster != nil {
		if err := readRoster(s, a.Roster, in.Roles); err != nil {
			return in, err
		}
	}
	return in, nil
}

func analysisData(s *Spec, a AnalysisSpec, data []*loadedDataset) (discovery.Input, error) {
	pop := &discovery.Population{}
	if a.Events == "" { // an edge list alone
		return edgeInput(s, a, pop)
	}
	var d Dataset
	for _, x := range s.Datasets {
		if x.Name == a.Events {
			d = x
		}
	}
	var target *loadedDataset
	for _, ld := range data {
		if ld.spec.Name == d.Join {
			target = ld
		}
	}
	if target == nil || len(target.frames) == 0 {
		return discovery.Input{}, fmt.Errorf("student table %q not loaded", d.Join)
	}
	f := target.frames[0]
	ids := f.Students
	if d.JoinOn == string(events.JoinKeys) {
		ids = f.Keys
	}
	test := map[string]bool{}
	for _, t := range a.Test {
		test[t] = true
	}
	train := map[string]bool{}
	for _, t := range a.Train {
		train[t] = true
	}
	for i := range ids {
		role := discovery.Excluded
		switch {
		case test[f.Terms[i]]:
			role = discovery.Test
		case len(train) == 0 || train[f.Terms[i]]:
			role = discovery.Train
		}
		pop.Keys = append(pop.Keys, ids[i])
		pop.Terms = append(pop.Terms, f.Terms[i])
		pop.Outcome = append(pop.Outcome, int8(f.Labels[i]))
		pop.Role = append(pop.Role, role)
	}
	sym := events.NewSymbols()
	var startMS int64
	if d.Window.Start != "" {
		t, err := parseTermTime(d.Window.Start, d.Window.TimeZone)
		if err != nil {
			return discovery.Input{}, fmt.Errorf("window.start: %w", err)
		}
		startMS = t.UnixMilli()
	}
	c := discovery.NewCollector(pop, sym, startMS)
	if r := d.Resources; r != nil {
		table, err := events.ReadResourceTableFile(s.ResolvePath(r.Path), r.ID, r.Type, r.Course)
		if err != nil {
			return discovery.Input{}, err
		}
		c.ResourceTypes = table.Types
	}
	for _, src := range d.Sources {
		if err := readAnalysisSource(s.ResolvePath(src.Path), src, sym, c); err != nil {
			return discovery.Input{}, err
		}
	}
	in := discovery.Input{Population: pop, Log: c.Log, Roles: map[string][]string{}}
	if a.Edges != nil {
		edges, _, err := readEdgeFile(s, a, in.Roles)
		if err != nil {
			return discovery.Input{}, err
		}
		in.Edges = edges
	}
	return in, nil
}

// readAnalysisSource reads every file of an events source into the
// collector.
func readAnalysisSource(path string, src events.Source, sym *events.Symbols, c *discovery.Collector) error {
	paths, err := filepath.Glob(path)
	if err != nil || len(paths) == 0 {
		return fmt.Errorf("events source %q: no such file", path)
	}
	slices.Sort(paths)
	for _, p := range paths {
		switch src.Format {
		case "", events.SourceCSV:
			_, err = events.ReadCSVFile(p, src.Columns, sym, c)
		case events.SourceXAPI:
			_, err = events.ReadXAPIFile(p, sym, c)
		case events.SourceCaliper:
			_, err = events.ReadCaliperFile(p, sym, c)
		default:
			return fmt.Errorf("events source %q: format %q is not read by analyses (csv, xapi or caliper)", p, src.Format)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// edgeInput reads an edge list and, when given, its nodes file as the
// population (outcomes unknown, all in one training term "all").
func edgeInput(s *Spec, a AnalysisSpec, pop *discovery.Population) (discovery.Input, error) {
	roles := map[string][]string{}
	edges, nodes, err := readEdgeFile(s, a, roles)
	if err != nil {
		return discovery.Input{}, err
	}
	if nodes == nil {
		seen := map[string]bool{}
		for _, e := range edges {
			for _, n := range []string{e.From, e.To} {
				if !seen[n] {
					seen[n] = true
					nodes = append(nodes, n)
				}
			}
		}
	}
	for _, n := range nodes {
		pop.Keys = append(pop.Keys, n)
		pop.Terms = append(pop.Terms, "all")
		pop.Outcome = append(pop.Outcome, -1)
		pop.Role = append(pop.Role, discovery.Train)
	}
	return discovery.Input{Population: pop, Edges: edges, Roles: roles}, nil
}

// addRole records that account has role (once; blank roles are not
// recorded).
func addRole(roles map[string][]string, account, role string) {
	role = strings.TrimSpace(role)
	if role != "" && !slices.Contains(roles[account], role) {
		roles[account] = append(roles[account], role)
	}
}

// readRoster adds the roster's accounts' roles to roles.
func readRoster(s *Spec, r *RosterFileSpec, roles map[string][]string) error {
	t, err := readCSVTable(s.ResolvePath(r.Path))
	if err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	id, role := t.Column(r.ID), t.Column(r.Role)
	if id < 0 || role < 0 {
		return fmt.Errorf("roster %s: no column %q or %q", r.Path, r.ID, r.Role)
	}
	for i, row := range t.Rows {
		acc := strings.TrimSpace(row[id])
		if acc == "" {
			return fmt.Errorf("roster %s:%d: empty %s", r.Path, i+2, r.ID)
		}
		addRole(roles, acc, row[role])
	}
	return nil
}

// readEdgeFile reads the analysis's edge list, and its nodes file (nil
// without one); the roles in the edge list's role columns and the nodes
// file's role column are added to roles.
func readEdgeFile(s *Spec, a AnalysisSpec, roles map[string][]string) (edgeList []discovery.EdgeRecord, nodeList []string, err error) {
	e := a.Edges
	t, err := readCSVTable(s.ResolvePath(e.Path))
	if err != nil {
		return nil, nil, err
	}
	from, to := t.Column(e.From), t.Column(e.To)
	if from < 0 || to < 0 {
		return nil, nil, fmt.Errorf("%s: no column %q or %q", e.Path, e.From, e.To)
	}
	ts, wcol, fromRole, toRole := -1, -1, -1, -1
	for _, c := range []struct {
		name string
		idx  *int
	}{{e.Timestamp, &ts}, {e.Weight, &wcol}, {e.FromRole, &fromRole}, {e.ToRole, &toRole}} {
		if c.name != "" {
			if *c.idx = t.Column(c.name); *c.idx < 0 {
				return nil, nil, fmt.Errorf("%s: no column %q", e.Path, c.name)
			}
		}
	}
	start, err := parseEdgeTime(e.Start)
	if e.Timestamp != "" && err != nil {
		return nil, nil, fmt.Errorf("edges.start: %w", err)
	}
	var out []discovery.EdgeRecord
	for i, row := range t.Rows {
		line := i + 2
		r := discovery.EdgeRecord{From: strings.TrimSpace(row[from]), To: strings.TrimSpace(row[to])}
		if r.From == "" || r.To == "" {
			return nil, nil, fmt.Errorf("%s:%d: empty %s or %s", e.Path, line, e.From, e.To)
		}
		if fromRole >= 0 {
			addRole(roles, r.From, row[fromRole])
		}
		if toRole >= 0 {
			addRole(roles, r.To, row[toRole])
		}
		if ts >= 0 && row[ts] != "" {
			when, err := parseEdgeTime(row[ts])
			if err != nil {
				return nil, nil, fmt.Errorf("%s:%d: %s: %w", e.Path, line, e.Timestamp, err)
			}
			r.Day, r.HasDay = int(when.Sub(start).Hours()/24), true
			if when.Before(start) {
				r.Day = -1 - int(start.Sub(when).Hours()/24)
			}
		}
		if wcol >= 0 {
			if _, err := fmt.Sscan(row[wcol], &r.Weight); err != nil || !(r.Weight > 0) {
				return nil, nil, fmt.Errorf("%s:%d: %s %q is not a positive number", e.Path, line, e.Weight, row[wcol])
			}
		}
		out = append(out, r)
	}
	if a.Nodes == nil {
		return out, nil, nil
	}
	nt, err := readCSVTable(s.ResolvePath(a.Nodes.Path))
	if err != nil {
		return nil, nil, err
	}
	id, role := nt.Column(a.Nodes.ID), -1
	if id < 0 {
		return nil, nil, fmt.Errorf("%s: no column %q", a.Nodes.Path, a.Nodes.ID)
	}
	if a.Nodes.Role != "" {
		if role = nt.Column(a.Nodes.Role); role < 0 {
			return nil, nil, fmt.Errorf("%s: no column %q", a.Nodes.Path, a.Nodes.Role)
		}
	}
	var nodes []string
	for _, row := range nt.Rows {
		n := strings.TrimSpace(row[id])
		if role >= 0 {
			addRole(roles, n, row[role])
		}
		nodes = append(nodes, n)
	}
	return out, nodes, nil
}

// csvTable is a small CSV file read whole.
type csvTable struct {
	header []string
	Rows   [][]string
}

func (t *csvTable) Column(name string) int { return slices.Index(t.header, name) }

func readCSVTable(path string) (*csvTable, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: empty file", path)
	}
	return &csvTable{header: rows[0], Rows: rows[1:]}, nil
}

// parseEdgeTime reads an RFC 3339 time, a date-time without zone (UTC) or
// a date.
func parseEdgeTime(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, strings.TrimSpace(v)); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q: want RFC 3339, YYYY-MM-DDTHH:MM[:SS] or YYYY-MM-DD", v)
}

func analysesReadEdgesOnly(s *Spec) bool {
	for _, a := range s.Analyses {
		if a.Events != "" {
			return false
		}
	}
	return true
}

// DiscoveryOnly returns a copy of the spec that runs only its [[analyses]]
// (evalrun discover): models, splits and pilots are left out. It is an
// error when the spec has no analysis.
func DiscoveryOnly(s *Spec) (*Spec, error) {
	if len(s.Analyses) == 0 {
		return nil, fmt.Errorf("%s: no [[analyses]] to run", s.File)
	}
	c := *s
	c.Models, c.Splits, c.Abtests = nil, nil, nil
	c.Fairness = FairnessSpec{}
	return &c, nil
}
