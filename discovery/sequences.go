package discovery

import (
	"fmt"
	"sort"
	"strings"

	"github.com/evalrun/evalrun/events"
	"github.com/evalrun/evalrun/sequences"
)

// actionItems numbers the log's actions (sorted by name) for mining.
func actionItems(log *Log) ([]string, map[events.Sym]int32) {
	seen := map[events.Sym]bool{}
	for _, a := range log.Action {
		seen[a] = true
	}
	var names []string
	bySym := map[string]events.Sym{}
	for a := range seen {
		n := log.Sym.Name(a)
		names = append(names, n)
		bySym[n] = a
	}
	sort.Strings(names)
	code := make(map[events.Sym]int32, len(names))
	for i, n := range names {
		code[bySym[n]] = int32(i)
	}
	return names, code
}

// sessionDB builds the sessions of the given rows (owners numbered in
// order) from their time-ordered events.
func sessionDB(spec Spec, log *Log, perStudent [][]int32, rows []int, items []string, code map[events.Sym]int32) (*sequences.Database, int) {
	db := sequences.NewDatabase(items, len(rows))
	gap := int64(spec.GapMinutes) * 60000
	sessions := 0
	var times []int64
	var buf []int32
	for o, row := range rows {
		ev := perStudent[row]
		times = times[:0]
		for _, e := range ev {
			times = append(times, log.Time[e])
		}
		starts := sequences.SplitSessions(times, gap)
		for k, lo := range starts {
			hi := len(ev)
			if k+1 < len(starts) {
				hi = starts[k+1]
			}
			buf = buf[:0]
			for _, e := range ev[lo:hi] {
				buf = append(buf, code[log.Action[e]])
			}
			if spec.CollapseRepeats {
				buf = sequences.CollapseRepeats(buf)
			}
			_ = db.Add(o, buf)
			sessions++
		}
	}
	return db, sessions
}

// display turns an action name into words ("Course_view" -> "course view").
func display(name string) string {
	return strings.ToLower(strings.ReplaceAll(events.ShortName(name), "_", " "))
}

func groupsOf(pop *Population, rows []int) []int8 {
	g := make([]int8, len(rows))
	for i, r := range rows {
		g[i] = pop.Outcome[r]
	}
	return g
}

func runSequences(spec Spec, in Input, r *Result) error {
	pop := in.Population
	if in.Log == nil {
		return fmt.Errorf("sequence mining needs an event log")
	}
	fit, held := discoverySplit(spec, pop, r)
	r.Students, r.HeldOut = len(fit), len(held)
	if len(fit) < 2 {
		return fmt.Errorf("%d students with an outcome in the training terms: too few to mine", len(fit))
	}
	per := in.Log.byStudent(len(pop.Keys), spec.CutoffDay)
	items, code := actionItems(in.Log)
	db, sessions := sessionDB(spec, in.Log, per, fit, items, code)
	heldDB, _ := sessionDB(spec, in.Log, per, held, items, code)
	mode := "prefixspan"
	if spec.Contiguous {
		mode = "ngram"
	}
	res := &SequencesResult{Mode: mode, GapMinutes: spec.GapMinutes, Sessions: sessions, MinSupport: spec.MinSupport, MaxLength: spec.MaxLength, Level: spec.Level}
	pats, err := db.Mine(sequences.MineOptions{MinSupport: spec.MinSupport, MaxLength: spec.MaxLength, Contiguous: spec.Contiguous, KeepOwners: true})
	if err != nil {
		return err
	}
	res.Tested = len(pats)
	r.Sequences = res
	if len(pats) == 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("no pattern reaches the minimum support %.2f", spec.MinSupport))
		return nil
	}
	groups := groupsOf(pop, fit)
	diffs, err := sequences.Differential(pats, groups, sequences.DiffOptions{FDR: spec.FDR, Seed: spec.Seed})
	if err != nil {
		return err
	}
	order := make([]int, len(diffs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		da, dbb := diffs[order[a]], diffs[order[b]]
		if da.P != dbb.P {
			return da.P < dbb.P
		}
		return abs(da.Diff) > abs(dbb.Diff)
	})
	heldGroups := groupsOf(pop, held)
	for _, j := range order {
		d := diffs[j]
		if d.Significant {
			res.Significant++
		}
		names := pats[j].Names(items)
		words := make([]string, len(names))
		for i, n := range names {
			words[i] = display(n)
		}
		pr := PatternResult{Pattern: names, ShareAtRisk: d.ShareAtRisk, ShareOther: d.ShareOther, Diff: d.Diff, P: d.P, Q: d.Q, Significant: d.Significant,
			SupportAtRisk: d.SupportAtRisk, SupportOther: d.SupportOther,
			Sentence: sequences.Sentence(words, spec.Contiguous, d.ShareAtRisk, d.ShareOther, "at risk", "not at risk")}
		pr.ShareAtRiskLower, pr.ShareAtRiskUpper = wilson(d.SupportAtRisk, d.NAtRisk, spec.Level)
		pr.ShareOtherLower, pr.ShareOtherUpper = wilson(d.SupportOther, d.NOther, spec.Level)
		res.AtRiskStudents, res.OtherStudents = d.NAtRisk, d.NOther
		if d.Significant && len(held) > 0 {
			c, err := sequences.Confirm(heldDB, pats[j].Items, spec.Contiguous, heldGroups, d.Diff, 0.05)
			if err == nil {
				pr.HeldOutShareAtRisk, pr.HeldOutShareOther, pr.HeldOutP = num(c.ShareAtRisk), num(c.ShareOther), num(c.P)
				pr.Confirmed = c.Confirmed
				if c.Confirmed {
					res.Confirmed++
				}
			} else {
				r.Notes = append(r.Notes, "confirmation: "+err.Error())
			}
		}
		if len(res.Patterns) < spec.MaxPatterns {
			res.Patterns = append(res.Patterns, pr)
		}
	}
	if res.Significant == 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("no pattern's support differs between at-risk and other students at FDR %.2f (%d patterns tested)", spec.FDR, res.Tested))
	}
	return nil
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
