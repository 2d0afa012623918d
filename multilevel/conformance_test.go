package multilevel

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/internal/conformance"
)

// TestConformance runs the multilevel suite (../shared/conformance/
// multilevel.json, lme4 1.1-31): every case is a subtest named by its id;
// an unknown fn fails.
func TestConformance(t *testing.T) {
	fits := map[string]*Fit{} // the "-sd" case shares its fit's arguments
	for _, c := range conformance.Load(t, "multilevel.json") {
		t.Run(c.ID, func(t *testing.T) {
			switch c.Fn {
			case "glmer_ri":
				runGlmerRICase(t, c, fits)
			default:
				t.Fatalf("unknown fn %q", c.Fn)
			}
		})
	}
}

func decodeArg(t *testing.T, c conformance.Case, name string, dst any) {
	t.Helper()
	raw, ok := c.Args[name]
	if !ok {
		t.Fatalf("missing argument %q", name)
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		t.Fatalf("argument %q: %v", name, err)
	}
}

// runGlmerRICase fits the case's X, y and group by the Laplace
// approximation and compares beta and loglik, or sd, with the relative
// tolerance max(1, |want|)·tol; a singular want (sd 0) passes with
// sd ≤ 1e-3, as the README says.
func runGlmerRICase(t *testing.T, c conformance.Case, fits map[string]*Fit) {
	var xs [][]float64
	var ys []float64
	var groups []any
	decodeArg(t, c, "X", &xs)
	decodeArg(t, c, "y", &ys)
	decodeArg(t, c, "group", &groups)
	d := Data{Y: ys, Group: make([]string, len(groups))}
	for i, g := range groups {
		d.Group[i] = fmt.Sprint(g)
	}
	if len(xs) > 0 {
		d.Cols = len(xs[0])
	}
	for i, row := range xs {
		if len(row) != d.Cols {
			t.Fatalf("X row %d has %d values, want %d", i, len(row), d.Cols)
		}
		d.X = append(d.X, row...)
	}
	key := string(c.Args["X"]) + string(c.Args["y"]) + string(c.Args["group"])
	fit, cached := fits[key]
	var err error
	if !cached {
		fit, err = FitRandomIntercept(context.Background(), d, Options{})
	}
	if _, wantErr := c.Want["error"]; wantErr {
		if err == nil {
			t.Fatalf("want an error, got none (sd %g)", fit.SD)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	fits[key] = fit
	close := func(got, want float64) bool { return math.Abs(got-want) <= c.Tol*math.Max(1, math.Abs(want)) }
	var bad []string
	if raw, ok := c.Want["sd"]; ok {
		var want float64
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		if want == 0 {
			if fit.SD > 1e-3 || !fit.Singular {
				bad = append(bad, fmt.Sprintf("sd = %.8g (singular %v), want 0 and a singular fit", fit.SD, fit.Singular))
			}
		} else if !close(fit.SD, want) || fit.Singular {
			bad = append(bad, fmt.Sprintf("sd = %.10g (singular %v), want %.10g", fit.SD, fit.Singular, want))
		}
	}
	if raw, ok := c.Want["beta"]; ok {
		var want []float64
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		if len(want) != len(fit.Beta) {
			t.Fatalf("got %d coefficients, want %d", len(fit.Beta), len(want))
		}
		for j := range want {
			if !close(fit.Beta[j], want[j]) {
				bad = append(bad, fmt.Sprintf("beta[%d] = %.10g, want %.10g", j, fit.Beta[j], want[j]))
			}
		}
	}
	if raw, ok := c.Want["loglik"]; ok {
		var want float64
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		if !close(fit.LogLik, want) {
			bad = append(bad, fmt.Sprintf("loglik = %.10g, want %.10g", fit.LogLik, want))
		}
	}
	if len(c.Want) == 0 {
		t.Fatal("case wants nothing")
	}
	t.Logf("sd %.10g beta %.10g loglik %.12g", fit.SD, fit.Beta, fit.LogLik)
	if len(bad) > 0 {
		t.Errorf("tol %g: %s", c.Tol, strings.Join(bad, "; "))
	}
}
