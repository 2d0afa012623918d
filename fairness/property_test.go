package fairness

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestAuditPropertiesOnRandomInput audits 300 random small cohorts (tiny
// and one-class groups, heavy ties, scores outside [0, 1], missing values,
// every reference mode, random metric subsets) and checks what must hold
// for any valid input: no error or panic, JSON encoding succeeds (it would
// fail on a NaN), every undefined Estimate carries a reason and every
// defined one is finite, intervals are ordered, p-values lie in (0, 1].
func TestAuditPropertiesOnRandomInput(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	modes := []ReferenceMode{ReferenceLargest, ReferenceGroup, ReferenceBetween}
	for trial := range 300 {
		n := 1 + r.IntN(120)
		y := make([]uint8, n)
		s := make([]float64, n)
		a := make([]string, n)
		b := make([]string, n)
		levels := []float64{2, 5, 100, 0}[r.IntN(4)]
		for i := range n {
			if r.Float64() < 0.3 {
				y[i] = 1
			}
			s[i] = r.Float64()
			if levels > 0 {
				s[i] = math.Round(s[i]*levels) / levels
			}
			if trial%7 == 0 {
				s[i] = 4*s[i] - 2 // not probabilities
			}
			a[i] = []string{"p", "q", "r", "", "NA"}[r.IntN(5)]
			b[i] = []string{"u", "v"}[r.IntN(2)]
		}
		opts := DefaultAuditOptions()
		opts.BootstrapReplicates, opts.Permutations = 20+r.IntN(30), 20+r.IntN(30)
		opts.MinGroupSize = r.IntN(8)
		opts.MissingValues = []string{"NA"}
		opts.Workers = 1 + r.IntN(3)
		opts.Seed = uint64(trial)
		opts.PermutationStopAfter = []int{0, 3, 20}[r.IntN(3)]
		if r.IntN(2) == 0 {
			opts.Metrics = nil
			for _, m := range AllMetrics {
				if r.IntN(2) == 0 {
					opts.Metrics = append(opts.Metrics, m)
				}
			}
			if opts.Metrics == nil {
				opts.Metrics = []string{MetricTPR}
			}
		}
		opts.Intersections = []Intersection{{[]string{"a", "b"}}}
		mode := modes[r.IntN(3)]
		if mode == ReferenceGroup {
			// Use the largest group's name so the reference exists and
			// is reported.
			opts.References = map[string]Reference{"b": {Mode: ReferenceGroup, Group: "u"}}
			countU := 0
			for _, v := range b {
				if v == "u" {
					countU++
				}
			}
			if countU < max(opts.MinGroupSize, 1) {
				opts.References = nil
			}
		} else {
			opts.References = map[string]Reference{"a": {Mode: mode}}
		}
		family := AllMetrics[0]
		if opts.Metrics != nil {
			family = opts.Metrics[0]
		}
		metric := map[string]string{MetricCalibration: "ece_difference", MetricAUC: "auc_difference", MetricABROCA: "abroca"}[family]
		if metric == "" {
			metric = family + "_difference"
		}
		opts.Thresholds = []GapThreshold{{Metric: metric, Max: 0.1}}
		res, err := Audit(y, s, []Attribute{{"a", a}, {"b", b}}, opts)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatalf("trial %d: JSON: %v", trial, err)
		}
		checkEstimates(t, trial, reflect.ValueOf(res), "result")
		for _, attr := range res.Attributes {
			for _, g := range attr.Gaps {
				if g.Lower.Defined && g.Upper.Defined && g.Lower.Value > g.Upper.Value {
					t.Fatalf("trial %d: %s %s interval [%v, %v] reversed", trial, attr.Name, g.Metric, g.Lower.Value, g.Upper.Value)
				}
				for _, p := range []Estimate{g.PValue, g.AdjustedPValue} {
					if p.Defined && !(p.Value > 0 && p.Value <= 1) {
						t.Fatalf("trial %d: %s %s p-value %v", trial, attr.Name, g.Metric, p.Value)
					}
				}
			}
		}
		if res.Status == NotEvaluated || len(res.Verdicts) == 0 {
			t.Fatalf("trial %d: a threshold produced no verdict", trial)
		}
	}
}

// checkEstimates walks v and checks every Estimate in it.
func checkEstimates(t *testing.T, trial int, v reflect.Value, path string) {
	t.Helper()
	if v.Type() == reflect.TypeOf(Estimate{}) {
		e := v.Interface().(Estimate)
		if e.Defined && (math.IsNaN(e.Value) || math.IsInf(e.Value, 0)) {
			t.Fatalf("trial %d: %s = %v", trial, path, e.Value)
		}
		if !e.Defined && e.Reason == "" {
			t.Fatalf("trial %d: %s undefined without a reason", trial, path)
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			checkEstimates(t, trial, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	case reflect.Slice:
		for i := range v.Len() {
			checkEstimates(t, trial, v.Index(i), path)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			checkEstimates(t, trial, v.Elem(), path)
		}
	}
}
