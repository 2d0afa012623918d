package multilevel

import (
	"math"

	"gonum.org/v1/gonum/floats"
)

// problem is the standardized design of one fit, its rows sorted by group.
type problem struct {
	n, p int       // rows; columns including the intercept
	x    []float64 // n×p row-major: [1 z_1 … z_q]
	xt   []float64 // the same, column-major (p×n)
	y    []float64
	// start[g]..start[g+1] are the rows of group g.
	start []int
	// z and logw are the quadrature nodes and log weights (one node at 0
	// with log weight 0 for the Laplace approximation).
	z, logw []float64
}

// workspace holds the buffers of one evaluation.
type workspace struct {
	o  []float64 // fixed-effect linear predictor x·β of each row
	u  []float64 // each group's conditional mode (spherical scale)
	h  []float64 // each group's 1 + σ²·Σ w at the mode
	d  []float64 // per-row coefficient of the β gradient
	e  []float64 // per-row exp(−|η|) at the mode
	m  []float64 // per-row μ at the mode
	w  []float64 // per-row μ(1 − μ) at the mode
	t  []float64 // per-node log integrand terms
	r  []float64 // per-node Σ(y − μ)
	mu []float64 // per-row, per-node fitted probabilities (nodes > 1)
	wx []float64 // one w-weighted column for the PIRLS curvature (allocated on use)
}

func newWorkspace(pr *problem) *workspace {
	k := len(pr.z)
	maxG := 0
	for g := 0; g+1 < len(pr.start); g++ {
		maxG = max(maxG, pr.start[g+1]-pr.start[g])
	}
	ws := &workspace{
		o: make([]float64, pr.n), u: make([]float64, len(pr.start)-1), h: make([]float64, len(pr.start)-1),
		d: make([]float64, pr.n), e: make([]float64, pr.n), m: make([]float64, pr.n), w: make([]float64, pr.n), t: make([]float64, k), r: make([]float64, k),
	}
	if k > 1 {
		ws.mu = make([]float64, maxG*k)
	}
	return ws
}

// setBeta computes the fixed-effect linear predictor of every row.
func (pr *problem) setBeta(ws *workspace, beta []float64) {
	p := pr.p
	for i := 0; i < pr.n; i++ {
		row := pr.x[i*p : i*p+p]
		s := 0.0
		for j, v := range row {
			s += v * beta[j]
		}
		ws.o[i] = s
	}
}

// logistic returns μ = 1/(1+e^−η) and log(1+e^η) without overflow.
func logistic(eta float64) (mu, softplus float64) {
	e := math.Exp(-math.Abs(eta))
	if eta >= 0 {
		return 1 / (1 + e), eta + math.Log1p(e)
	}
	return e / (1 + e), math.Log1p(e)
}

func sigmoid(eta float64) float64 {
	if eta >= 0 {
		return 1 / (1 + math.Exp(-eta))
	}
	e := math.Exp(eta)
	return e / (1 + e)
}

// mode returns the conditional mode û of group rows lo..hi given the
// offsets and σ: the root of f'(u) = σ·Σ(y − μ(o + σu)) − u, which is
// decreasing (its derivative is at most −1), found by Newton's method kept inside a bracket and
// stopped when the step is below 1e-13·(1 + |u|). It leaves μ and
// exp(−|η|) of every row at the returned mode in ws.m and ws.e.
func (pr *problem) mode(ws *workspace, lo, hi int, sigma, u float64) float64 {
	o := ws.o
	fill := func(u float64) (sr, sw float64) {
		for i := lo; i < hi; i++ {
			eta := o[i] + sigma*u
			e := math.Exp(-math.Abs(eta))
			m := 1 / (1 + e)
			if eta < 0 {
				m = e / (1 + e)
			}
			ws.e[i], ws.m[i] = e, m
			sr += pr.y[i] - m
			sw += m * (1 - m)
		}
		return sr, sw
	}
	if sigma == 0 {
		fill(0)
		return 0
	}
	bound := math.Abs(sigma) * float64(hi-lo)
	a, b := -bound, bound // f'(a) ≥ 0 ≥ f'(b)
	if !(u > a && u < b) {
		u = 0
	}
	for iter := 0; iter < 200; iter++ {
		sr, sw := fill(u)
		fp := sigma*sr - u
		if fp == 0 {
			return u
		}
		if fp > 0 {
			a = u
		} else {
			b = u
		}
		step := fp / (1 + sigma*sigma*sw)
		if math.Abs(step) <= 1e-13*(1+math.Abs(u)) {
			// The rows' values at u stand for those at u + step (they
			// differ by about 1e-13 relative).
			return u
		}
		next := u + step
		if !(next > a && next < b) {
			next = (a + b) / 2
		}
		u = next
	}
	fill(u)
	return u
}

// eval returns the log-likelihood approximation (Laplace with one node,
// adaptive Gauss-Hermite otherwise) at the offsets in ws.o and σ, updating
// each group's mode in ws.u (used as the starting point) and H_g in ws.h,
// and when grad is not nil fills it with the gradient in (β, σ) (length
// p+1). With one node and wantLL false the returned value is not computed
// (0): gradient probes need only the gradient.
func (pr *problem) eval(ws *workspace, sigma float64, grad []float64, wantLL bool) float64 {
	k := len(pr.z)
	p := pr.p
	total, gs := 0.0, 0.0
	s2 := sigma * sigma
	for g := 0; g+1 < len(pr.start); g++ {
		lo, hi := pr.start[g], pr.start[g+1]
		uh := pr.mode(ws, lo, hi, sigma, ws.u[g])
		ws.u[g] = uh
		// At the mode: weights, their derivatives and f(û).
		var sw, swp, r0, fu float64
		for i := lo; i < hi; i++ {
			m := ws.m[i]
			w := m * (1 - m)
			ws.w[i] = w
			sw += w
			swp += w * (1 - 2*m)
			r0 += pr.y[i] - m
			if k == 1 {
				ws.d[i] = pr.y[i] - m
				if wantLL {
					eta := ws.o[i] + sigma*uh
					fu += pr.y[i]*eta - math.Max(eta, 0) - math.Log1p(ws.e[i])
				}
			}
		}
		fu -= uh * uh / 2
		H := 1 + s2*sw
		ws.h[g] = H
		var ll, A, B, sigmaTerm float64
		s := 1 / math.Sqrt(H)
		if k == 1 {
			if wantLL {
				ll = fu - 0.5*math.Log(H)
			}
			sigmaTerm = uh * r0
		} else {
			maxT := math.Inf(-1)
			for q := 0; q < k; q++ {
				uq := uh + s*pr.z[q]
				f, r := 0.0, 0.0
				mu := ws.mu
				for i := lo; i < hi; i++ {
					eta := ws.o[i] + sigma*uq
					m, sp := logistic(eta)
					f += pr.y[i]*eta - sp
					r += pr.y[i] - m
					mu[(i-lo)*k+q] = m
				}
				f -= uq * uq / 2
				ws.t[q] = pr.logw[q] + f + pr.z[q]*pr.z[q]/2
				ws.r[q] = r
				maxT = math.Max(maxT, ws.t[q])
			}
			sum := 0.0
			for q := 0; q < k; q++ {
				sum += math.Exp(ws.t[q] - maxT)
			}
			lse := maxT + math.Log(sum)
			ll = math.Log(s) + lse
			if grad != nil {
				for q := 0; q < k; q++ {
					pi := math.Exp(ws.t[q] - lse)
					ws.t[q] = pi
					uq := uh + s*pr.z[q]
					fp := sigma*ws.r[q] - uq
					A += pi * fp
					B += pi * fp * pr.z[q]
					sigmaTerm += pi * uq * ws.r[q]
				}
				mu := ws.mu
				for i := lo; i < hi; i++ {
					ri := 0.0
					for q := 0; q < k; q++ {
						ri += ws.t[q] * (pr.y[i] - mu[(i-lo)*k+q])
					}
					ws.d[i] = ri
				}
			}
		}
		total += ll
		if grad == nil {
			continue
		}
		c := 0.5 * (1 + B*s) / H
		alpha := -A*sigma/H + c*s2*s2*swp/H
		gamma := -c * s2
		if alpha != 0 || gamma != 0 {
			for i := lo; i < hi; i++ {
				w := ws.w[i]
				ws.d[i] += alpha*w + gamma*w*(1-2*ws.m[i])
			}
		}
		duds := (r0 - sigma*uh*sw) / H
		dHds := 2*sigma*sw + s2*swp*(uh+sigma*duds)
		gs += sigmaTerm + A*duds - c*dHds
	}
	if grad != nil {
		for j := range grad[:p] {
			grad[j] = floats.Dot(ws.d, pr.xt[j*pr.n:(j+1)*pr.n])
		}
		grad[p] = gs
	}
	return total
}
