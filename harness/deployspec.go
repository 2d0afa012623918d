package harness

import (
	"slices"

	"github.com/evalrun/evalrun/reports"
)

// DeploySpec is the [deploy] table: how `evalrun train` builds the model
// bundle advisors' weekly scoring uses.
type DeploySpec struct {
	// Model is the default of train --model.
	Model string `toml:"model"`
	// Dataset names the dataset to train on (default: the only student
	// table of the spec).
	Dataset string `toml:"dataset"`
	// Cutoff is the default of train --cutoff (default: the dataset's only
	// cutoff day).
	Cutoff *int `toml:"cutoff"`
	// Train lists the training terms (default: every term with outcomes).
	Train []string `toml:"train"`
	// MediumFraction is the share of students, ranked below the flagged
	// ones, in the medium risk band (default 0.2, as the run's risk list).
	MediumFraction *float64 `toml:"medium_fraction"`
	// AlertRise is the rise of the risk score since the previous scoring
	// that raises an alert (default 0.1).
	AlertRise *float64 `toml:"alert_rise"`
	// Owner and Contact go to the model card.
	Owner   string `toml:"owner"`
	Contact string `toml:"contact"`
	// XAPIHomePage and XAPIActivityBase are the institution's URLs the
	// xAPI statements of score --xapi are built on: the actors' account
	// homePage and the IRI the course activity ids go under
	// (reports.XAPIOptions). No default: score --xapi without them, or
	// their flags, is an error.
	XAPIHomePage     *string `toml:"xapi_home_page"`
	XAPIActivityBase *string `toml:"xapi_activity_base"`
}

func (d DeploySpec) mediumFraction() float64 {
	if d.MediumFraction == nil {
		return 0.2
	}
	return *d.MediumFraction
}

// AlertRiseDefault is the rise of the risk score that raises an alert
// unless [deploy] alert_rise or score --rise says otherwise.
const AlertRiseDefault = 0.1

func (d DeploySpec) alertRise() float64 {
	if d.AlertRise == nil {
		return AlertRiseDefault
	}
	return *d.AlertRise
}

func (s *Spec) checkDeploy(ps *problems) {
	d := s.Deploy
	if d.Model != "" && !slices.ContainsFunc(s.Models, func(m ModelSpec) bool { return m.Name == d.Model }) {
		ps.add("deploy.model", "no model named %q", d.Model)
	}
	if d.Dataset != "" && !slices.ContainsFunc(s.Datasets, func(ds Dataset) bool { return ds.Name == d.Dataset && ds.Kind != "events" }) {
		ps.add("deploy.dataset", "no student-table dataset named %q", d.Dataset)
	}
	if f := d.MediumFraction; f != nil && !(*f >= 0 && *f < 1) {
		ps.add("deploy.medium_fraction", "must lie in [0, 1), got %g", *f)
	}
	if r := d.AlertRise; r != nil && !(*r > 0 && *r <= 1) {
		ps.add("deploy.alert_rise", "must lie in (0, 1], got %g", *r)
	}
	if h := d.XAPIHomePage; h != nil {
		if err := reports.CheckXAPIHomePage(*h); err != nil {
			ps.add("deploy.xapi_home_page", "%v", err)
		}
	}
	if b := d.XAPIActivityBase; b != nil {
		if err := reports.CheckXAPIActivityBase(*b); err != nil {
			ps.add("deploy.xapi_activity_base", "%v", err)
		}
	}
	seen := map[string]bool{}
	for _, t := range d.Train {
		if seen[t] {
			ps.add("deploy.train", "term %q listed twice", t)
		}
		seen[t] = true
	}
	if d.Cutoff != nil {
		found := false
		for _, ds := range s.Datasets {
			found = found || slices.Contains(ds.CutoffDays, *d.Cutoff)
		}
		if !found {
			ps.add("deploy.cutoff", "no dataset has cutoff day %d", *d.Cutoff)
		}
	}
}
