package leakage

import (
	"fmt"

	"github.com/evalrun/evalrun/internal/workpool"
	"github.com/evalrun/evalrun/metrics"
	"github.com/evalrun/evalrun/models"
)

// Kinds of suspect.
const (
	// KindAUC is a feature whose AUC alone exceeds Options.AUC.
	KindAUC = "single_feature_auc"
	// KindMissingness is a missing-value indicator whose missing rows
	// nearly all share one outcome.
	KindMissingness = "missingness"
)

// Options are the screening thresholds; zero values take the defaults.
type Options struct {
	// AUC is the single-feature AUC above which a feature is suspect
	// (default 0.9).
	AUC float64
	// Purity is the share of rows missing a feature that must share one
	// outcome (default 0.95).
	Purity float64
	// MinMissing is the fewest training rows missing a feature for the
	// missingness check (default 10).
	MinMissing int
}

func (o Options) withDefaults() Options {
	if o.AUC == 0 {
		o.AUC = 0.9
	}
	if o.Purity == 0 {
		o.Purity = 0.95
	}
	if o.MinMissing == 0 {
		o.MinMissing = 10
	}
	return o
}

// Suspect is one feature that looks too good on the training rows.
type Suspect struct {
	// Feature is the matrix column (e.g. "date_registration_missing").
	Feature string `json:"feature"`
	Kind    string `json:"kind"`
	// AUC is max(AUC, 1 − AUC) of the column alone (KindAUC), and
	// HigherIsRisk says whether higher values go with the at-risk
	// outcome.
	AUC          *float64 `json:"auc,omitempty"`
	HigherIsRisk *bool    `json:"higher_is_risk,omitempty"`
	// MissingRows and PresentRows count the training rows without and
	// with the feature, and MissingAtRiskRate and PresentAtRiskRate the
	// at-risk share of each (KindMissingness).
	MissingRows       int      `json:"missing_rows,omitempty"`
	PresentRows       int      `json:"present_rows,omitempty"`
	MissingAtRiskRate *float64 `json:"missing_at_risk_rate,omitempty"`
	PresentAtRiskRate *float64 `json:"present_at_risk_rate,omitempty"`
	// Reason says it in words, with the numbers.
	Reason string `json:"reason"`
}

// Screen returns the suspects among the columns of x against the 0/1
// outcome y (one per row of x), in column order, the AUC suspect of a
// column before its missingness suspect. indicators names the columns
// that are missing-value indicators (1 where the feature is missing);
// only they get the missingness check. Columns with one value, and all
// columns when y has one class, have no AUC.
func Screen(x *models.Matrix, y []uint8, indicators map[string]bool, opts Options) ([]Suspect, error) {
	if len(y) != x.Rows {
		return nil, fmt.Errorf("leakage: %d outcomes for %d rows", len(y), x.Rows)
	}
	o := opts.withDefaults()
	positives := 0
	for _, v := range y {
		if v > 1 {
			return nil, fmt.Errorf("leakage: outcome %d is not 0 or 1", v)
		}
		positives += int(v)
	}
	bothClasses := positives > 0 && positives < len(y)
	// Columns are screened independently, on up to GOMAXPROCS goroutines;
	// each column's suspects land in its slot, so the order is the
	// columns' whatever the number.
	found := make([][]Suspect, x.Cols)
	workpool.ForWorkers(x.Cols, 0, func(int) func(j int) {
		col := make([]float64, x.Rows)
		return func(j int) { found[j] = screenColumn(x, j, col, y, bothClasses, indicators, o) }
	})
	var out []Suspect
	for _, s := range found {
		out = append(out, s...)
	}
	return out, nil
}

// screenColumn screens column j of x (read into col) against y.
func screenColumn(x *models.Matrix, j int, col []float64, y []uint8, bothClasses bool, indicators map[string]bool, o Options) []Suspect {
	var out []Suspect
	constant := true
	for i := range col {
		col[i] = x.At(i, j)
		if col[i] != col[0] {
			constant = false
		}
	}
	name := x.Names[j]
	if bothClasses && !constant {
		if a, err := metrics.ROCAUC(y, col, nil); err == nil {
			best, higher := a, true
			if a < 0.5 {
				best, higher = 1-a, false
			}
			if best > o.AUC {
				dir := "higher"
				if !higher {
					dir = "lower"
				}
				out = append(out, Suspect{Feature: name, Kind: KindAUC, AUC: &best, HigherIsRisk: &higher,
					Reason: fmt.Sprintf("%s alone has training AUC %.3f (%s values go with the at-risk outcome), above %.2f", name, best, dir, o.AUC)})
			}
		}
	}
	if indicators[name] {
		if s, ok := missingness(name, col, y, o); ok {
			out = append(out, s)
		}
	}
	return out
}

// missingness applies the missingness check to an indicator column.
func missingness(name string, col []float64, y []uint8, o Options) (Suspect, bool) {
	var miss, missPos, pres, presPos int
	for i, v := range col {
		if v == 1 {
			miss++
			missPos += int(y[i])
		} else {
			pres++
			presPos += int(y[i])
		}
	}
	if miss < o.MinMissing || pres == 0 {
		return Suspect{}, false
	}
	rm, rp := float64(missPos)/float64(miss), float64(presPos)/float64(pres)
	// The outcome most rows missing the feature share, its share among
	// them and among the rows with the feature present.
	outcome, purity, presentShare := "at risk", rm, rp
	if rm < 0.5 {
		outcome, purity, presentShare = "not at risk", 1-rm, 1-rp
	}
	if purity < o.Purity || presentShare >= 0.5 {
		return Suspect{}, false
	}
	return Suspect{Feature: name, Kind: KindMissingness, MissingRows: miss, PresentRows: pres, MissingAtRiskRate: &rm, PresentAtRiskRate: &rp,
		Reason: fmt.Sprintf("%d training rows miss the feature behind %s and %.1f%% of them are %s, against %.1f%% of the %d rows that have it: its missingness nearly determines the outcome",
			miss, name, 100*purity, outcome, 100*presentShare, pres)}, true
}
