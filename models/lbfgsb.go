package models

import (
	"context"
	"fmt"
	"math"
)

// This file is a Go implementation of L-BFGS-B (Byrd, Lu, Nocedal and Zhu
// 1995; version 3.0 of Morales and Nocedal 2011) for problems whose
// variables are all unbounded, following the arithmetic of the Fortran code
// that scipy 1.10.1 ships (scipy.optimize.minimize(method="L-BFGS-B")), so
// that scikit-learn's default LogisticRegression solver can be reproduced
// step for step: the same iterates up to floating-point rounding, the same
// line-search decisions and the same stopping rules.
//
// With no bounds, L-BFGS-B reduces to: a steepest-descent step (the
// generalized Cauchy point with B = θI) whenever the limited memory is empty
// (first iteration and after a restart); otherwise the quasi-Newton step
// computed from the compact representation of B by the factorized matrix K
// ("subspace minimization" over all variables); then the Moré–Thuente line
// search (dcsrch with ftol 1e-3, gtol 0.9, xtol 0.1). Sums are taken in the
// order the Fortran loops take them.
//
// scipy 1.10.1 as Debian builds it (the reference the tests were generated
// with) links the upstream L-BFGS-B 3.0 library (liblbfgsb0) instead of its
// own copy of the Fortran; the two differ for unbounded problems only in
// the line-search limit: upstream stops a line search after 20 trial steps
// whatever maxls says, scipy's copy after maxls (default 20). scikit-learn
// 1.2.1 keeps the default, so both give its results.

// lbfgsbObjective evaluates the objective at x, writes its gradient into
// grad (same length as x) and returns the objective value.
type lbfgsbObjective func(x, grad []float64) float64

// lbfgsbSettings are the options of scipy.optimize.minimize(method="L-BFGS-B").
type lbfgsbSettings struct {
	// Corrections is maxcor (m), the number of stored correction pairs.
	Corrections int
	// Ftol is scipy's ftol: the iteration stops when the relative reduction
	// of the objective (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) is at most
	// factr·ε_mach with factr = Ftol / ε (scipy's default 2.22e-9).
	Ftol float64
	// Pgtol is scipy's gtol: the iteration stops when the max-norm of the
	// projected gradient is at most Pgtol.
	Pgtol float64
	// MaxIter is maxiter: scipy stops after this many iterations.
	MaxIter int
	// MaxFun is maxfun: scipy stops after an iteration that brought the
	// number of objective evaluations above MaxFun.
	MaxFun int
	// MaxLineSearch is maxls, the most trial steps of one line search
	// (scipy's default 20, which scikit-learn 1.2.1 keeps).
	MaxLineSearch int
}

// scipyLBFGSBDefaults are scipy 1.10.1's defaults for _minimize_lbfgsb, the
// ones scikit-learn 1.2.1's LogisticRegression keeps (it only sets gtol and
// maxiter).
var scipyLBFGSBDefaults = lbfgsbSettings{
	Corrections:   10,
	Ftol:          2.2204460492503131e-09,
	Pgtol:         1e-5,
	MaxIter:       15000,
	MaxFun:        15000,
	MaxLineSearch: 20,
}

// lbfgsbStatus is how a minimization ended; the values are scipy's status
// codes (OptimizeResult.status).
type lbfgsbStatus int

const (
	// lbfgsbConverged: the projected gradient or the relative reduction
	// test was met (scipy status 0).
	lbfgsbConverged lbfgsbStatus = 0
	// lbfgsbLimit: MaxIter iterations or MaxFun evaluations were used up
	// (scipy status 1).
	lbfgsbLimit lbfgsbStatus = 1
	// lbfgsbAbnormal: the line search failed from a steepest-descent
	// direction (scipy status 2); the previous iterate is returned.
	lbfgsbAbnormal lbfgsbStatus = 2
)

// lbfgsbResult is the outcome of minimizeLBFGSB.
type lbfgsbResult struct {
	X []float64 // the final iterate
	F float64   // the objective at X
	G []float64 // the gradient at X
	// Iterations counts completed iterations (scipy's nit, the number of
	// new iterates the line search accepted).
	Iterations int
	// Evaluations counts objective evaluations at distinct consecutive
	// points (scipy's nfev).
	Evaluations int
	Status      lbfgsbStatus
	// Message is scipy's task string at the end, such as
	// "CONVERGENCE: REL_REDUCTION_OF_F_<=_FACTR*EPSMCH".
	Message string
	// ProjGradNorm is the max-norm of the gradient at X.
	ProjGradNorm float64
}

// lbfgsbEpsmch is the machine precision L-BFGS-B uses: 2·dlamch('e') = 2^-52.
const lbfgsbEpsmch = 2.220446049250313e-16

// minimizeLBFGSB minimizes fg from x0 (not modified) over unbounded
// variables. It returns an error only for invalid settings, a non-finite
// objective at x0, or a cancelled ctx; running out of iterations or a failed
// line search are reported in the result's Status.
func minimizeLBFGSB(ctx context.Context, fg lbfgsbObjective, x0 []float64, s lbfgsbSettings) (lbfgsbResult, error) {
	n := len(x0)
	m := s.Corrections
	if n == 0 || m <= 0 || s.MaxLineSearch <= 0 || s.MaxIter <= 0 || s.MaxFun <= 0 || !(s.Ftol >= 0) || !(s.Pgtol >= 0) {
		return lbfgsbResult{}, fmt.Errorf("lbfgsb: invalid settings %+v for %d variables", s, n)
	}
	w := newLBFGSBWork(n, m)
	x := append([]float64(nil), x0...)
	g := make([]float64, n)
	z := make([]float64, n)
	d := make([]float64, n)
	r := make([]float64, n)
	t := make([]float64, n)
	lastX := make([]float64, n)
	nfev := 0
	// evaluate counts evaluations as scipy's ScalarFunction does: a point
	// equal to the last one evaluated is served from its cache, so it is not
	// counted (the objective is deterministic, so it is simply recomputed).
	evaluate := func() float64 {
		if nfev == 0 || !equalVectors(x, lastX) {
			nfev++
			copy(lastX, x)
		}
		return fg(x, g)
	}
	f := evaluate()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return lbfgsbResult{}, fmt.Errorf("lbfgsb: objective %v at the starting point", f)
	}
	factr := s.Ftol / 2.220446049250313e-16 // scipy: ftol / np.finfo(float).eps
	tol := factr * lbfgsbEpsmch
	result := func(status lbfgsbStatus, msg string, iter int, sbgnrm float64) (lbfgsbResult, error) {
		return lbfgsbResult{X: x, F: f, G: g, Iterations: iter, Evaluations: nfev, Status: status, Message: msg, ProjGradNorm: sbgnrm}, nil
	}

	sbgnrm := maxAbs(g)
	if sbgnrm <= s.Pgtol {
		return result(lbfgsbConverged, "CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL", 0, sbgnrm)
	}
	iter := 0
	for {
		if err := ctx.Err(); err != nil {
			return lbfgsbResult{}, err
		}
		// The search direction: z is the point the unit step reaches.
		if w.col == 0 {
			// The generalized Cauchy point of the model with B = θI and no
			// bounds: x − (1/θ)·g, computed as the Fortran cauchy does.
			var f1 float64
			for i, gi := range g {
				neg := -gi
				d[i] = neg
				f1 -= neg * neg
			}
			f2 := -w.theta * f1
			dtm := -f1 / f2
			if dtm <= 0 {
				dtm = 0
			}
			for i := range z {
				z[i] = x[i] + dtm*d[i]
			}
		} else {
			copy(z, x)
			ok := true
			if w.updated {
				ok = w.formK()
			}
			if ok {
				for i, gi := range g {
					r[i] = -gi
				}
				ok = w.subspaceStep(r)
			}
			if !ok {
				// A singular or indefinite system: refresh the memory and
				// restart the iteration from the steepest-descent step.
				w.reset()
				continue
			}
			for i := range z {
				z[i] += r[i]
			}
		}
		for i := range d {
			d[i] = z[i] - x[i]
		}

		// Line search (lnsrlb + dcsrch).
		dtd := dot(d, d)
		dnorm := math.Sqrt(dtd)
		const stpmx = 1e10
		stp := 1.0
		if iter == 0 {
			stp = math.Min(1/dnorm, stpmx)
		}
		copy(t, x)
		copy(r, g)
		fold := f
		gd := dot(g, d)
		gdold := gd
		failed := gd >= 0 // not a descent direction
		var ls moreThuente
		task := lsStart
		ifun := 0
		for !failed {
			task = ls.step(task, f, gd, &stp, 1e-3, 0.9, 0.1, 0, stpmx)
			if task == lsConverged || task == lsWarning {
				break
			}
			if task == lsError {
				failed = true
				break
			}
			ifun++
			if ifun-1 >= s.MaxLineSearch {
				failed = true
				break
			}
			if stp == 1 {
				copy(x, z)
			} else {
				for i := range x {
					x[i] = stp*d[i] + t[i]
				}
			}
			f = evaluate()
			gd = dot(g, d)
		}
		if failed {
			copy(x, t)
			copy(g, r)
			f = fold
			if w.col == 0 {
				return result(lbfgsbAbnormal, "ABNORMAL_TERMINATION_IN_LNSRCH", iter, maxAbs(g))
			}
			w.reset()
			continue
		}

		// A new iterate.
		iter++
		sbgnrm = maxAbs(g)
		if iter >= s.MaxIter {
			return result(lbfgsbLimit, "STOP: TOTAL NO. of ITERATIONS REACHED LIMIT", iter, sbgnrm)
		}
		if nfev > s.MaxFun {
			return result(lbfgsbLimit, "STOP: TOTAL NO. of f AND g EVALUATIONS EXCEEDS LIMIT", iter, sbgnrm)
		}
		if sbgnrm <= s.Pgtol {
			return result(lbfgsbConverged, "CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL", iter, sbgnrm)
		}
		if fold-f <= tol*math.Max(math.Max(math.Abs(fold), math.Abs(f)), 1) {
			return result(lbfgsbConverged, "CONVERGENCE: REL_REDUCTION_OF_F_<=_FACTR*EPSMCH", iter, sbgnrm)
		}

		// The correction pair: d = x_new − x_old (scaled by stp), r = g_new − g_old.
		for i := range r {
			r[i] = g[i] - r[i]
		}
		rr := dot(r, r)
		var dr, ddum float64
		if stp == 1 {
			dr = gd - gdold
			ddum = -gdold
		} else {
			dr = (gd - gdold) * stp
			for i := range d {
				d[i] *= stp
			}
			ddum = -gdold * stp
		}
		if dr <= lbfgsbEpsmch*ddum {
			// Curvature too small: skip the update.
			w.updated = false
			continue
		}
		w.updated = true
		w.iupdat++
		w.update(d, r, rr, dr, stp, dtd)
		if !w.formT() {
			w.reset()
		}
	}
}

// equalVectors reports whether a and b hold the same values.
func equalVectors(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// lbfgsbWork is the limited-memory state: the correction pairs stored in a
// circular buffer of m columns (head is the oldest, col the count) and the
// small matrices of the compact representation, indexed as in the Fortran
// code (column-major, 0-based here).
type lbfgsbWork struct {
	n, m    int
	ws, wy  [][]float64 // S and Y columns
	sy, ss  []float64   // m×m: S'Y (lower triangle), S'S (upper triangle)
	wt      []float64   // m×m: Cholesky factor of θS'S + LD⁻¹L'
	wn, wn1 []float64   // 2m×2m: factor of K, and the inner products it is built from
	wv      []float64   // 2m scratch
	theta   float64
	col     int
	head    int
	itail   int
	iupdat  int
	updated bool
}

func newLBFGSBWork(n, m int) *lbfgsbWork {
	w := &lbfgsbWork{n: n, m: m, ws: make([][]float64, m), wy: make([][]float64, m),
		sy: make([]float64, m*m), ss: make([]float64, m*m), wt: make([]float64, m*m),
		wn: make([]float64, 4*m*m), wn1: make([]float64, 4*m*m), wv: make([]float64, 2*m)}
	for j := 0; j < m; j++ {
		w.ws[j] = make([]float64, n)
		w.wy[j] = make([]float64, n)
	}
	w.reset()
	return w
}

// reset empties the memory (B = I), as the Fortran code does on start and
// whenever a factorization or the line search fails.
func (w *lbfgsbWork) reset() {
	w.col = 0
	w.head = 0
	w.theta = 1
	w.iupdat = 0
	w.updated = false
}

// next returns the circular-buffer position after p.
func (w *lbfgsbWork) next(p int) int { return (p + 1) % w.m }

// update stores the pair (s, y) = (d, r) and the new row of S'Y and column
// of S'S (matupd); θ becomes y'y / s'y.
func (w *lbfgsbWork) update(d, r []float64, rr, dr, stp, dtd float64) {
	m := w.m
	if w.iupdat <= m {
		w.col = w.iupdat
		w.itail = (w.head + w.iupdat - 1) % m
	} else {
		w.itail = w.next(w.itail)
		w.head = w.next(w.head)
	}
	copy(w.ws[w.itail], d)
	copy(w.wy[w.itail], r)
	w.theta = rr / dr
	col := w.col
	sy, ss := w.sy, w.ss
	if w.iupdat > m {
		// Drop the oldest pair: shift S'S up-left and S'Y up-left.
		for j := 0; j < col-1; j++ {
			copy(ss[j*m:j*m+j+1], ss[(j+1)*m+1:(j+1)*m+j+2])
			copy(sy[j*m+j:j*m+col-1], sy[(j+1)*m+j+1:(j+1)*m+col])
		}
	}
	p := w.head
	for j := 0; j < col-1; j++ {
		sy[(col-1)+j*m] = dot(d, w.wy[p])
		ss[j+(col-1)*m] = dot(w.ws[p], d)
		p = w.next(p)
	}
	if stp == 1 {
		ss[(col-1)+(col-1)*m] = dtd
	} else {
		ss[(col-1)+(col-1)*m] = stp * stp * dtd
	}
	sy[(col-1)+(col-1)*m] = dr
}

// formT forms T = θS'S + LD⁻¹L' in the upper triangle of wt and factors it
// (formt); it reports false if T is not numerically positive definite.
func (w *lbfgsbWork) formT() bool {
	m, col := w.m, w.col
	sy, ss, wt := w.sy, w.ss, w.wt
	for j := 0; j < col; j++ {
		wt[j*m] = w.theta * ss[j*m]
	}
	for i := 1; i < col; i++ {
		for j := i; j < col; j++ {
			var ddum float64
			for k := 0; k < i; k++ {
				ddum += sy[i+k*m] * sy[j+k*m] / sy[k+k*m]
			}
			wt[i+j*m] = ddum + w.theta*ss[i+j*m]
		}
	}
	return choleskyUpper(wt, m, 0, col)
}

// formK builds and factors K, the 2col×2col middle matrix of the subspace
// step, with every variable free (formk with no active bounds):
//
//	WN1 = [Y'Y  R'; R  0] (lower triangle kept in wn1, R the upper
//	triangle of S'Y), WN = [D + Y'Y/θ  R'; R  0] → [LL'  L⁻¹R'; R L'⁻¹  JJ'].
//
// It reports false if a Cholesky factorization fails.
func (w *lbfgsbWork) formK() bool {
	m, col, n := w.m, w.col, w.n
	m2 := 2 * m
	wn1, wn := w.wn1, w.wn
	at := func(i, j int) int { return i + j*m2 }
	if w.updated {
		if w.iupdat > m {
			// Shift the old parts of WN1 (drop the oldest pair).
			for jy := 0; jy < m-1; jy++ {
				js := m + jy
				copy(wn1[at(jy, jy):at(jy, jy)+m-1-jy], wn1[at(jy+1, jy+1):at(jy+1, jy+1)+m-1-jy])
				copy(wn1[at(js, js):at(js, js)+m-1-jy], wn1[at(js+1, js+1):at(js+1, js+1)+m-1-jy])
				copy(wn1[at(m, jy):at(m, jy)+m-1], wn1[at(m+1, jy+1):at(m+1, jy+1)+m-1])
			}
		}
		// The new row of Y'Y (row col) and the new row of block (2,1),
		// which is 0 left of the diagonal (no active bounds).
		iy, is := col-1, m+col-1
		ipntr := (w.head + col - 1) % m
		jpntr := w.head
		for jy := 0; jy < col; jy++ {
			var temp1 float64
			a, b := w.wy[ipntr], w.wy[jpntr]
			for k := 0; k < n; k++ {
				temp1 += a[k] * b[k]
			}
			wn1[at(iy, jy)] = temp1
			wn1[at(is, m+jy)] = 0
			wn1[at(is, jy)] = 0
			jpntr = w.next(jpntr)
		}
		// The new column of block (2,1): s_i'y_col.
		jpntr = (w.head + col - 1) % m
		ipntr = w.head
		for i := 0; i < col; i++ {
			var temp3 float64
			a, b := w.ws[ipntr], w.wy[jpntr]
			for k := 0; k < n; k++ {
				temp3 += a[k] * b[k]
			}
			ipntr = w.next(ipntr)
			wn1[at(m+i, col-1)] = temp3
		}
	}
	// The upper triangle of WN.
	for iy := 0; iy < col; iy++ {
		is, is1 := col+iy, m+iy
		for jy := 0; jy <= iy; jy++ {
			js, js1 := col+jy, m+jy
			wn[at(jy, iy)] = wn1[at(iy, jy)] / w.theta
			wn[at(js, is)] = wn1[at(is1, js1)] * w.theta
		}
		for jy := 0; jy < iy; jy++ {
			wn[at(jy, is)] = -wn1[at(is1, jy)]
		}
		for jy := iy; jy < col; jy++ {
			wn[at(jy, is)] = wn1[at(is1, jy)]
		}
		wn[at(iy, iy)] += w.sy[iy+iy*m]
	}
	if !choleskyUpper(wn, m2, 0, col) {
		return false
	}
	for js := col; js < 2*col; js++ {
		solveUpperTransposed(wn, m2, 0, col, wn[at(0, js):at(0, js)+col])
	}
	for is := col; is < 2*col; is++ {
		for js := is; js < 2*col; js++ {
			wn[at(is, js)] += dot(wn[at(0, is):at(0, is)+col], wn[at(0, js):at(0, js)+col])
		}
	}
	return choleskyUpper(wn, m2, col, col)
}

// subspaceStep overwrites r (−g on entry) with the quasi-Newton step
// −B⁻¹g computed as subsm does: d = (1/θ)r + (1/θ²)W K⁻¹ W'r. It reports
// false if K's factor is singular.
func (w *lbfgsbWork) subspaceStep(r []float64) bool {
	m, col := w.m, w.col
	m2 := 2 * m
	wv := w.wv[:2*col]
	p := w.head
	for i := 0; i < col; i++ {
		var temp1, temp2 float64
		a, b := w.wy[p], w.ws[p]
		for j, rj := range r {
			temp1 += a[j] * rj
			temp2 += b[j] * rj
		}
		wv[i] = temp1
		wv[col+i] = w.theta * temp2
		p = w.next(p)
	}
	if !solveUpperTransposed(w.wn, m2, 0, 2*col, wv) {
		return false
	}
	for i := 0; i < col; i++ {
		wv[i] = -wv[i]
	}
	if !solveUpper(w.wn, m2, 2*col, wv) {
		return false
	}
	p = w.head
	for jy := 0; jy < col; jy++ {
		js := col + jy
		a, b := w.wy[p], w.ws[p]
		for i := range r {
			r[i] = r[i] + a[i]*wv[jy]/w.theta + b[i]*wv[js]
		}
		p = w.next(p)
	}
	inv := 1 / w.theta
	for i := range r {
		r[i] = inv * r[i]
	}
	return true
}

// choleskyUpper factors the k×k symmetric block of a (column-major, leading
// dimension ld) starting at row and column off as R'R, R upper triangular
// stored over the upper triangle (LINPACK dpofa). It reports false if the
// block is not numerically positive definite.
func choleskyUpper(a []float64, ld, off, k int) bool {
	at := func(i, j int) int { return (off + i) + (off+j)*ld }
	for j := 0; j < k; j++ {
		var s float64
		for kk := 0; kk < j; kk++ {
			var dd float64
			for i := 0; i < kk; i++ {
				dd += a[at(i, kk)] * a[at(i, j)]
			}
			t := (a[at(kk, j)] - dd) / a[at(kk, kk)]
			a[at(kk, j)] = t
			s += t * t
		}
		s = a[at(j, j)] - s
		if s <= 0 {
			return false
		}
		a[at(j, j)] = math.Sqrt(s)
	}
	return true
}

// solveUpperTransposed solves R'x = b in place for the k×k upper triangular
// block of t at (off, off) (LINPACK dtrsl job 11); false if R has a zero on
// its diagonal.
func solveUpperTransposed(t []float64, ld, off, k int, b []float64) bool {
	at := func(i, j int) int { return (off + i) + (off+j)*ld }
	for i := 0; i < k; i++ {
		if t[at(i, i)] == 0 {
			return false
		}
	}
	b[0] /= t[at(0, 0)]
	for j := 1; j < k; j++ {
		var dd float64
		for i := 0; i < j; i++ {
			dd += t[at(i, j)] * b[i]
		}
		b[j] = (b[j] - dd) / t[at(j, j)]
	}
	return true
}

// solveUpper solves Rx = b in place for the k×k upper triangular leading
// block of t (LINPACK dtrsl job 01); false if R has a zero on its diagonal.
func solveUpper(t []float64, ld, k int, b []float64) bool {
	for i := 0; i < k; i++ {
		if t[i+i*ld] == 0 {
			return false
		}
	}
	b[k-1] /= t[(k-1)+(k-1)*ld]
	for j := k - 2; j >= 0; j-- {
		temp := -b[j+1]
		if temp != 0 {
			col := t[(j+1)*ld : (j+1)*ld+j+1]
			for i := 0; i <= j; i++ {
				b[i] += temp * col[i]
			}
		}
		b[j] /= t[j+j*ld]
	}
	return true
}

// lsTask is the state of the Moré–Thuente line search.
type lsTask int

const (
	lsStart     lsTask = iota
	lsEvaluate         // evaluate f and g at the new stp
	lsConverged        // sufficient decrease and curvature conditions hold
	lsWarning          // no further progress possible; stp is the best step
	lsError            // invalid input
)

// moreThuente is the state of dcsrch (MINPACK-2), the line search
// L-BFGS-B uses.
type moreThuente struct {
	brackt                                bool
	stage                                 int
	ginit, gtest, gx, gy, finit, fx, fy   float64
	stx, sty, stmin, stmax, width, width1 float64
}

// step is one call of dcsrch: given f and its derivative g at stp (at 0 on
// the first call, task lsStart), it returns lsEvaluate with a new *stp to
// evaluate, or a final task.
func (ls *moreThuente) step(task lsTask, f, g float64, stp *float64, ftol, gtol, xtol, stpmin, stpmax float64) lsTask {
	const (
		xtrapl = 1.1
		xtrapu = 4.0
	)
	if task == lsStart {
		if *stp < stpmin || *stp > stpmax || g >= 0 || ftol < 0 || gtol < 0 || xtol < 0 || stpmin < 0 || stpmax < stpmin {
			return lsError
		}
		ls.brackt = false
		ls.stage = 1
		ls.finit = f
		ls.ginit = g
		ls.gtest = ftol * ls.ginit
		ls.width = stpmax - stpmin
		ls.width1 = ls.width / 0.5
		ls.stx, ls.fx, ls.gx = 0, ls.finit, ls.ginit
		ls.sty, ls.fy, ls.gy = 0, ls.finit, ls.ginit
		ls.stmin = 0
		ls.stmax = *stp + xtrapu**stp
		return lsEvaluate
	}
	ftest := ls.finit + *stp*ls.gtest
	if ls.stage == 1 && f <= ftest && g >= 0 {
		ls.stage = 2
	}
	result := lsEvaluate
	if ls.brackt && (*stp <= ls.stmin || *stp >= ls.stmax) {
		result = lsWarning // rounding errors prevent progress
	}
	if ls.brackt && ls.stmax-ls.stmin <= xtol*ls.stmax {
		result = lsWarning // xtol test satisfied
	}
	if *stp == stpmax && f <= ftest && g <= ls.gtest {
		result = lsWarning // stp = stpmax
	}
	if *stp == stpmin && (f > ftest || g >= ls.gtest) {
		result = lsWarning // stp = stpmin
	}
	if f <= ftest && math.Abs(g) <= gtol*(-ls.ginit) {
		result = lsConverged
	}
	if result != lsEvaluate {
		return result
	}
	if ls.stage == 1 && f <= ls.fx && f > ftest {
		// The modified function ψ(stp) = f(stp) − f(0) − ftol·stp·f'(0).
		fm := f - *stp*ls.gtest
		fxm := ls.fx - ls.stx*ls.gtest
		fym := ls.fy - ls.sty*ls.gtest
		gm := g - ls.gtest
		gxm := ls.gx - ls.gtest
		gym := ls.gy - ls.gtest
		dcstep(&ls.stx, &fxm, &gxm, &ls.sty, &fym, &gym, stp, fm, gm, &ls.brackt, ls.stmin, ls.stmax)
		ls.fx = fxm + ls.stx*ls.gtest
		ls.fy = fym + ls.sty*ls.gtest
		ls.gx = gxm + ls.gtest
		ls.gy = gym + ls.gtest
	} else {
		dcstep(&ls.stx, &ls.fx, &ls.gx, &ls.sty, &ls.fy, &ls.gy, stp, f, g, &ls.brackt, ls.stmin, ls.stmax)
	}
	if ls.brackt {
		if math.Abs(ls.sty-ls.stx) >= 0.66*ls.width1 {
			*stp = ls.stx + 0.5*(ls.sty-ls.stx)
		}
		ls.width1 = ls.width
		ls.width = math.Abs(ls.sty - ls.stx)
		ls.stmin = math.Min(ls.stx, ls.sty)
		ls.stmax = math.Max(ls.stx, ls.sty)
	} else {
		ls.stmin = *stp + xtrapl*(*stp-ls.stx)
		ls.stmax = *stp + xtrapu*(*stp-ls.stx)
	}
	*stp = math.Max(*stp, stpmin)
	*stp = math.Min(*stp, stpmax)
	if ls.brackt && (*stp <= ls.stmin || *stp >= ls.stmax) || ls.brackt && ls.stmax-ls.stmin <= xtol*ls.stmax {
		*stp = ls.stx
	}
	return lsEvaluate
}

// dcstep (MINPACK-2) computes a safeguarded trial step by cubic or
// quadratic interpolation and updates the interval [stx, sty] known to
// contain a step satisfying the line-search conditions.
func dcstep(stx, fx, dx, sty, fy, dy, stp *float64, fp, dp float64, brackt *bool, stpmin, stpmax float64) {
	sgnd := dp * (*dx / math.Abs(*dx))
	var stpf float64
	switch {
	case fp > *fx:
		// A higher function value: the minimum is bracketed.
		theta := 3*(*fx-fp)/(*stp-*stx) + *dx + dp
		s := math.Max(math.Max(math.Abs(theta), math.Abs(*dx)), math.Abs(dp))
		gamma := s * math.Sqrt((theta/s)*(theta/s)-(*dx/s)*(dp/s))
		if *stp < *stx {
			gamma = -gamma
		}
		p := (gamma - *dx) + theta
		q := ((gamma - *dx) + gamma) + dp
		r := p / q
		stpc := *stx + r*(*stp-*stx)
		stpq := *stx + ((*dx/((*fx-fp)/(*stp-*stx)+*dx))/2)*(*stp-*stx)
		if math.Abs(stpc-*stx) < math.Abs(stpq-*stx) {
			stpf = stpc
		} else {
			stpf = stpc + (stpq-stpc)/2
		}
		*brackt = true
	case sgnd < 0:
		// A lower value and derivatives of opposite sign: bracketed.
		theta := 3*(*fx-fp)/(*stp-*stx) + *dx + dp
		s := math.Max(math.Max(math.Abs(theta), math.Abs(*dx)), math.Abs(dp))
		gamma := s * math.Sqrt((theta/s)*(theta/s)-(*dx/s)*(dp/s))
		if *stp > *stx {
			gamma = -gamma
		}
		p := (gamma - dp) + theta
		q := ((gamma - dp) + gamma) + *dx
		r := p / q
		stpc := *stp + r*(*stx-*stp)
		stpq := *stp + (dp/(dp-*dx))*(*stx-*stp)
		if math.Abs(stpc-*stp) > math.Abs(stpq-*stp) {
			stpf = stpc
		} else {
			stpf = stpq
		}
		*brackt = true
	case math.Abs(dp) < math.Abs(*dx):
		// A lower value, same-sign derivatives, decreasing magnitude.
		theta := 3*(*fx-fp)/(*stp-*stx) + *dx + dp
		s := math.Max(math.Max(math.Abs(theta), math.Abs(*dx)), math.Abs(dp))
		gamma := s * math.Sqrt(math.Max(0, (theta/s)*(theta/s)-(*dx/s)*(dp/s)))
		if *stp > *stx {
			gamma = -gamma
		}
		p := (gamma - dp) + theta
		q := (gamma + (*dx - dp)) + gamma
		r := p / q
		var stpc float64
		switch {
		case r < 0 && gamma != 0:
			stpc = *stp + r*(*stx-*stp)
		case *stp > *stx:
			stpc = stpmax
		default:
			stpc = stpmin
		}
		stpq := *stp + (dp/(dp-*dx))*(*stx-*stp)
		if *brackt {
			if math.Abs(stpc-*stp) < math.Abs(stpq-*stp) {
				stpf = stpc
			} else {
				stpf = stpq
			}
			if *stp > *stx {
				stpf = math.Min(*stp+0.66*(*sty-*stp), stpf)
			} else {
				stpf = math.Max(*stp+0.66*(*sty-*stp), stpf)
			}
		} else {
			if math.Abs(stpc-*stp) > math.Abs(stpq-*stp) {
				stpf = stpc
			} else {
				stpf = stpq
			}
			stpf = math.Min(stpmax, stpf)
			stpf = math.Max(stpmin, stpf)
		}
	default:
		// A lower value, same-sign derivatives, non-decreasing magnitude.
		switch {
		case *brackt:
			theta := 3*(fp-*fy)/(*sty-*stp) + *dy + dp
			s := math.Max(math.Max(math.Abs(theta), math.Abs(*dy)), math.Abs(dp))
			gamma := s * math.Sqrt((theta/s)*(theta/s)-(*dy/s)*(dp/s))
			if *stp > *sty {
				gamma = -gamma
			}
			p := (gamma - dp) + theta
			q := ((gamma - dp) + gamma) + *dy
			r := p / q
			stpf = *stp + r*(*sty-*stp)
		case *stp > *stx:
			stpf = stpmax
		default:
			stpf = stpmin
		}
	}
	if fp > *fx {
		*sty = *stp
		*fy = fp
		*dy = dp
	} else {
		if sgnd < 0 {
			*sty = *stx
			*fy = *fx
			*dy = *dx
		}
		*stx = *stp
		*fx = fp
		*dx = dp
	}
	*stp = stpf
}
