package multilevel

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
)

// TestBadInput: each problem is an error naming it, before any fitting.
func TestBadInput(t *testing.T) {
	ok := Data{Cols: 1, X: []float64{1, 2, 3, 4}, Y: []float64{0, 1, 0, 1}, Group: []string{"a", "a", "b", "b"}, Names: []string{"clicks"}}
	cases := []struct {
		name string
		edit func(d *Data)
		opt  Options
		want string
	}{
		{"no rows", func(d *Data) { *d = Data{} }, Options{}, "no rows"},
		{"short X", func(d *Data) { d.X = d.X[:3] }, Options{}, "3 covariate values for 4 rows"},
		{"groups", func(d *Data) { d.Group = d.Group[:3] }, Options{}, "3 group labels for 4 rows"},
		{"y", func(d *Data) { d.Y = []float64{0, 1, 2, 1} }, Options{}, "row 3: outcome 2 is not 0 or 1"},
		{"nan", func(d *Data) { d.X = []float64{1, math.NaN(), 3, 4} }, Options{}, `row 2: column "clicks" is NaN`},
		{"empty group", func(d *Data) { d.Group = []string{"a", "", "b", "b"} }, Options{}, "row 2 has no group label"},
		{"one group", func(d *Data) { d.Group = []string{"a", "a", "a", "a"} }, Options{}, "at least two groups, got 1"},
		{"nagq", func(*Data) {}, Options{NAGQ: 26}, "n_agq 26: need 1 (Laplace) to 25"},
		{"constant y", func(d *Data) { d.Y = []float64{1, 1, 1, 1} }, Options{}, "every outcome is 1"},
	}
	for _, c := range cases {
		d := ok
		d.X = append([]float64(nil), ok.X...)
		c.edit(&d)
		_, err := FitRandomIntercept(context.Background(), d, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, err, c.want)
		}
	}
}

// TestCollinearColumnDropped: a covariate that repeats another (up to scale
// and shift) is dropped as lme4 drops rank-deficient columns, its
// coefficient 0, and the fit equals the fit without it.
func TestCollinearColumnDropped(t *testing.T) {
	d := simulate(newRng(), 12, 20, 1, []float64{0.2, 0.9}, 0.8)
	wide := Data{Cols: 3, Y: d.Y, Group: d.Group}
	for i := range d.Y {
		x := d.X[i]
		wide.X = append(wide.X, x, 2*x+1, 5)
	}
	ctx := context.Background()
	narrow, err := FitRandomIntercept(ctx, d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := FitRandomIntercept(ctx, wide, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Dropped) != 2 || f.Dropped[0] != 1 || f.Dropped[1] != 2 {
		t.Fatalf("dropped %v, want [1 2]", f.Dropped)
	}
	if f.Beta[2] != 0 || f.Beta[3] != 0 || f.SE[2] != 0 {
		t.Errorf("dropped coefficients %v, SE %v: want 0", f.Beta[2:], f.SE[2:])
	}
	for j, want := range []float64{narrow.Beta[0], narrow.Beta[1], narrow.SD, narrow.LogLik} {
		got := []float64{f.Beta[0], f.Beta[1], f.SD, f.LogLik}[j]
		if math.Abs(got-want) > 1e-8*math.Max(1, math.Abs(want)) {
			t.Errorf("value %d: %.12g with the collinear columns, %.12g without", j, got, want)
		}
	}
}

// TestModesAndPrediction: the conditional modes solve each group's
// mode equation at the estimates, and Predict uses them for known groups
// and the population level for unseen ones.
func TestModesAndPrediction(t *testing.T) {
	d := simulate(newRng(), 10, 25, 1, []float64{-0.2, 0.6}, 1.0)
	f, err := FitRandomIntercept(context.Background(), d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Singular || f.SD < 0.3 {
		t.Fatalf("sd %g singular %v: want a clear random intercept", f.SD, f.Singular)
	}
	for g, label := range f.Groups {
		// σ·Σ(y − μ) = b/σ at the mode b = σ·v.
		sum := 0.0
		rows := 0
		for i := range d.Y {
			if d.Group[i] != label {
				continue
			}
			rows++
			p, known := f.Predict(d.X[i:i+1], label)
			if !known {
				t.Fatalf("group %s unknown", label)
			}
			sum += d.Y[i] - p
		}
		if rows != f.GroupRows[g] {
			t.Errorf("group %s: %d rows, fit says %d", label, rows, f.GroupRows[g])
		}
		if r := f.SD*sum - f.Modes[g]/f.SD; math.Abs(r) > 1e-8 {
			t.Errorf("group %s: mode equation residual %g", label, r)
		}
	}
	p, known := f.Predict([]float64{0.5}, "unseen")
	if known || math.Abs(p-sigmoid(f.Beta[0]+0.5*f.Beta[1])) > 1e-15 {
		t.Errorf("unseen group: p %g known %v, want the population level", p, known)
	}
	if icc := f.ICC(); math.Abs(icc-f.SD*f.SD/(f.SD*f.SD+math.Pi*math.Pi/3)) > 1e-15 {
		t.Errorf("ICC %g", icc)
	}
}

// TestOneHotDropped: every level of a one-hot encoded attribute (a rare
// level included) sums to the intercept: the last level is dropped, as
// lme4 drops it, and the fit has standard errors. (On OULAD's imd_band, a
// rank check on the Gram matrix missed this dependence; the check is a
// Gram-Schmidt QR.)
func TestOneHotDropped(t *testing.T) {
	rng := newRng()
	d := Data{Cols: 5}
	for i := 0; i < 3000; i++ {
		level := rng.IntN(4)
		if rng.Float64() < 0.004 {
			level = 4 // rare level, about 12 rows
		}
		row := make([]float64, 5)
		row[level] = 1
		d.X = append(d.X, row...)
		y := 0.0
		if rng.Float64() < sigmoid(-0.3+0.2*float64(level)) {
			y = 1
		}
		d.Y = append(d.Y, y)
		d.Group = append(d.Group, fmt.Sprintf("g%d", i%7))
	}
	f, err := FitRandomIntercept(context.Background(), d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Dropped) != 1 || f.Dropped[0] != 4 || f.SE == nil || len(f.Warnings) > 0 {
		t.Errorf("dropped %v, SE %v, warnings %v: want the last level dropped and standard errors", f.Dropped, f.SE, f.Warnings)
	}
}
