package costbenefit

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Effect is the pilot's effect of a contact on the DFW outcome.
type Effect struct {
	// Pilot, Arm and Outcome name where the effect comes from.
	Pilot   string `json:"pilot"`
	Arm     string `json:"arm"`
	Outcome string `json:"outcome"`
	// RiskDifference is p_treated − p_control (negative when contacts
	// reduce DFW), Lower and Upper its interval at Level, Method the
	// analysis that gave them.
	RiskDifference float64 `json:"risk_difference"`
	Lower          float64 `json:"lower"`
	Upper          float64 `json:"upper"`
	Level          float64 `json:"level"`
	Method         string  `json:"method,omitempty"`
	// ControlRate is the control arm's DFW rate over ControlN units.
	ControlRate float64 `json:"control_rate"`
	ControlN    int     `json:"control_n"`
}

// SE is the standard error the interval implies.
func (e Effect) SE() float64 {
	return (e.Upper - e.Lower) / (2 * normalQuantile(1-(1-e.Level)/2))
}

// RelativeReduction is −RiskDifference/ControlRate.
func (e Effect) RelativeReduction() float64 { return -e.RiskDifference / e.ControlRate }

// Inputs is everything an analysis needs.
type Inputs struct {
	// Scores and Labels are the evaluation's test predictions (label 1 =
	// DFW); Terms holds each prediction's test term (nil: all of one
	// term). Capacity is per term: students are ranked and cut within
	// their term.
	Scores []float64
	Labels []uint8
	Terms  []string
	// StudentsPerTerm is the number of students scored each term in
	// deployment (default: test rows per test term).
	StudentsPerTerm int
	Effect          Effect
	// Capacity is the planned number of contacts per term; Capacities the
	// capacities of the sensitivity table and plot (default: 20 steps up
	// to half the students per term, and Capacity).
	Capacity   int
	Capacities []int
	// CostPerContact and FixedCost (per term) are in currency units.
	CostPerContact float64
	FixedCost      float64
	// Replicates of the Monte Carlo (default 2000), Level of the intervals
	// (default 0.95), Seed of the random stream.
	Replicates int
	Level      float64
	Seed       uint64
	// Model and Currency label the result ("$" by default).
	Model    string
	Currency string
}

// Estimate is a point estimate with its percentile interval.
type Estimate struct {
	Value float64 `json:"value"`
	Lower float64 `json:"lower"`
	// Upper is +Inf when the interval is open above (null in JSON).
	Upper float64 `json:"upper"`
}

// MarshalJSON writes an infinite bound as null.
func (e Estimate) MarshalJSON() ([]byte, error) {
	f := func(v float64) string {
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return "null"
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return []byte(`{"value":` + f(e.Value) + `,"lower":` + f(e.Lower) + `,"upper":` + f(e.Upper) + `}`), nil
}

// UnmarshalJSON reads null bounds back as +Inf.
func (e *Estimate) UnmarshalJSON(b []byte) error {
	var raw struct{ Value, Lower, Upper *float64 }
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	get := func(p *float64) float64 {
		if p == nil {
			return math.Inf(1)
		}
		return *p
	}
	e.Value, e.Lower, e.Upper = get(raw.Value), get(raw.Lower), get(raw.Upper)
	return nil
}

// Row is the analysis at one capacity.
type Row struct {
	Capacity int `json:"capacity"`
	// TestK is the number of test students that capacity corresponds to,
	// summed over the test terms (TermK per term, in Result.Terms order).
	TestK         int      `json:"test_k"`
	TermK         []int    `json:"term_k"`
	Precision     Estimate `json:"precision"`
	ReachedAtRisk Estimate `json:"reached_at_risk"`
	Prevented     Estimate `json:"prevented"`
	// Cost is the total cost per term, CostPerOutcome per DFW prevented.
	Cost           float64  `json:"cost"`
	CostPerOutcome Estimate `json:"cost_per_outcome"`
}

// Result is a cost-benefit analysis.
type Result struct {
	Model             string   `json:"model"`
	Currency          string   `json:"currency"`
	Effect            Effect   `json:"effect"`
	RelativeReduction Estimate `json:"relative_reduction"`
	TestRows          int      `json:"test_rows"`
	TestTerms         int      `json:"test_terms"`
	// Terms names the test terms (sorted) and TermRows their students.
	Terms           []string `json:"terms"`
	TermRows        []int    `json:"term_rows"`
	StudentsPerTerm int      `json:"students_per_term"`
	CostPerContact  float64  `json:"cost_per_contact"`
	FixedCost       float64  `json:"fixed_cost"`
	Replicates      int      `json:"replicates"`
	Level           float64  `json:"level"`
	Seed            uint64   `json:"seed"`
	// Interval says how the intervals were made.
	Interval string `json:"interval"`
	// Planned is the row of the planned capacity; Best the capacity of the
	// table with the lowest cost per outcome prevented.
	Planned Row   `json:"planned"`
	Best    int   `json:"best_capacity"`
	Rows    []Row `json:"sensitivity"`
	// Summary is one sentence a VP can read; Warnings what qualifies it.
	Summary  string   `json:"summary"`
	Warnings []string `json:"warnings,omitempty"`
}

func (in *Inputs) defaults() error {
	n := len(in.Scores)
	switch {
	case n == 0:
		return errors.New("costbenefit: no test predictions")
	case len(in.Labels) != n:
		return fmt.Errorf("costbenefit: %d scores but %d labels", n, len(in.Labels))
	case in.Terms != nil && len(in.Terms) != n:
		return fmt.Errorf("costbenefit: %d scores but %d terms", n, len(in.Terms))
	}
	for i, s := range in.Scores {
		if math.IsNaN(s) {
			return fmt.Errorf("costbenefit: score %d is NaN", i)
		}
		if in.Labels[i] > 1 {
			return fmt.Errorf("costbenefit: label %d is %d, want 0 or 1", i, in.Labels[i])
		}
	}
	if in.StudentsPerTerm == 0 {
		in.StudentsPerTerm = int(math.Round(float64(n) / float64(len(termGroups(in.Terms, n)))))
	}
	if in.Replicates == 0 {
		in.Replicates = 2000
	}
	if in.Level == 0 {
		in.Level = 0.95
	}
	if in.Currency == "" {
		in.Currency = "$"
	}
	e := in.Effect
	switch {
	case in.StudentsPerTerm < 1:
		return errors.New("costbenefit: students per term must be positive")
	case in.Capacity < 1 || in.Capacity > in.StudentsPerTerm:
		return fmt.Errorf("costbenefit: capacity %d must lie in 1..%d (students per term)", in.Capacity, in.StudentsPerTerm)
	case !(in.CostPerContact >= 0) || math.IsInf(in.CostPerContact, 0):
		return fmt.Errorf("costbenefit: cost per contact must be a non-negative number, got %v", in.CostPerContact)
	case !(in.FixedCost >= 0) || math.IsInf(in.FixedCost, 0):
		return fmt.Errorf("costbenefit: fixed cost must be a non-negative number, got %v", in.FixedCost)
	case in.CostPerContact == 0 && in.FixedCost == 0:
		return errors.New("costbenefit: give a cost per contact or a fixed cost")
	case in.Replicates < 100:
		return fmt.Errorf("costbenefit: at least 100 replicates, got %d", in.Replicates)
	case !(in.Level > 0 && in.Level < 1):
		return fmt.Errorf("costbenefit: level must lie in (0, 1), got %v", in.Level)
	case !(e.ControlRate > 0 && e.ControlRate <= 1) || e.ControlN < 1:
		return fmt.Errorf("costbenefit: pilot control rate %v over %d units: need a positive rate", e.ControlRate, e.ControlN)
	case !(e.Lower <= e.RiskDifference && e.RiskDifference <= e.Upper) || !(e.Level > 0 && e.Level < 1):
		return fmt.Errorf("costbenefit: pilot effect %v with interval [%v, %v] at level %v is not an interval around the estimate", e.RiskDifference, e.Lower, e.Upper, e.Level)
	}
	for _, c := range in.Capacities {
		if c < 1 || c > in.StudentsPerTerm {
			return fmt.Errorf("costbenefit: capacity %d of the sensitivity table must lie in 1..%d", c, in.StudentsPerTerm)
		}
	}
	return nil
}

// capacities returns the sorted distinct capacities of the table.
func (in *Inputs) capacities() []int {
	caps := slices.Clone(in.Capacities)
	if len(caps) == 0 {
		top := max(in.StudentsPerTerm/2, 1)
		for i := 1; i <= 20; i++ {
			caps = append(caps, max(1, int(math.Round(float64(top)*float64(i)/20))))
		}
	}
	caps = append(caps, in.Capacity)
	slices.Sort(caps)
	return slices.Compact(caps)
}

// Analyze runs the analysis. It is deterministic for given inputs.
func Analyze(in Inputs) (*Result, error) {
	if err := in.defaults(); err != nil {
		return nil, err
	}
	n := len(in.Scores)
	caps := in.capacities()
	// Capacity is per term: each test term's students are ranked by
	// descending score (ties by index) and cut at that term's share of
	// the capacity, ks[t][i] = round(caps[i]·n_t/StudentsPerTerm) test
	// students; a bootstrap replicate resamples each term's students
	// within the term (a vector of multiplicities over its order).
	groups := termGroups(in.Terms, n)
	terms := make([]termOrder, len(groups))
	for t, g := range groups {
		to := termOrder{name: g.name, labels: make([]uint8, len(g.rows)), ks: make([]int, len(caps)), counts: make([]int, len(g.rows)), prec: make([]float64, len(caps))}
		sort.SliceStable(g.rows, func(a, b int) bool { return in.Scores[g.rows[a]] > in.Scores[g.rows[b]] })
		for i, j := range g.rows {
			to.labels[i] = in.Labels[j]
		}
		nt := len(g.rows)
		for i, c := range caps {
			to.ks[i] = min(nt, max(1, int(math.Round(float64(c)*float64(nt)/float64(in.StudentsPerTerm)))))
		}
		terms[t] = to
	}
	ks := make([]int, len(caps))
	for _, to := range terms {
		for i, k := range to.ks {
			ks[i] += k
		}
	}
	// pooledPrecision is the at-risk students reached over the students
	// contacted, both summed over the terms (resampled: counts per term).
	pooledPrecision := func(resampled bool, dst []float64) {
		clear(dst)
		for _, to := range terms {
			var counts []int
			if resampled {
				counts = to.counts
			}
			precisionAt(to.labels, counts, to.ks, to.prec)
			for i, p := range to.prec {
				dst[i] += p * float64(to.ks[i])
			}
		}
		for i := range dst {
			dst[i] /= float64(ks[i])
		}
	}
	point := make([]float64, len(ks))
	pooledPrecision(false, point)
	rng := rand.New(rand.NewPCG(in.Seed, 0x636f737462656e65)) // "costbene"
	B := in.Replicates
	prec := make([][]float64, len(ks))
	for i := range prec {
		prec[i] = make([]float64, B)
	}
	rrr := make([]float64, B)
	buf := make([]float64, len(ks))
	e := in.Effect
	se := e.SE()
	cse := math.Sqrt(e.ControlRate * (1 - e.ControlRate) / float64(e.ControlN))
	rho := 0.0
	if se > 0 {
		rho = max(-1, -cse/se)
	}
	for b := 0; b < B; b++ {
		for _, to := range terms {
			clear(to.counts)
			nt := len(to.counts)
			for i := 0; i < nt; i++ {
				to.counts[rng.IntN(nt)]++
			}
		}
		pooledPrecision(true, buf)
		for i := range ks {
			prec[i][b] = buf[i]
		}
		// RD = p_t − p_c shares the control rate's noise: with independent
		// arms cov(RD, p_c) = −var(p_c), so the draws are correlated.
		z1, z2 := rng.NormFloat64(), rng.NormFloat64()
		pc := e.ControlRate + cse*z1
		rd := e.RiskDifference + se*(rho*z1+math.Sqrt(1-rho*rho)*z2)
		pc = min(max(pc, 1e-9), 1)
		rrr[b] = -rd / pc
	}
	lvl := in.Level
	res := &Result{Model: in.Model, Currency: in.Currency, Effect: e, TestRows: n, TestTerms: len(terms), StudentsPerTerm: in.StudentsPerTerm,
		CostPerContact: in.CostPerContact, FixedCost: in.FixedCost, Replicates: B, Level: lvl, Seed: in.Seed,
		Interval: fmt.Sprintf("percentile interval of %d Monte Carlo replicates: each resamples the %d test predictions with replacement within their test term (bootstrap of precision at every capacity) and draws the pilot's risk difference and control rate from a bivariate normal: the difference's SE from its %.0f%% interval, the rate's binomial SE, and their covariance −var(rate) of independent arms", B, n, 100*e.Level)}
	for _, to := range terms {
		res.Terms = append(res.Terms, to.name)
		res.TermRows = append(res.TermRows, len(to.labels))
	}
	res.RelativeReduction = Estimate{Value: e.RelativeReduction()}
	res.RelativeReduction.Lower, res.RelativeReduction.Upper = percentiles(rrr, lvl)
	best, bestCost := 0, math.Inf(1)
	prevented := make([]float64, B)
	reached := make([]float64, B)
	for i, c := range caps {
		cf := float64(c)
		row := Row{Capacity: c, TestK: ks[i], Cost: in.FixedCost + cf*in.CostPerContact}
		for _, to := range terms {
			row.TermK = append(row.TermK, to.ks[i])
		}
		row.Precision = Estimate{Value: point[i]}
		row.Precision.Lower, row.Precision.Upper = percentiles(prec[i], lvl)
		for b := 0; b < B; b++ {
			reached[b] = cf * prec[i][b]
			prevented[b] = reached[b] * rrr[b]
		}
		row.ReachedAtRisk = Estimate{Value: cf * point[i]}
		row.ReachedAtRisk.Lower, row.ReachedAtRisk.Upper = percentiles(reached, lvl)
		row.Prevented = Estimate{Value: cf * point[i] * res.RelativeReduction.Value}
		row.Prevented.Lower, row.Prevented.Upper = percentiles(prevented, lvl)
		// Cost per outcome is decreasing in prevented outcomes, so its
		// percentiles are the cost at the opposite percentiles.
		row.CostPerOutcome = Estimate{Value: costPer(row.Cost, row.Prevented.Value), Lower: costPer(row.Cost, row.Prevented.Upper), Upper: costPer(row.Cost, row.Prevented.Lower)}
		if row.CostPerOutcome.Value < bestCost {
			best, bestCost = c, row.CostPerOutcome.Value
		}
		if c == in.Capacity {
			res.Planned = row
		}
		res.Rows = append(res.Rows, row)
	}
	res.Best = best
	res.Warnings = warnings(in, res)
	res.Summary = summary(res)
	return res, nil
}

// termOrder is one test term's students in descending score order, with
// its cut per capacity and scratch space for a replicate.
type termOrder struct {
	name   string
	labels []uint8
	ks     []int
	counts []int
	prec   []float64
}

// termGroup is the rows of one test term.
type termGroup struct {
	name string
	rows []int
}

// termGroups groups the n predictions by term, terms sorted by name (one
// unnamed group when terms is nil).
func termGroups(terms []string, n int) []termGroup {
	if terms == nil {
		rows := make([]int, n)
		for i := range rows {
			rows[i] = i
		}
		return []termGroup{{rows: rows}}
	}
	at := map[string]int{}
	var out []termGroup
	for i, t := range terms {
		k, ok := at[t]
		if !ok {
			k = len(out)
			at[t] = k
			out = append(out, termGroup{name: t})
		}
		out[k].rows = append(out[k].rows, i)
	}
	slices.SortFunc(out, func(a, b termGroup) int { return strings.Compare(a.name, b.name) })
	return out
}

// precisionAt fills dst[i] with the precision of the first ks[i] students
// of the score order (labels in that order), each counted counts[j] times
// (nil: once). Under resampling, "the top k" are the first k draws in
// score order. It is called once per test term.
func precisionAt(labels []uint8, counts []int, ks []int, dst []float64) []float64 {
	taken, pos, i := 0, 0, 0
	for j := 0; j < len(labels) && i < len(ks); j++ {
		c := 1
		if counts != nil {
			c = counts[j]
		}
		for c > 0 && i < len(ks) {
			room := ks[i] - taken
			use := min(c, room)
			taken += use
			if labels[j] == 1 {
				pos += use
			}
			c -= use
			for i < len(ks) && taken == ks[i] {
				dst[i] = float64(pos) / float64(ks[i])
				i++
			}
		}
	}
	return dst
}

func costPer(cost, prevented float64) float64 {
	if prevented <= 0 {
		return math.Inf(1)
	}
	return cost / prevented
}

// percentiles returns the (1−level)/2 and (1+level)/2 quantiles of x
// (type 7); x is left as it is (replicates stay paired across measures).
func percentiles(x []float64, level float64) (lo, hi float64) {
	s := slices.Clone(x)
	slices.Sort(s)
	return quantile(s, (1-level)/2), quantile(s, (1+level)/2)
}

func quantile(sorted []float64, q float64) float64 {
	h := q * float64(len(sorted)-1)
	i := int(math.Floor(h))
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (h-float64(i))*(sorted[i+1]-sorted[i])
}

func normalQuantile(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }

func warnings(in Inputs, r *Result) []string {
	var w []string
	if r.Effect.Upper >= 0 {
		w = append(w, fmt.Sprintf("the pilot's interval for the risk difference (%.3f to %.3f) includes no effect or harm: the prevented outcomes may be zero", r.Effect.Lower, r.Effect.Upper))
	}
	if in.FixedCost == 0 {
		w = append(w, "without a fixed cost the cost per outcome is lowest at the smallest capacity, where precision is highest; set the fixed cost per term to find a capacity that balances both")
	}
	if r.Planned.TestK < 30 {
		w = append(w, fmt.Sprintf("the planned capacity corresponds to only %d test students: precision there is uncertain", r.Planned.TestK))
	}
	return w
}

// summary writes the VP sentence, e.g. "Contacting the 200 highest-risk
// students each term would prevent about 11 (4 to 19) DFW outcomes at about
// $730 ($420 to $2,000) each."
func summary(r *Result) string {
	p := r.Planned
	cost := fmt.Sprintf("%s (%s to %s)", money(r.Currency, p.CostPerOutcome.Value), money(r.Currency, p.CostPerOutcome.Lower), money(r.Currency, p.CostPerOutcome.Upper))
	if math.IsInf(p.CostPerOutcome.Upper, 1) {
		cost = fmt.Sprintf("%s (%s or more; the pilot does not rule out no effect)", money(r.Currency, p.CostPerOutcome.Value), money(r.Currency, p.CostPerOutcome.Lower))
	}
	s := fmt.Sprintf("Contacting the %d highest-risk students each term would prevent about %s (%s to %s) DFW outcomes at about %s each",
		p.Capacity, count(p.Prevented.Value), count(p.Prevented.Lower), count(p.Prevented.Upper), cost)
	if r.Best != p.Capacity {
		for _, row := range r.Rows {
			if row.Capacity == r.Best {
				s += fmt.Sprintf("; %d contacts would cost least per outcome (%s)", row.Capacity, money(r.Currency, row.CostPerOutcome.Value))
			}
		}
	}
	return s + "."
}

func count(v float64) string {
	if math.Abs(v) < 10 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

// money rounds to two significant figures above 100 and groups thousands.
func money(cur string, v float64) string {
	if math.IsInf(v, 1) {
		return "unbounded"
	}
	if v >= 100 {
		mag := math.Pow(10, math.Floor(math.Log10(v))-1)
		v = math.Round(v/mag) * mag
	}
	s := fmt.Sprintf("%.0f", v)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return cur + string(out)
}
