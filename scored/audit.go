package scored

import (
	"fmt"
	"math"

	"github.com/evalrun/evalrun/fairness"
	"github.com/evalrun/evalrun/metrics"
)

// Audit runs the fairness audit of a scored table: the threshold comes
// from policy applied to the table's own scores (a fixed value, or a
// capacity such as the top 30%; policies chosen on training labels do not
// apply to a single scored file and are an error), the attributes are the
// table's group columns, and opts supplies everything else.
func Audit(t *Table, policy metrics.ThresholdPolicy, opts fairness.AuditOptions) (fairness.AuditResult, error) {
	if policy.UsesLabels() {
		return fairness.AuditResult{}, fmt.Errorf("threshold policy %s is chosen on training labels; a scored file needs a fixed value or a capacity (top fraction or top k)", policy)
	}
	thr, err := policy.Threshold(nil, nil, t.Scores)
	if err != nil {
		return fairness.AuditResult{}, err
	}
	opts.Threshold = thr
	return fairness.Audit(t.Labels, t.Scores, t.attributes(), opts)
}

func (t *Table) attributes() []fairness.Attribute {
	attrs := make([]fairness.Attribute, len(t.Groups))
	for i, g := range t.Groups {
		attrs[i] = fairness.Attribute{Name: g.Name, Values: g.Values}
	}
	return attrs
}

// Sweep is the fairness audit of one scored table at several score
// thresholds, as TensorFlow Model Analysis's Fairness Indicators evaluate
// a model at several thresholds: each audit flags scores >= its
// threshold and otherwise runs with the same options (and seed).
type Sweep struct {
	// Status is the worst status of the audits (fairness.WorstOutcome).
	Status fairness.Outcome       `json:"status"`
	Audits []fairness.AuditResult `json:"sweep"`
}

// AuditSweep audits t at each threshold, in the order given. Errors: no
// threshold, a threshold that is not a finite number or repeats, and the
// errors of fairness.Audit.
func AuditSweep(t *Table, thresholds []float64, opts fairness.AuditOptions) (Sweep, error) {
	if err := CheckThresholds(thresholds); err != nil {
		return Sweep{}, err
	}
	var sw Sweep
	var statuses []fairness.Outcome
	for _, thr := range thresholds {
		o := opts
		o.Threshold = thr
		res, err := fairness.Audit(t.Labels, t.Scores, t.attributes(), o)
		if err != nil {
			return Sweep{}, fmt.Errorf("threshold %g: %w", thr, err)
		}
		sw.Audits = append(sw.Audits, res)
		statuses = append(statuses, res.Status)
	}
	sw.Status = fairness.WorstOutcome(statuses...)
	return sw, nil
}

// CheckThresholds checks a threshold sweep: at least one threshold, each
// a finite number, none repeated.
func CheckThresholds(thresholds []float64) error {
	if len(thresholds) == 0 {
		return fmt.Errorf("threshold sweep: no threshold")
	}
	seen := map[float64]bool{}
	for _, thr := range thresholds {
		if math.IsNaN(thr) || math.IsInf(thr, 0) {
			return fmt.Errorf("threshold sweep: %g is not a finite number", thr)
		}
		if seen[thr] {
			return fmt.Errorf("threshold sweep: %g appears twice", thr)
		}
		seen[thr] = true
	}
	return nil
}
