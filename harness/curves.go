package harness

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"

	"github.com/evalrun/evalrun/fairness"
	"github.com/evalrun/evalrun/metrics"
	"github.com/evalrun/evalrun/results"
)

// rocBandReplicates and rocBandGrid size the ROC band of every evaluation.
const (
	rocBandReplicates = 200
	rocBandGrid       = 50
)

// addCurves stores the plot data of the evaluation's test scores.
func (e *evaluation) addCurves(seed uint64) error {
	y, score := e.prep.testY, e.scores
	roc, err := metrics.ROCPoints(y, score)
	if err != nil {
		// One class in the test set: no curve to draw, as no AUC.
		e.result.Notes = append(e.result.Notes, fmt.Sprintf("no ROC curve: %v", err))
		return nil
	}
	c := &results.Curves{ROC: metrics.Thin(roc, 200)}
	band, err := metrics.ROCConfidenceBand(y, score, rocBandGrid, rocBandReplicates, e.spec.Metrics.Level, seed, "roc-band/"+e.taskName(), 0)
	if err != nil {
		return err
	}
	c.ROCBand = &band
	if pr, err := metrics.PRPoints(y, score); err == nil {
		c.PR = metrics.Thin(pr, 200)
	}
	if e.result.Fairness != nil {
		for _, attr := range e.result.Fairness.Attributes {
			c.Groups = append(c.Groups, e.groupCurves(attr)...)
		}
	}
	e.result.Curves = c
	return nil
}

// groupCurves returns the ROC curve of each reported group of an audited
// attribute; suppressed and one-class groups get none.
func (e *evaluation) groupCurves(attr fairness.AttributeResult) []results.GroupCurve {
	names := attr.Components
	if len(names) == 0 {
		names = []string{attr.Name}
	}
	cols := make([][]string, len(names))
	for i, n := range names {
		v, err := rowLabels(e.frame, n, e.prep.testKept)
		if err != nil {
			return nil
		}
		cols[i] = v
	}
	labels := make([]string, len(e.prep.testKept))
	for r := range labels {
		l := ""
		for i := range cols {
			v := cols[i][r]
			if v == "" {
				v = fairness.MissingGroup
			}
			if i > 0 {
				l += fairness.IntersectionSeparator
			}
			l += v
		}
		labels[r] = l
	}
	var out []results.GroupCurve
	for _, g := range attr.Groups {
		if g.Suppressed {
			continue
		}
		var y []uint8
		var s []float64
		for r, l := range labels {
			if l == g.Group {
				y = append(y, e.prep.testY[r])
				s = append(s, e.scores[r])
			}
		}
		roc, err := metrics.ROCPoints(y, s)
		if err != nil {
			continue
		}
		out = append(out, results.GroupCurve{Attribute: attr.Name, Group: g.Group, ROC: metrics.Thin(roc, 100)})
	}
	return out
}

// riskFeatures are the features the risk list explains in words.
var riskFeatures = []string{"due_by_cutoff", "submitted", "missed", "mean_score", "late_submissions", "clicks_total", "active_days", "days_since_last_activity"}

var weekColumn = regexp.MustCompile(`^clicks_week_(\d+)$`)

// riskList ranks the test students of the report's evaluation: the
// spec's report.model and report.cutoff, or the first model that is
// neither a base rate nor a rule at the first cutoff and fold.
func riskList(s *Spec, evals []*evaluation, keyOf func(string) string) *results.RiskList {
	var chosen *evaluation
	for _, e := range evals {
		if !s.Report.matches(e) {
			continue
		}
		chosen = e
		break
	}
	if chosen == nil || chosen.scores == nil {
		return nil
	}
	e := chosen
	f := e.frame
	order := make([]int, len(e.scores))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return e.scores[order[a]] > e.scores[order[b]] })
	flagged := e.result.Metrics.Flagged
	medium := flagged + int(math.Ceil(0.2*float64(len(order))))
	rl := &results.RiskList{Dataset: e.data.spec.Name, Cutoff: e.result.Cutoff, Split: e.fold.split, Model: e.model.Name, Threshold: e.result.Threshold, Pseudonymized: !s.Privacy.ShowIDs, Labels: e.data.spec.Labels}
	var weekCols []int
	var weekVals [][]float64
	for _, c := range f.Numeric {
		if m := weekColumn.FindStringSubmatch(c.Name); m != nil {
			w, _ := strconv.Atoi(m[1])
			weekCols = append(weekCols, w)
			weekVals = append(weekVals, c.Values)
		}
	}
	for rank, k := range order {
		row := e.prep.testKept[k]
		band := "low"
		switch {
		case e.scores[k] >= e.result.Threshold:
			band = "high"
		case rank < medium:
			band = "medium"
		}
		st := results.RiskStudent{
			Rank: rank + 1, Key: keyOf(f.Students[row]), Term: f.Terms[row], Course: f.Courses[row],
			Score: e.scores[k], Band: band, Features: map[string]float64{},
		}
		if e.reasons != nil {
			st.Reasons = e.reasons[k]
		}
		if f.Trails != nil {
			st.Assessments = f.Trails[row]
		}
		for _, name := range riskFeatures {
			if c, ok := f.NumericByName(name); ok && !math.IsNaN(c.Values[row]) {
				st.Features[name] = c.Values[row]
			}
		}
		if len(weekCols) > 0 && !math.IsNaN(weekVals[0][row]) {
			st.Weekly = make([]float64, len(weekCols))
			for j, w := range weekCols {
				if w < len(st.Weekly) {
					st.Weekly[w] = weekVals[j][row]
				}
			}
		}
		rl.Students = append(rl.Students, st)
	}
	return rl
}
