package bundle

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/evalrun/evalrun/fairness"
	"github.com/evalrun/evalrun/results"
)

// ModelCardSchemaVersion is the Model Card Toolkit schema the card follows.
const ModelCardSchemaVersion = "0.0.2"

// ModelCard is model_card.json: the sections and field names of the Model
// Card Toolkit JSON schema v0.0.2 (model_details, model_parameters,
// quantitative_analysis, considerations). Schema v0.0.2 has no interval
// field, so an interval is written as two more performance metrics, the
// metric's type followed by " lower bound" and " upper bound", with the
// same slice.
type ModelCard struct {
	SchemaVersion        string               `json:"schema_version"`
	ModelDetails         ModelDetails         `json:"model_details"`
	ModelParameters      ModelParameters      `json:"model_parameters"`
	QuantitativeAnalysis QuantitativeAnalysis `json:"quantitative_analysis"`
	Considerations       Considerations       `json:"considerations"`
}

// ModelDetails is the model_details section.
type ModelDetails struct {
	Name          string      `json:"name"`
	Overview      string      `json:"overview"`
	Documentation string      `json:"documentation"`
	Owners        []Owner     `json:"owners"`
	Version       Version     `json:"version"`
	References    []Reference `json:"references"`
}

// Owner is an owner of the model.
type Owner struct {
	Name    string `json:"name"`
	Contact string `json:"contact,omitempty"`
}

// Version names a model version and its date (YYYY-MM-DD).
type Version struct {
	Name string `json:"name"`
	Date string `json:"date"`
	Diff string `json:"diff,omitempty"`
}

// Reference is a link to more information.
type Reference struct {
	Reference string `json:"reference"`
}

// ModelParameters is the model_parameters section.
type ModelParameters struct {
	ModelArchitecture string        `json:"model_architecture"`
	Data              []CardDataset `json:"data"`
	InputFormat       string        `json:"input_format"`
	OutputFormat      string        `json:"output_format"`
}

// CardDataset describes a dataset used to train or evaluate the model.
type CardDataset struct {
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Sensitive   SensitiveData `json:"sensitive"`
}

// SensitiveData lists the sensitive columns of a dataset.
type SensitiveData struct {
	SensitiveData []string `json:"sensitive_data"`
}

// QuantitativeAnalysis is the quantitative_analysis section.
type QuantitativeAnalysis struct {
	PerformanceMetrics []PerformanceMetric `json:"performance_metrics"`
}

// PerformanceMetric is one metric value on one slice.
type PerformanceMetric struct {
	Type  string  `json:"type"`
	Value float64 `json:"value"`
	Slice string  `json:"slice"`
}

// Considerations is the considerations section.
type Considerations struct {
	Users                 []Description `json:"users"`
	UseCases              []Description `json:"use_cases"`
	Limitations           []Description `json:"limitations"`
	Tradeoffs             []Description `json:"tradeoffs"`
	EthicalConsiderations []Risk        `json:"ethical_considerations"`
}

// Description is a user, use case, limitation or tradeoff.
type Description struct {
	Description string `json:"description"`
}

// Risk is an ethical consideration and how it is addressed.
type Risk struct {
	Name               string `json:"name"`
	MitigationStrategy string `json:"mitigation_strategy"`
}

// CardInput is what a model card is written from: the bundle's model and
// the temporal evaluations of the same settings (dataset, cutoff, model)
// in the same run.
type CardInput struct {
	Model *Model
	// Evaluations are the run's evaluations of this model at this cutoff,
	// one per fold, in run order.
	Evaluations []results.Evaluation
	// Description is the experiment's description.
	Description string
	// Date is the version date (YYYY-MM-DD); Version the version name.
	Date, Version string
	Owners        []Owner
	// ScoreCommand is the command advisors' reports come from.
	ScoreCommand string
}

// NewModelCard writes the card: metrics with their intervals and the
// fairness verdicts come from the evaluations; the limitations and ethical
// considerations put what they found into words.
func NewModelCard(in CardInput) ModelCard {
	m := in.Model
	day := "without a prediction day"
	if m.CutoffDay != nil {
		day = fmt.Sprintf("as of day %d of the term", *m.CutoffDay)
	}
	c := ModelCard{SchemaVersion: ModelCardSchemaVersion}
	c.ModelDetails = ModelDetails{
		Name: m.Name,
		Overview: fmt.Sprintf("A %s model estimating each student's risk of %s %s, from %d features, trained on %s (%d students, %d at risk).",
			kindWords(m.Kind), m.Outcome.Description, day, len(m.Dataset.Numeric)+len(m.Dataset.Categorical),
			termsWords(m.Training.Terms), m.Training.Rows, m.Training.Positives),
		Documentation: fmt.Sprintf("Experiment %q. %s Students scoring at least %s are flagged (threshold policy %s, %s). "+
			"Risk bands: %s. Features are encoded with the encoder fitted on the training rows (model.json: encoder); "+
			"each scored student is checked against the training range of every feature (model.json: schema). "+
			"Score current students with: %s.",
			m.Experiment, strings.TrimSpace(in.Description), fmtScore(m.Threshold.Score), m.Threshold.Policy, m.Threshold.ResolvedOn,
			bandWords(m.Bands), in.ScoreCommand),
		Owners:     nonNilOwners(in.Owners),
		Version:    Version{Name: in.Version, Date: in.Date},
		References: []Reference{},
	}
	data := []CardDataset{{
		Name: m.Dataset.Name + " (training)",
		Description: fmt.Sprintf("%s dataset %q, terms %s, %d students of whom %d had the at-risk outcome, features built %s.",
			m.Dataset.Kind, m.Dataset.Name, strings.Join(m.Training.Terms, ", "), m.Training.Rows, m.Training.Positives, day),
		Sensitive: SensitiveData{SensitiveData: nonNil(m.Dataset.Groups)},
	}}
	for _, e := range in.Evaluations {
		data = append(data, CardDataset{
			Name: fmt.Sprintf("%s (evaluation, split %s)", m.Dataset.Name, e.Split),
			Description: fmt.Sprintf("trained on %s, tested on %s: %d test students, base rate %.3f.",
				strings.Join(e.TrainTerms, ", "), strings.Join(e.TestTerms, ", "), e.Test.Rows, e.Test.BaseRate),
			Sensitive: SensitiveData{SensitiveData: nonNil(m.Dataset.Groups)},
		})
	}
	c.ModelParameters = ModelParameters{
		ModelArchitecture: architectureWords(m),
		Data:              data,
		InputFormat: fmt.Sprintf("one row per student (and course presentation) with the features %s %s; missing values allowed (%s).",
			strings.Join(append(append([]string(nil), m.Dataset.Numeric...), m.Dataset.Categorical...), ", "), day, m.Encoder.Missing),
		OutputFormat: "per student: a risk score (" + scoreWords(m) + "), a risk band, whether the student is flagged, the top reasons, and flags for values outside the training range, unseen categories and missing inputs.",
	}
	var perf []PerformanceMetric
	var limits []Description
	var risks []Risk
	for _, e := range in.Evaluations {
		perf = append(perf, evaluationMetrics(e)...)
		limits = append(limits, evaluationLimits(e)...)
		risks = append(risks, fairnessRisks(e)...)
	}
	if len(in.Evaluations) == 0 {
		limits = append(limits, Description{"No temporal evaluation of these settings was run: nothing is known of how well the model ranks students of a later term."})
	}
	limits = append(limits,
		Description{fmt.Sprintf("Trained on %s only: a later term with other courses, assessment schedules or student populations can shift the scores; check the out-of-range and unseen-category flags on every scoring.", termsWords(m.Training.Terms))},
		Description{"A score ranks students by estimated risk; it does not say why a student struggles or what help works. The reasons are the features that moved the score most, not causes."},
	)
	if len(risks) == 0 {
		risks = append(risks, Risk{Name: "No fairness audit: the spec sets no [fairness] thresholds, so differences between groups were not tested.",
			MitigationStrategy: "Add a [fairness] table to the spec and rerun the evaluation before relying on the flags."})
	}
	risks = append(risks, Risk{
		Name:               "Student records are personal data.",
		MitigationStrategy: "Outputs show keyed pseudonyms; real identifiers are written only with --show-ids, to a separate file readable by its owner only.",
	})
	c.QuantitativeAnalysis = QuantitativeAnalysis{PerformanceMetrics: nonNilMetrics(perf)}
	c.Considerations = Considerations{
		Users:                 []Description{{"Student advisors and tutors deciding whom to contact first; the institution's learning-analytics team that runs the weekly scoring."}},
		UseCases:              []Description{{fmt.Sprintf("Rank the students of the running term %s by their risk of %s, so that advisors contact the highest-risk students first.", day, m.Outcome.Description)}},
		Limitations:           limits,
		Tradeoffs:             []Description{{fmt.Sprintf("The threshold (%s) trades missed at-risk students against students contacted needlessly; a lower threshold flags more students, catching more at-risk students at lower precision.", m.Threshold.Policy)}},
		EthicalConsiderations: risks,
	}
	return c
}

func evaluationMetrics(e results.Evaluation) []PerformanceMetric {
	slice := fmt.Sprintf("split %s: test terms %s", e.Split, strings.Join(e.TestTerms, ", "))
	var out []PerformanceMetric
	add := func(typ string, v *float64) {
		if v != nil {
			out = append(out, PerformanceMetric{Type: typ, Value: *v, Slice: slice})
		}
	}
	level := 0.95
	if e.Uncertainty != nil && e.Uncertainty.Level > 0 {
		level = e.Uncertainty.Level
	}
	pct := strconv.FormatFloat(100*level, 'g', -1, 64) + "%"
	add("AUC", e.Metrics.AUC)
	if u := e.Uncertainty; u != nil && u.AUCDeLong != nil {
		lo, hi := u.AUCDeLong.Lower, u.AUCDeLong.Upper
		add("AUC "+pct+" DeLong lower bound", &lo)
		add("AUC "+pct+" DeLong upper bound", &hi)
	}
	for _, name := range []struct{ metric, label string }{{"average_precision", "average precision"}, {"precision", "precision at the threshold"},
		{"recall", "recall at the threshold"}, {"brier", "Brier score"}} {
		var v *float64
		switch name.metric {
		case "average_precision":
			v = e.Metrics.AveragePrecision
		case "precision":
			v = e.Metrics.Precision
		case "recall":
			v = e.Metrics.Recall
		case "brier":
			v = e.Metrics.Brier
		}
		add(name.label, v)
		if v == nil || e.Uncertainty == nil || e.Uncertainty.Bootstrap == nil {
			continue
		}
		iv, ok := e.Uncertainty.Bootstrap.Interval(name.metric)
		if !ok {
			continue
		}
		b := iv.BCa
		kind := "BCa"
		if e.Uncertainty.Interval == "percentile" || b == nil {
			b, kind = iv.Percentile, "percentile"
		}
		if b != nil {
			lo, hi := b.Lower, b.Upper
			add(fmt.Sprintf("%s %s bootstrap %s lower bound", name.label, pct, kind), &lo)
			add(fmt.Sprintf("%s %s bootstrap %s upper bound", name.label, pct, kind), &hi)
		}
	}
	if e.Calibration != nil {
		ece := e.Calibration.ECE
		add("expected calibration error", &ece)
	}
	flagged := float64(e.Metrics.Flagged)
	add("students flagged", &flagged)
	if e.Fairness != nil {
		for _, v := range e.Fairness.Verdicts {
			if !v.Estimate.Defined {
				continue
			}
			s := fmt.Sprintf("%s; %s %s vs %s", slice, v.Attribute, v.Group, v.Reference)
			out = append(out, PerformanceMetric{Type: "fairness: " + v.Metric, Value: v.Estimate.Value, Slice: s})
			if v.Lower.Defined && v.Upper.Defined {
				out = append(out, PerformanceMetric{Type: "fairness: " + v.Metric + " lower bound", Value: v.Lower.Value, Slice: s})
				out = append(out, PerformanceMetric{Type: "fairness: " + v.Metric + " upper bound", Value: v.Upper.Value, Slice: s})
			}
		}
	}
	return out
}

func evaluationLimits(e results.Evaluation) []Description {
	var out []Description
	where := fmt.Sprintf("Trained on %s and tested on %s", strings.Join(e.TrainTerms, ", "), strings.Join(e.TestTerms, ", "))
	if e.Metrics.AUC != nil {
		ci := ""
		if e.Uncertainty != nil && e.Uncertainty.AUCDeLong != nil {
			ci = fmt.Sprintf(" (%s to %s)", fmtScore(e.Uncertainty.AUCDeLong.Lower), fmtScore(e.Uncertainty.AUCDeLong.Upper))
		}
		words := "ranks a random at-risk student above a random student not at risk"
		out = append(out, Description{fmt.Sprintf("%s, the model %s %.0f%% of the time (AUC %s%s); %d of %d flagged students were at risk, and %d of %d at-risk students were flagged.",
			where, words, 100**e.Metrics.AUC, fmtScore(*e.Metrics.AUC), ci, e.Metrics.TP, e.Metrics.Flagged, e.Metrics.TP, e.Metrics.TP+e.Metrics.FN)})
		if *e.Metrics.AUC < 0.7 {
			out = append(out, Description{fmt.Sprintf("On split %s the AUC is below 0.7: the ranking is weak and many flags will be wrong.", e.Split)})
		}
	}
	if e.Calibration != nil && e.Calibration.ECE > 0.05 {
		out = append(out, Description{fmt.Sprintf("On split %s the scores are miscalibrated (expected calibration error %.3f): read them as a ranking, not as probabilities.", e.Split, e.Calibration.ECE)})
	}
	if e.Fairness != nil {
		switch e.Fairness.Status {
		case fairness.Fail:
			out = append(out, Description{fmt.Sprintf("The fairness audit on split %s FAILED: for at least one group the gap lies outside the allowed range (see ethical considerations).", e.Split)})
		case fairness.Inconclusive:
			out = append(out, Description{fmt.Sprintf("The fairness audit on split %s is INCONCLUSIVE: the test set is too small to show that the gaps lie within the allowed ranges.", e.Split)})
		}
	}
	return out
}

func fairnessRisks(e results.Evaluation) []Risk {
	if e.Fairness == nil {
		return nil
	}
	var out []Risk
	for _, v := range e.Fairness.Verdicts {
		if v.Outcome == fairness.Pass {
			continue
		}
		est := "undefined"
		if v.Estimate.Defined {
			est = fmtScore(v.Estimate.Value)
		}
		ci := ""
		if v.Lower.Defined && v.Upper.Defined {
			ci = fmt.Sprintf(" (interval %s to %s)", fmtScore(v.Lower.Value), fmtScore(v.Upper.Value))
		}
		name := fmt.Sprintf("Fairness %s on split %s: %s of %s %s against %s is %s%s; allowed %s to %s. %s",
			v.Outcome, e.Split, v.Metric, v.Attribute, v.Group, v.Reference, est, ci, fmtScore(v.AllowedLow), fmtScore(v.AllowedHigh), v.Reason)
		mit := "Review the flags of this group with advisors before acting on them; consider a threshold per group or more training data for the group, and re-audit."
		if v.Outcome == fairness.Inconclusive {
			mit = "Collect more evaluation data for this group and re-audit before relying on the flags for it."
		}
		out = append(out, Risk{Name: name, MitigationStrategy: mit})
	}
	if e.Fairness.Status == fairness.Pass {
		out = append(out, Risk{Name: fmt.Sprintf("Fairness audit on split %s: every gap tested lies within its allowed range.", e.Split),
			MitigationStrategy: "Re-audit on each new labelled term; groups smaller than the minimum group size were not tested."})
	}
	return out
}

func kindWords(kind string) string {
	switch kind {
	case "logistic":
		return "logistic regression"
	case "random_forest":
		return "random forest"
	case "gbm":
		return "gradient boosting"
	case "tree":
		return "decision tree"
	case "prior":
		return "base-rate"
	case "rule":
		return "one-feature rule"
	}
	return kind
}

func architectureWords(m *Model) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (evalrun kind %q)", kindWords(m.Kind), m.Kind)
	if len(m.Training.Summary.Params) > 0 {
		b.WriteString(" with ")
		b.WriteString(paramsWords(m.Training.Summary.Params))
	}
	for _, n := range m.Training.Summary.Notes {
		b.WriteString("; ")
		b.WriteString(n)
	}
	return b.String()
}

func paramsWords(p map[string]any) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, p[k])
	}
	return strings.Join(parts, ", ")
}

func scoreWords(m *Model) string {
	if m.Kind == "rule" {
		return "a monotone risk score, not a probability"
	}
	return "the estimated probability of the at-risk outcome"
}

func termsWords(terms []string) string {
	if len(terms) == 1 {
		return "term " + terms[0]
	}
	return "terms " + strings.Join(terms, ", ")
}

func bandWords(bands []Band) string {
	parts := make([]string, len(bands))
	for i, b := range bands {
		parts[i] = b.Name + ": " + b.Meaning
	}
	return strings.Join(parts, "; ")
}

func fmtScore(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilOwners(s []Owner) []Owner {
	if s == nil {
		return []Owner{}
	}
	return s
}

func nonNilMetrics(s []PerformanceMetric) []PerformanceMetric {
	if s == nil {
		return []PerformanceMetric{}
	}
	return s
}

// Markdown renders the card for people: model_card.md.
func (c ModelCard) Markdown() []byte {
	var b bytes.Buffer
	d := c.ModelDetails
	fmt.Fprintf(&b, "# Model card: %s\n\n", d.Name)
	fmt.Fprintf(&b, "%s\n\nVersion %s, %s.\n\n", d.Overview, d.Version.Name, d.Version.Date)
	for _, o := range d.Owners {
		fmt.Fprintf(&b, "Owner: %s %s\n\n", o.Name, o.Contact)
	}
	fmt.Fprintf(&b, "%s\n\n", d.Documentation)
	p := c.ModelParameters
	fmt.Fprintf(&b, "## Model\n\n%s\n\n**Input:** %s\n\n**Output:** %s\n\n## Data\n\n", p.ModelArchitecture, p.InputFormat, p.OutputFormat)
	for _, ds := range p.Data {
		fmt.Fprintf(&b, "- **%s**: %s", ds.Name, ds.Description)
		if len(ds.Sensitive.SensitiveData) > 0 {
			fmt.Fprintf(&b, " Sensitive columns: %s.", strings.Join(ds.Sensitive.SensitiveData, ", "))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n## Performance\n\n")
	if len(c.QuantitativeAnalysis.PerformanceMetrics) == 0 {
		b.WriteString("No evaluation.\n")
	} else {
		b.WriteString("| metric | value | slice |\n|---|---:|---|\n")
		for _, pm := range c.QuantitativeAnalysis.PerformanceMetrics {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", pm.Type, strconv.FormatFloat(pm.Value, 'g', 4, 64), pm.Slice)
		}
	}
	co := c.Considerations
	list := func(title string, ds []Description) {
		fmt.Fprintf(&b, "\n## %s\n\n", title)
		for _, d := range ds {
			fmt.Fprintf(&b, "- %s\n", d.Description)
		}
	}
	list("Intended users", co.Users)
	list("Use cases", co.UseCases)
	list("Limitations", co.Limitations)
	list("Tradeoffs", co.Tradeoffs)
	b.WriteString("\n## Ethical considerations\n\n")
	for _, r := range co.EthicalConsiderations {
		fmt.Fprintf(&b, "- %s\n  - Mitigation: %s\n", r.Name, r.MitigationStrategy)
	}
	return b.Bytes()
}
