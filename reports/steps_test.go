package reports

import (
	"reflect"
	"testing"

	"gonum.org/v1/plot/plotter"

	"github.com/evalrun/evalrun/metrics"
)

// TestStepsPost checks the step polyline against matplotlib's
// drawstyle="steps-post" (scikit-learn's PrecisionRecallDisplay): a
// horizontal segment at each point's y to the next x, then vertical.
func TestStepsPost(t *testing.T) {
	for i, c := range []struct {
		in, want plotter.XYs
	}{
		{plotter.XYs{}, plotter.XYs{}},
		{plotter.XYs{{X: 1, Y: 0.3}}, plotter.XYs{{X: 1, Y: 0.3}}},
		// A rule model (scores 0 and 1): recall 1 at the base rate, then
		// the rule's own point, then scikit-learn's (0, 1) end.
		{plotter.XYs{{X: 1, Y: 0.3}, {X: 0.6, Y: 0.5}, {X: 0, Y: 1}},
			plotter.XYs{{X: 1, Y: 0.3}, {X: 0.6, Y: 0.3}, {X: 0.6, Y: 0.5}, {X: 0, Y: 0.5}, {X: 0, Y: 1}}},
	} {
		if got := stepsPost(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("case %d: stepsPost(%v) = %v, want %v", i, c.in, got, c.want)
		}
	}
}

// TestPRSinglePoint checks which precision-recall curves are a single
// operating point: a constant score gives scikit-learn's two entries
// (base rate at recall 1, then precision 1 at recall 0).
func TestPRSinglePoint(t *testing.T) {
	constant, err := metrics.PRPoints([]uint8{0, 1, 0, 0, 1}, []float64{0.4, 0.4, 0.4, 0.4, 0.4})
	if err != nil {
		t.Fatal(err)
	}
	rule, err := metrics.PRPoints([]uint8{0, 1, 0, 0, 1}, []float64{0, 1, 1, 0, 1})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		pr   []metrics.CurvePoint
		want bool
	}{
		{constant, true},
		{rule, false},
		{[]metrics.CurvePoint{{X: 1, Y: 0.3}, {X: 0.5, Y: 0.6}}, false},
	} {
		if got := prSinglePoint(c.pr); got != c.want {
			t.Errorf("case %d: prSinglePoint(%v) = %v, want %v", i, c.pr, got, c.want)
		}
	}
	if len(constant) != 2 || constant[0] != (metrics.CurvePoint{X: 1, Y: 0.4}) {
		t.Errorf("constant-score PR points %v, want recall 1 at the base rate 0.4 then (0, 1)", constant)
	}
}
