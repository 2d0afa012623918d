package models

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var ctx = context.Background()

// penalizedGradient computes, independently of the solver, the gradient of
// ½‖w‖² + C·Σ s_i·logloss_i at (coef, intercept) on the standardized design
// (when standardize) or the raw design.
func penalizedGradient(train TrainingSet, c float64, standardize, balanced bool, coef []float64, intercept float64) []float64 {
	x := train.X
	n, d := x.Rows, x.Cols
	mean := make([]float64, d)
	sd := make([]float64, d)
	for j := 0; j < d; j++ {
		sd[j] = 1
		if !standardize {
			continue
		}
		var s float64
		for i := 0; i < n; i++ {
			s += x.At(i, j)
		}
		mean[j] = s / float64(n)
		var ss float64
		for i := 0; i < n; i++ {
			ss += (x.At(i, j) - mean[j]) * (x.At(i, j) - mean[j])
		}
		if ss > 0 {
			sd[j] = math.Sqrt(ss / float64(n))
		}
	}
	var n1 float64
	for _, v := range train.Y {
		n1 += float64(v)
	}
	g := make([]float64, d+1)
	for i := 0; i < n; i++ {
		eta := intercept
		for j := 0; j < d; j++ {
			eta += coef[j] * (x.At(i, j) - mean[j]) / sd[j]
		}
		s := 1.0
		if balanced {
			if train.Y[i] == 1 {
				s = float64(n) / (2 * n1)
			} else {
				s = float64(n) / (2 * (float64(n) - n1))
			}
		}
		r := c * s * (1/(1+math.Exp(-eta)) - float64(train.Y[i]))
		for j := 0; j < d; j++ {
			g[j] += r * (x.At(i, j) - mean[j]) / sd[j]
		}
		g[d] += r
	}
	for j := 0; j < d; j++ {
		g[j] += coef[j]
	}
	return g
}

// TestLogisticGradientAtSolution checks first-order optimality: the gradient
// of the exact objective, recomputed here, is ~0 at the returned solution
// (max-norm <= 1e-8 times the number of rows times C, a bound far above
// rounding and far below any real error).
func TestLogisticGradientAtSolution(t *testing.T) {
	cases := []struct {
		name        string
		n           int
		c           float64
		standardize bool
		classWeight string
	}{
		{"raw C=1", 500, 1, false, ""},
		{"raw C=0.01", 500, 0.01, false, ""},
		{"standardized C=1", 800, 1, true, ""},
		{"standardized C=100 balanced", 800, 100, true, "balanced"},
		{"raw C=10 balanced", 300, 10, false, "balanced"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(i)))
			train := linearLogitData(rng, tc.n, []float64{0.8, -0.3, 0.1, 0}, -1.5)
			f, err := Logistic{Config: LogisticConfig{Solver: LogisticSolverNewton, C: tc.c, Standardize: tc.standardize, ClassWeight: tc.classWeight}}.FitLogistic(ctx, train)
			if err != nil {
				t.Fatal(err)
			}
			if !*f.Summary().Converged {
				t.Fatalf("not converged: %v", f.Summary().Notes)
			}
			coef, b := f.Coefficients()
			g := penalizedGradient(train, tc.c, tc.standardize, tc.classWeight == "balanced", coef, b)
			bound := 1e-8 * float64(tc.n) * math.Max(1, tc.c)
			if gn := maxAbs(g); gn > bound {
				t.Errorf("gradient max-norm %g at the solution, want <= %g (gradient %v)", gn, bound, g)
			}
		})
	}
}

// bisect finds the root of the increasing function h on [lo, hi].
func bisect(h func(float64) float64, lo, hi float64) float64 {
	for k := 0; k < 200; k++ {
		mid := (lo + hi) / 2
		if h(mid) > 0 {
			hi = mid
		} else {
			lo = mid
		}
	}
	return (lo + hi) / 2
}

// TestLogisticSymmetricData: rows (x, y) come in mirrored pairs (−x, 1−y),
// so the objective is symmetric in the intercept and the optimum has
// intercept 0. With k copies each of (1,1) ×3, (1,0), (−1,0) ×3, (−1,1) the
// stationarity condition is w = 2kC(3 − 4σ(w)); for the separable set (1,1),
// (−1,0) it is w = 2kC(1 − σ(w)). Both are solved here by bisection.
func TestLogisticSymmetricData(t *testing.T) {
	type pt struct {
		x float64
		y uint8
	}
	cases := []struct {
		name string
		pts  []pt
		k    int
		c    float64
		h    func(w, k, c float64) float64 // increasing in w, zero at the optimum
	}{
		{"overlapping C=1", []pt{{1, 1}, {1, 1}, {1, 1}, {1, 0}, {-1, 0}, {-1, 0}, {-1, 0}, {-1, 1}}, 5, 1,
			func(w, k, c float64) float64 { return w - 2*k*c*(3-4*sigmoid(w)) }},
		{"overlapping C=0.05", []pt{{1, 1}, {1, 1}, {1, 1}, {1, 0}, {-1, 0}, {-1, 0}, {-1, 0}, {-1, 1}}, 3, 0.05,
			func(w, k, c float64) float64 { return w - 2*k*c*(3-4*sigmoid(w)) }},
		{"separable C=1000", []pt{{1, 1}, {-1, 0}}, 10, 1000,
			func(w, k, c float64) float64 { return w - 2*k*c*(1-sigmoid(w)) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var rows [][]float64
			var y []uint8
			for r := 0; r < tc.k; r++ {
				for _, p := range tc.pts {
					rows = append(rows, []float64{p.x})
					y = append(y, p.y)
				}
			}
			train := TrainingSet{Rows: Rows{X: matrixFromRows(rows)}, Y: y}
			f, err := Logistic{Config: LogisticConfig{Solver: LogisticSolverNewton, C: tc.c}}.FitLogistic(ctx, train)
			if err != nil {
				t.Fatal(err)
			}
			want := bisect(func(w float64) float64 { return tc.h(w, float64(tc.k), tc.c) }, -100, 100)
			coef, b := f.Coefficients()
			assertClose(t, "coef", coef[0], want, 1e-9)
			assertClose(t, "intercept", b, 0, 1e-9)
		})
	}
}

// TestLogisticInterceptOnly: with a single all-zero column the coefficient
// is 0 and the unpenalized intercept is the logit of the (weighted) base
// rate: log(30/70) unweighted, 0 with balanced weights.
func TestLogisticInterceptOnly(t *testing.T) {
	rows := make([][]float64, 100)
	y := make([]uint8, 100)
	for i := range rows {
		rows[i] = []float64{0}
		if i < 30 {
			y[i] = 1
		}
	}
	train := TrainingSet{Rows: Rows{X: matrixFromRows(rows)}, Y: y}
	for _, tc := range []struct {
		classWeight string
		want        float64
	}{{"", math.Log(30.0 / 70.0)}, {"balanced", 0}} {
		f, err := Logistic{Config: LogisticConfig{Solver: LogisticSolverNewton, C: 1, ClassWeight: tc.classWeight}}.FitLogistic(ctx, train)
		if err != nil {
			t.Fatal(err)
		}
		coef, b := f.Coefficients()
		assertClose(t, "coef "+tc.classWeight, coef[0], 0, 1e-12)
		assertClose(t, "intercept "+tc.classWeight, b, tc.want, 1e-10)
	}
}

// TestLogisticWeightEquivalences checks identities of the objective:
// duplicating every row equals doubling C; balanced weights with 300
// negatives and 100 positives (weights 2/3 and 2) equal tripling the positive
// rows and using C·2/3; standardizing inside Fit equals fitting
// pre-standardized data without standardization.
func TestLogisticWeightEquivalences(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 1))
	base := linearLogitData(rng, 400, []float64{0.5, -0.4, 0.2}, 0.3)
	fit := func(train TrainingSet, cfg LogisticConfig) ([]float64, float64) {
		t.Helper()
		f, err := Logistic{Config: cfg}.FitLogistic(ctx, train)
		if err != nil {
			t.Fatal(err)
		}
		return f.Coefficients()
	}
	compare := func(name string, a []float64, ai float64, b []float64, bi float64) {
		t.Helper()
		for j := range a {
			assertClose(t, name+" coef", a[j], b[j], 1e-8)
		}
		assertClose(t, name+" intercept", ai, bi, 1e-8)
	}

	doubled := TrainingSet{Rows: Rows{X: &Matrix{Rows: 800, Cols: 3, Data: append(append([]float64(nil), base.X.Data...), base.X.Data...), Names: base.X.Names}}, Y: append(append([]uint8(nil), base.Y...), base.Y...)}
	a, ai := fit(doubled, LogisticConfig{Solver: LogisticSolverNewton, C: 0.7})
	b, bi := fit(base, LogisticConfig{Solver: LogisticSolverNewton, C: 1.4})
	compare("duplicated rows vs 2C", a, ai, b, bi)

	// 300 negatives and 100 positives, drawn from the same generator.
	var negRows, posRows [][]float64
	for len(negRows) < 300 || len(posRows) < 100 {
		tr := linearLogitData(rng, 1, []float64{0.5, -0.4, 0.2}, 0.3)
		if tr.Y[0] == 1 && len(posRows) < 100 {
			posRows = append(posRows, tr.X.Row(0))
		} else if tr.Y[0] == 0 && len(negRows) < 300 {
			negRows = append(negRows, tr.X.Row(0))
		}
	}
	var rowsB, rowsT [][]float64
	var yB, yT []uint8
	for _, r := range negRows {
		rowsB, yB = append(rowsB, r), append(yB, 0)
		rowsT, yT = append(rowsT, r), append(yT, 0)
	}
	for _, r := range posRows {
		rowsB, yB = append(rowsB, r), append(yB, 1)
		for k := 0; k < 3; k++ {
			rowsT, yT = append(rowsT, r), append(yT, 1)
		}
	}
	a, ai = fit(TrainingSet{Rows: Rows{X: matrixFromRows(rowsB)}, Y: yB}, LogisticConfig{Solver: LogisticSolverNewton, C: 1.5, ClassWeight: "balanced"})
	b, bi = fit(TrainingSet{Rows: Rows{X: matrixFromRows(rowsT)}, Y: yT}, LogisticConfig{Solver: LogisticSolverNewton, C: 1.5 * 2 / 3})
	compare("balanced vs replicated positives", a, ai, b, bi)

	// Standardize by hand (population sd).
	z := &Matrix{Rows: base.X.Rows, Cols: base.X.Cols, Data: make([]float64, len(base.X.Data)), Names: base.X.Names}
	for j := 0; j < 3; j++ {
		var s, ss float64
		for i := 0; i < 400; i++ {
			s += base.X.At(i, j)
		}
		m := s / 400
		for i := 0; i < 400; i++ {
			ss += (base.X.At(i, j) - m) * (base.X.At(i, j) - m)
		}
		sd := math.Sqrt(ss / 400)
		for i := 0; i < 400; i++ {
			z.Data[i*3+j] = (base.X.At(i, j) - m) / sd
		}
	}
	a, ai = fit(base, LogisticConfig{Solver: LogisticSolverNewton, C: 0.3, Standardize: true})
	b, bi = fit(TrainingSet{Rows: Rows{X: z}, Y: base.Y}, LogisticConfig{Solver: LogisticSolverNewton, C: 0.3})
	compare("standardize inside vs by hand", a, ai, b, bi)
}

// TestLogisticStandardizedScales: with Standardize, rescaling and shifting
// a feature leaves the standardized coefficients unchanged, and the raw
// coefficients reproduce the predictions.
func TestLogisticStandardizedScales(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	train := linearLogitData(rng, 600, []float64{0.6, -0.2}, 0)
	scaled := &Matrix{Rows: 600, Cols: 2, Data: append([]float64(nil), train.X.Data...), Names: train.X.Names}
	for i := 0; i < 600; i++ {
		scaled.Data[i*2] = 1000*scaled.Data[i*2] + 42
	}
	cfg := LogisticConfig{Solver: LogisticSolverNewton, C: 1, Standardize: true}
	f1, err := Logistic{Config: cfg}.FitLogistic(ctx, train)
	if err != nil {
		t.Fatal(err)
	}
	f2, err := Logistic{Config: cfg}.FitLogistic(ctx, TrainingSet{Rows: Rows{X: scaled}, Y: train.Y})
	if err != nil {
		t.Fatal(err)
	}
	c1, b1 := f1.Coefficients()
	c2, b2 := f2.Coefficients()
	for j := range c1 {
		assertClose(t, "standardized coef", c2[j], c1[j], 1e-8)
	}
	assertClose(t, "intercept", b2, b1, 1e-8)
	raw, rawB := f2.RawCoefficients()
	assertClose(t, "raw coef of the scaled column", raw[0]*1000, c1[0]/sdOfColumn(train.X, 0), 1e-8)
	p, err := f2.Predict(ctx, Rows{X: scaled})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 600; i += 37 {
		eta := rawB + raw[0]*scaled.At(i, 0) + raw[1]*scaled.At(i, 1)
		assertClose(t, "prediction from raw coefficients", p[i], sigmoid(eta), 1e-10)
	}
	if s := f2.Summary(); !strings.HasPrefix(s.CoefficientScale, "standardized") || s.Coefficients["x0"] != c2[0] {
		t.Errorf("summary scale %q coefficients %v, want standardized with x0 = %v", s.CoefficientScale, s.Coefficients, c2[0])
	}
}

func sdOfColumn(x *Matrix, j int) float64 {
	var s, ss float64
	for i := 0; i < x.Rows; i++ {
		s += x.At(i, j)
	}
	m := s / float64(x.Rows)
	for i := 0; i < x.Rows; i++ {
		ss += (x.At(i, j) - m) * (x.At(i, j) - m)
	}
	return math.Sqrt(ss / float64(x.Rows))
}

// TestLogisticZeroVarianceColumn: a constant column is centred, gets
// coefficient 0, is named in the notes, and does not change the other
// coefficients (compared with a fit without it).
func TestLogisticZeroVarianceColumn(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	train := linearLogitData(rng, 300, []float64{0.7, -0.5}, 0.2)
	withConst := &Matrix{Rows: 300, Cols: 3, Names: []string{"a", "constant", "b"}}
	for i := 0; i < 300; i++ {
		withConst.Data = append(withConst.Data, train.X.At(i, 0), 4.25, train.X.At(i, 1))
	}
	cfg := LogisticConfig{Solver: LogisticSolverNewton, C: 1, Standardize: true}
	f, err := Logistic{Config: cfg}.FitLogistic(ctx, TrainingSet{Rows: Rows{X: withConst}, Y: train.Y})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := Logistic{Config: cfg}.FitLogistic(ctx, train)
	if err != nil {
		t.Fatal(err)
	}
	c, b := f.Coefficients()
	rc, rb := ref.Coefficients()
	assertClose(t, "constant coef", c[1], 0, 1e-14)
	assertClose(t, "coef a", c[0], rc[0], 1e-10)
	assertClose(t, "coef b", c[2], rc[1], 1e-10)
	assertClose(t, "intercept", b, rb, 1e-10)
	s := f.Summary()
	if len(s.Notes) != 1 || !strings.Contains(s.Notes[0], `"constant"`) {
		t.Errorf("notes %q, want one naming \"constant\"", s.Notes)
	}
	// A test row with a different value in the constant column scores the same.
	test := &Matrix{Rows: 2, Cols: 3, Names: withConst.Names, Data: []float64{1, 4.25, 2, 1, -100, 2}}
	p, err := f.Predict(ctx, Rows{X: test})
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "prediction ignores the constant column", p[1], p[0], 1e-15)
}

// TestLogisticSeparable: perfectly separated data with a large C still
// converges (the penalty keeps the optimum finite) and ranks perfectly.
func TestLogisticSeparable(t *testing.T) {
	var rows [][]float64
	var y []uint8
	for i := 0; i < 50; i++ {
		v := float64(i) / 10
		rows = append(rows, []float64{v, math.Sin(float64(i))})
		if v > 2.45 {
			y = append(y, 1)
		} else {
			y = append(y, 0)
		}
	}
	train := TrainingSet{Rows: Rows{X: matrixFromRows(rows)}, Y: y}
	f, err := Logistic{Config: LogisticConfig{Solver: LogisticSolverNewton, C: 1e6, Standardize: true}}.FitLogistic(ctx, train)
	if err != nil {
		t.Fatal(err)
	}
	if !*f.Summary().Converged {
		t.Fatalf("not converged: %v", f.Summary().Notes)
	}
	p, err := f.Predict(ctx, train.Rows)
	if err != nil {
		t.Fatal(err)
	}
	if auc := aucOf(y, p); auc != 1 {
		t.Errorf("AUC on separable training data %v, want 1", auc)
	}
}

// TestLogisticExplainAdditivity: base + Σ contributions equals the logit of
// the prediction for every row, with both solvers, with and without
// standardization, and a row at the training mean has all-zero
// contributions.
func TestLogisticExplainAdditivity(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 2))
	train := linearLogitData(rng, 400, []float64{0.4, -0.6, 0.3}, -0.5)
	test := linearLogitData(rng, 200, []float64{0.4, -0.6, 0.3}, -0.5)
	mean := make([]float64, 3)
	for j := range mean {
		for i := 0; i < 400; i++ {
			mean[j] += train.X.At(i, j) / 400
		}
	}
	test.X.Data = append(test.X.Data, mean...)
	test.X.Rows++
	for _, tc := range []struct {
		solver      string
		standardize bool
	}{{LogisticSolverNewton, false}, {LogisticSolverNewton, true}, {LogisticSolverLBFGS, false}, {LogisticSolverLBFGS, true}} {
		standardize := tc.standardize
		f, err := Logistic{Config: LogisticConfig{C: 0.5, Standardize: standardize, Solver: tc.solver}}.FitLogistic(ctx, train)
		if err != nil {
			t.Fatal(err)
		}
		contrib, base, err := f.Explain(ctx, test.Rows)
		if err != nil {
			t.Fatal(err)
		}
		p, err := f.Predict(ctx, test.Rows)
		if err != nil {
			t.Fatal(err)
		}
		for i := range p {
			sum := base[i]
			for _, c := range contrib[i] {
				sum += c
			}
			assertClose(t, "base + contributions", sum, math.Log(p[i]/(1-p[i])), 1e-9)
		}
		for j, c := range contrib[len(p)-1] {
			assertClose(t, "contribution at the training mean "+f.names[j], c, 0, 1e-12)
		}
		coef, _ := f.Coefficients()
		raw, _ := f.RawCoefficients()
		assertClose(t, "contribution of row 0 feature 1", contrib[0][1], raw[1]*(test.X.At(0, 1)-mean[1]), 1e-10)
		if standardize {
			assertClose(t, "standardized contribution is coef*z", contrib[0][1], coef[1]*(test.X.At(0, 1)-mean[1])/sdOfColumn(train.X, 1), 1e-10)
		}
	}
}

// TestLogisticErrors: invalid input is an error, never a panic.
func TestLogisticErrors(t *testing.T) {
	good := matrixFromRows([][]float64{{1}, {2}, {3}})
	cases := []struct {
		name string
		cfg  LogisticConfig
		x    *Matrix
		y    []uint8
		msg  string
	}{
		{"nil matrix", LogisticConfig{C: 1}, nil, nil, "no feature matrix"},
		{"empty", LogisticConfig{C: 1}, &Matrix{Cols: 1, Names: []string{"a"}}, nil, "empty training set"},
		{"one class", LogisticConfig{C: 1}, good, []uint8{1, 1, 1}, "only one class"},
		{"NaN", LogisticConfig{C: 1}, matrixFromRows([][]float64{{1}, {math.NaN()}, {3}}), []uint8{0, 1, 0}, "non-finite"},
		{"Inf", LogisticConfig{C: 1}, matrixFromRows([][]float64{{1}, {math.Inf(1)}, {3}}), []uint8{0, 1, 0}, "non-finite"},
		{"C zero", LogisticConfig{C: 0}, good, []uint8{0, 1, 0}, "C must be"},
		{"C negative", LogisticConfig{C: -1}, good, []uint8{0, 1, 0}, "C must be"},
		{"C NaN", LogisticConfig{C: math.NaN()}, good, []uint8{0, 1, 0}, "C must be"},
		{"class weight", LogisticConfig{C: 1, ClassWeight: "auto"}, good, []uint8{0, 1, 0}, "class_weight"},
		{"solver", LogisticConfig{C: 1, Solver: "liblinear"}, good, []uint8{0, 1, 0}, `solver "liblinear"`},
		{"negative tol", LogisticConfig{C: 1, Tol: -1}, good, []uint8{0, 1, 0}, "must not be negative"},
		{"negative max_iter", LogisticConfig{C: 1, MaxIter: -1}, good, []uint8{0, 1, 0}, "must not be negative"},
		{"label 2", LogisticConfig{C: 1}, good, []uint8{0, 2, 1}, "not 0 or 1"},
		{"label count", LogisticConfig{C: 1}, good, []uint8{0, 1}, "2 labels for 3 rows"},
		{"data size", LogisticConfig{C: 1}, &Matrix{Rows: 3, Cols: 1, Data: []float64{1, 2}}, []uint8{0, 1, 0}, "data holds 2"},
	}
	for _, tc := range cases {
		_, err := Logistic{Config: tc.cfg}.Fit(ctx, TrainingSet{Rows: Rows{X: tc.x}, Y: tc.y}, nil)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.msg)
		}
	}
	f, err := Logistic{Config: LogisticConfig{C: 1}}.Fit(ctx, TrainingSet{Rows: Rows{X: good}, Y: []uint8{0, 1, 0}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []*Matrix{
		nil,
		matrixFromRows([][]float64{{1, 2}}),
		{Rows: 1, Cols: 1, Data: []float64{1}, Names: []string{"other"}},
		matrixFromRows([][]float64{{math.NaN()}}),
	} {
		if _, err := f.Predict(ctx, Rows{X: bad}); err == nil {
			t.Errorf("Predict on %+v: no error", bad)
		}
	}
}

// TestLogisticContextCancelled: a cancelled context stops the fit.
func TestLogisticContextCancelled(t *testing.T) {
	c, cancel := context.WithCancel(ctx)
	cancel()
	rng := rand.New(rand.NewPCG(1, 1))
	_, err := Logistic{Config: DefaultLogisticConfig()}.Fit(c, linearLogitData(rng, 100, []float64{1}, 0), nil)
	if err == nil {
		t.Fatal("no error with a cancelled context")
	}
}

// TestLogisticExactReference compares with converged scikit-learn 1.2.1
// solutions (newton-cholesky, tol 1e-12; testdata/gen_logistic_exact.py),
// including balanced class weights and StandardScaler standardization with a
// constant column (sklearn scales it by 1, as Fit does). Tolerance 1e-8.
func TestLogisticExactReference(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "logistic_exact.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []struct {
			ID          string      `json:"id"`
			X           [][]float64 `json:"X"`
			Y           []uint8     `json:"y"`
			C           float64     `json:"C"`
			Standardize bool        `json:"standardize"`
			ClassWeight string      `json:"class_weight"`
			Coef        []float64   `json:"coef"`
			Intercept   float64     `json:"intercept"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range ref.Cases {
		t.Run(c.ID, func(t *testing.T) {
			cfg := LogisticConfig{Solver: LogisticSolverNewton, C: c.C, Standardize: c.Standardize, ClassWeight: c.ClassWeight}
			f, err := Logistic{Config: cfg}.FitLogistic(ctx, TrainingSet{Rows: Rows{X: matrixFromRows(c.X)}, Y: c.Y})
			if err != nil {
				t.Fatal(err)
			}
			coef, b := f.Coefficients()
			for j := range c.Coef {
				assertClose(t, fmt.Sprintf("coef[%d]", j), coef[j], c.Coef[j], 1e-8)
			}
			assertClose(t, "intercept", b, c.Intercept, 1e-8)
		})
	}
}
