package reports

import (
	"fmt"
	"io"
	"strconv"

	"github.com/evalrun/evalrun/results"
)

// mixedEvaluations returns the evaluations of multilevel models (those
// whose fit has a random intercept), in run order.
func mixedEvaluations(run *results.Run) []*results.Evaluation {
	var out []*results.Evaluation
	for i := range run.Evaluations {
		if run.Evaluations[i].Fit.RandomIntercept != nil {
			out = append(out, &run.Evaluations[i])
		}
	}
	return out
}

func populationLevelCell(e *results.Evaluation) string {
	if e.PopulationLevelRows == nil {
		return undefinedCell
	}
	return strconv.Itoa(*e.PopulationLevelRows)
}

// randomInterceptTable adds the random part of every multilevel model to
// the models section: the grouping column and its groups, the
// random-intercept SD, the latent-scale ICC, a singular fit, and the test
// rows scored at the population level because their group was not in
// training.
func randomInterceptTable(s *docSection, run *results.Run) {
	evals := mixedEvaluations(run)
	if len(evals) == 0 {
		return
	}
	t := newTable("Random-intercept logistic models: the random intercept of each fit",
		"dataset", "cutoff", "split", "model", "group column", "groups", "SD", "latent ICC", "singular fit", "test rows at population level")
	t.numeric(1, 5, 6, 7, 9)
	for _, e := range evals {
		ri := e.Fit.RandomIntercept
		singular := "no"
		if ri.SingularFit {
			singular = "yes"
		}
		t.add(e.Dataset, cutoffValue(e.Cutoff), e.Split, e.Model, ri.Group, strconv.Itoa(ri.Groups), dec(ri.SD, 3), dec(ri.ICC, 3), singular, populationLevelCell(e))
	}
	t.Notes = "SD: standard deviation of the groups' random intercepts (log-odds). Latent ICC: SD²/(SD² + π²/3). " +
		"A singular fit estimates the SD at 0 (the model is then plain logistic regression). Students of a group the training rows did not hold are scored at the population level (random intercept 0)."
	s.table(t)
}

// writeRandomIntercepts prints the random part of every multilevel model.
func writeRandomIntercepts(w io.Writer, run *results.Run) {
	evals := mixedEvaluations(run)
	if len(evals) == 0 {
		return
	}
	fmt.Fprintf(w, "\nrandom-intercept models (SD on the log-odds scale; latent ICC = SD²/(SD² + π²/3))\n")
	for _, e := range evals {
		ri := e.Fit.RandomIntercept
		line := fmt.Sprintf("  %s, %s, %s, %s: %d %s groups, SD %s, latent ICC %s; %s test rows of unseen groups at the population level",
			e.Dataset, cutoffText(e.Cutoff), e.Split, e.Model, ri.Groups, ri.Group, dec(ri.SD, 3), dec(ri.ICC, 3), populationLevelCell(e))
		if ri.SingularFit {
			line += "; singular fit"
		}
		fmt.Fprintln(w, line)
	}
}
