package costbenefit

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestPrecisionAtHandComputed: labels in score order 1,1,0,1,0: precision
// of the top 1, 2, 4 and 5 is 1, 1, 3/4, 3/5; with the first student drawn
// twice and the second not at all, the top 2 are the first student twice.
func TestPrecisionAtHandComputed(t *testing.T) {
	labels := []uint8{1, 1, 0, 1, 0}
	got := precisionAt(labels, nil, []int{1, 2, 4, 5}, make([]float64, 4))
	for i, want := range []float64{1, 1, 0.75, 0.6} {
		if got[i] != want {
			t.Errorf("precision at %d: %v, want %v", i, got[i], want)
		}
	}
	got = precisionAt(labels, []int{2, 0, 2, 0, 1}, []int{2, 3, 5}, make([]float64, 3))
	for i, want := range []float64{1, 2.0 / 3, 0.4} {
		if math.Abs(got[i]-want) > 1e-15 {
			t.Errorf("resampled precision %d: %v, want %v", i, got[i], want)
		}
	}
}

func pilotEffect(rd, lo, hi, pc float64, n int) Effect {
	return Effect{Pilot: "p", Arm: "advising", Outcome: "dfw", RiskDifference: rd, Lower: lo, Upper: hi, Level: 0.95, ControlRate: pc, ControlN: n}
}

// TestPointEstimates: 10 test students, 4 contacts of 10 per term, the
// top 4 hold 3 DFW: reached 3; the pilot halves DFW (0.4 → 0.2), so 1.5
// are prevented at (100 + 4·50)/1.5 = 200 each.
func TestPointEstimates(t *testing.T) {
	in := Inputs{
		Scores:   []float64{0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05},
		Labels:   []uint8{1, 0, 1, 1, 0, 1, 0, 0, 0, 0},
		Effect:   pilotEffect(-0.2, -0.3, -0.1, 0.4, 200),
		Capacity: 4, Capacities: []int{2, 4, 6}, CostPerContact: 50, FixedCost: 100, Replicates: 200, Seed: 1,
	}
	r, err := Analyze(in)
	if err != nil {
		t.Fatal(err)
	}
	p := r.Planned
	if p.Capacity != 4 || p.ReachedAtRisk.Value != 3 || math.Abs(p.Prevented.Value-1.5) > 1e-12 || math.Abs(p.CostPerOutcome.Value-200) > 1e-9 {
		t.Errorf("planned row %+v", p)
	}
	if !(p.Prevented.Lower <= p.Prevented.Value && p.Prevented.Value <= p.Prevented.Upper) {
		t.Errorf("interval %+v does not hold the estimate", p.Prevented)
	}
	// Capacity 2: precision 1/2, (100+100)/(2·0.5·0.5) = 400; 6: 4/6,
	// (100+300)/(6·(4/6)·0.5) = 200. Ties keep the first in the table.
	if len(r.Rows) != 3 || math.Abs(r.Rows[0].CostPerOutcome.Value-400) > 1e-9 || r.Best != 4 {
		t.Errorf("rows %+v, best %d", r.Rows, r.Best)
	}
	if !strings.HasPrefix(r.Summary, "Contacting the 4 highest-risk students each term would prevent about 1.5 (") {
		t.Errorf("summary %q", r.Summary)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(b, &back); err != nil || back.Planned.Prevented != r.Planned.Prevented {
		t.Errorf("JSON round trip: %v, %+v", err, back.Planned.Prevented)
	}
}

func TestBadInputs(t *testing.T) {
	good := Inputs{Scores: []float64{0.5, 0.4}, Labels: []uint8{1, 0}, Effect: pilotEffect(-0.1, -0.2, 0, 0.4, 100), Capacity: 1, CostPerContact: 10}
	for name, mutate := range map[string]func(*Inputs){
		"capacity above students": func(in *Inputs) { in.Capacity = 3 },
		"no cost":                 func(in *Inputs) { in.CostPerContact = 0 },
		"labels":                  func(in *Inputs) { in.Labels = []uint8{1, 2} },
		"effect outside interval": func(in *Inputs) { in.Effect.RiskDifference = 0.5 },
		"zero control rate":       func(in *Inputs) { in.Effect.ControlRate = 0 },
		"NaN score":               func(in *Inputs) { in.Scores = []float64{math.NaN(), 1} },
	} {
		in := good
		in.Scores, in.Labels = append([]float64(nil), good.Scores...), append([]uint8(nil), good.Labels...)
		mutate(&in)
		if _, err := Analyze(in); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := Analyze(good); err != nil {
		t.Errorf("good inputs: %v", err)
	}
}

// TestIntervalCoverage: in simulated evaluations and pilots the interval
// for prevented DFW outcomes covers the truth in about 95% of cases.
// Scores are uniform and a student's DFW probability is their score, so
// the expected precision of the top k of n is 1 − (k+1)/(2(n+1)); the
// pilot has 300 units per arm with DFW rates 0.45 (control) and 0.33,
// analysed by the Wald interval. Tolerance: 3.3 binomial standard errors.
func TestIntervalCoverage(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 95))
	const sims, n, capacity, armN = 160, 400, 80, 300
	const pc, pt = 0.45, 0.33
	truth := capacity * (1 - float64(capacity+1)/(2*float64(n+1))) * (pc - pt) / pc
	covered := 0
	scores := make([]float64, n)
	labels := make([]uint8, n)
	for s := 0; s < sims; s++ {
		for i := range scores {
			scores[i] = r.Float64()
			labels[i] = 0
			if r.Float64() < scores[i] {
				labels[i] = 1
			}
		}
		xc, xt := binomial(r, armN, pc), binomial(r, armN, pt)
		p1, p2 := float64(xt)/armN, float64(xc)/armN
		se := math.Sqrt(p1*(1-p1)/armN + p2*(1-p2)/armN)
		rd := p1 - p2
		res, err := Analyze(Inputs{Scores: scores, Labels: labels, Capacity: capacity, Capacities: []int{capacity}, CostPerContact: 100,
			Effect: pilotEffect(rd, rd-1.959963984540054*se, rd+1.959963984540054*se, p2, armN), Replicates: 300, Seed: uint64(s)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Planned.Prevented.Lower <= truth && truth <= res.Planned.Prevented.Upper {
			covered++
		}
	}
	c := float64(covered) / sims
	t.Logf("coverage %.3f over %d simulated pilots", c, sims)
	if tol := 3.3 * math.Sqrt(0.95*0.05/sims); math.Abs(c-0.95) > tol {
		t.Errorf("coverage %.3f, want 0.95 ± %.3f", c, tol)
	}
}

func binomial(r *rand.Rand, n int, p float64) int {
	x := 0
	for i := 0; i < n; i++ {
		if r.Float64() < p {
			x++
		}
	}
	return x
}

func TestMoneyAndCount(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{{730.4, "$730"}, {1994, "$2,000"}, {421, "$420"}, {12345678, "$12,000,000"}, {55.5, "$56"}, {math.Inf(1), "unbounded"}} {
		if got := money("$", c.v); got != c.want {
			t.Errorf("money(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

// TestCapacityPerTerm: capacity is per term, so each test term's students
// are ranked and cut within the term. Term 2014J scores every student above
// term 2014B's: the top 6 of the pooled terms would all be 2014J students
// (4 DFW of 6), while 3 per term reach 2 DFW in 2014J and 1 in 2014B, a
// precision of 3/6 and 1.5 at-risk students reached per term; the pilot
// halves DFW, so 0.75 are prevented per term at (3·100)/0.75 = 400 each.
func TestCapacityPerTerm(t *testing.T) {
	in := Inputs{
		Scores: []float64{0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5, 0.45, 0.4, 0.35, 0.3, 0.25, 0.2, 0.15, 0.1, 0.05, 0.02, 0.01},
		Labels: []uint8{1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0},
		Terms: []string{"2014J", "2014J", "2014J", "2014J", "2014J", "2014J", "2014J", "2014J", "2014J", "2014J",
			"2014B", "2014B", "2014B", "2014B", "2014B", "2014B", "2014B", "2014B", "2014B", "2014B"},
		Effect:   pilotEffect(-0.2, -0.3, -0.1, 0.4, 200),
		Capacity: 3, Capacities: []int{3}, CostPerContact: 100, Replicates: 200, Seed: 1,
	}
	r, err := Analyze(in)
	if err != nil {
		t.Fatal(err)
	}
	p := r.Planned
	if r.TestTerms != 2 || r.StudentsPerTerm != 10 || !slices.Equal(r.Terms, []string{"2014B", "2014J"}) || !slices.Equal(p.TermK, []int{3, 3}) || p.TestK != 6 {
		t.Fatalf("terms %q (%d), students per term %d, cut %v (%d)", r.Terms, r.TestTerms, r.StudentsPerTerm, p.TermK, p.TestK)
	}
	if p.Precision.Value != 0.5 || p.ReachedAtRisk.Value != 1.5 || math.Abs(p.Prevented.Value-0.75) > 1e-12 || math.Abs(p.CostPerOutcome.Value-400) > 1e-9 {
		t.Errorf("planned row %+v", p)
	}
	// Resampling stays within each term: with every 2014J student at risk
	// and no 2014B student, each replicate's precision is exactly 3/6.
	for i := range in.Labels {
		in.Labels[i] = 0
		if in.Terms[i] == "2014J" {
			in.Labels[i] = 1
		}
	}
	r, err = Analyze(in)
	if err != nil {
		t.Fatal(err)
	}
	if pr := r.Planned.Precision; pr.Value != 0.5 || pr.Lower != 0.5 || pr.Upper != 0.5 {
		t.Errorf("precision %+v, want 0.5 in every replicate", pr)
	}
	// Terms of unequal size: 10 and 20 students, 15 per term by default,
	// so 3 contacts per term are 2 of the first term's and 4 of the
	// second's test students.
	in.Scores = append(in.Scores, in.Scores[10:]...)
	in.Labels = append(in.Labels, in.Labels[10:]...)
	in.Terms = append(in.Terms, in.Terms[10:]...)
	r, err = Analyze(in)
	if err != nil {
		t.Fatal(err)
	}
	if r.StudentsPerTerm != 15 || !slices.Equal(r.Planned.TermK, []int{4, 2}) || !slices.Equal(r.TermRows, []int{20, 10}) {
		t.Errorf("unequal terms: %d per term, cut %v of %v", r.StudentsPerTerm, r.Planned.TermK, r.TermRows)
	}
}
