package leakage

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/models"
)

func matrix(names []string, cols ...[]float64) *models.Matrix {
	n := len(cols[0])
	m := &models.Matrix{Rows: n, Cols: len(cols), Names: names, Data: make([]float64, n*len(cols))}
	for j, c := range cols {
		for i, v := range c {
			m.Data[i*len(cols)+j] = v
		}
	}
	return m
}

// TestScreenHandExample: eight rows, four at risk. "leak" orders the
// outcomes perfectly but for one swap (AUC 15/16 = 0.9375, by hand);
// "noise" has AUC 0.5; "reversed" is leak negated (AUC 1/16, so 0.9375
// with lower values at risk); "gap_missing" is missing in five rows, all
// at risk... but one: 4 of 5 (80%) is below the 95% purity.
func TestScreenHandExample(t *testing.T) {
	y := []uint8{0, 0, 0, 0, 1, 1, 1, 1}
	leak := []float64{1, 2, 3, 5, 4, 6, 7, 8}
	noise := []float64{1, 2, 1, 2, 1, 2, 1, 2}
	reversed := make([]float64, len(leak))
	for i, v := range leak {
		reversed[i] = -v
	}
	missing := []float64{0, 0, 0, 1, 1, 1, 1, 1}
	x := matrix([]string{"leak", "noise", "reversed", "gap_missing"}, leak, noise, reversed, missing)
	got, err := Screen(x, y, map[string]bool{"gap_missing": true}, Options{MinMissing: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d suspects %+v, want leak and reversed", len(got), got)
	}
	if got[0].Feature != "leak" || got[0].Kind != KindAUC || math.Abs(*got[0].AUC-0.9375) > 1e-12 || !*got[0].HigherIsRisk {
		t.Errorf("leak: %+v", got[0])
	}
	if got[1].Feature != "reversed" || math.Abs(*got[1].AUC-0.9375) > 1e-12 || *got[1].HigherIsRisk {
		t.Errorf("reversed: %+v", got[1])
	}
	if !strings.Contains(got[0].Reason, "training AUC 0.938 (higher values go with the at-risk outcome), above 0.90") {
		t.Errorf("reason %q", got[0].Reason)
	}
}

// TestScreenMissingness plants a registration date that is missing
// almost only for students who left, and checks that a rare outcome does
// not make every indicator suspect.
func TestScreenMissingness(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 2000
	y := make([]uint8, n)
	leaky := make([]float64, n)  // missing for 150 at-risk rows and 3 others
	honest := make([]float64, n) // missing at random
	for i := range y {
		if rng.Float64() < 0.3 {
			y[i] = 1
		}
		honest[i] = float64(rng.IntN(10) / 9) // about 10% missing
	}
	missAtRisk, missOther := 0, 0
	for i := range y {
		switch {
		case y[i] == 1 && missAtRisk < 150:
			leaky[i], missAtRisk = 1, missAtRisk+1
		case y[i] == 0 && missOther < 3:
			leaky[i], missOther = 1, missOther+1
		}
	}
	x := matrix([]string{"date_registration_missing", "imd_band_missing"}, leaky, honest)
	got, err := Screen(x, y, map[string]bool{"date_registration_missing": true, "imd_band_missing": true}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Kind != KindMissingness || got[0].Feature != "date_registration_missing" {
		t.Fatalf("suspects %+v, want only the missing registration date", got)
	}
	s := got[0]
	if s.MissingRows != 153 || math.Abs(*s.MissingAtRiskRate-150.0/153) > 1e-12 {
		t.Errorf("missing rows %d, at-risk rate %v", s.MissingRows, *s.MissingAtRiskRate)
	}
	if !strings.Contains(s.Reason, "153 training rows miss the feature behind date_registration_missing and 98.0% of them are at risk") {
		t.Errorf("reason %q", s.Reason)
	}

	// A 3% outcome: rows missing a feature at random are ~97% not at
	// risk, as are the others; that determines nothing.
	rare := make([]uint8, n)
	for i := range rare {
		if i%33 == 0 {
			rare[i] = 1
		}
	}
	got, err = Screen(matrix([]string{"imd_band_missing"}, honest), rare, map[string]bool{"imd_band_missing": true}, Options{})
	if err != nil || len(got) != 0 {
		t.Errorf("rare outcome: suspects %+v, err %v; want none", got, err)
	}
}

func TestScreenErrors(t *testing.T) {
	x := matrix([]string{"a"}, []float64{1, 2})
	if _, err := Screen(x, []uint8{1}, nil, Options{}); err == nil {
		t.Error("mismatched lengths accepted")
	}
	if _, err := Screen(x, []uint8{1, 2}, nil, Options{}); err == nil {
		t.Error("outcome 2 accepted")
	}
	// One class: no AUC, no error.
	if got, err := Screen(x, []uint8{1, 1}, nil, Options{}); err != nil || len(got) != 0 {
		t.Errorf("one class: %+v, %v", got, err)
	}
}
