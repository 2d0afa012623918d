package monitor

import (
	"fmt"
	"strings"

	"github.com/evalrun/evalrun/bundle"
	"github.com/evalrun/evalrun/fairness"
)

// CardValue is one evaluated measure of the model card: its value and,
// when the card gives one, its interval.
type CardValue struct {
	Value float64  `json:"value"`
	Lower *float64 `json:"lower,omitempty"`
	Upper *float64 `json:"upper,omitempty"`
	Slice string   `json:"slice"`
}

// Card is what monitoring compares with: the model card's measures of its
// latest evaluation (the last slice listing an AUC) and its fairness
// verdicts.
type Card struct {
	AUC       *CardValue `json:"auc,omitempty"`
	Precision *CardValue `json:"precision,omitempty"`
	Recall    *CardValue `json:"recall,omitempty"`
	ECE       *CardValue `json:"ece,omitempty"`
	// Verdicts maps "metric; attribute; group; reference" to the evaluated
	// verdict (PASS, FAIL or INCONCLUSIVE).
	Verdicts map[string]fairness.Outcome `json:"verdicts,omitempty"`
	// Gaps maps the same keys to the evaluated gap and its interval.
	Gaps map[string]CardValue `json:"gaps,omitempty"`
}

// keySeparator joins the parts of a verdict key ("|" joins the
// attributes of an intersection).
const keySeparator = "; "

// VerdictKey names a fairness verdict across terms.
func VerdictKey(metric, attribute, group, reference string) string {
	return strings.Join([]string{metric, attribute, group, reference}, keySeparator)
}

// CardOf reads the measures of a model card. Card metrics name intervals
// "<measure> <level> ... lower bound" and "... upper bound" (bundle's
// convention); verdicts other than PASS are ethical considerations named
// "Fairness <OUTCOME> on split <s>: <metric> of <attribute> <group> against
// <reference> is ...", and every other audited gap is a "fairness: <metric>"
// metric of slice "<slice>; <attribute> <group> vs <reference>".
func CardOf(c bundle.ModelCard) Card {
	ms := c.QuantitativeAnalysis.PerformanceMetrics
	slice := ""
	for _, m := range ms {
		if m.Type == "AUC" {
			slice = m.Slice
		}
	}
	var out Card
	find := func(name string) *CardValue {
		var v *CardValue
		for _, m := range ms {
			if m.Slice != slice {
				continue
			}
			switch {
			case m.Type == name:
				v = &CardValue{Value: m.Value, Slice: slice}
			case v != nil && strings.HasPrefix(m.Type, name+" ") && strings.HasSuffix(m.Type, " lower bound"):
				x := m.Value
				v.Lower = &x
			case v != nil && strings.HasPrefix(m.Type, name+" ") && strings.HasSuffix(m.Type, " upper bound"):
				x := m.Value
				v.Upper = &x
			}
		}
		return v
	}
	out.AUC = find("AUC")
	out.Precision = find("precision at the threshold")
	out.Recall = find("recall at the threshold")
	out.ECE = find("expected calibration error")
	out.Verdicts = map[string]fairness.Outcome{}
	out.Gaps = map[string]CardValue{}
	split := ""
	if i := strings.Index(slice, ":"); strings.HasPrefix(slice, "split ") && i > 0 {
		split = slice[len("split "):i]
	}
	for _, m := range ms {
		if !strings.HasPrefix(m.Type, "fairness: ") || !strings.HasPrefix(m.Slice, slice+"; ") {
			continue
		}
		metric := strings.TrimPrefix(m.Type, "fairness: ")
		who := strings.TrimPrefix(m.Slice, slice+"; ")
		attr, rest, _ := strings.Cut(who, " ")
		group, ref, _ := strings.Cut(rest, " vs ")
		if base, ok := strings.CutSuffix(metric, " lower bound"); ok {
			key := VerdictKey(base, attr, group, ref)
			if g, ok := out.Gaps[key]; ok {
				x := m.Value
				g.Lower = &x
				out.Gaps[key] = g
			}
			continue
		}
		if base, ok := strings.CutSuffix(metric, " upper bound"); ok {
			key := VerdictKey(base, attr, group, ref)
			if g, ok := out.Gaps[key]; ok {
				x := m.Value
				g.Upper = &x
				out.Gaps[key] = g
			}
			continue
		}
		key := VerdictKey(metric, attr, group, ref)
		out.Gaps[key] = CardValue{Value: m.Value, Slice: m.Slice}
		out.Verdicts[key] = fairness.Pass
		for _, r := range c.Considerations.EthicalConsiderations {
			for _, o := range []fairness.Outcome{fairness.Fail, fairness.Inconclusive} {
				prefix := fmt.Sprintf("Fairness %s on split %s: %s of %s %s against %s is ", o, split, metric, attr, group, ref)
				if strings.HasPrefix(r.Name, prefix) {
					out.Verdicts[key] = o
				}
			}
		}
	}
	if len(out.Verdicts) == 0 {
		out.Verdicts, out.Gaps = nil, nil
	}
	return out
}
