package abtest

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/multilevel"
)

// clusterTrial draws a cluster-randomized binary outcome: clusters of
// size units, half of them treated, a conditional log odds ratio logOR and
// a random intercept of SD sd.
func clusterTrial(seed uint64, clusters, size int, logOR, sd float64) (y []float64, treated []bool, cluster []string) {
	rng := rand.New(rand.NewPCG(seed, 9))
	for c := 0; c < clusters; c++ {
		b := sd * rng.NormFloat64()
		tr := c%2 == 0
		for i := 0; i < size; i++ {
			eta := -0.5 + b
			if tr {
				eta += logOR
			}
			v := 0.0
			if rng.Float64() < 1/(1+math.Exp(-eta)) {
				v = 1
			}
			y = append(y, v)
			treated = append(treated, tr)
			cluster = append(cluster, fmt.Sprintf("s%02d", c))
		}
	}
	return y, treated, cluster
}

// TestMixedLogisticEffect: the conditional odds ratio, its Wald interval
// and the latent ICC are those of the random-intercept fit of package
// multilevel (itself checked against lme4); few clusters and errors are
// reported.
func TestMixedLogisticEffect(t *testing.T) {
	y, treated, cluster := clusterTrial(1, 30, 40, -0.6, 0.7)
	r, err := MixedLogisticEffect(y, treated, cluster, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	d := multilevel.Data{Cols: 1, X: make([]float64, len(y)), Y: y, Group: cluster}
	for i, tr := range treated {
		if tr {
			d.X[i] = 1
		}
	}
	fit, err := multilevel.FitRandomIntercept(context.Background(), d, multilevel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, se := fit.Beta[1], fit.SE[1]
	if r.OddsRatio != math.Exp(b) || r.SE != se || r.ClusterSD != fit.SD || r.Clusters != 30 {
		t.Errorf("result %+v, fit beta %v SE %v SD %v", r, fit.Beta, fit.SE, fit.SD)
	}
	const z = 1.959963984540054
	if math.Abs(r.CI.Lower-math.Exp(b-z*se)) > 1e-12 || math.Abs(r.CI.Upper-math.Exp(b+z*se)) > 1e-12 || !r.CI.Contains(r.OddsRatio) {
		t.Errorf("CI %v for OR %v", r.CI, r.OddsRatio)
	}
	if want := 2 * (1 - 0.5*(1+math.Erf(math.Abs(b/se)/math.Sqrt2))); math.Abs(r.PValue-want) > 1e-12 {
		t.Errorf("p %v, want %v", r.PValue, want)
	}
	if v := r.ClusterSD * r.ClusterSD; math.Abs(r.ICC-v/(v+math.Pi*math.Pi/3)) > 1e-15 || r.Note != MixedEffectNote {
		t.Errorf("ICC %v, note %q", r.ICC, r.Note)
	}
	if len(r.Warnings) != 0 || r.SingularFit {
		t.Errorf("warnings %v singular %v with 30 clusters and SD 0.7", r.Warnings, r.SingularFit)
	}
	// 10 clusters: a warning; one cluster, one arm, a bad level: errors.
	y, treated, cluster = clusterTrial(2, 10, 40, -0.6, 0.7)
	if r, err := MixedLogisticEffect(y, treated, cluster, 0.95); err != nil || len(r.Warnings) == 0 || !strings.Contains(r.Warnings[0], "only 10 clusters") {
		t.Errorf("10 clusters: %v, warnings %v", err, r.Warnings)
	}
	one := make([]string, len(y))
	for i := range one {
		one[i] = "s"
	}
	if _, err := MixedLogisticEffect(y, treated, one, 0.95); err == nil || !strings.Contains(err.Error(), "at least two groups") {
		t.Errorf("one cluster: %v", err)
	}
	if _, err := MixedLogisticEffect(y, make([]bool, len(y)), cluster, 0.95); err == nil || !strings.Contains(err.Error(), "need both arms") {
		t.Errorf("no treated unit: %v", err)
	}
	if _, err := MixedLogisticEffect(y, treated, cluster, 1.5); err == nil {
		t.Error("level 1.5: want an error")
	}
}

// TestAnalyzeClusterMixed: a cluster-randomized pilot's binary outcome
// carries the random-intercept sensitivity analysis beside the
// cluster-robust one (which stays the method); continuous outcomes do not.
func TestAnalyzeClusterMixed(t *testing.T) {
	arms := []string{"control", "tutoring", "alerts"}
	p := pilotFixture(2, 900, arms)
	plan := basicPlan(arms)
	plan.ClusterRandomized = true
	a, err := Analyze(p, plan)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range a.Effects {
		if e.Method != "cluster-robust" {
			t.Errorf("%s/%s: method %q", e.Arm, e.Outcome, e.Method)
		}
		if (e.Mixed != nil) != (e.Kind == Binary) {
			t.Errorf("%s/%s (%s): mixed analysis %+v", e.Arm, e.Outcome, e.Kind, e.Mixed)
			continue
		}
		if e.Mixed != nil && (e.Mixed.Clusters != 20 || !e.Mixed.CI.Contains(e.Mixed.OddsRatio) || e.Mixed.Note == "") {
			t.Errorf("%s/%s: mixed analysis %+v", e.Arm, e.Outcome, e.Mixed)
		}
	}
}
