package archetypes

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// plantedShapes are mean weekly counts of four archetypes over 12 weeks:
// steady, fading, blooming and cramming in the last weeks.
var plantedShapes = [][]float64{
	{6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6},
	{12, 11, 10, 8, 6, 4, 3, 2, 1, 1, 0.5, 0.5},
	{0.5, 0.5, 1, 1, 2, 3, 4, 6, 8, 10, 11, 12},
	{0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.5, 1, 20, 25},
}

func poisson(rng *rand.Rand, mean float64) float64 {
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return float64(k)
		}
		k++
	}
}

// planted draws n students, a quarter from each planted shape, with Poisson
// weekly counts; it returns the trajectories and the true archetypes.
func planted(n int, seed uint64) ([][]float64, []int) {
	rng := rand.New(rand.NewPCG(seed, 7))
	X := make([][]float64, n)
	truth := make([]int, n)
	for i := range X {
		a := i % len(plantedShapes)
		truth[i] = a
		X[i] = make([]float64, len(plantedShapes[a]))
		for w, m := range plantedShapes[a] {
			X[i][w] = poisson(rng, m)
		}
	}
	return X, truth
}

var fastOptions = Options{StabilityReplicates: 20, StabilitySample: 400, SilhouetteSample: 400, Restarts: 3, KMax: 6, Seed: 11}

func TestFitRecoversPlantedArchetypes(t *testing.T) {
	X, truth := planted(800, 1)
	res, err := Fit(X, fastOptions)
	if err != nil {
		t.Fatal(err)
	}
	if res.K != 4 {
		t.Fatalf("chose k = %d, want the 4 planted archetypes", res.K)
	}
	ari, _ := AdjustedRand(res.Labels, truth)
	if ari < 0.95 {
		t.Errorf("adjusted Rand with the planted archetypes %.3f, want >= 0.95", ari)
	}
	c := res.Candidates[res.K-2] // KMin defaults to 2
	if c.K != 4 {
		t.Fatalf("candidate %d has k = %d", res.K-2, c.K)
	}
	for j, s := range c.Stability {
		if s < Stable {
			t.Errorf("planted archetype %d has bootstrap Jaccard %.3f, want >= %.2f", j, s, Stable)
		}
	}
	if c.SeedARI < 0.99 {
		t.Errorf("restarts agree to ARI %.3f, want ~1 on well separated archetypes", c.SeedARI)
	}
	got := map[string]bool{}
	for _, n := range res.Model.Names {
		got[n] = true
	}
	for _, want := range []string{"consistent steady learners", "early starters who fade", "late bloomers", "cramming bursters"} {
		if !got[want] {
			t.Errorf("names %v lack %q", res.Model.Names, want)
		}
	}
	// New students from the same population are assigned by the training
	// centres to their planted archetype.
	Y, truthY := planted(200, 2)
	lab, err := res.Model.Assign(Y)
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := AdjustedRand(lab, truthY); a < 0.95 {
		t.Errorf("assignment of new students: ARI %.3f, want >= 0.95", a)
	}
}

// On structureless data (every student from one Poisson shape), no k has
// stable clusters or a high silhouette: the fit warns.
func TestFitWarnsOnNoise(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	X := make([][]float64, 400)
	for i := range X {
		X[i] = make([]float64, 10)
		for w := range X[i] {
			X[i][w] = poisson(rng, 3)
		}
	}
	res, err := Fit(X, fastOptions)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) == 0 {
		t.Fatalf("no warning on structureless data (chose k = %d)", res.K)
	}
	for _, c := range res.Candidates {
		if c.Silhouette > 0.25 {
			t.Errorf("k = %d: silhouette %.3f on noise", c.K, c.Silhouette)
		}
	}
}

func TestFitIdenticalWhateverWorkers(t *testing.T) {
	X, _ := planted(5000, 3) // more than one chunk of rows
	o := fastOptions
	o.KMax = 4
	o.StabilityReplicates = 6
	o.Workers = 1
	a, err := Fit(X, o)
	if err != nil {
		t.Fatal(err)
	}
	o.Workers = 4
	b, err := Fit(X, o)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Labels, b.Labels) || !reflect.DeepEqual(a.Model, b.Model) {
		t.Fatal("labels or model differ between 1 and 4 workers")
	}
	for i := range a.Candidates {
		ca, cb := a.Candidates[i], b.Candidates[i]
		if ca.Inertia != cb.Inertia || ca.Silhouette != cb.Silhouette || !reflect.DeepEqual(ca.Stability, cb.Stability) {
			t.Fatalf("k = %d differs between 1 and 4 workers", ca.K)
		}
	}
}

func TestFitBadInput(t *testing.T) {
	good, _ := planted(40, 1)
	for _, tc := range []struct {
		name string
		X    [][]float64
		opt  Options
		want string
	}{
		{"ragged", [][]float64{{1, 2}, {1}, {3, 3}, {4, 4}}, Options{}, "row 1 has 1 columns"},
		{"negative count", [][]float64{{1, 2}, {1, -1}, {3, 3}, {4, 4}}, Options{}, "negative"},
		{"nan", [][]float64{{1, 2}, {1, math.NaN()}, {3, 3}, {4, 4}}, Options{}, "NaN"},
		{"k_min 1", good, Options{KMin: 1}, "k_min 1"},
		{"k_max below k_min", good, Options{KMin: 4, KMax: 3}, "below k_min"},
		{"too few students", good[:2], Options{}, "2 students"},
		{"transform", good, Options{Transform: "sqrt"}, "unknown transform"},
	} {
		_, err := Fit(tc.X, tc.opt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestNameShapeRules(t *testing.T) {
	for _, tc := range []struct {
		profile []float64
		overall float64
		want    string
	}{
		{[]float64{0.1, 0.1, 0.1, 0.1, 0.1, 0.1}, 2, "mostly inactive"},
		{[]float64{0, 0, 0, 0, 1, 11}, 2, "cramming bursters"},
		{[]float64{11, 1, 0, 0, 0, 0}, 2, "early bursters"},
		{[]float64{0, 0, 12, 0, 0, 0}, 2, "mid-term bursters"},
		{[]float64{6, 5, 3, 2, 1, 1}, 3, "early starters who fade"},
		{[]float64{1, 1, 2, 3, 5, 6}, 3, "late bloomers"},
		{[]float64{5, 5, 5, 5, 5, 5}, 3, "highly engaged steady learners"},
		{[]float64{3, 3, 3, 3, 3, 3}, 3, "consistent steady learners"},
		{[]float64{1, 1, 1, 1, 1, 1}, 3, "low but steady learners"},
	} {
		if got := NameShape(ShapeOf(tc.profile, tc.overall)); got != tc.want {
			t.Errorf("%v (overall %v): %q, want %q", tc.profile, tc.overall, got, tc.want)
		}
	}
	names := []string{"late bloomers", "late bloomers", "mostly inactive"}
	uniqueNames(names, []Shape{{Level: 0.5}, {Level: 2}, {}})
	if want := []string{"late bloomers (less active)", "late bloomers (more active)", "mostly inactive"}; !reflect.DeepEqual(names, want) {
		t.Errorf("unique names %v, want %v", names, want)
	}
	names = []string{"x", "x", "x"}
	uniqueNames(names, []Shape{{Level: 0.5}, {Level: 2}, {Level: 1}})
	if want := []string{"x #3", "x", "x #2"}; !reflect.DeepEqual(names, want) {
		t.Errorf("unique names %v, want %v", names, want)
	}
}

func TestSummarise(t *testing.T) {
	labels := []int{0, 0, 0, 0, 1, 1, 1, 0, 0, 1}
	outcome := []Outcome{1, 1, 0, -1, 0, 0, 1, 1, 0, 0}
	terms := []string{"A", "A", "A", "A", "A", "B", "B", "B", "B", "B"}
	got, err := Summarise(labels, []string{"x", "y"}, outcome, terms, 0.95, 3)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		arch             int
		term             string
		size, known, evt int
		supp             bool
	}
	want := []row{{0, "", 6, 5, 3, false}, {1, "", 4, 4, 1, false}, {0, "A", 4, 3, 2, false}, {1, "A", 0, 0, 0, true}, {0, "B", 0, 0, 0, true}, {1, "B", 3, 3, 1, false}}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Archetype != w.arch || g.Term != w.term || g.Size != w.size || g.Known != w.known || g.Events != w.evt || g.Suppressed != w.supp {
			t.Errorf("row %d: %+v, want %+v", i, g, w)
		}
	}
	// Wilson interval of 3/5 at 95% (statsmodels proportion_confint
	// method="wilson": 0.2307, 0.8824).
	if r := got[0]; math.Abs(*r.Rate-0.6) > 1e-12 || math.Abs(*r.Lower-0.23072) > 1e-4 || math.Abs(*r.Upper-0.88237) > 1e-4 {
		t.Errorf("3/5: rate %v [%v, %v]", *r.Rate, *r.Lower, *r.Upper)
	}
	if got[3].Rate != nil {
		t.Error("suppressed group shows a rate")
	}
	if _, err := Summarise(labels, []string{"x"}, outcome, nil, 0.95, 1); err == nil {
		t.Error("label beyond the names accepted")
	}
}
