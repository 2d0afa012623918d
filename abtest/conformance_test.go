package abtest

import (
	"github.com/evalrun/evalrun/internal/conformance"

	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// conformanceCase is one case of the shared suite (see
// ../shared/conformance/README.md).
type conformanceCase = conformance.Case

// loadConformance reads a suite file, skipping when the suite is absent.
func loadConformance(t *testing.T, name string) []conformanceCase { return conformance.Load(t, name) }

// args decodes a case's arguments; the string "NaN" stands for NaN.
type args map[string]json.RawMessage

func decodeNumber(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case string:
		if x == "NaN" {
			return math.NaN(), nil
		}
	}
	return 0, fmt.Errorf("not a number: %v", v)
}

func (a args) has(name string) bool { _, ok := a[name]; return ok }

func (a args) float(name string) (float64, error) {
	raw, ok := a[name]
	if !ok {
		return 0, fmt.Errorf("missing argument %q", name)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return 0, fmt.Errorf("argument %q: %w", name, err)
	}
	return decodeNumber(v)
}

func (a args) int(name string) (int, error) {
	f, err := a.float(name)
	if err != nil {
		return 0, err
	}
	if f != math.Trunc(f) {
		return 0, fmt.Errorf("argument %q = %v is not an integer", name, f)
	}
	return int(f), nil
}

func (a args) bool(name string) (bool, error) {
	var b bool
	if err := json.Unmarshal(a[name], &b); err != nil {
		return false, fmt.Errorf("argument %q: %w", name, err)
	}
	return b, nil
}

func (a args) string(name string) (string, error) {
	var s string
	if err := json.Unmarshal(a[name], &s); err != nil {
		return "", fmt.Errorf("argument %q: %w", name, err)
	}
	return s, nil
}

func (a args) floats(name string) ([]float64, error) {
	raw, ok := a[name]
	if !ok {
		return nil, fmt.Errorf("missing argument %q", name)
	}
	var vs []any
	if err := json.Unmarshal(raw, &vs); err != nil {
		return nil, fmt.Errorf("argument %q: %w", name, err)
	}
	out := make([]float64, len(vs))
	for i, v := range vs {
		f, err := decodeNumber(v)
		if err != nil {
			return nil, fmt.Errorf("argument %q[%d]: %w", name, i, err)
		}
		out[i] = f
	}
	return out, nil
}

func (a args) ints(name string) ([]int, error) {
	fs, err := a.floats(name)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(fs))
	for i, f := range fs {
		if f != math.Trunc(f) {
			return nil, fmt.Errorf("argument %q[%d] = %v is not an integer", name, i, f)
		}
		out[i] = int(f)
	}
	return out, nil
}

func (a args) table(name string) ([][]int, error) {
	var t [][]int
	if err := json.Unmarshal(a[name], &t); err != nil {
		return nil, fmt.Errorf("argument %q: %w", name, err)
	}
	return t, nil
}

// treatedFrom turns 0/1 indicators into booleans.
func treatedFrom(xs []float64) ([]bool, error) {
	out := make([]bool, len(xs))
	for i, x := range xs {
		switch x {
		case 0:
		case 1:
			out[i] = true
		default:
			return nil, fmt.Errorf("treatment[%d] = %v is not 0 or 1", i, x)
		}
	}
	return out, nil
}

// labelsFrom turns numeric cluster ids into string labels.
func labelsFrom(xs []float64) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return out
}

// outputs maps output names to float64, *float64 (nil = undefined) or
// []float64.
type outputs map[string]any

func runConformance(fn string, a args) (outputs, error) {
	switch fn {
	case "two_proportion":
		x1, n1, x2, n2, level, err := countArgs(a)
		if err != nil {
			return nil, err
		}
		r, err := TwoProportions(x1, n1, x2, n2, level)
		if err != nil {
			return nil, err
		}
		return outputs{"diff": r.Diff, "z": r.Z, "p_value": r.PValue,
			"wald_lower": r.Wald.Lower, "wald_upper": r.Wald.Upper,
			"newcombe_lower": r.Newcombe.Lower, "newcombe_upper": r.Newcombe.Upper,
			"cohens_h": r.CohensH}, nil
	case "wilson":
		x, err := a.int("x")
		if err != nil {
			return nil, err
		}
		n, err := a.int("n")
		if err != nil {
			return nil, err
		}
		level, err := a.float("level")
		if err != nil {
			return nil, err
		}
		iv, err := Wilson(x, n, level)
		if err != nil {
			return nil, err
		}
		return outputs{"lower": iv.Lower, "upper": iv.Upper}, nil
	case "fisher_exact":
		t, err := a.table("table")
		if err != nil {
			return nil, err
		}
		if len(t) != 2 || len(t[0]) != 2 || len(t[1]) != 2 {
			return nil, fmt.Errorf("table is not 2x2")
		}
		r, err := FisherExact([2][2]int{{t[0][0], t[0][1]}, {t[1][0], t[1][1]}})
		if err != nil {
			return nil, err
		}
		return outputs{"odds_ratio": r.OddsRatio, "p_value": r.PValue}, nil
	case "relative_risk":
		x1, n1, x2, n2, level, err := countArgs(a)
		if err != nil {
			return nil, err
		}
		rr, err := RiskRatio(x1, n1, x2, n2, level)
		if err != nil {
			return nil, err
		}
		nnt, err := NumberNeededToTreat(x1, n1, x2, n2, level)
		if err != nil {
			return nil, err
		}
		return outputs{"rr": rr.Estimate, "lower": rr.Lower, "upper": rr.Upper, "nnt": nnt.NNT}, nil
	case "chi2_contingency":
		t, err := a.table("table")
		if err != nil {
			return nil, err
		}
		yates, err := a.bool("yates")
		if err != nil {
			return nil, err
		}
		r, err := ChiSquareContingency(t, yates)
		if err != nil {
			return nil, err
		}
		return outputs{"chi2": r.Chi2, "dof": float64(r.DoF), "p_value": r.PValue}, nil
	case "welch_t":
		x, y, err := twoSamples(a)
		if err != nil {
			return nil, err
		}
		level, err := a.float("level")
		if err != nil {
			return nil, err
		}
		r, err := WelchT(x, y, level)
		if err != nil {
			return nil, err
		}
		return outputs{"diff": r.Diff, "t": r.T, "df": r.DF, "p_value": r.PValue,
			"lower": r.CI.Lower, "upper": r.CI.Upper, "cohens_d": r.CohensD}, nil
	case "mann_whitney":
		x, y, err := twoSamples(a)
		if err != nil {
			return nil, err
		}
		r, err := MannWhitney(x, y)
		if err != nil {
			return nil, err
		}
		return outputs{"u": r.U, "p_value": r.PValue}, nil
	case "srm":
		obs, err := a.ints("observed")
		if err != nil {
			return nil, err
		}
		ratio, err := a.floats("ratio")
		if err != nil {
			return nil, err
		}
		r, err := SampleRatioMismatch(obs, ratio)
		if err != nil {
			return nil, err
		}
		return outputs{"chi2": r.Chi2, "p_value": r.PValue}, nil
	case "p_adjust":
		p, err := a.floats("p_values")
		if err != nil {
			return nil, err
		}
		name, err := a.string("method")
		if err != nil {
			return nil, err
		}
		m, err := ParseAdjustMethod(name)
		if err != nil {
			return nil, err
		}
		adj, err := AdjustPValues(p, m)
		if err != nil {
			return nil, err
		}
		return outputs{"adjusted": adj}, nil
	case "power_two_proportions":
		var d ProportionsDesign
		var err error
		if d.P1, err = a.float("p1"); err != nil {
			return nil, err
		}
		if d.P2, err = a.float("p2"); err != nil {
			return nil, err
		}
		if d.Alpha, err = a.float("alpha"); err != nil {
			return nil, err
		}
		if a.has("n") {
			n, err := a.float("n")
			if err != nil {
				return nil, err
			}
			r, err := PowerTwoProportions(d, n)
			if err != nil {
				return nil, err
			}
			return outputs{"power": r.Power}, nil
		}
		power, err := a.float("power")
		if err != nil {
			return nil, err
		}
		r, err := SampleSizeTwoProportions(d, power)
		if err != nil {
			return nil, err
		}
		return outputs{"n": r.N2}, nil
	case "power_t":
		var d MeansDesign
		var err error
		if d.Delta, err = a.float("delta"); err != nil {
			return nil, err
		}
		if d.SD, err = a.float("sd"); err != nil {
			return nil, err
		}
		if d.Alpha, err = a.float("alpha"); err != nil {
			return nil, err
		}
		if a.has("n") {
			n, err := a.float("n")
			if err != nil {
				return nil, err
			}
			r, err := PowerTwoMeans(d, n)
			if err != nil {
				return nil, err
			}
			return outputs{"power": r.Power}, nil
		}
		power, err := a.float("power")
		if err != nil {
			return nil, err
		}
		r, err := SampleSizeTwoMeans(d, power)
		if err != nil {
			return nil, err
		}
		return outputs{"n": r.N2}, nil
	case "cmh":
		var raw [][][]int
		if err := json.Unmarshal(a["strata"], &raw); err != nil {
			return nil, fmt.Errorf("argument strata: %w", err)
		}
		strata := make([]Stratum2x2, len(raw))
		for k, s := range raw {
			if len(s) != 2 || len(s[0]) != 2 || len(s[1]) != 2 {
				return nil, fmt.Errorf("stratum %d is not 2x2", k)
			}
			strata[k] = Stratum2x2{{s[0][0], s[0][1]}, {s[1][0], s[1][1]}}
		}
		correct, err := a.bool("correct")
		if err != nil {
			return nil, err
		}
		r, err := CochranMantelHaenszel(strata, correct, 0.95)
		if err != nil {
			return nil, err
		}
		return outputs{"statistic": r.Statistic, "p_value": r.PValue, "common_odds_ratio": r.CommonOddsRatio,
			"lower": r.Lower, "upper": r.Upper}, nil
	case "cuped":
		y, err := a.floats("y")
		if err != nil {
			return nil, err
		}
		x, err := a.floats("x")
		if err != nil {
			return nil, err
		}
		tr, err := a.floats("treatment")
		if err != nil {
			return nil, err
		}
		treated, err := treatedFrom(tr)
		if err != nil {
			return nil, err
		}
		r, err := CUPED(y, x, treated, 0.95)
		if err != nil {
			return nil, err
		}
		return outputs{"theta": r.Theta, "effect": r.Effect, "se": r.SE, "t": r.T,
			"p_value": r.PValue, "variance_reduction": r.VarianceReduction}, nil
	case "cluster_robust":
		y, err := a.floats("y")
		if err != nil {
			return nil, err
		}
		tr, err := a.floats("treatment")
		if err != nil {
			return nil, err
		}
		treated, err := treatedFrom(tr)
		if err != nil {
			return nil, err
		}
		cl, err := a.floats("cluster")
		if err != nil {
			return nil, err
		}
		r, err := ClusterRobustEffect(y, treated, labelsFrom(cl), 0.95)
		if err != nil {
			return nil, err
		}
		return outputs{"effect": r.Effect, "se": r.SE, "t": r.T, "df": r.DF, "p_value": r.PValue,
			"icc": r.ICC, "design_effect": r.DesignEffect}, nil
	// Functions of this package's own reference cases (testdata/reference.json).
	case "odds_ratio":
		x1, n1, x2, n2, level, err := countArgs(a)
		if err != nil {
			return nil, err
		}
		r, err := OddsRatio(x1, n1, x2, n2, level)
		if err != nil {
			return nil, err
		}
		return outputs{"estimate": r.Estimate, "lower": r.Lower, "upper": r.Upper}, nil
	case "noncentral_t_sf":
		q, err := a.float("t")
		if err != nil {
			return nil, err
		}
		df, err := a.float("df")
		if err != nil {
			return nil, err
		}
		ncp, err := a.float("ncp")
		if err != nil {
			return nil, err
		}
		return outputs{"p": noncentralTSurvival(q, df, ncp)}, nil
	case "regression_hc2":
		y, err := a.floats("y")
		if err != nil {
			return nil, err
		}
		tr, err := a.floats("treatment")
		if err != nil {
			return nil, err
		}
		treated, err := treatedFrom(tr)
		if err != nil {
			return nil, err
		}
		var cols [][]float64
		if err := json.Unmarshal(a["covariates"], &cols); err != nil {
			return nil, fmt.Errorf("argument covariates: %w", err)
		}
		spec := RegressionSpec{Level: 0.95}
		if a.has("cluster") {
			if err := json.Unmarshal(a["cluster"], &spec.Cluster); err != nil {
				return nil, fmt.Errorf("argument cluster: %w", err)
			}
		}
		for j, c := range cols {
			spec.Covariates = append(spec.Covariates, Covariate{Name: fmt.Sprintf("z%d", j+1), Values: c})
		}
		r, err := RegressionAdjustment(y, treated, spec)
		if err != nil {
			return nil, err
		}
		return outputs{"effect": r.Effect, "se": r.SE, "t": r.T, "p_value": r.PValue,
			"lower": r.CI.Lower, "upper": r.CI.Upper}, nil
	case "subgroup":
		y, err := a.floats("y")
		if err != nil {
			return nil, err
		}
		tr, err := a.floats("treatment")
		if err != nil {
			return nil, err
		}
		treated, err := treatedFrom(tr)
		if err != nil {
			return nil, err
		}
		var groups []string
		if err := json.Unmarshal(a["groups"], &groups); err != nil {
			return nil, fmt.Errorf("argument groups: %w", err)
		}
		scale, err := a.string("scale")
		if err != nil {
			return nil, err
		}
		opts := SubgroupOptions{Scale: EffectScale(scale), Level: 0.95}
		if a.has("cluster") {
			var cl []string
			if err := json.Unmarshal(a["cluster"], &cl); err != nil {
				return nil, fmt.Errorf("argument cluster: %w", err)
			}
			opts.Cluster = cl
		}
		r, err := SubgroupEffects(y, treated, groups, opts)
		if err != nil {
			return nil, err
		}
		out := outputs{"interaction_stat": r.InteractionStat, "interaction_p": r.InteractionP,
			"interaction_df": float64(r.InteractionDF)}
		for _, lv := range r.Levels {
			out["effect_"+lv.Level] = lv.Effect
			out["se_"+lv.Level] = lv.SE
			out["p_"+lv.Level] = lv.PValue
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown fn %q", fn)
}

func countArgs(a args) (x1, n1, x2, n2 int, level float64, err error) {
	if x1, err = a.int("x1"); err != nil {
		return
	}
	if n1, err = a.int("n1"); err != nil {
		return
	}
	if x2, err = a.int("x2"); err != nil {
		return
	}
	if n2, err = a.int("n2"); err != nil {
		return
	}
	level, err = a.float("level")
	return
}

func twoSamples(a args) (x, y []float64, err error) {
	if x, err = a.floats("a"); err != nil {
		return
	}
	y, err = a.floats("b")
	return
}

// checkNumber applies the suite's rule |got − want| <= tol·max(1, |want|).
func checkNumber(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.17g, want %.17g (tol %g)", name, got, want, tol)
	}
}

func TestConformance(t *testing.T) {
	for _, c := range loadConformance(t, "abtest.json") {
		t.Run(c.ID, func(t *testing.T) {
			out, err := runConformance(c.Fn, args(c.Args))
			if wantErr, ok := c.Want["error"]; ok && string(wantErr) == "true" {
				if err == nil {
					t.Fatalf("want an error, got none (outputs %v)", out)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", c.Fn, err)
			}
			for name, raw := range c.Want {
				got, ok := out[name]
				if !ok {
					t.Errorf("output %q not produced by %s", name, c.Fn)
					continue
				}
				compareOutput(t, name, got, raw, c.Tol)
			}
		})
	}
}

// TestReference runs this package's own reference cases, generated by
// testdata/gen_reference.py with scipy 1.10.1, statsmodels 0.13.5 and
// R 4.2.2 (each case's note names its source).
func TestReference(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var suite struct {
		Cases []conformanceCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &suite); err != nil {
		t.Fatal(err)
	}
	if len(suite.Cases) == 0 {
		t.Fatal("no cases in testdata/reference.json")
	}
	for _, c := range suite.Cases {
		t.Run(c.ID, func(t *testing.T) {
			out, err := runConformance(c.Fn, args(c.Args))
			if err != nil {
				t.Fatalf("%s: %v", c.Fn, err)
			}
			for name, raw := range c.Want {
				got, ok := out[name]
				if !ok {
					t.Errorf("output %q not produced by %s", name, c.Fn)
					continue
				}
				compareOutput(t, name, got, raw, c.Tol)
			}
		})
	}
}

func compareOutput(t *testing.T, name string, got any, raw json.RawMessage, tol float64) {
	t.Helper()
	if string(raw) == "null" {
		switch g := got.(type) {
		case *float64:
			if g != nil {
				t.Errorf("%s = %v, want undefined (null)", name, *g)
			}
		default:
			t.Errorf("%s = %v, want undefined (null)", name, got)
		}
		return
	}
	switch g := got.(type) {
	case float64:
		var w float64
		if err := json.Unmarshal(raw, &w); err != nil {
			t.Fatalf("want %s: %v", name, err)
		}
		checkNumber(t, name, g, w, tol)
	case *float64:
		var w float64
		if err := json.Unmarshal(raw, &w); err != nil {
			t.Fatalf("want %s: %v", name, err)
		}
		if g == nil {
			t.Errorf("%s is undefined, want %v", name, w)
			return
		}
		checkNumber(t, name, *g, w, tol)
	case []float64:
		var w []float64
		if err := json.Unmarshal(raw, &w); err != nil {
			t.Fatalf("want %s: %v", name, err)
		}
		if len(g) != len(w) {
			t.Fatalf("%s has %d values, want %d", name, len(g), len(w))
		}
		for i := range w {
			checkNumber(t, fmt.Sprintf("%s[%d]", name, i), g[i], w[i], tol)
		}
	default:
		t.Fatalf("%s: unexpected output type %T", name, got)
	}
}
