package drift

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"testing"
)

// scipyReference holds testdata/scipy_reference.json, written by
// testdata/scipy_reference.py with scipy 1.10.1 and numpy 1.24.2.
type scipyReference struct {
	Cases struct {
		KS []struct {
			A, B []float64
			D, P float64
		} `json:"ks"`
		KSTwo []struct {
			N  int
			X  float64
			SF float64 `json:"sf"`
		} `json:"kstwo"`
		Smirnov []struct {
			N    int
			E, P float64
		} `json:"smirnov"`
		Wasserstein []struct {
			A, B                 []float64
			Distance, Normalized float64
		} `json:"wasserstein"`
		PSI []struct {
			A, B []float64
			PSI  float64 `json:"psi"`
			Bins int
		} `json:"psi"`
		JS []struct {
			P, Q     []float64
			Distance float64
		} `json:"js"`
		ChiSquare []struct {
			Ref, Cur []float64
			Stat     json.RawMessage
			P        float64
		} `json:"chisquare"`
	} `json:"cases"`
}

var (
	scipyOnce sync.Once
	scipyRef  *scipyReference
	scipyErr  error
)

// loadScipy reads the reference file once for all tests.
func loadScipy(t *testing.T) *scipyReference {
	t.Helper()
	scipyOnce.Do(func() {
		b, err := os.ReadFile("testdata/scipy_reference.json")
		if err != nil {
			scipyErr = err
			return
		}
		scipyRef = new(scipyReference)
		scipyErr = json.Unmarshal(b, scipyRef)
	})
	if scipyErr != nil {
		t.Fatal(scipyErr)
	}
	return scipyRef
}

func sorted(x []float64) []float64 {
	y := slices.Clone(x)
	slices.Sort(y)
	return y
}

func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// TestKSAgainstScipy checks the statistic and p-value against scipy 1.10.1
// ks_2samp (method "auto") on exact (equal and unequal sizes) and
// asymptotic cases (sizes above 10,000, including the Pelz-Good and
// n <= 140 regimes of kstwo).
func TestKSAgainstScipy(t *testing.T) {
	for i, c := range loadScipy(t).Cases.KS {
		a, b := sorted(c.A), sorted(c.B)
		d := KSStatistic(a, b)
		if !near(d, c.D, 1e-12) {
			t.Errorf("case %d (%d vs %d): D = %.15g, scipy %.15g", i, len(a), len(b), d, c.D)
		}
		if p := KSPValue(d, len(a), len(b)); !near(p, c.P, 1e-8) {
			t.Errorf("case %d (%d vs %d): p = %.15g, scipy %.15g", i, len(a), len(b), p, c.P)
		}
	}
}

// TestKolmogorovSFAgainstScipy checks every regime of scipy's kstwo.sf.
// Where scipy uses the Pelz-Good approximation the same approximation is
// computed, so the agreement is to rounding.
func TestKolmogorovSFAgainstScipy(t *testing.T) {
	for _, c := range loadScipy(t).Cases.KSTwo {
		if got := KolmogorovSF(c.X, c.N); !near(got, c.SF, 1e-9) && math.Abs(got-c.SF) > 1e-14 {
			t.Errorf("kstwo.sf(%v, %d) = %.15g, scipy %.15g", c.X, c.N, got, c.SF)
		}
	}
}

func TestSmirnovAgainstScipy(t *testing.T) {
	for _, c := range loadScipy(t).Cases.Smirnov {
		if got := Smirnov(c.N, c.E); !near(got, c.P, 1e-9) && math.Abs(got-c.P) > 1e-15 {
			t.Errorf("smirnov(%d, %v) = %.15g, scipy %.15g", c.N, c.E, got, c.P)
		}
	}
}

// TestWassersteinAgainstScipy checks scipy.stats.wasserstein_distance and
// Evidently's normalization by the reference's population standard
// deviation (np.std).
func TestWassersteinAgainstScipy(t *testing.T) {
	for i, c := range loadScipy(t).Cases.Wasserstein {
		a, b := sorted(c.A), sorted(c.B)
		if got := Wasserstein(a, b); !near(got, c.Distance, 1e-10) {
			t.Errorf("case %d: distance %.15g, scipy %.15g", i, got, c.Distance)
		}
		res, err := CompareNumeric("x", NewNumericReference(c.A), c.B, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if res.Method != MethodWasserstein || !near(res.Score, c.Normalized, 1e-10) {
			t.Errorf("case %d: %s %.15g, want wasserstein %.15g", i, res.Method, res.Score, c.Normalized)
		}
		if res.Drifted != (c.Normalized >= 0.1) {
			t.Errorf("case %d: drifted %v at %.4f", i, res.Drifted, c.Normalized)
		}
	}
}

// TestPSIAgainstNumpy checks PSI with numpy's Sturges edges over both
// samples and Evidently's filling of empty bins (the generator follows
// evidently's get_binned_data and psi).
func TestPSIAgainstNumpy(t *testing.T) {
	for i, c := range loadScipy(t).Cases.PSI {
		res, err := CompareNumeric("x", NewNumericReference(c.A), c.B, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if res.PSIBins != c.Bins || !near(res.PSI, c.PSI, 1e-10) {
			t.Errorf("case %d: PSI %.15g over %d bins, want %.15g over %d", i, res.PSI, res.PSIBins, c.PSI, c.Bins)
		}
	}
}

func TestJensenShannonAgainstScipy(t *testing.T) {
	for _, c := range loadScipy(t).Cases.JS {
		if got := JensenShannon(c.P, c.Q, 2); !near(got, c.Distance, 1e-12) {
			t.Errorf("jensenshannon(%v, %v, 2) = %.15g, scipy %.15g", c.P, c.Q, got, c.Distance)
		}
	}
}

func TestChiSquareAgainstScipy(t *testing.T) {
	for _, c := range loadScipy(t).Cases.ChiSquare {
		nr, nc := sum(c.Ref), sum(c.Cur)
		exp := make([]float64, len(c.Ref))
		for i := range exp {
			exp[i] = c.Ref[i] * nc / nr
		}
		stat, p := ChiSquare(c.Cur, exp)
		var want float64
		if string(c.Stat) == `"Infinity"` {
			want = math.Inf(1)
		} else if err := json.Unmarshal(c.Stat, &want); err != nil {
			t.Fatal(err)
		}
		if !(stat == want || near(stat, want, 1e-12)) || !near(p, c.P, 1e-10) {
			t.Errorf("chisquare(%v vs %v) = %v, p %v; scipy %v, p %v", c.Cur, exp, stat, p, want, c.P)
		}
	}
}

// TestHandComputed checks small cases worked by hand.
func TestHandComputed(t *testing.T) {
	// a = {1,2,3}, b = {2,4}: CDFs differ by 1/3 on [1,2), 1/6 on [2,3),
	// 1/2 on [3,4): area 1/3 + 1/6 + 1/2 = 1.
	if got := Wasserstein([]float64{1, 2, 3}, []float64{2, 4}); !near(got, 1, 1e-15) {
		t.Errorf("Wasserstein = %v, want 1", got)
	}
	// The largest CDF gap of {1,2,3} and {2,4} is at x=3: 1 − 1/2.
	if got := KSStatistic([]float64{1, 2, 3}, []float64{2, 4}); !near(got, 0.5, 1e-15) {
		t.Errorf("KS D = %v, want 0.5", got)
	}
	// Disjoint samples of 3 and 3: only 2 of the C(6,3) = 20 orderings give
	// D = 1, so p = 0.1.
	if got := KSPValue(1, 3, 3); !near(got, 0.1, 1e-14) {
		t.Errorf("KS p(D=1; 3, 3) = %v, want 0.1", got)
	}
	// Disjoint samples of 2 and 3: 2 of C(5,2) = 10 orderings, p = 0.2.
	if got := KSPValue(1, 2, 3); !near(got, 0.2, 1e-14) {
		t.Errorf("KS p(D=1; 2, 3) = %v, want 0.2", got)
	}
	// JS of (1,0) and (0,1) in base 2 is 1; of equal vectors 0.
	if got := JensenShannon([]float64{1, 0}, []float64{0, 1}, 2); !near(got, 1, 1e-15) {
		t.Errorf("JS = %v, want 1", got)
	}
	// PSI of (0.5, 0.5) against (0.25, 0.75): 0.25·ln 2 − 0.25·ln(2/3).
	want := 0.25*math.Log(2) - 0.25*math.Log(2.0/3)
	if got := PSI([]float64{0.5, 0.5}, []float64{0.25, 0.75}); !near(got, want, 1e-15) {
		t.Errorf("PSI = %v, want %v", got, want)
	}
	// Empty shares: 0.0001, or the smallest share / 1e6 when tiny.
	p := []float64{0.5, 0, 0.5}
	FillEmpty(p)
	if p[1] != 0.0001 {
		t.Errorf("filled %v, want 0.0001", p[1])
	}
	p = []float64{0.99995, 0, 0.00005}
	FillEmpty(p)
	if p[1] != 0.00005/1e6 {
		t.Errorf("filled %v, want 5e-11", p[1])
	}
	// numpy: histogram_bin_edges(range(10), "sturges") has
	// ceil(9 / (9/(log2(10)+1))) = 5 bins from 0 to 9.
	if e := SturgesEdges(0, 9, 10); len(e) != 6 || e[0] != 0 || e[5] != 9 || !near(e[1], 1.8, 1e-15) {
		t.Errorf("Sturges edges %v", e)
	}
}

func TestReferenceFileHasEveryKind(t *testing.T) {
	c := loadScipy(t).Cases
	for name, n := range map[string]int{"ks": len(c.KS), "kstwo": len(c.KSTwo), "smirnov": len(c.Smirnov), "wasserstein": len(c.Wasserstein),
		"psi": len(c.PSI), "js": len(c.JS), "chisquare": len(c.ChiSquare)} {
		if n < 3 {
			t.Errorf("%s: %d reference cases, want at least 3", name, n)
		}
	}
}

func TestSortFloatsMatchesSlicesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 5, 3000, 20000} {
		x := make([]float64, n)
		for i := range x {
			switch i % 5 {
			case 0:
				x[i] = r.NormFloat64() * 1e6
			case 1:
				x[i] = -r.ExpFloat64()
			case 2:
				x[i] = float64(r.IntN(7) - 3)
			case 3:
				x[i] = math.Copysign(0, -1)
			default:
				x[i] = r.Float64() * 1e-300
			}
		}
		want := slices.Clone(x)
		slices.Sort(want)
		sortFloats(x)
		for i := range x {
			if x[i] != want[i] {
				t.Fatalf("n=%d: position %d holds %v, want %v", n, i, x[i], want[i])
			}
		}
	}
}
