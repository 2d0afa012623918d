package harness

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/events"
	"github.com/evalrun/evalrun/results"
	"github.com/evalrun/evalrun/sources/pgsrc"
)

// EventsTerm is the term window of a timestamped event log: start (day 0)
// and optional end, as "2024-09-02" or an RFC 3339 time, in TimeZone.
type EventsTerm struct {
	Start    string `toml:"start"`
	End      string `toml:"end"`
	TimeZone string `toml:"time_zone"`
}

// EventsResources is a resource table (id -> type, optionally course),
// like OULAD's vle.csv.
type EventsResources struct {
	Path   string   `toml:"path"`
	ID     string   `toml:"id"`
	Type   string   `toml:"type"`
	Course []string `toml:"course"`
}

// FeatureSpec is one top-level [[features]] table: an engagement feature
// block of an events dataset (its keys are those of events.Feature).
type FeatureSpec struct {
	// Dataset names the events dataset (default: the only one).
	Dataset        string `toml:"dataset"`
	events.Feature `toml:""`
}

// decodeEventsCleaning decodes each events dataset's [cleaning] table over
// the default rules (a key left out keeps its default).
func (s *Spec) decodeEventsCleaning(md toml.MetaData) error {
	for i := range s.Datasets {
		d := &s.Datasets[i]
		if d.Kind != "events" {
			continue
		}
		d.cleaning = events.DefaultCleaning()
		if _, ok := s.lines[fmt.Sprintf("datasets[%d].cleaning", i)]; ok {
			if err := md.PrimitiveDecode(d.CleaningRaw, &d.cleaning); err != nil {
				return fmt.Errorf("datasets[%d].cleaning: %w", i, err)
			}
		}
	}
	return nil
}

func (s *Spec) checkEvents(ps *problems, key string, d Dataset) {
	if d.Join == "" {
		ps.add(key+".join", "missing: the student-table dataset whose rows get the engagement features")
	} else {
		found := false
		for _, other := range s.Datasets {
			if other.Name == d.Join {
				found = true
				if other.Kind == "events" {
					ps.add(key+".join", "%q is an events dataset; join a student table (csv, oulad)", d.Join)
				}
			}
		}
		if !found {
			ps.add(key+".join", "no dataset named %q", d.Join)
		}
	}
	if d.JoinOn != "" && d.JoinOn != string(events.JoinStudents) && d.JoinOn != string(events.JoinKeys) {
		ps.add(key+".join_on", "must be \"student\" or \"key\", got %q", d.JoinOn)
	}
	if len(d.Sources) == 0 {
		ps.add(key+".sources", "missing: at least one [[datasets.sources]] with a path")
	}
	for j, src := range d.Sources {
		skey := fmt.Sprintf("%s.sources[%d]", key, j)
		if src.Format == events.SourcePostgres {
			checkPostgresSource(ps, skey, pgsrc.Source{ConnectionEnv: src.ConnectionEnv, Table: src.Table, Query: src.Query}, src.Path)
			continue
		}
		if src.Path == "" {
			ps.add(skey+".path", "missing")
		}
		if src.Table != "" || src.Query != "" || src.ConnectionEnv != "" {
			ps.add(skey, "table, query and connection_env are only for format = \"postgres\"")
		}
		switch src.Format {
		case "", events.SourceCSV, events.SourceXAPI, events.SourceCaliper, events.SourceParquet:
		default:
			ps.add(skey+".format", "must be \"csv\", \"parquet\", \"postgres\", \"xapi\" or \"caliper\", got %q", src.Format)
		}
	}
	if len(d.CutoffDays) == 0 {
		ps.add(key+".cutoff_days", "missing: at least one prediction day")
	}
	if d.Window.TimeZone != "" {
		if _, err := time.LoadLocation(d.Window.TimeZone); err != nil {
			ps.add(key+".window.time_zone", "unknown time zone %q (an IANA name such as \"Europe/London\")", d.Window.TimeZone)
		}
	}
	var start, end time.Time
	var startErr, endErr error
	if d.Window.Start != "" {
		if start, startErr = parseTermTime(d.Window.Start, d.Window.TimeZone); startErr != nil && !strings.HasPrefix(startErr.Error(), "time zone") {
			ps.add(key+".window.start", "%v", startErr)
		}
	} else if d.Window.TimeZone != "" {
		ps.add(key+".window.time_zone", "used only with window.start (the term's day 0 in that zone): give start too")
	}
	if d.Window.End != "" {
		if end, endErr = parseTermTime(d.Window.End, d.Window.TimeZone); endErr != nil && !strings.HasPrefix(endErr.Error(), "time zone") {
			ps.add(key+".window.end", "%v", endErr)
		}
	}
	if d.Window.Start != "" && d.Window.End != "" && startErr == nil && endErr == nil && !end.After(start) {
		ps.add(key+".window.end", "%s is not after window.start %s", d.Window.End, d.Window.Start)
	}
	if d.Resources != nil && (d.Resources.Path == "" || d.Resources.ID == "" || d.Resources.Type == "") {
		ps.add(key+".resources", "needs path, id and type (the resource id and type columns)")
	}
	for _, k := range []struct {
		name string
		set  bool
	}{{"path", d.Path != ""}, {"features", len(d.Features) > 0}, {"groups", len(d.Groups) > 0}, {"positive", len(d.Positive) > 0}} {
		if k.set {
			ps.add(key+"."+k.name, "not used by kind \"events\" (the joined dataset has its own)")
		}
	}
}

// parseTermTime reads "2024-09-02" (midnight in zone) or an RFC 3339 time.
func parseTermTime(v, zone string) (time.Time, error) {
	loc := time.UTC
	if zone != "" {
		l, err := time.LoadLocation(zone)
		if err != nil {
			return time.Time{}, fmt.Errorf("time zone %q: %v", zone, err)
		}
		loc = l
	}
	if t, err := time.ParseInLocation("2006-01-02", v, loc); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("want a date (2024-09-02) or an RFC 3339 time, got %q", v)
	}
	return t, nil
}

// eventFeatures returns the [[features]] blocks of one events dataset
// (nil: every kind with its defaults).
func (s *Spec) eventFeatures(name string) []events.Feature {
	var out []events.Feature
	for _, f := range s.EventFeatures {
		if f.Dataset == "" || f.Dataset == name {
			out = append(out, f.Feature)
		}
	}
	return out
}

// joinEvents builds each events dataset's engagement features and joins
// them to the frames of its student table. A table without cutoffs (csv)
// gets one frame per cutoff of the log; a table with cutoffs must have
// the same ones.
func joinEvents(env sourceEnv, s *Spec, data []*loadedDataset) ([]*loadedDataset, error) {
	byName := map[string]*loadedDataset{}
	for _, ld := range data {
		byName[ld.spec.Name] = ld
	}
	for i, d := range s.Datasets {
		if d.Kind != "events" {
			continue
		}
		target := byName[d.Join]
		where := fmt.Sprintf("dataset %q (%s:%d)", d.Name, s.File, s.lines.line(fmt.Sprintf("datasets[%d]", i)))
		frames, err := cutoffFrames(target, d.CutoffDays)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		on := events.JoinOn(d.JoinOn)
		if on == "" {
			on = events.JoinStudents
		}
		ids := frames[0].Students
		if on == events.JoinKeys {
			ids = frames[0].Keys
		}
		opts := events.Options{
			Name: d.Name, Cutoffs: d.CutoffDays, Students: uniqueStrings(ids), Cleaning: d.cleaning,
			Features: s.eventFeatures(d.Name), SortInMemory: d.SortInMemory,
		}
		if d.Window.Start != "" {
			opts.Term.Start, _ = parseTermTime(d.Window.Start, d.Window.TimeZone)
			opts.Term.TimeZone = d.Window.TimeZone
		}
		if d.Window.End != "" {
			opts.Term.End, _ = parseTermTime(d.Window.End, d.Window.TimeZone)
		}
		if r := d.Resources; r != nil {
			table, err := events.ReadResourceTableFile(s.ResolvePath(r.Path), r.ID, r.Type, r.Course)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			opts.Resources = table
		}
		b, err := events.NewBuilder(opts)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		var files []datasets.FileInfo
		for _, src := range d.Sources {
			src.Path = s.ResolvePath(src.Path)
			read, err := readEventSource(env, b, src)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			files = append(files, read...)
		}
		res, err := b.Finish()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		for _, f := range frames {
			if err := res.JoinFrame(f, on, d.ByCourse); err != nil {
				return nil, fmt.Errorf("%s: joining cutoff %d: %w", where, f.Cutoff, err)
			}
			f.Report.Files = append(f.Report.Files, files...)
			f.Report.Notes = append(f.Report.Notes, res.Notes...)
		}
		target.frames = frames
		target.events = append(target.events, joinedLog{name: d.Name, on: on, result: res})
	}
	return data, nil
}

// joinedLog is an events dataset joined to a student table.
type joinedLog struct {
	name   string
	on     events.JoinOn
	result *events.Result
}

// EventsDescription is the descriptive analytics of one events dataset.
type EventsDescription = results.EventLog

// Describe loads the spec's data and describes each events dataset: its
// engagement per student, activity timeline, resource-type by week heatmap,
// largest drops, students who stopped, and engagement patterns with the
// joined table's at-risk rates. Student keys are pseudonymized unless the
// spec shows real identifiers (privacy.show_ids), with the run's key.
func Describe(s *Spec, getenv func(string) string) ([]EventsDescription, error) {
	return DescribeTerms(s, getenv, nil)
}

// DescribeTerms is Describe limited to the students of terms (all terms
// when empty) of each joined table. Either way, students of terms in
// which the log holds no event at all are left out (and a warning says
// so) rather than counted as never active: a log of one term joined to a
// table of several says nothing about the others. A spec for describe
// needs no [[models]] or [[splits]].
func DescribeTerms(s *Spec, getenv func(string) string, terms []string) ([]EventsDescription, error) {
	if err := checkPseudonymKey(s, getenv); err != nil {
		return nil, err
	}
	data, err := loadAndValidate(s)
	if err != nil {
		return nil, err
	}
	out, err := describeLogsIn(s, data, getenv, terms)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no events dataset to describe (declare a [[datasets]] with kind = \"events\")", s.File)
	}
	return out, nil
}

// describeLogs describes the event logs joined to the loaded datasets.
func describeLogs(s *Spec, data []*loadedDataset, getenv func(string) string) ([]EventsDescription, error) {
	return describeLogsIn(s, data, getenv, nil)
}

// describeStudents returns the students a log describes: those of the
// requested terms (all when none), less the terms in which no student
// has an event; the warnings name what was left out. An error names a
// requested term the table does not hold.
func describeStudents(r *events.Result, ids, terms []string, want []string, dataset string) (map[string]bool, []string, error) {
	d, err := r.Describe(events.DescribeOptions{})
	if err != nil {
		return nil, nil, err
	}
	active := map[string]bool{}
	for _, st := range d.Students {
		if st.ActiveDays > 0 {
			active[st.Student] = true
		}
	}
	byTerm := map[string][]string{}
	var order []string
	for i, id := range ids {
		t := terms[i]
		if _, ok := byTerm[t]; !ok {
			order = append(order, t)
		}
		byTerm[t] = append(byTerm[t], id)
	}
	for _, t := range want {
		if _, ok := byTerm[t]; !ok {
			return nil, nil, fmt.Errorf("describe: dataset %q has no term %q (terms: %s)", dataset, t, strings.Join(order, ", "))
		}
	}
	keep := map[string]bool{}
	var silent []string
	left := 0
	for _, t := range order {
		if len(want) > 0 && !slices.Contains(want, t) {
			continue
		}
		any := false
		for _, id := range byTerm[t] {
			any = any || active[id]
		}
		if !any {
			silent = append(silent, t)
			left += len(byTerm[t])
			continue
		}
		for _, id := range byTerm[t] {
			keep[id] = true
		}
	}
	if len(want) == 0 {
		// Students seen only in the log have no term: keep them.
		inTable := make(map[string]bool, len(ids))
		for _, id := range ids {
			inTable[id] = true
		}
		for _, st := range d.Students {
			if !inTable[st.Student] {
				keep[st.Student] = true
			}
		}
	}
	var warnings []string
	if len(silent) > 0 {
		warnings = append(warnings, fmt.Sprintf("%d students of term(s) %s left out: the log holds no event of any student of those terms", left, strings.Join(silent, ", ")))
	}
	return keep, warnings, nil
}

// describeLogsIn describes the event logs joined to the loaded datasets,
// limited to the students of terms (all when empty), leaving out terms
// without any event (see DescribeTerms).
func describeLogsIn(s *Spec, data []*loadedDataset, getenv func(string) string, terms []string) ([]EventsDescription, error) {
	keyOf := func(id string) string { return id }
	if !s.Privacy.ShowIDs {
		keyOf = pseudonymMapper(s, getenv).Pseudonym
	}
	var out []EventsDescription
	for _, ld := range data {
		for _, log := range ld.events {
			f := ld.frames[0]
			ids := f.Students
			if log.on == events.JoinKeys {
				ids = f.Keys
			}
			outcomes := make(map[string]uint8, len(ids))
			for i, id := range ids {
				outcomes[id] = f.Labels[i]
			}
			keep, notes, err := describeStudents(log.result, ids, f.Terms, terms, ld.spec.Name)
			if err != nil {
				return nil, err
			}
			d, err := log.result.Describe(events.DescribeOptions{Outcomes: outcomes, Students: keep})
			if err != nil {
				return nil, fmt.Errorf("describing %q: %w", log.name, err)
			}
			d.Warnings = append(d.Warnings, notes...)
			for i := range d.Students {
				d.Students[i].Student = keyOf(d.Students[i].Student)
			}
			for i := range d.Stopped {
				d.Stopped[i].Student = keyOf(d.Stopped[i].Student)
			}
			suppressSmallPatterns(d, s.Privacy.MinGroupSize)
			out = append(out, EventsDescription{Dataset: log.name, Joined: ld.spec.Name, Description: d, Cleaning: log.result.Report.Rules})
		}
	}
	return out, nil
}

// cutoffFrames returns the target's frames for the given cutoffs: copies of
// its single frame when it has no cutoffs, else its own frames, which must
// match the cutoffs.
func cutoffFrames(target *loadedDataset, cutoffs []int) ([]*datasets.Frame, error) {
	if len(target.frames) == 1 && target.frames[0].Cutoff == datasets.NoCutoff {
		var out []*datasets.Frame
		for _, c := range cutoffs {
			f := cloneFrame(target.frames[0])
			f.Cutoff = c
			out = append(out, f)
		}
		return out, nil
	}
	var have []int
	for _, f := range target.frames {
		have = append(have, f.Cutoff)
	}
	if !slices.Equal(have, cutoffs) {
		return nil, fmt.Errorf("cutoff_days %v differ from those of dataset %q (%v)", cutoffs, target.spec.Name, have)
	}
	return target.frames, nil
}

// cloneFrame copies a frame's column lists and report so columns can be
// appended to the copy; column values are shared (never modified).
func cloneFrame(f *datasets.Frame) *datasets.Frame {
	c := *f
	c.Numeric = slices.Clone(f.Numeric)
	c.Categorical = slices.Clone(f.Categorical)
	c.Report.Files = slices.Clone(f.Report.Files)
	c.Report.Cleaning = slices.Clone(f.Report.Cleaning)
	c.Report.Notes = slices.Clone(f.Report.Notes)
	return &c
}

func uniqueStrings(v []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range v {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// suppressSmallPatterns removes engagement patterns shared by fewer than
// min students: their outcome rates would disclose those students'
// outcomes. The description says how many were suppressed.
func suppressSmallPatterns(d *events.Description, min int) {
	kept := d.Patterns[:0]
	suppressed, students := 0, 0
	for _, p := range d.Patterns {
		if p.Students < min {
			suppressed++
			students += p.Students
			continue
		}
		kept = append(kept, p)
	}
	d.Patterns = kept
	if suppressed > 0 {
		d.Warnings = append(d.Warnings, fmt.Sprintf("%d engagement patterns shared by fewer than %d students (%d students in all) suppressed (privacy.min_group_size)", suppressed, min, students))
	}
}
