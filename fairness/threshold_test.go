package fairness

import (
	"errors"
	"strings"
	"testing"
)

func TestParseGapThreshold(t *testing.T) {
	good := []struct {
		text string
		want GapThreshold
	}{
		{"tpr_difference <= 0.10", GapThreshold{Metric: "tpr_difference", Max: 0.1}},
		{"  abroca<=0.05 ", GapThreshold{Metric: "abroca", Max: 0.05}},
		{"selection_rate_ratio in [0.8, 1.25]", GapThreshold{Metric: "selection_rate_ratio", Low: 0.8, High: 1.25}},
		{"equalized_odds_ratio in [0.9,1.1]", GapThreshold{Metric: "equalized_odds_ratio", Low: 0.9, High: 1.1}},
		{"ece_difference <= 0", GapThreshold{Metric: "ece_difference"}},
	}
	for _, tc := range good {
		got, err := ParseGapThreshold(tc.text)
		if err != nil {
			t.Errorf("%q: %v", tc.text, err)
			continue
		}
		if got.Metric != tc.want.Metric || got.Max != tc.want.Max || got.Low != tc.want.Low || got.High != tc.want.High {
			t.Errorf("%q: got %+v, want %+v", tc.text, got, tc.want)
		}
		back, err := ParseGapThreshold(got.String())
		if err != nil || back.String() != got.String() {
			t.Errorf("%q: String %q does not round-trip (%v)", tc.text, got.String(), err)
		}
	}
	for _, text := range []string{
		"tpr_gap <= 0.1", "tpr_ratio <= 1.2", "tpr_difference in [0, 0.1]", "tpr_difference <= -0.1",
		"tpr_ratio in [1.25, 0.8]", "tpr_ratio in 0.8, 1.25", "tpr_difference", "tpr_difference <= x",
	} {
		if _, err := ParseGapThreshold(text); err == nil || !errors.Is(err, ErrInput) {
			t.Errorf("%q: error %v, want ErrInput", text, err)
		}
	}
}

// TestUnknownGapMetricListsValidNames checks that a misspelt gap metric
// is answered with every valid name, and that every listed name parses.
func TestUnknownGapMetricListsValidNames(t *testing.T) {
	_, err := ParseGapThreshold("selection_ratio in [0.8, 1.25]")
	if err == nil {
		t.Fatal("selection_ratio accepted")
	}
	for _, name := range GapMetrics() {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not list %s", err, name)
		}
		if _, ok := gapFamily(name); !ok {
			t.Errorf("GapMetrics lists %s, which gapFamily does not know", name)
		}
	}
	if n := len(GapMetrics()); n != 2*len(gapRates)+5 {
		t.Errorf("%d gap metrics, want %d", n, 2*len(gapRates)+5)
	}
	opts := DefaultAuditOptions()
	opts.Thresholds = []GapThreshold{{Metric: "flag_rate_ratio", Low: 0.8, High: 1.25}}
	if err := opts.Validate(); err == nil || !strings.Contains(err.Error(), "selection_rate_ratio") {
		t.Errorf("options with flag_rate_ratio: %v, want an error listing selection_rate_ratio", err)
	}
}
