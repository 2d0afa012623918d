package scored

import (
	"fmt"

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
	attrs := make([]fairness.Attribute, len(t.Groups))
	for i, g := range t.Groups {
		attrs[i] = fairness.Attribute{Name: g.Name, Values: g.Values}
	}
	return fairness.Audit(t.Labels, t.Scores, attrs, opts)
}
