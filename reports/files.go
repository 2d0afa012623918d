package reports

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/evalrun/evalrun/explain"
	"github.com/evalrun/evalrun/results"
)

// File is one rendered file of a run directory.
type File struct {
	Name string // slash-separated path inside the run directory
	Data []byte
}

// RunFiles renders the files a run directory holds besides results.json,
// predictions.csv and manifest.json, in this order: metrics.csv;
// fairness.csv when an evaluation was audited; abtest.csv when the run
// analysed intervention pilots (see AbtestCSV); risk_list.csv when risk is
// not nil; every plot as plots/NAME.svg and plots/NAME.png (see
// PlotFiles); report.md and report.html. Each renderer of
// runFileRenderers contributes its files; a new export is one more entry
// there.
func RunFiles(run *results.Run, risk *results.RiskList) ([]File, error) {
	var files []File
	for _, r := range runFileRenderers {
		fs, err := r(run, risk)
		if err != nil {
			return nil, err
		}
		files = append(files, fs...)
	}
	return files, nil
}

// A runFileRenderer renders some files of a run directory from the run and
// its risk list (nil when the run has none), or no file when the run
// lacks what it renders.
type runFileRenderer func(run *results.Run, risk *results.RiskList) ([]File, error)

// runFileRenderers are the renderers RunFiles calls, in order.
var runFileRenderers = []runFileRenderer{metricsFile, fairnessFile, abtestFile, riskListFile, discoveryFiles, reportFiles}

func metricsFile(run *results.Run, _ *results.RiskList) ([]File, error) {
	m, err := MetricsCSV(run)
	if err != nil {
		return nil, fmt.Errorf("metrics.csv: %w", err)
	}
	return []File{{"metrics.csv", m}}, nil
}

func fairnessFile(run *results.Run, _ *results.RiskList) ([]File, error) {
	audited := false
	for _, e := range run.Evaluations {
		audited = audited || e.Fairness != nil
	}
	if !audited {
		return nil, nil
	}
	f, err := FairnessCSV(run)
	if err != nil {
		return nil, fmt.Errorf("fairness.csv: %w", err)
	}
	return []File{{"fairness.csv", f}}, nil
}

func riskListFile(_ *results.Run, risk *results.RiskList) ([]File, error) {
	if risk == nil {
		return nil, nil
	}
	r, err := RiskListCSV(risk)
	if err != nil {
		return nil, fmt.Errorf("risk_list.csv: %w", err)
	}
	return []File{{"risk_list.csv", r}}, nil
}

// reportFiles renders the plots once (SVG and PNG) and the Markdown and
// HTML reports that show them.
func reportFiles(run *results.Run, risk *results.RiskList) ([]File, error) {
	list, err := plotList(run, risk, true)
	if err != nil {
		return nil, fmt.Errorf("plots: %w", err)
	}
	files := plotFiles(list)
	plots := make(map[string]*renderedPlot, len(list))
	for _, p := range list {
		plots[p.Name] = p
	}
	page, err := htmlDoc(buildDocument(run, risk, plots, riskRowsHTML))
	if err != nil {
		return nil, err
	}
	files = append(files,
		File{"report.md", markdownDoc(buildDocument(run, risk, plots, riskRowsMarkdown))},
		File{"report.html", page})
	return files, nil
}

var metricsHeader = []string{
	"dataset", "cutoff", "split", "model", "n", "positives", "base_rate", "threshold", "flagged",
	"auc", "auc_lower", "auc_upper", "average_precision", "precision", "precision_lower", "precision_upper",
	"recall", "recall_lower", "recall_upper", "f1", "accuracy", "specificity", "balanced_accuracy", "brier", "log_loss",
}

// MetricsCSV writes one row per evaluation: the test metrics, the DeLong
// interval of the AUC and the bootstrap intervals (the spec's interval
// kind) of precision and recall. Undefined values are empty cells.
func MetricsCSV(run *results.Run) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(metricsHeader)
	for _, e := range run.Evaluations {
		m := e.Metrics
		aucLo, aucHi := "", ""
		if e.Uncertainty != nil && e.Uncertainty.AUCDeLong != nil {
			aucLo, aucHi = g(e.Uncertainty.AUCDeLong.Lower), g(e.Uncertainty.AUCDeLong.Upper)
		}
		pLo, pHi := bootstrapBounds(e, "precision")
		rLo, rHi := bootstrapBounds(e, "recall")
		w.Write([]string{
			e.Dataset, cutoffCell(e.Cutoff), e.Split, e.Model, strconv.Itoa(m.N), strconv.Itoa(m.Positives), g(m.BaseRate), g(e.Threshold), strconv.Itoa(m.Flagged),
			opt(m.AUC), aucLo, aucHi, opt(m.AveragePrecision), opt(m.Precision), pLo, pHi,
			opt(m.Recall), rLo, rHi, opt(m.F1), opt(m.Accuracy), opt(m.Specificity), opt(m.BalancedAccuracy), opt(m.Brier), opt(m.LogLoss),
		})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// bootstrapBounds returns the bootstrap interval of a metric of the kind
// the spec asked reports to show, or empty cells.
func bootstrapBounds(e results.Evaluation, metric string) (string, string) {
	if e.Uncertainty == nil || e.Uncertainty.Bootstrap == nil {
		return "", ""
	}
	iv, ok := e.Uncertainty.Bootstrap.Interval(metric)
	if !ok {
		return "", ""
	}
	b := iv.BCa
	if e.Uncertainty.Interval == "percentile" {
		b = iv.Percentile
	}
	if b == nil {
		return "", ""
	}
	return g(b.Lower), g(b.Upper)
}

// RiskListCSV writes the advisors' risk list: rank, student key, term,
// course, score, band and the top reasons in plain words.
func RiskListCSV(r *results.RiskList) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"rank", "student", "term", "course", "score", "band", "reason_1", "reason_2", "reason_3"})
	for _, s := range r.Students {
		rec := []string{strconv.Itoa(s.Rank), s.Key, s.Term, s.Course, strconv.FormatFloat(s.Score, 'f', 4, 64), s.Band, "", "", ""}
		for i, reason := range s.Reasons {
			if i == 3 {
				break
			}
			rec[6+i] = LabelledReasonWords(reason, s.Features, r.Cutoff, r.Labels)
		}
		w.Write(rec)
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// ReasonWords says in plain words why a feature raised a student's risk,
// e.g. "missed 2 of 3 assessments due by day 28". Features without a
// phrase are written as "name = value". A value outside the feature's
// training range says so, with its distance from the training mean in
// standard deviations: "36 clicks on VLE ouelluminate material (outside
// the training range 0 to 12, 89 SD above the training mean)".
func ReasonWords(r explain.Reason, features map[string]float64, cutoff *int) string {
	return LabelledReasonWords(r, features, cutoff, nil)
}

// LabelledReasonWords is ReasonWords with the spec's feature labels and
// units (results.RiskList.Labels): a labelled feature reads "prior GPA:
// 1.05 grade points", its levels "major is History" with the label, its
// missing indicator "prior GPA unknown".
//
// A group's random intercept (mixed_logistic) reads "code_module BBB:
// +0.42 (random intercept)", the column's label in place of its name when
// the spec gives one ("module BBB: +0.42 (random intercept)").
func LabelledReasonWords(r explain.Reason, features map[string]float64, cutoff *int, labels map[string]results.FeatureLabel) string {
	if r.IsGroupEffect() {
		name := r.Feature
		if l, ok := labels[r.Feature]; ok && l.Label != "" {
			name = l.Label
		}
		return fmt.Sprintf("%s %s: %+.2f (random intercept)", name, r.Group, r.Contribution)
	}
	w := reasonPhrase(r, features, cutoff, labels)
	if t := r.OutsideTraining; t != nil {
		w += " (outside the training range " + strconv.FormatFloat(t.Min, 'g', 4, 64) + " to " + strconv.FormatFloat(t.Max, 'g', 4, 64)
		if sd := t.SDsFromMean(r.Value); sd != 0 {
			dir := "above"
			if sd < 0 {
				dir = "below"
			}
			w += ", " + strconv.FormatFloat(math.Abs(sd), 'f', 0, 64) + " SD " + dir + " the training mean"
		}
		w += ")"
	}
	return w
}

// labelledPhrase puts a labelled feature in words; ok is false when the
// spec gives the feature no label.
func labelledPhrase(r explain.Reason, labels map[string]results.FeatureLabel) (string, bool) {
	if len(labels) == 0 {
		return "", false
	}
	num := strconv.FormatFloat(r.Value, 'g', 4, 64)
	if l, ok := labels[r.Feature]; ok {
		if l.Unit != "" {
			return l.Label + ": " + num + " " + l.Unit, true
		}
		return l.Label + ": " + num, true
	}
	if name, level, ok := strings.Cut(r.Feature, "="); ok {
		if l, ok := labels[name]; ok {
			if r.Value == 1 {
				return l.Label + " is " + level, true
			}
			return l.Label + " is not " + level, true
		}
	}
	if name, ok := strings.CutSuffix(r.Feature, "_missing"); ok && r.Value == 1 {
		if l, ok := labels[name]; ok {
			return l.Label + " unknown", true
		}
	}
	return "", false
}

func reasonPhrase(r explain.Reason, features map[string]float64, cutoff *int, labels map[string]results.FeatureLabel) string {
	if w, ok := labelledPhrase(r, labels); ok {
		return w
	}
	by := ""
	if cutoff != nil {
		by = fmt.Sprintf(" by day %d", *cutoff)
	}
	v := r.Value
	n := strconv.FormatFloat(v, 'f', -1, 64)
	switch {
	case r.Feature == "missed":
		if due, ok := features["due_by_cutoff"]; ok {
			return fmt.Sprintf("missed %s of %s assessments due%s", n, strconv.FormatFloat(due, 'f', -1, 64), by)
		}
		return fmt.Sprintf("missed %s %s due%s", n, nounFor(v, "assessment", "assessments"), by)
	case r.Feature == "submitted":
		return fmt.Sprintf("submitted %s %s%s", n, nounFor(v, "assessment", "assessments"), by)
	case r.Feature == "mean_score":
		return fmt.Sprintf("mean assessment score %s", strconv.FormatFloat(v, 'f', 0, 64))
	case r.Feature == "late_submissions":
		return fmt.Sprintf("%s late %s%s", n, nounFor(v, "submission", "submissions"), by)
	case r.Feature == "clicks_total":
		return fmt.Sprintf("%s %s in the VLE%s", n, nounFor(v, "click", "clicks"), by)
	case r.Feature == "active_days":
		return fmt.Sprintf("active on %s %s%s", n, nounFor(v, "day", "days"), by)
	case r.Feature == "days_since_last_activity":
		return fmt.Sprintf("no VLE activity for %s %s", n, nounFor(v, "day", "days"))
	case r.Feature == "num_of_prev_attempts" && v == 1:
		return "1 previous attempt at this module"
	case r.Feature == "num_of_prev_attempts":
		return fmt.Sprintf("%s previous attempts at this module", n)
	case r.Feature == "days_since_last_activity_missing" && v == 1:
		return "no VLE activity" + by
	case r.Feature == "mean_score_missing" && v == 1:
		return "no assessment score" + by
	case strings.HasPrefix(r.Feature, "clicks_type_"):
		return fmt.Sprintf("%s %s on VLE %s material%s", n, nounFor(v, "click", "clicks"), strings.TrimPrefix(r.Feature, "clicks_type_"), by)
	case r.Feature == "studied_credits":
		return fmt.Sprintf("studying %s credits", n)
	case strings.HasPrefix(r.Feature, "clicks_week_"):
		return fmt.Sprintf("%s %s in week %s", n, nounFor(v, "click", "clicks"), strings.TrimPrefix(r.Feature, "clicks_week_"))
	case strings.HasSuffix(r.Feature, "_missing") && v == 1:
		return strings.TrimSuffix(r.Feature, "_missing") + " unknown"
	case strings.Contains(r.Feature, "="):
		name, level, _ := strings.Cut(r.Feature, "=")
		if v == 1 {
			return fmt.Sprintf("%s is %s", name, level)
		}
		return fmt.Sprintf("%s is not %s", name, level)
	}
	return fmt.Sprintf("%s = %s", r.Feature, strconv.FormatFloat(v, 'g', 4, 64))
}

// nounFor picks the noun for a count: one for exactly 1, many otherwise.
func nounFor(v float64, one, many string) string {
	if v == 1 {
		return one
	}
	return many
}

func g(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func opt(v *float64) string {
	if v == nil {
		return ""
	}
	return g(*v)
}

func cutoffCell(c *int) string {
	if c == nil {
		return ""
	}
	return strconv.Itoa(*c)
}
