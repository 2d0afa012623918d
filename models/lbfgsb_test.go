package models

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// rosenbrockObjective is the extended Rosenbrock function
// Σ 100(x[i+1] − x[i]²)² + (1 − x[i])², summed in the order of
// gen_scipy_lbfgsb.py.
func rosenbrockObjective(x, g []float64) float64 {
	clear(g)
	var f float64
	for i := 0; i+1 < len(x); i++ {
		a := x[i+1] - x[i]*x[i]
		b := 1 - x[i]
		f += 100*a*a + b*b
		g[i] += -400*x[i]*a - 2*b
		g[i+1] += 200 * a
	}
	return f
}

// TestMinimizeLBFGSBMatchesScipy runs the optimizer alone on the problems of
// testdata/scipy_lbfgsb.json (scipy 1.10.1 minimize(method="L-BFGS-B");
// gen_scipy_lbfgsb.py): Rosenbrock in 2 to 10 dimensions with 1, 2, 3 and
// 10 corrections (so the memory wraps around), the iteration and
// evaluation limits, a wrong gradient (the line search ends on its
// rounding warning) and an unbounded linear function (the line search runs
// out of steps: abnormal termination, the start returned), a gradient
// that turns wrong mid-path (a failed line search with a full memory: the
// memory is refreshed, then abnormal termination) and one that is scaled
// 100-fold mid-path (long line searches). The iterations,
// evaluations, status and message must be scipy's; the solution must match
// to 1e-10 relative (scipy's inner products run in OpenBLAS's order).
func TestMinimizeLBFGSBMatchesScipy(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "scipy_lbfgsb.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []struct {
			ID      string    `json:"id"`
			Fn      string    `json:"fn"`
			X0      []float64 `json:"x0"`
			Options struct {
				MaxCor  int      `json:"maxcor"`
				MaxIter int      `json:"maxiter"`
				MaxFun  int      `json:"maxfun"`
				Gtol    *float64 `json:"gtol"`
				Ftol    *float64 `json:"ftol"`
			} `json:"options"`
			X       []float64 `json:"x"`
			Nit     int       `json:"nit"`
			Nfev    int       `json:"nfev"`
			Status  int       `json:"status"`
			Message string    `json:"message"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) == 0 {
		t.Fatal("no cases")
	}
	objectives := map[string]lbfgsbObjective{
		"rosenbrock": rosenbrockObjective,
		"wrong_gradient": func(x, g []float64) float64 {
			var f float64
			for i, v := range x {
				f += v * v
				g[i] = -2 * v
			}
			return f
		},
		"linear": func(x, g []float64) float64 {
			g[0] = -1e6
			return -1e6 * x[0]
		},
		"rosenbrock_flipped": func(x, g []float64) float64 {
			f := rosenbrockObjective(x, g)
			if x[0] > 0.5 {
				for i := range g {
					g[i] = -g[i]
				}
			}
			return f
		},
		"rosenbrock_scaled": func(x, g []float64) float64 {
			f := rosenbrockObjective(x, g)
			if x[0] > 0.9 {
				for i := range g {
					g[i] *= 100
				}
			}
			return f
		},
	}
	for _, c := range ref.Cases {
		t.Run(c.ID, func(t *testing.T) {
			fg, ok := objectives[c.Fn]
			if !ok {
				t.Fatalf("unknown fn %q", c.Fn)
			}
			s := scipyLBFGSBDefaults
			if o := c.Options; o.MaxCor > 0 {
				s.Corrections = o.MaxCor
			}
			if o := c.Options; o.MaxIter > 0 {
				s.MaxIter = o.MaxIter
			}
			if o := c.Options; o.MaxFun > 0 {
				s.MaxFun = o.MaxFun
			}
			if o := c.Options; o.Gtol != nil {
				s.Pgtol = *o.Gtol
			}
			if o := c.Options; o.Ftol != nil {
				s.Ftol = *o.Ftol
			}
			x0 := append([]float64(nil), c.X0...)
			res, err := minimizeLBFGSB(context.Background(), fg, x0, s)
			if err != nil {
				t.Fatal(err)
			}
			for i := range x0 {
				if x0[i] != c.X0[i] {
					t.Fatalf("x0 modified: %v", x0)
				}
			}
			if res.Iterations != c.Nit || res.Evaluations != c.Nfev || int(res.Status) != c.Status || res.Message != c.Message {
				t.Errorf("nit %d nfev %d status %d %q, want %d %d %d %q", res.Iterations, res.Evaluations, res.Status, res.Message, c.Nit, c.Nfev, c.Status, c.Message)
			}
			for i := range c.X {
				if relDiff(res.X[i], c.X[i]) > 1e-10 {
					t.Errorf("x[%d] = %.17g, want %.17g", i, res.X[i], c.X[i])
				}
			}
			// The reported objective and gradient belong to the returned x.
			g := make([]float64, len(res.X))
			if f := fg(res.X, g); f != res.F || maxAbs(g) != res.ProjGradNorm {
				t.Errorf("F %v |G| %v, but the objective at X is %v with |g| %v", res.F, res.ProjGradNorm, f, maxAbs(g))
			}
		})
	}
}

// TestMinimizeLBFGSBQuadratic: on a strictly convex quadratic with gtol 0 and
// ftol 0 the optimizer runs until the objective stops decreasing in
// floating point, which leaves x within ~sqrt(ε)·scale of the minimizer
// (solved by hand: A x = b with A = [[4, 1], [1, 3]], b = [1, 2] gives
// x = [1/11, 7/11]); tolerance 1e-8.
func TestMinimizeLBFGSBQuadratic(t *testing.T) {
	fg := func(x, g []float64) float64 {
		g[0] = 4*x[0] + x[1] - 1
		g[1] = x[0] + 3*x[1] - 2
		return 0.5*(4*x[0]*x[0]+2*x[0]*x[1]+3*x[1]*x[1]) - x[0] - 2*x[1]
	}
	s := scipyLBFGSBDefaults
	s.Pgtol, s.Ftol = 0, 0
	res, err := minimizeLBFGSB(context.Background(), fg, []float64{5, -5}, s)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.X[0]-1.0/11) > 1e-8 || math.Abs(res.X[1]-7.0/11) > 1e-8 || res.Status != lbfgsbConverged {
		t.Errorf("x = %v, want [1/11 7/11] (status %d %s after %d iterations)", res.X, res.Status, res.Message, res.Iterations)
	}
}

// TestMinimizeLBFGSBErrors: invalid settings, a non-finite objective at the
// start and a cancelled context are errors.
func TestMinimizeLBFGSBErrors(t *testing.T) {
	bad := []lbfgsbSettings{
		{},
		{Corrections: 10, MaxIter: 10, MaxFun: 10, MaxLineSearch: 0},
		{Corrections: 10, MaxIter: 10, MaxFun: 10, MaxLineSearch: 20, Pgtol: math.NaN()},
		{Corrections: 10, MaxIter: 10, MaxFun: 10, MaxLineSearch: 20, Ftol: -1},
	}
	for _, s := range bad {
		if _, err := minimizeLBFGSB(context.Background(), rosenbrockObjective, []float64{1, 2}, s); err == nil {
			t.Errorf("settings %+v: no error", s)
		}
	}
	if _, err := minimizeLBFGSB(context.Background(), rosenbrockObjective, nil, scipyLBFGSBDefaults); err == nil {
		t.Error("no variables: no error")
	}
	nan := func(x, g []float64) float64 { return math.NaN() }
	if _, err := minimizeLBFGSB(context.Background(), nan, []float64{1}, scipyLBFGSBDefaults); err == nil {
		t.Error("NaN objective: no error")
	}
	c, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := minimizeLBFGSB(c, rosenbrockObjective, []float64{-1.2, 1}, scipyLBFGSBDefaults); err == nil {
		t.Error("cancelled context: no error")
	}
}
