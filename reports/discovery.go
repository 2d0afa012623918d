package reports

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"sort"
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/evalrun/evalrun/discovery"
	"github.com/evalrun/evalrun/results"
)

// sectionDiscovery is the id of the discovery section.
const sectionDiscovery = "discovery"

func archetypePlotName(analysis string) string { return "plots/archetypes_" + slug(analysis) }

// discoveryPlots renders each analysis's plot: archetypes' mean weekly
// profiles, sequences' supports by outcome, rules' confidence against
// support, the network's at-risk rates by connectedness.
func discoveryPlots(run *results.Run, withPNG bool) ([]*renderedPlot, error) {
	var out []*renderedPlot
	for _, d := range run.Discoveries {
		if d == nil {
			continue
		}
		var other func(*discovery.Result, bool) (*renderedPlot, error)
		switch {
		case d.Sequences != nil:
			other = sequencePlot
		case d.Rules != nil:
			other = rulePlot
		case d.Network != nil:
			other = networkPlot
		}
		if other != nil {
			p, err := other(d, withPNG)
			if err != nil {
				return nil, fmt.Errorf("analysis %s: %w", d.Name, err)
			}
			if p != nil {
				out = append(out, p)
			}
			continue
		}
		if d.Archetypes == nil || len(d.Archetypes.Archetypes) == 0 {
			continue
		}
		a := d.Archetypes
		p := newPlot("Archetypes: "+d.Name, fmt.Sprintf("Week (of %d days) up to day %d", a.WeekDays, d.CutoffDay), "Mean events per student")
		p.Add(plotter.NewGrid())
		var parts []string
		for i, x := range a.Archetypes {
			xys := make(plotter.XYs, len(x.Profile))
			for w, v := range x.Profile {
				xys[w] = plotter.XY{X: float64(w), Y: v}
			}
			ln, err := plotter.NewLine(xys)
			if err != nil {
				return nil, err
			}
			st := styleOf(i)
			ln.Color, ln.Dashes, ln.Width = st.Color, st.Dashes, vg.Points(1.5)
			p.Add(ln)
			p.Legend.Add(fmt.Sprintf("%s (%d)", x.Name, x.Size), ln)
			parts = append(parts, fmt.Sprintf("%s, %d students, busiest week %d", x.Name, x.Size, x.PeakWeek))
		}
		p.Legend.Top = true
		p.Y.Min = 0
		desc := fmt.Sprintf("Mean weekly events of the %d archetypes of %s (training terms %s): %s.", a.K, d.Dataset, strings.Join(d.TrainTerms, ", "), strings.Join(parts, "; "))
		r, err := render(archetypePlotName(d.Name), "Archetypes: "+d.Name, desc, single(p), withPNG)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func optNum(v *float64, digits int) string {
	if v == nil {
		return "–"
	}
	return dec(*v, digits)
}

func pctOf(v float64) string { return dec(100*v, 0) + "%" }

// discoverySections renders the [[analyses]] results.
func discoverySections(run *results.Run, plots map[string]*renderedPlot) []docSection {
	if len(run.Discoveries) == 0 {
		return nil
	}
	s := docSection{ID: sectionDiscovery, Title: "Discovery"}
	s.text("The spec's discovery analyses, each as of its cutoff day and fitted on the training terms only. Every finding carries its uncertainty (intervals, permutation or Fisher p-values with Benjamini-Hochberg adjustment) and its replication on held-out students. The CSV files under discovery/ hold every row; results.json (discoveries) the full results.")
	for _, d := range run.Discoveries {
		if d == nil {
			continue
		}
		s.heading(fmt.Sprintf("%s (%s)", d.Name, d.Kind))
		s.text("%s as of day %d; fitted on %d students of %s; held out: %d (%s).", d.Dataset, d.CutoffDay, d.Students, strings.Join(d.TrainTerms, ", "), d.HeldOut, orDash(d.HeldOutFrom))
		if len(d.Notes) > 0 {
			s.items(d.Notes)
		}
		if len(d.Warnings) > 0 {
			var w []string
			for _, x := range d.Warnings {
				w = append(w, "Warning: "+x)
			}
			s.items(w)
		}
		switch {
		case d.Archetypes != nil:
			archetypeBlocks(&s, d, plots)
		case d.Sequences != nil:
			sequenceBlocks(&s, d, plots)
		case d.Rules != nil:
			ruleBlocks(&s, d, plots)
		case d.Network != nil:
			networkBlocks(&s, d, plots)
		}
	}
	return []docSection{s}
}

func orDash(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func archetypeBlocks(s *docSection, d *discovery.Result, plots map[string]*renderedPlot) {
	a := d.Archetypes
	s.text("k-means (k-means++, restarts from separate seeds) on %s weekly event counts over %d weeks; k = %d chosen by silhouette among the k whose archetypes all have a bootstrap Jaccard of at least 0.6 (Hennig: below 0.6 unstable, 0.75 and above stable). Names follow the shape rules of docs/discovery.md.", a.Transform, a.Weeks, a.K)
	t := newTable("Candidate numbers of archetypes", "k", "silhouette", "ARI across seeds", "least stable Jaccard", "sizes", "chosen").numeric(0, 1, 2, 3)
	for _, c := range a.Candidates {
		var sizes []string
		for _, z := range c.Sizes {
			sizes = append(sizes, fmt.Sprint(z))
		}
		ch := ""
		if c.Chosen {
			ch = "yes"
		}
		t.add(fmt.Sprint(c.K), optNum(c.Silhouette, 3), optNum(c.SeedARI, 3), optNum(c.MinStability, 3), strings.Join(sizes, "/"), ch)
	}
	s.table(t)
	at := newTable("Archetypes (training terms)", "archetype", "students", "Jaccard", "stability", "level", "early", "late", "peak week").numeric(1, 2, 4, 5, 6, 7)
	for _, x := range a.Archetypes {
		at.add(x.Name, fmt.Sprint(x.Size), optNum(x.Stability, 2), x.Verdict, dec(x.Level, 2), dec(x.Early, 2), dec(x.Late, 2), fmt.Sprint(x.PeakWeek))
	}
	s.table(at)
	if p := plots[archetypePlotName(d.Name)]; p != nil {
		s.figure(p)
	}
	ot := newTable("At-risk rate per archetype, overall and per term (Wilson intervals; test terms assigned by the training centres)", "archetype", "term", "students", "at risk", "rate", "interval").numeric(2, 3, 4)
	for _, o := range a.Outcomes {
		term := "all"
		if o.Term != "" {
			term = o.Term + " (" + o.Role + ")"
		}
		if o.Suppressed {
			ot.add(o.Archetype, term, "suppressed", "", "", "")
			continue
		}
		iv := ""
		if o.Lower != nil {
			iv = "[" + pctOf(*o.Lower) + ", " + pctOf(*o.Upper) + "]"
		}
		rate := "–"
		if o.Rate != nil {
			rate = pctOf(*o.Rate)
		}
		ot.add(o.Archetype, term, fmt.Sprint(o.Size), fmt.Sprint(o.AtRisk), rate, iv)
	}
	s.table(ot)
}

func sequenceBlocks(s *docSection, d *discovery.Result, plots map[string]*renderedPlot) {
	q := d.Sequences
	s.text("Sessions split at inactivity gaps over %d minutes (%d sessions); %s patterns up to %d actions supported by at least %s of the students (a student counts once): %d tested, %d differ between at-risk and other students (exact label-permutation test, Benjamini-Hochberg), %d confirmed on the held-out students (same direction, Fisher p ≤ 0.05).",
		q.GapMinutes, q.Sessions, q.Mode, q.MaxLength, pctOf(q.MinSupport), q.Tested, q.Significant, q.Confirmed)
	var items []string
	for _, p := range q.Patterns {
		if p.Significant {
			status := "not confirmed"
			if p.Confirmed {
				status = "confirmed on held-out students"
			}
			items = append(items, fmt.Sprintf("%s (q = %s; %s)", p.Sentence, dec(p.Q, 4), status))
		}
	}
	if len(items) > 0 {
		s.items(items)
	}
	t := newTable("Patterns with the smallest p-values", "pattern", "at risk", "others", "q", "held out: at risk", "held out: others", "confirmed").numeric(1, 2, 3, 4, 5)
	for _, p := range q.Patterns {
		conf := ""
		if p.Confirmed {
			conf = "yes"
		}
		t.add(strings.Join(p.Pattern, " → "), pctOf(p.ShareAtRisk), pctOf(p.ShareOther), dec(p.Q, 4), optPct(p.HeldOutShareAtRisk), optPct(p.HeldOutShareOther), conf)
	}
	s.table(t)
	if p := plots[sequencePlotName(d.Name)]; p != nil {
		s.figure(p)
	}
}

func optPct(v *float64) string {
	if v == nil {
		return "–"
	}
	return pctOf(*v)
}

func ruleBlocks(s *docSection, d *discovery.Result, plots map[string]*renderedPlot) {
	r := d.Rules
	s.text("Class association rules with the outcome as consequent over items \"high <feature>\" (above the training median), support ≥ %s and confidence ≥ %s; Fisher's exact p per rule, Benjamini-Hochberg across rules, confirmation on the held-out students (lift on the same side of 1, Fisher p ≤ 0.05). Conviction is undefined (–) at confidence 1.", pctOf(r.MinSupport), pctOf(r.MinConf))
	t := newTable("Rules with the smallest p-values", "rule", "students", "confidence", "lift", "leverage", "conviction", "q", "held-out confidence", "confirmed").numeric(1, 2, 3, 4, 5, 6, 7)
	for i, x := range r.Rules {
		if i == 20 {
			break
		}
		conf := ""
		if x.Confirmed {
			conf = "yes"
		}
		t.add(strings.Join(x.Antecedent, " + ")+" → "+x.Consequent, fmt.Sprint(x.Students), pctOf(x.Confidence), dec(x.Lift, 2), dec(x.Leverage, 3), optNum(x.Conviction, 2), dec(x.Q, 4), optPct(x.HeldOutConfidence), conf)
	}
	s.table(t)
	if p := plots[rulePlotName(d.Name)]; p != nil {
		s.figure(p)
	}
	correlationTable(s, "Rank correlations of engagement with the at-risk outcome (training students)", r.Correlations)
}

func correlationTable(s *docSection, caption string, cs []discovery.CorrelationResult) {
	if len(cs) == 0 {
		return
	}
	sorted := append([]discovery.CorrelationResult(nil), cs...)
	sort.SliceStable(sorted, func(a, b int) bool { return qOf(sorted[a]) < qOf(sorted[b]) })
	t := newTable(caption, "feature", "n", "Spearman rho", "q", "Kendall tau-b", "q", "significant").numeric(1, 2, 3, 4, 5)
	for _, c := range sorted {
		sig := ""
		if c.Significant {
			sig = "yes"
		}
		t.add(c.Feature, fmt.Sprint(c.N), optNum(c.Spearman, 3), optNum(c.SpearmanQ, 4), optNum(c.KendallTauB, 3), optNum(c.KendallQ, 4), sig)
	}
	s.table(t)
}

func qOf(c discovery.CorrelationResult) float64 {
	if c.SpearmanQ == nil {
		return 2
	}
	return *c.SpearmanQ
}

func networkBlocks(s *docSection, d *discovery.Result, plots map[string]*renderedPlot) {
	n := d.Network
	dir := "undirected"
	if n.Directed {
		dir = "directed"
	}
	staff := fmt.Sprintf("%d staff accounts left out (listed in staff)", n.StaffExcluded)
	if len(n.StaffRoles) > 0 {
		staff = fmt.Sprintf("%d staff accounts left out (%d listed in staff, %d by role: %s)", n.StaffExcluded, n.StaffByList, n.StaffByRole, strings.Join(n.StaffRoles, ", "))
	}
	s.text("Reply graph from %s (%s): %d replies, %d nodes, %d edges after merging repeats and dropping self-replies; %s; %d replies answer a post not in the log. Centralities follow networkx 2.8 (isolated students have closeness 0); betweenness from %d source nodes.",
		n.Source, dir, n.Replies, n.Nodes, n.Edges, staff, n.Unresolved, n.BetweennessSources)
	s.text("Isolated students (no reply edge): %d. They are a risk signal; the per-student list is in the discovery CSV.", n.IsolatedCount)
	if n.IsolatedRate != nil {
		s.text("At-risk rate of isolated training students %s against %s of connected ones (Fisher's exact p = %s).", pctOf(*n.IsolatedRate), pctOf(*n.ConnectedRate), optNum(n.IsolatedP, 4))
	}
	t := newTable("Centralities over the students", "measure", "mean", "median", "max").numeric(1, 2, 3)
	for _, m := range n.Measures {
		t.add(m.Measure, dec(m.Mean, 4), dec(m.Median, 4), dec(m.Max, 4))
	}
	s.table(t)
	if len(n.OutcomeGroups) > 0 {
		gt := newTable("At-risk rate of isolated students and of connected ones by degree band (training students; Wilson intervals)", "group", "students", "at risk", "rate", "interval").numeric(1, 2, 3)
		for _, g := range n.OutcomeGroups {
			if g.Suppressed {
				gt.add(g.Group, "suppressed", "", "", "")
				continue
			}
			gt.add(g.Group, fmt.Sprint(g.Students), fmt.Sprint(g.AtRisk), optPct(g.Rate), intervalText(g.Lower, g.Upper))
		}
		s.table(gt)
	}
	if p := plots[networkPlotName(d.Name)]; p != nil {
		s.figure(p)
	}
	correlationTable(s, "Rank correlations of centralities with the at-risk outcome (training students)", n.Correlations)
}

// discoveryFiles writes each analysis's rows: discovery/<name>.csv (per
// student: archetype or centralities, as of the cutoff), and the patterns
// or rules of sequence and rule analyses.
func discoveryFiles(run *results.Run, _ *results.RiskList) ([]File, error) {
	var files []File
	for _, d := range run.Discoveries {
		if d == nil {
			continue
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		switch {
		case len(d.Rows) > 0:
			keys := map[string]bool{}
			for _, r := range d.Rows {
				for k := range r.Values {
					keys[k] = true
				}
			}
			var cols []string
			for k := range keys {
				cols = append(cols, k)
			}
			sort.Strings(cols)
			label := "archetype_name"
			if d.Kind == discovery.KindNetwork {
				label = "isolated"
			}
			w.Write(append([]string{"student", "term", "role", label}, cols...))
			for _, r := range d.Rows {
				rec := []string{r.Student, r.Term, r.Role, r.Label}
				for _, c := range cols {
					rec = append(rec, fmt.Sprint(r.Values[c]))
				}
				w.Write(rec)
			}
		case d.Sequences != nil:
			w.Write([]string{"pattern", "share_at_risk", "share_other", "diff", "p", "q", "significant", "held_out_share_at_risk", "held_out_share_other", "held_out_p", "confirmed", "sentence"})
			for _, p := range d.Sequences.Patterns {
				w.Write([]string{strings.Join(p.Pattern, " > "), fmt.Sprint(p.ShareAtRisk), fmt.Sprint(p.ShareOther), fmt.Sprint(p.Diff), fmt.Sprint(p.P), fmt.Sprint(p.Q), fmt.Sprint(p.Significant),
					optCSV(p.HeldOutShareAtRisk), optCSV(p.HeldOutShareOther), optCSV(p.HeldOutP), fmt.Sprint(p.Confirmed), p.Sentence})
			}
		case d.Rules != nil:
			w.Write([]string{"antecedent", "consequent", "students", "support", "confidence", "lift", "leverage", "conviction", "p", "q", "significant", "held_out_confidence", "held_out_lift", "held_out_p", "confirmed"})
			for _, x := range d.Rules.Rules {
				w.Write([]string{strings.Join(x.Antecedent, " + "), x.Consequent, fmt.Sprint(x.Students), fmt.Sprint(x.Support), fmt.Sprint(x.Confidence), fmt.Sprint(x.Lift), fmt.Sprint(x.Leverage),
					optCSV(x.Conviction), fmt.Sprint(x.P), fmt.Sprint(x.Q), fmt.Sprint(x.Significant), optCSV(x.HeldOutConfidence), optCSV(x.HeldOutLift), optCSV(x.HeldOutP), fmt.Sprint(x.Confirmed)})
			}
		default:
			continue
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return nil, fmt.Errorf("discovery/%s.csv: %w", d.Name, err)
		}
		files = append(files, File{"discovery/" + slug(d.Name) + ".csv", buf.Bytes()})
	}
	return files, nil
}

func optCSV(v *float64) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(*v)
}
