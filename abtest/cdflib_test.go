package abtest

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// scipyTReference is testdata/scipy_t_quantile.json, written by
// testdata/gen_scipy_t_quantile.py with scipy 1.10.1.
type scipyTReference struct {
	Quantiles []struct {
		P, DF, PPF float64
	} `json:"quantiles"`
	CDF []struct {
		T, DF, CDF float64
	} `json:"cdf"`
}

func loadScipyTReference(t *testing.T) scipyTReference {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "scipy_t_quantile.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref scipyTReference
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatalf("testdata/scipy_t_quantile.json: %v", err)
	}
	if len(ref.Quantiles) < 250 || len(ref.CDF) < 100 {
		t.Fatalf("testdata/scipy_t_quantile.json holds only %d quantiles and %d CDF values", len(ref.Quantiles), len(ref.CDF))
	}
	return ref
}

func relDiff(got, want float64) float64 {
	return math.Abs(got-want) / math.Max(math.Abs(want), math.SmallestNonzeroFloat64)
}

// TestScipyTQuantile checks scipyTQuantile against scipy 1.10.1's
// stats.t.ppf on every recorded (p, df): relative difference at most
// 3e-15, i.e. the same value up to the last few bits.
func TestScipyTQuantile(t *testing.T) {
	const tol = 3e-15
	ref := loadScipyTReference(t)
	worst, worstAt := 0.0, -1
	for i, c := range ref.Quantiles {
		got, err := scipyTQuantile(c.P, c.DF)
		if err != nil {
			t.Errorf("case %d: t.ppf(%v, %v): %v", i, c.P, c.DF, err)
			continue
		}
		d := relDiff(got, c.PPF)
		if d > worst {
			worst, worstAt = d, i
		}
		if d > tol {
			t.Errorf("case %d: t.ppf(%v, %v) = %.17g, scipy 1.10.1 gives %.17g (relative difference %.2g > %g)", i, c.P, c.DF, got, c.PPF, d, tol)
		}
	}
	if worstAt >= 0 {
		c := ref.Quantiles[worstAt]
		t.Logf("worst relative difference from scipy over %d quantiles: %.3g at p=%v, df=%v", len(ref.Quantiles), worst, c.P, c.DF)
	}
}

// TestDcdflibTCDF checks the t CDF used inside the quantile search against
// DCDFLIB's own (scipy 1.10.1 special.nctdtr with zero non-centrality).
func TestDcdflibTCDF(t *testing.T) {
	const tol = 4e-14
	ref := loadScipyTReference(t)
	worst := 0.0
	for i, c := range ref.CDF {
		cum, ccum := dcdflibTCDF(c.T, c.DF)
		d := relDiff(cum, c.CDF)
		worst = math.Max(worst, d)
		if d > tol {
			t.Errorf("case %d: P(T_%v <= %v) = %.17g, DCDFLIB gives %.17g (relative difference %.2g > %g)", i, c.DF, c.T, cum, c.CDF, d, tol)
		}
		if s := cum + ccum; math.Abs(s-1) > 4e-16 {
			t.Errorf("case %d: cum + ccum = %.17g, want 1", i, s)
		}
	}
	t.Logf("worst relative difference from DCDFLIB's t CDF: %.3g", worst)
}
