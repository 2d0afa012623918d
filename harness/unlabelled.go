package harness

import (
	"fmt"
	"slices"
	"sort"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/results"
)

// separateUnlabelled moves the rows without an outcome out of each frame
// of ld into ld.unlabelled, so that training and evaluation never see them.
func separateUnlabelled(ld *loadedDataset) {
	ld.unlabelled = make([]*datasets.Frame, len(ld.frames))
	for i, f := range ld.frames {
		ld.frames[i], ld.unlabelled[i] = f.Labelled()
	}
}

// unlabelledTerms counts the rows without an outcome per term (first frame).
func unlabelledTerms(ld *loadedDataset) map[string]int {
	out := map[string]int{}
	if len(ld.unlabelled) == 0 || ld.unlabelled[0] == nil {
		return out
	}
	for _, t := range ld.unlabelled[0].Terms {
		out[t]++
	}
	return out
}

// unlabelledOf returns the frame of rows without an outcome that belongs
// with frame f of ld (nil when there is none).
func unlabelledOf(ld *loadedDataset, f *datasets.Frame) *datasets.Frame {
	for i, fr := range ld.frames {
		if fr == f && i < len(ld.unlabelled) {
			return ld.unlabelled[i]
		}
	}
	return nil
}

// scoringOnlyRows returns the rows of the unlabelled frame a fold scores
// when its test terms have no outcome at all: a scoring-only fold. It is
// nil for folds with labelled test rows.
func scoringOnlyRows(ld *loadedDataset, f *datasets.Frame, fo fold) []int {
	if len(rowsOf(f, fo.testTerms)) > 0 {
		return nil
	}
	u := unlabelledOf(ld, f)
	if u == nil {
		return nil
	}
	return rowsOf(u, fo.testTerms)
}

// noOutcomeSummary counts the rows without an outcome of a frame per term
// and says so in words ("412 students of 2024J have no outcome yet").
func noOutcomeSummary(u *datasets.Frame, c *results.Cutoff) {
	if u == nil {
		return
	}
	byTerm := map[string]int{}
	for _, t := range u.Terms {
		byTerm[t]++
	}
	terms := make([]string, 0, len(byTerm))
	for t := range byTerm {
		terms = append(terms, t)
	}
	sort.Strings(terms)
	c.NoOutcome = u.Len()
	for _, t := range terms {
		found := false
		for k := range c.Terms {
			if c.Terms[k].Term == t {
				c.Terms[k].NoOutcome = byTerm[t]
				found = true
			}
		}
		if !found {
			c.Terms = append(c.Terms, results.TermCount{Term: t, NoOutcome: byTerm[t]})
		}
		c.Notes = append(slices.Clip(c.Notes), fmt.Sprintf("%d students of %s have no outcome yet: not trained or evaluated on", byTerm[t], t))
	}
	sort.SliceStable(c.Terms, func(a, b int) bool { return c.Terms[a].Term < c.Terms[b].Term })
}

// scoringOnlyResult describes a scoring-only evaluation for results.json.
func (e *evaluation) scoringOnlyResult() results.ScoringOnly {
	flagged := 0
	for _, v := range e.scores {
		if v >= e.result.Threshold {
			flagged++
		}
	}
	return results.ScoringOnly{
		Dataset: e.data.spec.Name, Cutoff: cutoffPtr(e.frame), Split: e.fold.split,
		TrainTerms: e.fold.trainTerms, TestTerms: e.fold.testTerms, Model: e.model.Name, ModelKind: e.model.Kind,
		Train: e.prep.trainSet, Students: len(e.scores), Threshold: e.result.Threshold, Flagged: flagged,
		Fit:  e.result.Fit,
		Note: fmt.Sprintf("no student of %v has an outcome yet: scored, not evaluated", e.fold.testTerms),
	}
}

// splitScoringOnly separates the scoring-only evaluations from the others.
func splitScoringOnly(all []*evaluation) (evaluated, scoringOnly []*evaluation) {
	for _, e := range all {
		if e.prep.scoringOnly {
			scoringOnly = append(scoringOnly, e)
		} else {
			evaluated = append(evaluated, e)
		}
	}
	return evaluated, scoringOnly
}
