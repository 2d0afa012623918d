package abtest

import (
	"fmt"
	"math"
)

// SpendingFunction is a Lan-DeMets alpha-spending function. Boundaries
// are two-sided and symmetric: each side spends half of the overall alpha
// by the function, as gsDesign (sfLDOF, sfLDPocock with one-sided alpha/2
// and test.type = 2) and R's ldbounds do.
type SpendingFunction string

const (
	// SpendingOBrienFleming is the O'Brien-Fleming type: each side spends
	// 2 − 2Φ(z_{1−α/4}/√t), almost nothing early.
	SpendingOBrienFleming SpendingFunction = "obrien-fleming"
	// SpendingPocock is the Pocock type: each side spends
	// (α/2)·ln(1 + (e − 1)·t), roughly equal nominal levels at every look.
	SpendingPocock SpendingFunction = "pocock"
)

// Spent returns the cumulative two-sided alpha (both sides together) spent
// by information fraction t: 0 at t <= 0 and alpha at t >= 1.
func (s SpendingFunction) Spent(alpha, t float64) (float64, error) {
	if t <= 0 {
		return 0, nil
	}
	t = math.Min(t, 1)
	switch s {
	case SpendingOBrienFleming:
		side := alpha / 2
		return 2 * 2 * normalSurvival(-stdNormal.Quantile(side/2)/math.Sqrt(t)), nil
	case SpendingPocock:
		return alpha * math.Log(1+(math.E-1)*t), nil
	}
	return 0, fmt.Errorf("unknown spending function %q (want obrien-fleming or pocock)", s)
}

// SequentialDesign is a group-sequential plan with two-sided symmetric
// efficacy boundaries from an alpha-spending function.
type SequentialDesign struct {
	// Alpha is the overall two-sided significance level, in (0, 1).
	Alpha float64 `json:"alpha"`
	// Spending is the alpha-spending function.
	Spending SpendingFunction `json:"spending"`
	// Looks are the information fractions of the planned analyses,
	// strictly increasing in (0, 1]; the last is normally 1 (the final
	// analysis). With looks at t < 1 only, the alpha not yet spent is kept
	// for later, unplanned looks.
	Looks []float64 `json:"looks"`
}

// Boundary is the efficacy boundary of one look.
type Boundary struct {
	Look        int     `json:"look"`
	Information float64 `json:"information"`
	// CumulativeAlpha is the spending function at this look and
	// IncrementalAlpha what this look spends.
	CumulativeAlpha  float64 `json:"cumulative_alpha"`
	IncrementalAlpha float64 `json:"incremental_alpha"`
	// Z is the critical value: stop for efficacy when |z| >= Z.
	Z float64 `json:"z"`
	// NominalP is the two-sided p-value threshold 2(1 − Φ(Z)).
	NominalP float64 `json:"nominal_p"`
}

// gridPoints is the number of Simpson nodes on the continuation region;
// with smooth normal densities the integrals are accurate to about 1e-9.
const gridPoints = 1201

// GroupSequentialBoundaries returns the two-sided Lan-DeMets boundaries of
// the design: at look k the critical value c_k solves
//
//	P(|Z_1| < c_1, …, |Z_{k−1}| < c_{k−1}, |Z_k| >= c_k) = α(t_k) − α(t_{k−1})
//
// under the null, where the Z_k are standardized cumulative statistics
// with corr(Z_i, Z_j) = √(t_i/t_j). The probabilities are computed by the
// recursive numerical integration of Armitage, McPherson and Rowe (1969)
// as in Jennison and Turnbull (2000, ch. 19), with Simpson's rule over the
// continuation region of each look.
func GroupSequentialBoundaries(d SequentialDesign) ([]Boundary, error) {
	if err := checkAlpha(d.Alpha); err != nil {
		return nil, fmt.Errorf("group sequential: %w", err)
	}
	if _, err := d.Spending.Spent(d.Alpha, 0.5); err != nil {
		return nil, fmt.Errorf("group sequential: %w", err)
	}
	if len(d.Looks) == 0 {
		return nil, fmt.Errorf("group sequential: no looks")
	}
	prev := 0.0
	for i, t := range d.Looks {
		if !(t > prev && t <= 1) {
			return nil, fmt.Errorf("group sequential: look %d at information %v: looks must increase strictly within (0, 1]", i+1, t)
		}
		prev = t
	}
	var out []Boundary
	var grid, dens []float64 // continuation-region nodes and density of Z_{k−1}
	spentBefore, tPrev := 0.0, 0.0
	for k, t := range d.Looks {
		cum, _ := d.Spending.Spent(d.Alpha, t)
		inc := cum - spentBefore
		b := Boundary{Look: k + 1, Information: t, CumulativeAlpha: cum, IncrementalAlpha: inc}
		var c float64
		if k == 0 {
			c = -stdNormal.Quantile(inc / 2)
		} else {
			cross := func(c float64) float64 {
				up, down := crossingProb(grid, dens, tPrev, t, c, 0)
				return up + down - inc
			}
			lo, hi := 0.0, 40.0
			var err error
			c, err = zeroin(cross, lo, hi, cross(lo), cross(hi), 1e-12)
			if err != nil {
				return nil, fmt.Errorf("group sequential: look %d: %w", k+1, err)
			}
		}
		b.Z = c
		b.NominalP = 2 * normalSurvival(c)
		out = append(out, b)
		if k < len(d.Looks)-1 {
			grid, dens = nextDensity(grid, dens, tPrev, t, c, 0, k == 0)
		}
		spentBefore, tPrev = cum, t
	}
	return out, nil
}

// simpsonWeights returns composite Simpson weights for n (odd) equally
// spaced nodes with spacing h.
func simpsonWeights(n int, h float64) []float64 {
	w := make([]float64, n)
	for i := range w {
		switch {
		case i == 0 || i == n-1:
			w[i] = h / 3
		case i%2 == 1:
			w[i] = 4 * h / 3
		default:
			w[i] = 2 * h / 3
		}
	}
	return w
}

// crossingProb returns P(Z_k >= c) and P(Z_k <= −c), each jointly with no
// earlier crossing, integrating the sub-density dens of Z_{k−1} on grid
// against the conditional crossing probabilities; Z_k√t = Z_{k−1}√tPrev +
// N(θ(t − tPrev), t − tPrev) for drift θ (the mean of Z at t = 1). At the
// first look (no grid) they are the unconditional probabilities.
func crossingProb(grid, dens []float64, tPrev, t, c, drift float64) (upper, lower float64) {
	sd := math.Sqrt(t - tPrev)
	a, b := c*math.Sqrt(t), math.Sqrt(tPrev)
	mu := drift * (t - tPrev)
	if grid == nil {
		return normalSurvival((a - mu) / sd), normalSurvival((a + mu) / sd)
	}
	for i, u := range grid {
		m := u*b + mu
		upper += dens[i] * normalSurvival((a-m)/sd)
		lower += dens[i] * normalSurvival((a+m)/sd)
	}
	return upper, lower
}

// nextDensity returns the nodes on (−c, c) and the sub-density (already
// multiplied by the Simpson weights) of Z_k restricted to not having
// crossed at any look so far, under drift θ.
func nextDensity(grid, dens []float64, tPrev, t, c, drift float64, first bool) ([]float64, []float64) {
	h := 2 * c / float64(gridPoints-1)
	w := simpsonWeights(gridPoints, h)
	ng := make([]float64, gridPoints)
	nd := make([]float64, gridPoints)
	for j := range ng {
		ng[j] = -c + float64(j)*h
	}
	if first {
		m := drift * math.Sqrt(t)
		for j, z := range ng {
			nd[j] = w[j] * normalPDF(z-m)
		}
		return ng, nd
	}
	sd := math.Sqrt(t - tPrev)
	st, sp := math.Sqrt(t), math.Sqrt(tPrev)
	mu := drift * (t - tPrev)
	beta := sp / sd
	delta := beta * (grid[1] - grid[0]) // step of the kernel argument
	shrink := math.Exp(-delta * delta)
	for j, z := range ng {
		// Σ_i dens_i φ(x_i) with x_i = (z√t − u_i√tPrev − μ)/sd, which
		// falls by delta per node: φ(x_{i±1}) = φ(x_i)·exp(∓x_i·δ − δ²/2),
		// and those factors themselves change by exp(−δ²) per node. The
		// recurrence runs outward from the node nearest the peak, so it
		// only multiplies by factors below 1 (two multiplications per node
		// instead of an exponential; relative error about n·ε).
		x0 := (z*st - grid[0]*sp - mu) / sd
		i0 := int(math.Round(x0 / delta))
		i0 = min(max(i0, 0), len(grid)-1)
		xi := x0 - float64(i0)*delta
		peak := normalPDF(xi)
		s := dens[i0] * peak
		phi, q := peak, math.Exp(xi*delta-delta*delta/2)
		for i := i0 + 1; i < len(grid) && phi > 0; i++ {
			phi *= q
			q *= shrink
			s += dens[i] * phi
		}
		phi, p := peak, math.Exp(-xi*delta-delta*delta/2)
		for i := i0 - 1; i >= 0 && phi > 0; i-- {
			phi *= p
			p *= shrink
			s += dens[i] * phi
		}
		nd[j] = w[j] * s * st / sd
	}
	return ng, nd
}

// SequentialPowerResult describes a group-sequential design under an
// effect.
type SequentialPowerResult struct {
	// Drift is the expected z statistic at full information (t = 1).
	Drift float64 `json:"drift"`
	// Power is the probability of crossing the boundary on the side of the
	// effect at some look (as gsDesign and rpact count it; a crossing on the
	// wrong side stops the trial but is not a success).
	Power float64 `json:"power"`
	// StopProbabilities holds the probability of stopping at each look,
	// on either side.
	StopProbabilities []float64 `json:"stop_probabilities"`
	// ExpectedInformation is the expected information fraction at
	// stopping (stopping at look k uses Looks[k]; not stopping uses the
	// last look).
	ExpectedInformation float64 `json:"expected_information"`
}

// SequentialPower returns the power of the design's boundaries when the z
// statistic at full information has mean drift (a fixed-sample design
// with power 1−β has drift z_{1−α/2} + z_{1−β}), by the same recursive
// integration as GroupSequentialBoundaries.
func SequentialPower(d SequentialDesign, drift float64) (SequentialPowerResult, error) {
	if math.IsNaN(drift) || math.IsInf(drift, 0) {
		return SequentialPowerResult{}, fmt.Errorf("group sequential power: drift must be finite, got %v", drift)
	}
	bs, err := GroupSequentialBoundaries(d)
	if err != nil {
		return SequentialPowerResult{}, err
	}
	return sequentialPower(bs, drift), nil
}

func sequentialPower(bs []Boundary, drift float64) SequentialPowerResult {
	r := SequentialPowerResult{Drift: drift, StopProbabilities: make([]float64, len(bs))}
	drift = math.Abs(drift) // the boundaries are symmetric
	var grid, dens []float64
	tPrev, reach := 0.0, 1.0
	for k, b := range bs {
		up, down := crossingProb(grid, dens, tPrev, b.Information, b.Z, drift)
		p := up + down
		r.StopProbabilities[k] = p
		r.Power += up
		r.ExpectedInformation += p * b.Information
		reach -= p
		if k < len(bs)-1 {
			grid, dens = nextDensity(grid, dens, tPrev, b.Information, b.Z, drift, k == 0)
		}
		tPrev = b.Information
	}
	r.ExpectedInformation += math.Max(reach, 0) * bs[len(bs)-1].Information
	return r
}

// SequentialInflationFactor returns the ratio of the maximum information
// (sample size) the group-sequential design needs for the given power to
// the information of a fixed-sample test with the same alpha and power:
// multiply a fixed-sample size by it. The design's last look must be at
// t = 1.
func SequentialInflationFactor(d SequentialDesign, power float64) (float64, error) {
	if !(power > 0 && power < 1) {
		return 0, fmt.Errorf("group sequential inflation: power must be in (0, 1), got %v", power)
	}
	bs, err := GroupSequentialBoundaries(d)
	if err != nil {
		return 0, err
	}
	if bs[len(bs)-1].Information != 1 {
		return 0, fmt.Errorf("group sequential inflation: the last look must be at information 1, got %v", bs[len(bs)-1].Information)
	}
	fixed := -stdNormal.Quantile(d.Alpha/2) + stdNormal.Quantile(power)
	f := func(drift float64) float64 { return sequentialPower(bs, drift).Power - power }
	lo, hi := fixed*0.5, fixed*3
	drift, err := zeroin(f, lo, hi, f(lo), f(hi), 1e-10)
	if err != nil {
		return 0, fmt.Errorf("group sequential inflation: %w", err)
	}
	return (drift / fixed) * (drift / fixed), nil
}

// SequentialLook is an interim or final analysis against its boundary.
type SequentialLook struct {
	Boundary
	// Statistic is the observed z statistic of the look.
	Statistic float64 `json:"statistic"`
	// Crossed is |Statistic| >= Z: stop for efficacy.
	Crossed bool `json:"crossed"`
}

// MonitorSequential compares the observed z statistics of the looks done so
// far (z[k] at d.Looks[k]; len(z) <= len(d.Looks)) with the boundaries and
// reports, for each, whether it was crossed. Looks after the first crossing
// are still reported but a trial would have stopped there.
func MonitorSequential(d SequentialDesign, z []float64) ([]SequentialLook, error) {
	if len(z) > len(d.Looks) {
		return nil, fmt.Errorf("group sequential: %d statistics for %d planned looks", len(z), len(d.Looks))
	}
	if err := checkFinite("group sequential: z", z); err != nil {
		return nil, err
	}
	bs, err := GroupSequentialBoundaries(SequentialDesign{Alpha: d.Alpha, Spending: d.Spending, Looks: d.Looks[:len(z)]})
	if err != nil {
		return nil, err
	}
	out := make([]SequentialLook, len(z))
	for k := range z {
		out[k] = SequentialLook{Boundary: bs[k], Statistic: z[k], Crossed: math.Abs(z[k]) >= bs[k].Z}
	}
	return out, nil
}
